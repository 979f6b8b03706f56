"""Data safety in the window: read-only mode, the choice when someone else edits the file,
and ファイル → バックアップから復元.

`SafetyController` is attached to the main window once. After each opening it shows the
read-only banner (and says why), puts 読み取り専用 in the title and makes the editors read-only,
or takes all that away again; it turns a failed opening into the question the user can answer
(open read-only? restore a backup?) and runs a restore through the operation layer.

Threading: GUI thread only, except the restore's `work`, which runs on the database worker and
touches no widget.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import shiboken6
from PySide6.QtCore import QChildEvent, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QStatusBar,
    QTableWidget,
    QTableWidgetItem,
    QTextEdit,
    QToolBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from aomori_desktop.domain.errors import UserError
from aomori_desktop.services.changes import Applied
from aomori_desktop.ui.prompts import Prompts

if TYPE_CHECKING:  # what reaches the database loads after the first paint (ui/first_paint.py)
    from aomori_desktop.services.tasks import TaskState
    from aomori_desktop.services.workspace import (
        BackupInfo,
        Database,
        LockHolder,
        RestoreResult,
    )
    from aomori_desktop.ui.document import PlanDocument

READ_ONLY_TITLE = "（読み取り専用）"
BANNER_STYLE = (
    "QFrame#readOnlyBanner { background: #fff3c4; border: 1px solid #d9b44a; border-radius: 3px; }"
)
#: buttons that only move around or close (they stay usable in read-only mode)
NAVIGATION = re.compile("移動|閉じる|表示|開く|検索|更新")
LOCK_WATCH_MS = 3000


class SafetyHost(Protocol):
    """What the controller needs from the main window."""

    prompts: Prompts
    db: Database | None
    document: PlanDocument | None
    menu_structure: QMenu
    tree: QTreeView

    def statusBar(self) -> QStatusBar: ...
    def windowTitle(self) -> str: ...
    def setWindowTitle(self, title: str) -> None: ...
    def centralWidget(self) -> QWidget | None: ...
    def open_database(self, target: str | Path) -> bool: ...


# ---------------------------------------------------------------- widgets


class ReadOnlyBanner(QFrame):
    """The yellow bar above the pages: why nothing can be saved, and a retry."""

    retryRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("readOnlyBanner")
        self.setStyleSheet(BANNER_STYLE)
        self.badge = QLabel("読み取り専用")
        self.badge.setStyleSheet("font-weight: bold; color: #6b4e00;")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry_button = QPushButton("編集できるか確かめる")
        self.retry_button.setToolTip("編集中の人が閉じていれば、編集できる状態で開き直します")
        self.retry_button.clicked.connect(self.retryRequested)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 10, 6)
        row.addWidget(self.badge)
        row.addWidget(self.text, 1)
        row.addWidget(self.retry_button)

    def show_reason(self, reason: str, *, can_retry: bool) -> None:
        self.text.setText(f"{reason}変更は保存できません（見る・探す・書き出すことはできます）。")
        self.retry_button.setVisible(can_retry)


class InUseDialog(QDialog):
    """Someone else edits the file: open it read-only, or not at all."""

    def __init__(self, location: str, holder: LockHolder, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("データベースは編集中です")
        name = Path(location).name
        seen = holder.seen.astimezone().strftime("%H:%M:%S")
        self.message = QLabel(
            f"「{name}」は、{holder.describe()}編集中です。同時に編集することはできません。\n\n"
            "読み取り専用で開くと、内容を見たり、グラフや表を書き出したりできます"
            "（変更は保存できません）。\n"
            f"（編集中の確認: {seen}。場所: {location}）"
        )
        self.message.setWordWrap(True)
        self.read_only_button = QPushButton("読み取り専用で開く")
        self.read_only_button.setDefault(True)
        self.read_only_button.clicked.connect(self.accept)
        self.cancel_button = QPushButton("開かない")
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.read_only_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(520, 200)


RESTORE_HEADERS = ["作成日時", "種類", "大きさ", "実績値", "最新の変更"]


class RestoreDialog(QDialog):
    """The backups of one database, newest first; choose one and confirm to restore it."""

    def __init__(
        self,
        db_path: Path,
        backups: list[BackupInfo],
        prompts: Prompts,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("バックアップから復元")
        self._prompts = prompts
        self._backups = backups
        self.chosen: BackupInfo | None = None
        intro = QLabel(
            f"「{db_path.name}」を、選んだバックアップの時点の内容に戻します。"
            "現在の内容は、復元の前にバックアップとして保存されます。"
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(len(backups), len(RESTORE_HEADERS))
        self.table.setHorizontalHeaderLabels(RESTORE_HEADERS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for row, info in enumerate(backups):
            for col, text in enumerate(_row_texts(info)):
                item = QTableWidgetItem(text)
                item.setToolTip(str(info.path))
                if col in (2, 3):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, col, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _i: self._restore())
        self.restore_button = QPushButton("この時点に復元…")
        self.restore_button.setEnabled(False)
        self.restore_button.clicked.connect(self._restore)
        close = QPushButton("閉じる")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.restore_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.resize(900, 420)
        if backups:
            self.table.selectRow(0)

    def _selection_changed(self) -> None:
        rows = {i.row() for i in self.table.selectedIndexes()}
        usable = len(rows) == 1 and self._backups[next(iter(rows))].problem is None
        self.restore_button.setEnabled(usable)

    def selected(self) -> BackupInfo | None:
        rows = {i.row() for i in self.table.selectedIndexes()}
        return self._backups[next(iter(rows))] if len(rows) == 1 else None

    def _restore(self) -> None:
        info = self.selected()
        if info is None or info.problem is not None:
            return
        when = info.made_at.strftime("%Y/%m/%d %H:%M")
        if self._prompts.confirm(
            self,
            f"データベースを {when}（{info.reason_label}）の内容に戻します。\n"
            f"その後に入力した内容は、復元の前に作るバックアップに残ります。よろしいですか？",
        ):
            self.chosen = info
            self.accept()


def _row_texts(info: BackupInfo) -> list[str]:
    size = f"{info.size / 1024:,.0f} KB"
    if info.problem is not None:
        return [f"{info.made_at:%Y/%m/%d %H:%M:%S}", info.reason_label, size, "", info.problem]
    actuals = "" if info.actuals is None else f"{info.actuals:,}件"
    return [
        f"{info.made_at:%Y/%m/%d %H:%M:%S}",
        info.reason_label,
        size,
        actuals,
        info.latest_text,
    ]


# ---------------------------------------------------------------- read-only editors


class ReadOnlyGuard(QObject):
    """While active, the editors in the window's pages (and the bulk-entry table) are made
    read-only, and paste and delete keys in their tables are refused with a word. Chart panels,
    the tree, the search box and the year selector stay as they are: reading, finding and
    exporting go on.

    Pages build some editors as they show an item (a project's yearly status boxes), so the
    window is swept again after every navigation and, while active, every `SWEEP_MS`.
    """

    SWEEP_MS = 700

    def __init__(self, window: SafetyHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._window = window
        self.active = False
        self._timer = QTimer(self)
        self._timer.setInterval(self.SWEEP_MS)
        self._timer.timeout.connect(self.sweep)

    def set_active(self, active: bool) -> None:
        self.active = active
        if active:
            self.sweep()
            self._timer.start()
        else:
            self._timer.stop()  # the pages are built afresh for the next database

    def sweep(self) -> None:
        """Make every editor in reach read-only (cheap; run after each navigation)."""
        if not self.active or not shiboken6.isValid(self._window):
            return
        root = self._window.centralWidget()
        if root is not None:
            for widget in [root, *root.findChildren(QWidget)]:
                if not _in_chart_panel(widget, root):
                    self._freeze(widget)
        from aomori_desktop.ui.bulk_entry import BulkEntryWindow

        window: Any = self._window
        for bulk in window.findChildren(BulkEntryWindow):
            for view in bulk.findChildren(QAbstractItemView):
                self._freeze(view)

    def _freeze(self, widget: QWidget) -> None:
        if isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit | QAbstractSpinBox):
            if not widget.isReadOnly():
                widget.setReadOnly(True)
        elif isinstance(widget, QAbstractItemView):
            widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            if not widget.property("readOnlyGuarded"):
                widget.setProperty("readOnlyGuarded", True)
                widget.installEventFilter(self)
                widget.viewport().installEventFilter(self)  # where cell editors are made
        elif isinstance(widget, QComboBox | QCheckBox | QRadioButton) or (
            isinstance(widget, QAbstractButton) and not NAVIGATION.search(widget.text())
        ):
            widget.setEnabled(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.active and event.type() == QEvent.Type.ChildPolished:
            child = event.child() if isinstance(event, QChildEvent) else None
            if isinstance(child, QWidget):
                self._freeze(child)  # a cell editor opened anyway (programmatically)
            return False
        if (
            self.active
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and (
                event.matches(QKeySequence.StandardKey.Paste)
                or event.matches(QKeySequence.StandardKey.Cut)
                or event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
            )
        ):
            self._window.statusBar().showMessage(
                "読み取り専用で開いているため、変更できません。", 5000
            )
            return True
        return False


def _in_chart_panel(widget: QWidget, root: QWidget) -> bool:
    # the chart stack loads with the first chart (docs/PERFORMANCE.md): before that, no panel
    chart_panel = sys.modules.get("aomori_desktop.ui.chart_panel")
    if chart_panel is None:
        return False
    node: QObject | None = widget
    while node is not None and node is not root:
        if isinstance(node, chart_panel.ChartPanel):
            return True
        node = node.parent()
    return False


# ---------------------------------------------------------------- the controller


class SafetyController(QObject):
    """Read-only mode, the choice on a held file, and restoring backups, for one window."""

    def __init__(self, window: SafetyHost, file_menu: QMenu) -> None:
        super().__init__(window if isinstance(window, QObject) else None)  # goes with the window
        self._window = window
        self.banner = ReadOnlyBanner()
        self.banner.retryRequested.connect(self.retry_editing)
        self.banner_bar = QToolBar("読み取り専用のお知らせ")
        self.banner_bar.setObjectName("readOnlyBannerBar")
        self.banner_bar.setMovable(False)
        self.banner_bar.setFloatable(False)
        self.banner_bar.toggleViewAction().setVisible(False)
        self.banner_bar.addWidget(self.banner)
        self.banner_bar.setVisible(False)
        main: Any = window
        main.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
        main.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.banner_bar)
        self.guard = ReadOnlyGuard(window, self)
        self.act_restore = QAction("バックアップから復元(&R)…", file_menu)
        self.act_restore.triggered.connect(self.restore_dialog)
        backup = next(
            (a for a in file_menu.actions() if a.text().startswith("バックアップを保存")), None
        )
        actions = file_menu.actions()
        after = actions[actions.index(backup) + 1] if backup in actions[:-1] else None
        file_menu.insertAction(after, self.act_restore)  # type: ignore[arg-type]
        window.tree.selectionModel().currentChanged.connect(self._sweep_soon)
        self._watch = QTimer(self)
        self._watch.setInterval(LOCK_WATCH_MS)
        self._watch.timeout.connect(self._check_lock)
        self._lost_shown = False

    def _sweep_soon(self, *_args: object) -> None:
        if self.guard.active:
            QTimer.singleShot(0, self.guard.sweep)  # after the page has shown the item

    # ------------------------------------------------------------ after opening

    def after_open(self, db: Database) -> None:
        """Show what the opened database allows: banner, title, editors, notices."""
        self._lost_shown = False
        read_only = db.read_only
        self._set_read_only(read_only, db.read_only_reason or "読み取り専用で開いています。")
        self.act_restore.setEnabled(db.path is not None)
        if db.lock is not None:
            self._watch.start()
        else:
            self._watch.stop()
        if db.report.notices:
            self._window.prompts.info(None, "\n".join(db.report.notices))

    def _set_read_only(self, read_only: bool, reason: str) -> None:
        window = self._window
        self.banner.show_reason(reason, can_retry=self._can_retry())
        self.banner_bar.setVisible(read_only)
        title = window.windowTitle().replace(READ_ONLY_TITLE, "")
        window.setWindowTitle(title + READ_ONLY_TITLE if read_only else title)
        window.menu_structure.menuAction().setEnabled(not read_only)
        self.guard.set_active(read_only)

    def _can_retry(self) -> bool:
        db = self._window.db
        return bool(
            db and db.path is not None and db.read_only_reason and "編集中" in db.read_only_reason
        )

    def _check_lock(self) -> None:
        db = self._window.db
        if db is None or db.lock is None or self._lost_shown or not db.lock.lost:
            return
        self._lost_shown = True
        self._watch.stop()
        self._set_read_only(
            True,
            "この画面での編集は、他の利用者に引き継がれました（このパソコンが長く止まっていた"
            "可能性があります）。「ファイル」→「開く」で開き直してください。",
        )

    def retry_editing(self) -> None:
        """The banner's retry: open for editing if the holder has closed the file meanwhile."""
        db = self._window.db
        if db is None or db.path is None:
            return
        path = db.path
        from aomori_desktop.services.workspace import DatabaseInUse, open_existing

        try:
            open_existing(path).close()
        except DatabaseInUse as exc:
            self.banner.show_reason(
                f"{exc.holder.describe()}編集中のため、読み取り専用で開いています。", can_retry=True
            )
            return
        except UserError as exc:
            self._window.prompts.error(None, exc.message)
            return
        self._window.open_database(path)

    # ------------------------------------------------------------ a failed opening

    def recover_open(self, target: str | Path, error: UserError) -> Database | None:
        """The answer to a failed opening: read-only when someone else edits (if the user
        agrees), a restore when the file is damaged (if the user wants), else the sentence."""
        from aomori_desktop.services.workspace import (
            DatabaseCorrupt,
            DatabaseInUse,
            list_database_backups,
            open_existing,
            open_read_only,
        )

        prompts = self._window.prompts
        if isinstance(error, DatabaseInUse):
            if not prompts.run_dialog(InUseDialog(str(target), error.holder, None)):
                return None
            try:
                return open_read_only(
                    target,
                    reason=f"{error.holder.describe()}編集中のため、読み取り専用で開いています。",
                )
            except UserError as exc:
                prompts.error(None, exc.message)
                return None
        path = Path(str(target)).expanduser()
        if isinstance(error, DatabaseCorrupt) and "://" not in str(target) and path.exists():
            backups = list_database_backups(path)
            if backups and prompts.confirm(
                None, f"{error.message}\n\nバックアップの一覧を表示して、復元しますか？"
            ):
                if self._restore_now(path, backups):
                    try:
                        return open_existing(path)
                    except UserError as exc:
                        prompts.error(None, exc.message)
                return None
        prompts.error(None, error.message)
        return None

    def _restore_now(self, path: Path, backups: list[BackupInfo]) -> bool:
        """Restore with no document open (the file could not be opened): on the GUI thread."""
        from aomori_desktop.services.workspace import restore_database

        prompts = self._window.prompts
        dialog = RestoreDialog(path, backups, prompts, None)
        if not prompts.run_dialog(dialog) or dialog.chosen is None:
            return False
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            result = restore_database(dialog.chosen.path, path)
        except UserError as exc:
            prompts.error(None, exc.message)
            return False
        finally:
            QApplication.restoreOverrideCursor()
        self._tell_restored(result)
        return True

    # ------------------------------------------------------------ ファイル → バックアップから復元

    def restore_dialog(self) -> None:
        window = self._window
        db, document = window.db, window.document
        if db is None or db.path is None or document is None:
            return
        from aomori_desktop.services.workspace import list_database_backups, restore_database

        path = db.path
        backups = list_database_backups(path)
        if not backups:
            window.prompts.info(
                None,
                "このデータベースのバックアップはまだありません。"
                "バックアップは、毎日最初に開いたときと、読み込み・復元の前に自動で作成されます。",
            )
            return
        dialog = RestoreDialog(path, backups, window.prompts, None)
        if not window.prompts.run_dialog(dialog) or dialog.chosen is None:
            return
        source = dialog.chosen.path

        def work(state: TaskState) -> Applied[RestoreResult]:
            db.engine.dispose()  # no connection of this window keeps the old file open
            return Applied(value=restore_database(source, path, state))

        def success(applied: Applied[RestoreResult]) -> None:
            if applied.value is not None and window.open_database(path):
                self._tell_restored(applied.value)

        document.run_task(
            "バックアップからの復元",
            work,
            on_success=success,
            on_failure=lambda exc: window.prompts.error(None, exc.message),
            cancellable=True,
        )

    def _tell_restored(self, result: RestoreResult) -> None:
        kept = (
            f"復元の前の内容は「{result.safety_copy}」に保存しました。"
            if result.safety_copy is not None
            else ""
        )
        self._window.prompts.info(None, f"「{result.restored_from.name}」から復元しました。{kept}")
