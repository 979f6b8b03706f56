"""Making collection workbooks (調査票) and exporting the plan to Excel and CSV.

A form covers one fiscal year and a chosen set of KPIs and projects: one 担当課, one measure,
one pillar or the whole plan; `per_section` makes one form per 担当課 of that set in one call.
Each form carries the plan's key and a fingerprint of what the database holds for its rows,
so that the import can refuse another plan's form and tell later database changes from the
department's answers.

Every function here only reads the database. Files are written atomically (a failure or a
cancel leaves no partial file); long work reports progress through a `TaskState`.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aomori_desktop.domain.errors import UserError
from aomori_desktop.domain.fiscal import fy_label_era
from aomori_desktop.domain.plan import FigureStatus, ProjectStatus
from aomori_desktop.domain.validation import outside_period
from aomori_desktop.exchange.collection_form import (
    CollectionForm,
    FormKpi,
    FormProject,
    KpiValues,
    ProjectValues,
    decimals_of,
)
from aomori_desktop.exchange.csv_collection import CsvEncoding, write_kpi_csv
from aomori_desktop.fileio import write_bytes_atomically
from aomori_desktop.services.changes import Applied
from aomori_desktop.services.errors import NotFound, ValidationError
from aomori_desktop.services.snapshot_io import read_snapshot
from aomori_desktop.services.tasks import TaskState
from aomori_desktop.services.transaction import PlanAccess, find_plan
from aomori_desktop.store.models import (
    KpiMeasureRow,
    KpiRow,
    KpiYearRow,
    PlacementRow,
    PlanRow,
    ProjectRow,
    ProjectYearRow,
)

NO_SECTION = "担当課未設定"


class ScopeKind(StrEnum):
    SECTION = "section"
    MEASURE = "measure"
    PILLAR = "pillar"
    ALL = "all"


@dataclass(frozen=True, slots=True)
class Scope:
    """What a form covers: a 担当課 (value: its name, "" for none), a measure ("1-2"), a pillar
    ("1"), or the whole plan."""

    kind: ScopeKind = ScopeKind.ALL
    value: str = ""


def plan_key(plan: PlanRow) -> str:
    """Identifies one plan in one database (and its copies): a form for another plan, even one
    of the same name, is refused on import."""
    return hashlib.sha256(f"{plan.id}|{plan.created_at.isoformat()}".encode()).hexdigest()[:16]


def _check_year(plan: PlanRow, fiscal_year: int) -> None:
    problem = outside_period(
        "", fiscal_year, range(plan.first_fiscal_year, plan.last_fiscal_year + 1)
    )
    if problem:
        raise ValidationError([problem])


def sections(access: PlanAccess) -> list[str]:
    """The 担当課 named by the plan's KPIs and projects, sorted; "" when some have none."""
    plan_id = access.plan_id
    with access.reading() as s:
        names = set(s.scalars(select(KpiRow.responsible_section).where(KpiRow.plan_id == plan_id)))
        names |= set(
            s.scalars(select(ProjectRow.responsible_section).where(ProjectRow.plan_id == plan_id))
        )
    return sorted({n.strip() for n in names})


def _section(name: str) -> str:
    return name.strip()


def _scope_label(s: Session, plan: PlanRow, scope: Scope) -> str:
    if scope.kind is ScopeKind.SECTION:
        return f"担当課: {scope.value or NO_SECTION}"
    if scope.kind is ScopeKind.ALL:
        return "計画全体"
    if scope.kind is ScopeKind.PILLAR:
        pillar = next((p for p in plan.pillars if str(p.number) == scope.value), None)
        if pillar is None:
            raise NotFound(f"戦略の柱 {scope.value} が見つかりません。")
        return f"戦略の柱 {pillar.number} {pillar.name}"
    measure = next((m for p in plan.pillars for m in p.measures if m.code == scope.value), None)
    if measure is None:
        raise NotFound(f"共創施策 {scope.value} が見つかりません。")
    return f"共創施策 {measure.code} {measure.title}"


