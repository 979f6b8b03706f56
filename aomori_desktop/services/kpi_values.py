"""Yearly KPI values: actuals (実績値), interim targets (年度目標), 速報/確定 and comments.

Several yearly edits (a paste, the bulk-entry table, an import) are stored all or nothing. A
caller that shows values to the user passes what the screen showed as `expected`: when another
window or PC has changed one of them since, nothing is stored (`Conflict`), so a later value
is never overwritten unseen.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from aomori_desktop.domain.fiscal import fy_label
from aomori_desktop.domain.numbers import format_decimal
from aomori_desktop.domain.plan import FigureStatus
from aomori_desktop.domain.validation import (
    KPI_YEAR_TEXT,
    decimal_problem,
    outside_period,
    text_problems,
    value_problem,
    year_where,
)
from aomori_desktop.domain.value_range import value_range
from aomori_desktop.services.changes import Applied, Changes
from aomori_desktop.services.errors import ChangedField, ValidationError
from aomori_desktop.services.transaction import (
    UNSET,
    PlanAccess,
    Restamp,
    Stamp,
    Transaction,
    Unset,
    audit_text,
    changed_meanwhile,
    same,
)
from aomori_desktop.store.models import KpiRow, KpiYearRow

__all__ = ["UNSET", "KpiValues", "KpiYearEdit", "Unset", "entered_value", "expecting_theirs"]


@dataclass(frozen=True, slots=True)
class KpiYearEdit:
    """A change to one KPI year; fields left UNSET stay as they are, None clears."""

    kpi: str
    fiscal_year: int
    actual: Decimal | Unset | None = UNSET
    interim_target: Decimal | Unset | None = UNSET
    status: FigureStatus | Unset | None = UNSET
    comment: str | Unset = UNSET


class KpiValues:
    """Stores the yearly values of one plan's KPIs."""

    def __init__(self, access: PlanAccess) -> None:
        self._access = access

    def set_kpi_years(
        self, edits: Sequence[KpiYearEdit], expected: Sequence[KpiYearEdit] = ()
    ) -> Applied[None]:
        """Apply several yearly edits atomically (paste, bulk entry): all or nothing.

        `expected` holds what the user's screen showed for the same fields; if another window
        or PC has changed one since, nothing is stored (`Conflict`). The undo puts back what
        was stored before, field by field (and who/when), expecting what this call stored,
        so it never wipes a later value from another PC either.
        """
        return self._store(edits, expected, {})

    def record_actual(
        self,
        kpi: str,
        fiscal_year: int,
        actual: Decimal | None,
        *,
        status: FigureStatus | Unset | None = UNSET,
        comment: str | Unset = UNSET,
    ) -> Applied[None]:
        return self.set_kpi_years(
            [KpiYearEdit(kpi, fiscal_year, actual=actual, status=status, comment=comment)]
        )

    def clear_actual(self, kpi: str, fiscal_year: int) -> Applied[None]:
        return self.set_kpi_years([KpiYearEdit(kpi, fiscal_year, actual=None, status=None)])

    def set_interim_target(
        self, kpi: str, fiscal_year: int, value: Decimal | None
    ) -> Applied[None]:
        return self.set_kpi_years([KpiYearEdit(kpi, fiscal_year, interim_target=value)])

    def _store(
        self,
        edits: Sequence[KpiYearEdit],
        expected: Sequence[KpiYearEdit],
        restamps: Mapping[tuple[str, int], Restamp],
    ) -> Applied[None]:
        """The write behind `set_kpi_years` and its undo/redo; `restamps` (undo and redo only)
        say whose entry each record returns to."""
        if not edits:
            return Applied()
        before: list[KpiYearEdit] = []  # the changed fields as they were: the undo
        after: list[KpiYearEdit] = []  # the changed fields as stored: what the undo expects
        back: dict[tuple[str, int], Restamp] = {}
        with self._access.transaction() as tx:
            kpis = _checked(tx, edits)
            stored = _year_rows(tx.s, kpis, [*edits, *expected])
            stale = _stale_values(tx, stored, kpis, expected)
            if stale:
                raise changed_meanwhile(stale)
            for e in edits:
                kpi = kpis[e.kpi]
                year_row = stored.get((kpi.id, e.fiscal_year))
                new_row = year_row is None
                if year_row is None:
                    year_row = KpiYearRow(
                        kpi_id=kpi.id, fiscal_year=e.fiscal_year, comment="", entered_by=""
                    )
                stamp: Stamp = None if new_row else (year_row.entered_by, year_row.entered_at)
                key = f"{kpi.code}/{e.fiscal_year}"
                old_fields: dict[str, object] = {}
                new_fields: dict[str, object] = {}
                for field, new in _fields(e):
                    if isinstance(new, Unset):
                        continue
                    old = getattr(year_row, field)
                    if same(old, new):
                        continue
                    setattr(year_row, field, new)
                    tx.audit("kpi_year", key, field, old, new)
                    old_fields[field], new_fields[field] = old, new
                if not new_fields:
                    continue
                restamp = restamps.get((e.kpi, e.fiscal_year))
                stamped: Stamp = (tx.user, tx.now)
                if restamp is not None and restamp.left == stamp:
                    stamped = restamp.put_back
                if stamped is None and _holds_nothing(year_row):
                    if not new_row:  # the record this undo takes back had created it
                        tx.s.delete(year_row)
                        del stored[(kpi.id, e.fiscal_year)]
                else:
                    # a row only when something was entered (clearing nothing adds none)
                    if new_row:
                        tx.s.add(year_row)
                        stored[(kpi.id, e.fiscal_year)] = year_row
                    year_row.entered_by, year_row.entered_at = stamped or (tx.user, tx.now)
                    stamped = (year_row.entered_by, year_row.entered_at)
                before.append(_edit(e.kpi, e.fiscal_year, old_fields))
                after.append(_edit(e.kpi, e.fiscal_year, new_fields))
                back[(e.kpi, e.fiscal_year)] = Restamp(left=stamped, put_back=stamp)
        if not after:
            return Applied()
        return Applied(
            Changes(kpis=frozenset(e.kpi for e in after)),
            lambda: self._store(before, after, back),
        )


