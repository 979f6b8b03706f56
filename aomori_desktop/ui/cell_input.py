"""The editable fields of a KPI year, and the service edits built from cells read by
`exchange.grid` (the one grid parser).

Shared by the KPI yearly table and the bulk-entry table. Reading and refusing input lives in
`exchange/grid.py` and `domain/numbers.py`; what stays here is the glue to the service's
`KpiYearEdit` (it moves with that type when the service layer is split by use case).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from enum import Enum
from typing import Protocol

from aomori_desktop.domain.numbers import format_decimal
from aomori_desktop.domain.plan import FigureStatus
from aomori_desktop.exchange.grid import CellKind, CellValue, ColumnSpec
from aomori_desktop.services.kpi_values import UNSET, KpiYearEdit


class YearField(Enum):
    """An editable field of a KPI year, with its column title."""

    INTERIM_TARGET = "年度目標"
    ACTUAL = "実績値"
    STATUS = "速報/確定"
    COMMENT = "要因分析・コメント"

    def spec(self, unit: str) -> ColumnSpec:
        """How a cell of this field is read, for a KPI measured in `unit`."""
        if self in (YearField.INTERIM_TARGET, YearField.ACTUAL):
            return ColumnSpec(CellKind.DECIMAL, unit=unit)
        if self is YearField.STATUS:
            return ColumnSpec(CellKind.FIGURE_STATUS)
        return ColumnSpec(CellKind.TEXT)


class YearValues(Protocol):
    """The stored values of one KPI year (a `KpiYearView`, or a bulk-entry `BulkRow`)."""

    @property
    def actual(self) -> Decimal | None: ...
    @property
    def interim_target(self) -> Decimal | None: ...
    @property
    def status(self) -> FigureStatus | None: ...
    @property
    def comment(self) -> str: ...


def format_cell(fieldname: YearField, year: YearValues | None) -> str:
    if year is None:
        return ""
    if fieldname is YearField.INTERIM_TARGET:
        return format_decimal(year.interim_target) if year.interim_target is not None else ""
    if fieldname is YearField.ACTUAL:
        return format_decimal(year.actual) if year.actual is not None else ""
    if fieldname is YearField.STATUS:
        return year.status.label if year.status else ""
    return year.comment


def edit_for(kpi: str, fiscal_year: int, fieldname: YearField, value: CellValue) -> KpiYearEdit:
    if fieldname is YearField.INTERIM_TARGET:
        return KpiYearEdit(kpi, fiscal_year, interim_target=value)  # type: ignore[arg-type]
    if fieldname is YearField.ACTUAL:
        return KpiYearEdit(kpi, fiscal_year, actual=value)  # type: ignore[arg-type]
    if fieldname is YearField.STATUS:
        return KpiYearEdit(kpi, fiscal_year, status=value)  # type: ignore[arg-type]
    return KpiYearEdit(kpi, fiscal_year, comment=str(value or ""))


def edited_fields(edit: KpiYearEdit) -> list[YearField]:
    """The fields an edit touches (those not left UNSET), in column order."""
    values = {
        YearField.INTERIM_TARGET: edit.interim_target,
        YearField.ACTUAL: edit.actual,
        YearField.STATUS: edit.status,
        YearField.COMMENT: edit.comment,
    }
    return [f for f, v in values.items() if v is not UNSET]


def inverse_edit(edit: KpiYearEdit, before: YearValues | None) -> KpiYearEdit:
    """The edit that puts back what `before` held, for the fields `edit` touches."""
    return KpiYearEdit(
        edit.kpi,
        edit.fiscal_year,
        actual=UNSET if edit.actual is UNSET else (before.actual if before else None),
        interim_target=(
            UNSET if edit.interim_target is UNSET else (before.interim_target if before else None)
        ),
        status=UNSET if edit.status is UNSET else (before.status if before else None),
        comment=UNSET if edit.comment is UNSET else (before.comment if before else ""),
    )


def merge_edits(edits: Sequence[KpiYearEdit]) -> list[KpiYearEdit]:
    """One edit per KPI year (several pasted cells of one row become one edit)."""
    merged: dict[tuple[str, int], KpiYearEdit] = {}
    for e in edits:
        key = (e.kpi, e.fiscal_year)
        prev = merged.get(key)
        if prev is None:
            merged[key] = e
            continue
        merged[key] = KpiYearEdit(
            e.kpi,
            e.fiscal_year,
            actual=e.actual if e.actual is not UNSET else prev.actual,
            interim_target=e.interim_target
            if e.interim_target is not UNSET
            else prev.interim_target,
            status=e.status if e.status is not UNSET else prev.status,
            comment=e.comment if e.comment is not UNSET else prev.comment,
        )
    return list(merged.values())
