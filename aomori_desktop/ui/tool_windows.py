"""The windows the menus open over the main window: change history, import, bulk entry, about.

A mixin of `MainWindow` (kept apart so that each module stays readable); each window's module
loads when it is first opened, not at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from aomori_desktop.ui.prompts import Prompts

if TYPE_CHECKING:
    from aomori_desktop.services.dto import TreeNode
    from aomori_desktop.ui.document import PlanDocument


class ToolWindows:
    """ツール and ヘルプ menu behaviour; expects the attributes below from the main window."""

    prompts: Prompts
    document: PlanDocument | None

    if TYPE_CHECKING:  # provided by MainWindow

        def current_node(self) -> TreeNode | None: ...

    def _parent_widget(self) -> QWidget:
        assert isinstance(self, QWidget)
        return self

    def show_history(self) -> None:
        """Opens the change history of the selected KPI or project (see history module)."""
        from aomori_desktop.ui.history_view import open_history

        if self.document is not None:
            open_history(self._parent_widget(), self.document, self.current_node())

    def show_import(self) -> None:
        """The returned 調査票 and CSV import (openpyxl loads with it, not at start-up)."""
        from aomori_desktop.ui.import_dialog import open_import_dialog

        open_import_dialog(self)

    def show_bulk_entry(self) -> None:
        from aomori_desktop.ui.bulk_entry import open_bulk_entry

        if self.document is not None:
            open_bulk_entry(self._parent_widget(), self.document)

    def show_about(self) -> None:
        from aomori_desktop.ui.about import about_text

        self.prompts.info(self._parent_widget(), about_text())
