"""Table-shaped read models: the KPIs and projects of a scope (plan, pillar or measure) for
one fiscal year, the rows of the bulk-entry table, and grade counts per pillar or measure.

Queries select only the columns a table shows, so a plan of thousands of KPIs stays quick.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal

from sqlalchemy import func, select

from aomori_desktop.domain.grading import GradeScheme
from aomori_desktop.domain.plan import Direction, FigureStatus, ProjectStatus
from aomori_desktop.domain.progress import (
    GradeCounts,
    KpiTerms,
    YearProgress,
    count_grades,
    evaluate_year,
)
from aomori_desktop.services.dto import (
    BulkRow,
    KpiSummaryRow,
    NodeKind,
    Overview,
    PlanHeader,
    ProjectSummaryRow,
    TreeKey,
    TreeNode,
)
from aomori_desktop.services.errors import NotFound
from aomori_desktop.services.figures import (
    KPI_LISTINGS,
    PlanFigures,
    in_scope,
    summary_row,
)
from aomori_desktop.services.transaction import PlanAccess
from aomori_desktop.store.models import (
    KpiMeasureRow,
    KpiRow,
    KpiYearRow,
    MeasureRow,
    PillarRow,
    PlacementRow,
    ProjectRow,
    ProjectYearRow,
)

__all__ = [
    "grade_counts_by_group",
    "overview_from_figures",
    "overview_of",
    "read_bulk_rows",
    "read_overview",
]


def read_overview(
    access: PlanAccess, header: PlanHeader, scope: TreeKey, fiscal_year: int
) -> Overview:
    """KPIs and projects under the plan ("plan"), a pillar ("1") or a measure ("1-2")."""
    scheme = header.info.grade_scheme
    with access.reading() as s:
        q = _scope_filter(KPI_LISTINGS, scope)
        kpi_rows = s.execute(q, {"plan_id": access.plan_id}).all()
        this_year: dict[int, tuple[Decimal | None, Decimal | None]] = {
            kpi_id: (actual, interim)
            for kpi_id, actual, interim in s.execute(
                select(KpiYearRow.kpi_id, KpiYearRow.actual, KpiYearRow.interim_target)
                .join(KpiRow, KpiYearRow.kpi_id == KpiRow.id)
                .where(KpiRow.plan_id == access.plan_id, KpiYearRow.fiscal_year == fiscal_year)
            )
        }
        # the latest year up to the chosen one that has an actual, per KPI
        latest_year = (
            select(KpiYearRow.kpi_id, func.max(KpiYearRow.fiscal_year).label("fy"))
            .join(KpiRow, KpiYearRow.kpi_id == KpiRow.id)
            .where(
                KpiRow.plan_id == access.plan_id,
                KpiYearRow.fiscal_year <= fiscal_year,
                KpiYearRow.actual.is_not(None),
            )
            .group_by(KpiYearRow.kpi_id)
            .subquery()
        )
        latest: dict[int, tuple[int, Decimal | None, str | None]] = {
            kpi_id: (fy, actual, status)
            for kpi_id, fy, actual, status in s.execute(
                select(
                    KpiYearRow.kpi_id,
                    KpiYearRow.fiscal_year,
                    KpiYearRow.actual,
                    KpiYearRow.status,
                ).join(
                    latest_year,
                    (KpiYearRow.kpi_id == latest_year.c.kpi_id)
                    & (KpiYearRow.fiscal_year == latest_year.c.fy),
                )
            )
        }
        title, projects = _scope_rest(s, access.plan_id, header, scope, fiscal_year)
    summaries: dict[str, KpiSummaryRow] = {}
    measures_of: dict[str, list[str]] = defaultdict(list)
    for r in kpi_rows:
        measures_of[r[1]].append(f"{r[9]}-{r[10]}")
    for r in kpi_rows:
        code = r[1]
        if code in summaries:
            continue
        terms = KpiTerms(r[4], r[5], r[6], r[7], Direction(r[8]))
        actual, interim = this_year.get(r[0], (None, None))
        latest_fy, latest_actual, latest_status = latest.get(r[0], (None, None, None))
        summaries[code] = KpiSummaryRow(
            code=code,
            name=r[2],
            unit=r[3],
            baseline=r[4],
            target=r[6],
            latest_year=latest_fy,
            latest_actual=latest_actual,
            progress=evaluate_year(terms, fiscal_year, actual, interim, scheme),
            measures=tuple(measures_of[code]),
            latest_status=FigureStatus(latest_status) if latest_status else None,
        )
    return overview_of(title, summaries.values(), projects, scheme)


def overview_from_figures(
    figures: PlanFigures,
    access: PlanAccess,
    header: PlanHeader,
    scope: TreeKey,
    fiscal_year: int,
    graded: Mapping[str, YearProgress] | None = None,
) -> Overview:
    """The same overview as `read_overview`, its KPIs graded from figures held in memory: only
    the scope's title and its projects are read (a few hundred rows at most). `graded`: the
    KPIs' grades for this year and the plan's scheme, when they were just computed."""
    scheme = header.info.grade_scheme
    graded = graded or {}
    rows = []
    for kpi in figures.kpis():
        measures = in_scope(kpi.measures, scope)
        if measures:
            rows.append(summary_row(kpi, measures, fiscal_year, scheme, graded.get(kpi.code)))
    with access.reading() as s:
        title, projects = _scope_rest(s, access.plan_id, header, scope, fiscal_year)
    return overview_of(title, rows, projects, scheme)


def overview_of(
    title: str,
    kpis: Iterable[KpiSummaryRow],
    projects: tuple[ProjectSummaryRow, ...],
    scheme: GradeScheme,
) -> Overview:
    rows = tuple(kpis)
    # each KPI once: a KPI serving two measures counts in each measure's own roll-up,
    # and once in its pillar's and the plan's (the table lists it once)
    return Overview(
        title=title,
        kpis=rows,
        projects=projects,
        counts=count_grades((row.progress.grade for row in rows), scheme),
    )


def _scope_rest(  # type: ignore[no-untyped-def]
    s, plan_id: int, header: PlanHeader, scope: TreeKey, fiscal_year: int
) -> tuple[str, tuple[ProjectSummaryRow, ...]]:
    """The scope's title and its projects with their status in `fiscal_year`."""
    pq = (
        select(
            PillarRow.number,
            MeasureRow.number,
            PlacementRow.number,
            ProjectRow.id,
            ProjectRow.code,
            ProjectRow.title,
            PlacementRow.relisting,
        )
        .join(MeasureRow, PlacementRow.measure_id == MeasureRow.id)
        .join(PillarRow, MeasureRow.pillar_id == PillarRow.id)
        .join(ProjectRow, PlacementRow.project_id == ProjectRow.id)
        .where(PillarRow.plan_id == plan_id)
        .order_by(PillarRow.position, MeasureRow.position, PlacementRow.number)
    )
    pq = _scope_filter(pq, scope)
    project_rows = s.execute(pq).all()
    statuses = dict(
        s.execute(
            select(ProjectYearRow.project_id, ProjectYearRow.status)
            .join(ProjectRow, ProjectYearRow.project_id == ProjectRow.id)
            .where(
                ProjectRow.plan_id == plan_id,
                ProjectYearRow.fiscal_year == fiscal_year,
            )
        ).all()
    )
    projects = tuple(
        ProjectSummaryRow(
            key=TreeKey.placement(f"{r[0]}-{r[1]}", r[2]),
            code=r[4],
            title=r[5],
            relisting=r[6],
            status=_project_status(statuses.get(r[3])),
        )
        for r in project_rows
    )
    return _scope_title(s, plan_id, scope, header.info.name), projects