def _in_scope_measures(plan: PlanRow, scope: Scope) -> set[int] | None:
    """Ids of the measures a pillar/measure scope covers; None for the other scopes."""
    if scope.kind is ScopeKind.PILLAR:
        return {m.id for p in plan.pillars if str(p.number) == scope.value for m in p.measures}
    if scope.kind is ScopeKind.MEASURE:
        return {m.id for p in plan.pillars for m in p.measures if m.code == scope.value}
    return None


def build_forms(
    access: PlanAccess, fiscal_year: int, scope: Scope, *, per_section: bool = False
) -> list[CollectionForm]:
    """The collection forms of `scope` for `fiscal_year` (one per 担当課 with `per_section`)."""
    with access.reading() as s:
        plan = find_plan(s, access.plan_id)
        _check_year(plan, fiscal_year)
        label = _scope_label(s, plan, scope)
        kpis = _kpis(s, plan, fiscal_year, scope)
        projects = _projects(s, plan, fiscal_year, scope)
        key, name = plan_key(plan), plan.name
    created_at, created_by = access.clock(), access.user
    if not kpis and not projects:
        raise UserError(f"{label}には、調査票に載せるKPIも共創プロジェクトもありません。")
    if not per_section:
        return [
            CollectionForm(key, name, fiscal_year, label, created_at, created_by, kpis, projects)
        ]
    groups: dict[str, tuple[list[FormKpi], list[FormProject]]] = defaultdict(lambda: ([], []))
    for kpi in kpis:
        groups[_section(kpi.responsible_section)][0].append(kpi)
    for project in projects:
        groups[_section(project.responsible_section)][1].append(project)
    return [
        CollectionForm(
            key,
            name,
            fiscal_year,
            f"担当課: {section or NO_SECTION}",
            created_at,
            created_by,
            tuple(group[0]),
            tuple(group[1]),
        )
        for section, group in sorted(groups.items())
    ]


def _measure_codes(plan: PlanRow) -> dict[int, tuple[int, int, str]]:
    """measure id → (pillar number, measure number, "P-M")."""
    return {
        m.id: (p.number, m.number, f"{p.number}-{m.number}")
        for p in plan.pillars
        for m in p.measures
    }


