"""Writing a confirmed import: one transaction, one undo step, an audit entry per field.

Every field is written only over the value the preview showed: if anything changed in the
database since the preview (another PC, another window), nothing is written and the user is
asked to preview again. The audit entry of each field names the file and the cell it came
from. The undo, built here from the values read inside the transaction, puts back exactly
what was stored (checking the same way that nobody has changed the fields since); running it
returns the redo.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from aomori_desktop.domain.fiscal import fy_label
from aomori_desktop.domain.numbers import format_decimal
from aomori_desktop.domain.plan import FigureStatus, ProjectStatus
from aomori_desktop.exchange.collection_form import Field, Value, canonical
from aomori_desktop.services.changes import Applied, Changes
from aomori_desktop.services.collection_import import ImportPreview
from aomori_desktop.services.errors import Conflict, NotFound, ValidationError
from aomori_desktop.services.tasks import TaskState
from aomori_desktop.services.transaction import PlanAccess, same
from aomori_desktop.store.models import KpiRow, KpiYearRow, ProjectRow, ProjectYearRow

_COLUMN = {
    Field.ACTUAL: "actual",
    Field.STATUS: "status",
    Field.COMMENT: "comment",
    Field.PROJECT_STATUS: "status",
    Field.NOTE: "note",
}


@dataclass(frozen=True, slots=True)
class FieldWrite:
    """One field to store: `value` over `expected` (what must be stored now)."""

    kind: str  # "kpi" | "project"
    code: str
    fiscal_year: int
    field: Field
    expected: Value
    value: Value
    source: str  # the file, for the audit
    where: str  # the cell, for the audit


@dataclass(frozen=True, slots=True)
class ImportResult:
    fields: int  # fields written
    kpis: int  # KPIs touched
    projects: int  # projects touched
    sources: tuple[str, ...]  # the files
    undone: bool = False  # an undo of an import

    @property
    def summary(self) -> str:
        files = "、".join(f"「{s}」" for s in self.sources)
        if self.undone:
            return f"{files}の取り込みを取り消しました（{self.fields}件の値を元に戻しました）。"
        return (
            f"{files}から {self.fields}件の値を取り込みました"
            f"（KPI {self.kpis}件、共創プロジェクト {self.projects}件）。"
        )


def apply_import(
    access: PlanAccess,
    preview: ImportPreview,
    *,
    use_workbook: Collection[str] = (),
    state: TaskState | None = None,
) -> Applied[ImportResult]:
    """Write the preview's changes, and the conflicts whose key is in `use_workbook` (the
    others keep the database's value). Refused when the preview has refused files or cells."""
    if not preview.ok:
        raise ValidationError(
            [
                "取り込めないファイルまたはセルがあるため、何も変更していません。"
                "ファイルを直すか取り込みから外してから、もう一度取り込んでください。",
                *preview.problems[:20],
            ]
        )
    writes = [
        FieldWrite(c.kind, c.code, c.fiscal_year, c.field, c.old, c.new, c.source, c.where)
        for c in preview.changes
    ]
    writes += [
        FieldWrite(
            c.kind, c.code, c.fiscal_year, c.field, c.database, c.workbook, c.source, c.where
        )
        for c in preview.conflicts
        if c.key in use_workbook
    ]
    if not writes:
        return Applied()
    return write_fields(access, writes, undoing=False, state=state or TaskState())


def _stored(field_: Field, value: Value) -> object:
    """A value as its column holds it."""
    if isinstance(value, FigureStatus | ProjectStatus):
        return value.value
    if value is None and field_ in (Field.COMMENT, Field.NOTE):
        return ""
    return value


def _read(field_: Field, raw: object) -> Value:
    """A column's value as a form value."""
    if field_ is Field.STATUS and isinstance(raw, str) and raw:
        return FigureStatus(raw)
    if field_ is Field.PROJECT_STATUS and isinstance(raw, str) and raw:
        return ProjectStatus(raw)
    if field_ in (Field.STATUS, Field.PROJECT_STATUS) and not raw:
        return None
    assert raw is None or isinstance(raw, Decimal | str)
    return raw


def _shown(value: Value) -> str:
    if value is None or value == "":
        return "空欄"
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, FigureStatus | ProjectStatus):
        return value.label
    text = str(value).replace("\n", " ")
    return f"「{text[:20]}…」" if len(text) > 20 else f"「{text}」"


