"""Axes for the charts: whole fiscal years only, and values with thousands separators.

Both axes decide their ticks themselves (pyqtgraph's defaults would label 2023.5 and 1e+06).
Their sizes are set explicitly by the chart from font metrics: pyqtgraph only widens an axis
for its labels after a first paint, so an off-screen export would otherwise lose tick labels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontMetricsF

from aomori_desktop.charts.style import AxisLabelMode

__all__ = [
    "FiscalYearAxis",
    "Scale",
    "ValueAxis",
    "format_tick",
    "nice_scale",
]

_YEAR_STEPS = (1, 2, 5, 10, 20, 50)


@dataclass(frozen=True, slots=True)
class Scale:
    """A value range that starts and ends on a tick, and the tick step."""

    low: float
    high: float
    step: float

    @property
    def decimals(self) -> int:
        return _decimals(self.step)

    def ticks(self) -> list[float]:
        count = round((self.high - self.low) / self.step)
        return [_clean(self.low + i * self.step, self.decimals) for i in range(count + 1)]


def _decimals(step: float) -> int:
    """Digits after the point needed to show multiples of `step` exactly."""
    for digits in range(0, 10):
        if abs(step * 10**digits - round(step * 10**digits)) < 1e-9 * max(1.0, step * 10**digits):
            return digits
    return 9


def _clean(value: float, decimals: int) -> float:
    rounded = round(value, decimals)
    return 0.0 if rounded == 0 else rounded


def nice_scale(low: float, high: float, max_ticks: int = 6, *, integer: bool = False) -> Scale:
    """A 1-2-5 tick step giving at most `max_ticks` intervals, and the range rounded out to it.

    `integer` keeps the step ≥ 1 (counts of 件 or 人 never get a 0.5 tick).
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError("scale bounds must be finite")
    if high < low:
        low, high = high, low
    if high == low:
        pad = abs(high) * 0.1 or 1.0
        low, high = low - pad, high + pad
    max_ticks = max(1, max_ticks)
    raw = (high - low) / max_ticks
    exponent = math.floor(math.log10(raw))
    step = 0.0
    for exp in (exponent, exponent + 1):
        for mantissa in (1, 2, 2.5, 5):
            candidate = mantissa * 10.0**exp
            if mantissa == 2.5 and exp <= 0:
                continue  # 0.25 steps need two decimals for little gain
            if candidate >= raw * (1 - 1e-9):
                step = candidate
                break
        if step:
            break
    if integer:
        step = max(1.0, round(step))
    decimals = _decimals(step)
    first = math.floor(low / step + 1e-9) * step
    last = math.ceil(high / step - 1e-9) * step
    return Scale(_clean(first, decimals), _clean(last, decimals), step)


def format_tick(value: float, decimals: int, suffix: str = "") -> str:
    """Tick text with thousands separators: 1,109,980 / 8.5 / -15 (never 1e+06)."""
    text = f"{value:,.{decimals}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]
    return text + suffix


class ValueAxis(pg.AxisItem):  # type: ignore[misc]  # pyqtgraph is untyped
    """A value axis whose ticks are the multiples of a step the chart chose (`set_scale`)."""

    def __init__(self, orientation: str = "left", *, suffix: str = "") -> None:
        super().__init__(orientation, maxTickLength=0)
        self._scale = Scale(0.0, 1.0, 0.2)
        self._suffix = suffix

    def set_scale(self, scale: Scale, suffix: str | None = None) -> None:
        if scale == self._scale and suffix in (None, self._suffix):
            return  # the drawn axis stays valid: the next paint replays it
        self._scale = scale
        if suffix is not None:
            self._suffix = suffix
        self.picture = None
        self.update()

    def setRange(self, mn: float, mx: float) -> None:
        _set_range(self, mn, mx)

    @property
    def scale_spec(self) -> Scale:
        return self._scale

    def tick_texts(self) -> list[str]:
        """The labels this axis draws (for tests and for sizing the axis)."""
        return [format_tick(v, self._scale.decimals, self._suffix) for v in self._scale.ticks()]

    def tickValues(
        self, minVal: float, maxVal: float, size: float
    ) -> list[tuple[float, list[float]]]:
        lo, hi = sorted((minVal, maxVal))
        eps = self._scale.step * 1e-6
        return [(self._scale.step, [v for v in self._scale.ticks() if lo - eps <= v <= hi + eps])]

    def tickStrings(self, values: Sequence[float], scale: float, spacing: float) -> list[str]:
        return [format_tick(v, self._scale.decimals, self._suffix) for v in values]


