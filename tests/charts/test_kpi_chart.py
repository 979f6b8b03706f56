"""The KPI chart: what it draws from a KpiDetail, at any size, off-screen."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import numpy as np
import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from aomori_desktop.charts.items import Label, Markers, Polyline, Rect
from aomori_desktop.charts.kpi_chart import KpiChart, KpiChartOptions, kpi_series
from aomori_desktop.charts.style import AxisLabelMode, ChartStyle, Role
from aomori_desktop.domain.plan import Direction, FigureStatus
from tests.charts.helpers import SAMPLE, drawn_tick_texts, ink, make_detail, rgb_array

SIZES = [QSize(605, 378), QSize(302, 265), QSize(1280, 720), QSize(1890, 1181)]


@pytest.fixture
def chart(qapp: QApplication) -> KpiChart:
    c = KpiChart()
    yield c
    c.close()


def test_series_splits_final_and_preliminary_values() -> None:
    series = kpi_series(SAMPLE)
    assert [(p.fiscal_year, p.value, p.preliminary) for p in series.actuals] == [
        (2024, Decimal("1"), False),
        (2025, Decimal("2"), True),
    ]
    assert series.latest is not None and series.latest.fiscal_year == 2025
    assert series.expected_path == ((2023, Decimal("0")), (2033, Decimal("3")))
    assert series.integral


def test_series_as_of_grades_that_year_and_still_draws_later_values() -> None:
    series = kpi_series(SAMPLE, as_of=2024)
    assert [p.fiscal_year for p in series.actuals] == [2024, 2025]
    assert series.latest is not None and series.latest.fiscal_year == 2024
    assert series.marked_year == 2024


def test_series_until_a_year_hides_later_values_and_needs_no_mark() -> None:
    series = kpi_series(SAMPLE, as_of=2024, until=2024)
    assert [p.fiscal_year for p in series.actuals] == [2024]
    assert series.latest is not None and series.latest.fiscal_year == 2024
    assert series.marked_year is None
    assert kpi_series(SAMPLE).marked_year is None


LATER = make_detail(
    baseline="0",
    target="40",
    cumulative=False,
    actuals={
        2024: ("5", FigureStatus.FINAL),
        2025: ("9", FigureStatus.FINAL),
        2026: ("14", FigureStatus.FINAL),
        2027: ("20", FigureStatus.PRELIMINARY),
    },
)


def test_values_after_the_selected_year_are_drawn_and_the_year_is_shaded(
    chart: KpiChart,
) -> None:
    chart.set_data(LATER, KpiChartOptions(as_of=2025))
    image = chart.render_image(QSize(605, 378))
    points = {
        pt
        for op in chart.layer.ops
        if isinstance(op, Markers) and op.symbol == "o"
        for pt in op.points
    }
    assert {(2026, 14.0), (2027, 20.0)} <= points
    assert chart.status_block.text.startswith("順調")
    assert "令和7(2025)年度 実績 9件" in chart.status_block.text
    (shade,) = [op for op in chart.layer.ops if isinstance(op, Rect) and op.x0 == 2024.5]
    assert shade.x1 == 2025.5 and shade.fill == chart.chart_style.colour(Role.SELECTED)
    # on the picture: one column of the shade, one year wide, left of the later values
    pixels = rgb_array(image)
    shaded = np.all(pixels == np.array(shade.fill.getRgb()[:3], dtype=np.uint8), axis=2)
    columns = np.flatnonzero(shaded.sum(axis=0) > image.height() * 0.3)
    assert columns.size > 0
    year_px = columns.max() - columns.min() + 1
    assert 605 * 0.05 < year_px < 605 * 0.12  # one of 11 years (2023–2033) of the plot
    assert columns.max() < image.width() * 0.45  # 2025 lies in the left part of the axis


def test_expected_path_runs_through_interim_targets() -> None:
    detail = make_detail(
        baseline="100", target="200", cumulative=False, interims={2026: "110", 2030: "170"}
    )
    assert kpi_series(detail).expected_path == (
        (2023, Decimal("100")),
        (2026, Decimal("110")),
        (2030, Decimal("170")),
        (2033, Decimal("200")),
    )


def test_maintain_kpi_shows_its_level_not_a_path(chart: KpiChart) -> None:
    detail = make_detail(
        name="創業件数",
        baseline="80",
        target="80",
        direction=Direction.MAINTAIN,
        cumulative=False,
        actuals={2024: ("78", FigureStatus.FINAL)},
    )
    chart.set_data(detail)
    series = chart.series
    assert series is not None and series.level == Decimal("80") and series.expected_path == ()
    labels = [e.label for e in chart.legend.entries]
    assert "維持する水準 80件以上" in labels
    assert not any(label.startswith("目標までの想定推移") for label in labels)


def test_decrease_kpi_path_falls_and_says_so(chart: KpiChart) -> None:
    detail = make_detail(
        name="待機児童数",
        unit="人",
        baseline="50",
        target="0",
        direction=Direction.DECREASE,
        cumulative=False,
        actuals={2024: ("40", FigureStatus.FINAL)},
    )
    chart.set_data(detail)
    chart.render_image(QSize(605, 378))
    assert any("減少目標" in e.label for e in chart.legend.entries)
    path = next(
        op for op in chart.layer.ops if isinstance(op, Polyline) and op.points[0] == (2023, 50.0)
    )
    assert path.points[-1] == (2033, 0.0)
    assert (
        "順調" in chart.status_block.text or "達成" in chart.status_block.text
    )  # 40 is 20 % of the way


def test_preliminary_values_are_hollow_with_their_own_legend_entry(chart: KpiChart) -> None:
    chart.set_data(SAMPLE)
    chart.render_image(QSize(605, 378))
    labels = [e.label for e in chart.legend.entries]
    assert "実績値（累計・確定）" in labels
    assert "実績値（累計・速報）" in labels
    markers = [op for op in chart.layer.ops if isinstance(op, Markers) and op.symbol == "o"]
    filled = next(m for m in markers if (2024, 1.0) in m.points)
    hollow = next(m for m in markers if (2025, 2.0) in m.points)
    assert hollow.brush.color() == QColor("white")
    assert filled.brush.color() != QColor("white")


def test_cumulative_unit_reads_upright_above_the_axis(chart: KpiChart) -> None:
    chart.set_data(SAMPLE)
    assert chart.unit_block.text == "（件・累計）"
    assert chart.y_axis.label.isVisible() is False  # no rotated axis label anywhere
    assert chart.unit_block.rotation() == 0


def test_status_line_names_the_latest_grade(chart: KpiChart) -> None:
    chart.set_data(SAMPLE)
    text = chart.status_block.text
    assert text.startswith("順調")
    assert "令和7(2025)年度 実績 2件（速報）" in text
    assert "達成率 66.7%" in text and "期待進捗率 20.0%" in text
    chart.set_data(make_detail())
    assert chart.status_block.text.startswith("評価不能")


def test_title_and_source_line(chart: KpiChart) -> None:
    chart.set_data(SAMPLE)
    assert chart.title_block.text == SAMPLE.name
    assert chart.source_block.text == "出典：青森市経済部調べ"
    chart.set_options(KpiChartOptions(title="", source=""))
    assert chart.title_block.text == "" and chart.source_block.text == ""


@pytest.mark.parametrize("mode", list(AxisLabelMode))
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s.width()}x{s.height()}")
def test_x_axis_never_shows_a_fractional_year(
    qapp: QApplication, mode: AxisLabelMode, size: QSize
) -> None:
    chart = KpiChart(ChartStyle(axis_labels=mode))
    try:
        chart.set_data(SAMPLE)
        chart.render_image(size)
        texts = chart.x_tick_strings()
        assert texts, "no year labels drawn"
        assert all("." not in t for t in texts)
        years = {mode.text(y) for y in range(2023, 2034)} | {
            mode.two_line_text(y) for y in range(2023, 2034)
        }
        assert set(texts) <= years
        first = texts[0]
        assert first in (mode.text(2023), mode.two_line_text(2023))
    finally:
        chart.close()


def test_y_axis_has_thousands_separators(chart: KpiChart) -> None:
    detail = make_detail(
        name="主要宿泊施設宿泊客数(延べ人数)",
        unit="人泊",
        baseline="1109980",
        target="1490000",
        cumulative=False,
        actuals={2024: ("1150000", FigureStatus.FINAL)},
    )
    chart.set_data(detail)
    chart.render_image(QSize(605, 378))
    texts = chart.y_tick_strings()
    assert "1,200,000" in texts
    assert all("e" not in t for t in texts)


@pytest.mark.parametrize(
    ("font_pt", "dpi", "size"),
    [(9, 300, QSize(1890, 1181)), (8, 300, QSize(945, 827)), (14, 150, QSize(2000, 1125))],
    ids=["word-full", "word-half", "slide"],
)
def test_values_labelled_when_there_is_room(
    qapp: QApplication, font_pt: float, dpi: float, size: QSize
) -> None:
    chart = KpiChart(ChartStyle(dpi=dpi, font_pt=font_pt))
    try:
        chart.set_data(SAMPLE)
        chart.render_image(size)
        texts = {op.text for op in chart.layer.ops if isinstance(op, Label)}
        assert {"1", "2", "3"} <= texts  # both actual values and the target
    finally:
        chart.close()


def test_ticks_are_the_same_at_screen_and_print_resolution(qapp: QApplication) -> None:
    detail = make_detail(
        name="主要宿泊施設宿泊客数(延べ人数)",
        unit="人泊",
        baseline="1109980",
        target="1490000",
        cumulative=False,
    )
    ticks = []
    for dpi, size in ((96, QSize(605, 378)), (300, QSize(1890, 1181))):
        chart = KpiChart(ChartStyle(dpi=dpi))
        chart.set_data(detail)
        chart.render_image(size)
        ticks.append((chart.x_tick_strings(), chart.y_tick_strings()))
        chart.close()
    assert ticks[0] == ticks[1]


def test_title_kanji_are_drawn_not_tofu(qapp: QApplication) -> None:
    """Render the title in kanji and in unassigned code points (drawn as .notdef boxes).

    With the bundled font the two differ; if the font were missing, both would be rows of
    identical boxes.
    """
    images = []
    for title in ("青森市しごと創造戦略", "\ue000" * 10):
        chart = KpiChart()
        chart.set_data(SAMPLE, KpiChartOptions(title=title))
        images.append(chart.render_image(QSize(605, 378)))
        title_h = int(chart.title_block.height())
        chart.close()
    kanji, tofu = (ink(img)[:title_h] for img in images)
    assert kanji.sum() > 200
    assert np.mean(kanji != tofu) > 0.02
    # and each kanji glyph has its own shape: columns of ink differ between characters
    assert len({tuple(col) for col in kanji.T if col.any()}) > 50


def test_empty_chart_renders(chart: KpiChart) -> None:
    chart.set_data(None)
    image = chart.render_image(QSize(300, 200))
    assert image.size() == QSize(300, 200)


def test_a_reused_chart_draws_every_tick_label(qapp: QApplication) -> None:
    """Batch export updates one chart; every axis must be laid out anew for each KPI even
    without an event loop (a stale axis width used to drop the y labels of wider numbers)."""
    small = SAMPLE
    wide = make_detail(
        name="主要宿泊施設宿泊客数(延べ人数)",
        unit="人泊",
        baseline="1109980",
        target="1490000",
        cumulative=False,
        actuals={2024: ("1150000", FigureStatus.FINAL)},
    )
    chart = KpiChart(ChartStyle(dpi=300))
    try:
        for detail in (small, wide, small, wide):
            chart.set_data(detail)
            chart.render_image(QSize(1890, 1181))
            assert drawn_tick_texts(chart.y_axis) == chart.y_tick_strings()
            assert drawn_tick_texts(chart.x_axis) == chart.x_tick_strings()
    finally:
        chart.close()


def test_a_reused_chart_draws_each_kpi_as_a_new_chart_would(qapp: QApplication) -> None:
    """On screen the chart keeps an axis it has drawn while its range, labels and size stay
    the same; every change of KPI must still show exactly what a chart made for it shows."""
    wide = make_detail(
        code="K02",
        name="主要宿泊施設宿泊客数(延べ人数)",
        unit="人泊",
        baseline="1109980",
        target="1490000",
        cumulative=False,
        actuals={2024: ("1150000", FigureStatus.FINAL)},
    )
    short = replace(SAMPLE, code="K03", years=SAMPLE.years[:5])  # a shorter period
    same_scale = make_detail(code="K04", actuals={2024: ("2", FigureStatus.FINAL)})

    def shown(chart: KpiChart) -> np.ndarray:
        chart.resize(605, 378)
        chart.show()
        qapp.processEvents()
        return rgb_array(chart.grab().toImage())

    reused = KpiChart(ChartStyle(axis_labels=AxisLabelMode.ERA))
    charts = [reused]
    try:
        for detail in (SAMPLE, wide, SAMPLE, short, same_scale, SAMPLE, short, wide):
            reused.set_data(detail)
            fresh = KpiChart(ChartStyle(axis_labels=AxisLabelMode.ERA))
            charts.append(fresh)
            fresh.set_data(detail)
            expected = shown(fresh)
            fresh.hide()
            assert np.array_equal(shown(reused), expected), detail.code
    finally:
        for chart in charts:
            chart.hide()
        qapp.processEvents()
        for chart in charts:
            chart.close()
