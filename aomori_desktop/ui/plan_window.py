"""What the windows and editors that work on the plan tree need of the main window.

`MainWindow` implements it; the structure editor depends on this small base instead of on
`main_window` (which creates the editor), so the two modules do not import each other.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMainWindow, QMenu, QTreeView

from aomori_desktop.services.dto import TreeKey, TreeNode
from aomori_desktop.ui.tree_model import PlanTreeModel


class PlanWindow(QMainWindow):
    """A main window showing the plan tree: its menu 構成, the tree view and model, the
    selected node and a way to select another."""

    menu_structure: QMenu
    tree: QTreeView
    tree_model: PlanTreeModel

    def current_node(self) -> TreeNode | None:
        raise NotImplementedError  # MainWindow

    def select_key(self, key: TreeKey | str) -> None:
        raise NotImplementedError  # MainWindow
