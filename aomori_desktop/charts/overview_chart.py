"""Overview charts for the plan, a pillar or a measure, for one fiscal year.

`AchievementChart`: one horizontal bar per KPI with its achievement rate (達成率), the expected
rate (期待進捗率) marked across the bar, bars filled by grade and labelled with the grade letter
and the rate, so the chart reads on a monochrome printout too (the monochrome style adds grey
steps and hatching).

`GradeCountChart`: per pillar (or any rows the caller gives), the number of KPIs in each grade
as stacked bars. Per-pillar counts come from the caller as (label, GradeCounts) pairs, e.g.
from `PlanQueries.overview(pillar, year).counts` for each pillar.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Self

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPen
from PySide6.QtWidgets import QWidget

from aomori_desktop.charts.axes import Scale, ValueAxis, format_tick, nice_scale
from aomori_desktop.charts.base import ChartView
from aomori_desktop.charts.items import (
    Align,
    DeviceLayer,
    DrawOp,
    Label,
    Legend,
    LegendEntry,
    Rect,
    SampleKind,
    TextBlock,
    VSegment,
)
from aomori_desktop.charts.style import ChartStyle, Role, grade_text
from aomori_desktop.domain.fiscal import fy_label
from aomori_desktop.domain.grading import DEFAULT_SCHEME
from aomori_desktop.domain.progress import Grade, GradeCounts, format_rate
from aomori_desktop.services.dto import Overview

__all__ = [
    "AchievementChart",
    "AchievementData",
    "AchievementRow",
    "CategoryAxis",
    "GradeCountChart",
    "GradeCountData",
    "GradeCountRow",
]


@dataclass(frozen=True, slots=True)
class AchievementRow:
    code: str
    name: str
    achievement: Decimal | None
    expected: Decimal
    grade: Grade


@dataclass(frozen=True, slots=True)
class AchievementData:
    title: str
    fiscal_year: int
    rows: tuple[AchievementRow, ...]
    source: str = ""

    @classmethod
    def from_overview(
        cls, overview: Overview, fiscal_year: int, title: str | None = None, source: str = ""
    ) -> AchievementData:
        """Rows in plan order from `PlanQueries.overview(scope, fiscal_year)`."""
        return cls(
            title=overview.title if title is None else title,
            fiscal_year=fiscal_year,
            rows=tuple(
                AchievementRow(
                    k.code,
                    k.name,
                    k.progress.achievement_rate,
                    k.progress.expected_rate,
                    k.progress.grade,
                )
                for k in overview.kpis
            ),
            source=source,
        )


@dataclass(frozen=True, slots=True)
class GradeCountRow:
    label: str
    counts: GradeCounts


@dataclass(frozen=True, slots=True)
class GradeCountData:
    title: str
    fiscal_year: int
    rows: tuple[GradeCountRow, ...]
    source: str = ""

    @classmethod
    def from_pairs(
        cls,
        title: str,
        fiscal_year: int,
        pairs: Iterable[tuple[str, GradeCounts]],
        source: str = "",
    ) -> GradeCountData:
        return cls(title, fiscal_year, tuple(GradeCountRow(label, c) for label, c in pairs), source)


class CategoryAxis(pg.AxisItem):  # type: ignore[misc]  # pyqtgraph is untyped
    """Left axis naming one row per integer position (0 at the top), labels elided to fit."""

    def __init__(self) -> None:
        super().__init__("left", maxTickLength=0)
        self._labels: list[str] = []

    def set_labels(self, labels: Sequence[str]) -> None:
        self._labels = list(labels)
        self.picture = None
        self.update()

    @property
    def labels(self) -> list[str]:
        return list(self._labels)

    def tickValues(
        self, minVal: float, maxVal: float, size: float
    ) -> list[tuple[float, list[float]]]:
        return [(1.0, [float(i) for i in range(len(self._labels))])]

    def tickStrings(self, values: Sequence[float], scale: float, spacing: float) -> list[str]:
        return [self._labels[round(v)] if 0 <= round(v) < len(self._labels) else "" for v in values]


class _BarChart(ChartView):
    """Shared frame: title, subtitle, a horizontal-bar plot with row labels, legend, source."""

    label_share = 0.4  # at most this share of the width for row labels

    def __init__(self, style: ChartStyle | None = None, parent: QWidget | None = None) -> None:
        super().__init__(style, parent)
        self.title_block = TextBlock()
        self.subtitle_block = TextBlock()
        self.legend = Legend()
        self.source_block = TextBlock()
        self.caption_block = TextBlock(align=Qt.AlignmentFlag.AlignRight)
        self.row_axis = CategoryAxis()
        self.value_axis = ValueAxis("bottom")
        self.plot = pg.PlotItem(axisItems={"left": self.row_axis, "bottom": self.value_axis})
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.layout.setContentsMargins(0, 0, 0, 0)
        self.plot.layout.addItem(self.caption_block, 3, 2)
        self.plot.vb.invertY(True)
        self.layer = DeviceLayer()
        self.plot.addItem(self.layer)
        self.ci.addItem(self.title_block, 0, 0)
        self.ci.addItem(self.subtitle_block, 1, 0)
        self.ci.addItem(self.plot, 2, 0)
        self.ci.addItem(self.legend, 3, 0)
        self.ci.addItem(self.source_block, 4, 0)
        self._ready = True
        self._apply_style()

    # -- what subclasses provide

    def _row_labels(self) -> list[str]:
        raise NotImplementedError

    def _value_range(self) -> tuple[float, float]:
        raise NotImplementedError

    def _ops(self, scale: Scale, to_px_x: float) -> list[DrawOp]:
        raise NotImplementedError

    def _legend_entries(self) -> list[LegendEntry]:
        raise NotImplementedError

    def _texts(self) -> tuple[str, str, str, str]:
        """Title, subtitle, source line and the value axis caption."""
        raise NotImplementedError

    def _right_room(self) -> float:
        """Device px needed right of the longest bar (its label)."""
        return 0.0

    value_suffix = ""
    integer_values = False

    # -- style

    def _apply_style(self) -> None:
        s = self._style
        text = s.colour(Role.TEXT)
        self.title_block.set_look(s.font(1.3, bold=True), text)
        self.subtitle_block.set_look(s.font(1.0), text)
        self.source_block.set_look(s.font(0.85), s.colour(Role.MUTED))
        self.caption_block.set_look(s.font(0.9), text)
        self.legend.set_look(
            s.font(0.9), text, s.px(s.marker_pt), s.px(3), s.pen(Role.TEXT, s.thin_pt)
        )
        axis_pen = s.pen(Role.AXIS, s.thin_pt)
        axis_pen.setCapStyle(Qt.PenCapStyle.SquareCap)
        for axis in (self.row_axis, self.value_axis):
            axis.setTickFont(s.font(0.9))
            axis.setPen(axis_pen)
            axis.setTextPen(QPen(text))
            axis.setTickPen(axis_pen)
        gap = s.ipx(s.font_pt * 0.35)
        self.row_axis.setStyle(tickLength=0, tickTextOffset=gap, hideOverlappingLabels=s.ipx(4))
        self.value_axis.setStyle(
            tickLength=s.ipx(s.font_pt * 0.3),
            tickTextOffset=gap,
            hideOverlappingLabels=s.ipx(s.font_pt * 2),
        )
        margin = self.margin()
        self.ci.setContentsMargins(margin, margin, margin, margin)
        self._update_texts()

    def _update_texts(self) -> None:
        if not self.has_data():
            for block in (
                self.title_block,
                self.subtitle_block,
                self.source_block,
                self.caption_block,
            ):
                block.set_text("")
            self.legend.set_entries([])
            self.row_axis.set_labels([])
            return
        title, subtitle, source, caption = self._texts()
        self.title_block.set_text(title)
        self.subtitle_block.set_text(subtitle)
        self.source_block.set_text(f"出典：{source}" if source.strip() else "")
        self.caption_block.set_text(caption)
        self.legend.set_entries(self._legend_entries())

    # -- layout

    def _row_height(self) -> float:
        return QFontMetricsF(self._style.font(0.9)).height() * 1.9

    def _fixed_heights(self, inner: float) -> float:
        s = self._style
        gap = s.px(s.font_pt * 0.45)
        used = 0.0
        for block, pad in (
            (self.title_block, gap * 0.5),
            (self.subtitle_block, gap),
            (self.legend, gap * 0.6),
            (self.source_block, gap * 0.3),
        ):
            h = block.height_for_width(inner)
            fixed = self._ceil(h + pad) if h else 0
            block.setFixedHeight(fixed)
            used += fixed
        return used

    def _axis_height(self) -> float:
        s = self._style
        tick_h = QFontMetricsF(s.font(0.9)).height()
        offset = self.value_axis.style["tickTextOffset"][1] + max(
            0, self.value_axis.style["tickLength"]
        )
        return self._ceil(offset + tick_h + s.px(1))

    def preferred_height(self, width: float) -> float | None:
        if not self.has_data():
            return None
        inner = max(1.0, width - 2 * self.margin())
        fixed = self._fixed_heights(inner)
        rows = max(1, len(self._row_labels()))
        top = QFontMetricsF(self._style.font(0.9)).height() * 0.6
        return 2 * self.margin() + fixed + top + rows * self._row_height() + self._axis_height()

    def relayout(self, width: float, height: float) -> None:
        s = self._style
        margin = self.margin()
        inner = max(1.0, width - 2 * margin)
        self._fixed_heights(inner)
        metrics = QFontMetricsF(s.font(0.9))
        labels = self._row_labels() if self.has_data() else []
        limit = inner * self.label_share
        shown = [metrics.elidedText(label, Qt.TextElideMode.ElideRight, limit) for label in labels]
        self.row_axis.set_labels(shown)
        gap = self.row_axis.style["tickTextOffset"][0]
        axis_w = self._ceil(
            max((metrics.horizontalAdvance(t) for t in shown), default=0.0) + gap + s.px(2)
        )
        self.row_axis.setWidth(axis_w)
        caption = self.caption_block.text
        # the last tick label straddles the axis end: the caption starts after its right half
        widest_tick = metrics.horizontalAdvance(format_tick(1000, 0, self.value_suffix)) / 2
        caption_w = self._ceil(
            (metrics.horizontalAdvance(caption) + widest_tick if caption else widest_tick) + s.px(3)
        )
        axis_h = self._axis_height()
        self.value_axis.setHeight(axis_h)
        self.caption_block.setFixedWidth(caption_w)
        self.caption_block.setFixedHeight(axis_h)
        self.caption_block.set_top_padding(
            self.value_axis.style["tickTextOffset"][1] + max(0, self.value_axis.style["tickLength"])
        )
        plot_w = max(10.0, inner - axis_w - caption_w)
        n = len(labels)
        if not self.has_data():
            scale = Scale(0.0, 100.0, 20.0)
        else:
            lo, hi = self._value_range()
            max_ticks = max(2, min(10, int(plot_w / s.px(s.font_pt * 3.8))))
            scale = nice_scale(lo, hi, max_ticks, integer=self.integer_values)
            room = self._right_room()
            for _ in range(3):  # widen the range until the longest bar's label fits
                per_px = (scale.high - scale.low) / plot_w
                if hi + room * per_px <= scale.high:
                    break
                scale = nice_scale(lo, hi + room * per_px, max_ticks, integer=self.integer_values)
        self.value_axis.set_scale(scale, self.value_suffix)
        rows = max(n, 1)
        self.plot.vb.setRange(xRange=(scale.low, scale.high), yRange=(-0.5, rows - 0.5), padding=0)
        ops = self._ops(scale, plot_w / (scale.high - scale.low)) if self.has_data() else []
        self.layer.set_ops(ops, QRectF(scale.low, -0.5, scale.high - scale.low, rows))

    def _grid(self, scale: Scale, rows: int) -> list[DrawOp]:
        s = self._style
        grid = s.pen(Role.GRID, s.thin_pt)
        return [
            VSegment(v, -0.5, rows - 0.5, grid) for v in scale.ticks() if v not in (scale.low, 0.0)
        ]


class AchievementChart(_BarChart):
    """達成率 per KPI for one fiscal year (see module doc)."""

    value_suffix = "%"

    def __init__(self, style: ChartStyle | None = None, parent: QWidget | None = None) -> None:
        self._data: AchievementData | None = None
        super().__init__(style, parent)

    @property
    def data(self) -> AchievementData | None:
        return self._data

    def has_data(self) -> bool:
        return self._data is not None

    @property
    def export_name(self) -> str:
        if self._data is None:
            return "達成率"
        return f"達成率_{self._data.fiscal_year}年度_{self._data.title}"

    def set_data(self, data: AchievementData | None) -> None:
        self._data = data
        self._update_texts()
        self.refresh()

    def copy(self, style: ChartStyle) -> Self:
        twin = type(self)(style)
        twin.set_data(self._data)
        return twin

    def _texts(self) -> tuple[str, str, str, str]:
        assert self._data is not None
        d = self._data
        return (
            d.title,
            f"{fy_label(d.fiscal_year)}のKPI達成率（{len(d.rows)}指標）",
            d.source,
            "",
        )

    def _row_labels(self) -> list[str]:
        assert self._data is not None
        return [f"{r.code} {r.name}" for r in self._data.rows]

    def _bar_label(self, row: AchievementRow) -> str:
        letter = "−" if row.grade is Grade.NONE else row.grade.value
        rate = format_rate(row.achievement)
        return f"{letter} {rate}%" if rate is not None else grade_text(Grade.NONE)

    def _right_room(self) -> float:
        if self._data is None:
            return 0.0
        metrics = QFontMetricsF(self._style.font(0.8))
        return max(
            (metrics.horizontalAdvance(self._bar_label(r)) for r in self._data.rows), default=0.0
        ) + self._style.px(4)

    def _value_range(self) -> tuple[float, float]:
        assert self._data is not None
        values = [0.0, 100.0]
        for r in self._data.rows:
            values.append(float(r.expected))
            if r.achievement is not None:
                values.append(float(r.achievement))
        return min(values), max(values)

    def _ops(self, scale: Scale, px_per_unit: float) -> list[DrawOp]:
        assert self._data is not None
        s = self._style
        rows = len(self._data.rows)
        ops: list[DrawOp] = self._grid(scale, rows)
        half = 0.3
        outline = s.pen(Role.AXIS, s.thin_pt)
        hatch_pen = s.pen(Role.TEXT, s.thin_pt * 1.2)
        mark = s.pen(Role.EXPECTED_MARK, s.line_pt * 1.3)
        font = s.font(0.8)
        gap = s.px(2)
        for i, row in enumerate(self._data.rows):
            look = s.grade_look(row.grade)
            if row.achievement is not None:
                rate = float(row.achievement)
                ops.append(
                    Rect(
                        0.0,
                        i - half,
                        rate,
                        i + half,
                        look.fill,
                        outline,
                        look.hatch,
                        hatch_pen,
                        s.px(3.5),
                    )
                )
            end = max(0.0, float(row.achievement)) if row.achievement is not None else 0.0
            ops.append(VSegment(float(row.expected), i - half, i + half, mark, overhang=s.px(2)))
            # the label goes after the bar and after the expected mark, whichever ends later
            mark_end = float(row.expected) + mark.widthF() / 2 / px_per_unit
            anchor = max(end, mark_end) if float(row.expected) >= end else end
            label_gap = gap if anchor == end else gap * 0.5
            ops.append(
                Label(
                    anchor,
                    i,
                    self._bar_label(row),
                    font,
                    s.colour(Role.TEXT),
                    Align.RIGHT,
                    label_gap,
                    QColor("white"),
                )
            )
        ops.append(VSegment(0.0, -0.5, rows - 0.5, s.pen(Role.AXIS, s.thin_pt * 1.5)))
        reference = s.pen(Role.REFERENCE, s.line_pt * 0.8, Qt.PenStyle.DashLine)
        reference.setDashPattern([4.0, 2.5])
        ops.append(VSegment(100.0, -0.5, rows - 0.5, reference))
        return ops

    def _legend_entries(self) -> list[LegendEntry]:
        s = self._style
        assert self._data is not None
        present = {r.grade for r in self._data.rows}
        outline = s.pen(Role.AXIS, s.thin_pt)
        entries = []
        for grade in sorted(present, key=lambda g: g.rank):
            if not grade.graded:
                continue
            look = s.grade_look(grade)
            entries.append(
                LegendEntry(
                    grade_text(grade), SampleKind.BOX, outline, fill=look.fill, hatch=look.hatch
                )
            )
        entries.append(
            LegendEntry("期待進捗率", SampleKind.MARK, s.pen(Role.EXPECTED_MARK, s.line_pt * 1.3))
        )
        reference = s.pen(Role.REFERENCE, s.line_pt * 0.8, Qt.PenStyle.DashLine)
        reference.setDashPattern([4.0, 2.5])
        entries.append(LegendEntry("目標達成（100%）", SampleKind.LINE, reference))
        if Grade.NONE in present:
            entries.append(LegendEntry("− 評価不能（実績未入力）", SampleKind.LINE))
        return entries


class GradeCountChart(_BarChart):
    """KPIs per grade for each pillar (stacked bars), for one fiscal year."""

    integer_values = True
    label_share = 0.45

    def __init__(self, style: ChartStyle | None = None, parent: QWidget | None = None) -> None:
        self._data: GradeCountData | None = None
        super().__init__(style, parent)

    @property
    def data(self) -> GradeCountData | None:
        return self._data

    def has_data(self) -> bool:
        return self._data is not None

    @property
    def export_name(self) -> str:
        if self._data is None:
            return "評価別件数"
        return f"評価別件数_{self._data.fiscal_year}年度_{self._data.title}"

    def set_data(self, data: GradeCountData | None) -> None:
        self._data = data
        self._update_texts()
        self.refresh()

    def copy(self, style: ChartStyle) -> Self:
        twin = type(self)(style)
        twin.set_data(self._data)
        return twin

    def _texts(self) -> tuple[str, str, str, str]:
        assert self._data is not None
        d = self._data
        return d.title, f"{fy_label(d.fiscal_year)}の評価別KPI数", d.source, "（件）"

    def _row_labels(self) -> list[str]:
        assert self._data is not None
        return [r.label for r in self._data.rows]

    def _value_range(self) -> tuple[float, float]:
        assert self._data is not None
        return 0.0, float(max((r.counts.total for r in self._data.rows), default=1) or 1)

    def _ops(self, scale: Scale, px_per_unit: float) -> list[DrawOp]:
        assert self._data is not None
        s = self._style
        rows = len(self._data.rows)
        ops: list[DrawOp] = self._grid(scale, rows)
        half = 0.32
        outline = s.pen(Role.AXIS, s.thin_pt)
        hatch_pen = s.pen(Role.TEXT, s.thin_pt * 1.2)
        font = s.font(0.85, bold=True)
        metrics = QFontMetricsF(font)
        for i, row in enumerate(self._data.rows):
            x = 0.0
            for grade, count in row.counts.as_dict().items():
                if count <= 0:
                    continue
                look = s.grade_look(grade)
                ops.append(
                    Rect(
                        x,
                        i - half,
                        x + count,
                        i + half,
                        look.fill,
                        outline,
                        look.hatch,
                        hatch_pen,
                        s.px(3.5),
                    )
                )
                text = str(count)
                if metrics.horizontalAdvance(text) + s.px(2) <= count * px_per_unit:
                    backdrop = QColor("white") if look.hatch is not look.hatch.NONE else None
                    ops.append(
                        Label(x + count / 2, i, text, font, look.text, Align.CENTER, 0.0, backdrop)
                    )
                x += count
            total = row.counts.total
            ops.append(
                Label(
                    float(total),
                    i,
                    f"計{total}",
                    s.font(0.8),
                    s.colour(Role.TEXT),
                    Align.RIGHT,
                    s.px(2),
                )
            )
        ops.append(VSegment(0.0, -0.5, rows - 0.5, s.pen(Role.AXIS, s.thin_pt * 1.5)))
        return ops

    def _right_room(self) -> float:
        return QFontMetricsF(self._style.font(0.8)).horizontalAdvance("計99") + self._style.px(4)

    def _legend_entries(self) -> list[LegendEntry]:
        s = self._style
        outline = s.pen(Role.AXIS, s.thin_pt)
        return [
            LegendEntry(
                grade_text(g),
                SampleKind.BOX,
                outline,
                fill=s.grade_look(g).fill,
                hatch=s.grade_look(g).hatch,
            )
            for g in self._legend_grades()
        ]

    def _legend_grades(self) -> tuple[Grade, ...]:
        """Every grade of the plan's scheme (the counts carry it), and 評価不能."""
        if self._data is None or not self._data.rows:
            return DEFAULT_SCHEME.all_grades
        return self._data.rows[0].counts.grades
