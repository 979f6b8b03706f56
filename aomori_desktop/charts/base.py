"""The base of every chart: a pyqtgraph view that can also draw itself off-screen at any size.

A chart is built from plain data (`set_data`) and a `ChartStyle`. On screen it lays itself out
for the widget's size; for export, `copy(style)` makes an unshown twin at the output's dpi and
`render_image` / `render_into` lay it out at the exact output size and paint the scene once,
with no scaling (pyqtgraph's exporters scale a finished picture, which leaves the legend and
1-px pens at screen size).

Threading: charts are QWidgets; create, update and render them on the GUI thread only.
"""

from __future__ import annotations

import math
from typing import Self

import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QEvent, QRectF, QSize
from PySide6.QtGui import QColor, QImage, QPainter, QResizeEvent
from PySide6.QtWidgets import QGraphicsWidget, QWidget

from aomori_desktop.charts.style import ChartStyle, Role

__all__ = ["ChartView", "dots_per_meter"]

_INCH_M = 0.0254

# before any plot exists (pyqtgraph's defaults are a black background, no antialiasing); here
# and not in the application's start-up, so that pyqtgraph loads only when a chart is shown
pg.setConfigOptions(background="w", foreground="k", antialias=True)


def dots_per_meter(dpi: float) -> int:
    """The PNG pHYs value for a dpi (300 dpi → 11811 px/m, which Word reads back as 300 dpi)."""
    return round(dpi / _INCH_M)


class ChartView(pg.GraphicsLayoutWidget):  # type: ignore[misc]  # pyqtgraph is untyped
    """Common machinery: style, layout for a size, and painting the scene into any device."""

    _ready = False  # set by subclasses once their items exist (pyqtgraph resizes during init)

    def __init__(self, style: ChartStyle | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._style = style or ChartStyle()
        self.setBackground("w")
        self.ci.setSpacing(0)
        self._laid_out_for: tuple[int, int] | None = None

    # -- to be provided by each chart

    def copy(self, style: ChartStyle) -> Self:
        """An unshown chart with the same data in another style (export at another dpi)."""
        raise NotImplementedError

    def relayout(self, width: float, height: float) -> None:
        """Fit texts, axes and data graphics to a size in device pixels."""
        raise NotImplementedError

    def has_data(self) -> bool:
        raise NotImplementedError

    @property
    def export_name(self) -> str:
        """Default file name (without suffix) for this chart's data."""
        return "chart"

    def preferred_height(self, width: float) -> float | None:
        """A height (device px) the chart needs at `width`, or None to accept any height.

        Charts with many rows (one bar per KPI) ask for more than a preset's height.
        """
        return None

    # -- style

    @property
    def chart_style(self) -> ChartStyle:
        return self._style

    def set_chart_style(self, style: ChartStyle) -> None:
        self._style = style
        self._apply_style()
        self.refresh()

    def _apply_style(self) -> None:
        """Hook: push fonts and pens of the current style into the items."""

    def refresh(self) -> None:
        """Lay out again for the current size (after data or style changed)."""
        if not self._ready:
            return
        size = self.size()
        self.relayout(float(size.width()), float(size.height()))

    # -- sizing and painting

    def margin(self) -> float:
        return self._style.px(self._style.font_pt * 0.6)

    def resizeEvent(self, ev: QResizeEvent | None) -> None:
        if self._ready:
            size = self.size()
            self.relayout(float(size.width()), float(size.height()))
        super().resizeEvent(ev)

    def prepare(self, width: int, height: int) -> None:
        """Lay the scene out at exactly width × height device pixels (works while hidden)."""
        self.resize(width, height)
        self.relayout(float(width), float(height))
        # GraphicsView.resizeEvent sizes the central layout from self.size(); a hidden widget
        # gets no resize event until shown, so call it here.
        pg.GraphicsView.resizeEvent(self, None)
        self.ci.setGeometry(QRectF(0, 0, width, height))
        self._activate_layouts()
        self._laid_out_for = (width, height)

    def _activate_layouts(self) -> None:
        """Run every pending layout now, nested ones included.

        Without an event loop (batch export, the CLI) a nested layout whose widget kept its
        size (the plot inside the chart) only marks itself for a later LayoutRequest event:
        its axes would keep the previous KPI's widths and drop tick labels that no longer fit.
        """
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        for _ in range(2):  # inner sizes can change outer size hints: settle twice
            self.ci.layout.activate()
            for item in self.scene().items():
                # pyqtgraph shadows layout() with an attribute: call Qt's method explicitly
                layout = QGraphicsWidget.layout(item) if isinstance(item, QGraphicsWidget) else None
                if layout is not None:
                    layout.activate()

    def render_into(self, painter: QPainter, width: int, height: int) -> None:
        """Paint the chart, background included, at the painter's origin."""
        self.prepare(width, height)
        rect = QRectF(0, 0, width, height)
        painter.fillRect(rect, QColor("white"))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        self.scene().render(painter, rect, rect)

    def render_image(self, size: QSize, dpi: float | None = None) -> QImage:
        """The chart as an RGB image of `size` pixels, tagged with `dpi` (the style's if None)."""
        image = QImage(size, QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        try:
            self.render_into(painter, size.width(), size.height())
        finally:
            painter.end()
        dpm = dots_per_meter(self._style.dpi if dpi is None else dpi)
        image.setDotsPerMeterX(dpm)
        image.setDotsPerMeterY(dpm)
        return image

    # -- helpers for subclasses

    def _text_colour(self) -> QColor:
        return self._style.colour(Role.TEXT)

    @staticmethod
    def _ceil(value: float) -> int:
        return math.ceil(value - 1e-6)
