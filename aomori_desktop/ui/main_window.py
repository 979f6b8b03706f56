"""The main window: the plan tree on the left, the selected item's page on the right."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QByteArray,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    QSettings,
    Qt,
    QTimer,
)
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QLabel,
    QLineEdit,
    QMenu,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from aomori_desktop import APP_TITLE_JA
from aomori_desktop.domain.errors import UserError
from aomori_desktop.domain.fiscal import fy_label
from aomori_desktop.services.dto import NodeKind, TreeKey, TreeNode
from aomori_desktop.ui.file_actions import FileActions
from aomori_desktop.ui.heap import release_heap, settle_heap
from aomori_desktop.ui.plan_tree_view import PlanTreeView
from aomori_desktop.ui.plan_window import PlanWindow
from aomori_desktop.ui.prompts import Prompts
from aomori_desktop.ui.safety import SafetyController
from aomori_desktop.ui.tool_windows import ToolWindows
from aomori_desktop.ui.tree_model import NODE_ROLE, PlanFilterProxy, PlanTreeModel

# The window paints its first tree before SQLAlchemy is imported (ui/first_paint.py): what
# reaches the database is imported where it is used (tests/ui/test_startup_imports.py).
if TYPE_CHECKING:
    from aomori_desktop.services.changes import Changes
    from aomori_desktop.services.workspace import Database
    from aomori_desktop.ui.chart_panel import ChartPanel
    from aomori_desktop.ui.document import PlanDocument
    from aomori_desktop.ui.kpi_page import KpiPage
    from aomori_desktop.ui.overview_page import OverviewPage
    from aomori_desktop.ui.pages import ProjectPage

log = logging.getLogger(__name__)


class MainWindow(FileActions, ToolWindows, PlanWindow):
    def __init__(self, prompts: Prompts | None = None, settings: QSettings | None = None) -> None:
        super().__init__()
        self.prompts = prompts or Prompts()
        self.settings = settings or QSettings()
        self.db: Database | None = None
        self.document: PlanDocument | None = None
        self.first_tree_path: Path | None = None  # the file whose first look the tree shows
        self.setWindowTitle(APP_TITLE_JA)

        self.tree_model = PlanTreeModel(self)
        self.proxy = PlanFilterProxy(self)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("検索（名称・コード・取組内容）")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(self._search)
        self.tree = PlanTreeView()
        self.tree.show_tree(self.tree_model, self.proxy)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._tree_menu)
        self.tree.selectionModel().currentChanged.connect(self._current_changed)
        dock_body = QWidget()
        dock_layout = QVBoxLayout(dock_body)
        dock_layout.setContentsMargins(4, 4, 4, 4)
        dock_layout.addWidget(self.search_edit)
        dock_layout.addWidget(self.tree)
        self.tree_dock = QDockWidget("戦略の構成", self)
        self.tree_dock.setObjectName("planTreeDock")
        self.tree_dock.setWidget(dock_body)
        self.tree_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.tree_dock)
        self.resizeDocks([self.tree_dock], [400], Qt.Orientation.Horizontal)

        self.stack = QStackedWidget()
        self.empty_page = QLabel(
            "データベースが開かれていません。「ファイル」メニューから開いてください。"
        )
        self.empty_page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.empty_page)
        self.setCentralWidget(self.stack)
        self.overview_page: OverviewPage | None = None
        self.project_page: ProjectPage | None = None
        self.kpi_page: KpiPage | None = None

        self.year_combo = QComboBox()
        # wide enough for 令和15(2033)年度 even when shown before any plan's years are added
        self.year_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.year_combo.setMinimumContentsLength(len("令和15(2033)年度") + 2)
        self.year_combo.setToolTip("評価する年度（ツリーのバッジ・概要・一括入力に反映）")
        self.year_combo.currentIndexChanged.connect(self._year_selected)
        self.db_label = QLabel()
        self.year_label = QLabel()
        self.statusBar().addPermanentWidget(self.year_label)
        # no stretch: the left part stays free for messages (保存しました, others' changes)
        self.statusBar().addPermanentWidget(self.db_label)
        self._build_actions()
        self.resize(1400, 900)
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)

    # ------------------------------------------------------------ menus

    def _build_actions(self) -> None:
        menu_file = self.menuBar().addMenu("ファイル(&F)")
        self.act_new = menu_file.addAction("新しいデータベース(&N)…", self.new_database)
        self.act_new.setShortcut(QKeySequence.StandardKey.New)
        self.act_open = menu_file.addAction("開く(&O)…", self.open_database_dialog)
        self.act_open.setShortcut(QKeySequence.StandardKey.Open)
        self.act_connect = menu_file.addAction("接続先(&C)…", self.connect_dialog)
        self.recent_menu = menu_file.addMenu("最近使ったファイル(&R)")
        menu_file.addSeparator()
        self.act_backup = menu_file.addAction("バックアップを保存(&B)…", self.backup_dialog)
        menu_file.addSeparator()
        self.act_import = menu_file.addAction("取り込み（調査票・CSV）(&I)…", self.show_import)
        self.export_menu = menu_file.addMenu("書き出し(&E)")
        self.export_menu.aboutToShow.connect(self._fill_export_menu)
        self._fill_export_menu()
        menu_file.addSeparator()
        act_quit = menu_file.addAction("終了(&X)", self.close)
        act_quit.setShortcut(QKeySequence.StandardKey.Quit)

        self.menu_edit = self.menuBar().addMenu("編集(&E)")
        self.act_undo = QAction("元に戻す(&U)", self)
        self.act_undo.setShortcut(QKeySequence.StandardKey.Undo)
        self.act_undo.triggered.connect(self._undo)
        self.act_redo = QAction("やり直し(&R)", self)
        self.act_redo.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
        self.act_redo.triggered.connect(self._redo)
        self.menu_edit.addAction(self.act_undo)
        self.menu_edit.addAction(self.act_redo)
        self.menu_edit.addSeparator()
        act_find = self.menu_edit.addAction("検索(&F)", lambda: self.search_edit.setFocus())
        act_find.setShortcut(QKeySequence.StandardKey.Find)

        menu_view = self.menuBar().addMenu("表示(&V)")
        self.act_refresh = menu_view.addAction("最新の内容に更新(&R)", self.refresh_all)
        self.act_refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        self.act_refresh.setToolTip("他のパソコンや別の画面で入力された内容を読み直します")
        self.menu_structure = self.menuBar().addMenu("構成(&S)")
        self.menu_tools = self.menuBar().addMenu("ツール(&T)")
        self.act_history = self.menu_tools.addAction("変更履歴(&H)…", self.show_history)
        self.act_history.setShortcut(QKeySequence("Ctrl+H"))
        self.act_bulk = self.menu_tools.addAction("年度実績一括入力(&B)…", self.show_bulk_entry)
        self.act_bulk.setShortcut(QKeySequence("Ctrl+B"))
        menu_help = self.menuBar().addMenu("ヘルプ(&H)")
        menu_help.addAction("このアプリケーションについて(&A)…", self.show_about)

        toolbar = self.addToolBar("メイン")
        toolbar.setObjectName("mainToolbar")
        toolbar.addWidget(QLabel(" 年度: "))
        toolbar.addWidget(self.year_combo)
        toolbar.addSeparator()
        toolbar.addAction(self.act_undo)
        toolbar.addAction(self.act_redo)
        toolbar.addSeparator()
        toolbar.addAction(self.act_bulk)
        toolbar.addAction(self.act_history)
        self.safety = SafetyController(self, menu_file)  # read-only mode, バックアップから復元
        self._update_undo_actions()
        self._fill_recent_menu()

    def _undo(self) -> None:
        if self.document:
            self.document.undo()

    def _redo(self) -> None:
        if self.document:
            self.document.redo()

    def _update_undo_actions(self) -> None:
        stack = self.document.undo_stack if self.document else None
        can_undo = bool(stack and stack.canUndo())
        can_redo = bool(stack and stack.canRedo())
        self.act_undo.setEnabled(can_undo)
        self.act_redo.setEnabled(can_redo)
        self.act_undo.setText(
            f"元に戻す: {stack.undoText()}(&U)" if can_undo and stack else "元に戻す(&U)"
        )
        self.act_redo.setText(
            f"やり直し: {stack.redoText()}(&R)" if can_redo and stack else "やり直し(&R)"
        )
        has_doc = self.document is not None
        for act in (self.act_backup, self.act_import, self.act_history, self.act_bulk):
            act.setEnabled(has_doc)

    # ------------------------------------------------------------ database

    def open_database(self, target: str | Path) -> bool:
        """Open an existing database (File > Open, recent files); a missing file is reported,
        never silently created. Failures become a sentence; nothing is lost. A server that
        wants a password asks for it (ui/server_login.py)."""
        from aomori_desktop.services.workspace import open_existing
        from aomori_desktop.ui.server_login import open_asking_password

        return self._open(
            target, lambda t: open_asking_password(open_existing, t, self.prompts, self)
        )

    def open_or_create_database(self, target: str | Path) -> bool:
        """At start-up: the default (or --db) database, created and seeded if it is new."""
        from aomori_desktop.services.workspace import open_or_create
        from aomori_desktop.ui.server_login import open_asking_password

        # a server that wants a password asks for it (ui/server_login.py)
        return self._open(
            target, lambda t: open_asking_password(open_or_create, t, self.prompts, self)
        )

    def _open(self, target: str | Path, opener: Callable[[str], Database]) -> bool:
        from aomori_desktop.services.workspace import default_plan_id
        from aomori_desktop.ui.document import PlanDocument

        try:
            db = opener(str(target))
        except UserError as exc:
            recovered = self.safety.recover_open(target, exc)  # read-only? restore?
            if recovered is None:
                return False
            db = recovered
        try:
            document = PlanDocument(db, default_plan_id(db), self.prompts, parent=self)
        except UserError as exc:
            db.close()
            self.prompts.error(self, exc.message)
            return False
        try:  # reads the tree and the grades: an unreadable file is refused whole
            self._set_document(db, document)
        except UserError as exc:
            self._close_document()
            self.stack.setCurrentWidget(self.empty_page)
            self.tree_model.set_tree_empty()
            self.prompts.error(self, exc.message)
            return False
        if db.report.upgraded_from is not None:
            self.prompts.info(
                self,
                f"データベースを新しい形式に更新しました。更新前のバックアップ: {db.report.backup_path}",
            )
        return True

    def _set_document(self, db: Database, document: PlanDocument) -> None:
        from aomori_desktop.services.connection import reopen_target
        from aomori_desktop.ui.kpi_page import KpiPage
        from aomori_desktop.ui.overview_page import OverviewPage
        from aomori_desktop.ui.pages import ProjectPage

        self._close_document()
        self.db = db
        self.document = document
        document.changed.connect(self._on_changes)
        document.fiscalYearChanged.connect(self._on_fiscal_year)
        document.undo_stack.indexChanged.connect(lambda _i: self._update_undo_actions())
        document.undo_stack.cleanChanged.connect(lambda _c: self._update_undo_actions())
        for page in (self.overview_page, self.project_page, self.kpi_page):
            if page is not None:
                self.stack.removeWidget(page)
                page.deleteLater()
        self.overview_page = OverviewPage(document)
        self.project_page = ProjectPage(document)
        self.kpi_page = KpiPage(document)
        for page in (self.overview_page, self.project_page, self.kpi_page):
            self.stack.addWidget(page)
            page.navigate.connect(self.select_key)
        self.kpi_page.chartPanelCreated.connect(lambda panel: self._watch_panels([panel]))
        self.overview_page.chartPanelsCreated.connect(self._watch_panels)
        self.on_document_opened(document)
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        for fy in document.fiscal_years:
            self.year_combo.addItem(fy_label(fy), fy)
        saved = self.settings.value("view/fiscal_year")
        fy = (
            int(saved)
            if saved is not None and int(saved) in document.fiscal_years
            else document.fiscal_year
        )
        document.set_fiscal_year(fy)
        self.year_combo.setCurrentIndex(list(document.fiscal_years).index(document.fiscal_year))
        self.year_combo.blockSignals(False)
        if db.path is None or db.path != self.first_tree_path:
            self.tree_model.set_tree_empty()  # another database: a fresh tree, not a merge
        self.first_tree_path = None  # the first look's tree is merged with the one read now
        # the first page is the plan overview: read once, it also gives the tree its grades
        document.reader.overview(TreeKey.plan(), document.fiscal_year)
        self._reload_tree()
        read_only = "（読み取り専用: 変更は保存できません）" if db.read_only else ""
        self.db_label.setText(f"データベース: {db.location}{read_only}")
        self.year_label.setText(f"評価年度: {fy_label(document.fiscal_year)}")
        self._remember_recent(reopen_target(db))  # a server URL without its password
        self.setWindowTitle(f"{APP_TITLE_JA} — {Path(db.location).name}")
        self._update_undo_actions()
        self.safety.after_open(db)  # read-only banner and title, notices
        if self.current_node() is None:
            self.select_key(TreeKey.plan())
        else:  # selected in the first painted tree: shown now, as a click shows it
            self._current_changed(self.tree.currentIndex(), QModelIndex())
        QTimer.singleShot(0, settle_heap)  # once the opened plan is on screen

    def on_document_opened(self, document: PlanDocument) -> None:
        """Adds the structure editor (menu 構成 and the tree's context menu)."""
        from aomori_desktop.ui.evaluation_page import install_evaluation
        from aomori_desktop.ui.structure_editor import StructureEditor

        if not document.db.read_only:
            StructureEditor(self, document)  # a child of the document: goes when it closes
        install_evaluation(self, document)  # menu 評価, the 施策評価 page (issue 11)

    def _watch_panels(self, panels: list[ChartPanel]) -> None:
        for panel in panels:
            panel.exported.connect(
                lambda path: self.statusBar().showMessage(f"書き出しました: {path}", 8000)
            )
            panel.copied.connect(
                lambda: self.statusBar().showMessage(
                    "グラフをコピーしました（Word などに貼り付けできます）", 5000
                )
            )

    def _close_document(self) -> None:
        release_heap()  # what the closing plan held can be collected again
        if self.document is not None:
            # windows working on this database close first (a cell being typed is stored
            # by the bulk-entry window as it closes, while its database is still open)
            from aomori_desktop.ui.bulk_entry import BulkEntryWindow
            from aomori_desktop.ui.history_view import HistoryWindow

            for window in self.findChildren(BulkEntryWindow) + self.findChildren(HistoryWindow):
                window.close()
            self.document.close()  # the work handed to the database worker finishes first
            self.document.undo_stack.clear()
            self.document.deleteLater()
            self.document = None
        if self.db is not None:
            self.db.close()
            self.db = None

    # ------------------------------------------------------------ tree and pages

    def _reload_tree(self) -> None:
        if self.document is None:
            return
        current = self.current_node()
        first_load = self.tree_model.rowCount() == 0
        self.tree_model.set_tree(  # merged into what is shown: selection and expansion stay
            self.document.reader.tree(),
            self.document.reader.year_progress(self.document.fiscal_year),
        )
        if first_load:
            self.tree.expandToDepth(1)
        if current is not None and self.current_node() != current:
            for key in current.key.lineage():  # the item may be gone (undo of an add)
                if self.tree_model.index_for_key(key).isValid():
                    self.select_key(key)
                    break

    def current_node(self) -> TreeNode | None:
        index = self.tree.currentIndex()
        node = index.data(NODE_ROLE) if index.isValid() else None
        return node if isinstance(node, TreeNode) else None

    def select_key(self, key: TreeKey | str) -> None:
        source = self.tree_model.index_for_key(key)
        if not source.isValid():
            return
        index = self.proxy.mapFromSource(source)
        if not index.isValid():  # filtered out: clear the search so the target shows
            self.search_edit.clear()
            index = self.proxy.mapFromSource(source)
        self.tree.scrollTo(index)
        self.tree.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        node = current.data(NODE_ROLE) if current.isValid() else None
        if not isinstance(node, TreeNode) or self.document is None:
            return
        try:
            self.show_node(node)
        except UserError as exc:
            self.prompts.error(self, exc.message)

    def show_node(self, node: TreeNode) -> None:
        assert self.overview_page and self.project_page and self.kpi_page
        if node.kind is NodeKind.KPI:
            self.kpi_page.show_kpi(node.ref)
            self.stack.setCurrentWidget(self.kpi_page)
        elif node.kind is NodeKind.PROJECT:
            self.project_page.show_project(node.ref, node.key)
            self.stack.setCurrentWidget(self.project_page)
        else:
            self.overview_page.show_scope(node.key)
            self.stack.setCurrentWidget(self.overview_page)

    def refresh_all(self) -> None:
        """Read everything again (another PC may have entered figures in the shared file)."""
        if self.document is None:
            return
        self.document.reader.forget()
        try:
            self._reload_tree()
            node = self.current_node()
            if node is not None:
                self.show_node(node)
        except UserError as exc:
            self.prompts.error(self, exc.message)
            return
        self.statusBar().showMessage("最新の内容を表示しました", 3000)

    def _search(self, text: str) -> None:
        self.proxy.set_search(text)
        if text.strip():
            self.tree.expandAll()
        else:
            self.tree.expandToDepth(1)

    def _tree_menu(self, pos: QPoint) -> None:
        node = self.current_node()
        menu = QMenu(self)
        home = node.home if node is not None and node.kind is NodeKind.PROJECT else None
        if home is not None:
            menu.addAction("掲載元へ移動", lambda: self.select_key(home))
        self.fill_tree_menu(menu, node)
        if not menu.isEmpty():
            menu.exec(self.tree.viewport().mapToGlobal(pos))

    def fill_tree_menu(self, menu: QMenu, node: TreeNode | None) -> None:
        """Hook for structure-editing actions."""
        from aomori_desktop.ui.evaluation_page import EvaluationController
        from aomori_desktop.ui.structure_editor import StructureEditor

        editor = self.document.findChild(StructureEditor) if self.document else None
        if editor is not None:
            editor.fill_menu(menu, node)
        evaluation = self.document.findChild(EvaluationController) if self.document else None
        if evaluation is not None:
            evaluation.fill_menu(menu, node)

    # ------------------------------------------------------------ changes

    def _on_changes(self, changes: Changes, initiator: object = None) -> None:
        from aomori_desktop.services.watch import OthersChanged
        from aomori_desktop.ui.document import NothingStored

        if self.document is None:
            return
        try:
            if changes.structure:
                self._reload_tree()
            elif changes.kpis:
                self.tree_model.set_progress(  # the edited KPIs' grades only
                    self.document.reader.year_progress(self.document.fiscal_year, changes.kpis),
                    set(changes.kpis),
                )
        except UserError as exc:  # e.g. the file is locked for a moment: F5 reads again
            self.statusBar().showMessage(f"表示を更新できませんでした: {exc.message}", 10000)
            return
        if isinstance(initiator, OthersChanged):  # 他の利用者（…さん）が K03 を変更しました
            self.statusBar().showMessage(initiator.sentence(), 10000)
            return
        if isinstance(initiator, NothingStored):  # the page beside it says why not
            self.statusBar().clearMessage()
            return
        node = self.current_node()
        if node is not None and node.kind is NodeKind.KPI and node.ref in changes.kpis:
            return  # the page refreshed itself
        self.statusBar().showMessage("保存しました", 3000)

    def _year_selected(self, index: int) -> None:
        if self.document is not None and index >= 0:
            self.document.set_fiscal_year(int(self.year_combo.itemData(index)))

    def _on_fiscal_year(self, fiscal_year: int) -> None:
        assert self.document is not None
        overview = self.overview_page
        if overview is not None and overview.scope == TreeKey.plan() and overview.isVisible():
            # the plan overview grades every KPI anyway: the tree takes its grades from there
            self.document.reader.overview(TreeKey.plan(), fiscal_year)
        self.tree_model.set_progress(self.document.reader.year_progress(fiscal_year))
        self.year_label.setText(f"評価年度: {fy_label(fiscal_year)}")
        self.settings.setValue("view/fiscal_year", fiscal_year)
        combo_index = list(self.document.fiscal_years).index(fiscal_year)
        if self.year_combo.currentIndex() != combo_index:
            self.year_combo.setCurrentIndex(combo_index)

    # ------------------------------------------------------------ closing

    def closeEvent(self, event: QCloseEvent) -> None:
        focus = self.focusWidget()
        if focus is not None:
            focus.clearFocus()  # commits a field being edited
        pending = self.kpi_page.pending_input() if self.kpi_page and self.document else []
        if pending and not self.prompts.confirm(
            self,
            "次の入力は保存されていません（それぞれの理由は次のとおりです）:\n"
            + "\n".join(f"・{p}" for p in pending[:10])
            + "\n\nこのまま閉じますか？（「いいえ」で戻って修正できます）",
        ):
            event.ignore()
            return
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self._close_document()
        super().closeEvent(event)
