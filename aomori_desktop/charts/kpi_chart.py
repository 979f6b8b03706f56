"""The progress chart of one KPI: actual values per fiscal year against the path to the target.

Drawn from a plain `KpiDetail` (services.dto): actual values (確定 filled markers and solid
line, 速報 hollow markers and dashed line), the baseline point, the target, the expected path
(straight, or through the interim targets), the level a maintain KPI keeps (line and band),
and the latest grade in a status line above the plot. The y axis has thousands separators and
its unit reads upright above it; the x axis shows whole fiscal years only.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Self

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPen
from PySide6.QtWidgets import QWidget

from aomori_desktop.charts.axes import FiscalYearAxis, Scale, ValueAxis, format_tick, nice_scale
from aomori_desktop.charts.base import ChartView
from aomori_desktop.charts.items import (
    Align,
    Badge,
    DeviceLayer,
    DrawOp,
    HLine,
    Label,
    Legend,
    LegendEntry,
    Markers,
    Polyline,
    Rect,
    SampleKind,
    TextBlock,
)
from aomori_desktop.charts.style import AxisLabelMode, ChartStyle, Role
from aomori_desktop.domain.fiscal import fy_label, fy_label_era, fy_short
from aomori_desktop.domain.numbers import format_decimal
from aomori_desktop.domain.outlook import outlook_for
from aomori_desktop.domain.plan import Direction, FigureStatus
from aomori_desktop.domain.progress import Grade, KpiTerms, format_rate
from aomori_desktop.services.dto import KpiDetail, KpiYearView

__all__ = ["KpiChart", "KpiChartOptions", "KpiSeries", "kpi_series"]


@dataclass(frozen=True, slots=True)
class KpiChartOptions:
    """What to show besides the data.

    title: None → the KPI's name; "" → no title (the document has its own caption).
    source: None → the KPI's data source (出典); "" → no source line.
    as_of: the fiscal year evaluated (the status line grades the latest value up to it),
        marked with a shaded column when values after it are drawn too. None → the latest.
    until: draw values up to this fiscal year only (a document "as of" a year); None → every
        entered value.
    """

    title: str | None = None
    source: str | None = None
    as_of: int | None = None
    until: int | None = None
    show_status: bool = True
    value_labels: bool = True


@dataclass(frozen=True, slots=True)
class ActualPoint:
    fiscal_year: int
    value: Decimal
    preliminary: bool


@dataclass(frozen=True, slots=True)
class KpiSeries:
    """The numbers a KPI chart draws, derived from a KpiDetail (pure; tested without Qt)."""

    actuals: tuple[ActualPoint, ...]
    baseline: tuple[int, Decimal]
    target: tuple[int, Decimal]
    expected_path: tuple[tuple[int, Decimal], ...]  # empty for maintain KPIs
    interim_targets: tuple[tuple[int, Decimal], ...]
    level: Decimal | None  # the level a maintain KPI keeps
    first_year: int
    last_year: int
    latest: KpiYearView | None  # the value the status line grades
    # 見込み: the trend of the actuals (least squares) from the first actual year to the target
    # year; empty with fewer than two actual years or once the target year has a value
    outlook: tuple[tuple[int, Decimal], ...] = ()
    marked_year: int | None = None  # the evaluated fiscal year, shaded

    @property
    def data_values(self) -> list[Decimal]:
        found = [self.baseline[1], self.target[1]]
        found += [p.value for p in self.actuals]
        found += [v for _, v in self.interim_targets]
        return found

    @property
    def values(self) -> list[Decimal]:
        """Every value the y axis must show (the outlook's line included)."""
        return self.data_values + [v for _, v in self.outlook]

    @property
    def integral(self) -> bool:
        """Every value is a whole number (counts): the y axis then never shows 0.5."""
        return all(v == v.to_integral_value() for v in self.data_values)


def kpi_series(detail: KpiDetail, as_of: int | None = None, until: int | None = None) -> KpiSeries:
    """Every entered value (up to `until`), and the latest value up to `as_of` to grade."""
    years = [y for y in detail.years if until is None or y.fiscal_year <= until]
    evaluated = [y for y in years if as_of is None or y.fiscal_year <= as_of]
    actuals = tuple(
        ActualPoint(y.fiscal_year, y.actual, y.status is FigureStatus.PRELIMINARY)
        for y in sorted(years, key=lambda y: y.fiscal_year)
        if y.actual is not None
    )
    interims = tuple(
        (y.fiscal_year, y.interim_target)
        for y in sorted(detail.years, key=lambda y: y.fiscal_year)
        if y.interim_target is not None
        and detail.baseline_fiscal_year < y.fiscal_year < detail.target_fiscal_year
    )
    baseline = (detail.baseline_fiscal_year, detail.baseline)
    target = (detail.target_fiscal_year, detail.target)
    maintain = detail.direction is Direction.MAINTAIN or detail.target == detail.baseline
    path = () if maintain else (baseline, *interims, target)
    plan_years = [y.fiscal_year for y in detail.years]
    latest = next((y for y in reversed(evaluated) if y.actual is not None), None)
    first_year = min([detail.baseline_fiscal_year, detail.target_fiscal_year, *plan_years])
    last_year = max([detail.baseline_fiscal_year, detail.target_fiscal_year, *plan_years])
    return KpiSeries(
        actuals=actuals,
        baseline=baseline,
        target=target,
        expected_path=path,
        interim_targets=interims,
        level=detail.target if maintain else None,
        first_year=first_year,
        last_year=last_year,
        latest=latest,
        outlook=_outlook_line(detail, years),
        # a chart cut at the evaluated year (a document as of that year) needs no mark
        marked_year=as_of
        if as_of is not None
        and first_year <= as_of <= last_year
        and (until is None or until > as_of)
        else None,
    )


def _outlook_line(
    detail: KpiDetail, years: Sequence[KpiYearView]
) -> tuple[tuple[int, Decimal], ...]:
    """The 見込み line (domain.outlook) through the shown years' actuals to the target year."""
    terms = KpiTerms(
        detail.baseline,
        detail.baseline_fiscal_year,
        detail.target,
        detail.target_fiscal_year,
        detail.direction,
    )
    outlook = outlook_for(terms, {y.fiscal_year: y.actual for y in years})
    if outlook is None or outlook.latest_year >= detail.target_fiscal_year:
        return ()
    first, last = outlook.first_year, detail.target_fiscal_year
    return ((first, outlook.value_at(first)), (last, outlook.value_at(last)))


def _year_phrase(mode: AxisLabelMode, fiscal_year: int) -> str:
    if mode is AxisLabelMode.ERA:
        return fy_label_era(fiscal_year)
    if mode is AxisLabelMode.SHORT:
        return f"{fy_short(fiscal_year)}年度"
    return f"{fiscal_year}年度"


def _segments(
    points: Sequence[tuple[float, float, bool]],
) -> list[tuple[bool, list[tuple[float, float]]]]:
    """Consecutive line segments grouped by whether they end in a 速報 point (dashed)."""
    runs: list[tuple[bool, list[tuple[float, float]]]] = []
    for (x0, y0, _), (x1, y1, prelim) in itertools.pairwise(points):
        if runs and runs[-1][0] == prelim:
            runs[-1][1].append((x1, y1))
        else:
            runs.append((prelim, [(x0, y0), (x1, y1)]))
    return runs


class KpiChart(ChartView):
    """Progress chart of one KPI (see module doc). `set_data` redraws everything."""

    def __init__(self, style: ChartStyle | None = None, parent: QWidget | None = None) -> None:
        super().__init__(style, parent)
        self._detail: KpiDetail | None = None
        self._options = KpiChartOptions()
        self._series: KpiSeries | None = None

        self.title_block = TextBlock()
        self.status_block = TextBlock()
        self.legend = Legend()
        self.source_block = TextBlock()
        self.unit_block = TextBlock()
        self.caption_block = TextBlock(align=Qt.AlignmentFlag.AlignRight)
        self.x_axis = FiscalYearAxis(self._style.axis_labels)
        self.y_axis = ValueAxis("left")
        self.plot = pg.PlotItem(axisItems={"bottom": self.x_axis, "left": self.y_axis})
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.layout.setContentsMargins(0, 0, 0, 0)
        # the unit sits upright above the value axis, in the top axis' row (never shown)
        self.plot.layout.removeItem(self.plot.getAxis("top"))
        self.plot.layout.addItem(self.unit_block, 1, 0, 1, 2)
        self.plot.layout.addItem(self.caption_block, 3, 2)
        self.layer = DeviceLayer()
        self.plot.addItem(self.layer)
        self.ci.addItem(self.title_block, 0, 0)
        self.ci.addItem(self.status_block, 1, 0)
        self.ci.addItem(self.plot, 2, 0)
        self.ci.addItem(self.legend, 3, 0)
        self.ci.addItem(self.source_block, 4, 0)
        self._ready = True
        self._apply_style()

    # -- data

    @property
    def detail(self) -> KpiDetail | None:
        return self._detail

    @property
    def options(self) -> KpiChartOptions:
        return self._options

    @property
    def series(self) -> KpiSeries | None:
        return self._series

    def has_data(self) -> bool:
        return self._detail is not None

    @property
    def export_name(self) -> str:
        return f"{self._detail.code}_{self._detail.name}" if self._detail else "KPI"

    def set_data(self, detail: KpiDetail | None, options: KpiChartOptions | None = None) -> None:
        """Show a KPI (None clears the chart); call again whenever its values change."""
        self._detail = detail
        if options is not None:
            self._options = options
        self._series = (
            kpi_series(detail, self._options.as_of, self._options.until)
            if detail is not None
            else None
        )
        self._update_texts()
        self.refresh()

    def set_options(self, options: KpiChartOptions) -> None:
        self.set_data(self._detail, options)

    def copy(self, style: ChartStyle) -> Self:
        twin = type(self)(style)
        twin.set_data(self._detail, self._options)
        return twin

    # -- style and texts

    def _apply_style(self) -> None:
        s = self._style
        text = s.colour(Role.TEXT)
        muted = s.colour(Role.MUTED)
        self.title_block.set_look(s.font(1.3, bold=True), text)
        self.status_block.set_look(s.font(1.0), text)
        self.source_block.set_look(s.font(0.85), muted)
        self.unit_block.set_look(s.font(0.9), text)
        self.caption_block.set_look(s.font(0.9), text)
        hatch_pen = s.pen(Role.TEXT, s.thin_pt)
        self.legend.set_look(s.font(0.9), text, s.px(s.marker_pt), s.px(3), hatch_pen)
        tick_font = s.font(0.9)
        axis_pen = s.pen(Role.AXIS, s.thin_pt)
        axis_pen.setCapStyle(Qt.PenCapStyle.SquareCap)
        for axis in (self.x_axis, self.y_axis):
            axis.setTickFont(tick_font)
            axis.setPen(axis_pen)
            axis.setTextPen(QPen(text))
            axis.setTickPen(axis_pen)
        gap = s.ipx(s.font_pt * 0.35)
        self.x_axis.setStyle(
            tickLength=s.ipx(s.font_pt * 0.3), tickTextOffset=gap, hideOverlappingLabels=0
        )
        self.y_axis.setStyle(
            tickLength=0, tickTextOffset=gap, hideOverlappingLabels=s.ipx(s.font_pt)
        )
        self.x_axis.set_mode(s.axis_labels)
        margin = self.margin()
        self.ci.setContentsMargins(margin, margin, margin, margin)
        self._update_texts()

    def _update_texts(self) -> None:
        d, o, s = self._detail, self._options, self._style
        if d is None:
            for block in (self.title_block, self.status_block, self.source_block):
                block.set_text("")
            self.unit_block.set_text("")
            self.caption_block.set_text("")
            self.legend.set_entries([])
            return
        self.title_block.set_text(d.name if o.title is None else o.title)
        source = d.data_source if o.source is None else o.source
        self.source_block.set_text(f"出典：{source}" if source.strip() else "")
        unit = "・".join(part for part in (d.unit, "累計" if d.cumulative else "") if part)
        self.unit_block.set_text(f"（{unit}）" if unit else "")
        self.caption_block.set_text(s.axis_labels.caption)
        if o.show_status:
            text, badge = self._status_text()
            self.status_block.set_text(text, badge)
        else:
            self.status_block.set_text("")
        self.legend.set_entries(self._legend_entries())

    def _status_text(self) -> tuple[str, Badge]:
        assert self._detail is not None and self._series is not None
        d = self._detail
        latest = self._series.latest
        grade = latest.progress.grade if latest is not None else Grade.NONE
        look = self._style.grade_look(grade)
        badge = Badge(
            "−" if grade is Grade.NONE else grade.value, look.fill, look.text, look.outline
        )
        if latest is None or latest.actual is None:
            return "評価不能（実績値が未入力です）", badge
        prelim = "（速報）" if latest.status is FigureStatus.PRELIMINARY else ""
        rate = format_rate(latest.progress.achievement_rate)
        expected = format_rate(latest.progress.expected_rate)
        parts = [
            f"{fy_label(latest.fiscal_year)} 実績 {format_decimal(latest.actual)}{d.unit}{prelim}",
            f"達成率 {rate}%" if rate is not None else "達成率 算出不可",
            f"期待進捗率 {expected}%",
        ]
        return f"{grade.label}　" + "、".join(parts), badge

    # -- legend and drawing

    def _pens(self) -> dict[str, QPen]:
        s = self._style
        actual = s.pen(Role.ACTUAL)
        prelim = s.pen(Role.ACTUAL, style=Qt.PenStyle.DashLine)
        prelim.setDashPattern([3.0, 2.0])
        expected = s.pen(Role.EXPECTED, s.line_pt * 0.75, Qt.PenStyle.DashLine)
        expected.setDashPattern([4.0, 3.0])
        level = s.pen(Role.LEVEL, s.line_pt * 0.9, Qt.PenStyle.DashDotLine)
        outlook = s.pen(Role.ACTUAL, s.line_pt * 0.8, Qt.PenStyle.DotLine)
        outlook.setDashPattern([1.2, 1.6])
        return {
            "outlook": outlook,
            "actual": actual,
            "prelim": prelim,
            "expected": expected,
            "level": level,
            "marker": s.pen(Role.ACTUAL, s.line_pt * 0.8),
            "baseline": s.pen(Role.BASELINE, s.line_pt * 0.7),
            "target": s.pen(Role.TARGET, s.line_pt * 0.6, colour=s.colour(Role.TARGET).darker(130)),
            "interim": s.pen(Role.EXPECTED, s.line_pt * 0.7),
            "grid": s.pen(Role.GRID, s.thin_pt),
        }

    def _legend_entries(self) -> list[LegendEntry]:
        d, series, s = self._detail, self._series, self._style
        if d is None or series is None:
            return []
        pens = self._pens()
        white = QBrush(QColor("white"))
        actual_brush = QBrush(s.colour(Role.ACTUAL))
        cumulative = "累計・" if d.cumulative else ""
        entries: list[LegendEntry] = []
        if any(not p.preliminary for p in series.actuals):
            entries.append(
                LegendEntry(
                    f"実績値（{cumulative}確定）",
                    SampleKind.LINE,
                    pens["actual"],
                    "o",
                    pens["marker"],
                    actual_brush,
                )
            )
        if any(p.preliminary for p in series.actuals):
            entries.append(
                LegendEntry(
                    f"実績値（{cumulative}速報）",
                    SampleKind.LINE,
                    pens["prelim"],
                    "o",
                    pens["marker"],
                    white,
                )
            )
        unit = d.unit
        b_fy, b = series.baseline
        t_fy, t = series.target
        entries.append(
            LegendEntry(
                f"基準値 {format_decimal(b)}{unit}（{_year_phrase(s.axis_labels, b_fy)}）",
                SampleKind.LINE,
                None,
                "s",
                pens["baseline"],
                QBrush(s.colour(Role.BASELINE)),
            )
        )
        if series.level is not None:
            entries.append(
                LegendEntry(
                    f"維持する水準 {format_decimal(series.level)}{unit}以上",
                    SampleKind.LINE,
                    pens["level"],
                )
            )
        else:
            direction = "・減少目標" if d.direction is Direction.DECREASE else ""
            entries.append(
                LegendEntry(
                    f"目標値 {format_decimal(t)}{unit}（{_year_phrase(s.axis_labels, t_fy)}{direction}）",
                    SampleKind.LINE,
                    None,
                    "star",
                    pens["target"],
                    QBrush(s.colour(Role.TARGET)),
                )
            )
            how = "年度目標を結ぶ" if series.interim_targets else "直線"
            entries.append(
                LegendEntry(f"目標までの想定推移（{how}）", SampleKind.LINE, pens["expected"])
            )
            if series.interim_targets:
                entries.append(
                    LegendEntry("年度目標", SampleKind.LINE, None, "d", pens["interim"], white)
                )
        if series.outlook:
            entries.append(LegendEntry("見込み（実績の傾向）", SampleKind.LINE, pens["outlook"]))
        return entries

    def _build_ops(
        self,
        scale: Scale,
        x0: float,
        x1: float,
        to_px: Callable[[float, float], tuple[float, float]],
    ) -> list[DrawOp]:
        series, s, d = self._series, self._style, self._detail
        if series is None or d is None:
            return []
        pens = self._pens()
        marker = s.px(s.marker_pt)
        ops: list[DrawOp] = []
        if series.marked_year is not None:
            fy = series.marked_year
            ops.append(Rect(fy - 0.5, scale.low, fy + 0.5, scale.high, s.colour(Role.SELECTED)))
        if series.level is not None:
            ops.append(Rect(x0, float(series.level), x1, scale.high, s.colour(Role.BAND)))
        ops += [HLine(v, pens["grid"]) for v in scale.ticks() if v != scale.low]
        if series.expected_path:
            ops.append(
                Polyline([(fy, float(v)) for fy, v in series.expected_path], pens["expected"])
            )
        if series.level is not None:
            ops.append(HLine(float(series.level), pens["level"]))
        if series.outlook:
            ops.append(Polyline([(fy, float(v)) for fy, v in series.outlook], pens["outlook"]))
        b_fy, b = series.baseline
        points = [(float(b_fy), float(b), False)] + [
            (float(p.fiscal_year), float(p.value), p.preliminary)
            for p in series.actuals
            if p.fiscal_year > b_fy
        ]
        for prelim, run in _segments(points):
            ops.append(Polyline(run, pens["prelim"] if prelim else pens["actual"]))
        ops.append(
            Markers(
                [(b_fy, float(b))],
                "s",
                marker * 0.9,
                pens["baseline"],
                QBrush(s.colour(Role.BASELINE)),
            )
        )
        if series.interim_targets:
            ops.append(
                Markers(
                    [(fy, float(v)) for fy, v in series.interim_targets],
                    "d",
                    marker * 0.9,
                    pens["interim"],
                    QBrush(QColor("white")),
                )
            )
        t_fy, t = series.target
        actual_years = {p.fiscal_year for p in series.actuals}
        if series.level is None:
            ops.append(
                Markers(
                    [(t_fy, float(t))],
                    "star",
                    marker * 1.7,
                    pens["target"],
                    QBrush(s.colour(Role.TARGET)),
                )
            )
        finals = [(p.fiscal_year, float(p.value)) for p in series.actuals if not p.preliminary]
        prelims = [(p.fiscal_year, float(p.value)) for p in series.actuals if p.preliminary]
        if finals:
            ops.append(Markers(finals, "o", marker, pens["marker"], QBrush(s.colour(Role.ACTUAL))))
        if prelims:
            ops.append(Markers(prelims, "o", marker, pens["marker"], QBrush(QColor("white"))))
        if self._options.value_labels:
            ops += self._value_labels(series, actual_years, to_px, marker)
        return ops

    def _value_labels(
        self,
        series: KpiSeries,
        actual_years: set[int],
        to_px: Callable[[float, float], tuple[float, float]],
        marker: float,
    ) -> list[DrawOp]:
        """Value labels beside the points, placed greedily so that none overlaps another.

        The target and the latest value come first; a label that fits neither above nor below
        its point is left out (the yearly table beside the chart has every value).
        """
        s = self._style
        font = s.font(0.8)
        metrics = QFontMetricsF(font)
        white = QColor("white")
        decrease = self._detail is not None and self._detail.direction is Direction.DECREASE
        first, second = (Align.BELOW, Align.ABOVE) if decrease else (Align.ABOVE, Align.BELOW)
        pad = metrics.height() * 0.15
        wanted: list[tuple[float, float, str, QColor, float]] = []
        t_fy, t = series.target
        if series.level is None and t_fy not in actual_years:
            wanted.append((t_fy, float(t), format_decimal(t), s.colour(Role.TARGET), marker * 0.9))
        wanted += [
            (
                p.fiscal_year,
                float(p.value),
                format_decimal(p.value),
                s.colour(Role.TEXT),
                marker * 0.5,
            )
            for p in reversed(series.actuals)
        ]
        placed: list[QRectF] = []  # markers first: no label may cover a point
        b_fy, b = series.baseline
        points = [(b_fy, float(b), marker * 0.45)]
        points += [(p.fiscal_year, float(p.value), marker * 0.5) for p in series.actuals]
        if series.level is None:
            points.append((t_fy, float(t), marker * 0.85))
        for year, value, r in points:
            x, y = to_px(year, value)
            placed.append(QRectF(x - r, y - r, 2 * r, 2 * r))
        labels: list[DrawOp] = []
        for fy, value, text, colour, radius in wanted:
            gap = radius + pad + s.px(1)  # clear of its own point, padding included
            x, y = to_px(fy, value)
            w, h = metrics.horizontalAdvance(text), metrics.height()
            for where in (first, second):
                top = y - gap - h if where is Align.ABOVE else y + gap
                rect = QRectF(x - w / 2, top, w, h).adjusted(-pad, -pad, pad, pad)
                if not any(rect.intersects(other) for other in placed):
                    placed.append(rect)
                    labels.append(Label(fy, value, text, font, colour, where, gap, white))
                    break
        return labels

    # -- layout

    def _y_bounds(self) -> tuple[float, float]:
        assert self._series is not None
        values = [float(v) for v in self._series.values]
        lo, hi = min(values), max(values)
        if lo >= 0 and lo <= hi * 0.5:
            lo = 0.0
        span = (hi - lo) or abs(hi) or 1.0
        if lo != 0.0:
            lo -= span * 0.12
        return lo, hi + span * 0.12

    def relayout(self, width: float, height: float) -> None:
        s = self._style
        margin = self.margin()
        inner = max(1.0, width - 2 * margin)
        gap = s.px(s.font_pt * 0.45)
        used = 0.0
        for block, pad in (
            (self.title_block, gap),
            (self.status_block, gap),
            (self.legend, gap * 0.6),
            (self.source_block, gap * 0.3),
        ):
            h = block.height_for_width(inner)
            fixed = self._ceil(h + pad) if h else 0
            block.setFixedHeight(fixed)
            used += fixed  # not block.height(): the geometry follows only when the layout runs
        tick_h = QFontMetricsF(s.font(0.9)).height()
        # the unit's line, and room for the top tick label that straddles the plot's top edge
        unit_h = tick_h * (1.0 if self.unit_block.text else 0.0) + tick_h * 0.75
        self.unit_block.setFixedHeight(self._ceil(unit_h))

        scale = Scale(0.0, 1.0, 0.25)
        if self._series is None:
            x0, x1 = 2023.5, 2033.5
        else:
            x0 = self._series.first_year - 0.5
            x1 = self._series.last_year + 0.5

        caption_text_w = (
            QFontMetricsF(s.font(0.9)).horizontalAdvance(self.caption_block.text) + s.px(1)
            if self.caption_block.text
            else 0.0
        )
        caption_w = caption_text_w + s.px(s.font_pt * 0.6)
        x_offset = self.x_axis.style["tickTextOffset"][1] + max(0, self.x_axis.style["tickLength"])
        two_lines = False
        for _ in range(3):
            axis_h = self._ceil(x_offset + tick_h * (2 if two_lines else 1) + s.px(1))
            plot_h = max(10.0, height - 2 * margin - used - unit_h - axis_h)
            if self._series is not None:
                lo, hi = self._y_bounds()
                # decided in points, so 96-dpi (PDF, SVG) and 300-dpi charts get the same ticks
                max_ticks = max(2, min(8, int(plot_h / s.px(s.font_pt * 0.9 * 2.9))))
                scale = nice_scale(lo, hi, max_ticks, integer=self._series.integral)
            self.y_axis.set_scale(scale)
            metrics = QFontMetricsF(s.font(0.9))
            labels_w = max(
                (metrics.horizontalAdvance(format_tick(v, scale.decimals)) for v in scale.ticks()),
                default=0.0,
            )
            axis_w = self._ceil(labels_w + self.y_axis.style["tickTextOffset"][0] + s.px(1))
            plot_w = max(10.0, inner - axis_w - caption_w)
            px_per_year = plot_w / (x1 - x0)
            if self._series is not None:
                self.x_axis.fit(self._series.first_year, self._series.last_year, px_per_year)
            # the last year's label reaches past the axis end: the caption starts after it
            last_label = self.x_axis.label_width([int(x1 - 0.5)], two_lines=self.x_axis.two_lines)
            overhang = max(0.0, last_label / 2 - px_per_year / 2)
            settled = self.x_axis.two_lines == two_lines and overhang <= caption_w - caption_text_w
            caption_w = max(caption_w, caption_text_w + overhang + s.px(2))
            if settled:
                break
            two_lines = self.x_axis.two_lines
        axis_h = self._ceil(x_offset + self.x_axis.text_height() + s.px(1))
        # each setter below draws its axis anew even for an equal value: set what changed
        if self.x_axis.fixedHeight != axis_h:
            self.x_axis.setHeight(axis_h)
        # first and last labels may reach into the margins beside the axis
        years = list(range(int(x0 + 0.5), int(x1 - 0.5) + 1))
        overhang = self.x_axis.label_width(years, two_lines=self.x_axis.two_lines) / 2
        if self.x_axis.style["hideOverlappingLabels"] != self._ceil(overhang):
            self.x_axis.setStyle(hideOverlappingLabels=self._ceil(overhang))
        self.caption_block.setFixedHeight(axis_h)
        self.caption_block.setFixedWidth(self._ceil(caption_w))
        self.caption_block.set_top_padding(x_offset)
        if self.y_axis.fixedWidth != axis_w:
            self.y_axis.setWidth(axis_w)
        vb = self.plot.vb
        if vb.state["autoRange"] != [False, False] or vb.viewRange() != [
            [x0, x1],
            [scale.low, scale.high],
        ]:
            vb.setRange(xRange=(x0, x1), yRange=(scale.low, scale.high), padding=0)
        plot_h = max(10.0, height - 2 * margin - used - unit_h - axis_h)

        def to_px(x: float, y: float) -> tuple[float, float]:
            return (x - x0) * px_per_year, (scale.high - y) * plot_h / (scale.high - scale.low)

        self.layer.set_ops(
            self._build_ops(scale, x0, x1, to_px),
            QRectF(x0, scale.low, x1 - x0, scale.high - scale.low),
        )

    # -- for tests and tooling

    def x_tick_strings(self) -> list[str]:
        """The fiscal-year labels the x axis draws."""
        lo, hi = self.plot.vb.viewRange()[0]
        return self.x_axis.tickStrings(self.x_axis.tickValues(lo, hi, 0)[0][1], 1.0, 1.0)

    def y_tick_strings(self) -> list[str]:
        return self.y_axis.tick_texts()
