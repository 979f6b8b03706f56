"""A read-only table model over plain row values, with columns described once.

Cells are computed when Qt asks for them (only the visible ones), so a table of thousands
of KPIs appears at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

R = TypeVar("R")
AnyIndex = QModelIndex | QPersistentModelIndex
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
CENTER = int(Qt.AlignmentFlag.AlignCenter)
LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


@dataclass(frozen=True)
class Column[R]:
    title: str
    text: Callable[[R], str]
    align: int = LEFT
    colours: Callable[[R], tuple[str, str] | None] | None = None  # (background, foreground)


class RowTableModel[R](QAbstractTableModel):
    KEY_ROLE = Qt.ItemDataRole.UserRole + 20

    def __init__(
        self,
        columns: Sequence[Column[R]],
        key: Callable[[R], object],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._key = key
        self._rows: list[R] = []

    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def update_rows(self, rows: Sequence[R], identity: Callable[[R], object]) -> None:
        """Show `rows`: when they are the same items in the same order as shown (`identity`
        of each, e.g. a code), their cells change in place (selection and scroll position
        stay, one signal); otherwise the table is reset."""
        new = list(rows)
        if len(new) != len(self._rows) or list(map(identity, new)) != list(
            map(identity, self._rows)
        ):
            self.set_rows(new)
            return
        self._rows = new
        if new:
            last = self.index(len(new) - 1, len(self._columns) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

    def row(self, index: int) -> R:
        return self._rows[index]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._columns[section].title if 0 <= section < len(self._columns) else None
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return column.align
        if role == self.KEY_ROLE:
            return self._key(row)
        if (
            role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole)
            and column.colours
        ):
            colours = column.colours(row)
            if colours is None:
                return None
            return QBrush(QColor(colours[0 if role == Qt.ItemDataRole.BackgroundRole else 1]))
        return None
