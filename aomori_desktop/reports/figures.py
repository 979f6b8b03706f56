"""The report's figures drawn with the application's own charts (charts/), off-screen.

For Word: PNG at 300 dpi at the full text width (16 cm), built at that pixel size so that text
and lines are print-sharp (docs/charts.md). For the PDF: vector drawing straight into the
page at 96 units per inch, the resolution at which pyqtgraph's cached axis text stays right
(a higher QPdfWriter resolution garbles it); the font is embedded and the text searchable.

One chart object of each kind is reused for every figure (updating a chart is much cheaper
than creating one). Threading: GUI thread only (charts are widgets).
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QSize
from PySide6.QtGui import QPainter

from aomori_desktop.charts.base import ChartView
from aomori_desktop.charts.export import CM_PER_INCH
from aomori_desktop.charts.kpi_chart import KpiChart, KpiChartOptions
from aomori_desktop.charts.overview_chart import GradeCountChart, GradeCountData
from aomori_desktop.charts.style import CSS_DPI, ChartStyle
from aomori_desktop.reports.model import Figure, GradeCountFigure, KpiFigure
from aomori_desktop.reports.png import png_bytes

__all__ = ["TEXT_WIDTH_CM", "FigureRenderer"]

TEXT_WIDTH_CM: Final = 16.0  # A4 with 25 mm margins left and right: the Word full-width preset
KPI_ASPECT: Final = 10.0 / 16.0  # the word-full preset, 16 × 10 cm
FONT_PT: Final = 9.0
PNG_DPI: Final = 300


class FigureRenderer:
    """Draws report figures; keep one per report (it holds the reused chart widgets)."""

    def __init__(self) -> None:
        self._charts: dict[tuple[str, float], ChartView] = {}
        self._pngs: dict[tuple[str, int], tuple[bytes, float]] = {}

    def close(self) -> None:
        for chart in self._charts.values():
            chart.close()
            chart.deleteLater()
        self._charts.clear()

    def _chart(self, figure: Figure, dpi: float) -> ChartView:
        kind = "kpi" if isinstance(figure, KpiFigure) else "grades"
        chart = self._charts.get((kind, dpi))
        if chart is None:
            style = ChartStyle(dpi=dpi, font_pt=FONT_PT)
            chart = KpiChart(style) if kind == "kpi" else GradeCountChart(style)
            self._charts[(kind, dpi)] = chart
        if isinstance(figure, KpiFigure):
            assert isinstance(chart, KpiChart)
            chart.set_data(figure.detail, KpiChartOptions(title="", as_of=figure.as_of))
        else:
            assert isinstance(chart, GradeCountChart)
            chart.set_data(
                GradeCountData.from_pairs("", figure.fiscal_year, figure.rows, source="")
            )
        return chart

    @staticmethod
    def _height(chart: ChartView, figure: Figure, width: float) -> float:
        height = width * KPI_ASPECT
        if isinstance(figure, GradeCountFigure):
            wanted = chart.preferred_height(width)
            height = max(width * 0.45, wanted or 0.0)
        return height

    def size_px(self, figure: Figure, width: float, dpi: float = CSS_DPI) -> QSize:
        """The pixel size of a figure drawn `width` device pixels wide at `dpi`."""
        chart = self._chart(figure, dpi)
        return QSize(round(width), round(self._height(chart, figure, width)))

    def png(self, figure: Figure) -> tuple[bytes, float]:
        """PNG bytes at 300 dpi for the full text width, and the height in cm (a KPI's chart
        is drawn once however often it is shown)."""
        key = (figure.detail.code, figure.as_of) if isinstance(figure, KpiFigure) else None
        if key is not None and key in self._pngs:
            return self._pngs[key]
        made = self._png(figure)
        if key is not None:
            self._pngs[key] = made
        return made

    def _png(self, figure: Figure) -> tuple[bytes, float]:
        width = round(TEXT_WIDTH_CM / CM_PER_INCH * PNG_DPI)
        chart = self._chart(figure, float(PNG_DPI))
        size = QSize(width, round(self._height(chart, figure, float(width))))
        image = chart.render_image(size, PNG_DPI)
        return png_bytes(image, PNG_DPI), size.height() / PNG_DPI * CM_PER_INCH

    def paint(self, figure: Figure, painter: QPainter, width: int, height: int) -> None:
        """Draw a figure (vector) at the painter's origin, `width` × `height` CSS pixels."""
        chart = self._chart(figure, CSS_DPI)
        chart.render_into(painter, width, height)
