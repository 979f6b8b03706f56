"""Chart export for documents: PNG at a print dpi, SVG, PDF, and the clipboard.

Presets are sizes that fit the documents the staff write (docs/charts.md):

    word-full  16.0 × 10.0 cm   full text width of an A4 Word page (20 mm + 25 mm margins)
    word-half   8.0 ×  7.0 cm   half width: two charts side by side, or one beside text
    slide      33.867 × 19.05 cm  a whole PowerPoint 16:9 slide (13.333 × 7.5 in, the default)

A PNG is built at its final pixel size for the chosen dpi (150/300/600) with fonts and pens
scaled by dpi/96, and carries the dpi in its pHYs chunk so that Word places it at the preset's
size. SVG and PDF are vector: the chart is built at 96 units per inch (CSS pixels) and written
with QSvgGenerator and QPdfWriter (pyqtgraph 0.14.0's own SVGExporter fails on every plot and
its PrintExporter is disabled; QPdfWriter at a higher resolution garbles pyqtgraph's cached axis
text). The PDF embeds a subset of the font and its text stays searchable.

Threading: GUI thread only (charts are widgets).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Final

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QRectF, QSize, QSizeF
from PySide6.QtGui import (
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
)
from PySide6.QtSvg import QSvgGenerator

from aomori_desktop import APP_NAME, __version__
from aomori_desktop.charts.base import ChartView
from aomori_desktop.charts.png import png_bytes
from aomori_desktop.charts.style import CSS_DPI, AxisLabelMode, ChartStyle
from aomori_desktop.domain.errors import UserError
from aomori_desktop.fileio import write_bytes_atomically

__all__ = [
    "DPI_CHOICES",
    "PRESETS",
    "ChartExportError",
    "ExportFormat",
    "ExportSettings",
    "Preset",
    "PresetSpec",
    "chart_bytes",
    "copy_to_clipboard",
    "export_chart",
    "pixel_size",
    "safe_filename",
    "svg_font_family",
    "write_chart",
]

CM_PER_INCH: Final = 2.54
DPI_CHOICES: Final = (150, 300, 600)
MIN_DPI: Final = 72
MAX_DPI: Final = 600
SVG_FONT_FALLBACKS: Final = (
    "BIZ UDゴシック",
    "Yu Gothic",
    "Meiryo",
    "Hiragino Sans",
    "Noto Sans CJK JP",
    "sans-serif",
)


class ChartExportError(UserError):
    """A chart could not be written; the message is one Japanese sentence for the user."""


class Preset(StrEnum):
    WORD_FULL = "word-full"
    WORD_HALF = "word-half"
    SLIDE = "slide"


@dataclass(frozen=True, slots=True)
class PresetSpec:
    label: str
    width_cm: float
    height_cm: float
    font_pt: float  # body text of the chart at this size


PRESETS: Final = {
    Preset.WORD_FULL: PresetSpec("Word 全幅（16 cm）", 16.0, 10.0, 9.0),
    Preset.WORD_HALF: PresetSpec("Word 半幅（8 cm）", 8.0, 7.0, 8.0),
    Preset.SLIDE: PresetSpec("スライド 16:9（PowerPoint）", 33.867, 19.05, 14.0),
}


class ExportFormat(StrEnum):
    PNG = "png"
    SVG = "svg"
    PDF = "pdf"

    @property
    def suffix(self) -> str:
        return f".{self.value}"

    @property
    def filter(self) -> str:
        """File-dialog filter text."""
        return {
            "png": "PNG 画像 (*.png)",
            "svg": "SVG ベクター画像 (*.svg)",
            "pdf": "PDF (*.pdf)",
        }[self.value]

    @classmethod
    def from_path(cls, path: Path) -> ExportFormat:
        try:
            return cls(path.suffix.lower().lstrip("."))
        except ValueError:
            raise ChartExportError(
                f"「{path.name}」の形式が分かりません。拡張子を .png、.svg、.pdf のいずれかにしてください。"
            ) from None


def pixel_size(width_cm: float, height_cm: float, dpi: float) -> QSize:
    return QSize(round(width_cm / CM_PER_INCH * dpi), round(height_cm / CM_PER_INCH * dpi))


@dataclass(frozen=True, slots=True)
class ExportSettings:
    """Size preset, dpi (PNG and clipboard), monochrome and the fiscal-year label setting."""

    preset: Preset = Preset.WORD_FULL
    dpi: int = 300
    monochrome: bool = False
    axis_labels: AxisLabelMode = AxisLabelMode.WESTERN

    def __post_init__(self) -> None:
        if not MIN_DPI <= self.dpi <= MAX_DPI:
            raise ChartExportError(
                f"解像度 {self.dpi} dpi は指定できません。{MIN_DPI}〜{MAX_DPI} dpi の間で指定してください。"
            )

    @property
    def spec(self) -> PresetSpec:
        return PRESETS[self.preset]

    def style(self, fmt: ExportFormat) -> ChartStyle:
        """The chart style for a format: PNG at the chosen dpi, vector formats at 96."""
        dpi = float(self.dpi) if fmt is ExportFormat.PNG else CSS_DPI
        return ChartStyle(
            dpi=dpi,
            font_pt=self.spec.font_pt,
            monochrome=self.monochrome,
            axis_labels=self.axis_labels,
        )

    def size_for(self, chart: ChartView) -> QSize:
        """Pixel size at the chart's dpi: the preset's, or taller if the chart needs it."""
        dpi = chart.chart_style.dpi
        size = pixel_size(self.spec.width_cm, self.spec.height_cm, dpi)
        wanted = chart.preferred_height(float(size.width()))
        if wanted is not None and wanted > size.height():
            size.setHeight(round(wanted))
        return size


# ------------------------------------------------------------------ file names

_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{i}" for i in range(1, 10)}
    | {f"LPT{i}" for i in range(1, 10)}
)


def safe_filename(stem: str, suffix: str = "", max_length: int = 80) -> str:
    """A file name that Windows accepts: no \\ / : * ? " < > |, no trailing dot or space,
    no reserved device name, at most `max_length` characters including the suffix.

    Full-width characters are kept (Japanese names stay readable); NFC-normalised so that the
    same name typed on a Mac and on Windows gives the same file.
    """
    text = unicodedata.normalize("NFC", stem)
    # characters nobody sees (controls, bidirectional overrides that make "gnp.exe" read
    # "exe.png", zero-width marks) are dropped: the name shown is the name on disk
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf"))
    text = _FORBIDDEN.sub("_", text)
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"_+", "_", text)
    room = max(1, max_length - len(suffix))
    text = text[:room].rstrip(" .")
    if not text:
        text = "chart"
    if text.startswith("."):  # "..", or a file hidden on the Mac and Linux
        text = f"_{text}"[:room]
    if text.split(".")[0].upper() in _RESERVED:
        text = f"_{text}"[:room]
    return text + suffix


# ------------------------------------------------------------------ writing


def _png_bytes(chart: ChartView, size: QSize) -> bytes:
    return png_bytes(chart.render_image(size))  # charts/png.py: a fifth of Qt's encoding time


def svg_font_family(svg: str, family: str) -> str:
    """Give every text a list of Japanese fallback faces after the bundled one.

    QSvgGenerator names only the face it drew with; a PC without BIZ UDPGothic (older Windows,
    a Mac) would otherwise fall back to a face without kanji in some programs.
    """
    families = ", ".join(f"'{f}'" if " " in f else f for f in SVG_FONT_FALLBACKS)
    return svg.replace(f'font-family="{family}"', f"font-family=\"'{family}', {families}\"")


def _svg_bytes(chart: ChartView, size: QSize, title: str) -> bytes:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(size)
    generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
    generator.setResolution(round(CSS_DPI))  # width/height in mm follow from this
    generator.setTitle(title)
    generator.setDescription(f"{APP_NAME} {__version__}")
    painter = QPainter()
    if not painter.begin(generator):
        raise ChartExportError("SVG を作成できませんでした。")
    try:
        chart.render_into(painter, size.width(), size.height())
    finally:
        painter.end()
    buffer.close()
    svg = bytes(buffer.data().data()).decode("utf-8")
    svg = svg_font_family(svg, chart.chart_style.font_family)
    return svg.encode("utf-8")


def _pdf_bytes(chart: ChartView, size: QSize, title: str) -> bytes:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(round(CSS_DPI))
    writer.setCreator(f"{APP_NAME} {__version__}")
    writer.setTitle(title)
    # PDF page sizes are whole points: take the nearest and stretch the chart by < 0.2 % to it
    points = QSizeF(
        math.floor(size.width() * 72 / CSS_DPI + 0.5),
        math.floor(size.height() * 72 / CSS_DPI + 0.5),
    )
    page = QPageSize(points, QPageSize.Unit.Point, title, QPageSize.SizeMatchPolicy.ExactMatch)
    writer.setPageLayout(QPageLayout(page, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
    painter = QPainter()
    if not painter.begin(writer):
        raise ChartExportError("PDF を作成できませんでした。")
    try:
        painter.scale(
            points.width() * CSS_DPI / 72 / size.width(),
            points.height() * CSS_DPI / 72 / size.height(),
        )
        chart.render_into(painter, size.width(), size.height())
    finally:
        painter.end()  # completes the PDF in the buffer
    return bytes(buffer.data().data())


def chart_bytes(chart: ChartView, fmt: ExportFormat, size: QSize, title: str = "") -> bytes:
    """The file content of a chart that is already in the output's style."""
    if fmt is ExportFormat.PNG:
        return _png_bytes(chart, size)
    if fmt is ExportFormat.SVG:
        return _svg_bytes(chart, size, title)
    return _pdf_bytes(chart, size, title)