def _scope_filter(q, scope: TreeKey):  # type: ignore[no-untyped-def]
    if scope.kind is NodeKind.PLAN:
        return q
    q = q.where(PillarRow.number == scope.pillar_number)
    if scope.kind is NodeKind.MEASURE:
        q = q.where(MeasureRow.number == scope.measure_number)
    return q


def _scope_title(s, plan_id: int, scope: TreeKey, plan_name: str) -> str:  # type: ignore[no-untyped-def]
    if scope.kind is NodeKind.PLAN:
        return plan_name
    pillar = s.execute(
        select(PillarRow.id, PillarRow.lead, PillarRow.name).where(
            PillarRow.plan_id == plan_id, PillarRow.number == scope.pillar_number
        )
    ).first()
    if pillar is None:
        raise NotFound(f"{scope} が見つかりません。")
    if scope.kind is NodeKind.PILLAR:
        return f"{scope} {pillar.lead} {pillar.name}".strip()
    title = s.scalar(
        select(MeasureRow.title).where(
            MeasureRow.pillar_id == pillar.id,
            MeasureRow.number == scope.measure_number,
        )
    )
    if title is None:
        raise NotFound(f"{scope} が見つかりません。")
    return f"{scope} {title}"


# ------------------------------------------------------------ bulk entry


