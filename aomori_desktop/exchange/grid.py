"""One reader for grids of cells: what staff paste from Excel, and what a sheet or a CSV holds.

A grid comes in either as clipboard text (`split_clipboard`: tabs and line breaks as Excel
copies them, with Excel's quoting of a cell that holds a line break or a tab) or as a 2-D list
of cell values (what openpyxl or the csv module gives: str, int, float, Decimal, datetime,
None). Each cell is read by the kind of its column (`ColumnSpec`) and comes back typed
(`GridCell`) or as a `CellProblem` that names the cell by its indexes and by the display address
the caller builds from its own column naming (「KPI!E7」, 「3行目・実績値」,
「令和8(2026)年度の実績値」), with one Japanese sentence.

The yearly table, the bulk entry and the Excel/CSV import all read through here, so they accept
and refuse the same input. Plain Python: no Qt, no database.

Number cells (`CellKind.DECIMAL`) read as Excel users type them (see `domain.numbers`): 1,234,
１，２３４, ▲5 and △5 as negatives, 12.5% for a KPI in %; an empty cell or a dash (-, －, ー, —)
means "no figure" and clears the value. A float from a sheet is read with the 15 significant
digits Excel shows and keeps (0.30000000000000004 → 0.3); a date where a number belongs is
refused (Excel turns 1-2 into a date).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Final

from aomori_desktop.domain.errors import InvalidInput
from aomori_desktop.domain.numbers import (
    MAX_INTEGER_DIGITS,
    NO_FIGURE_MARKS,
    parse_optional_decimal,
    shorten,
)
from aomori_desktop.domain.plan import FigureStatus, ProjectStatus
from aomori_desktop.domain.validation import MAX_TEXT

#: Unreadable cells listed one by one in a refusal; the rest are counted.
MAX_LISTED: Final = 5


class CellKind(Enum):
    """How the cells of a column are read."""

    DECIMAL = "decimal"  # a figure in the KPI's unit; empty or a dash: no figure
    FIGURE_STATUS = "figure_status"  # 速報 / 確定 / empty
    TEXT = "text"  # free text (comments, notes); surrounding spaces are dropped
    PROJECT_STATUS = "project_status"  # 未着手 / 検討中 / 実施中 / 完了 / 中止 / empty


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """The kind of a cell and its context: the KPI's unit for a figure, a length for text."""

    kind: CellKind
    unit: str = ""
    max_length: int = MAX_TEXT


CellValue = Decimal | FigureStatus | ProjectStatus | str | None


@dataclass(frozen=True, slots=True)
class GridCell:
    """A cell read: its indexes in the grid, its text and its typed value (None: empty)."""

    row: int
    column: int
    text: str
    value: CellValue


@dataclass(frozen=True, slots=True)
class CellProblem:
    """An unreadable cell: where it is (indexes and display address), what it held, and why."""

    row: int
    column: int
    address: str
    text: str
    message: str

    @property
    def sentence(self) -> str:
        """「令和8(2026)年度の実績値「abc」: 「abc」は数値ではありません。…」"""
        quoted = f"「{shorten(self.text)}」" if self.text.strip() else ""
        return f"{self.address}{quoted}: {self.message}"