def write_chart(
    chart: ChartView, path: Path, fmt: ExportFormat, size: QSize, title: str = ""
) -> Path:
    """Write a chart that is already in the output's style (see `ExportSettings.style`).

    The whole file is built in memory and written atomically (fileio): a failure never leaves
    half a chart where Word expects the old one.
    """
    write_bytes_atomically(path, chart_bytes(chart, fmt, size, title))
    return path


def export_chart(
    chart: ChartView,
    path: Path | str,
    settings: ExportSettings,
    fmt: ExportFormat | None = None,
    title: str = "",
) -> Path:
    """Export what `chart` shows at the preset's size; the format follows the suffix if None.

    The on-screen chart is left alone: an unshown twin is built in the output's style.
    """
    target = Path(path)
    fmt = fmt or ExportFormat.from_path(target)
    twin = chart.copy(settings.style(fmt))
    try:
        return write_chart(twin, target, fmt, settings.size_for(twin), title)
    finally:
        twin.close()
        twin.deleteLater()


def chart_image(chart: ChartView, settings: ExportSettings) -> QImage:
    """The chart as a PNG would hold it (preset size at the settings' dpi)."""
    twin = chart.copy(settings.style(ExportFormat.PNG))
    try:
        return twin.render_image(settings.size_for(twin))
    finally:
        twin.close()
        twin.deleteLater()


def copy_to_clipboard(chart: ChartView, settings: ExportSettings) -> QImage:
    """Put the chart on the clipboard as an image (paste into Word or PowerPoint)."""
    image = chart_image(chart, settings)
    clipboard = QGuiApplication.clipboard()
    if clipboard is None:
        raise ChartExportError("クリップボードを使えません。")
    clipboard.setImage(image)
    return image
