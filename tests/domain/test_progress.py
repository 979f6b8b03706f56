"""Progress arithmetic: achievement rate, expected rate, grade, display and roll-up."""

from __future__ import annotations

import dataclasses
from decimal import ROUND_DOWN, Decimal, localcontext

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from aomori_desktop.domain.grading import SCHEME_ABCD, GradeScheme
from aomori_desktop.domain.plan import Direction
from aomori_desktop.domain.progress import (
    Grade,
    GradeCounts,
    KpiTerms,
    YearProgress,
    achievement_rate,
    count_grades,
    evaluate_year,
    expected_rate,
    format_rate,
    grade_for,
    latest_year_with_actual,
)

D = Decimal

HUNDRED, HALF = D("100"), D("0.5")


def abcd(achieved: Decimal = HUNDRED, delayed_factor: Decimal = HALF) -> GradeScheme:
    """The A–D rule with the plan's two limits (A: achievement %, C: × expected)."""
    return SCHEME_ABCD.with_thresholds((achieved, D("1"), delayed_factor))


def terms(
    baseline: str,
    target: str,
    direction: Direction = Direction.INCREASE,
    baseline_fy: int = 2023,
    target_fy: int = 2033,
) -> KpiTerms:
    return KpiTerms(D(baseline), baseline_fy, D(target), target_fy, direction)


# KPIs of the seed plan and typical user-added ones
GUESTS = terms("1109980", "1490000")  # 主要宿泊施設宿泊客数: 1,109,980 → 1,490,000 人泊
RATE = terms("8.4", "8.8")  # a percentage KPI: 8.4 % → 8.8 %
WIND = terms("0", "3")  # 洋上風力発電事業者数(累計): 0件 → 3件, cumulative
FARMING = terms("10", "30")  # スマート農業機器導入件数
STARTUPS = terms("80", "80", Direction.MAINTAIN)  # 創業件数: 80件 → 80件
WAITING = terms("50", "0", Direction.DECREASE)  # 待機児童数: lower is better


@st.composite
def decimals(draw: st.DrawFn) -> Decimal:
    """Decimals as users type them: ≤ 15 integer digits, ≤ 6 decimal places."""
    scale = draw(st.integers(min_value=0, max_value=6))
    bound = 10 ** (15 + scale) - 1
    return D(f"{draw(st.integers(min_value=-bound, max_value=bound))}E-{scale}")


directions = st.sampled_from(Direction)
_RANK = {Grade.NONE: -1, Grade.D: 0, Grade.C: 1, Grade.B: 2, Grade.A: 3}


def test_grade_values_and_labels() -> None:
    assert [(g.value, g.label) for g in SCHEME_ABCD.all_grades] == [
        ("A", "達成"),
        ("B", "順調"),
        ("C", "遅れ"),
        ("D", "停滞"),
        ("-", "評価不能"),
    ]
    assert SCHEME_ABCD.grade_of("-") is Grade.NONE
    assert SCHEME_ABCD.grades == (Grade.A, Grade.B, Grade.C, Grade.D)


def test_terms_are_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        GUESTS.target = D(1)  # type: ignore[misc]


# --- achievement rate -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "rate"),
    [
        ("1490000", "100"),
        ("1109980", "0"),
        ("1204985", "25"),  # a quarter of the 380,020 gap
        ("1300000", "50.00263144045050260512604599757907"),
        ("1870020", "200"),
        ("1052977", "-15"),  # not clamped: 15 % of the gap below the baseline
    ],
)
def test_achievement_increase(actual: str, rate: str) -> None:
    assert achievement_rate(GUESTS, D(actual)) == D(rate)


def test_achievement_of_guests_is_displayed_with_one_decimal() -> None:
    assert format_rate(achievement_rate(GUESTS, D("1300000"))) == "50.0"


def test_percentage_kpi_has_no_float_noise() -> None:
    rate = achievement_rate(RATE, D("8.6"))
    assert rate == D("50")
    assert str(rate) == "50"
    assert format_rate(rate) == "50.0"
    assert achievement_rate(RATE, D("8.8")) == D("100")
    assert achievement_rate(RATE, D("8.4")) == D("0")
    assert achievement_rate(RATE, D("8.3")) == D("-25")
    assert achievement_rate(RATE, D("9.0")) == D("150")
    assert achievement_rate(RATE, D("8.60")) == D("50")


