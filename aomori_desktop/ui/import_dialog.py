"""ファイル → 取り込み: returned 調査票 (Excel) and CSV files, shown before anything is written.

The user adds one or several files (the file dialog, or dropping them on the window); each is
read and compared with the database on the database worker (`PlanDocument.run_task`, with
progress and cancel). The dialog then lists, per file, the changes (old → new), the conflicts
side by side (what the form was made with, what the database holds now, the department's
answer) with a choice for each, the refused files and cells with their addresses, and the
same text the command line prints. 取り込む writes everything in one transaction, as one undo
step; a file with refused cells can be taken out of the import.

Threading: the `work` functions handed to `run_task` only call services; every widget is
touched on the GUI thread, in the callbacks.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from aomori_desktop.domain.errors import UserError
from aomori_desktop.domain.fiscal import fy_label
from aomori_desktop.services.changes import Applied
from aomori_desktop.services.collection_apply import ImportResult, apply_import
from aomori_desktop.services.collection_import import (
    FilePreview,
    ImportPreview,
    ReadFile,
    preview_import,
    read_files,
)
from aomori_desktop.services.collection_report import preview_text, value_text, what
from aomori_desktop.services.errors import Conflict
from aomori_desktop.services.tasks import Cancelled, TaskState
from aomori_desktop.ui.document import PlanDocument

FILE_FILTER = "調査票・CSV (*.xlsx *.xlsm *.csv);;Excel ブック (*.xlsx *.xlsm);;CSV (*.csv);;すべてのファイル (*)"
KEEP, TAKE = 0, 1  # the choice of a conflict: keep the database's value / take the answer
_READABLE = {".xlsx", ".xlsm", ".csv", ".xls"}

Read = tuple[list[ReadFile], ImportPreview]


def _item(text: str, *, align_right: bool = False, tooltip: str = "") -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if tooltip:
        item.setToolTip(tooltip)
    return item


def _table(headings: Sequence[str]) -> QTableWidget:
    table = QTableWidget(0, len(headings))
    table.setHorizontalHeaderLabels(list(headings))
    table.verticalHeader().setVisible(False)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setWordWrap(False)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class ImportDialog(QDialog):
    """Preview and import of returned collection workbooks and CSV files."""

    imported = Signal(object)  # ImportResult, after the import was written

    def __init__(self, document: PlanDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("調査票・CSVの取り込み")
        self.setAcceptDrops(True)
        self.resize(1100, 720)
        self._document = document
        self._files: list[ReadFile] = []
        self.preview: ImportPreview | None = None
        self.result_summary: str | None = None
        self._choices: dict[str, QComboBox] = {}

        year = fy_label(document.fiscal_year)
        self.target_label = QLabel(
            f"取り込み先: {document.header.info.name}（評価年度 {year}）。"
            f"調査票は{year}のものだけを取り込みます（評価年度はメイン画面で切り替えます）。"
        )
        self.target_label.setWordWrap(True)
        self.hint_label = QLabel(
            "「ファイルを追加」で、記入された調査票（.xlsx）またはCSVを選んでください"
            "（ここへドラッグしても追加できます）。担当課ごとの複数のファイルをまとめて取り込めます。"
        )
        self.hint_label.setWordWrap(True)

        self.files_table = _table(
            ["ファイル", "年度", "対象", "変更", "競合", "取り込めない", "状態"]
        )
        self.files_table.setMaximumHeight(170)
        self.add_button = QPushButton("ファイルを追加(&A)…")
        self.add_button.clicked.connect(self._ask_files)
        self.remove_button = QPushButton("選んだファイルを外す(&R)")
        self.remove_button.clicked.connect(self.remove_selected)
        file_buttons = QHBoxLayout()
        file_buttons.addWidget(self.add_button)
        file_buttons.addWidget(self.remove_button)
        file_buttons.addStretch(1)

        self.changes_table = _table(["ファイル", "対象", "変更前", "変更後", "セル"])
        self.conflicts_table = _table(
            ["対象", "作成時の値", "データベース（現在）", "調査票", "どちらにするか", "セル"]
        )
        self.refused_table = _table(["ファイル", "取り込めない理由（セル）"])
        self.text_view = QPlainTextEdit()
        self.text_view.setReadOnly(True)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.changes_table, "変更")
        self.tabs.addTab(self.conflicts_table, "競合")
        self.tabs.addTab(self.refused_table, "取り込めないもの")
        self.tabs.addTab(self.text_view, "一覧（文章）")

        self.summary_label = QLabel("")
        self.summary_label.setWordWrap(True)
        self.import_button = QPushButton("取り込む(&I)")
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.confirm)
        self.close_button = QPushButton("閉じる")
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary_label, 1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.target_label)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.files_table)
        layout.addLayout(file_buttons)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(buttons)
        self._show(None)

    # ------------------------------------------------------------ files in

    def _ask_files(self) -> None:
        paths = self._document.prompts.open_paths(self, "取り込むファイルを選ぶ", FILE_FILTER)
        if paths:
            self.add_files([Path(p) for p in paths])

    def add_files(self, paths: Sequence[Path]) -> None:
        """Read `paths` (and the files already listed) on the database worker and show the
        preview when done."""
        known = {f.path.resolve() for f in self._files}
        new = [p for p in paths if p.resolve() not in known]
        if not new:
            return
        listed = list(self._files)
        access = self._document.services.access
        fiscal_year = self._document.fiscal_year

        def work(state: TaskState) -> Applied[Read]:
            files = listed + read_files(new, state)
            state.check()
            return Applied(value=(files, preview_import(access, files, fiscal_year=fiscal_year)))

        self._run("調査票の読み込み", work)

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.files_table.selectedIndexes()})
        if not rows:
            return
        keep = [f for i, f in enumerate(self._files) if i not in rows]
        access = self._document.services.access
        fiscal_year = self._document.fiscal_year

        def work(_state: TaskState) -> Applied[Read]:
            return Applied(value=(keep, preview_import(access, keep, fiscal_year=fiscal_year)))

        self._run("取り込みの確認", work)

    def _run(self, label: str, work: Any) -> None:
        self._set_busy(True)
        self._document.run_task(
            label, work, on_success=self._read_done, on_failure=self._read_failed
        )

    def _read_done(self, applied: Applied[Read]) -> None:
        self._set_busy(False)
        assert applied.value is not None
        self._files, preview = applied.value
        self._show(preview)

    def _read_failed(self, error: UserError) -> None:
        self._set_busy(False)
        if not isinstance(error, Cancelled):
            self._document.prompts.error(self, error.message)
        self._show(self.preview)

    def _set_busy(self, busy: bool) -> None:
        for button in (self.add_button, self.remove_button, self.import_button):
            button.setEnabled(not busy)

    # ------------------------------------------------------------ dropping files

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(Path(u.toLocalFile()).suffix.lower() in _READABLE for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        self.add_files([p for p in paths if p.suffix.lower() in _READABLE])
        event.acceptProposedAction()

    # ------------------------------------------------------------ the preview

    def _show(self, preview: ImportPreview | None) -> None:
        self.preview = preview
        files = preview.files if preview else ()
        self.hint_label.setVisible(not files)
        self._fill_files(files)
        self._fill_changes(preview)
        self._fill_conflicts(preview)
        self._fill_refused(files)
        self._update_text()
        counts = (
            len(preview.changes) if preview else 0,
            len(preview.conflicts) if preview else 0,
            len(preview.problems) if preview else 0,
        )
        self.tabs.setTabText(0, f"変更（{counts[0]}）")
        self.tabs.setTabText(1, f"競合（{counts[1]}）")
        self.tabs.setTabText(2, f"取り込めないもの（{counts[2]}）")
        if counts[2]:
            self.tabs.setCurrentIndex(2)
        elif counts[1]:
            self.tabs.setCurrentIndex(1)
        self._update_summary()

    def _fill_files(self, files: Sequence[FilePreview]) -> None:
        table = self.files_table
        table.setRowCount(len(files))
        for row, f in enumerate(files):
            problems = 1 if f.refused else len(f.problems)
            state = (
                "取り込めません"
                if f.refused
                else "取り込めないセルがあります"
                if f.problems
                else "データベースは作成後に変更されています"
                if f.fresh is False
                else "取り込めます"
            )
            cells = [
                _item(f.source, tooltip=str(f.path)),
                _item("・".join(fy_label(fy) for fy in f.fiscal_years[:2])),
                _item(f.scope),
                _item(str(len(f.changes)), align_right=True),
                _item(str(len(f.conflicts)), align_right=True),
                _item(str(problems), align_right=True),
                _item(state, tooltip=f.refused or ""),
            ]
            for column, cell in enumerate(cells):
                table.setItem(row, column, cell)
        table.resizeColumnsToContents()

    def _fill_changes(self, preview: ImportPreview | None) -> None:
        changes = preview.changes if preview else ()
        table = self.changes_table
        table.setRowCount(len(changes))
        for row, c in enumerate(changes):
            for column, cell in enumerate(
                (
                    _item(c.source),
                    _item(what(c)),
                    _item(value_text(c.old), tooltip=str(c.old or "")),
                    _item(value_text(c.new), tooltip=str(c.new or "")),
                    _item(c.where),
                )
            ):
                table.setItem(row, column, cell)
        table.resizeColumnsToContents()

    def _fill_conflicts(self, preview: ImportPreview | None) -> None:
        conflicts = preview.conflicts if preview else ()
        before = {key: combo.currentIndex() for key, combo in self._choices.items()}
        self._choices = {}
        table = self.conflicts_table
        table.setRowCount(len(conflicts))
        for row, c in enumerate(conflicts):
            base = value_text(c.base) if c.base_known else "不明（CSV）"
            for column, cell in enumerate(
                (
                    _item(f"{c.source}: {what(c)}"),
                    _item(base),
                    _item(value_text(c.database)),
                    _item(value_text(c.workbook)),
                )
            ):
                table.setItem(row, column, cell)
            combo = QComboBox()
            combo.addItems(["データベースの値を残す", "調査票の値にする"])
            combo.setCurrentIndex(before.get(c.key, KEEP))
            combo.currentIndexChanged.connect(lambda _i: self._choice_changed())
            table.setCellWidget(row, 4, combo)
            table.setItem(row, 5, _item(c.where))
            self._choices[c.key] = combo
        table.resizeColumnsToContents()

    def _fill_refused(self, files: Sequence[FilePreview]) -> None:
        lines = [(f.source, f.refused) for f in files if f.refused]
        lines += [(f.source, p) for f in files if not f.refused for p in f.problems]
        table = self.refused_table
        table.setRowCount(len(lines))
        for row, (source, text) in enumerate(lines):
            table.setItem(row, 0, _item(source))
            table.setItem(row, 1, _item(text, tooltip=text))
        table.resizeColumnToContents(0)

    def _choice_changed(self) -> None:
        self._update_text()
        self._update_summary()

    def take_from_workbook(self) -> set[str]:
        """The conflicts for which the user chose the department's answer."""
        return {key for key, combo in self._choices.items() if combo.currentIndex() == TAKE}

    def set_choice(self, key: str, take: bool) -> None:
        self._choices[key].setCurrentIndex(TAKE if take else KEEP)

    def _update_text(self) -> None:
        preview = self.preview
        self.text_view.setPlainText(
            preview_text(preview, self.take_from_workbook()) if preview and preview.files else ""
        )

    def _update_summary(self) -> None:
        preview = self.preview
        if preview is None or not preview.files:
            self.summary_label.setText("")
            self.import_button.setEnabled(False)
            return
        writes = len(preview.changes) + len(self.take_from_workbook())
        if not preview.ok:
            text = (
                f"取り込めないファイルまたはセルが {len(preview.problems)}件あります。"
                "ファイルを直して追加し直すか、そのファイルを外してください（このままでは何も取り込みません）。"
            )
        elif writes == 0:
            text = "取り込む変更はありません。"
        else:
            text = f"{writes}件の値を取り込みます（元に戻すことができます）。"
        self.summary_label.setText(text)
        self.import_button.setEnabled(preview.ok and writes > 0)

    # ------------------------------------------------------------ confirming

    def confirm(self) -> None:
        preview = self.preview
        if preview is None or not preview.ok:
            return
        take = self.take_from_workbook()
        access = self._document.services.access

        def work(state: TaskState) -> Applied[ImportResult]:
            return apply_import(access, preview, use_workbook=take, state=state)

        self._set_busy(True)
        self._document.run_task(
            "調査票の取り込み", work, on_success=self._import_done, on_failure=self._import_failed
        )

    def _import_done(self, applied: Applied[ImportResult]) -> None:
        self._set_busy(False)
        result = applied.value
        self.result_summary = result.summary if result else "取り込む変更はありませんでした。"
        self.imported.emit(result)
        self.accept()

    def _import_failed(self, error: UserError) -> None:
        self._set_busy(False)
        if isinstance(error, Cancelled):
            self.summary_label.setText(error.message)
            return
        self._document.prompts.error(self, error.message)
        if isinstance(error, Conflict):  # the database changed since the preview: look again
            files = list(self._files)
            self._files = []
            self.add_files([f.path for f in files])


def open_import_dialog(window: Any) -> None:
    """ファイル → 取り込み of the main window (`window.document`, `window.prompts`)."""
    document: PlanDocument | None = window.document
    if document is None:
        return
    dialog = ImportDialog(document, window)
    window.prompts.run_dialog(dialog)
    if dialog.result_summary:
        window.statusBar().showMessage(dialog.result_summary, 10000)
