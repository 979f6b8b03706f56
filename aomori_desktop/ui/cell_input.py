"""Turning what staff type or paste into yearly edits, with a sentence for every bad cell.

Shared by the KPI yearly table and the bulk-entry table, so both accept the same input.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Protocol

from aomori_desktop.domain.errors import InvalidInput
from aomori_desktop.domain.fiscal import fy_label
from aomori_desktop.domain.numbers import format_decimal, parse_optional_decimal, shorten
from aomori_desktop.domain.plan import FigureStatus
from aomori_desktop.services.kpi_values import KpiYearEdit
from aomori_desktop.services.transaction import UNSET

MAX_COMMENT = 4000
MAX_LISTED = 5  # problems listed in the message line; the rest are counted


class YearField(Enum):
    """An editable field of a KPI year, with its column title."""

    INTERIM_TARGET = "年度目標"
    ACTUAL = "実績値"
    STATUS = "速報/確定"
    COMMENT = "要因分析・コメント"


STATUS_WORDS = {
    "": None,
    "速報": FigureStatus.PRELIMINARY,
    "速報値": FigureStatus.PRELIMINARY,
    "preliminary": FigureStatus.PRELIMINARY,
    "確定": FigureStatus.FINAL,
    "確定値": FigureStatus.FINAL,
    "final": FigureStatus.FINAL,
}


def parse_status(text: str) -> FigureStatus | None:
    key = text.strip().replace("\u3000", "").casefold()
    if key in STATUS_WORDS:
        return STATUS_WORDS[key]
    raise InvalidInput(
        f"「{text.strip()}」は速報/確定として読み取れません。「速報」「確定」または空欄にしてください。"
    )


def parse_cell(fieldname: YearField, text: str) -> Decimal | FigureStatus | str | None:
    """The typed value of a cell; raises InvalidInput with a Japanese sentence."""
    if fieldname in (YearField.INTERIM_TARGET, YearField.ACTUAL):
        return parse_optional_decimal(text)
    if fieldname is YearField.STATUS:
        return parse_status(text)
    if len(text) > MAX_COMMENT:
        raise InvalidInput(f"コメントが長すぎます（{MAX_COMMENT:,}文字まで）。")
    return text.strip()


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


def edit_for(kpi: str, fiscal_year: int, fieldname: YearField, value: object) -> KpiYearEdit:
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


def parse_tsv(text: str) -> list[list[str]]:
    """Rows of cells from clipboard text as Excel writes it (tabs, quoted cells, CRLF)."""
    if text.endswith("\r\n"):
        text = text[:-2]
    elif text.endswith("\n"):
        text = text[:-1]
    try:
        reader = csv.reader(io.StringIO(text), delimiter="\t", quotechar='"')
        return [list(row) for row in reader] or [[""]]
    except csv.Error:
        # an unbalanced quote or a huge cell: take the text as plain tab-separated lines
        return [line.split("\t") for line in text.replace("\r\n", "\n").split("\n")] or [[""]]


def to_tsv(rows: Sequence[Sequence[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", quotechar='"', lineterminator="\r\n")
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


@dataclass(frozen=True, slots=True)
class CellProblem:
    row: int
    column: int
    message: str


def cell_problem_text(
    fiscal_year: int, fieldname: YearField, text: str, message: str, who: str = ""
) -> str:
    where = f"{who} " if who else ""
    return f"{where}{fy_label(fiscal_year)}の{fieldname.value}「{shorten(text)}」: {message}"


def rejection_message(problems: Sequence[str], cell_count: int) -> str:
    """What the message line says when cells cannot be read and nothing was stored.

    One typed cell gets its sentence alone; a pasted block always says that none of it was
    stored, then names every bad cell.
    """
    if len(problems) == 1 and cell_count <= 1:
        return problems[0]
    shown = list(problems[:MAX_LISTED])
    if len(problems) > MAX_LISTED:
        shown.append(f"…ほか{len(problems) - MAX_LISTED}件")
    return f"{len(problems)}件の値を読み取れないため、何も保存していません。\n" + "\n".join(shown)