@pytest.mark.parametrize(
    ("actual", "rate"),
    [("0", "100"), ("25", "50"), ("50", "0"), ("60", "-20"), ("10", "80")],
)
def test_achievement_decrease_with_target_below_baseline(actual: str, rate: str) -> None:
    assert achievement_rate(WAITING, D(actual)) == D(rate)


@pytest.mark.parametrize(
    ("actual", "rate"), [("80", "100"), ("72", "90"), ("0", "0"), ("88", "110"), ("40", "50")]
)
def test_achievement_maintain(actual: str, rate: str) -> None:
    assert achievement_rate(STARTUPS, D(actual)) == D(rate)


def test_achievement_increase_with_target_equal_to_baseline_uses_actual_over_target() -> None:
    flat = terms("209", "209")
    assert achievement_rate(flat, D("209")) == D("100")
    assert achievement_rate(flat, D("0")) == D("0")
    assert achievement_rate(flat, D("418")) == D("200")


@pytest.mark.parametrize(
    ("actual", "rate"), [("10", "100"), ("5", "200"), ("20", "50"), ("40", "25")]
)
def test_achievement_decrease_with_target_equal_to_baseline_uses_target_over_actual(
    actual: str, rate: str
) -> None:
    assert achievement_rate(terms("10", "10", Direction.DECREASE), D(actual)) == D(rate)


def test_achievement_is_undefined_where_the_divisor_is_zero() -> None:
    assert achievement_rate(terms("0", "0"), D("5")) is None
    assert achievement_rate(terms("0", "0", Direction.MAINTAIN), D("0")) is None
    assert achievement_rate(terms("10", "10", Direction.DECREASE), D("0")) is None
    assert achievement_rate(terms("0", "0", Direction.DECREASE), D("0")) is None


def test_achievement_decrease_with_zero_target_and_nonzero_actual_is_zero() -> None:
    assert achievement_rate(terms("0", "0", Direction.DECREASE), D("5")) == D("0")


def test_achievement_without_actual_is_undefined() -> None:
    for kpi in (GUESTS, RATE, STARTUPS, WAITING, terms("0", "0")):
        assert achievement_rate(kpi, None) is None


def test_cumulative_kpi_is_computed_like_any_other() -> None:
    rate = achievement_rate(WIND, D("1"))
    assert rate == D("33.33333333333333333333333333333333")
    assert format_rate(rate) == "33.3"
    assert achievement_rate(WIND, D("3")) == D("100")


def test_achievement_does_not_depend_on_the_global_context() -> None:
    expected = D("50.00263144045050260512604599757907")
    with localcontext(prec=5, rounding=ROUND_DOWN):
        assert achievement_rate(GUESTS, D("1300000")) == expected
        assert achievement_rate(WIND, D("1")) == D("33.33333333333333333333333333333333")
        assert expected_rate(terms("0", "3", target_fy=2026), 2024, None) == D(
            "33.33333333333333333333333333333333"
        )


# --- expected rate ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fiscal_year", "rate"),
    [
        (2023, "0"),
        (2024, "10"),
        (2028, "50"),
        (2032, "90"),
        (2033, "100"),
        (2020, "0"),  # before the baseline: clamped
        (2040, "100"),  # after the target year: clamped
    ],
)
def test_expected_rate_linear(fiscal_year: int, rate: str) -> None:
    assert expected_rate(FARMING, fiscal_year, None) == D(rate)


def test_expected_rate_linear_non_terminating() -> None:
    short = terms("0", "3", target_fy=2026)
    assert expected_rate(short, 2024, None) == D("33.33333333333333333333333333333333")
    assert expected_rate(short, 2025, None) == D("66.66666666666666666666666666666667")


def test_expected_rate_is_linear_for_decrease_kpis_too() -> None:
    assert expected_rate(WAITING, 2028, None) == D("50")


