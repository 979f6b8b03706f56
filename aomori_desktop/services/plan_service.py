"""Use cases that change one plan. Each call is one transaction with its audit entries.

Takes and returns plain values (codes, Decimals, dataclasses from `domain.plan`); ORM rows
never leave this module. Invalid input raises `ValidationError` with Japanese sentences.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aomori_desktop.domain.fiscal import fy_label
from aomori_desktop.domain.numbers import decimal_to_text, format_decimal
from aomori_desktop.domain.plan import (
    AuditEntry,
    Direction,
    FigureStatus,
    Kpi,
    Measure,
    Partner,
    Pillar,
    Placement,
    PlanSnapshot,
    Project,
    ProjectStatus,
    Sector,
)
from aomori_desktop.domain.validation import (
    KPI_YEAR_TEXT,
    MAX_NUMBER,
    MAX_TEXT,
    MAX_USER,
    MEASURE_TEXT,
    PILLAR_TEXT,
    PROJECT_TEXT,
    PROJECT_YEAR_TEXT,
    REVISION_TEXT,
    code_number,
    decimal_problem,
    kpi_field_problems,
    kpi_record_problems,
    partner_problems,
    project_problems,
    text_problems,
    year_in_range,
    year_where,
)
from aomori_desktop.services.changes import Changes
from aomori_desktop.services.errors import Conflict, NotFound, ValidationError
from aomori_desktop.services.snapshot_io import (
    _kpi_from_row,
    audit_entry_from_row,
    kpi_row_from_value,
    project_from_row,
    project_row_from_value,
    read_snapshot,
)
from aomori_desktop.store.database import Clock, Database, os_user, utc_now
from aomori_desktop.store.models import (
    AuditRow,
    KpiMeasureRow,
    KpiRow,
    KpiYearRow,
    MeasureRow,
    PartnerRow,
    PillarRow,
    PlacementRow,
    PlanRow,
    ProjectRow,
    ProjectYearRow,
    TargetRevisionRow,
)

__all__ = [
    "MAX_TEXT",
    "UNSET",
    "KpiDraft",
    "KpiFieldsEdit",
    "KpiYearEdit",
    "PlanService",
    "ProjectFieldsEdit",
    "Unset",
    "undo_reason",
]

_UNDO_PREFIX = "見直しの取り消し（元の理由: "
_UNDO_SUFFIX = "）"


def undo_reason(reason: str) -> str:
    """The reason recorded when a target revision is undone: 見直しの取り消し（元の理由: …）.

    The quoted original reason is shortened with 「…」 so that the whole stays within the
    limit of a reason (`MAX_TEXT`): an undo must never be refused for its own reason.
    """
    original = reason.strip()
    room = MAX_TEXT - len(_UNDO_PREFIX) - len(_UNDO_SUFFIX)
    if len(original) > room:
        original = original[: room - 1].rstrip() + "…"
    return f"{_UNDO_PREFIX}{original}{_UNDO_SUFFIX}"


class Unset(Enum):
    """Marks a field the caller leaves as it is."""

    UNSET = 0


UNSET = Unset.UNSET
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class KpiYearEdit:
    """A change to one KPI year; fields left UNSET stay as they are, None clears."""

    kpi: str
    fiscal_year: int
    actual: Decimal | Unset | None = UNSET
    interim_target: Decimal | Unset | None = UNSET
    status: FigureStatus | Unset | None = UNSET
    comment: str | Unset = UNSET


@dataclass(frozen=True, slots=True)
class KpiFieldsEdit:
    """Editable fields of a KPI (the target is changed only by `revise_target`)."""

    name: str | Unset = UNSET
    unit: str | Unset = UNSET
    baseline: Decimal | Unset = UNSET
    baseline_fiscal_year: int | Unset = UNSET
    baseline_fiscal_year_confirmed: bool | Unset = UNSET
    direction: Direction | Unset = UNSET
    cumulative: bool | Unset = UNSET
    data_source: str | Unset = UNSET
    responsible_section: str | Unset = UNSET
    definition: str | Unset = UNSET


@dataclass(frozen=True, slots=True)
class KpiDraft:
    name: str
    unit: str
    baseline: Decimal
    baseline_fiscal_year: int
    target: Decimal
    target_fiscal_year: int
    direction: Direction
    measures: tuple[str, ...]
    cumulative: bool = False
    data_source: str = ""
    responsible_section: str = ""
    definition: str = ""


@dataclass(frozen=True, slots=True)
class ProjectFieldsEdit:
    title: str | Unset = UNSET
    description: str | Unset = UNSET
    responsible_section: str | Unset = UNSET


def _partners_text(partners: Sequence[Partner]) -> str | None:
    """'産:A社／学:B大学' for the audit log (None when there are none)."""
    return "／".join(f"{p.sector.label}:{p.name}" for p in partners) or None


def _same(old: object, new: object) -> bool:
    """Equal, and for Decimals also typed with the same precision ("8.4" differs from "8.40")."""
    if isinstance(old, Decimal) and isinstance(new, Decimal):
        return old == new and old.as_tuple().exponent == new.as_tuple().exponent
    return old == new


def _text(value: object) -> str | None:
    """How a value is written into the audit log."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return decimal_to_text(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


class _Tx:
    """One transaction's session plus its audit writer."""

    def __init__(self, session: Session, plan_id: int, user: str, now: datetime) -> None:
        self.s = session
        self.plan_id = plan_id
        self.user = user
        self.now = now

    def audit(
        self,
        entity: str,
        key: str,
        field: str,
        old: object,
        new: object,
        *,
        action: str = "update",
        reason: str = "",
    ) -> None:
        self.s.add(
            AuditRow(
                plan_id=self.plan_id,
                at=self.now,
                user=self.user,
                action=action,
                entity=entity,
                entity_key=key,
                field=field,
                old=_text(old),
                new=_text(new),
                reason=reason,
            )
        )