@dataclass(frozen=True, slots=True)
class GridReading:
    """Every readable cell and every problem of a grid (nothing is stored while there are
    problems: a block is taken all or nothing)."""

    cells: tuple[GridCell, ...] = ()
    problems: tuple[CellProblem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def read_count(self) -> int:
        """Cells that were read (readable or not); skipped cells are not counted."""
        return len(self.cells) + len(self.problems)


# ---------------------------------------------------------------- clipboard text

_SEPARATOR: Final = re.compile(r"[\t\r\n]")
_LINE_BREAK: Final = re.compile(r"\r\n|\n|\r")


def split_clipboard(text: str) -> list[list[str]]:
    """Rows of cells from text as Excel puts it on the clipboard.

    Cells are separated by tabs and rows by CRLF (LF or CR alone are read the same); the one
    line break Excel writes after the last row does not start another row. A cell that holds a
    line break or a tab comes in double quotes with its inner quotes doubled ("a""b"); a quote
    that does not close such a cell is part of the cell's text, as when Excel reads it back.
    """
    end = len(text)
    if text.endswith("\r\n"):
        end -= 2
    elif text.endswith(("\n", "\r")):
        end -= 1
    if '"' not in text:  # no quoted cell: plain lines of tab-separated cells
        return [line.split("\t") for line in _LINE_BREAK.split(text[:end])]
    rows: list[list[str]] = []
    row: list[str] = []
    i = 0
    while True:
        cell, i = _read_cell(text, i, end)
        row.append(cell)
        if i >= end:
            rows.append(row)
            return rows
        if text[i] == "\t":
            i += 1
            continue
        i += 2 if text.startswith("\r\n", i) else 1
        rows.append(row)
        row = []


def _read_cell(text: str, i: int, end: int) -> tuple[str, int]:
    """The cell starting at `i` and the index just after it."""
    if i < end and text[i] == '"':
        parts: list[str] = []
        j = i + 1
        while j < end:
            k = text.find('"', j, end)
            if k < 0:
                break  # never closed: the quote is a character of the cell
            parts.append(text[j:k])
            if k + 1 < end and text[k + 1] == '"':
                parts.append('"')
                j = k + 2
                continue
            if k + 1 == end or text[k + 1] in "\t\r\n":
                return "".join(parts), k + 1
            break  # text after the closing quote: the cell was not a quoted one
    found = _SEPARATOR.search(text, i, end)
    stop = found.start() if found else end
    return text[i:stop], stop


def join_clipboard(rows: Sequence[Sequence[str]]) -> str:
    """Clipboard text for Excel: tabs between cells, CRLF after each row, a cell with a line
    break or a tab (or one starting with a quote) in double quotes (inverse of
    `split_clipboard`)."""
    return "".join("\t".join(_quoted(cell) for cell in row) + "\r\n" for row in rows)


def _quoted(cell: str) -> str:
    if cell.startswith('"') or any(c in cell for c in "\t\r\n"):
        return '"' + cell.replace('"', '""') + '"'
    return cell


# ---------------------------------------------------------------- one value

_FIGURE_WORDS: Final[dict[str, FigureStatus | None]] = {
    "": None,
    "速報": FigureStatus.PRELIMINARY,
    "速報値": FigureStatus.PRELIMINARY,
    "preliminary": FigureStatus.PRELIMINARY,
    "確定": FigureStatus.FINAL,
    "確定値": FigureStatus.FINAL,
    "final": FigureStatus.FINAL,
}
_PROJECT_WORDS: Final[dict[str, ProjectStatus | None]] = {
    "": None,
    **{s.label: s for s in ProjectStatus},
    **{s.value: s for s in ProjectStatus},
}
_DASHES: Final = frozenset(unicodedata.normalize("NFKC", m) for m in NO_FIGURE_MARKS)


def _word(text: str) -> str:
    """A status word as typed, compared without width, case or spaces (「 速報 」, 「ＦＩＮＡＬ」)."""
    key = "".join(unicodedata.normalize("NFKC", text).split()).casefold()
    return "" if key in _DASHES else key


def parse_figure_status(text: str) -> FigureStatus | None:
    """速報 / 確定 (or their English names); empty or a dash: none."""
    key = _word(text)
    if key in _FIGURE_WORDS:
        return _FIGURE_WORDS[key]
    raise InvalidInput(
        f"「{shorten(text.strip())}」は速報/確定として読み取れません。"
        "「速報」「確定」または空欄にしてください。"
    )


def parse_project_status(text: str) -> ProjectStatus | None:
    """未着手 / 検討中 / 実施中 / 完了 / 中止 (or their stored names); empty or a dash: none."""
    key = _word(text)
    if key in _PROJECT_WORDS:
        return _PROJECT_WORDS[key]
    words = "「" + "」「".join(s.label for s in ProjectStatus) + "」"
    raise InvalidInput(
        f"「{shorten(text.strip())}」は進捗状況として読み取れません。"
        f"{words}のいずれか、または空欄にしてください。"
    )


def cell_text(raw: object) -> str:
    """A cell value as text, as the user saw it in the sheet (None → "")."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, int):
        return str(raw) if raw.bit_length() <= 128 else "（桁数の多すぎる数）"
    if isinstance(raw, float):
        return _float_text(raw)
    if isinstance(raw, Decimal):
        return format(raw, "f") if raw.is_finite() else str(raw)
    if isinstance(raw, datetime):
        return f"{raw:%Y/%m/%d}" if raw.time() == time() else f"{raw:%Y/%m/%d %H:%M}"
    if isinstance(raw, date):
        return f"{raw:%Y/%m/%d}"
    if isinstance(raw, time):
        return f"{raw:%H:%M}"
    return str(raw)


def _float_text(value: float) -> str:
    """A sheet's float with the 15 significant digits Excel shows (never exponent notation)."""
    if not math.isfinite(value):
        return str(value)
    text = format(value, ".15g")
    return format(Decimal(text), "f") if "e" in text else text


def read_value(spec: ColumnSpec, raw: object) -> CellValue:
    """The typed value of one cell; raises `InvalidInput` with a Japanese sentence."""
    if spec.kind is CellKind.DECIMAL:
        if isinstance(raw, bool):
            raise InvalidInput(
                f"「{cell_text(raw)}」は数値ではありません。数字を入力してください。"
            )
        if isinstance(raw, int) and raw.bit_length() > 128:
            raise InvalidInput(
                f"桁数が多すぎます。整数部は{MAX_INTEGER_DIGITS}桁まで入力できます。"
            )
        if isinstance(raw, date | time):
            raise InvalidInput(
                f"「{cell_text(raw)}」は日付または時刻です。数値を入力してください"
                "（Excel が数字を日付に変えた場合は、セルの表示形式を「数値」にしてください）。"
            )
        return parse_optional_decimal(cell_text(raw), unit=spec.unit)
    text = cell_text(raw)
    if spec.kind is CellKind.FIGURE_STATUS:
        return parse_figure_status(text)
    if spec.kind is CellKind.PROJECT_STATUS:
        return parse_project_status(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > spec.max_length:
        raise InvalidInput(
            f"文字数が多すぎます（{spec.max_length:,}文字まで、入力は{len(text):,}文字）。"
        )
    return text


# ---------------------------------------------------------------- a grid

SpecFor = Callable[[int, int], ColumnSpec | None]  # (row, column) → how to read; None: skip
AddressFor = Callable[[int, int], str]  # (row, column) → 「KPI!E7」, 「3行目・実績値」


def read_cells(
    cells: Iterable[tuple[int, int, object]], spec: SpecFor, address: AddressFor
) -> GridReading:
    """Read `(row, column, raw value)` cells; a cell whose spec is None is skipped (a computed
    column inside a pasted block, a heading row)."""
    read: list[GridCell] = []
    problems: list[CellProblem] = []
    for row, column, raw in cells:
        column_spec = spec(row, column)
        if column_spec is None:
            continue
        try:
            value = read_value(column_spec, raw)
        except InvalidInput as exc:
            text = cell_text(raw)
            problems.append(CellProblem(row, column, address(row, column), text, exc.message))
            continue
        read.append(GridCell(row, column, cell_text(raw), value))
    return GridReading(tuple(read), tuple(problems))


def read_grid(rows: Sequence[Sequence[object]], spec: SpecFor, address: AddressFor) -> GridReading:
    """Read a 2-D list of cells (clipboard rows, a sheet's values, CSV rows); indexes start at 0."""
    return read_cells(
        ((r, c, raw) for r, cells in enumerate(rows) for c, raw in enumerate(cells)),
        spec,
        address,
    )


def refusal_message(sentences: Sequence[str], *, typed: bool = False) -> str:
    """What the message line says when cells cannot be read and nothing was stored.

    One typed cell gets its sentence alone; a block (a paste, a file) always says first that
    none of it was stored, then names the bad cells (the first few, then a count).
    """
    if typed and len(sentences) == 1:
        return sentences[0]
    shown = list(sentences[:MAX_LISTED])
    if len(sentences) > MAX_LISTED:
        shown.append(f"…ほか{len(sentences) - MAX_LISTED}件")
    return f"{len(sentences)}件の値を読み取れないため、何も保存していません。\n" + "\n".join(shown)


# ---------------------------------------------------------------- addresses


def column_letters(column: int) -> str:
    """Excel's column name of a 0-based index: 0 → A, 25 → Z, 26 → AA."""
    if column < 0:
        raise ValueError(f"negative column index: {column}")
    letters = ""
    n = column + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def sheet_address(sheet: str, row: int, column: int) -> str:
    """A cell as Excel names it, from 0-based indexes: ("KPI", 6, 4) → 「KPI!E7」."""
    return f"{sheet}!{column_letters(column)}{row + 1}"


def line_address(row: int, title: str) -> str:
    """A cell of a CSV or a pasted block, from a 0-based row: (2, "実績値") → 「3行目・実績値」."""
    return f"{row + 1}行目・{title}"