@pytest.mark.parametrize(
    ("interim", "rate"),
    [("16", "30"), ("30", "100"), ("10", "0"), ("35", "125"), ("5", "-25"), ("16.5", "32.5")],
)
def test_expected_rate_from_interim_target_is_not_clamped(interim: str, rate: str) -> None:
    assert expected_rate(FARMING, 2025, D(interim)) == D(rate)


def test_expected_rate_from_interim_target_of_a_decrease_kpi() -> None:
    assert expected_rate(WAITING, 2025, D("40")) == D("20")


@pytest.mark.parametrize("fiscal_year", [2020, 2023, 2024, 2033, 2040])
def test_expected_rate_of_maintain_kpi_is_100(fiscal_year: int) -> None:
    assert expected_rate(STARTUPS, fiscal_year, None) == D("100")
    assert expected_rate(STARTUPS, fiscal_year, D("70")) == D("100")


def test_expected_rate_with_target_equal_to_baseline_is_100() -> None:
    for direction in Direction:
        flat = terms("10", "10", direction)
        assert expected_rate(flat, 2024, None) == D("100")
        assert expected_rate(flat, 2024, D("5")) == D("100")


def test_expected_rate_maintain_with_different_target_is_still_100() -> None:
    assert expected_rate(terms("80", "90", Direction.MAINTAIN), 2024, None) == D("100")


def test_expected_rate_when_target_year_equals_baseline_year() -> None:
    same_year = terms("0", "10", baseline_fy=2024, target_fy=2024)
    assert expected_rate(same_year, 2023, None) == D("0")
    assert expected_rate(same_year, 2024, None) == D("100")
    assert expected_rate(same_year, 2025, None) == D("100")
    assert expected_rate(same_year, 2023, D("5")) == D("50")  # an interim target still wins


# --- grade ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("achievement", "expected", "grade"),
    [
        (None, "10", Grade.NONE),
        ("100", "10", Grade.A),
        ("150", "10", Grade.A),
        ("100", "120", Grade.A),  # 達成 even below an interim expectation above the target
        ("99.99", "100", Grade.C),
        ("99.99", "99.99", Grade.B),
        ("30", "30", Grade.B),
        ("29.99", "30", Grade.C),
        ("15", "30", Grade.C),
        ("14.99", "30", Grade.D),
        ("0", "10", Grade.D),
        ("0", "0", Grade.B),  # nothing expected yet
        ("-15", "0", Grade.D),
        ("-15", "-20", Grade.B),
    ],
)
def test_grade_for_default_thresholds(achievement: str | None, expected: str, grade: Grade) -> None:
    rate = None if achievement is None else D(achievement)
    assert grade_for(rate, D(expected), SCHEME_ABCD) is grade


def test_grade_for_custom_thresholds() -> None:
    strict = abcd(achieved=D("90"), delayed_factor=D("0.8"))
    assert grade_for(D("90"), D("95"), strict) is Grade.A
    assert grade_for(D("89.9"), D("50"), strict) is Grade.B
    assert grade_for(D("40"), D("50"), strict) is Grade.C
    assert grade_for(D("39.9"), D("50"), strict) is Grade.D


def test_grade_is_computed_on_unrounded_rates() -> None:
    # 29.96 shows as "30.0" but is below the expected 30: 遅れ, not 順調
    assert format_rate(D("29.96")) == "30.0"
    assert grade_for(D("29.96"), D("30"), SCHEME_ABCD) is Grade.C
    # 99.96 shows as "100.0" but is not 達成
    assert grade_for(D("99.96"), D("90"), SCHEME_ABCD) is Grade.B


# --- one year of one KPI ----------------------------------------------------------------------


def test_evaluate_cumulative_wind_kpi_fy2024() -> None:
    result = evaluate_year(WIND, 2024, D("1"), None)
    assert result == YearProgress(2024, D("33.33333333333333333333333333333333"), D("10"), Grade.B)
    assert result.grade.label == "順調"


def test_evaluate_percentage_kpi_with_interim_target() -> None:
    # 8.4 → 8.8; interim target for FY2026 is 8.7 (75 %); actual 8.6 (50 %) ≥ 37.5 → C
    result = evaluate_year(RATE, 2026, D("8.6"), D("8.7"))
    assert result == YearProgress(2026, D("50"), D("75"), Grade.C)


