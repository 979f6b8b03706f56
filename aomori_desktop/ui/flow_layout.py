"""A layout that places widgets in a row and wraps them onto the next row when narrow.

A `QToolBar` hides what does not fit behind a "»" button; in the chart panel that hid the
title and year-label settings at ordinary window widths. This layout (after Qt's Flow Layout
example) keeps every control on screen: one row when there is room, two when not.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QSizePolicy, QWidget


class FlowLayout(QLayout):
    """Items left to right, wrapping; the height follows the width (height-for-width)."""

    def __init__(
        self, parent: QWidget | None = None, spacing: int = 4, row_spacing: int = 2
    ) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing  # between items in a row
        self._row_spacing = row_spacing
        self.setContentsMargins(QMargins(0, 0, 0, 0))

    # -- QLayout

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    def sizeHint(self) -> QSize:
        # one row: the width of everything side by side
        width = sum(i.sizeHint().width() for i in self._items if not i.isEmpty())
        width += self._spacing * max(0, len(self._items) - 1)
        height = max((i.sizeHint().height() for i in self._items), default=0)
        m = self.contentsMargins()
        return QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def minimumSize(self) -> QSize:
        # as narrow as the widest single item (everything else wraps)
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    # -- placing

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, row_height = area.x(), area.y(), 0
        row: list[tuple[QLayoutItem, QSize]] = []

        def place_row() -> None:
            left = area.x()
            for item, size in row:
                if move:  # centred vertically in the row
                    top = y + (row_height - size.height()) // 2
                    item.setGeometry(QRect(QPoint(left, top), size))
                left += size.width() + self._spacing

        for item in self._items:
            if item.isEmpty():
                continue
            size = item.sizeHint().boundedTo(QSize(area.width(), 1 << 20))
            if row and x + size.width() > area.right() + 1:
                place_row()
                y += row_height + self._row_spacing
                x, row_height, row = area.x(), 0, []
            row.append((item, size))
            x += size.width() + self._spacing
            row_height = max(row_height, size.height())
        place_row()
        return y + row_height - rect.y() + m.bottom()


def flow_row(parent: QWidget | None = None, spacing: int = 4) -> tuple[QWidget, FlowLayout]:
    """A widget holding a `FlowLayout`, sized height-for-width by the layout it sits in."""
    host = QWidget(parent)
    layout = FlowLayout(host, spacing)
    policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
    policy.setHeightForWidth(True)
    host.setSizePolicy(policy)
    return host, layout