class FiscalYearAxis(pg.AxisItem):  # type: ignore[misc]  # pyqtgraph is untyped
    """Bottom axis of whole fiscal years, labelled 2024, R6 or 令和6年度 (`AxisLabelMode`).

    Ticks are only ever placed on integers; where labels would collide the axis labels every
    2nd (5th, ...) year, and 令和6年度 is broken in two lines before years are skipped.
    """

    def __init__(self, mode: AxisLabelMode = AxisLabelMode.WESTERN) -> None:
        super().__init__("bottom", maxTickLength=0)
        self._mode = mode
        self._step = 1
        self._anchor = 0
        self._two_lines = False

    @property
    def mode(self) -> AxisLabelMode:
        return self._mode

    @property
    def step(self) -> int:
        return self._step

    @property
    def two_lines(self) -> bool:
        return self._two_lines

    def set_mode(self, mode: AxisLabelMode) -> None:
        self._mode = mode
        self.picture = None
        self.update()

    def _font(self) -> QFont:
        font = self.style.get("tickFont")
        return font if isinstance(font, QFont) else QFont()

    def _text(self, year: int) -> str:
        return self._mode.two_line_text(year) if self._two_lines else self._mode.text(year)

    def label_width(self, years: Sequence[int], *, two_lines: bool) -> float:
        metrics = QFontMetricsF(self._font())
        width = 0.0
        for year in years:
            text = self._mode.two_line_text(year) if two_lines else self._mode.text(year)
            width = max(width, *(metrics.horizontalAdvance(line) for line in text.split("\n")))
        return width

    def fit(self, first: int, last: int, px_per_year: float) -> None:
        """Choose one- or two-line labels and the year step so that labels never overlap."""
        years = list(range(first, last + 1))
        gap = QFontMetricsF(self._font()).height() * 0.4
        options = [False, True] if self._mode is AxisLabelMode.ERA else [False]
        before = (self._step, self._two_lines, self._anchor)
        self._anchor = first
        self._step, self._two_lines = _YEAR_STEPS[-1], len(options) > 1
        for step, two_lines in ((s, t) for s in _YEAR_STEPS for t in options):
            if self.label_width(years, two_lines=two_lines) + gap <= px_per_year * step:
                self._step, self._two_lines = step, two_lines
                break
        if (self._step, self._two_lines, self._anchor) != before:
            self.picture = None  # the same labels as drawn: the next paint replays them
            self.update()

    def setRange(self, mn: float, mx: float) -> None:
        _set_range(self, mn, mx)

    def text_height(self) -> float:
        """Height of the tick labels (one or two lines)."""
        metrics = QFontMetricsF(self._font())
        lines = 2 if self._two_lines else 1
        return metrics.height() * lines + metrics.leading() * (lines - 1)

    def years(self, minVal: float, maxVal: float) -> list[int]:
        lo, hi = sorted((minVal, maxVal))
        first, last = math.ceil(lo - 1e-9), math.floor(hi + 1e-9)
        return [y for y in range(first, last + 1) if (y - self._anchor) % self._step == 0]

    def tickValues(
        self, minVal: float, maxVal: float, size: float
    ) -> list[tuple[float, list[float]]]:
        """Labelled years, then (when labels skip years) the other years as bare ticks."""
        labelled = self.years(minVal, maxVal)
        levels = [(float(self._step), [float(y) for y in labelled])]
        if self._step > 1:
            lo, hi = sorted((minVal, maxVal))
            others = [
                float(y)
                for y in range(math.ceil(lo - 1e-9), math.floor(hi + 1e-9) + 1)
                if y not in labelled
            ]
            levels.append((1.0, others))
        return levels

    def tickStrings(self, values: Sequence[float], scale: float, spacing: float) -> list[str]:
        return [
            self._text(round(v)) if (round(v) - self._anchor) % self._step == 0 else ""
            for v in values
        ]

    def tick_texts(self) -> list[str]:
        """The labels this axis draws for its current range (for tests)."""
        lo, hi = self.range
        return self.tickStrings(self.tickValues(lo, hi, 0)[0][1], 1.0, float(self._step))


def _set_range(axis: pg.AxisItem, mn: float, mx: float) -> None:
    """`AxisItem.setRange`, except that the same range again keeps the drawn axis: the plot
    is laid out again for every KPI shown, and most share their years (and often their
    value range), so their axis is not generated and drawn anew."""
    if list(getattr(axis, "range", ())) == [mn, mx]:
        return
    pg.AxisItem.setRange(axis, mn, mx)
