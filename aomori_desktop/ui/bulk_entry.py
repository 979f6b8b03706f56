"""年度実績一括入力: one fiscal year × every KPI listing in one table, for the yearly round of entry.

Rows are grouped under pillar and measure header rows (bold, shaded, not editable). 実績値,
速報/確定 and 要因分析・コメント are read exactly like the KPI page's yearly table
(`cell_input.parse_cell`), and every typed cell, paste or delete is stored through
`PlanDocument.apply` as one undoable step; an unreadable cell keeps the typed text, marked, with
the reason under the table, and nothing is stored.

Paste (Ctrl+V) of a block copied from Excel: line i of the block goes to the i-th KPI row shown
from the selected row downwards; pillar and measure header rows are skipped, so N lines fill the
next N KPI rows (with 未入力のみ表示 or a search on, the rows shown). Columns map one to one from
the selected column; computed and fixed columns inside the block are skipped, like in the yearly
table. The block is read as a whole and stored all or nothing. Copy (Ctrl+C) writes KPI rows
only, so a copied range pastes back where it came from. One value pasted onto a selection of
several cells fills each selected editable cell; Delete clears the selected editable cells.

A KPI serving two measures is listed under both (K01 under 1-1 and 1-2). Both rows show the one
stored value; pasting two different values for it in one block is refused.

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
from PySide6.QtGui import (
    QAction,
    QBrush,
    QCloseEvent,
    QColor,
    QFont,
    QGuiApplication,
    QKeySequence,
    QPainter,
)
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from aomori_desktop.domain.errors import InvalidInput, UserError
from aomori_desktop.domain.fiscal import fy_label
from aomori_desktop.domain.numbers import format_decimal
from aomori_desktop.domain.progress import Grade, format_rate
from aomori_desktop.services.changes import Changes
from aomori_desktop.services.dto import BulkRow
from aomori_desktop.services.kpi_values import KpiYearEdit
from aomori_desktop.ui.cell_input import (
    YearField,
    cell_problem_text,
    edit_for,
    edited_fields,
    format_cell,
    inverse_edit,
    merge_edits,
    parse_cell,
    parse_tsv,
    rejection_message,
    to_tsv,
)
from aomori_desktop.ui.document import PlanDocument
from aomori_desktop.ui.grades import GRADE_COLOURS, grade_text
from aomori_desktop.ui.kpi_page import MessageLine
from aomori_desktop.ui.year_table import INVALID_BACKGROUND, PasteTableView

AnyIndex = QModelIndex | QPersistentModelIndex
# edits, undo text → True if something changed; raises UserError when the service refuses
Commit = Callable[[list[KpiYearEdit], str], bool]

WINDOW_TITLE = "年度実績一括入力"
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
    COL_ACTUAL: "この年度の実績値。1,234 ／ １２３４ ／ ▲5 のように入力できます（単位は付けません）。",
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
        for r in self._rows:
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
            return invalid[0] if invalid is not None else self._text(row, col)
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
                    "どちらの行で入力しても同じ値になります。"
                )
            return f"{row.kpi} {row.name}"
        if col == COL_ACTUAL:
            if row.actual is None:
                return f"{fy_label(self._fiscal_year)}の実績値が未入力です。"
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

    def commit_block(
        self, top: int, left: int, block: Sequence[Sequence[str]], *, single: bool = False
    ) -> bool:
        """Paste `block` with its first cell at (top, left), skipping header rows (see the module
        docstring); read as a whole and stored all or nothing as one undoable step."""
        kpi_lines = [n for n in range(max(top, 0), len(self._lines)) if self.row_at(n)]
        cells = [
            (kpi_lines[r], left + c, text)
            for r, texts in enumerate(block[: len(kpi_lines)])
            for c, text in enumerate(texts)
            if 0 <= left + c < len(COLUMNS)
        ]
        outside: list[str] = []
        if len(block) > len(kpi_lines):
            outside.append(
                f"貼り付ける範囲が表の外にはみ出しています（{len(block)}行を貼り付けようとしましたが、"
                f"選んだ行から下のKPIは{len(kpi_lines)}行です。見出し行は飛ばして貼り付けます）。"
            )
        elif any(left + len(texts) > len(COLUMNS) for texts in block):
            outside.append(
                "貼り付ける範囲が表の右にはみ出しています。貼り付け先の列を確認してください。"
            )
        return self._store(cells, "貼り付け", typed=single, outside=outside)

    def commit_cells(self, cells: Sequence[tuple[int, int, str]], action: str) -> bool:
        """Store several cells (a filled selection, a cleared selection) as one step."""
        return self._store(cells, action, typed=False)

    def _store(
        self,
        cells: Sequence[tuple[int, int, str]],
        action: str,
        *,
        typed: bool,
        outside: Sequence[str] = (),
    ) -> bool:
        fy = self._fiscal_year
        edits: list[KpiYearEdit] = []
        problems = list(outside)
        bad: dict[CellKey, tuple[str, str]] = {}
        done: dict[CellKey, str] = {}  # readable cells → typed text
        seen: dict[tuple[str, YearField], tuple[object, str, str]] = {}
        readable = 0
        for line, col, text in cells:
            row = self.row_at(line)
            field = COLUMNS[col][1] if 0 <= col < len(COLUMNS) else None
            if row is None or field is None:
                continue  # header rows and computed columns are skipped
            readable += 1
            key = (row.kpi, col)
            try:
                value = parse_cell(field, text)
            except InvalidInput as exc:
                problems.append(cell_problem_text(fy, field, text, exc.message, row.kpi))
                bad[key] = (text, exc.message)
                continue
            earlier = seen.get((row.kpi, field))
            if earlier is not None:
                if earlier[0] != value:
                    problems.append(
                        f"{row.kpi} {fy_label(fy)}の{field.value}: 同じKPIの{earlier[1]}と"
                        f"{row.measure_code}の行に違う値「{earlier[2]}」「{text}」が入っています。"
                    )
                done[key] = text
                continue
            seen[(row.kpi, field)] = (value, row.measure_code, text)
            edits.append(edit_for(row.kpi, fy, field, value))
            done[key] = text
        if problems:
            if typed:
                self._invalid.update(bad)
                self._cells_changed(bad)
            self.inputRejected.emit(rejection_message(problems, readable))
            return False
        if not edits:
            if not typed:
                self.inputRejected.emit(
                    "入力できるのは「実績値」「速報/確定」「要因分析・コメント」の列です。"
                )
            return False
        try:
            stored = self._commit(merge_edits(edits), self._undo_text(edits, action, typed))
        except UserError as exc:  # refused by the service (e.g. the database is locked)
            if typed:
                self._invalid.update({k: (t, exc.message) for k, t in done.items()})
                self._cells_changed(done)
            self.inputRejected.emit(exc.message)
            return False
        cleared = [k for k in done if self._invalid.pop(k, None) is not None]
        self._cells_changed(cleared)
        if typed:
            self.inputStored.emit("")
        elif stored:
            self.inputStored.emit(
                f"{len(edits)}件を保存しました（{action}）。Ctrl+Z で元に戻せます。"
            )
        else:
            self.inputStored.emit("保存されている値と同じため、変更はありません。")
        return True

    def _undo_text(self, edits: list[KpiYearEdit], action: str, typed: bool) -> str:
        fy = fy_label(self._fiscal_year)
        if typed and len(edits) == 1:
            e = edits[0]
            return f"{fy} {e.kpi} {edited_fields(e)[0].value}"
        return f"{fy} {action}（{len(edits)}件）"

    def _cells_changed(self, keys: Iterable[CellKey]) -> None:
        for key in keys:
            for n, line in enumerate(self._lines):
                if isinstance(line, int) and self._rows[line].kpi == key[0]:
                    idx = self.index(n, key[1])
                    self.dataChanged.emit(idx, idx)


class BulkDelegate(QStyledItemDelegate):
    """Draws 未入力 in an empty 実績値 cell (display only: copying the cell gives "")."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        super().paint(painter, option, index)
        if index.data(MISSING_ROLE):
            painter.save()
            painter.setPen(MISSING_TEXT)
            painter.drawText(
                option.rect.adjusted(4, 0, -6, 0),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                "未入力",
            )
            painter.restore()