def write_fields(
    access: PlanAccess, writes: Sequence[FieldWrite], *, undoing: bool, state: TaskState
) -> Applied[ImportResult]:
    """Store `writes` in one transaction (all or nothing) with their audit entries; the
    returned undo stores the previous values the same way (and its undo is the redo)."""
    inverse: list[FieldWrite] = []
    kpis: set[str] = set()
    projects: set[str] = set()
    with access.transaction() as tx:
        tx.plan()
        rows = _rows(tx.s, tx.plan_id, writes)
        stale: list[str] = []
        for index, w in enumerate(writes):
            if index % 500 == 0:
                state.check()  # safe: nothing is committed before the end
                state.report(index, len(writes), "データベースに書き込んでいます")
            row = rows.get((w.kind, w.code, w.fiscal_year))
            current = _read(w.field, getattr(row, _COLUMN[w.field])) if row is not None else None
            if row is None and w.field in (Field.COMMENT, Field.NOTE):
                current = ""
            if canonical(w.field, current) != canonical(w.field, w.expected):
                what = "KPI" if w.kind == "kpi" else "共創プロジェクト"
                stale.append(
                    f"{what} {w.code} {fy_label(w.fiscal_year)}の{w.field.label}"
                    f"（現在: {_shown(current)}）"
                )
                continue
            new = _stored(w.field, w.value)
            if row is None:
                row = _new_row(tx.s, tx.plan_id, w)
                rows[w.kind, w.code, w.fiscal_year] = row
            old = getattr(row, _COLUMN[w.field])
            if same(old, new):
                continue
            setattr(row, _COLUMN[w.field], new)
            row.entered_by = tx.user
            row.entered_at = tx.now
            tx.audit(
                "kpi_year" if w.kind == "kpi" else "project_year",
                f"{w.code}/{w.fiscal_year}",
                _COLUMN[w.field],
                old,
                new,
                action="update" if undoing else "import",
                reason=(
                    f"調査票「{w.source}」の取り込みの取り消し"
                    if undoing
                    else f"調査票「{w.source}」{w.where} から取り込み"
                ),
            )
            inverse.append(
                FieldWrite(
                    w.kind, w.code, w.fiscal_year, w.field, w.value, current, w.source, w.where
                )
            )
            (kpis if w.kind == "kpi" else projects).add(w.code)
        if stale:
            raise Conflict(
                "取り込みの確認の後に、他の利用者（または別の画面）が次の値を変更しています。"
                "何も変更していません。もう一度取り込みの確認からやり直してください:\n"
                + "\n".join(f"・{line}" for line in stale[:10])
            )
        state.check()  # the last point at which stopping leaves nothing written
    changes = Changes(kpis=frozenset(kpis), projects=frozenset(projects))
    result = ImportResult(
        fields=len(inverse),
        kpis=len(kpis),
        projects=len(projects),
        sources=tuple(dict.fromkeys(w.source for w in writes)),
        undone=undoing,
    )
    if not inverse:
        return Applied(value=result)

    def undo() -> Applied[ImportResult]:
        return write_fields(access, inverse, undoing=not undoing, state=TaskState())

    return Applied(changes, undo, result)


YearRow = KpiYearRow | ProjectYearRow


def _rows(
    s: Session, plan_id: int, writes: Sequence[FieldWrite]
) -> dict[tuple[str, str, int], YearRow]:
    """The stored yearly rows the writes touch (one query per kind)."""
    years = sorted({w.fiscal_year for w in writes})
    result: dict[tuple[str, str, int], YearRow] = {}
    kpi_codes = {w.code for w in writes if w.kind == "kpi"}
    if kpi_codes:
        for code, row in s.execute(
            select(KpiRow.code, KpiYearRow)
            .join(KpiRow, KpiYearRow.kpi_id == KpiRow.id)
            .where(
                KpiRow.plan_id == plan_id,
                KpiRow.code.in_(kpi_codes),
                KpiYearRow.fiscal_year.in_(years),
            )
        ):
            result["kpi", code, row.fiscal_year] = row
    project_codes = {w.code for w in writes if w.kind == "project"}
    if project_codes:
        for code, prow in s.execute(
            select(ProjectRow.code, ProjectYearRow)
            .join(ProjectRow, ProjectYearRow.project_id == ProjectRow.id)
            .where(
                ProjectRow.plan_id == plan_id,
                ProjectRow.code.in_(project_codes),
                ProjectYearRow.fiscal_year.in_(years),
            )
        ):
            result["project", code, prow.fiscal_year] = prow
    return result


def _new_row(s: Session, plan_id: int, w: FieldWrite) -> YearRow:
    """A yearly row for a KPI or project that has none for the year yet."""
    if w.kind == "kpi":
        kpi_id = s.scalar(select(KpiRow.id).where(KpiRow.plan_id == plan_id, KpiRow.code == w.code))
        if kpi_id is None:
            raise NotFound(f"KPI {w.code} が見つかりません。")
        row: YearRow = KpiYearRow(
            kpi_id=kpi_id, fiscal_year=w.fiscal_year, comment="", entered_by=""
        )
    else:
        project_id = s.scalar(
            select(ProjectRow.id).where(ProjectRow.plan_id == plan_id, ProjectRow.code == w.code)
        )
        if project_id is None:
            raise NotFound(f"共創プロジェクト {w.code} が見つかりません。")
        row = ProjectYearRow(
            project_id=project_id, fiscal_year=w.fiscal_year, note="", entered_by=""
        )
    s.add(row)
    return row