def read_bulk_rows(access: PlanAccess, header: PlanHeader, fiscal_year: int) -> list[BulkRow]:
    """All KPI listings for one year, in plan order (a KPI serving two measures appears
    under both; editing either edits the one KPI)."""
    with access.reading() as s:
        rows = s.execute(
            select(
                PillarRow.number,
                PillarRow.lead,
                PillarRow.name,
                MeasureRow.number,
                MeasureRow.title,
                KpiRow.id,
                KpiRow.code,
                KpiRow.name,
                KpiRow.unit,
                KpiRow.baseline,
                KpiRow.baseline_fiscal_year,
                KpiRow.target,
                KpiRow.target_fiscal_year,
                KpiRow.direction,
            )
            .join(MeasureRow, MeasureRow.pillar_id == PillarRow.id)
            .join(KpiMeasureRow, KpiMeasureRow.measure_id == MeasureRow.id)
            .join(KpiRow, KpiMeasureRow.kpi_id == KpiRow.id)
            .where(PillarRow.plan_id == access.plan_id)
            .order_by(PillarRow.position, MeasureRow.position, KpiRow.position)
        ).all()
        years = {
            y.kpi_id: y
            for y in s.execute(
                select(
                    KpiYearRow.kpi_id,
                    KpiYearRow.actual,
                    KpiYearRow.interim_target,
                    KpiYearRow.status,
                    KpiYearRow.comment,
                )
                .join(KpiRow, KpiYearRow.kpi_id == KpiRow.id)
                .where(KpiRow.plan_id == access.plan_id, KpiYearRow.fiscal_year == fiscal_year)
            )
        }
    result = []
    for r in rows:
        y = years.get(r[5])
        terms = KpiTerms(r[9], r[10], r[11], r[12], Direction(r[13]))
        result.append(
            BulkRow(
                pillar=f"{r[0]} {r[1]} {r[2]}".strip(),
                measure_code=f"{r[0]}-{r[3]}",
                measure_title=r[4],
                kpi=r[6],
                name=r[7],
                unit=r[8],
                baseline=r[9],
                target=r[11],
                actual=y.actual if y else None,
                interim_target=y.interim_target if y else None,
                status=FigureStatus(y.status) if y and y.status else None,
                comment=y.comment if y else "",
                progress=evaluate_year(
                    terms,
                    fiscal_year,
                    y.actual if y else None,
                    y.interim_target if y else None,
                    header.info.grade_scheme,
                ),
            )
        )
    return result


def _project_status(value: str | None) -> ProjectStatus | None:
    return ProjectStatus(value) if value else None


def grade_counts_by_group(
    tree: TreeNode, overview: Overview, scope: TreeKey
) -> list[tuple[str, GradeCounts]]:
    """Counts per grade for each pillar (plan scope) or each measure (pillar or measure scope).

    A KPI serving two measures counts in each measure, and once in a pillar (domain rule).
    """
    by_code = {row.code: row for row in overview.kpis}
    groups: list[tuple[str, list[str]]] = []
    for pillar in tree.children:
        if scope.kind is NodeKind.PLAN:
            codes = {k.ref for m in pillar.children for k in m.children if k.kind is NodeKind.KPI}
            groups.append((f"{pillar.code} {pillar.title.split(' ')[-1]}", sorted(codes)))
            continue
        for measure in pillar.children:
            if measure.key == scope or pillar.key == scope:
                codes = {k.ref for k in measure.children if k.kind is NodeKind.KPI}
                groups.append((f"{measure.code} {measure.title}", sorted(codes)))
    return [
        (
            label,
            count_grades(
                (by_code[c].progress.grade for c in codes if c in by_code), overview.counts.scheme
            ),
        )
        for label, codes in groups
    ]
