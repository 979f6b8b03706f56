"""The window's file actions: new, open, 接続先 (a file or a server), recent targets, backup, and the exports menu.

A mixin of `MainWindow` (kept apart so that each module stays readable). Backups and exports
run through the operation layer (`PlanDocument.run_task`): off the GUI thread, with progress,
a Japanese sentence on failure.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMenu, QStackedWidget, QStatusBar, QWidget

from aomori_desktop.domain.errors import UserError
from aomori_desktop.services.changes import Applied
from aomori_desktop.services.dto import NodeKind, TreeNode
from aomori_desktop.ui.collection_export import add_export_actions
from aomori_desktop.ui.prompts import Prompts

if TYPE_CHECKING:  # what reaches the database loads after the first paint (ui/first_paint.py)
    from aomori_desktop.services.tasks import TaskState
    from aomori_desktop.services.workspace import Database
    from aomori_desktop.ui.chart_panel import ChartPanel
    from aomori_desktop.ui.document import PlanDocument
    from aomori_desktop.ui.kpi_page import KpiPage
    from aomori_desktop.ui.overview_page import OverviewPage

MAX_RECENT = 10  # recent targets: file paths and server URLs, never a password
DB_FILTER = "データベース (*.sqlite3 *.sqlite *.db);;すべてのファイル (*)"


class FileActions:
    """File menu behaviour; expects the attributes below from the main window."""

    prompts: Prompts
    settings: QSettings
    db: Database | None
    document: PlanDocument | None
    stack: QStackedWidget
    kpi_page: KpiPage | None
    overview_page: OverviewPage | None
    export_menu: QMenu
    recent_menu: QMenu

    if TYPE_CHECKING:  # provided by MainWindow / QMainWindow

        def statusBar(self) -> QStatusBar: ...
        def open_database(self, target: str | Path) -> bool: ...
        def current_node(self) -> TreeNode | None: ...

    def _widget(self) -> QWidget:
        assert isinstance(self, QWidget)
        return self

    def _run_file_task(
        self,
        label: str,
        work: Callable[[TaskState], Applied[Path]],
        done_text: Callable[[Path], str],
    ) -> None:
        document = self.document
        if document is None:
            return

        def success(applied: Applied[Path]) -> None:
            if applied.value is not None:
                self.statusBar().showMessage(done_text(applied.value), 8000)

        document.run_task(
            label,
            work,
            on_success=success,
            on_failure=lambda exc: self.prompts.error(self._widget(), exc.message),
        )

    def new_database(self) -> None:
        path = self.prompts.save_path(
            self._widget(), "新しいデータベース", "aomori-desktop.sqlite3", DB_FILTER
        )
        if not path:
            return
        if Path(path).exists():
            self.prompts.error(
                self._widget(),
                f"「{path}」は既に存在します。上書きはしません。別の名前を指定してください。",
            )
            return
        from aomori_desktop.services.workspace import create_seeded_database

        try:
            db = create_seeded_database(path)
        except UserError as exc:
            self.prompts.error(self._widget(), exc.message)
            return
        db.close()
        self.open_database(path)

    def open_database_dialog(self) -> None:
        path = self.prompts.open_path(self._widget(), "データベースを開く", DB_FILTER)
        if path:
            self.open_database(path)

    def connect_dialog(self) -> None:
        """ファイル → 接続先…: a file on this PC or a database on a server, or a recent one;
        opened through the usual open path (the server's password asked there)."""
        from aomori_desktop.ui.connect_dialog import ConnectDialog

        recent = self._recent()
        current = recent[0] if recent else None
        dialog = ConnectDialog(recent, self.prompts, self._widget(), current=current)
        if self.prompts.run_dialog(dialog) and dialog.target:
            self.open_database(dialog.target)

    def backup_dialog(self) -> None:
        if self.db is None:
            return
        from datetime import datetime

        from aomori_desktop.services.workspace import backup_database

        source = Path(self.db.location)
        suggested = str(
            source.with_name(f"{source.stem}-backup-{datetime.now():%Y%m%d-%H%M}{source.suffix}")
        )
        path = self.prompts.save_path(self._widget(), "バックアップを保存", suggested, DB_FILTER)
        if not path:
            return
        db, target = self.db, Path(path)

        def work(_state: TaskState) -> Applied[Path]:
            return Applied(value=backup_database(db, target))

        self._run_file_task(
            "バックアップの保存", work, lambda saved: f"バックアップを保存しました: {saved}"
        )

    def _chart_panels(self) -> list[tuple[str, ChartPanel]]:
        """The charts on the page in view, with a label for the menu."""
        page = self.stack.currentWidget()
        if page is self.kpi_page and self.kpi_page and self.kpi_page.chart_panel:
            return [("KPIのグラフ", self.kpi_page.chart_panel)]
        overview = self.overview_page
        if (
            page is overview
            and overview
            and overview.achievement_panel
            and overview.grades_panel
            and overview.tabs.currentWidget() is overview.charts_tab
        ):
            return [
                ("達成率のグラフ", overview.achievement_panel),
                ("評価の内訳のグラフ", overview.grades_panel),
            ]
        return []

    def _fill_export_menu(self) -> None:
        menu = self.export_menu
        menu.clear()
        for label, panel in self._chart_panels():
            sub = menu.addMenu(label)
            for action in panel.menu_actions():
                sub.addAction(action)
        if not menu.isEmpty():
            menu.addSeparator()
        has_doc = self.document is not None
        menu.addAction("グラフの一括書き出し(&B)…", self.batch_export).setEnabled(has_doc)
        menu.addAction("計画全体をJSONで書き出す(&J)…", self.export_json).setEnabled(has_doc)
        add_export_actions(menu, self)  # Excel, CSV and the 調査票 (ui/collection_export.py)

    def batch_export(self) -> None:
        from aomori_desktop.ui.batch_export_dialog import BatchExportDialog

        document = self.document
        if document is None:
            return
        tree = document.reader.tree()
        kpis: dict[str, str] = {}
        for pillar in tree.children:
            for measure in pillar.children:
                for node in measure.children:
                    if node.kind is NodeKind.KPI:
                        kpis.setdefault(node.ref, node.title)
        current = self.current_node()
        selected = self._kpis_under(current) if current is not None else list(kpis)
        dialog = BatchExportDialog(
            list(kpis.items()),
            document.reader.kpi_detail,
            self._widget(),
            selected=selected or list(kpis),
            prompts=self.prompts,
            as_of=document.fiscal_year,
        )
        self.prompts.run_dialog(dialog)
        summary = dialog.result_summary
        if summary is not None:
            self.statusBar().showMessage(summary.summary, 10000)

    def _kpis_under(self, node: TreeNode) -> list[str]:
        if node.kind is NodeKind.KPI:
            return [node.ref]
        codes: list[str] = []
        stack = [node]
        while stack:
            current = stack.pop()
            if current.kind is NodeKind.KPI and current.ref not in codes:
                codes.append(current.ref)
            stack.extend(reversed(current.children))
        return codes

    def export_json(self) -> None:
        if self.db is None:
            return
        path = self.prompts.save_path(
            self._widget(), "計画全体をJSONで書き出す", "aomori-plan.json", "JSON (*.json)"
        )
        if not path:
            return
        db, target = self.db, Path(path)

        def work(state: TaskState) -> Applied[Path]:
            from aomori_desktop.exchange.json_format import dump_plan
            from aomori_desktop.fileio import write_text_atomically
            from aomori_desktop.services.workspace import export_plan

            state.report(0, 2, "計画を読み込んでいます")
            text = dump_plan(export_plan(db))
            state.check()
            state.report(1, 2, "ファイルに書き込んでいます")
            write_text_atomically(target, text)
            return Applied(value=target)

        self._run_file_task(
            "計画全体のJSON書き出し", work, lambda saved: f"書き出しました: {saved}"
        )

    def _remember_recent(self, location: str) -> None:
        recent = [p for p in self._recent() if p != location]
        recent.insert(0, location)
        self.settings.setValue("files/recent", recent[:MAX_RECENT])
        self.settings.setValue("files/last", location)
        self._fill_recent_menu()

    def _recent(self) -> list[str]:
        value = self.settings.value("files/recent", [])
        if isinstance(value, str):
            return [value]
        return [str(v) for v in value] if isinstance(value, list) else []

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self._recent()
        for path in recent:
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open_database(p))
        self.recent_menu.setEnabled(bool(recent))