def _kpis(s: Session, plan: PlanRow, fiscal_year: int, scope: Scope) -> tuple[FormKpi, ...]:
    """The KPIs of a form. Reads columns, not ORM rows: a form of thousands of KPIs is made
    in a moment."""
    codes = _measure_codes(plan)
    in_scope = _in_scope_measures(plan, scope)
    links: dict[int, list[int]] = defaultdict(list)
    for kpi_id, measure_id in s.execute(
        select(KpiMeasureRow.kpi_id, KpiMeasureRow.measure_id)
        .join(KpiRow, KpiMeasureRow.kpi_id == KpiRow.id)
        .where(KpiRow.plan_id == plan.id)
        .order_by(KpiMeasureRow.kpi_id, KpiMeasureRow.position)
    ):
        links[kpi_id].append(measure_id)
    widest: dict[int, int] = defaultdict(int)  # decimals of each KPI's stored figures
    for kpi_id, actual, interim in s.execute(
        select(KpiYearRow.kpi_id, KpiYearRow.actual, KpiYearRow.interim_target)
        .join(KpiRow, KpiYearRow.kpi_id == KpiRow.id)
        .where(KpiRow.plan_id == plan.id)
    ):
        widest[kpi_id] = max(widest[kpi_id], decimals_of([actual, interim]))
    years: dict[tuple[int, int], tuple[Any, ...]] = {
        (row[0], row[1]): tuple(row[2:])
        for row in s.execute(
            select(
                KpiYearRow.kpi_id,
                KpiYearRow.fiscal_year,
                KpiYearRow.actual,
                KpiYearRow.interim_target,
                KpiYearRow.status,
                KpiYearRow.comment,
            )
            .join(KpiRow, KpiYearRow.kpi_id == KpiRow.id)
            .where(
                KpiRow.plan_id == plan.id,
                KpiYearRow.fiscal_year.in_((fiscal_year, fiscal_year - 1)),
            )
        )
    }
    result = []
    for row in s.execute(
        select(
            KpiRow.id,
            KpiRow.code,
            KpiRow.name,
            KpiRow.unit,
            KpiRow.responsible_section,
            KpiRow.baseline,
            KpiRow.baseline_fiscal_year,
            KpiRow.target,
            KpiRow.target_fiscal_year,
        )
        .where(KpiRow.plan_id == plan.id)
        .order_by(KpiRow.position, KpiRow.id)
    ):
        kpi_id, code, name, unit, section, baseline, baseline_fy, target, target_fy = row
        if scope.kind is ScopeKind.SECTION and _section(section) != scope.value:
            continue
        if in_scope is not None and not any(m in in_scope for m in links[kpi_id]):
            continue
        this = years.get((kpi_id, fiscal_year))
        previous = years.get((kpi_id, fiscal_year - 1))
        result.append(
            FormKpi(
                code=code,
                name=name,
                unit=unit,
                measures=", ".join(codes[m][2] for m in links[kpi_id] if m in codes),
                responsible_section=section,
                baseline=baseline,
                baseline_fiscal_year=baseline_fy,
                target=target,
                target_fiscal_year=target_fy,
                interim_target=this[1] if this else None,
                # the year before the plan's first is the baseline year
                previous_actual=previous[0]
                if previous and previous[0] is not None
                else (baseline if baseline_fy == fiscal_year - 1 else None),
                decimals=max(widest[kpi_id], decimals_of([baseline, target])),
                values=KpiValues(
                    actual=this[0] if this else None,
                    status=FigureStatus(this[2]) if this and this[2] else None,
                    comment=this[3] if this else "",
                ),
            )
        )
    return tuple(result)


def _projects(s: Session, plan: PlanRow, fiscal_year: int, scope: Scope) -> tuple[FormProject, ...]:
    codes = _measure_codes(plan)
    in_scope = _in_scope_measures(plan, scope)
    placements: dict[int, list[tuple[bool, int, int, int, str]]] = defaultdict(list)
    for project_id, measure_id, number, relisting in s.execute(
        select(
            PlacementRow.project_id,
            PlacementRow.measure_id,
            PlacementRow.number,
            PlacementRow.relisting,
        )
        .join(ProjectRow, PlacementRow.project_id == ProjectRow.id)
        .where(ProjectRow.plan_id == plan.id)
    ):
        pillar, measure, code = codes[measure_id]
        placements[project_id].append((relisting, pillar, measure, number, code))
    years = {
        (project_id, fy): (status, note)
        for project_id, fy, status, note in s.execute(
            select(
                ProjectYearRow.project_id,
                ProjectYearRow.fiscal_year,
                ProjectYearRow.status,
                ProjectYearRow.note,
            )
            .join(ProjectRow, ProjectYearRow.project_id == ProjectRow.id)
            .where(
                ProjectRow.plan_id == plan.id,
                ProjectYearRow.fiscal_year.in_((fiscal_year, fiscal_year - 1)),
            )
        )
    }
    measure_of = {code: measure_id for measure_id, (_, _, code) in codes.items()}
    result = []
    for project_id, code, title, section, description in s.execute(
        select(
            ProjectRow.id,
            ProjectRow.code,
            ProjectRow.title,
            ProjectRow.responsible_section,
            ProjectRow.description,
        )
        .where(ProjectRow.plan_id == plan.id)
        .order_by(ProjectRow.position, ProjectRow.id)
    ):
        listed = sorted(placements[project_id])
        if scope.kind is ScopeKind.SECTION and _section(section) != scope.value:
            continue
        if in_scope is not None and not any(measure_of[p[4]] in in_scope for p in listed):
            continue
        this, previous = (
            years.get((project_id, fiscal_year)),
            years.get((project_id, fiscal_year - 1)),
        )
        result.append(
            FormProject(
                code=code,
                title=title,
                placements="\n".join(
                    f"{p[4]}-{p[3]}" + ("（再掲）" if p[0] else "") for p in listed
                ),
                responsible_section=section,
                description=description,
                previous_status=ProjectStatus(previous[0]) if previous and previous[0] else None,
                values=ProjectValues(
                    status=ProjectStatus(this[0]) if this and this[0] else None,
                    note=this[1] if this else "",
                ),
            )
        )
    return tuple(result)


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def form_file_name(form: CollectionForm) -> str:
    """調査票_令和6年度_経済政策課.xlsx: a name Windows accepts, from the form's scope."""
    scope = form.scope.split(": ", 1)[-1]
    safe = _UNSAFE.sub("_", f"調査票_{fy_label_era(form.fiscal_year)}_{scope}").strip(" .")
    return f"{safe[:120]}.xlsx"