def expecting_theirs(
    expected: Sequence[KpiYearEdit], fields: Sequence[ChangedField]
) -> list[KpiYearEdit]:
    """What to expect when the user writes their own values over the changes a refusal
    (`ChangedMeanwhile.fields`) named: each changed field as it is stored now, the others as
    the screen showed them. A change made after the refusal is refused again."""
    now = {(f.key, f.field): f.stored for f in fields if f.entity == "kpi_year"}
    rebased: list[KpiYearEdit] = []
    for e in expected:
        key = f"{e.kpi}/{e.fiscal_year}"
        shown = {
            field: now.get((key, field), value)
            for field, value in _fields(e)
            if not isinstance(value, Unset)
        }
        rebased.append(_edit(e.kpi, e.fiscal_year, shown))
    return rebased


def entered_value(edits: Sequence[KpiYearEdit], field: ChangedField) -> object:
    """The value the user entered for the field a refusal names (UNSET: none of `edits`)."""
    for e in reversed(edits):
        if f"{e.kpi}/{e.fiscal_year}" == field.key and field.field in _LABELS:
            value: object = getattr(e, field.field)
            if not isinstance(value, Unset):
                return value
    return UNSET


def _checked(tx: Transaction, edits: Sequence[KpiYearEdit]) -> dict[str, KpiRow]:
    """The KPI rows of `edits`, after checking every edit (all problems at once)."""
    period = tx.period()
    problems: list[str] = []
    kpis: dict[str, KpiRow] = {}
    for chunk in _chunks(sorted({e.kpi for e in edits})):
        found = tx.s.scalars(
            select(KpiRow).where(KpiRow.plan_id == tx.plan_id, KpiRow.code.in_(chunk))
        )
        kpis.update((row.code, row) for row in found)
    missing: set[str] = set()
    for e in edits:
        where = f"KPI {e.kpi} {year_where(e.fiscal_year)}"
        if e.kpi not in kpis:
            if e.kpi not in missing:
                missing.add(e.kpi)
                problems.append(f"KPI {e.kpi} が見つかりません。")
            continue
        if problem := outside_period(f"KPI {e.kpi}", e.fiscal_year, period):
            problems.append(problem)
        if not isinstance(e.comment, Unset):
            problems.extend(text_problems(where, KPI_YEAR_TEXT, {"comment": e.comment}))
        row = kpis[e.kpi]
        allowed = value_range(row.unit, row.definition)
        for label, value in (("実績値", e.actual), ("年度目標", e.interim_target)):
            # NaN/Infinity cannot be stored (a raw ValueError escaped from the audit text
            # conversion), nor more digits than anyone can type, nor a value the KPI cannot
            # take (a negative count, 1,100 %).
            if isinstance(value, Decimal) and (
                problem := decimal_problem(where, label, value)
                or value_problem(where, label, value, allowed, row.unit)
            ):
                problems.append(problem)
    if problems:
        raise ValidationError(problems)
    return kpis


