"""年度実績一括入力: one fiscal year × every KPI listing in one window, for the yearly round of
entry.

The table's model (reading of typed and pasted cells, header rows, the KPI listed twice, and
the paste rules) is in `ui/bulk_table.py`; this module has its view and the window around it:
the year, the 未入力のみ表示 filter and the search, the counts, undo/redo, and storing each
edit through `PlanDocument` as one undoable step.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QPainter
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

from aomori_desktop.domain.errors import UserError
from aomori_desktop.domain.fiscal import fy_label
from aomori_desktop.services.changes import Changes
from aomori_desktop.services.kpi_values import KpiYearEdit
from aomori_desktop.services.watch import OthersChanged
from aomori_desktop.ui.bulk_table import (
    COL_NAME,
    COL_RATE,
    COLUMN_WIDTHS,
    COLUMNS,
    MISSING_ROLE,
    MISSING_TEXT,
    AnyIndex,
    BulkEntryModel,
)
from aomori_desktop.ui.cell_input import inverse_edit
from aomori_desktop.ui.document import PlanDocument
from aomori_desktop.ui.grid_view import PasteTableView
from aomori_desktop.ui.message_line import MessageLine
from aomori_desktop.ui.typing_guard import TypingGuard

WINDOW_TITLE = "年度実績一括入力"


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
    """The yearly table's copy/paste/delete/Enter, aware of header rows and of a KPI listed
    twice (copied once)."""

    def _bulk_model(self) -> BulkEntryModel | None:
        model = self.model()
        return model if isinstance(model, BulkEntryModel) else None

    def _skipped_row(self, row: int) -> bool:
        model = self._bulk_model()
        return model is not None and model.is_group(row)

    def _copied_rows(self, top: int, bottom: int) -> list[int]:
        model = self._bulk_model()
        if model is None:
            return []
        rows: list[int] = []
        copied: set[str] = set()
        for n in range(top, bottom + 1):
            row = model.row_at(n)
            if row is not None and row.kpi not in copied:
                copied.add(row.kpi)
                rows.append(n)
        return rows

    def commit_open_editor(self) -> None:
        editor = self.indexWidget(self.currentIndex())
        if self.state() == QAbstractItemView.State.EditingState and editor is not None:
            self.commitData(editor)
            self.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)


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
            "セルを選んで入力し Enter（次のKPIへ移動）。空欄または - は実績なし。"
            "Excel の表は Ctrl+V で貼り付けると、選んだ行から下のKPIに1行ずつ入ります"
            "（見出し行と、2つの施策に掲載されているKPIの2回目の行は飛ばします）。"
            "Delete で削除、Ctrl+Z で元に戻せます。"
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
        self.typing_guard = TypingGuard([self.table], [], self)  # others' writes wait for it
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
        self._fit_rate_column()

    def _fit_rate_column(self) -> None:
        """A rate far out of range (272900.0) is shown whole, never cut to 「272900…」."""
        model, metrics = self.model, self.table.fontMetrics()
        texts = (str(model.data(model.index(r, COL_RATE)) or "") for r in range(model.rowCount()))
        needed = max((metrics.horizontalAdvance(t) for t in texts), default=0) + 16
        self.table.setColumnWidth(COL_RATE, max(COLUMN_WIDTHS[COL_RATE], needed))

    def _update_count(self) -> None:
        total, missing, shown = self.model.counts()
        text = f"{total}件中 未入力 {missing}件"
        if self.missing_check.isChecked() or self.search_edit.text().strip():
            text += f"（表示 {shown}件）"
        self.count_label.setText(text)

    def _on_changes(self, changes: Changes, initiator: object = None) -> None:
        if isinstance(initiator, OthersChanged) and self.typing_guard.hold(
            changes, self._on_changes
        ):
            return  # an editor is open: shown once the user is done with it
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
        self._fit_rate_column()

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
