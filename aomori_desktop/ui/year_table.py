"""The yearly table of one KPI: 年度目標, 実績値, 速報/確定, 達成率, 期待進捗率, 評価, コメント.

Editing a cell (or pasting a block from Excel) goes through the `commit` callback, which runs
the service as one undoable step. A value that cannot be read stays in the cell, marked, with
its message, and nothing is stored.
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
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from aomori_desktop.domain.errors import InvalidInput, UserError
from aomori_desktop.domain.fiscal import fy_label
from aomori_desktop.domain.progress import Grade, format_rate
from aomori_desktop.services.dto import KpiDetail, KpiYearView
from aomori_desktop.services.kpi_values import KpiYearEdit
from aomori_desktop.services.tasks import Cancelled
from aomori_desktop.ui.cell_input import (
    YearField,
    cell_problem_text,
    edit_for,
    edited_fields,
    format_cell,
    merge_edits,
    parse_cell,
    parse_tsv,
    rejection_message,
    to_tsv,
)
from aomori_desktop.ui.grades import GRADE_COLOURS, grade_text

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


class KpiYearTableModel(QAbstractTableModel):
    inputRejected = Signal(str)  # a Japanese sentence for the message line

    def __init__(self, commit: Commit, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._commit = commit
        self._detail: KpiDetail | None = None
        self._invalid: dict[tuple[int, int], tuple[str, str]] = {}  # cell → (typed text, message)

    @property
    def detail(self) -> KpiDetail | None:
        return self._detail

    def set_detail(self, detail: KpiDetail | None) -> None:
        same_kpi = (
            detail is not None and self._detail is not None and detail.code == self._detail.code
        )
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
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][0] if 0 <= section < len(COLUMNS) else None
        year = self.year_at(section)
        return fy_label(year.fiscal_year) if year else None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if COLUMNS[index.column()][1] is not None:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        year = self.year_at(index.row()) if index.isValid() else None
        if year is None:
            return None
        col = index.column()
        invalid = self._invalid.get((index.row(), col))
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if invalid is not None:
                return invalid[0]
            return self._text(year, col)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col in NUMERIC_COLUMNS:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if col in (COL_STATUS, COL_GRADE):
                return int(Qt.AlignmentFlag.AlignCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            if invalid is not None:
                return QBrush(INVALID_BACKGROUND)
            if col == COL_GRADE:
                return QBrush(QColor(GRADE_COLOURS[year.progress.grade][0]))
            if COLUMNS[col][1] is None:
                return QBrush(QColor("#f4f4f4"))
            if col == COL_ACTUAL and year.actual is None:
                return QBrush(QColor("#fff8e1"))  # missing actual: easy to spot
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == COL_GRADE:
                return QBrush(QColor(GRADE_COLOURS[year.progress.grade][1]))
            if invalid is not None:
                return QBrush(QColor("#a00000"))
        if role == Qt.ItemDataRole.ToolTipRole:
            if invalid is not None:
                return invalid[1]
            if col == COL_ACTUAL and year.status is not None:
                return f"{year.status.label}値"
            if col == COL_COMMENT and year.comment:
                return year.comment  # the whole comment, however narrow the column
            if col == COL_ENTERED and year.entered_at is not None:
                return f"{year.entered_by} {year.entered_at.astimezone():%Y-%m-%d %H:%M} 入力"
        return None

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
        return self.commit_block(
            index.row(), index.column(), [[str(value if value is not None else "")]], single=True
        )

    # ------------------------------------------------------------ editing

    def commit_block(
        self, top: int, left: int, block: Sequence[Sequence[str]], *, single: bool = False
    ) -> bool:
        """Validate a block of cells as a whole and store all of it or none of it."""
        detail = self._detail
        if detail is None:
            return False
        rows_free, cols_free = len(detail.years) - top, len(COLUMNS) - left
        if len(block) > rows_free or max((len(r) for r in block), default=0) > cols_free:
            self.inputRejected.emit(
                f"貼り付ける範囲（{len(block):,}行×{max(len(r) for r in block)}列）が表の外に"
                f"はみ出しています（ここから下に{rows_free}行、右に{cols_free}列）。"
                "何も保存していません。貼り付け先の位置を確認してください。"
            )
            return False
        edits: list[KpiYearEdit] = []
        problems: list[str] = []
        bad_cells: dict[tuple[int, int], tuple[str, str]] = {}
        outside = False
        for r, cells in enumerate(block):
            for c, text in enumerate(cells):
                row, col = top + r, left + c
                if not (0 <= row < len(detail.years) and 0 <= col < len(COLUMNS)):
                    outside = True
                    continue
                field = COLUMNS[col][1]
                if field is None:
                    continue  # computed columns are skipped when a copied table is pasted back
                year = detail.years[row]
                try:
                    value = parse_cell(field, text)
                except InvalidInput as exc:
                    problems.append(cell_problem_text(year.fiscal_year, field, text, exc.message))
                    bad_cells[(row, col)] = (text, exc.message)
                    continue
                edits.append(edit_for(detail.code, year.fiscal_year, field, value))
        if outside:
            problems.append(
                "貼り付ける範囲が表の外にはみ出しています。貼り付け先の位置を確認してください。"
            )
        if problems:
            if single:
                self._invalid.update(bad_cells)
                for row, col in bad_cells:
                    idx = self.index(row, col)
                    self.dataChanged.emit(idx, idx)
            self.inputRejected.emit(rejection_message(problems, sum(len(r) for r in block)))
            return False
        if not edits:
            return False
        text = _undo_text(detail, edits, single)
        try:
            self._commit(merge_edits(edits), text)
        except UserError as exc:
            # a refused value stays in its cell, marked, for the user to correct; a wait for
            # another user's lock that was given up leaves the cell showing what is stored
            if single and not isinstance(exc, Cancelled):
                (row, col), cell = (top, left), block[0][0]
                self._invalid[(row, col)] = (cell, exc.message)
            self.inputRejected.emit(exc.message)
            return False
        for r in range(len(block)):
            for c in range(len(block[r])):
                self._invalid.pop((top + r, left + c), None)
        return True


def _undo_text(detail: KpiDetail, edits: list[KpiYearEdit], single: bool) -> str:
    if single and len(edits) == 1:
        e = edits[0]
        return f"{detail.code} {fy_label(e.fiscal_year)}の{edited_fields(e)[0].value}"
    return f"{detail.code} 貼り付け（{len(edits)}セル）"


class PasteTableView(QTableView):
    """A table that copies and pastes tab-separated blocks like Excel."""

    messageRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.setAlternatingRowColors(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.verticalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        )

    def keyPressEvent(self, event: Any) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            return
        if event.matches(QKeySequence.StandardKey.Paste):
            self.paste()
            return
        if (
            event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
            and self.state() != QAbstractItemView.State.EditingState
        ):
            self.clear_selection_cells()
            return
        super().keyPressEvent(event)

    def _selected_rect(self) -> tuple[int, int, int, int] | None:
        indexes = self.selectionModel().selectedIndexes() if self.selectionModel() else []
        if not indexes:
            current = self.currentIndex()
            if not current.isValid():
                return None
            return current.row(), current.column(), current.row(), current.column()
        rows = [i.row() for i in indexes]
        cols = [i.column() for i in indexes]
        return min(rows), min(cols), max(rows), max(cols)

    def copy_selection(self) -> str:
        rect = self._selected_rect()
        model = self.model()
        if rect is None or model is None:
            return ""
        top, left, bottom, right = rect
        rows = [
            [str(model.data(model.index(r, c)) or "") for c in range(left, right + 1)]
            for r in range(top, bottom + 1)
        ]
        text = to_tsv(rows)
        QGuiApplication.clipboard().setText(text)
        return text

    def paste(self, text: str | None = None) -> bool:
        model = self.model()
        rect = self._selected_rect()
        if model is None or rect is None:
            self.messageRequested.emit("貼り付け先のセルを選んでください。")
            return False
        if text is None:
            text = QGuiApplication.clipboard().text()
        if not text:
            self.messageRequested.emit("クリップボードに貼り付けられる文字がありません。")
            return False
        block = parse_tsv(text)
        top, left, bottom, right = rect
        if len(block) == 1 and len(block[0]) == 1 and (bottom > top or right > left):
            block = [
                [block[0][0]] * (right - left + 1) for _ in range(bottom - top + 1)
            ]  # fill the selection
        commit = getattr(model, "commit_block", None)
        if commit is None:
            return False
        return bool(commit(top, left, block))

    def clear_selection_cells(self) -> bool:
        rect = self._selected_rect()
        model = self.model()
        if rect is None or model is None:
            return False
        top, left, bottom, right = rect
        block = [[""] * (right - left + 1) for _ in range(bottom - top + 1)]
        commit = getattr(model, "commit_block", None)
        return bool(commit(top, left, block)) if commit else False