class BulkTableView(PasteTableView):
    """The yearly table's copy/paste/delete, aware of header rows; Enter moves down a KPI row."""

    def _bulk_model(self) -> BulkEntryModel | None:
        model = self.model()
        return model if isinstance(model, BulkEntryModel) else None

    def _selected(self) -> list[tuple[int, int]]:
        selection = self.selectionModel()
        indexes = selection.selectedIndexes() if selection is not None else []
        if not indexes and self.currentIndex().isValid():
            indexes = [self.currentIndex()]
        return sorted({(i.row(), i.column()) for i in indexes})

    def copy_selection(self) -> str:
        model = self._bulk_model()
        cells = self._selected()
        if model is None or not cells:
            return ""
        top, bottom = min(r for r, _ in cells), max(r for r, _ in cells)
        left, right = min(c for _, c in cells), max(c for _, c in cells)
        rows = [
            [str(model.data(model.index(r, c)) or "") for c in range(left, right + 1)]
            for r in range(top, bottom + 1)
            if model.row_at(r) is not None
        ]
        text = to_tsv(rows)
        QGuiApplication.clipboard().setText(text)
        return text

    def paste(self, text: str | None = None) -> bool:
        model = self._bulk_model()
        if text is None:
            text = QGuiApplication.clipboard().text()
        cells = self._selected()
        if model is not None and text and len(cells) > 1:
            block = parse_tsv(text)
            if len(block) == 1 and len(block[0]) == 1:  # one value onto a selection: fill it
                return model.commit_cells([(r, c, block[0][0]) for r, c in cells], "貼り付け")
        return super().paste(text)

    def clear_selection_cells(self) -> bool:
        model = self._bulk_model()
        cells = self._selected()
        if model is None or not cells:
            return False
        return model.commit_cells([(r, c, "") for r, c in cells], "消去")

    def commit_open_editor(self) -> None:
        editor = self.indexWidget(self.currentIndex())
        if self.state() == QAbstractItemView.State.EditingState and editor is not None:
            self.commitData(editor)
            self.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        super().closeEditor(editor, hint)
        model = self._bulk_model()
        current = self.currentIndex()
        if (
            hint == QAbstractItemDelegate.EndEditHint.SubmitModelCache
            and model is not None
            and current.isValid()
            and not model.is_invalid(current)
        ):
            below = next(
                (n for n in range(current.row() + 1, model.rowCount()) if model.row_at(n)), None
            )
            if below is not None:
                self.setCurrentIndex(model.index(below, current.column()))