def test_evaluate_guests() -> None:
    assert evaluate_year(GUESTS, 2026, D("1204985"), None) == YearProgress(
        2026, D("25"), D("30"), Grade.C
    )
    assert evaluate_year(GUESTS, 2026, D("1490000"), None).grade is Grade.A
    assert evaluate_year(GUESTS, 2026, D("1000000"), None).grade is Grade.D


@pytest.mark.parametrize(
    ("actual", "rate", "grade"),
    [("80", "100", Grade.A), ("72", "90", Grade.C), ("40", "50", Grade.C), ("0", "0", Grade.D)],
)
def test_evaluate_maintain(actual: str, rate: str, grade: Grade) -> None:
    assert evaluate_year(STARTUPS, 2025, D(actual), None) == YearProgress(
        2025, D(rate), D("100"), grade
    )


def test_evaluate_decrease() -> None:
    assert evaluate_year(WAITING, 2028, D("25"), None) == YearProgress(
        2028, D("50"), D("50"), Grade.B
    )
    assert evaluate_year(WAITING, 2028, D("40"), None) == YearProgress(
        2028, D("20"), D("50"), Grade.D
    )


def test_evaluate_missing_actual() -> None:
    assert evaluate_year(FARMING, 2025, None, D("16")) == YearProgress(
        2025, None, D("30"), Grade.NONE
    )


def test_evaluate_undefined_rate() -> None:
    assert evaluate_year(terms("0", "0"), 2025, D("4"), None) == YearProgress(
        2025, None, D("100"), Grade.NONE
    )


def test_evaluate_with_thresholds() -> None:
    lenient = abcd(achieved=D("90"), delayed_factor=D("0.5"))
    assert evaluate_year(STARTUPS, 2025, D("72"), None, lenient).grade is Grade.A
    assert evaluate_year(STARTUPS, 2025, D("72"), None).grade is Grade.C


# --- display ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "text"),
    [
        ("25.30000001", "25.3"),
        ("25.25", "25.3"),
        ("25.24999", "25.2"),
        ("-15", "-15.0"),
        ("-25.25", "-25.3"),  # half up is away from zero (四捨五入 of the magnitude)
        ("100", "100.0"),
        ("1E+2", "100.0"),
        ("99.95", "100.0"),
        ("1234.56", "1234.6"),
        ("123456789.96", "123456790.0"),
        ("0", "0.0"),
        ("-0.04", "0.0"),
        ("-0.05", "-0.1"),
        ("33.33333333333333333333333333333333", "33.3"),
        ("66.66666666666666666666666666666667", "66.7"),
    ],
)
def test_format_rate(rate: str, text: str) -> None:
    assert format_rate(D(rate)) == text


def test_format_rate_none() -> None:
    assert format_rate(None) is None


def test_format_rate_does_not_depend_on_the_global_context() -> None:
    with localcontext(prec=3, rounding=ROUND_DOWN):
        assert format_rate(D("1234.56")) == "1234.6"
        assert format_rate(D("25.25")) == "25.3"


# --- roll-up ----------------------------------------------------------------------------------


def test_count_grades() -> None:
    counts = count_grades([Grade.A, Grade.B, Grade.A, Grade.NONE, Grade.D, Grade.B, Grade.A])
    assert counts == GradeCounts(
        ((Grade.A, 3), (Grade.B, 2), (Grade.C, 0), (Grade.D, 1), (Grade.NONE, 1))
    )
    assert counts.total == 7
    assert counts.as_dict() == {Grade.A: 3, Grade.B: 2, Grade.C: 0, Grade.D: 1, Grade.NONE: 1}
    assert list(counts.as_dict()) == [Grade.A, Grade.B, Grade.C, Grade.D, Grade.NONE]


def test_count_grades_of_nothing() -> None:
    counts = count_grades(iter(()))
    assert counts.as_dict() == dict.fromkeys([Grade.A, Grade.B, Grade.C, Grade.D, Grade.NONE], 0)
    assert counts.total == 0


