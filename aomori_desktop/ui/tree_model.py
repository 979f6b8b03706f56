"""The plan tree (plan → 戦略の柱 → 共創施策 → 共創プロジェクト / KPI) as a Qt item model.

Built from plain `TreeNode` values; grades for the selected fiscal year are kept apart from
the structure so that a change of year or of one KPI repaints badges without a reset.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont, QIcon

from aomori_desktop.domain.grading import every_grade
from aomori_desktop.domain.progress import Grade, YearProgress, weakest_grade
from aomori_desktop.services.dto import NodeKind, TreeKey, TreeNode
from aomori_desktop.ui.grades import grade_badge, grade_text

NODE_ROLE = Qt.ItemDataRole.UserRole + 1
KIND_ROLE = Qt.ItemDataRole.UserRole + 2
KEY_ROLE = Qt.ItemDataRole.UserRole + 3
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 4
GRADE_ROLE = Qt.ItemDataRole.UserRole + 5
# what a new grade changes in a row: its badge, its tooltip and the grade itself
BADGE_ROLES = (int(Qt.ItemDataRole.DecorationRole), int(Qt.ItemDataRole.ToolTipRole), GRADE_ROLE)

AnyIndex = QModelIndex | QPersistentModelIndex
# roles the view asks for on every row it paints that this model leaves to the style
_ROLES_LEFT_TO_STYLE = frozenset(
    int(r)
    for r in (
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.BackgroundRole,
        Qt.ItemDataRole.CheckStateRole,
        Qt.ItemDataRole.SizeHintRole,
    )
)
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_FEW_ROWS = 100  # more KPIs with new grades: announce the rows on screen, group by group


@dataclass(eq=False)
class _Item:
    node: TreeNode
    parent: _Item | None
    row: int
    children: list[_Item] = field(default_factory=list)


def normalise(text: str) -> str:
    """Width- and case-insensitive search text (１２３ matches 123, ＤＸ matches dx)."""
    return unicodedata.normalize("NFKC", text).casefold()


def as_key(key: TreeKey | str) -> TreeKey:
    """A key, also from its written form (settings, links, tests); `ValueError` if malformed."""
    return key if isinstance(key, TreeKey) else TreeKey.parse(key)


def _shown(node: TreeNode) -> tuple[str, bool, TreeKey | None, str]:
    """What a row displays of its node (a change repaints the row)."""
    return (display_text(node), node.relisting, node.home, node.detail)


def display_text(node: TreeNode) -> str:
    if node.kind is NodeKind.PLAN:
        return node.title
    if node.kind is NodeKind.PROJECT:
        return f"{node.code} {node.title}" + ("（再掲）" if node.relisting else "")
    if node.kind is NodeKind.KPI:
        return f"KPI {node.title}"
    return f"{node.code} {node.title}"


class PlanTreeModel(QAbstractItemModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._root: _Item | None = None
        self._by_key: dict[TreeKey, _Item] = {}
        self._kpi_items: dict[str, list[_Item]] = {}
        self._progress: dict[str, YearProgress] = {}
        self._icons = {g: grade_badge(g) for g in every_grade()}
        # whether a row's children are on screen (its view's expanded state); None: assume so
        self.children_shown: Callable[[QModelIndex], bool] | None = None

    # ------------------------------------------------------------ loading

    def set_tree(self, root: TreeNode, progress: dict[str, YearProgress]) -> None:
        """Show `root`. The first tree resets the model; a later one is merged into what is
        shown with exact row insertions, removals and moves (matched by key) and data changes,
        so selection, expanded nodes and scroll position survive an edit."""
        if self._root is None or self._root.node.key != root.key:
            self.beginResetModel()
            self._by_key.clear()
            self._kpi_items.clear()
            self._root = self._build(root, None, 0)
            self._progress = dict(progress)
            self.endResetModel()
            return
        self._progress = dict(progress)
        self._merge(self._root, root)
        self._kpi_items.clear()
        for item in self._by_key.values():
            if item.node.kind is NodeKind.KPI:
                self._kpi_items.setdefault(item.node.ref, []).append(item)
        self._repaint_all()

    def _merge(self, item: _Item, node: TreeNode) -> None:
        """Make `item`'s subtree show `node`'s, emitting the exact row signals."""
        if item.node != node:
            changed = _shown(item.node) != _shown(node)
            item.node = node
            if changed:
                index = self.createIndex(item.row, 0, item)
                self.dataChanged.emit(index, index)
        parent = self.createIndex(item.row, 0, item)
        wanted = [child.key for child in node.children]
        wanted_set = set(wanted)
        # 1. rows that are gone, from the bottom up, in contiguous runs
        row = len(item.children) - 1
        while row >= 0:
            if item.children[row].node.key in wanted_set:
                row -= 1
                continue
            last = row
            while row - 1 >= 0 and item.children[row - 1].node.key not in wanted_set:
                row -= 1
            self.beginRemoveRows(parent, row, last)
            for gone in item.children[row : last + 1]:
                self._forget(gone)
            del item.children[row : last + 1]
            self._renumber(item)
            self.endRemoveRows()
            row -= 1
        # 2. moves and insertions, top down
        for position, child_node in enumerate(node.children):
            current = item.children[position] if position < len(item.children) else None
            if current is not None and current.node.key == child_node.key:
                self._merge(current, child_node)
                continue
            existing = self._by_key.get(child_node.key)
            if existing is not None and existing.parent is item:
                source = existing.row
                self.beginMoveRows(parent, source, source, parent, position)
                item.children.insert(position, item.children.pop(source))
                self._renumber(item)
                self.endMoveRows()
                self._merge(existing, child_node)
                continue
            if existing is not None:  # the key now stands under another parent
                self._remove_item(existing)
            self.beginInsertRows(parent, position, position)
            item.children.insert(position, self._build(child_node, item, position))
            self._renumber(item)
            self.endInsertRows()

    def _remove_item(self, item: _Item) -> None:
        parent_item = item.parent
        assert parent_item is not None
        parent = self.createIndex(parent_item.row, 0, parent_item)
        self.beginRemoveRows(parent, item.row, item.row)
        self._forget(item)
        del parent_item.children[item.row]
        self._renumber(parent_item)
        self.endRemoveRows()

    def _forget(self, item: _Item) -> None:
        stack = [item]
        while stack:
            current = stack.pop()
            if self._by_key.get(current.node.key) is current:
                del self._by_key[current.node.key]
            stack.extend(current.children)

    @staticmethod
    def _renumber(item: _Item) -> None:
        for row, child in enumerate(item.children):
            child.row = row

    def _repaint_all(self) -> None:
        """Badges and tooltips of every row shown (new grades), one signal per group of
        siblings. Rows under a collapsed group are not announced: nothing shows them, and a
        view reads them afresh when the group is expanded (`children_shown`)."""
        if self._root is None:
            return
        roles = list(BADGE_ROLES)
        root = self.createIndex(0, 0, self._root)
        self.dataChanged.emit(root, root, roles)
        shown = self.children_shown
        stack = [self._root]
        while stack:
            item = stack.pop()
            if item.children and (shown is None or shown(self.createIndex(item.row, 0, item))):
                first = self.createIndex(0, 0, item.children[0])
                last = self.createIndex(len(item.children) - 1, 0, item.children[-1])
                self.dataChanged.emit(first, last, roles)
                stack.extend(child for child in item.children if child.children)

    def set_tree_empty(self) -> None:
        self.beginResetModel()
        self._by_key.clear()
        self._kpi_items.clear()
        self._root = None
        self._progress = {}
        self.endResetModel()

    def _build(self, node: TreeNode, parent: _Item | None, row: int) -> _Item:
        item = _Item(node, parent, row)
        self._by_key[node.key] = item
        if node.kind is NodeKind.KPI:
            self._kpi_items.setdefault(node.ref, []).append(item)
        item.children = [self._build(child, item, i) for i, child in enumerate(node.children)]
        return item

    def set_progress(
        self, progress: dict[str, YearProgress], codes: set[str] | None = None
    ) -> None:
        """New grades (for a new year, or for the KPIs in `codes`); repaints only badges."""
        if codes is None:
            self._progress = dict(progress)
            self._repaint_all()
            return
        else:
            self._progress.update({c: p for c, p in progress.items() if c in codes})
            if len(codes) > _FEW_ROWS:  # a new grade scheme names every KPI
                self._repaint_all()
                return
            touched = []
            for code in codes:
                for item in self._kpi_items.get(code, []):
                    touched.append(item)
                    if item.parent is not None:
                        touched.append(item.parent)
        roles = list(BADGE_ROLES)
        for item in touched:
            idx = self.createIndex(item.row, 0, item)
            self.dataChanged.emit(idx, idx, roles)

    # ------------------------------------------------------------ lookup

    def index_for_key(self, key: TreeKey | str) -> QModelIndex:
        """The row of a key (or of its written form, \"K01@1-2\"); invalid if not shown."""
        item = self._by_key.get(as_key(key))
        if item is None:
            return QModelIndex()
        return self.createIndex(item.row, 0, item)

    def node(self, index: AnyIndex) -> TreeNode | None:
        item = self._item(index)
        return item.node if item else None

    def kpi_keys(self, code: str) -> list[TreeKey]:
        return [item.node.key for item in self._kpi_items.get(code, [])]

    def _item(self, index: AnyIndex) -> _Item | None:
        if not index.isValid():
            return None
        item = index.internalPointer()
        return item if isinstance(item, _Item) else None

    def grade_of(self, node: TreeNode) -> Grade | None:
        if node.kind is NodeKind.KPI:
            p = self._progress.get(node.ref)
            return p.grade if p else Grade.NONE
        if node.kind is NodeKind.MEASURE:
            return weakest_grade(
                self._progress[c.ref].grade
                for c in node.children
                if c.kind is NodeKind.KPI and c.ref in self._progress
            )
        return None

    # ------------------------------------------------------------ QAbstractItemModel

    # index() and parent() run thousands of times per repaint (the view and the filter proxy
    # map every visible row): a valid index of this model always points at an _Item

    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column != 0 or self._root is None:
            return QModelIndex()
        up = parent.internalPointer()  # None for an invalid index: the root's row
        if up is None:
            return self.createIndex(row, 0, self._root) if row == 0 else QModelIndex()
        children = up.children
        if not 0 <= row < len(children):
            return QModelIndex()
        return self.createIndex(row, 0, children[row])

    def parent(self, index: AnyIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        item = index.internalPointer()  # None for an invalid index
        up = item.parent if item is not None else None
        if up is None:
            return QModelIndex()
        return self.createIndex(up.row, 0, up)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if self._root is None:
            return 0
        if not parent.isValid():
            return 1
        if parent.column() != 0:
            return 0
        item = self._item(parent)
        return len(item.children) if item else 0

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 1

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _ROW_FLAGS

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return "戦略・施策・プロジェクト・KPI"
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role in _ROLES_LEFT_TO_STYLE:  # answered quickly: a repaint asks for each row
            return None
        item = self._item(index)
        if item is None:
            return None
        node = item.node
        if role == Qt.ItemDataRole.DisplayRole:
            return display_text(node)
        if role == Qt.ItemDataRole.DecorationRole:
            grade = self.grade_of(node)
            return self._icons[grade] if grade is not None else QIcon()
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(node)
        if role == Qt.ItemDataRole.FontRole:
            if node.kind in (NodeKind.PLAN, NodeKind.PILLAR):
                font = QFont()
                font.setBold(True)
                return font
            if node.relisting:
                font = QFont()
                font.setItalic(True)
                return font
            return None
        if role == Qt.ItemDataRole.ForegroundRole and node.relisting:
            return QBrush(QColor("#555555"))
        if role == NODE_ROLE:
            return node
        if role == KIND_ROLE:
            return node.kind.value
        if role == KEY_ROLE:
            return str(node.key)
        if role == SEARCH_ROLE:
            return normalise(" ".join((node.code, node.ref, node.title, node.detail)))
        if role == GRADE_ROLE:
            grade = self.grade_of(node)
            return grade.value if grade else None
        return None

    def _tooltip(self, node: TreeNode) -> str:
        grade = self.grade_of(node)
        lines = [display_text(node)]
        if node.kind is NodeKind.PROJECT and node.relisting:
            lines.append(f"再掲（掲載元: {node.home}）")
        if grade is not None:
            lines.append(f"評価: {grade_text(grade)}")
        if node.kind is NodeKind.MEASURE:
            kpis = [c for c in node.children if c.kind is NodeKind.KPI]
            counts: dict[Grade, int] = {}
            for c in kpis:
                p = self._progress.get(c.ref)
                g = p.grade if p else Grade.NONE
                counts[g] = counts.get(g, 0) + 1
            lines.append(
                "KPI: "
                + "、".join(
                    f"{g.value} {counts[g]}件" for g in sorted(counts, key=lambda g: g.rank)
                )
            )
        return "\n".join(lines)


class PlanFilterProxy(QSortFilterProxyModel):
    """Filters by names, codes and descriptions; parents of matches (and children of a matching
    measure or pillar) stay visible."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self.setAutoAcceptChildRows(True)
        self._needle = ""

    def set_search(self, text: str) -> None:
        self.beginFilterChange()
        self._needle = normalise(text.strip())
        self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        if not self._needle:
            return True
        model = self.sourceModel()
        index = model.index(source_row, 0, source_parent)
        haystack = model.data(index, SEARCH_ROLE) or ""
        return all(part in haystack for part in self._needle.split())
