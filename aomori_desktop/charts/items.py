"""Graphics items the charts are made of: wrapped text, a legend, and a layer of drawing ops.

Everything inside the plot area is drawn by one `DeviceLayer` in *device* coordinates: data
points are mapped through the painter's transform, then lines, markers, bars and labels are
drawn with ordinary (non-cosmetic) pens whose widths are device pixels. This gives the same
picture on screen, in a PNG, a PDF and an SVG: no pixmap symbol atlas (pyqtgraph's scatter
cache would put bitmaps into a vector file), no `vector-effect` strokes that office programs
ignore, and no reliance on clipping, which the SVG writer does not carry (hatching is clipped
by arithmetic instead).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum

import pyqtgraph as pg
from pyqtgraph.graphicsItems.ScatterPlotItem import Symbols
from PySide6.QtCore import QLineF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
    QTransform,
)
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from aomori_desktop.charts.style import Hatch

__all__ = [
    "Align",
    "Badge",
    "DeviceLayer",
    "DrawOp",
    "HLine",
    "Label",
    "Legend",
    "LegendEntry",
    "Markers",
    "Polyline",
    "Rect",
    "TextBlock",
    "hatch_lines",
    "symbol_path",
]

_WRAP = Qt.TextFlag.TextWordWrap


def symbol_path(symbol: str, size: float) -> QPainterPath:
    """pyqtgraph's unit symbol ('o', 's', 'd', 't', 'star', ...) scaled to `size` device px."""
    path: QPainterPath = QTransform.fromScale(size, size).map(Symbols[symbol])
    return path


def hatch_lines(rect: QRectF, spacing: float, hatch: Hatch) -> list[QLineF]:
    """45° hatch lines inside `rect` (device coordinates), clipped by arithmetic.

    Lines sit on a grid anchored at the device origin, so neighbouring bars line up.
    """
    if hatch is Hatch.NONE or spacing <= 0 or rect.isEmpty():
        return []
    left, top, right, bottom = rect.left(), rect.top(), rect.right(), rect.bottom()
    lines: list[QLineF] = []
    if hatch in (Hatch.DIAGONAL, Hatch.CROSS):  # "/": x + y = c
        c = math.ceil((left + top) / spacing) * spacing
        while c <= right + bottom:
            x0, x1 = max(left, c - bottom), min(right, c - top)
            if x1 > x0:
                lines.append(QLineF(x0, c - x0, x1, c - x1))
            c += spacing
    if hatch in (Hatch.BACK_DIAGONAL, Hatch.CROSS):  # "\": x - y = c
        c = math.ceil((left - bottom) / spacing) * spacing
        while c <= right - top:
            x0, x1 = max(left, c + top), min(right, c + bottom)
            if x1 > x0:
                lines.append(QLineF(x0, x0 - c, x1, x1 - c))
            c += spacing
    return lines


# ------------------------------------------------------------------ text


@dataclass(frozen=True, slots=True)
class Badge:
    """A small rounded box with a letter drawn before a text (the grade of a KPI)."""

    text: str
    fill: QColor
    colour: QColor
    outline: QColor


