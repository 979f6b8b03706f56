"""Axes: whole fiscal years only, values with thousands separators, nice tick steps."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtWidgets import QApplication

from aomori_desktop.charts.axes import FiscalYearAxis, ValueAxis, format_tick, nice_scale
from aomori_desktop.charts.style import AxisLabelMode, ChartStyle


def test_format_tick_uses_thousands_separators_never_exponents() -> None:
    assert format_tick(1_109_980, 0) == "1,109,980"
    assert format_tick(1_000_000, 0) == "1,000,000"
    assert format_tick(8.5, 1) == "8.5"
    assert format_tick(-0.0, 1) == "0.0"
    assert format_tick(25, 0, "%") == "25%"


@given(
    low=st.floats(-1e7, 1e7, allow_nan=False),
    span=st.floats(1e-3, 1e7, allow_nan=False),
    ticks=st.integers(2, 10),
    integer=st.booleans(),
)
def test_nice_scale_covers_the_range_on_round_steps(
    low: float, span: float, ticks: int, integer: bool
) -> None:
    high = low + span
    scale = nice_scale(low, high, ticks, integer=integer)
    assert scale.low <= low + 1e-6 * scale.step  # within rounding noise of a step
    assert scale.high >= high - 1e-6 * scale.step
    mantissa = scale.step / 10 ** math.floor(math.log10(scale.step))
    assert any(math.isclose(mantissa, m) for m in (1, 2, 2.5, 5, 10))
    if integer:
        assert scale.step >= 1 and scale.step == int(scale.step)
    assert len(scale.ticks()) <= ticks + 3


def test_count_axis_never_gets_half_steps() -> None:
    scale = nice_scale(0, 3.4, 8, integer=True)
    assert scale.step == 1
    assert [format_tick(v, scale.decimals) for v in scale.ticks()] == ["0", "1", "2", "3", "4"]


def test_value_axis_labels_match_its_scale(qapp: QApplication) -> None:
    axis = ValueAxis("left")
    axis.set_scale(nice_scale(1_000_000, 1_600_000, 6))
    assert axis.tick_texts() == [
        "1,000,000",
        "1,100,000",
        "1,200,000",
        "1,300,000",
        "1,400,000",
        "1,500,000",
        "1,600,000",
    ]


@settings(max_examples=60, deadline=None)
@given(
    low=st.floats(1990, 2100, allow_nan=False),
    span=st.floats(0.2, 60, allow_nan=False),
    px_per_year=st.floats(2, 400, allow_nan=False),
    mode=st.sampled_from(list(AxisLabelMode)),
)
def test_fiscal_year_axis_only_ever_labels_whole_years(
    qapp: QApplication, low: float, span: float, px_per_year: float, mode: AxisLabelMode
) -> None:
    axis = FiscalYearAxis(mode)
    axis.setTickFont(ChartStyle().font(0.9))
    axis.fit(math.floor(low), math.ceil(low + span), px_per_year)
    levels = axis.tickValues(low, low + span, px_per_year * span)
    for _spacing, values in levels:
        assert all(v == int(v) for v in values)
        for text in axis.tickStrings(values, 1.0, 1.0):
            assert "." not in text


def test_year_labels_in_each_mode(qapp: QApplication) -> None:
    axis = FiscalYearAxis(AxisLabelMode.WESTERN)
    axis.setTickFont(ChartStyle().font(0.9))
    values = [2023.0, 2024.0, 2033.0]
    assert axis.tickStrings(values, 1, 1) == ["2023", "2024", "2033"]
    axis.set_mode(AxisLabelMode.SHORT)
    assert axis.tickStrings(values, 1, 1) == ["R5", "R6", "R15"]
    axis.set_mode(AxisLabelMode.ERA)
    axis.fit(2023, 2033, 500)  # plenty of room: one line
    assert axis.tickStrings(values, 1, 1) == ["令和5年度", "令和6年度", "令和15年度"]
    axis.fit(2023, 2033, 55)  # narrow: 令和 / 6年度 on two lines before any year is skipped
    assert axis.two_lines
    assert axis.step == 1
    assert axis.tickStrings(values, 1, 1) == ["令和\n5年度", "令和\n6年度", "令和\n15年度"]


@pytest.mark.parametrize("px_per_year", [8.0, 15.0])
def test_crowded_axis_skips_years_but_keeps_ticks_on_every_year(
    qapp: QApplication, px_per_year: float
) -> None:
    axis = FiscalYearAxis(AxisLabelMode.WESTERN)
    axis.setTickFont(ChartStyle().font(0.9))
    axis.fit(2023, 2033, px_per_year)
    assert axis.step in (2, 5, 10)
    labelled, bare = axis.tickValues(2022.5, 2033.5, px_per_year * 11)
    assert labelled[1][0] == 2023.0
    assert sorted(labelled[1] + bare[1]) == [float(y) for y in range(2023, 2034)]
    assert all(text == "" for text in axis.tickStrings(bare[1], 1, 1))