def write_collection_workbooks(
    access: PlanAccess,
    fiscal_year: int,
    scope: Scope,
    output: Path,
    *,
    per_section: bool = False,
    state: TaskState | None = None,
) -> Applied[list[Path]]:
    """Write the forms of `scope`: to the file `output`, or with `per_section` one file per
    担当課 into the folder `output`. Nothing is written until every workbook is made."""
    from aomori_desktop.exchange.xlsx_collection import write_collection_workbook  # openpyxl

    state = state or TaskState()
    forms = build_forms(access, fiscal_year, scope, per_section=per_section)
    if per_section and not output.is_dir():
        raise UserError(f"書き出し先のフォルダー「{output}」がありません。")
    made: list[tuple[Path, bytes]] = []
    for index, form in enumerate(forms):
        state.check()
        state.report(index, len(forms), form.scope)
        target = output / form_file_name(form) if per_section else output
        made.append((target, write_collection_workbook(form)))
    state.check()
    for target, data in made:
        write_bytes_atomically(target, data)
    state.report(len(forms), len(forms), "")
    return Applied(value=[target for target, _ in made])


def export_plan_workbook(
    access: PlanAccess, output: Path, fiscal_year: int, *, state: TaskState | None = None
) -> Applied[Path]:
    """The whole plan as an Excel workbook (grades and rates of `fiscal_year` on 概要/KPI)."""
    state = state or TaskState()
    state.report(0, 1, "計画を読み込んでいます")
    with access.reading() as s:
        _check_year(find_plan(s, access.plan_id), fiscal_year)
        snapshot = read_snapshot(s, access.plan_id)
    state.check()
    from aomori_desktop.exchange.xlsx_plan import write_plan_workbook  # openpyxl: when used

    data = write_plan_workbook(snapshot, fiscal_year, exported_at=access.clock(), progress=state)
    state.check()
    write_bytes_atomically(output, data)
    return Applied(value=output)


def export_kpi_csv(
    access: PlanAccess,
    output: Path,
    *,
    encoding: CsvEncoding = CsvEncoding.UTF8_BOM,
    fiscal_years: Sequence[int] | None = None,
    state: TaskState | None = None,
) -> Applied[Path]:
    """Every KPI's yearly figures as CSV (one row per KPI and fiscal year), which the CSV
    import reads back through the same preview."""
    state = state or TaskState()
    state.report(0, 1, "計画を読み込んでいます")
    with access.reading() as s:
        plan = find_plan(s, access.plan_id)
        for fy in fiscal_years or ():
            _check_year(plan, fy)
        key = plan_key(plan)
        snapshot = read_snapshot(s, access.plan_id)
    state.check()
    data = write_kpi_csv(
        snapshot, key, encoding=encoding, fiscal_years=fiscal_years, progress=state
    )
    state.check()
    write_bytes_atomically(output, data)
    return Applied(value=output)