class BulkEntryWindow(QDialog):
    """The non-modal 年度実績一括入力 window of one open plan (its undo stack is the document's)."""

    def __init__(self, document: PlanDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # a window of its own (title bar, maximise), still owned by the main window
        self.setWindowFlags(Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(WINDOW_TITLE)
        self.document = document

        self.year_combo = QComboBox()
        for fy in document.fiscal_years:
            self.year_combo.addItem(fy_label(fy), fy)
        self.year_combo.setCurrentIndex(list(document.fiscal_years).index(document.fiscal_year))
        self.missing_check = QCheckBox("未入力のみ表示")
        self.missing_check.setToolTip(
            "実績値が未入力のKPIだけを表示します。入力した行は、表示を切り替えるまで残ります。"
        )
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("絞り込み（コード・KPI名・施策）")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMaximumWidth(280)
        self.count_label = QLabel()
        self.count_label.setStyleSheet("font-weight: bold;")

        self.undo_action = QAction("元に戻す", self)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_action.triggered.connect(document.undo)
        self.redo_action = QAction("やり直し", self)
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
        self.redo_action.triggered.connect(document.redo)
        for action in (self.undo_action, self.redo_action):
            self.addAction(action)
        undo_button, redo_button = QToolButton(), QToolButton()
        undo_button.setDefaultAction(self.undo_action)
        redo_button.setDefaultAction(self.redo_action)

        self.model = BulkEntryModel(self._commit, self)
        self.table = BulkTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegate(BulkDelegate(self.table))
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.table.horizontalHeader()
        for col, width in COLUMN_WIDTHS.items():
            self.table.setColumnWidth(col, width)
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(40)
        self.message = MessageLine()
        hint = QLabel(
            "セルを選んで入力し Enter（次のKPIへ移動）。Excel の表は Ctrl+V で貼り付けると、"
            "選んだ行から下のKPI行に順に入ります（見出し行は飛ばします）。Delete で消去、"
            "Ctrl+Z で元に戻せます。"
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555555;")
        close_button = QPushButton("閉じる")
        close_button.setAutoDefault(False)  # Enter belongs to the table, never closes the window
        close_button.clicked.connect(self.close)

        top = QHBoxLayout()
        top.addWidget(QLabel("年度:"))
        top.addWidget(self.year_combo)
        top.addSpacing(12)
        top.addWidget(self.missing_check)
        top.addSpacing(12)
        top.addWidget(self.search_edit, 1)
        top.addSpacing(12)
        top.addWidget(self.count_label)
        top.addStretch(1)
        top.addWidget(undo_button)
        top.addWidget(redo_button)
        bottom = QHBoxLayout()
        bottom.addWidget(hint, 1)
        bottom.addWidget(close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addLayout(bottom)

        self.model.modelReset.connect(self._after_reset)
        self.model.dataChanged.connect(lambda *_: self._update_count())
        self.model.inputRejected.connect(self.message.show_error)
        self.model.inputStored.connect(self._stored)
        self.table.messageRequested.connect(self.message.show_error)
        self.year_combo.currentIndexChanged.connect(lambda _i: self.reload())
        self.missing_check.toggled.connect(lambda _c: self._filter())
        self.search_edit.textChanged.connect(lambda _t: self._filter())
        document.changed.connect(self._on_changes)
        # the slots take what the signal carries: the stack also signals while it is destroyed
        stack = document.undo_stack
        stack.canUndoChanged.connect(self.undo_action.setEnabled)
        stack.canRedoChanged.connect(self.redo_action.setEnabled)
        stack.undoTextChanged.connect(self._undo_text_changed)
        stack.redoTextChanged.connect(self._redo_text_changed)
        self.undo_action.setEnabled(stack.canUndo())
        self.redo_action.setEnabled(stack.canRedo())
        self._undo_text_changed(stack.undoText())
        self._redo_text_changed(stack.redoText())
        document.destroyed.connect(self.close)
        available = self.screen().availableGeometry()  # office laptops can be 1366×768
        self.resize(min(1400, available.width() - 40), min(900, available.height() - 40))
        self.reload()

    # ------------------------------------------------------------ loading

    @property
    def fiscal_year(self) -> int:
        return int(self.year_combo.currentData())

    def set_fiscal_year(self, fiscal_year: int) -> None:
        self.year_combo.setCurrentIndex(list(self.document.fiscal_years).index(fiscal_year))

    def reload(self) -> None:
        """Read every listing of the chosen year again (year change, structure change)."""
        self.message.clear_message()
        try:
            rows = self.document.reader.bulk_rows(self.fiscal_year)
        except UserError as exc:
            self.message.show_error(exc.message)
            return
        self.model.set_rows(self.fiscal_year, rows)

    def _filter(self) -> None:
        self.model.set_filter(self.missing_check.isChecked(), self.search_edit.text())

    def _after_reset(self) -> None:
        self.table.clearSpans()
        for line in self.model.group_lines():
            self.table.setSpan(line, 0, 1, len(COLUMNS))
        self._update_count()

    def _update_count(self) -> None:
        total, missing, shown = self.model.counts()
        text = f"{total}件中 未入力 {missing}件"
        if self.missing_check.isChecked() or self.search_edit.text().strip():
            text += f"（表示 {shown}件）"
        self.count_label.setText(text)

    def _on_changes(self, changes: Changes) -> None:
        if changes.structure:
            self.reload()
            return
        if not changes.kpis:
            return
        try:
            rows = self.document.reader.bulk_rows(self.fiscal_year)
        except UserError as exc:
            self.message.show_error(exc.message)
            return
        if not self.model.update_rows(rows):
            self.model.set_rows(self.fiscal_year, rows)

    def _undo_text_changed(self, text: str) -> None:
        self.undo_action.setToolTip(f"元に戻す: {text}（Ctrl+Z）" if text else "元に戻す（Ctrl+Z）")

    def _redo_text_changed(self, text: str) -> None:
        self.redo_action.setToolTip(f"やり直し: {text}（Ctrl+Y）" if text else "やり直し（Ctrl+Y）")

    # ------------------------------------------------------------ edits

    def _commit(self, edits: list[KpiYearEdit], text: str) -> bool:
        """Store the edits as one undoable step; the undo puts back what the table showed."""
        before = [inverse_edit(e, self.model.stored(e.kpi)) for e in edits]
        changes = self.document.apply_year_edits(text, edits, before)
        return not changes.empty

    def _stored(self, text: str) -> None:
        if text:
            self.message.show_info(text)
        else:
            self.message.clear_message()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.table.commit_open_editor()  # what is being typed is kept, as when leaving the cell
        super().closeEvent(event)


def open_bulk_entry(parent: QWidget, document: PlanDocument) -> BulkEntryWindow:
    """Show the bulk-entry window of `parent` for `document`, reusing the one already open."""
    for window in parent.findChildren(BulkEntryWindow):
        if window.document is document and window.isVisible():
            window.raise_()
            window.activateWindow()
            return window
        window.close()  # a window of a database that is no longer open
    window = BulkEntryWindow(document, parent)
    window.show()
    window.raise_()
    window.activateWindow()
    return window


if __name__ == "__main__":  # preview on a throw-away copy of the default plan
    import sys
    import tempfile
    from pathlib import Path

    from aomori_desktop.services.workspace import create_seeded_database, default_plan_id
    from aomori_desktop.ui.prompts import Prompts
    from aomori_desktop.ui.qt_setup import create_application

    app = create_application(sys.argv)
    folder = tempfile.TemporaryDirectory()
    db = create_seeded_database(Path(folder.name) / "preview.sqlite3")
    doc = PlanDocument(db, default_plan_id(db), Prompts())
    doc.set_fiscal_year(2025)
    host = QWidget()
    open_bulk_entry(host, doc)
    code = app.exec()
    db.close()
    sys.exit(code)