class PlanService:
    """Reads and edits one plan in a database."""

    def __init__(
        self, db: Database, plan_id: int, *, user: str | None = None, clock: Clock = utc_now
    ) -> None:
        self._db = db
        self.plan_id = plan_id
        # the audit log's and the records' `user` columns hold MAX_USER characters
        self._user = (user or os_user())[:MAX_USER]
        self._clock = clock

    # ------------------------------------------------------------ plumbing

    @contextmanager
    def _tx(self) -> Iterator[_Tx]:
        with self._db.session() as s:
            yield _Tx(s, self.plan_id, self._user, self._clock())

    def _plan(self, s: Session) -> PlanRow:
        plan = s.get(PlanRow, self.plan_id)
        if plan is None:
            raise NotFound(
                "計画が見つかりません。データベースが他の利用者によって変更された可能性があります。"
            )
        return plan

    def _kpi(self, s: Session, code: str) -> KpiRow:
        row = s.scalar(select(KpiRow).where(KpiRow.plan_id == self.plan_id, KpiRow.code == code))
        if row is None:
            raise NotFound(f"KPI {code} が見つかりません。")
        return row

    def _project(self, s: Session, code: str) -> ProjectRow:
        row = s.scalar(
            select(ProjectRow).where(ProjectRow.plan_id == self.plan_id, ProjectRow.code == code)
        )
        if row is None:
            raise NotFound(f"共創プロジェクト {code} が見つかりません。")
        return row

    def _pillar(self, s: Session, number: int) -> PillarRow:
        # a number out of range has no row (and one beyond 64 bits cannot even be queried)
        row = (
            s.scalar(
                select(PillarRow).where(
                    PillarRow.plan_id == self.plan_id, PillarRow.number == number
                )
            )
            if 1 <= number <= MAX_NUMBER
            else None
        )
        if row is None:
            raise NotFound(f"戦略の柱 {number} が見つかりません。")
        return row

    def _measure(self, s: Session, code: str) -> MeasureRow:
        pillar, _, number = code.partition("-")
        p, m = code_number(pillar), code_number(number)
        if p is None or m is None:  # no row has such a code (nor could a query hold it)
            raise NotFound(f"共創施策 {code} が見つかりません。")
        row = s.scalar(
            select(MeasureRow)
            .join(PillarRow)
            .where(PillarRow.plan_id == self.plan_id, PillarRow.number == p, MeasureRow.number == m)
        )
        if row is None:
            raise NotFound(f"共創施策 {code} が見つかりません。")
        return row

    def _check_year(self, plan: PlanRow, fy: int, where: str) -> None:
        if not plan.first_fiscal_year <= fy <= plan.last_fiscal_year:
            raise ValidationError(
                [
                    f"{where}: {year_where(fy)}は計画期間（{fy_label(plan.first_fiscal_year)}〜"
                    f"{fy_label(plan.last_fiscal_year)}）外です。"
                ]
            )

    # ------------------------------------------------------------ reading

    def snapshot(self) -> PlanSnapshot:
        with self._db.read_session() as s:
            return read_snapshot(s, self.plan_id)

    def kpi(self, code: str) -> Kpi:
        for kpi in self.snapshot().kpis:
            if kpi.id == code:
                return kpi
        raise NotFound(f"KPI {code} が見つかりません。")

    def project(self, code: str) -> Project:
        for project in self.snapshot().projects:
            if project.id == code:
                return project
        raise NotFound(f"共創プロジェクト {code} が見つかりません。")

    def history(self, entity: str, key: str) -> list[AuditEntry]:
        """Audit entries of one KPI or project (including its yearly records), oldest first."""
        entities = {
            "kpi": ("kpi", "kpi_year", "kpi_target"),
            "project": ("project", "project_year"),
        }
        with self._db.read_session() as s:
            rows = s.scalars(
                select(AuditRow)
                .where(
                    AuditRow.plan_id == self.plan_id,
                    AuditRow.entity.in_(entities.get(entity, (entity,))),
                    (AuditRow.entity_key == key) | AuditRow.entity_key.startswith(f"{key}/"),
                )
                .order_by(AuditRow.id)
            )
            return [audit_entry_from_row(r) for r in rows]

    # ------------------------------------------------------------ KPI yearly values

    def set_kpi_years(
        self, edits: Sequence[KpiYearEdit], expected: Sequence[KpiYearEdit] = ()
    ) -> Changes:
        """Apply several yearly edits atomically (paste, bulk entry): all or nothing."""
        if not edits:
            return Changes()
        touched: set[str] = set()
        with self._tx() as tx:
            plan = self._plan(tx.s)
            problems: list[str] = []
            kpis: dict[str, KpiRow] = {}
            for e in edits:
                where = f"KPI {e.kpi} {year_where(e.fiscal_year)}"
                if e.kpi not in kpis:
                    row = tx.s.scalar(
                        select(KpiRow).where(KpiRow.plan_id == self.plan_id, KpiRow.code == e.kpi)
                    )
                    if row is None:
                        problems.append(f"KPI {e.kpi} が見つかりません。")
                        continue
                    kpis[e.kpi] = row
                if not plan.first_fiscal_year <= e.fiscal_year <= plan.last_fiscal_year:
                    problems.append(f"{where}: 計画期間外の年度です。")
                if not isinstance(e.comment, Unset):
                    problems.extend(text_problems(where, KPI_YEAR_TEXT, {"comment": e.comment}))
                for label, value in (("実績値", e.actual), ("年度目標", e.interim_target)):
                    # NaN/Infinity cannot be stored (a raw ValueError escaped from the audit
                    # text conversion), nor more digits than anyone can type.
                    if isinstance(value, Decimal) and (
                        problem := decimal_problem(where, label, value)
                    ):
                        problems.append(problem)
            if problems:
                raise ValidationError(problems)
            stale = self._stale_values(tx.s, kpis, expected)
            if stale:
                raise Conflict(
                    "この画面を開いた後に、他の利用者（または別の画面）が次の値を変更しています。"
                    "何も保存していません。最新の内容を表示しましたので、確認してからもう一度"
                    "入力してください:\n" + "\n".join(f"・{line}" for line in stale[:5])
                )
            for e in edits:
                kpi = kpis[e.kpi]
                year_row = tx.s.scalar(
                    select(KpiYearRow).where(
                        KpiYearRow.kpi_id == kpi.id, KpiYearRow.fiscal_year == e.fiscal_year
                    )
                )
                new_row = year_row is None
                if year_row is None:
                    year_row = KpiYearRow(
                        kpi_id=kpi.id, fiscal_year=e.fiscal_year, comment="", entered_by=""
                    )
                key = f"{kpi.code}/{e.fiscal_year}"
                changed = False
                for field, new in (
                    ("actual", e.actual),
                    ("interim_target", e.interim_target),
                    ("status", e.status.value if isinstance(e.status, FigureStatus) else e.status),
                    ("comment", e.comment),
                ):
                    if isinstance(new, Unset):
                        continue
                    old = getattr(year_row, field)
                    if _same(old, new):
                        continue
                    setattr(year_row, field, new)
                    tx.audit("kpi_year", key, field, old, new)
                    changed = True
                if changed:
                    if (
                        new_row
                    ):  # a row only when something was entered (clearing nothing adds none)
                        tx.s.add(year_row)
                    year_row.entered_by = tx.user
                    year_row.entered_at = tx.now
                    touched.add(kpi.code)
                tx.s.flush()
        return Changes(kpis=frozenset(touched))

    def _stale_values(
        self, s: Session, kpis: dict[str, KpiRow], expected: Sequence[KpiYearEdit]
    ) -> list[str]:
        """Fields whose stored value is no longer what the user's screen showed (another
        window or another PC changed them): storing over them would lose that change."""
        stale: list[str] = []
        for e in expected:
            kpi = kpis.get(e.kpi)
            if kpi is None:
                continue
            row = s.scalar(
                select(KpiYearRow).where(
                    KpiYearRow.kpi_id == kpi.id, KpiYearRow.fiscal_year == e.fiscal_year
                )
            )
            for field, label, shown in (
                ("actual", "実績値", e.actual),
                ("interim_target", "年度目標", e.interim_target),
                (
                    "status",
                    "速報/確定",
                    e.status.value if isinstance(e.status, FigureStatus) else e.status,
                ),
                ("comment", "コメント", e.comment),
            ):
                if isinstance(shown, Unset):
                    continue
                stored = (
                    getattr(row, field) if row is not None else ("" if field == "comment" else None)
                )
                if not _same(stored, shown):
                    now = "空欄" if stored in (None, "") else _text(stored)
                    if isinstance(stored, Decimal):
                        now = format_decimal(stored)
                    if field == "status" and stored:
                        now = FigureStatus(stored).label
                    stale.append(f"KPI {e.kpi} {fy_label(e.fiscal_year)}の{label}（現在: {now}）")
        return stale

    def record_actual(
        self,
        kpi: str,
        fiscal_year: int,
        actual: Decimal | None,
        *,
        status: FigureStatus | Unset | None = UNSET,
        comment: str | Unset = UNSET,
    ) -> Changes:
        return self.set_kpi_years(
            [KpiYearEdit(kpi, fiscal_year, actual=actual, status=status, comment=comment)]
        )

    def clear_actual(self, kpi: str, fiscal_year: int) -> Changes:
        return self.set_kpi_years([KpiYearEdit(kpi, fiscal_year, actual=None, status=None)])

    def set_interim_target(self, kpi: str, fiscal_year: int, value: Decimal | None) -> Changes:
        return self.set_kpi_years([KpiYearEdit(kpi, fiscal_year, interim_target=value)])

    def revise_target(
        self, kpi: str, new_value: Decimal, new_fiscal_year: int, reason: str
    ) -> Changes:
        """Change the KPI's target; the old target and the reason stay in its history."""
        reason = reason.strip()
        with self._tx() as tx:
            row = self._kpi(tx.s, kpi)
            problems = []
            if not reason:
                problems.append(f"KPI {kpi}: 目標値を見直す理由を入力してください。")
            problems.extend(text_problems(f"KPI {kpi}", REVISION_TEXT, {"reason": reason}))
            if new_value == row.target and new_fiscal_year == row.target_fiscal_year:
                problems.append(f"KPI {kpi}: 目標値と目標年度が現在と同じです。")
            candidate = replace(
                _kpi_values(row), target=new_value, target_fiscal_year=new_fiscal_year
            )
            problems.extend(kpi_field_problems(candidate))
            if problems:
                raise ValidationError(problems)
            tx.s.add(
                TargetRevisionRow(
                    kpi_id=row.id,
                    old_value=row.target,
                    old_fiscal_year=row.target_fiscal_year,
                    new_value=new_value,
                    new_fiscal_year=new_fiscal_year,
                    reason=reason,
                    revised_by=tx.user,
                    revised_at=tx.now,
                )
            )
            if new_value != row.target:
                tx.audit("kpi_target", kpi, "target", row.target, new_value, reason=reason)
                row.target = new_value
            if new_fiscal_year != row.target_fiscal_year:
                tx.audit(
                    "kpi_target",
                    kpi,
                    "target_fiscal_year",
                    row.target_fiscal_year,
                    new_fiscal_year,
                    reason=reason,
                )
                row.target_fiscal_year = new_fiscal_year
        return Changes(kpis=frozenset({kpi}))

    # ------------------------------------------------------------ KPI fields and lifecycle

    def update_kpi(self, kpi: str, edit: KpiFieldsEdit) -> Changes:
        with self._tx() as tx:
            row = self._kpi(tx.s, kpi)
            current = _kpi_values(row)
            updates = {
                name: value
                for name in KpiFieldsEdit.__dataclass_fields__
                if not isinstance(value := getattr(edit, name), Unset)
            }
            for name in ("name", "unit", "data_source", "responsible_section", "definition"):
                if name in updates:
                    updates[name] = str(updates[name]).strip()
            candidate = replace(current, **updates)
            problems = kpi_field_problems(candidate)
            if problems:
                raise ValidationError(problems)
            structure = False
            for name, value in updates.items():
                old = getattr(row, name)
                stored = value.value if isinstance(value, Direction) else value
                if _same(old, stored):
                    continue
                setattr(row, name, stored)
                tx.audit("kpi", kpi, name, old, stored)
                structure = structure or name == "name"
        return Changes(kpis=frozenset({kpi}), structure=structure)

    def add_kpi(self, draft: KpiDraft) -> tuple[str, Changes]:
        with self._tx() as tx:
            plan = self._plan(tx.s)
            codes = list(tx.s.scalars(select(KpiRow.code).where(KpiRow.plan_id == self.plan_id)))
            code = _next_code("K", codes)
            candidate = Kpi(
                id=code,
                name=draft.name.strip(),
                unit=draft.unit.strip(),
                baseline=draft.baseline,
                baseline_fiscal_year=draft.baseline_fiscal_year,
                target=draft.target,
                target_fiscal_year=draft.target_fiscal_year,
                direction=draft.direction,
                cumulative=draft.cumulative,
                measures=draft.measures,
                data_source=draft.data_source.strip(),
                responsible_section=draft.responsible_section.strip(),
                definition=draft.definition.strip(),
            )
            # the same rules as `restore_kpi`: a KPI that could be added can be restored
            problems = kpi_field_problems(candidate)
            if not draft.measures:
                problems.append(f"KPI {code}: 共創施策を1つ以上指定してください。")
            if problems:
                raise ValidationError(problems)
            measures = [self._measure(tx.s, m) for m in draft.measures]
            position = (
                tx.s.scalar(select(func.max(KpiRow.position)).where(KpiRow.plan_id == self.plan_id))
                or 0
            ) + 1
            row = KpiRow(
                plan_id=plan.id,
                code=code,
                name=candidate.name,
                unit=candidate.unit,
                baseline=draft.baseline,
                baseline_fiscal_year=draft.baseline_fiscal_year,
                baseline_fiscal_year_confirmed=True,
                target=draft.target,
                target_fiscal_year=draft.target_fiscal_year,
                direction=draft.direction.value,
                cumulative=draft.cumulative,
                data_source=candidate.data_source,
                responsible_section=candidate.responsible_section,
                definition=candidate.definition,
                position=position,
                measure_links=[
                    KpiMeasureRow(measure=m, position=i) for i, m in enumerate(measures)
                ],
            )
            tx.s.add(row)
            tx.audit("kpi", code, "name", None, candidate.name, action="create")
            tx.audit("kpi", code, "measures", None, ",".join(draft.measures), action="create")
        return code, Changes(kpis=frozenset({code}), structure=True)

    def remove_kpi(self, kpi: str) -> Changes:
        with self._tx() as tx:
            row = self._kpi(tx.s, kpi)
            tx.audit("kpi", kpi, "name", row.name, None, action="delete")
            tx.s.delete(row)
        return Changes(kpis=frozenset({kpi}), structure=True)

    def set_kpi_measures(self, kpi: str, measures: Sequence[str]) -> Changes:
        if not measures:
            raise ValidationError([f"KPI {kpi}: 共創施策を1つ以上指定してください。"])
        if len(set(measures)) != len(measures):
            raise ValidationError([f"KPI {kpi}: 同じ共創施策が二重に指定されています。"])
        with self._tx() as tx:
            row = self._kpi(tx.s, kpi)
            rows = [self._measure(tx.s, m) for m in measures]
            old = ",".join(
                f"{link.measure.pillar.number}-{link.measure.number}" for link in row.measure_links
            )
            if old == ",".join(measures):
                return Changes()
            row.measure_links.clear()
            tx.s.flush()
            row.measure_links.extend(
                KpiMeasureRow(measure=m, position=i) for i, m in enumerate(rows)
            )
            tx.audit("kpi", kpi, "measures", old, ",".join(measures))
        return Changes(kpis=frozenset({kpi}), structure=True)

    # ------------------------------------------------------------ projects

    def set_partners(self, project: str, partners: Sequence[Partner]) -> Changes:
        """Replace the project's co-creation partners (産学金官), in the given order."""
        cleaned = [Partner(p.sector, p.name.strip()) for p in partners]
        problems = []
        for i, partner in enumerate(cleaned, start=1):
            if not partner.name:
                problems.append(f"共創プロジェクト {project}: 連携先{i}の名称が空です。")
            else:
                problems.extend(partner_problems(partner.name, f"共創プロジェクト {project}", i))
        if len({(p.sector, p.name) for p in cleaned}) != len(cleaned):
            problems.append(f"共創プロジェクト {project}: 同じ連携先が二重に入力されています。")
        if problems:
            raise ValidationError(problems)
        with self._tx() as tx:
            row = self._project(tx.s, project)
            old = [Partner(Sector(pa.sector), pa.name) for pa in row.partners]
            if old == cleaned:
                return Changes()
            row.partners.clear()
            tx.s.flush()
            row.partners.extend(
                PartnerRow(sector=p.sector.value, name=p.name, position=i)
                for i, p in enumerate(cleaned)
            )
            tx.audit("project", project, "partners", _partners_text(old), _partners_text(cleaned))
        return Changes(projects=frozenset({project}))

    def update_project(self, project: str, edit: ProjectFieldsEdit) -> Changes:
        with self._tx() as tx:
            row = self._project(tx.s, project)
            updates = {
                name: str(value).strip()
                for name in ProjectFieldsEdit.__dataclass_fields__
                if not isinstance(value := getattr(edit, name), Unset)
            }
            problems = text_problems(f"共創プロジェクト {project}", PROJECT_TEXT, updates)
            if "title" in updates and not updates["title"]:
                problems.append(f"共創プロジェクト {project}: 名称が空です。")
            if problems:
                raise ValidationError(problems)
            for name, value in updates.items():
                old = getattr(row, name)
                if old != value:
                    setattr(row, name, value)
                    tx.audit("project", project, name, old, value)
        return Changes(projects=frozenset({project}), structure="title" in updates)

    def set_project_year(
        self,
        project: str,
        fiscal_year: int,
        *,
        status: ProjectStatus | Unset | None = UNSET,
        note: str | Unset = UNSET,
    ) -> Changes:
        with self._tx() as tx:
            plan = self._plan(tx.s)
            row = self._project(tx.s, project)
            self._check_year(plan, fiscal_year, f"共創プロジェクト {project}")
            if not isinstance(note, Unset) and (
                problems := text_problems(
                    f"共創プロジェクト {project}", PROJECT_YEAR_TEXT, {"note": note}
                )
            ):
                raise ValidationError(problems)
            year = next((y for y in row.years if y.fiscal_year == fiscal_year), None)
            new_row = year is None
            if year is None:
                year = ProjectYearRow(fiscal_year=fiscal_year, note="", entered_by="")
            key = f"{project}/{fiscal_year}"
            changed = False
            if not isinstance(status, Unset):
                new_status = status.value if status else None
                if year.status != new_status:
                    tx.audit("project_year", key, "status", year.status, new_status)
                    year.status = new_status
                    changed = True
            if not isinstance(note, Unset) and year.note != note:
                tx.audit("project_year", key, "note", year.note, note)
                year.note = note
                changed = True
            if not changed:
                return Changes()
            if new_row:
                row.years.append(year)
            year.entered_by = tx.user
            year.entered_at = tx.now
        return Changes(projects=frozenset({project}))

    def add_project(self, measure: str, title: str, description: str = "") -> tuple[str, Changes]:
        title, description = title.strip(), description.strip()
        if not title:
            raise ValidationError(["共創プロジェクト: 名称を入力してください。"])
        # the same rules as `restore_project`: a project that could be added can be restored
        problems = text_problems(
            "共創プロジェクト", PROJECT_TEXT, {"title": title, "description": description}
        )
        if problems:
            raise ValidationError(problems)
        with self._tx() as tx:
            measure_row = self._measure(tx.s, measure)
            codes = list(
                tx.s.scalars(select(ProjectRow.code).where(ProjectRow.plan_id == self.plan_id))
            )
            code = _next_code("PJ", codes)
            position = (
                tx.s.scalar(
                    select(func.max(ProjectRow.position)).where(ProjectRow.plan_id == self.plan_id)
                )
                or 0
            ) + 1
            project = ProjectRow(
                plan_id=self.plan_id,
                code=code,
                title=title,
                description=description,
                responsible_section="",
                position=position,
            )
            tx.s.add(project)
            number = _next_number(measure_row.placements, f"共創施策 {measure} の共創プロジェクト")
            measure_row.placements.append(
                PlacementRow(number=number, project=project, relisting=False)
            )
            tx.audit("project", code, "title", None, title, action="create")
            tx.audit("placement", f"{measure}-{number}", "project", None, code, action="create")
        return code, Changes(projects=frozenset({code}), structure=True)

    def add_relisting(self, project: str, measure: str) -> tuple[str, Changes]:
        """List an existing project again (再掲) under another measure."""
        with self._tx() as tx:
            project_row = self._project(tx.s, project)
            measure_row = self._measure(tx.s, measure)
            if any(p.project_id == project_row.id for p in measure_row.placements):
                raise Conflict(
                    f"共創プロジェクト {project} は既に共創施策 {measure} に掲載されています。"
                )
            number = _next_number(measure_row.placements, f"共創施策 {measure} の共創プロジェクト")
            measure_row.placements.append(
                PlacementRow(number=number, project=project_row, relisting=True)
            )
            code = f"{measure}-{number}"
            tx.audit("placement", code, "project", None, project, action="create")
        return code, Changes(projects=frozenset({project}), structure=True)

    def remove_placement(self, placement: str) -> Changes:
        """Remove a re-listing. A home placement goes only with its project (`remove_project`)."""
        measure, _, number = placement.rpartition("-")
        with self._tx() as tx:
            measure_row = self._measure(tx.s, measure)
            row = next((p for p in measure_row.placements if str(p.number) == number), None)
            if row is None:
                raise NotFound(f"掲載 {placement} が見つかりません。")
            if not row.relisting:
                raise Conflict(
                    f"{placement} は共創プロジェクト {row.project.code} の本来の掲載先です。"
                    "プロジェクトごと削除するか、先に再掲を削除してください。"
                )
            tx.audit("placement", placement, "project", row.project.code, None, action="delete")
            code = row.project.code
            tx.s.delete(row)
        return Changes(projects=frozenset({code}), structure=True)

    def remove_project(self, project: str) -> Changes:
        with self._tx() as tx:
            row = self._project(tx.s, project)
            tx.audit("project", project, "title", row.title, None, action="delete")
            tx.s.delete(row)
        return Changes(projects=frozenset({project}), structure=True)

    # ------------------------------------------------------------ pillars and measures

    def add_pillar(self, lead: str, name: str) -> tuple[int, Changes]:
        name, lead = name.strip(), lead.strip()
        if not name:
            raise ValidationError(["戦略の柱: 名称を入力してください。"])
        problems = text_problems("戦略の柱", PILLAR_TEXT, {"lead": lead, "name": name})
        if problems:
            raise ValidationError(problems)
        with self._tx() as tx:
            plan = self._plan(tx.s)
            number = _next_number(plan.pillars, "戦略の柱")
            plan.pillars.append(PillarRow(number=number, lead=lead, name=name, position=number))
            tx.audit("pillar", str(number), "name", None, f"{lead} {name}".strip(), action="create")
        return number, Changes(structure=True)

    def rename_pillar(self, number: int, lead: str, name: str) -> Changes:
        name, lead = name.strip(), lead.strip()
        if not name:
            raise ValidationError([f"戦略の柱 {number}: 名称を入力してください。"])
        problems = text_problems(f"戦略の柱 {number}", PILLAR_TEXT, {"lead": lead, "name": name})
        if problems:
            raise ValidationError(problems)
        with self._tx() as tx:
            row = self._pillar(tx.s, number)
            for field, new in (("lead", lead), ("name", name)):
                old = getattr(row, field)
                if old != new:
                    setattr(row, field, new)
                    tx.audit("pillar", str(number), field, old, new)
        return Changes(structure=True)

    def remove_pillar(self, number: int) -> Changes:
        with self._tx() as tx:
            row = self._pillar(tx.s, number)
            if row.measures:
                raise Conflict(
                    f"戦略の柱 {number} には共創施策があります。先に共創施策を削除してください。"
                )
            tx.audit("pillar", str(number), "name", row.name, None, action="delete")
            tx.s.delete(row)
        return Changes(structure=True)

    def add_measure(self, pillar: int, title: str) -> tuple[str, Changes]:
        title = title.strip()
        if not title:
            raise ValidationError(["共創施策: 名称を入力してください。"])
        problems = text_problems("共創施策", MEASURE_TEXT, {"title": title})
        if problems:
            raise ValidationError(problems)
        with self._tx() as tx:
            pillar_row = self._pillar(tx.s, pillar)
            number = _next_number(pillar_row.measures, f"戦略の柱 {pillar} の共創施策")
            pillar_row.measures.append(MeasureRow(number=number, title=title, position=number))
            code = f"{pillar}-{number}"
            tx.audit("measure", code, "title", None, title, action="create")
        return code, Changes(structure=True)

    def rename_measure(self, measure: str, title: str) -> Changes:
        title = title.strip()
        if not title:
            raise ValidationError([f"共創施策 {measure}: 名称を入力してください。"])
        problems = text_problems(f"共創施策 {measure}", MEASURE_TEXT, {"title": title})
        if problems:
            raise ValidationError(problems)
        with self._tx() as tx:
            row = self._measure(tx.s, measure)
            if row.title != title:
                tx.audit("measure", measure, "title", row.title, title)
                row.title = title
        return Changes(structure=True)

    def remove_measure(self, measure: str) -> Changes:
        with self._tx() as tx:
            row = self._measure(tx.s, measure)
            if row.placements or row.kpi_links:
                raise Conflict(
                    f"共創施策 {measure} には共創プロジェクトまたはKPIがあります。先にそれらを削除または移動してください。"
                )
            tx.audit("measure", measure, "title", row.title, None, action="delete")
            tx.s.delete(row)
        return Changes(structure=True)

    # ------------------------------------------------------------ order (moving up and down)
    #
    # Numbering is the document's: pillars 1..n, measures P-1..P-n, placements ①..ⓝ, shown
    # top to bottom in ascending order. Moving an item therefore renumbers it and the items it
    # passes (their codes and tree keys change), and `position` follows the same order.
    # KPI codes (K01) are ids, not numbering: moving a KPI changes only its place in the plan's
    # KPI order. Each move is undone by moving the item at its new code by -delta.

    def kpi_order(self) -> list[str]:
        """KPI codes in the plan's order (the order KPIs are listed under each measure)."""
        with self._db.read_session() as s:
            return list(
                s.scalars(
                    select(KpiRow.code)
                    .where(KpiRow.plan_id == self.plan_id)
                    .order_by(KpiRow.position, KpiRow.id)
                )
            )

    def project_order(self) -> list[str]:
        """Project codes in the plan's order (the order of the JSON export)."""
        with self._db.read_session() as s:
            return list(
                s.scalars(
                    select(ProjectRow.code)
                    .where(ProjectRow.plan_id == self.plan_id)
                    .order_by(ProjectRow.position, ProjectRow.id)
                )
            )

    def move_pillar(self, number: int, delta: int) -> tuple[int, Changes]:
        """Move a pillar `delta` places (negative: up); returns its new number."""
        with self._tx() as tx:
            plan = self._plan(tx.s)
            row = self._pillar(tx.s, number)
            if delta == 0:
                return number, Changes()
            siblings = sorted(plan.pillars, key=lambda p: (p.position, p.number))
            order = _moved(siblings, siblings.index(row), delta, f"戦略の柱 {number}")
            measures = [m for p in siblings for m in p.measures]
            before = {m.id: m.code for m in measures}
            moved = _renumber(tx.s, order)
            _reposition(order)
            for _row, old, new in sorted(moved, key=lambda m: m[0] is not row):
                tx.audit("pillar", str(old), "number", old, new, action="move")
            changes = _touched([m for m in measures if m.code != before[m.id]])
            new_number = row.number
        return new_number, changes

    def move_measure(self, measure: str, delta: int) -> tuple[str, Changes]:
        """Move a measure `delta` places within its pillar; returns its new code."""
        with self._tx() as tx:
            row = self._measure(tx.s, measure)
            if delta == 0:
                return measure, Changes()
            siblings = sorted(row.pillar.measures, key=lambda m: (m.position, m.number))
            order = _moved(siblings, siblings.index(row), delta, f"共創施策 {measure}")
            before = {m.id: m.code for m in siblings}
            moved = _renumber(tx.s, order)
            _reposition(order)
            for m, _old, _new in sorted(moved, key=lambda m: m[0] is not row):
                assert isinstance(m, MeasureRow)
                tx.audit("measure", before[m.id], "number", before[m.id], m.code, action="move")
            changes = _touched([m for m, _old, _new in moved if isinstance(m, MeasureRow)])
            code = row.code
        return code, changes

    def move_placement(self, placement: str, delta: int) -> tuple[str, Changes]:
        """Move a placement (a project listed under a measure, 再掲 or not) `delta` places
        within its measure; returns its new code (P-M-N)."""
        measure, _, number = placement.rpartition("-")
        with self._tx() as tx:
            measure_row = self._measure(tx.s, measure)
            siblings = sorted(measure_row.placements, key=lambda p: p.number)
            row = next((p for p in siblings if str(p.number) == number), None)
            if row is None:
                raise NotFound(f"掲載 {placement} が見つかりません。")
            if delta == 0:
                return placement, Changes()
            order = _moved(siblings, siblings.index(row), delta, f"掲載 {placement}")
            moved = _renumber(tx.s, order)
            projects: set[str] = set()
            for p, old, new in sorted(moved, key=lambda m: m[0] is not row):
                assert isinstance(p, PlacementRow)
                projects.add(p.project.code)
                tx.audit(
                    "placement",
                    f"{measure}-{old}",
                    "number",
                    f"{measure}-{old}",
                    f"{measure}-{new}",
                    action="move",
                )
            code = f"{measure}-{row.number}"
        return code, Changes(projects=frozenset(projects), structure=True)

    def move_kpi(self, kpi: str, delta: int) -> Changes:
        """Move a KPI `delta` places in the plan's KPI order (its code stays)."""
        with self._tx() as tx:
            plan = self._plan(tx.s)
            row = self._kpi(tx.s, kpi)
            if delta == 0:
                return Changes()
            siblings = sorted(plan.kpis, key=lambda k: (k.position, k.id))
            index = siblings.index(row)
            order = _moved(siblings, index, delta, f"KPI {kpi}")
            _reposition(order)
            tx.audit("kpi", kpi, "order", index + 1, index + delta + 1, action="move")
        return Changes(structure=True)

    # ------------------------------------------------------------ snapshots and restoring
    #
    # A removal is undone by putting back exactly what was read before it (same codes, values,
    # yearly records, revisions and links), not by creating something new: the audit trail of
    # the old code continues, and an export after remove + restore equals one before.

    def kpi_snapshot(self, kpi: str) -> Kpi:
        """Everything of one KPI, as `restore_kpi` needs it after `remove_kpi`."""
        with self._db.read_session() as s:
            row = self._kpi(s, kpi)
            return _kpi_from_row(
                row, {link.measure_id: link.measure.code for link in row.measure_links}
            )

    def project_snapshot(self, project: str) -> tuple[Project, list[Placement]]:
        """Everything of one project and its placements (home first), for `restore_project`."""
        with self._db.read_session() as s:
            row = self._project(s, project)
            placements = sorted(
                row.placements,
                key=lambda p: (p.relisting, p.measure.pillar.number, p.measure.number, p.number),
            )
            return project_from_row(row), [
                Placement(
                    code=f"{p.measure.code}-{p.number}", project=row.code, relisting=p.relisting
                )
                for p in placements
            ]

    def pillar_snapshot(self, number: int) -> Pillar:
        """A pillar with its lead, name and measures (codes, titles, placements)."""
        with self._db.read_session() as s:
            row = self._pillar(s, number)
            return Pillar(
                number=row.number,
                lead=row.lead,
                name=row.name,
                measures=tuple(
                    _measure_from_row(m)
                    for m in sorted(row.measures, key=lambda m: (m.position, m.number))
                ),
            )

    def measure_snapshot(self, measure: str) -> Measure:
        with self._db.read_session() as s:
            return _measure_from_row(self._measure(s, measure))

    def restore_kpi(self, kpi: Kpi, position: int) -> Changes:
        """Put back a removed KPI exactly as `kpi_snapshot` read it, at index `position`
        (0 = first) of the plan's KPI order."""
        with self._tx() as tx:
            plan = self._plan(tx.s)
            if any(k.code == kpi.id for k in plan.kpis):
                raise Conflict(f"KPI {kpi.id} は既にあるため、復元できません。")
            # the rules of `add_kpi` and of an import, so what those let in comes back
            problems = kpi_field_problems(kpi)
            problems.extend(kpi_record_problems(kpi))
            if not kpi.measures:
                problems.append(f"KPI {kpi.id}: 共創施策を1つ以上指定してください。")
            problems.extend(
                _year_problems(plan, f"KPI {kpi.id}", [y.fiscal_year for y in kpi.years])
            )
            if problems:
                raise ValidationError(problems)
            measures = [self._measure(tx.s, m) for m in kpi.measures]
            row = kpi_row_from_value(kpi, measures, position=0)
            row.plan_id = plan.id
            siblings = sorted(plan.kpis, key=lambda k: (k.position, k.id))
            siblings.insert(max(0, min(position, len(siblings))), row)
            _reposition(siblings)
            tx.s.add(row)
            tx.audit("kpi", kpi.id, "name", None, kpi.name, action="restore")
            tx.audit("kpi", kpi.id, "measures", None, ",".join(kpi.measures), action="restore")
        return Changes(kpis=frozenset({kpi.id}), structure=True)

    def restore_project(
        self, project: Project, placements: Sequence[Placement], position: int
    ) -> Changes:
        """Put back a removed project with its partners, yearly records and placements (the
        same numbers under the same measures), at index `position` of the plan's projects."""
        where = f"共創プロジェクト {project.id}"
        with self._tx() as tx:
            plan = self._plan(tx.s)
            if any(p.code == project.id for p in plan.projects):
                raise Conflict(f"{where} は既にあるため、復元できません。")
            # the rules of `add_project`/`update_project` and of an import
            problems = project_problems(project, where)
            if sum(not p.relisting for p in placements) != 1:
                problems.append(f"{where}: 本来の掲載先（再掲でない掲載）が1つ必要です。")
            measures = [p.code.rpartition("-")[0] for p in placements]
            if len(set(measures)) != len(measures):
                problems.append(f"{where}: 同じ共創施策への掲載が重複しています。")
            problems.extend(
                f"{where}: 掲載 {p.code} は別の共創プロジェクト {p.project} のものです。"
                for p in placements
                if p.project != project.id
            )
            problems.extend(_year_problems(plan, where, [y.fiscal_year for y in project.years]))
            if problems:
                raise ValidationError(problems)
            targets = [self._free_placement(tx.s, p) for p in placements]
            row = project_row_from_value(project, position=0)
            row.plan_id = plan.id
            siblings = sorted(plan.projects, key=lambda p: (p.position, p.id))
            siblings.insert(max(0, min(position, len(siblings))), row)
            _reposition(siblings)
            tx.s.add(row)
            tx.audit("project", project.id, "title", None, project.title, action="restore")
            for placement, (measure_row, number) in zip(placements, targets, strict=True):
                measure_row.placements.append(
                    PlacementRow(number=number, project=row, relisting=placement.relisting)
                )
                tx.audit("placement", placement.code, "project", None, project.id, action="restore")
        return Changes(projects=frozenset({project.id}), structure=True)

    def restore_placement(self, placement: Placement) -> Changes:
        """Put back a removed re-listing (再掲) under the same number."""
        if not placement.relisting:
            raise Conflict(
                f"掲載 {placement.code} は再掲ではありません。本来の掲載先は共創プロジェクトごと復元されます。"
            )
        with self._tx() as tx:
            project_row = self._project(tx.s, placement.project)
            measure_row, number = self._free_placement(tx.s, placement)
            if any(p.project_id == project_row.id for p in measure_row.placements):
                raise Conflict(
                    f"共創プロジェクト {placement.project} は既に共創施策 {measure_row.code} に掲載されています。"
                )
            measure_row.placements.append(
                PlacementRow(number=number, project=project_row, relisting=True)
            )
            tx.audit(
                "placement", placement.code, "project", None, placement.project, action="restore"
            )
        return Changes(projects=frozenset({placement.project}), structure=True)

    def restore_pillar(self, number: int, lead: str, name: str) -> Changes:
        """Put back a removed (empty) pillar under its number and title."""
        name, lead = name.strip(), lead.strip()
        if not name:
            raise ValidationError([f"戦略の柱 {number}: 名称を入力してください。"])
        if not 1 <= number <= MAX_NUMBER:
            raise ValidationError([f"戦略の柱 {number}: 番号は1〜{MAX_NUMBER}にしてください。"])
        problems = text_problems(f"戦略の柱 {number}", PILLAR_TEXT, {"lead": lead, "name": name})
        if problems:
            raise ValidationError(problems)
        with self._tx() as tx:
            plan = self._plan(tx.s)
            if any(p.number == number for p in plan.pillars):
                raise Conflict(f"戦略の柱 {number} は既にあるため、復元できません。")
            row = PillarRow(number=number, lead=lead, name=name, position=0)
            siblings = sorted(plan.pillars, key=lambda p: (p.position, p.number))
            siblings.insert(sum(p.number < number for p in siblings), row)
            plan.pillars.append(row)
            _reposition(siblings)
            tx.audit(
                "pillar", str(number), "name", None, f"{lead} {name}".strip(), action="restore"
            )
        return Changes(structure=True)

    def restore_measure(self, measure: str, title: str) -> Changes:
        """Put back a removed (empty) measure under its code (P-M) and title."""
        title = title.strip()
        pillar, _, number_text = measure.partition("-")
        if not title:
            raise ValidationError([f"共創施策 {measure}: 名称を入力してください。"])
        pillar_number, number = code_number(pillar), code_number(number_text)
        if pillar_number is None or number is None:
            raise ValidationError(
                [
                    f"共創施策 {measure}: コードは「1-2」の形にしてください（番号は1〜{MAX_NUMBER}）。"
                ]
            )
        problems = text_problems(f"共創施策 {measure}", MEASURE_TEXT, {"title": title})
        if problems:
            raise ValidationError(problems)
        with self._tx() as tx:
            pillar_row = self._pillar(tx.s, pillar_number)
            if any(m.number == number for m in pillar_row.measures):
                raise Conflict(f"共創施策 {measure} は既にあるため、復元できません。")
            row = MeasureRow(number=number, title=title, position=0)
            siblings = sorted(pillar_row.measures, key=lambda m: (m.position, m.number))
            siblings.insert(sum(m.number < number for m in siblings), row)
            pillar_row.measures.append(row)
            _reposition(siblings)
            tx.audit("measure", measure, "title", None, title, action="restore")
        return Changes(structure=True)

    def _free_placement(self, s: Session, placement: Placement) -> tuple[MeasureRow, int]:
        """The measure of a placement code, checking that its number is free there."""
        measure, _, number_text = placement.code.rpartition("-")
        number = code_number(number_text)
        if number is None:
            raise ValidationError(
                [
                    f"掲載 {placement.code}: コードは「1-2-3」の形にしてください（番号は1〜{MAX_NUMBER}）。"
                ]
            )
        row = self._measure(s, measure)
        if any(p.number == number for p in row.placements):
            raise Conflict(f"掲載 {placement.code} は既に使われているため、復元できません。")
        return row, number


