"""Fiscal years (年度), era names and the parser of typed fiscal years."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aomori_desktop.domain.errors import InvalidInput
from aomori_desktop.domain.fiscal import (
    MAX_FISCAL_YEAR,
    MIN_FISCAL_YEAR,
    era_of_fiscal_year,
    fiscal_year_bounds,
    fiscal_year_of,
    fy_label,
    fy_label_era,
    fy_label_western,
    fy_short,
    parse_fiscal_year,
)

_FULL_WIDTH = str.maketrans("0123456789()RHS", "０１２３４５６７８９（）ＲＨＳ")


@pytest.mark.parametrize(
    ("d", "fy"),
    [
        (date(2024, 4, 1), 2024),
        (date(2024, 12, 31), 2024),
        (date(2025, 1, 1), 2024),
        (date(2025, 3, 31), 2024),
        (date(2025, 4, 1), 2025),
        (date(2024, 3, 31), 2023),
        (date(2024, 2, 29), 2023),
        (datetime(2034, 3, 31, 23, 59), 2033),
    ],
)
def test_fiscal_year_of(d: date, fy: int) -> None:
    assert fiscal_year_of(d) == fy


def test_fiscal_year_bounds() -> None:
    assert fiscal_year_bounds(2024) == (date(2024, 4, 1), date(2025, 3, 31))
    assert fiscal_year_bounds(2027) == (date(2027, 4, 1), date(2028, 3, 31))


@given(st.dates(min_value=date(1927, 1, 1), max_value=date(2200, 12, 31)))
def test_every_date_lies_within_the_bounds_of_its_fiscal_year(d: date) -> None:
    first, last = fiscal_year_bounds(fiscal_year_of(d))
    assert first <= d <= last


@pytest.mark.parametrize(
    ("fy", "era"),
    [
        (1926, ("昭和", 1)),
        (1988, ("昭和", 63)),
        (1989, ("平成", 1)),
        (2018, ("平成", 30)),
        (2019, ("令和", 1)),
        (2023, ("令和", 5)),
        (2024, ("令和", 6)),
        (2033, ("令和", 15)),
    ],
)
def test_era_of_fiscal_year(fy: int, era: tuple[str, int]) -> None:
    assert era_of_fiscal_year(fy) == era


def test_era_before_showa_is_refused() -> None:
    with pytest.raises(InvalidInput) as info:
        era_of_fiscal_year(1925)
    assert info.value.message == "1925年度は和暦（昭和以降）で表せません。"


@pytest.mark.parametrize(
    ("fy", "full", "era", "western", "short"),
    [
        (2024, "令和6(2024)年度", "令和6年度", "2024年度", "R6"),
        (2033, "令和15(2033)年度", "令和15年度", "2033年度", "R15"),
        (2019, "令和元(2019)年度", "令和元年度", "2019年度", "R1"),
        (2018, "平成30(2018)年度", "平成30年度", "2018年度", "H30"),
        (1989, "平成元(1989)年度", "平成元年度", "1989年度", "H1"),
        (1988, "昭和63(1988)年度", "昭和63年度", "1988年度", "S63"),
        (1926, "昭和元(1926)年度", "昭和元年度", "1926年度", "S1"),
    ],
)
def test_labels(fy: int, full: str, era: str, western: str, short: str) -> None:
    assert fy_label(fy) == full
    assert fy_label_era(fy) == era
    assert fy_label_western(fy) == western
    assert fy_short(fy) == short


@pytest.mark.parametrize(
    ("text", "fy"),
    [
        ("2024", 2024),
        ("２０２４", 2024),
        ("2024年度", 2024),
        ("２０２４年度", 2024),
        ("FY2024", 2024),
        ("R6", 2024),
        ("r6", 2024),
        ("Ｒ６", 2024),
        ("R06", 2024),
        ("R6年度", 2024),
        ("令和6", 2024),
        ("令和６", 2024),
        ("令和6年度", 2024),
        ("令和 6 年度", 2024),
        ("  令和6年度\u3000", 2024),
        ("令和元年度", 2019),
        ("令和元", 2019),
        ("R1", 2019),
        ("令和6(2024)年度", 2024),
        ("令和６（２０２４）年度", 2024),
        ("令和元(2019)年度", 2019),
        ("令和6(2024)", 2024),
        ("2024(令和6)年度", 2024),
        ("平成30年度", 2018),
        ("H30", 2018),
        ("h30", 2018),
        ("平成元年度", 1989),
        ("平成31年度", 2019),  # budgets compiled before May 2019 used 平成31年度
        ("平成31(2019)年度", 2019),
        ("昭和63年度", 1988),
        ("S63", 1988),
        ("昭和元年度", 1926),
        ("㋿6年度", 2024),  # the one-character era sign, as some IMEs produce
    ],
)
def test_parse_fiscal_year(text: str, fy: int) -> None:
    assert parse_fiscal_year(text) == fy


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "abc",
        "24",
        "24年度",
        "20245",
        "2024年",
        "令和",
        "令和年度",
        "令和0年度",
        "R0",
        "X6",
        "大正10年度",
        "平成32年度",
        "昭和64年度",
        "令和6年度度",
        "2024.5",
        "-2024",
        "令和6(2024",
        "令和6(24)年度",
        "٢٠٢٤",  # Arabic-Indic digits are not fiscal years
    ],
)
def test_parse_fiscal_year_refuses_unreadable_text(text: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_fiscal_year(text)
    expected = (
        f"年度「{text.strip()}」を読み取れません。2024 または 令和6 のように入力してください。"
    )
    assert info.value.message == expected
    assert str(info.value) == expected


def test_parse_fiscal_year_message_quotes_the_text_as_typed() -> None:
    with pytest.raises(InvalidInput) as info:
        parse_fiscal_year("　ことし　")
    assert info.value.message == (
        "年度「ことし」を読み取れません。2024 または 令和6 のように入力してください。"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "令和6(2023)年度",
            "年度「令和6(2023)年度」の和暦と西暦が一致しません（令和6年度は2024年度です）。",
        ),
        (
            "令和元（２０１８）年度",
            "年度「令和元（２０１８）年度」の和暦と西暦が一致しません（令和元年度は2019年度です）。",
        ),
        (
            "2025(R6)年度",
            "年度「2025(R6)年度」の和暦と西暦が一致しません（令和6年度は2024年度です）。",
        ),
    ],
)
def test_parse_fiscal_year_refuses_disagreeing_era_and_western_year(
    text: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_fiscal_year(text)
    assert info.value.message == message


@pytest.mark.parametrize("text", ["1925", "2101", "9999", "令和83年度", "R99"])
def test_parse_fiscal_year_refuses_years_out_of_range(text: str) -> None:
    assert (MIN_FISCAL_YEAR, MAX_FISCAL_YEAR) == (1926, 2100)
    with pytest.raises(InvalidInput) as info:
        parse_fiscal_year(text)
    assert info.value.message == (
        f"年度「{text}」は範囲外です。1926〜2100年度の間で入力してください。"
    )


def test_parse_fiscal_year_accepts_the_range_limits() -> None:
    assert parse_fiscal_year("1926") == 1926
    assert parse_fiscal_year("2100年度") == 2100
    assert parse_fiscal_year("令和82年度") == 2100


@given(st.integers(min_value=1990, max_value=2100))
def test_labels_round_trip(fy: int) -> None:
    for label in (fy_label(fy), fy_label_era(fy), fy_label_western(fy), fy_short(fy), str(fy)):
        assert parse_fiscal_year(label) == fy
        assert parse_fiscal_year(label.translate(_FULL_WIDTH)) == fy
        assert parse_fiscal_year(label.lower()) == fy


@given(st.integers(min_value=1990, max_value=2100))
def test_era_year_arithmetic(fy: int) -> None:
    era, n = era_of_fiscal_year(fy)
    assert n >= 1
    assert fy == {"令和": 2018, "平成": 1988, "昭和": 1925}[era] + n