def test_a_kpi_serving_two_measures_counts_in_each() -> None:
    wind = evaluate_year(WIND, 2024, D("1"), None).grade
    measure_1_1 = count_grades([wind, Grade.A])
    measure_1_2 = count_grades([wind])
    assert [measure_1_1.count(g) for g in (Grade.A, Grade.B, Grade.C)] == [1, 1, 0]
    assert [measure_1_2.count(g) for g in (Grade.A, Grade.B, Grade.C)] == [0, 1, 0]


def test_latest_year_with_actual() -> None:
    assert latest_year_with_actual({2024: D("1"), 2025: D("2"), 2026: None}) == 2025
    assert latest_year_with_actual({2026: D("0"), 2024: D("1")}) == 2026  # zero is data
    assert latest_year_with_actual({2024: None, 2025: None}) is None
    assert latest_year_with_actual({}) is None


# --- properties -------------------------------------------------------------------------------


@given(decimals(), decimals(), directions)
def test_actual_equal_to_target_is_exactly_100(
    b: Decimal, t: Decimal, direction: Direction
) -> None:
    assume(t != b)
    kpi = KpiTerms(b, 2023, t, 2033, direction)
    rate = achievement_rate(kpi, t)
    assert rate == D(100)
    assert format_rate(rate) == "100.0"
    assert evaluate_year(kpi, 2024, t, None).grade is Grade.A


@given(decimals(), decimals(), directions)
def test_actual_equal_to_baseline_is_zero(b: Decimal, t: Decimal, direction: Direction) -> None:
    assume(t != b)
    assert achievement_rate(KpiTerms(b, 2023, t, 2033, direction), b) == D(0)


@given(decimals(), decimals(), decimals(), directions)
def test_scaling_all_values_leaves_the_rate_unchanged(
    b: Decimal, t: Decimal, a: Decimal, direction: Direction
) -> None:
    k = D(1000)
    scaled = KpiTerms(b * k, 2023, t * k, 2033, direction)
    assert achievement_rate(scaled, a * k) == achievement_rate(
        KpiTerms(b, 2023, t, 2033, direction), a
    )


@given(decimals(), decimals(), decimals(), decimals())
def test_rate_rises_with_a_better_actual(b: Decimal, t: Decimal, a1: Decimal, a2: Decimal) -> None:
    assume(t != b)
    low, high = sorted((a1, a2))
    kpi = KpiTerms(b, 2023, t, 2033, Direction.INCREASE)
    r_low, r_high = achievement_rate(kpi, low), achievement_rate(kpi, high)
    assert r_low is not None
    assert r_high is not None
    assert (r_low <= r_high) if t > b else (r_low >= r_high)


@given(
    st.one_of(st.none(), decimals()),
    st.one_of(st.none(), decimals()),
    decimals(),
    st.decimals(min_value=0, max_value=1, places=2),
)
def test_grade_is_monotone_in_achievement(
    a1: Decimal | None, a2: Decimal | None, expected: Decimal, factor: Decimal
) -> None:
    thresholds = abcd(delayed_factor=factor)
    if a1 is not None and a2 is not None and a1 > a2:
        a1, a2 = a2, a1
    if a1 is not None and a2 is None:
        a1, a2 = a2, a1
    assert _RANK[grade_for(a1, expected, thresholds)] <= _RANK[grade_for(a2, expected, thresholds)]


@given(
    st.integers(min_value=1990, max_value=2100),
    st.integers(min_value=1990, max_value=2100),
    st.integers(min_value=1900, max_value=2200),
    decimals(),
    decimals(),
    directions,
)
def test_linear_expected_rate_is_within_0_and_100(
    b_fy: int, t_fy: int, fy: int, b: Decimal, t: Decimal, direction: Direction
) -> None:
    rate = expected_rate(KpiTerms(b, b_fy, t, t_fy, direction), fy, None)
    assert D(0) <= rate <= D(100)


@given(st.integers(min_value=2024, max_value=2032))
def test_linear_expected_rate_grows_each_year(fy: int) -> None:
    assert expected_rate(FARMING, fy, None) < expected_rate(FARMING, fy + 1, None)
    assert expected_rate(FARMING, fy, None) == D((fy - 2023) * 10)