def _kpi_values(row: KpiRow) -> Kpi:
    return Kpi(
        id=row.code,
        name=row.name,
        unit=row.unit,
        baseline=row.baseline,
        baseline_fiscal_year=row.baseline_fiscal_year,
        baseline_fiscal_year_confirmed=row.baseline_fiscal_year_confirmed,
        target=row.target,
        target_fiscal_year=row.target_fiscal_year,
        direction=Direction(row.direction),
        cumulative=row.cumulative,
        measures=(),
        data_source=row.data_source,
        responsible_section=row.responsible_section,
        definition=row.definition,
    )


def _next_number(siblings: Sequence[PillarRow | MeasureRow | PlacementRow], what: str) -> int:
    """The number after the highest of `siblings`, refused beyond MAX_NUMBER."""
    number = max((r.number for r in siblings), default=0) + 1
    if number > MAX_NUMBER:
        raise ValidationError([f"{what}は{MAX_NUMBER}番までです。これ以上追加できません。"])
    return number


def _next_code(prefix: str, existing: Sequence[str]) -> str:
    numbers = [
        int(c[len(prefix) :])
        for c in existing
        if c.startswith(prefix) and c[len(prefix) :].isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:02d}"


def _moved[E](items: Sequence[E], index: int, delta: int, what: str) -> list[E]:
    """`items` with the one at `index` moved `delta` places (negative: towards the top)."""
    target = index + delta
    if not 0 <= target < len(items):
        way = "上" if delta < 0 else "下"
        raise ValidationError([f"{what} はこれ以上{way}へ移動できません。"])
    order = list(items)
    order.insert(target, order.pop(index))
    return order


