"""A table view that copies, pastes, deletes and moves with Enter as Excel does.

Shared by the KPI page's yearly table and the bulk entry; the model does the reading and the
storing (`GridModel`). What staff expect from Excel: Enter moves down (Shift+Enter up); one
value pasted onto a selection fills every selected cell; a block is pasted at the top left of
one selected range, and a block pasted into a multiple selection (Ctrl+click) is refused with
Excel's sentence rather than landing in cells that were not selected; Delete clears exactly the
selected cells; copying a multiple selection is refused; typing into a column that takes no
input (a computed one) says why in the message line instead of doing nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence, QMouseEvent
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QHeaderView,
    QTableView,
    QWidget,
)

from aomori_desktop.exchange.grid import join_clipboard, split_clipboard

AnyIndex = QModelIndex | QPersistentModelIndex
Cells = Sequence[tuple[int, int, str]]  # (row, column, typed or pasted text)

MULTIPLE_SELECTION = "この操作は複数の選択範囲に対して実行できません。"


class GridModel(Protocol):
    """What `PasteTableView` asks of its model (the yearly table and the bulk entry)."""

    def commit_block(
        self, top: int, left: int, block: Sequence[Sequence[str]], *, single: bool = False
    ) -> bool: ...
    def commit_cells(self, cells: Cells, action: str) -> bool: ...
    def is_invalid(self, index: AnyIndex) -> bool: ...
    def read_only_reason(self, column: int) -> str | None: ...


_NO_TEXT_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)


class PasteTableView(QTableView):
    """A table that copies, pastes, deletes and moves with Enter like Excel (see the module
    docstring); its model is a `GridModel`. Messages go out through `messageRequested`."""

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

    # ------------------------------------------------------------ hooks for subclasses

    def _grid_model(self) -> GridModel | None:
        model = self.model()
        return model if hasattr(model, "commit_cells") else None  # type: ignore[return-value]

    def _skipped_row(self, row: int) -> bool:
        """A row that is not part of the grid (a heading row of the bulk entry)."""
        return False

    def _copied_rows(self, top: int, bottom: int) -> list[int]:
        return [r for r in range(top, bottom + 1) if not self._skipped_row(r)]

    # ------------------------------------------------------------ selection

    def selected_cells(self) -> list[tuple[int, int]]:
        """The selected cells (row, column), or the current cell when nothing is selected."""
        selection = self.selectionModel()
        indexes = selection.selectedIndexes() if selection is not None else []
        if not indexes and self.currentIndex().isValid():
            indexes = [self.currentIndex()]
        return sorted({(i.row(), i.column()) for i in indexes})

    def _one_range(self, cells: Sequence[tuple[int, int]]) -> tuple[int, int, int, int] | None:
        """(top, left, bottom, right) when the cells form one rectangle (heading rows aside)."""
        rows, cols = [r for r, _ in cells], [c for _, c in cells]
        top, left, bottom, right = min(rows), min(cols), max(rows), max(cols)
        filled = {
            (r, c)
            for r in range(top, bottom + 1)
            if not self._skipped_row(r)
            for c in range(left, right + 1)
        }
        return (top, left, bottom, right) if filled == set(cells) else None

    # ------------------------------------------------------------ copy, paste, delete

    def copy_selection(self) -> str:
        model = self.model()
        cells = self.selected_cells()
        if model is None or not cells:
            return ""
        rect = self._one_range(cells)
        if rect is None:
            self.messageRequested.emit(
                f"{MULTIPLE_SELECTION}コピーするときは、一つの範囲だけを選んでください。"
            )
            return ""
        top, left, bottom, right = rect
        rows = [
            [str(model.data(model.index(r, c)) or "") for c in range(left, right + 1)]
            for r in self._copied_rows(top, bottom)
        ]
        text = join_clipboard(rows)
        QGuiApplication.clipboard().setText(text)
        return text

    def paste(self, text: str | None = None) -> bool:
        model = self._grid_model()
        cells = self.selected_cells()
        if model is None or not cells:
            self.messageRequested.emit("貼り付け先のセルを選んでください。")
            return False
        if text is None:
            text = QGuiApplication.clipboard().text()
        if not text:
            self.messageRequested.emit("クリップボードに貼り付けられる文字がありません。")
            return False
        block = split_clipboard(text)
        if len(block) == 1 and len(block[0]) == 1 and len(cells) > 1:
            value = block[0][0]  # one value onto a selection fills every selected cell
            return model.commit_cells([(r, c, value) for r, c in cells], "貼り付け")
        rect = self._one_range(cells)
        if rect is None:
            self.messageRequested.emit(
                f"{MULTIPLE_SELECTION}貼り付け先は一つの範囲（または左上の一つのセル）だけを"
                "選んでください。何も保存していません。"
            )
            return False
        return model.commit_block(rect[0], rect[1], block)

    def clear_selection_cells(self) -> bool:
        model = self._grid_model()
        cells = self.selected_cells()
        if model is None or not cells:
            return False
        return model.commit_cells([(r, c, "") for r, c in cells], "削除")

    # ------------------------------------------------------------ keys

    def keyPressEvent(self, event: QKeyEvent) -> None:
        editing = self.state() == QAbstractItemView.State.EditingState
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            return
        if event.matches(QKeySequence.StandardKey.Paste):
            self.paste()
            return
        key = event.key()
        if not editing and key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.clear_selection_cells()
            return
        if not editing and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            up = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self._move_vertically(-1 if up else 1)
            return
        typing = bool(event.text()) and event.text().isprintable()
        if (
            not editing
            and (key == Qt.Key.Key_F2 or (typing and not event.modifiers() & _NO_TEXT_MODIFIERS))
            and self._refuse_read_only(self.currentIndex())
        ):
            return
        super().keyPressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self._refuse_read_only(self.indexAt(event.position().toPoint())):
            return
        super().mouseDoubleClickEvent(event)

    def _refuse_read_only(self, index: QModelIndex) -> bool:
        """Say why a cell takes no input (a computed column); True if it was said."""
        model = self._grid_model()
        if model is None or not index.isValid() or index.flags() & Qt.ItemFlag.ItemIsEditable:
            return False
        if not index.flags() & Qt.ItemFlag.ItemIsEnabled:
            return False  # a heading row
        reason = model.read_only_reason(index.column())
        if reason is None:
            return False
        self.messageRequested.emit(reason)
        return True

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        """After Enter in a cell editor, move down (Shift+Enter: up) unless the value was
        refused (the cursor stays on the cell to be corrected)."""
        super().closeEditor(editor, hint)
        model = self._grid_model()
        current = self.currentIndex()
        if (
            hint == QAbstractItemDelegate.EndEditHint.SubmitModelCache
            and model is not None
            and current.isValid()
            and not model.is_invalid(current)
        ):
            shift = QGuiApplication.keyboardModifiers() & Qt.KeyboardModifier.ShiftModifier
            self._move_vertically(-1 if shift else 1)

    def _move_vertically(self, step: int) -> None:
        model: QAbstractItemModel | None = self.model()
        current = self.currentIndex()
        if model is None or not current.isValid():
            return
        row = current.row() + step
        while 0 <= row < model.rowCount() and self._skipped_row(row):
            row += step
        if 0 <= row < model.rowCount():
            self.setCurrentIndex(model.index(row, current.column()))
