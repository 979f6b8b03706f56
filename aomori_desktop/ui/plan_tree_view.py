"""The plan tree's view: new grades repaint what is on screen and nothing more.

A change of fiscal year or of grade scheme changes the badge of every row. `QTreeView` answers
each announced row with its own work (finding the row among its laid-out items, asking the
model for it again), about eight calls into the Python model per row, a third of a second for
5,000 KPIs. A change that touches only badge roles (`BADGE_ROLES`) changes no row's size or
text, so here it only schedules one repaint of the viewport, which asks for the visible rows.
The model announces only rows whose group is expanded (`children_shown`): rows under a
collapsed group are read when it is expanded.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel
from PySide6.QtWidgets import QTreeView, QWidget

from aomori_desktop.ui.tree_model import BADGE_ROLES, PlanTreeModel

AnyIndex = QModelIndex | QPersistentModelIndex
_BADGE_ONLY = frozenset(BADGE_ROLES)


class PlanTreeView(QTreeView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setUniformRowHeights(True)

    def show_tree(self, model: PlanTreeModel, proxy: QSortFilterProxyModel) -> None:
        """Show `model` through the filter `proxy`; the model then announces new grades only
        for the rows this view shows."""
        proxy.setSourceModel(model)
        self.setModel(proxy)
        model.children_shown = lambda index: self.isExpanded(proxy.mapFromSource(index))

    def dataChanged(
        self,
        topLeft: AnyIndex,
        bottomRight: AnyIndex,
        roles: Sequence[int] = (),
    ) -> None:
        if roles and _BADGE_ONLY.issuperset(int(r) for r in roles):
            self.viewport().update()
            return
        super().dataChanged(topLeft, bottomRight, roles)