class TextBlock(pg.GraphicsWidget):  # type: ignore[misc]  # pyqtgraph is untyped
    """Text that wraps to the width it is given; the chart fixes its height with `fit`."""

    def __init__(
        self,
        text: str = "",
        font: QFont | None = None,
        colour: QColor | None = None,
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
    ) -> None:
        super().__init__()
        self._text = text
        self._font = font or QFont()
        self._colour = colour or QColor("black")
        self._align = align
        self._badge: Badge | None = None
        self._top = 0.0
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, False)

    def set_top_padding(self, pixels: float) -> None:
        """Space above the text (aligns a caption with the tick labels beside it)."""
        self._top = pixels
        self.update()

    @property
    def text(self) -> str:
        return self._text

    def set_text(self, text: str, badge: Badge | None = None) -> None:
        if text == self._text and badge == self._badge:
            return  # the same text again (the next KPI's source, a value edited): no repaint
        self._text = text
        self._badge = badge
        self.update()

    def set_look(self, font: QFont, colour: QColor) -> None:
        self._font = font
        self._colour = colour
        self.update()

    def _badge_size(self) -> QSizeF:
        if self._badge is None:
            return QSizeF(0, 0)
        metrics = QFontMetricsF(self._font)
        h = metrics.height()
        w = max(h * 1.15, metrics.horizontalAdvance(self._badge.text) + h * 0.5)
        return QSizeF(w, h)

    def height_for_width(self, width: float) -> float:
        if not self._text and self._badge is None:
            return 0.0
        badge = self._badge_size()
        text_width = max(1.0, width - (badge.width() * 1.35 if self._badge else 0.0))
        metrics = QFontMetricsF(self._font)
        rect = metrics.boundingRect(
            QRectF(0, 0, text_width, 1e6), int(self._align | _WRAP), self._text
        )
        return max(rect.height(), badge.height(), metrics.height() if self._text else 0.0)

    def fit(self, width: float) -> float:
        """Fix the height for `width` (0 hides the block) and return it."""
        height = math.ceil(self.height_for_width(width))
        self.setFixedHeight(height)
        return height

    def paint(
        self, p: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        rect = self.rect().adjusted(0, self._top, 0, 0)
        if rect.isEmpty():
            return
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        p.setFont(self._font)
        x = rect.left()
        if self._badge is not None:
            size = self._badge_size()
            box = QRectF(rect.left(), rect.top(), size.width(), size.height())
            pen = QPen(self._badge.outline)
            pen.setWidthF(max(1.0, size.height() / 16))
            p.setPen(pen)
            p.setBrush(QBrush(self._badge.fill))
            radius = size.height() * 0.2
            p.drawRoundedRect(box.adjusted(0.5, 0.5, -0.5, -0.5), radius, radius)
            p.setPen(QPen(self._badge.colour))
            p.drawText(box, int(Qt.AlignmentFlag.AlignCenter), self._badge.text)
            x += size.width() * 1.35
        p.setPen(QPen(self._colour))
        text_rect = QRectF(x, rect.top(), rect.right() - x, rect.height())
        p.drawText(text_rect, int(self._align | _WRAP | Qt.AlignmentFlag.AlignTop), self._text)


# ------------------------------------------------------------------ legend


class SampleKind(Enum):
    LINE = "line"  # a line, optionally with a marker in the middle
    BOX = "box"  # a filled (hatched) box: bars and bands
    MARK = "mark"  # a vertical tick: the expected-rate mark of a bar


@dataclass(frozen=True, slots=True)
class LegendEntry:
    label: str
    kind: SampleKind = SampleKind.LINE
    pen: QPen | None = None  # the line, box outline or mark
    symbol: str | None = None
    symbol_pen: QPen | None = None
    symbol_brush: QBrush | None = None
    fill: QColor | None = None
    hatch: Hatch = Hatch.NONE


class Legend(pg.GraphicsWidget):  # type: ignore[misc]  # pyqtgraph is untyped
    """A legend laid out in rows across the chart's width (never over the data).

    pyqtgraph's `LegendItem` has fixed 20-px samples and ignores export scaling; this one
    takes every size from the font and the marker size the chart gives it.
    """

    def __init__(self) -> None:
        super().__init__()
        self._entries: list[LegendEntry] = []
        self._font = QFont()
        self._colour = QColor("black")
        self._marker = 8.0
        self._hatch_spacing = 4.0
        self._hatch_pen = QPen(QColor("black"))
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, False)

    def set_entries(self, entries: Iterable[LegendEntry]) -> None:
        shown = list(entries)
        if shown == self._entries:
            return  # the same legend again: no repaint
        self._entries = shown
        self.update()

    @property
    def entries(self) -> list[LegendEntry]:
        return list(self._entries)

    def set_look(
        self, font: QFont, colour: QColor, marker: float, hatch_spacing: float, hatch_pen: QPen
    ) -> None:
        self._font = font
        self._colour = colour
        self._marker = marker
        self._hatch_spacing = hatch_spacing
        self._hatch_pen = hatch_pen
        self.update()

    def _metrics(self) -> tuple[float, float, float, float]:
        """Sample width, gap between sample and text, gap between entries, row height."""
        metrics = QFontMetricsF(self._font)
        em = metrics.height()
        return em * 2.0, em * 0.35, em * 1.1, em * 1.3

    def _rows(self, width: float) -> list[list[tuple[LegendEntry, float]]]:
        sample, gap, spacing, _ = self._metrics()
        metrics = QFontMetricsF(self._font)
        rows: list[list[tuple[LegendEntry, float]]] = [[]]
        used = 0.0
        for entry in self._entries:
            w = sample + gap + metrics.horizontalAdvance(entry.label)
            needed = w if not rows[-1] else used + spacing + w
            if rows[-1] and needed > width:
                rows.append([])
                used = w
            else:
                used = needed
            rows[-1].append((entry, w))
        return [row for row in rows if row]

    def height_for_width(self, width: float) -> float:
        if not self._entries:
            return 0.0
        return len(self._rows(width)) * self._metrics()[3]

    def fit(self, width: float) -> float:
        height = math.ceil(self.height_for_width(width))
        self.setFixedHeight(height)
        return height

    def paint(
        self, p: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        rect = self.rect()
        if rect.isEmpty() or not self._entries:
            return
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setFont(self._font)
        sample, gap, spacing, row_h = self._metrics()
        y = rect.top()
        for row in self._rows(rect.width()):
            total = sum(w for _, w in row) + spacing * (len(row) - 1)
            x = rect.left() + max(0.0, (rect.width() - total) / 2)
            for entry, w in row:
                self._draw_sample(p, entry, QRectF(x, y, sample, row_h))
                p.setPen(QPen(self._colour))
                text = QRectF(x + sample + gap, y, w - sample - gap + 1, row_h)
                p.drawText(
                    text,
                    int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                    entry.label,
                )
                x += w + spacing
            y += row_h

    def _draw_sample(self, p: QPainter, entry: LegendEntry, cell: QRectF) -> None:
        cy = cell.center().y()
        if entry.kind is SampleKind.BOX:
            h = QFontMetricsF(self._font).height() * 0.7
            box = QRectF(cell.left() + cell.width() * 0.15, cy - h / 2, cell.width() * 0.7, h)
            _fill_rect(p, box, entry.fill, entry.hatch, self._hatch_pen, self._hatch_spacing)
            if entry.pen is not None:
                p.setPen(entry.pen)
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRect(box)
            return
        if entry.kind is SampleKind.MARK:
            h = QFontMetricsF(self._font).height() * 0.8
            if entry.pen is not None:
                p.setPen(entry.pen)
                p.drawLine(
                    QPointF(cell.center().x(), cy - h / 2), QPointF(cell.center().x(), cy + h / 2)
                )
            return
        if entry.pen is not None:
            p.setPen(entry.pen)
            p.drawLine(QPointF(cell.left(), cy), QPointF(cell.right(), cy))
        if entry.symbol is not None:
            _draw_marker(
                p,
                QPointF(cell.center().x(), cy),
                symbol_path(entry.symbol, self._marker),
                entry.symbol_pen or QPen(Qt.PenStyle.NoPen),
                entry.symbol_brush or QBrush(),
            )


# ------------------------------------------------------------------ drawing ops


def _fill_rect(
    p: QPainter,
    rect: QRectF,
    fill: QColor | None,
    hatch: Hatch,
    hatch_pen: QPen,
    spacing: float,
) -> None:
    if fill is not None:
        p.fillRect(rect, fill)
    lines = hatch_lines(rect, spacing, hatch)
    if lines:
        p.setPen(hatch_pen)
        p.drawLines(lines)


def _draw_marker(p: QPainter, at: QPointF, path: QPainterPath, pen: QPen, brush: QBrush) -> None:
    p.setPen(pen)
    p.setBrush(brush)
    p.drawPath(path.translated(at))


class Align(Enum):
    """Where a label sits relative to its anchor point."""

    ABOVE = "above"
    BELOW = "below"
    LEFT = "left"
    RIGHT = "right"
    CENTER = "center"


@dataclass(frozen=True, slots=True)
class Polyline:
    points: Sequence[tuple[float, float]]
    pen: QPen


@dataclass(frozen=True, slots=True)
class Markers:
    points: Sequence[tuple[float, float]]
    symbol: str
    size: float  # device px
    pen: QPen
    brush: QBrush


@dataclass(frozen=True, slots=True)
class Rect:
    """An axis-aligned box in data coordinates (a bar, a band)."""

    x0: float
    y0: float
    x1: float
    y1: float
    fill: QColor | None
    pen: QPen | None = None
    hatch: Hatch = Hatch.NONE
    hatch_pen: QPen | None = None
    hatch_spacing: float = 0.0


@dataclass(frozen=True, slots=True)
class HLine:
    """A horizontal line at data y, across the layer's bounds (or from x0 to x1)."""

    y: float
    pen: QPen
    x0: float | None = None
    x1: float | None = None


@dataclass(frozen=True, slots=True)
class VSegment:
    """A vertical line at data x, from data y0 to y1, extended by `overhang` device px."""

    x: float
    y0: float
    y1: float
    pen: QPen
    overhang: float = 0.0


@dataclass(frozen=True, slots=True)
class Label:
    """Text anchored at a data point, offset by `gap` device px in the direction of `align`."""

    x: float
    y: float
    text: str
    font: QFont
    colour: QColor
    align: Align = Align.ABOVE
    gap: float = 0.0
    backdrop: QColor | None = None


DrawOp = Polyline | Markers | Rect | HLine | VSegment | Label


@dataclass(slots=True)
class _Bounds:
    rect: QRectF = field(default_factory=lambda: QRectF(0, 0, 1, 1))


class DeviceLayer(pg.GraphicsObject):  # type: ignore[misc]  # pyqtgraph is untyped
    """All data graphics of a plot: data coordinates in, device pixels out (see module doc)."""

    def __init__(self) -> None:
        super().__init__()
        self._ops: list[DrawOp] = []
        self._bounds = _Bounds()

    def set_ops(self, ops: Iterable[DrawOp], bounds: QRectF) -> None:
        """Replace everything drawn; `bounds` is the plot's full data range."""
        self.prepareGeometryChange()
        self._ops = list(ops)
        self._bounds.rect = QRectF(bounds)
        self.update()

    @property
    def ops(self) -> list[DrawOp]:
        return list(self._ops)

    def boundingRect(self) -> QRectF:
        return QRectF(self._bounds.rect)

    def paint(
        self, p: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        t = p.transform()
        p.save()
        p.resetTransform()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        bounds = self._bounds.rect
        for op in self._ops:
            if isinstance(op, Rect):
                box = QRectF(
                    t.map(QPointF(op.x0, op.y0)), t.map(QPointF(op.x1, op.y1))
                ).normalized()
                _fill_rect(
                    p,
                    box,
                    op.fill,
                    op.hatch,
                    op.hatch_pen or QPen(QColor("black")),
                    op.hatch_spacing,
                )
                if op.pen is not None:
                    p.setPen(op.pen)
                    p.setBrush(Qt.BrushStyle.NoBrush)
                    p.drawRect(box)
            elif isinstance(op, Polyline):
                if len(op.points) >= 2:
                    p.setPen(op.pen)
                    p.setBrush(Qt.BrushStyle.NoBrush)
                    p.drawPolyline(QPolygonF([t.map(QPointF(x, y)) for x, y in op.points]))
            elif isinstance(op, Markers):
                path = symbol_path(op.symbol, op.size)
                for x, y in op.points:
                    _draw_marker(p, t.map(QPointF(x, y)), path, op.pen, op.brush)
            elif isinstance(op, HLine):
                x0 = bounds.left() if op.x0 is None else op.x0
                x1 = bounds.right() if op.x1 is None else op.x1
                p.setPen(op.pen)
                p.drawLine(t.map(QPointF(x0, op.y)), t.map(QPointF(x1, op.y)))
            elif isinstance(op, VSegment):
                a, b = t.map(QPointF(op.x, op.y0)), t.map(QPointF(op.x, op.y1))
                top, bottom = min(a.y(), b.y()) - op.overhang, max(a.y(), b.y()) + op.overhang
                p.setPen(op.pen)
                p.drawLine(QPointF(a.x(), top), QPointF(a.x(), bottom))
            else:
                self._draw_label(p, t.map(QPointF(op.x, op.y)), op, t.mapRect(bounds))
        p.restore()

    @staticmethod
    def _draw_label(p: QPainter, at: QPointF, op: Label, area: QRectF) -> None:
        """Draw a label next to its point, moved inside the plot area if it would stick out."""
        metrics = QFontMetricsF(op.font)
        w = metrics.horizontalAdvance(op.text)
        h = metrics.height()
        x, y = at.x(), at.y()
        if op.align is Align.ABOVE:
            rect = QRectF(x - w / 2, y - op.gap - h, w, h)
        elif op.align is Align.BELOW:
            rect = QRectF(x - w / 2, y + op.gap, w, h)
        elif op.align is Align.LEFT:
            rect = QRectF(x - op.gap - w, y - h / 2, w, h)
        elif op.align is Align.RIGHT:
            rect = QRectF(x + op.gap, y - h / 2, w, h)
        else:
            rect = QRectF(x - w / 2, y - h / 2, w, h)
        area = area.normalized()
        dx = max(0.0, area.left() - rect.left()) - max(0.0, rect.right() - area.right())
        dy = max(0.0, area.top() - rect.top()) - max(0.0, rect.bottom() - area.bottom())
        rect.translate(dx, dy)
        if op.backdrop is not None:
            pad = h * 0.1
            p.fillRect(rect.adjusted(-pad, 0, pad, 0), op.backdrop)
        p.setFont(op.font)
        p.setPen(QPen(op.colour))
        p.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), op.text)
