"""The yearly table of one KPI: 年度目標, 実績値, 速報/確定, 達成率, 期待進捗率, 評価, コメント.

Editing a cell, pasting a block from Excel or deleting cells goes through the `commit`
callback, which runs the service as one undoable step. Every cell is read by the one grid
parser (`exchange.grid`), so the table accepts what the bulk entry and the Excel import accept.
A typed value that cannot be read stays in the cell, marked, with its message; a block that
has an unreadable cell is stored not at all, and the message names every bad cell.

The view is `ui.grid_view.PasteTableView` (Excel's Enter, paste, delete and selection rules).
The header tooltips and the line above the table say that an empty cell or 「-」 means no
figure (実績なし).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from aomori_desktop.domain.errors import Interrupted, UserError
from aomori_desktop.domain.fiscal import fy_label
from aomori_desktop.domain.numbers import is_percent_unit
from aomori_desktop.domain.progress import Grade, format_rate
from aomori_desktop.exchange.grid import (
    ColumnSpec,
    GridReading,
    read_cells,
    refusal_message,
)
from aomori_desktop.services.dto import KpiDetail, KpiYearView
from aomori_desktop.services.kpi_values import KpiYearEdit
from aomori_desktop.services.tasks import Cancelled
from aomori_desktop.ui.cell_input import YearField, edit_for, format_cell, merge_edits
from aomori_desktop.ui.grades import GRADE_COLOURS, grade_text
from aomori_desktop.ui.grid_view import Cells
from aomori_desktop.ui.grid_view import PasteTableView as PasteTableView  # the KPI page's view

AnyIndex = QModelIndex | QPersistentModelIndex
Commit = Callable[[list[KpiYearEdit], str], None]  # edits, undo text; raises UserError

COLUMNS: list[tuple[str, YearField | None]] = [
    ("年度目標", YearField.INTERIM_TARGET),
    ("実績値", YearField.ACTUAL),
    ("速報/確定", YearField.STATUS),
    ("達成率(%)", None),
    ("期待進捗率(%)", None),
    ("評価", None),
    ("要因分析・コメント", YearField.COMMENT),
    ("入力者", None),
]
COL_INTERIM, COL_ACTUAL, COL_STATUS, COL_RATE, COL_EXPECTED, COL_GRADE, COL_COMMENT, COL_ENTERED = (
    range(8)
)
NUMERIC_COLUMNS = {COL_INTERIM, COL_ACTUAL, COL_RATE, COL_EXPECTED}
INVALID_BACKGROUND = QColor("#ffd6d6")
_ROLES_SHOWN = frozenset(
    int(role)
    for role in (
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.EditRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.BackgroundRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.ToolTipRole,
    )
)

_DISPLAY, _EDIT = int(Qt.ItemDataRole.DisplayRole), int(Qt.ItemDataRole.EditRole)
_ALIGN, _TOOLTIP = int(Qt.ItemDataRole.TextAlignmentRole), int(Qt.ItemDataRole.ToolTipRole)
_BACKGROUND, _FOREGROUND = int(Qt.ItemDataRole.BackgroundRole), int(Qt.ItemDataRole.ForegroundRole)
_ALIGNMENTS = [
    int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if col in NUMERIC_COLUMNS
    else int(Qt.AlignmentFlag.AlignCenter)
    if col in (COL_STATUS, COL_GRADE)
    else int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    for col in range(len(COLUMNS))
]
_FLAGS = [
    Qt.ItemFlag.ItemIsEnabled
    | Qt.ItemFlag.ItemIsSelectable
    | (Qt.ItemFlag.ItemIsEditable if field is not None else Qt.ItemFlag.NoItemFlags)
    for _title, field in COLUMNS
]
_INVALID_BRUSH = QBrush(INVALID_BACKGROUND)
_INVALID_TEXT = QBrush(QColor("#a00000"))
_COMPUTED_BACKGROUND = QBrush(QColor("#f4f4f4"))
_MISSING_BACKGROUND = QBrush(QColor("#fff8e1"))
_GRADE_BRUSHES: dict[Grade, tuple[QBrush, QBrush]] = {}  # (background, text), as first asked


def _grade_brushes(grade: Grade) -> tuple[QBrush, QBrush]:
    brushes = _GRADE_BRUSHES.get(grade)
    if brushes is None:
        fill, text = GRADE_COLOURS[grade]
        brushes = _GRADE_BRUSHES[grade] = (QBrush(QColor(fill)), QBrush(QColor(text)))
    return brushes


#: The line above the yearly table (shown by the KPI page).
YEAR_TABLE_HINT = (
    "セルを選んで数値を入力し Enter（下のセルへ移動）。空欄または - は実績なし。"
    "Excel からのコピーは Ctrl+V でまとめて貼り付けできます。"
)
NO_FIGURE_TIP = "空欄または - は実績なし（値を消します）。"


def computed_reason(title: str, inputs: str = "実績値・年度目標") -> str:
    """Why a computed column takes no input (the message line after a key press there)."""
    return (
        f"「{title}」の列は計算で求める値のため、入力できません。"
        f"{inputs}を入力すると、基準値・目標値から自動で計算されます。"
    )


def number_tip(title: str, unit: str, none: str = "実績なし") -> str:
    """The header tooltip of a number column: what may be typed, and that - means none."""
    unit_text = f"（単位: {unit}）" if unit else ""
    percent = "12.5% のように % を付けても入力できます。" if is_percent_unit(unit) else ""
    return (
        f"{title}{unit_text}。1,234 ／ １２３４ ／ ▲5 のように入力できます。{percent}"
        f"空欄または - は{none}（値を消します）。"
    )


class KpiYearTableModel(QAbstractTableModel):
    inputRejected = Signal(str)  # a Japanese sentence for the message line

    def __init__(self, commit: Commit, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._commit = commit
        self._detail: KpiDetail | None = None
        self._invalid: dict[tuple[int, int], tuple[str, str]] = {}  # cell → (typed text, message)
        # cell → what each role shows, for this detail (the view asks again on every paint)
        self._cells: dict[tuple[int, int], dict[int, Any]] = {}

    @property
    def detail(self) -> KpiDetail | None:
        return self._detail

    def set_detail(self, detail: KpiDetail | None) -> None:
        same_kpi = (
            detail is not None and self._detail is not None and detail.code == self._detail.code
        )
        self._cells.clear()
        if (
            same_kpi
            and detail is not None
            and self._detail is not None
            and len(detail.years) == len(self._detail.years)
        ):
            self._detail = detail
            # keep cells the user still has to correct; drop those now stored
            self.dataChanged.emit(
                self.index(0, 0), self.index(self.rowCount() - 1, len(COLUMNS) - 1)
            )
            return
        self.beginResetModel()
        self._detail = detail
        self._invalid.clear()
        self.endResetModel()

    def year_at(self, row: int) -> KpiYearView | None:
        if self._detail is None or not 0 <= row < len(self._detail.years):
            return None
        return self._detail.years[row]

    def invalid_cells(self) -> dict[tuple[int, int], tuple[str, str]]:
        return dict(self._invalid)

    def is_invalid(self, index: AnyIndex) -> bool:
        return (index.row(), index.column()) in self._invalid

    def read_only_reason(self, column: int) -> str | None:
        """Why a column takes no input, for the message line; None if it does."""
        if not 0 <= column < len(COLUMNS) or COLUMNS[column][1] is not None:
            return None
        if column == COL_ENTERED:
            return "「入力者」の列は保存したときに自動で記録されます。"
        return computed_reason(COLUMNS[column][0])

    # ------------------------------------------------------------ Qt model

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._detail is None:
            return 0
        return len(self._detail.years)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal:
            return self._header_tip(section)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][0]
        year = self.year_at(section)
        return fy_label(year.fiscal_year) if year else None

    def _header_tip(self, column: int) -> str | None:
        unit = self._detail.unit if self._detail is not None else ""
        if column == COL_ACTUAL:
            return number_tip("この年度の実績値", unit)
        if column == COL_INTERIM:
            return number_tip("この年度の目標（任意）", unit, "年度目標なし")
        if column == COL_STATUS:
            return "「速報」「確定」または空欄"
        return self.read_only_reason(column)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _FLAGS[index.column()]

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in _ROLES_SHOWN:  # the view asks for a dozen roles per cell and paint
            return None
        key = (index.row(), index.column())
        cell = self._cells.get(key)
        if cell is None:
            year = self.year_at(key[0]) if index.isValid() else None
            if year is None:
                return None
            cell = self._cells[key] = self._cell(year, key[1])
        invalid = self._invalid.get(key)
        if invalid is not None:
            return self._invalid_data(invalid, role, cell)
        return cell.get(role)

    def _cell(self, year: KpiYearView, col: int) -> dict[int, Any]:
        """What a stored cell shows, role by role."""
        text = self._text(year, col)
        cell: dict[int, Any] = {_DISPLAY: text, _EDIT: text, _ALIGN: _ALIGNMENTS[col]}
        if col == COL_GRADE:
            background, foreground = _grade_brushes(year.progress.grade)
            cell[_BACKGROUND], cell[_FOREGROUND] = background, foreground
        elif COLUMNS[col][1] is None:
            cell[_BACKGROUND] = _COMPUTED_BACKGROUND
        elif col == COL_ACTUAL and year.actual is None:
            cell[_BACKGROUND] = _MISSING_BACKGROUND  # missing actual: easy to spot
        tip: str | None = None
        if col == COL_ACTUAL and year.actual is None:
            tip = f"実績なし。{NO_FIGURE_TIP}"
        elif col == COL_ACTUAL and year.status is not None:
            tip = f"{year.status.label}値"
        elif col == COL_COMMENT and year.comment:
            tip = year.comment  # the whole comment, however narrow the column
        elif col == COL_ENTERED and year.entered_at is not None:
            tip = f"{year.entered_by} {year.entered_at.astimezone():%Y-%m-%d %H:%M} 入力"
        if tip is not None:
            cell[_TOOLTIP] = tip
        return cell

    @staticmethod
    def _invalid_data(invalid: tuple[str, str], role: int, cell: dict[int, Any]) -> Any:
        """A refused cell: the typed text on red, with the reason as its tooltip."""
        if role in (_DISPLAY, _EDIT):
            return invalid[0]
        if role == _BACKGROUND:
            return _INVALID_BRUSH
        if role == _FOREGROUND:
            return cell.get(_FOREGROUND, _INVALID_TEXT)
        if role == _TOOLTIP:
            return invalid[1]
        return cell.get(role)

    def _text(self, year: KpiYearView, col: int) -> str:
        field = COLUMNS[col][1]
        if field is not None:
            return format_cell(field, year)
        p = year.progress
        if col == COL_RATE:
            return format_rate(p.achievement_rate) or "−"
        if col == COL_EXPECTED:
            return format_rate(p.expected_rate) or "−"
        if col == COL_GRADE:
            return grade_text(p.grade) if p.grade is not Grade.NONE else "−"
        if col == COL_ENTERED:
            if not year.entered_by or year.entered_at is None:
                return ""
            return (
                f"{year.entered_by}（{year.entered_at.astimezone():%m/%d}）"  # full in the tooltip
            )
        return ""

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        text = str(value if value is not None else "")
        return self._store([(index.row(), index.column(), text)], "入力", typed=True)

    # ------------------------------------------------------------ editing

    def commit_block(
        self, top: int, left: int, block: Sequence[Sequence[str]], *, single: bool = False
    ) -> bool:
        """Paste `block` with its first cell at (top, left): read as a whole, stored all or
        nothing as one undoable step; computed columns inside it are skipped."""
        detail = self._detail
        if detail is None:
            return False
        rows_free, cols_free = len(detail.years) - top, len(COLUMNS) - left
        width = max((len(r) for r in block), default=0)
        if len(block) > rows_free or width > cols_free:
            self.inputRejected.emit(
                f"貼り付ける範囲（{len(block):,}行×{width}列）が表の外に"
                f"はみ出しています（ここから下に{rows_free}行、右に{cols_free}列）。"
                "何も保存していません。貼り付け先の位置を確認してください。"
            )
            return False
        cells = [
            (top + r, left + c, text)
            for r, texts in enumerate(block)
            for c, text in enumerate(texts)
        ]
        return self._store(cells, "貼り付け", typed=single)

    def commit_cells(self, cells: Cells, action: str) -> bool:
        """Store the given cells (a filled or a cleared selection) as one step named `action`."""
        return self._store(cells, action, typed=False)

    def _spec(self, row: int, col: int) -> ColumnSpec | None:
        field = COLUMNS[col][1] if 0 <= col < len(COLUMNS) else None
        if field is None or self.year_at(row) is None or self._detail is None:
            return None  # computed columns are skipped when a copied table is pasted back
        return field.spec(self._detail.unit)

    def _address(self, row: int, col: int) -> str:
        year = self.year_at(row)
        where = fy_label(year.fiscal_year) if year is not None else f"{row + 1}行目"
        return f"{where}の{COLUMNS[col][0]}"

    def _store(self, cells: Cells, action: str, *, typed: bool) -> bool:
        detail = self._detail
        if detail is None:
            return False
        reading = read_cells(cells, self._spec, self._address)
        if reading.problems:
            if typed:
                for p in reading.problems:
                    self._invalid[(p.row, p.column)] = (p.text, p.message)
                    self._cell_changed(p.row, p.column)
            sentences = [p.sentence for p in reading.problems]
            self.inputRejected.emit(refusal_message(sentences, typed=typed))
            return False
        if not reading.cells:
            if not typed and cells:
                self.inputRejected.emit(
                    "選んだセルは計算で求める列のため、入力できません。"
                    "入力できるのは「年度目標」「実績値」「速報/確定」「要因分析・コメント」の列です。"
                )
            return False
        edits = [
            edit_for(detail.code, detail.years[c.row].fiscal_year, _field(c.column), c.value)
            for c in reading.cells
        ]
        try:
            self._commit(merge_edits(edits), self._undo_text(detail, reading, action, typed))
        except UserError as exc:
            # a refused value stays in its cell, marked, for the user to correct; a wait for
            # another user's lock that was given up, or a write the server connection broke
            # off, leaves the cell showing what is stored (the typed text was not at fault)
            message = exc.message
            if typed and not isinstance(exc, (Cancelled, Interrupted)):
                for c in reading.cells:
                    self._invalid[(c.row, c.column)] = (c.text, exc.message)
                    self._cell_changed(c.row, c.column)
            elif typed and isinstance(exc, Interrupted):  # what was typed is not lost
                message += "".join(
                    f"\n保存していない入力（{self._address(c.row, c.column)}）: {c.text}"
                    for c in reading.cells
                )
            self.inputRejected.emit(message)
            return False
        for c in reading.cells:
            if self._invalid.pop((c.row, c.column), None) is not None:
                self._cell_changed(c.row, c.column)
        return True

    @staticmethod
    def _undo_text(detail: KpiDetail, reading: GridReading, action: str, typed: bool) -> str:
        """The undo menu's text: what the user did, on which KPI (and year, for one cell)."""
        if typed and len(reading.cells) == 1:
            c = reading.cells[0]
            year = detail.years[c.row].fiscal_year
            return f"{detail.code} {fy_label(year)} {_field(c.column).value}の{action}"
        return f"{detail.code} {action}（{len(reading.cells)}セル）"

    def _cell_changed(self, row: int, col: int) -> None:
        idx = self.index(row, col)
        self.dataChanged.emit(idx, idx)


def _field(column: int) -> YearField:
    field = COLUMNS[column][1]
    assert field is not None  # only editable columns are read
    return field
