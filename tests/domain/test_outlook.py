"""The outlook (見込み): least squares on the actual values, the target reached or not, and the
yearly change still needed."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import assume, given
from hypothesis import strategies as st

from aomori_desktop.domain.outlook import outlook_for
from aomori_desktop.domain.plan import Direction
from aomori_desktop.domain.progress import KpiTerms

D = Decimal
GUESTS = KpiTerms(D("1109980"), 2023, D("1490000"), 2033, Direction.INCREASE)
WAITING = KpiTerms(D("50"), 2023, D("0"), 2033, Direction.DECREASE)
RATE = KpiTerms(D("8.4"), 2023, D("8.8"), 2033, Direction.INCREASE)


def test_fewer_than_two_actual_years_give_no_outlook() -> None:
    assert outlook_for(GUESTS, {}) is None
    assert outlook_for(GUESTS, {2024: D("1200000"), 2025: None}) is None


def test_a_straight_line_through_two_points() -> None:
    outlook = outlook_for(GUESTS, {2024: D("1150000"), 2025: D("1190000")})
    assert outlook is not None
    assert outlook.yearly_trend == D("40000")
    assert outlook.projected == D("1510000")  # 1,190,000 + 8 × 40,000
    assert outlook.reaches_target
    assert outlook.latest_year == 2025 and outlook.latest_actual == D("1190000")
    assert outlook.required_per_year == D("37500")  # (1,490,000 − 1,190,000) / 8
    assert outlook.points == 2


def test_least_squares_of_three_points_is_exact() -> None:
    # 8.4, 8.5, 8.5 → slope 0.05, mean 8.466…; the line at 2033 is 8.466… + 0.05 × 8
    outlook = outlook_for(RATE, {2024: D("8.4"), 2025: D("8.5"), 2026: D("8.5")})
    assert outlook is not None
    assert outlook.slope == Fraction(1, 20)
    assert outlook.projected == D("8.866666666666666666666666666666667")
    assert outlook.shown(outlook.projected) == D("8.9")  # as typed: one decimal
    assert outlook.reaches_target
    assert outlook.required_per_year == D("0.04285714285714285714285714285714286")  # 0.3 / 7


def test_a_decrease_kpi_reaches_its_target_by_going_down() -> None:
    falling = outlook_for(WAITING, {2024: D("40"), 2025: D("30")})
    assert falling is not None and falling.reaches_target and falling.projected == D("-50")
    rising = outlook_for(WAITING, {2024: D("40"), 2025: D("41")})
    assert rising is not None and not rising.reaches_target
    assert rising.required_per_year == D("-5.125")


def test_the_target_year_reached_needs_no_further_change() -> None:
    outlook = outlook_for(
        KpiTerms(D("0"), 2023, D("3"), 2026, Direction.INCREASE), {2025: D("1"), 2026: D("2")}
    )
    assert outlook is not None and outlook.required_per_year is None and not outlook.reaches_target


@st.composite
def series(draw: st.DrawFn) -> dict[int, Decimal]:
    years = draw(st.lists(st.integers(2024, 2033), min_size=2, max_size=10, unique=True))
    values = st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False)
    return {fy: draw(values) for fy in years}


@given(series(), st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False))
def test_points_on_a_line_are_found_exactly(values: dict[int, Decimal], slope: Decimal) -> None:
    start = next(iter(values.values()))
    line = {fy: start + slope * (fy - 2024) for fy in values}
    outlook = outlook_for(GUESTS, line)
    assert outlook is not None
    assert outlook.slope == Fraction(slope)
    assert all(outlook.value_at(fy) == v for fy, v in line.items())


@given(series())
def test_the_trend_passes_through_the_mean_point(values: dict[int, Decimal]) -> None:
    outlook = outlook_for(GUESTS, values)
    assert outlook is not None
    n = len(values)
    mean_x = Fraction(sum(values), n)
    mean_y = sum((Fraction(v) for v in values.values()), Fraction(0)) / n
    assert outlook.intercept + outlook.slope * mean_x == mean_y


@given(series())
def test_reaching_the_target_agrees_with_the_projected_value(values: dict[int, Decimal]) -> None:
    for terms in (GUESTS, WAITING):
        outlook = outlook_for(terms, values)
        assert outlook is not None
        exact = outlook.intercept + outlook.slope * terms.target_fiscal_year
        assume(exact != Fraction(terms.target))
        better = (
            exact > terms.target if terms.direction is Direction.INCREASE else exact < terms.target
        )
        assert outlook.reaches_target == better


@given(series())
def test_the_required_change_leads_from_the_latest_actual_to_the_target(
    values: dict[int, Decimal],
) -> None:
    outlook = outlook_for(GUESTS, values)
    assert outlook is not None
    required = outlook.required_per_year
    assume(required is not None)
    assert required is not None
    reached = outlook.latest_actual + required * outlook.years_left
    assert abs(reached - GUESTS.target) < D("1E-20")


def test_changes_per_year_keep_two_more_places_where_they_matter() -> None:
    wind = outlook_for(
        KpiTerms(D("0"), 2023, D("3"), 2033, Direction.INCREASE), {2024: D("1"), 2025: D("2")}
    )
    assert wind is not None and wind.required_per_year == D("0.125")
    assert str(wind.shown_change(D("0.125"))) == "0.13"
    assert str(wind.shown_change(D("37500"))) == "37500"
    assert str(wind.shown_change(D("0.1"))) == "0.1"
    rate = outlook_for(RATE, {2024: D("8.4"), 2025: D("8.5")})
    assert rate is not None
    assert str(rate.shown_change(D("0.0428571"))) == "0.043"
    assert str(rate.shown_change(D("0.2"))) == "0.2"