def _holds_nothing(row: KpiYearRow) -> bool:
    return row.actual is None and row.interim_target is None and not row.status and not row.comment


def _edit(kpi: str, fiscal_year: int, fields: Mapping[str, object]) -> KpiYearEdit:
    """An edit of the given stored fields (status as stored: its value)."""
    status = fields.get("status", UNSET)
    return KpiYearEdit(
        kpi,
        fiscal_year,
        actual=fields.get("actual", UNSET),  # type: ignore[arg-type]
        interim_target=fields.get("interim_target", UNSET),  # type: ignore[arg-type]
        status=FigureStatus(status) if isinstance(status, str) else status,  # type: ignore[arg-type]
        comment=fields.get("comment", UNSET),  # type: ignore[arg-type]
    )


def _fields(e: KpiYearEdit) -> tuple[tuple[str, object], ...]:
    """(column, value) of an edit; the status as stored (its value)."""
    status = e.status.value if isinstance(e.status, FigureStatus) else e.status
    return (
        ("actual", e.actual),
        ("interim_target", e.interim_target),
        ("status", status),
        ("comment", e.comment),
    )


_LABELS = {
    "actual": "実績値",
    "interim_target": "年度目標",
    "status": "速報/確定",
    "comment": "コメント",
}


def _chunks[E](items: Sequence[E], size: int = 500) -> Iterator[Sequence[E]]:
    """Slices of `items` short enough for one IN (...) of a query."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _year_rows(
    s: Session, kpis: Mapping[str, KpiRow], edits: Sequence[KpiYearEdit]
) -> dict[tuple[int, int], KpiYearRow]:
    """The stored yearly records the edits name, by (KPI row id, fiscal year): one query per
    500 KPIs instead of one per cell (a whole year of a large plan is thousands of cells)."""
    ids = sorted({kpis[e.kpi].id for e in edits if e.kpi in kpis})
    years = sorted({e.fiscal_year for e in edits})
    found: dict[tuple[int, int], KpiYearRow] = {}
    for chunk in _chunks(ids):
        query = select(KpiYearRow).where(
            KpiYearRow.kpi_id.in_(chunk), KpiYearRow.fiscal_year.in_(years)
        )
        found.update(((r.kpi_id, r.fiscal_year), r) for r in s.scalars(query))
    return found


def _stale_values(
    tx: Transaction,
    records: Mapping[tuple[int, int], KpiYearRow],
    kpis: Mapping[str, KpiRow],
    expected: Sequence[KpiYearEdit],
) -> list[ChangedField]:
    """Fields whose stored value is no longer what the user's screen showed (another
    window or another PC changed them): storing over them would lose that change. Each
    names who stored the value now there, and when."""
    stale: list[ChangedField] = []
    for e in expected:
        kpi = kpis.get(e.kpi)
        if kpi is None:
            continue
        row = records.get((kpi.id, e.fiscal_year))
        for field, shown in _fields(e):
            if isinstance(shown, Unset):
                continue
            stored = (
                getattr(row, field) if row is not None else ("" if field == "comment" else None)
            )
            if not same(stored, shown):
                now = "空欄" if stored in (None, "") else audit_text(stored)
                if isinstance(stored, Decimal):
                    now = format_decimal(stored)
                if field == "status" and stored:
                    now = FigureStatus(stored).label
                stale.append(
                    tx.changed_field(
                        f"KPI {e.kpi} {fy_label(e.fiscal_year)}の{_LABELS[field]}",
                        str(now),
                        "kpi_year",
                        f"{e.kpi}/{e.fiscal_year}",
                        field,
                        stored,
                    )
                )
    return stale
