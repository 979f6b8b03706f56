"""How charts look: sizes in points scaled to the output dpi, colours or greys, grade fills.

Everything a chart draws is sized in typographic points (1/72 inch) and converted to device
pixels for the output's dpi (`ChartStyle.px`), so a chart built for a 300-dpi PNG reads the same
as the 96-dpi one on screen. pyqtgraph does not do this on its own: its legend ignores export
scaling and its cosmetic pens stay 1 px (docs/charts.md); the charts therefore build every
item at the final pixel size instead of scaling a finished picture.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Final

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPen

from aomori_desktop.domain.fiscal import era_of_fiscal_year, fy_label_era, fy_short
from aomori_desktop.domain.grading import Pattern
from aomori_desktop.domain.progress import Grade

__all__ = [
    "CSS_DPI",
    "DEFAULT_FONT_FAMILY",
    "AxisLabelMode",
    "ChartStyle",
    "GradeLook",
    "Hatch",
    "Role",
    "grade_text",
]

CSS_DPI: Final = 96.0
"""Logical pixels per inch of the screen, of SVG user units and of the PDF page (docs/charts.md)."""

POINTS_PER_INCH: Final = 72.0

DEFAULT_FONT_FAMILY: Final = "BIZ UDPGothic"
"""The bundled face (ui.qt_setup registers it); the same face ships with Windows 10/11."""


class AxisLabelMode(StrEnum):
    """How the fiscal-year axis names a year (a user setting)."""

    WESTERN = "western"  # 2024
    SHORT = "short"  # R6
    ERA = "era"  # 令和6年度

    @property
    def label(self) -> str:
        return {"western": "西暦（2024）", "short": "略記（R6）", "era": "和暦（令和6年度）"}[
            self.value
        ]

    def text(self, fiscal_year: int) -> str:
        """One-line tick text for a fiscal year."""
        if self is AxisLabelMode.SHORT:
            return fy_short(fiscal_year)
        if self is AxisLabelMode.ERA:
            return fy_label_era(fiscal_year)
        return str(fiscal_year)

    def two_line_text(self, fiscal_year: int) -> str:
        """Tick text broken in two lines where one line is too wide (令和 / 6年度)."""
        if self is AxisLabelMode.ERA:
            name, n = era_of_fiscal_year(fiscal_year)
            return f"{name}\n{'元' if n == 1 else n}年度"
        return self.text(fiscal_year)

    @property
    def caption(self) -> str:
        """Caption at the end of the axis; empty where the labels already say 年度."""
        return "" if self is AxisLabelMode.ERA else "（年度）"


class Role(Enum):
    """What a drawn element means; the style maps each to a colour or a grey."""

    TEXT = "text"
    MUTED = "muted"  # secondary text: status line, source line
    AXIS = "axis"
    GRID = "grid"
    ACTUAL = "actual"
    BASELINE = "baseline"
    TARGET = "target"
    EXPECTED = "expected"
    LEVEL = "level"  # the level a maintain KPI keeps
    BAND = "band"  # fill above a maintain level
    EXPECTED_MARK = "expected_mark"  # expected rate mark on achievement bars
    REFERENCE = "reference"  # the 100 % line
    SELECTED = "selected"  # the column of the fiscal year being evaluated


class Hatch(Enum):
    """Line patterns drawn over a fill, so grades stay apart on a monochrome printout."""

    NONE = "none"
    DIAGONAL = "diagonal"  # ////
    BACK_DIAGONAL = "back_diagonal"  # \\\\
    CROSS = "cross"  # XXXX


@dataclass(frozen=True, slots=True)
class GradeLook:
    fill: QColor
    hatch: Hatch
    text: QColor  # text drawn on the fill
    outline: QColor


# Grade colours, greys and patterns come from the grade itself (domain.grading): the tree
# badges, the tables and the reports use the same definition.
_HATCHES: Final = {
    Pattern.NONE: Hatch.NONE,
    Pattern.DIAGONAL: Hatch.DIAGONAL,
    Pattern.BACK_DIAGONAL: Hatch.BACK_DIAGONAL,
    Pattern.CROSS: Hatch.CROSS,
}

_COLOURS: Final = {
    Role.TEXT: "#1a1a1a",
    Role.MUTED: "#4d4d4d",
    Role.AXIS: "#333333",
    Role.GRID: "#d9d9d9",
    Role.ACTUAL: "#1f5fbf",
    Role.BASELINE: "#595959",
    Role.TARGET: "#c62828",
    Role.EXPECTED: "#7f7f7f",
    Role.LEVEL: "#1b7f3b",
    Role.BAND: "#e3f1e6",
    Role.EXPECTED_MARK: "#000000",
    Role.REFERENCE: "#c62828",
    Role.SELECTED: "#e8eef8",
}
_GREYS: Final = {
    Role.TEXT: "#000000",
    Role.MUTED: "#404040",
    Role.AXIS: "#333333",
    Role.GRID: "#d9d9d9",
    Role.ACTUAL: "#000000",
    Role.BASELINE: "#595959",
    Role.TARGET: "#000000",
    Role.EXPECTED: "#666666",
    Role.LEVEL: "#333333",
    Role.BAND: "#ececec",
    Role.EXPECTED_MARK: "#000000",
    Role.REFERENCE: "#000000",
    Role.SELECTED: "#f0f0f0",
}


def grade_text(grade: Grade) -> str:
    """'A 達成', '◎ 順調', '− 評価不能' (the same words as the tree badges)."""
    return grade.text


@dataclass(frozen=True, slots=True)
class ChartStyle:
    """Output resolution, type size, colour or monochrome, and the year-label setting.

    `dpi` is the output's pixels per inch: 96 for the screen, SVG and PDF (vector, one unit per
    CSS pixel), 150/300/600 for PNG. Sizes are given in points and converted with `px`.
    """

    dpi: float = CSS_DPI
    font_pt: float = 9.0
    monochrome: bool = False
    axis_labels: AxisLabelMode = AxisLabelMode.WESTERN
    font_family: str = DEFAULT_FONT_FAMILY

    # -- sizes

    def px(self, points: float) -> float:
        """Device pixels for a length in points at this style's dpi."""
        return points * self.dpi / POINTS_PER_INCH

    def ipx(self, points: float) -> int:
        """`px` rounded to a whole pixel, at least 1."""
        return max(1, round(self.px(points)))

    @property
    def line_pt(self) -> float:
        """Width of data lines, relative to the type size (1.4 pt at 9 pt text)."""
        return self.font_pt * 0.155

    @property
    def thin_pt(self) -> float:
        """Axis and grid lines."""
        return self.font_pt * 0.075

    @property
    def marker_pt(self) -> float:
        """Diameter of data markers."""
        return self.font_pt * 0.75

    # -- fonts

    def font(self, scale: float = 1.0, *, bold: bool = False) -> QFont:
        """The chart face at `scale` × the body size, in pixels of this dpi.

        Pixel sizes (not point sizes) keep the text independent of the paint device's own dpi
        (QImage, QPdfWriter, QSvgGenerator and pyqtgraph's QPicture caches all differ), and
        unhinted metrics keep line breaks identical at every resolution.
        """
        font = QFont(self.font_family)
        font.setPixelSize(max(1, round(self.px(self.font_pt * scale))))
        font.setBold(bold)
        font.setStyleHint(QFont.StyleHint.SansSerif)
        font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
        font.setKerning(True)
        return font

    # -- colours and pens

    def colour(self, role: Role) -> QColor:
        table = _GREYS if self.monochrome else _COLOURS
        return QColor(table[role])

    def pen(
        self,
        role: Role,
        width_pt: float | None = None,
        style: Qt.PenStyle = Qt.PenStyle.SolidLine,
        *,
        colour: QColor | None = None,
    ) -> QPen:
        """A non-cosmetic pen in device pixels (charts paint in device coordinates)."""
        pen = QPen(colour if colour is not None else self.colour(role))
        pen.setWidthF(self.px(self.line_pt if width_pt is None else width_pt))
        pen.setStyle(style)
        pen.setCosmetic(False)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        return pen

    def grade_look(self, grade: Grade) -> GradeLook:
        look = grade.look
        if self.monochrome:
            return GradeLook(
                QColor(look.grey), _HATCHES[look.pattern], QColor(look.grey_ink), QColor("#000000")
            )
        outline = QColor(look.fill).darker(140)
        return GradeLook(QColor(look.fill), Hatch.NONE, QColor(look.ink), outline)

    # -- variants

    def with_dpi(self, dpi: float) -> ChartStyle:
        return dataclasses.replace(self, dpi=float(dpi))

    def with_font_pt(self, font_pt: float) -> ChartStyle:
        return dataclasses.replace(self, font_pt=float(font_pt))

    def with_monochrome(self, monochrome: bool) -> ChartStyle:
        return dataclasses.replace(self, monochrome=monochrome)

    def with_axis_labels(self, mode: AxisLabelMode) -> ChartStyle:
        return dataclasses.replace(self, axis_labels=mode)
