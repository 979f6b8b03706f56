"""The table of 年度実績一括入力: one fiscal year × every KPI listing, grouped under pillar and
measure header rows (bold, shaded, not editable), with its model and view.

実績値, 速報/確定 and 要因分析・コメント are read by the one grid parser (`exchange.grid`), like
the KPI page's yearly table; every typed cell, paste or delete is one undoable step through the
`commit` callback. An unreadable typed cell keeps the typed text, marked, with the reason in
the message line; an unreadable pasted block stores nothing and names every bad cell.

Paste (Ctrl+V) of a block copied from Excel: line i of the block goes to the i-th KPI shown
from the selected row downwards. Pillar and measure header rows are skipped, and so is a
second listing of a KPI already given a line: K01 serves 1-1 and 1-2 and is shown under both
(marked 再掲 the second time, both rows showing the one stored value), but it takes one line of
a pasted block, so a 16-line column from Excel (one line per KPI) fills the 16 KPIs. With
未入力のみ表示 or a search on, the lines fill the KPIs shown. Columns map one to one from the
selected column; computed and fixed columns inside the block are skipped. Copy (Ctrl+C)
writes each KPI once, so a copied range pastes back where it came from. One value pasted onto
a selection fills each selected editable cell; Delete clears exactly the selected cells; a
block pasted into a multiple selection is refused (as in Excel).

While 未入力のみ表示 is on, a row that gets its actual stays in view (the cursor does not jump)
until the filter, the search or the year changes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from aomori_desktop.domain.errors import Interrupted, UserError
from aomori_desktop.domain.fiscal import fy_label
from aomori_desktop.domain.numbers import format_decimal
from aomori_desktop.domain.progress import Grade, format_rate
from aomori_desktop.exchange.grid import ColumnSpec, GridCell, read_cells, refusal_message
from aomori_desktop.services.dto import BulkRow
from aomori_desktop.services.kpi_values import KpiYearEdit
from aomori_desktop.services.tasks import Cancelled
from aomori_desktop.ui.cell_input import YearField, edit_for, format_cell, merge_edits
from aomori_desktop.ui.grades import GRADE_COLOURS, grade_text
from aomori_desktop.ui.grid_view import Cells
from aomori_desktop.ui.year_table import INVALID_BACKGROUND, NO_FIGURE_TIP, computed_reason

AnyIndex = QModelIndex | QPersistentModelIndex
# edits, undo text → True if something changed; raises UserError when the service refuses
Commit = Callable[[list[KpiYearEdit], str], bool]

COLUMNS: list[tuple[str, YearField | None]] = [
    ("コード", None),
    ("KPI名", None),
    ("単位", None),
    ("基準値", None),
    ("目標値", None),
    ("実績値", YearField.ACTUAL),
    ("速報/確定", YearField.STATUS),
    ("要因分析・コメント", YearField.COMMENT),
    ("達成率(%)", None),
    ("期待進捗率(%)", None),
    ("評価", None),
]
(
    COL_CODE,
    COL_NAME,
    COL_UNIT,
    COL_BASELINE,
    COL_TARGET,
    COL_ACTUAL,
    COL_STATUS,
    COL_COMMENT,
    COL_RATE,
    COL_EXPECTED,
    COL_GRADE,
) = range(len(COLUMNS))
RIGHT_COLUMNS = {COL_BASELINE, COL_TARGET, COL_ACTUAL, COL_RATE, COL_EXPECTED}
CENTER_COLUMNS = {COL_CODE, COL_UNIT, COL_STATUS, COL_GRADE}
COLUMN_WIDTHS = {
    COL_CODE: 52,
    COL_UNIT: 52,
    COL_BASELINE: 96,
    COL_TARGET: 96,
    COL_ACTUAL: 108,
    COL_STATUS: 76,
    COL_COMMENT: 250,
    COL_RATE: 80,
    COL_EXPECTED: 100,
    COL_GRADE: 84,
}
HEADER_TIPS = {
    COL_ACTUAL: (
        "この年度の実績値。1,234 ／ １２３４ ／ ▲5 のように入力できます（単位は付けません。"
        f"単位が % のKPIは 12.5% も可）。{NO_FIGURE_TIP}"
    ),
    COL_STATUS: "「速報」「確定」または空欄",
    COL_COMMENT: "要因分析・コメント",
    COL_EXPECTED: "年度目標があればそれによる値、なければ基準年度から目標年度までの直線による値",
}

MISSING_ROLE = Qt.ItemDataRole.UserRole + 1  # True on an empty 実績値 cell (drawn as 未入力)
PILLAR_BACKGROUND = QColor("#cfdcec")
MEASURE_BACKGROUND = QColor("#e7eef7")
GROUP_FOREGROUND = QColor("#1a2b3c")
READ_ONLY_BACKGROUND = QColor("#f5f5f5")
MISSING_BACKGROUND = QColor("#ffeeb8")
MISSING_TEXT = QColor("#8a6d00")
INVALID_FOREGROUND = QColor("#a00000")
REPEAT_FOREGROUND = QColor("#666666")
FIXED_COLUMNS = {COL_CODE, COL_NAME, COL_UNIT, COL_BASELINE, COL_TARGET}


@dataclass(frozen=True, slots=True)
class GroupLine:
    """A pillar (level 0) or measure (level 1) header row of the table."""

    level: int
    text: str


Line = GroupLine | int  # a header, or the index of a KPI listing in the model's rows
CellKey = tuple[str, int]  # (KPI code, column): marks show on every listing of the KPI


def _listing(row: BulkRow) -> tuple[str, str]:
    return row.measure_code, row.kpi


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


class BulkEntryModel(QAbstractTableModel):
    """The bulk-entry table over plain `BulkRow`s of one fiscal year, with header lines."""

    inputRejected = Signal(str)  # a Japanese sentence for the message line
    inputStored = Signal(str)  # "" after a typed cell, a sentence after a block

    def __init__(self, commit: Commit, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._commit = commit
        self._fiscal_year = 0
        self._rows: list[BulkRow] = []
        self._lines: list[Line] = []
        self._listed_under: dict[str, list[str]] = {}  # KPI → measure codes listing it
        self._repeats: set[int] = set()  # rows that are a KPI's second (or later) listing
        self._missing_only = False
        self._search = ""
        self._invalid: dict[CellKey, tuple[str, str]] = {}  # cell → (typed text, message)
        self._measure_font = QFont()  # the application font, bold
        self._measure_font.setBold(True)
        self._pillar_font = QFont(self._measure_font)
        self._pillar_font.setPointSizeF(self._measure_font.pointSizeF() + 1)

    # ------------------------------------------------------------ contents

    @property
    def fiscal_year(self) -> int:
        return self._fiscal_year

    def set_rows(self, fiscal_year: int, rows: Sequence[BulkRow]) -> None:
        """Show `rows` (a full reload: the filter is applied again)."""
        self.beginResetModel()
        if fiscal_year != self._fiscal_year:
            self._invalid.clear()
        else:
            present = {r.kpi for r in rows}
            self._invalid = {k: v for k, v in self._invalid.items() if k[0] in present}
        self._fiscal_year = fiscal_year
        self._rows = list(rows)
        self._listed_under = {}
        self._repeats = set()
        for i, r in enumerate(self._rows):
            if r.kpi in self._listed_under:
                self._repeats.add(i)
            self._listed_under.setdefault(r.kpi, []).append(r.measure_code)
        self._lines = self._layout()
        self.endResetModel()

    def update_rows(self, rows: Sequence[BulkRow]) -> bool:
        """Refresh the values in place, keeping the rows shown; False if the listing changed."""
        if [_listing(r) for r in rows] != [_listing(r) for r in self._rows]:
            return False
        old, self._rows = self._rows, list(rows)
        for line_no, line in enumerate(self._lines):
            if isinstance(line, int) and old[line] != self._rows[line]:
                self.dataChanged.emit(self.index(line_no, 0), self.index(line_no, COL_GRADE))
        return True

    def set_filter(self, missing_only: bool, search: str) -> None:
        self.beginResetModel()
        self._missing_only = missing_only
        self._search = _folded(search.strip())
        self._lines = self._layout()
        self.endResetModel()

    def _layout(self) -> list[Line]:
        lines: list[Line] = []
        pillar = measure = None
        for i, r in enumerate(self._rows):
            if self._missing_only and r.actual is not None:
                continue
            if self._search and self._search not in _folded(
                f"{r.kpi} {r.name} {r.measure_code} {r.measure_title}"
            ):
                continue
            if r.pillar != pillar:
                pillar, measure = r.pillar, None
                lines.append(GroupLine(0, r.pillar))
            if r.measure_code != measure:
                measure = r.measure_code
                lines.append(GroupLine(1, f"　{r.measure_code} {r.measure_title}"))
            lines.append(i)
        return lines

    def row_at(self, line: int) -> BulkRow | None:
        """The KPI listing shown on a table row; None for a header row."""
        item = self._lines[line] if 0 <= line < len(self._lines) else None
        return self._rows[item] if isinstance(item, int) else None

    def is_repeat(self, line: int) -> bool:
        """True on a KPI's second listing (K01 under 1-2), shown as 再掲."""
        item = self._lines[line] if 0 <= line < len(self._lines) else None
        return isinstance(item, int) and item in self._repeats

    def is_group(self, line: int) -> bool:
        return 0 <= line < len(self._lines) and isinstance(self._lines[line], GroupLine)

    def group_lines(self) -> list[int]:
        return [n for n, line in enumerate(self._lines) if isinstance(line, GroupLine)]

    def line_of(self, kpi: str, measure_code: str | None = None) -> int:
        """The table row of a KPI listing (its first listing if no measure is given), or -1."""
        for n, line in enumerate(self._lines):
            if isinstance(line, int):
                r = self._rows[line]
                if r.kpi == kpi and measure_code in (None, r.measure_code):
                    return n
        return -1

    def stored(self, kpi: str) -> BulkRow | None:
        """What is stored for a KPI this year (for the undo of an edit)."""
        return next((r for r in self._rows if r.kpi == kpi), None)

    def counts(self) -> tuple[int, int, int]:
        """(KPIs, KPIs without an actual this year, KPI rows shown); a twice-listed KPI counts once."""
        actual = {r.kpi: r.actual for r in self._rows}
        shown = sum(1 for line in self._lines if isinstance(line, int))
        return len(actual), sum(1 for a in actual.values() if a is None), shown

    def is_invalid(self, index: AnyIndex) -> bool:
        return self._invalid_entry(index.row(), index.column()) is not None

    def read_only_reason(self, column: int) -> str | None:
        """Why a column takes no input, for the message line; None if it does."""
        if not 0 <= column < len(COLUMNS) or COLUMNS[column][1] is not None:
            return None
        title = COLUMNS[column][0]
        if column in FIXED_COLUMNS:
            return (
                f"「{title}」はこの表では変更できません。KPIのページ（メイン画面でKPIを選ぶ）で"
                "変更してください。"
            )
        return computed_reason(title, "実績値")

    def _invalid_entry(self, line: int, col: int) -> tuple[str, str] | None:
        row = self.row_at(line)
        return None if row is None else self._invalid.get((row.kpi, col))

    # ------------------------------------------------------------ Qt model

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS.get(section)
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid() or self.row_at(index.row()) is None:
            return Qt.ItemFlag.NoItemFlags  # header rows: skipped by the cursor and selection
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if COLUMNS[index.column()][1] is not None:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._lines):
            return None
        line, col = self._lines[index.row()], index.column()
        if isinstance(line, GroupLine):
            return self._group_data(line, col, role)
        row = self._rows[line]
        invalid = self._invalid.get((row.kpi, col))
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if invalid is not None:
                return invalid[0]
            if col == COL_NAME and line in self._repeats:
                return f"{row.name}（再掲）"
            return self._text(row, col)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col in RIGHT_COLUMNS:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if col in CENTER_COLUMNS:
                return int(Qt.AlignmentFlag.AlignCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            if invalid is not None:
                return QBrush(INVALID_BACKGROUND)
            if col == COL_GRADE:
                return QBrush(QColor(GRADE_COLOURS[row.progress.grade][0]))
            if col == COL_ACTUAL and row.actual is None:
                return QBrush(MISSING_BACKGROUND)
            if COLUMNS[col][1] is None:
                return QBrush(READ_ONLY_BACKGROUND)
            return None
        if role == Qt.ItemDataRole.ForegroundRole:
            if invalid is not None:
                return QBrush(INVALID_FOREGROUND)
            if col == COL_GRADE:
                return QBrush(QColor(GRADE_COLOURS[row.progress.grade][1]))
            if col in (COL_CODE, COL_NAME) and line in self._repeats:
                return QBrush(REPEAT_FOREGROUND)
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return invalid[1] if invalid is not None else self._tooltip(row, col)
        if role == MISSING_ROLE:
            return col == COL_ACTUAL and row.actual is None and invalid is None
        return None

    def _group_data(self, line: GroupLine, col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return line.text if col == 0 else None
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(PILLAR_BACKGROUND if line.level == 0 else MEASURE_BACKGROUND)
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(GROUP_FOREGROUND)
        if role == Qt.ItemDataRole.FontRole:
            return self._pillar_font if line.level == 0 else self._measure_font
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, row: BulkRow, col: int) -> str:
        field = COLUMNS[col][1]
        if field is not None:
            return format_cell(field, row)
        p = row.progress
        if col == COL_CODE:
            return row.kpi
        if col == COL_NAME:
            return row.name
        if col == COL_UNIT:
            return row.unit
        if col == COL_BASELINE:
            return format_decimal(row.baseline)
        if col == COL_TARGET:
            return format_decimal(row.target)
        if col == COL_RATE:
            return format_rate(p.achievement_rate) or "−"
        if col == COL_EXPECTED:
            return format_rate(p.expected_rate) or "−"
        if col == COL_GRADE:
            return grade_text(p.grade) if p.grade is not Grade.NONE else "−"
        return ""

    def _tooltip(self, row: BulkRow, col: int) -> str | None:
        if col in (COL_CODE, COL_NAME):
            measures = self._listed_under.get(row.kpi, [])
            if len(measures) > 1:
                return (
                    f"{row.kpi} {row.name}\n{'、'.join(measures)} に掲載されている同じKPIです。"
                    "どちらの行で入力しても同じ値になります。Excel から貼り付けるときは1行と"
                    "数えます（2回目の行は飛ばします）。"
                )
            return f"{row.kpi} {row.name}"
        if col == COL_ACTUAL:
            if row.actual is None:
                return f"{fy_label(self._fiscal_year)}の実績値が未入力です。{NO_FIGURE_TIP}"
            return f"{row.status.label}値" if row.status is not None else None
        if col == COL_COMMENT and row.comment:
            return row.comment
        if col == COL_EXPECTED and row.interim_target is not None:
            return f"年度目標 {format_decimal(row.interim_target)} {row.unit} による期待進捗率"
        if col == COL_GRADE and row.progress.grade is Grade.NONE:
            return grade_text(Grade.NONE)
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        text = str(value if value is not None else "")
        return self._store([(index.row(), index.column(), text)], "入力", typed=True)

    # ------------------------------------------------------------ editing

    def paste_targets(self, top: int) -> tuple[list[int], bool]:
        """The table rows a pasted block fills from row `top` down, one per KPI: header rows
        and a KPI's listing already counted are skipped. Also says whether a listing was."""
        targets: list[int] = []
        taken: set[str] = set()
        skipped_repeat = False
        for n in range(max(top, 0), len(self._lines)):
            row = self.row_at(n)
            if row is None:
                continue
            if row.kpi in taken:
                skipped_repeat = True
                continue
            taken.add(row.kpi)
            targets.append(n)
        return targets, skipped_repeat

    def commit_block(
        self, top: int, left: int, block: Sequence[Sequence[str]], *, single: bool = False
    ) -> bool:
        """Paste `block` with its first cell at (top, left), one line per KPI (see the module
        docstring); read as a whole and stored all or nothing as one undoable step."""
        targets, skipped_repeat = self.paste_targets(top)
        if len(block) > len(targets):
            repeat = "と、2つの施策に掲載されているKPIの2回目の行" if skipped_repeat else ""
            self.inputRejected.emit(
                f"貼り付ける範囲が表の外にはみ出しています（{len(block):,}行を貼り付けようとしましたが、"
                f"選んだ行から下のKPIは{len(targets)}件です。見出し行{repeat}は飛ばして、KPIごとに"
                "1行ずつ貼り付けます）。何も保存していません。貼り付け先の位置を確認してください。"
            )
            return False
        if any(left + len(texts) > len(COLUMNS) for texts in block):
            self.inputRejected.emit(
                "貼り付ける範囲が表の右にはみ出しています。何も保存していません。"
                "貼り付け先の列を確認してください。"
            )
            return False
        cells = [
            (targets[r], left + c, text)
            for r, texts in enumerate(block)
            for c, text in enumerate(texts)
        ]
        return self._store(cells, "貼り付け", typed=single)

    def commit_cells(self, cells: Cells, action: str) -> bool:
        """Store several cells (a filled selection, a cleared selection) as one step."""
        return self._store(cells, action, typed=False)

    def _spec(self, line: int, col: int) -> ColumnSpec | None:
        row = self.row_at(line)
        field = COLUMNS[col][1] if 0 <= col < len(COLUMNS) else None
        if row is None or field is None:
            return None  # header rows and computed columns are skipped
        return field.spec(row.unit)

    def _address(self, line: int, col: int) -> str:
        row = self.row_at(line)
        kpi = f"{row.kpi} " if row is not None else ""
        return f"{kpi}{fy_label(self._fiscal_year)}の{COLUMNS[col][0]}"

    def _store(self, cells: Cells, action: str, *, typed: bool) -> bool:
        fy = self._fiscal_year
        reading = read_cells(cells, self._spec, self._address)
        problems = [p.sentence for p in reading.problems]
        bad = {self._key(p.row, p.column): (p.text, p.message) for p in reading.problems}
        chosen: dict[CellKey, GridCell] = {}  # one cell per KPI and field, however listed
        for c in reading.cells:
            key = self._key(c.row, c.column)
            earlier = chosen.get(key)
            if earlier is None:
                chosen[key] = c
            elif earlier.value != c.value:
                row, first = self.row_at(c.row), self.row_at(earlier.row)
                assert row is not None and first is not None
                problems.append(
                    f"{row.kpi} {fy_label(fy)}の{COLUMNS[c.column][0]}: 同じKPIの"
                    f"{first.measure_code}と{row.measure_code}の行に違う値"
                    f"「{earlier.text}」「{c.text}」が入っています。"
                )
        if problems:
            if typed:
                self._invalid.update(bad)
                self._cells_changed(bad)
            self.inputRejected.emit(refusal_message(problems, typed=typed))
            return False
        if not chosen:
            if not typed and cells:
                self.inputRejected.emit(
                    "入力できるのは「実績値」「速報/確定」「要因分析・コメント」の列です。"
                    "選んだセルには何も保存していません。"
                )
            return False
        edits = [edit_for(kpi, fy, _field(col), c.value) for (kpi, col), c in chosen.items()]
        try:
            stored = self._commit(merge_edits(edits), self._undo_text(chosen, action, typed))
        except UserError as exc:  # refused by the service (e.g. a value changed elsewhere)
            message = exc.message
            # a given-up wait or a dropped server connection marks nothing (not the input's
            # fault): the cells show what is stored, and a typed value is kept in the sentence
            if typed and not isinstance(exc, (Cancelled, Interrupted)):
                self._invalid.update({k: (c.text, exc.message) for k, c in chosen.items()})
                self._cells_changed(chosen)
            elif typed and isinstance(exc, Interrupted):
                message += "".join(
                    f"\n保存していない入力（{self._address(c.row, c.column)}）: {c.text}"
                    for c in chosen.values()
                )
            self.inputRejected.emit(message)
            return False
        cleared = [k for k in chosen if self._invalid.pop(k, None) is not None]
        self._cells_changed(cleared)
        if typed:
            self.inputStored.emit("")
        elif stored:
            self.inputStored.emit(
                f"{len(chosen)}セルを保存しました（{action}）。Ctrl+Z で元に戻せます。"
            )
        else:
            self.inputStored.emit("保存されている値と同じため、変更はありません。")
        return True

    def _key(self, line: int, col: int) -> CellKey:
        row = self.row_at(line)
        assert row is not None  # only KPI rows are read
        return row.kpi, col

    def _undo_text(self, chosen: dict[CellKey, GridCell], action: str, typed: bool) -> str:
        """The undo menu's text: what the user did, on which KPI (for one typed cell)."""
        fy = fy_label(self._fiscal_year)
        if typed and len(chosen) == 1:
            (kpi, col), _cell = next(iter(chosen.items()))
            return f"{fy} {kpi} {COLUMNS[col][0]}の{action}"
        return f"{fy} {action}（{len(chosen)}セル）"

    def _cells_changed(self, keys: Iterable[CellKey]) -> None:
        for key in keys:
            for n, line in enumerate(self._lines):
                if isinstance(line, int) and self._rows[line].kpi == key[0]:
                    idx = self.index(n, key[1])
                    self.dataChanged.emit(idx, idx)


def _field(column: int) -> YearField:
    field = COLUMNS[column][1]
    assert field is not None  # only editable columns are read
    return field
