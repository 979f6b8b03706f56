"""How the application's workbooks look, and the one way text gets into a cell.

Every workbook uses BIZ UDPゴシック (the face bundled with the application, shipped with
Windows 10/11), Japanese headers, thousands separators and A4 landscape printing. Text is
always written as text: a value starting with ``=``, ``+``, ``-``, ``@``, tab or CR is stored as
a string cell with Excel's quote prefix, so neither opening nor editing the cell turns it into
a formula, and error-looking text (``#N/A``) stays text.

Styles are built once per workbook and copied onto cells (openpyxl otherwise hashes every
style object per cell, which dominates the time of a large export).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from copy import copy
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter

from aomori_desktop.domain.fiscal import fy_label_era
from aomori_desktop.exchange.collection_form import number_format, starts_like_formula, xml_safe

FONT_NAME: Final = "BIZ UDPゴシック"
FONT_SIZE: Final = 10

MAX_CELL_TEXT: Final = 32_767
INPUT_FILL: Final = "FFF2CC"  # the cells a department fills in
HEADER_FILL: Final = "D9E1F2"
_THIN: Final = Side(style="thin", color="A6A6A6")
BORDER: Final = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


@dataclass(frozen=True, slots=True)
class Look:
    """A cell style: font, fill, number format, alignment, lock."""

    bold: bool = False
    size: int = FONT_SIZE
    color: str | None = None
    fill: str | None = None
    number_format: str = "General"
    wrap: bool = False
    horizontal: str | None = None
    vertical: str = "top"
    locked: bool = True
    border: bool = True


class _NoSheet:
    """Stands in for a sheet: a styled cell only needs to reach its workbook."""

    def __init__(self, workbook: Any) -> None:
        self.parent = workbook


class Styler:
    """Cells of one workbook with the looks above; builds each look's style once."""

    def __init__(self, workbook: Any) -> None:
        self._wb = workbook
        self._cache: dict[Look, Any] = {}
        # a cell on no sheet, only to register each look's styles with the workbook
        self._scratch = WriteOnlyCell(_NoSheet(workbook))

    def _style(self, look: Look) -> Any:
        cached = self._cache.get(look)
        if cached is None:
            cell = self._scratch
            cell.font = Font(name=FONT_NAME, size=look.size, bold=look.bold, color=look.color)
            cell.fill = PatternFill("solid", fgColor=look.fill) if look.fill else PatternFill(None)
            cell.number_format = look.number_format
            cell.alignment = Alignment(
                wrap_text=look.wrap or None, horizontal=look.horizontal, vertical=look.vertical
            )
            cell.protection = Protection(locked=look.locked)
            cell.border = BORDER if look.border else Border()
            cached = self._cache[look] = copy(cell._style)
        return cached

    def apply(self, cell: Any, value: object, look: Look) -> Any:
        """Give `cell` its value (text always as text) and its look.

        Cells share their look's style (a copy only where the quote prefix is added): a
        cell's style is never changed after this, and copying it per cell, with openpyxl's
        type inference, was most of the time of a large export.
        """
        cell._style = self._style(look)
        if isinstance(value, str):
            text = xml_safe(value)[:MAX_CELL_TEXT]  # what Excel can hold in a cell
            cell._value = text
            cell.data_type = "s"  # never a formula, never an error value
            if starts_like_formula(text):
                cell._style = copy(cell._style)
                cell.quotePrefix = True
        elif value is None or (
            isinstance(value, int | float | Decimal) and not isinstance(value, bool)
        ):
            cell._value = value
            cell.data_type = "n"
        else:
            cell.value = value  # dates and the rest: openpyxl's own binding (date formats)
        return cell

    def new(self, ws: Any, value: object, look: Look) -> Any:
        """A cell for a write-only sheet's `append`."""
        return self.apply(WriteOnlyCell(ws), value, look)

    def put(self, ws: Any, row: int, column: int, value: object, look: Look) -> Any:
        """A cell of an ordinary sheet."""
        return self.apply(ws.cell(row=row, column=column), value, look)