Numbered = PillarRow | MeasureRow | PlacementRow


def _renumber(s: Session, order: Sequence[Numbered]) -> list[tuple[Numbered, int, int]]:
    """Give the rows their numbers in ascending order along `order` (the same set of numbers).
    Returns (row, old, new) for the rows whose number changed."""
    numbers = sorted(r.number for r in order)
    moved = [(r, r.number, n) for r, n in zip(order, numbers, strict=True) if r.number != n]
    for r, old, _new in moved:
        r.number = -old  # temporary: each UPDATE must keep (parent, number) unique
    s.flush()
    for r, _old, new in moved:
        r.number = new
    s.flush()
    return moved


def _reposition(order: Sequence[PillarRow | MeasureRow | KpiRow | ProjectRow]) -> None:
    for i, row in enumerate(order):
        if row.position != i:
            row.position = i


def _touched(measures: Sequence[MeasureRow]) -> Changes:
    """Changes of a renumbering: the KPIs and projects listed under renumbered measures."""
    return Changes(
        kpis=frozenset(link.kpi.code for m in measures for link in m.kpi_links),
        projects=frozenset(p.project.code for m in measures for p in m.placements),
        structure=True,
    )


def _year_problems(plan: PlanRow, where: str, years: Sequence[int]) -> list[str]:
    problems = [
        f"{where}: {fy_label(fy)}は計画期間外です。"
        for fy in years
        # a year out of range (1926–2100) is reported by the record's own rules
        if year_in_range(fy) and not plan.first_fiscal_year <= fy <= plan.last_fiscal_year
    ]
    if len(set(years)) != len(years):
        problems.append(f"{where}: 同じ年度の記録が重複しています。")
    return problems


def _measure_from_row(row: MeasureRow) -> Measure:
    code = row.code
    return Measure(
        code=code,
        title=row.title,
        placements=tuple(
            Placement(code=f"{code}-{p.number}", project=p.project.code, relisting=p.relisting)
            for p in sorted(row.placements, key=lambda p: p.number)
        ),
    )