def number_look(decimals: int, **kw: Any) -> Look:
    return Look(number_format=number_format(decimals), horizontal="right", **kw)


RATE_LOOK: Final = Look(number_format="0.0", horizontal="right")
HEADER_LOOK: Final = Look(bold=True, fill=HEADER_FILL, wrap=True, vertical="center")
TEXT_LOOK: Final = Look()
WRAP_LOOK: Final = Look(wrap=True)
CENTER_LOOK: Final = Look(horizontal="center")
TITLE_LOOK: Final = Look(bold=True, size=14, border=False, vertical="center")
NOTE_LOOK: Final = Look(border=False, vertical="center")


def year_heading(fy: int) -> str:
    """A heading for a narrow fiscal-year column: 令和6年度 over (2024)."""
    return f"{fy_label_era(fy)}\n({fy})"


#: Column-width units of one character in BIZ UDPゴシック 10 pt (measured in LibreOffice's
#: rendering of the exported sheets): full-width kanji and kana, and ASCII.
WIDE_UNITS: Final = 1.45
NARROW_UNITS: Final = 0.8
LINE_POINTS: Final = 13.0


def text_units(text: str) -> float:
    """Column-width units a text needs on one line."""
    return sum(WIDE_UNITS if ord(ch) > 0x2E7F else NARROW_UNITS for ch in text)


def row_height(texts: Iterable[tuple[str, float]], *, minimum_lines: int = 1) -> float | None:
    """The row height (points) that shows each wrapped text (with its column width) whole;
    None where one line is enough (the sheet's default height)."""
    lines = minimum_lines
    for text, width in texts:
        needed = sum(
            max(1, math.ceil(text_units(paragraph) / max(width - 1.0, 1.0)))
            for paragraph in text.split("\n")
        )
        lines = max(lines, needed)
    if lines <= 1:
        return None
    return min(LINE_POINTS * lines + 3.0, 409.0)


def set_widths(ws: Any, widths: list[float]) -> None:
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def print_setup(ws: Any, *, title_rows: str | None) -> None:
    """A4 landscape, fit to one page wide, the header rows repeated on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "&P / &N"


def _cells_in_place(values: Sequence[Any], row_index: int) -> Iterator[Any]:
    """The cells of a streamed row, given their place. Replaces openpyxl's conversion of
    appended values, which first tries each cell as a plain value and catches the error:
    half the time of a large export went into those exceptions."""
    for column, cell in enumerate(values, start=1):
        if cell is not None:
            cell.column = column
            cell.row = row_index
            yield cell


class SheetOut:
    """One write-only (streamed) sheet: rows appended with their looks, each with the height
    that shows its wrapped text whole (a streamed row's height must be known before the row
    is written)."""

    def __init__(self, wb: Any, styler: Styler, title: str, widths: Sequence[float]) -> None:
        self.ws = wb.create_sheet(title)
        self.ws._values_to_row = _cells_in_place
        self.styler = styler
        self.widths = list(widths)
        self.rows = 0
        set_widths(self.ws, self.widths)

    def append(
        self,
        cells: Sequence[tuple[object, Look] | None],
        *,
        height: float | None = None,
    ) -> None:
        """A row; None leaves a cell empty. Without `height` the row is as high as its
        wrapped texts need."""
        self.rows += 1
        if height is None:
            height = row_height(
                (cell[0], width)
                for cell, width in zip(cells, self.widths, strict=False)
                if cell is not None and cell[1].wrap and isinstance(cell[0], str) and cell[0]
            )
        if height is not None:
            self.ws.row_dimensions[self.rows].height = height
        ws, new = self.ws, self.styler.new
        ws.append([None if cell is None else new(ws, cell[0], cell[1]) for cell in cells])
