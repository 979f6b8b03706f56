"""Parsing, display and storage text of decimal values."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aomori_desktop.domain.errors import InvalidInput
from aomori_desktop.domain.numbers import (
    MAX_FRACTION_DIGITS,
    MAX_INTEGER_DIGITS,
    decimal_from_text,
    decimal_to_text,
    format_decimal,
    parse_decimal,
    parse_optional_decimal,
)


@st.composite
def typed_decimals(draw: st.DrawFn) -> Decimal:
    """Any Decimal a user can type: ≤ 15 integer digits, ≤ 6 decimal places, scale kept."""
    scale = draw(st.integers(min_value=0, max_value=MAX_FRACTION_DIGITS))
    bound = 10 ** (MAX_INTEGER_DIGITS + scale) - 1
    coefficient = draw(st.integers(min_value=-bound, max_value=bound))
    return Decimal(f"{coefficient}E-{scale}")


def _same(actual: Decimal, expected: Decimal) -> None:
    """Equal in value, scale and sign (Decimal == ignores the scale)."""
    assert actual == expected
    assert actual.as_tuple() == expected.as_tuple()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", "0"),
        ("3", "3"),
        ("8.4", "8.4"),
        ("8.40", "8.40"),
        ("1109980", "1109980"),
        ("1,109,980", "1109980"),
        ("1,000", "1000"),
        ("100", "100"),
        ("1,234.5", "1234.5"),
        ("１，１０９，９８０", "1109980"),
        ("８．４", "8.4"),
        ("１２３４．５６", "1234.56"),
        ("+5", "5"),
        ("＋5", "5"),
        ("-5", "-5"),
        ("-0.5", "-0.5"),
        ("−12.5", "-12.5"),  # U+2212
        ("－12.5", "-12.5"),  # U+FF0D
        ("▲1,234", "-1234"),
        ("△1,234", "-1234"),
        ("▲０．５", "-0.5"),
        ("-0", "0"),
        ("-0.00", "0.00"),
        ("▲0", "0"),
        (".5", "0.5"),
        ("007", "7"),
        ("0.000001", "0.000001"),
        ("999,999,999,999,999", "999999999999999"),
        ("999999999999999.999999", "999999999999999.999999"),
        ("000000000000000000001", "1"),  # leading zeros are not significant digits
        ("  8.4  ", "8.4"),
        ("\u30008.4\u3000", "8.4"),
        ("\t12\n", "12"),
    ],
)
def test_parse_decimal(text: str, expected: str) -> None:
    _same(parse_decimal(text), Decimal(expected))


def test_parse_decimal_negative_zero_is_plain_zero() -> None:
    assert not parse_decimal("-0").is_signed()
    assert not parse_decimal("▲0.0").is_signed()


def _refused(text: str) -> str:
    with pytest.raises(InvalidInput) as info:
        parse_decimal(text)
    assert str(info.value) == info.value.message
    return info.value.message


@pytest.mark.parametrize("text", ["", "   ", "\u3000\u3000", "\t"])
def test_parse_decimal_refuses_empty(text: str) -> None:
    assert _refused(text) == "値が入力されていません。"


@pytest.mark.parametrize(
    "text",
    [
        "3件",
        "件3",
        "8.4%",
        "8.4％",
        "1,000円",
        "¥1000",
        "12人",
        "1,109,980人泊",
        "12a",
        "1/2",
        "3億",
    ],
)
def test_parse_decimal_refuses_units_and_letters(text: str) -> None:
    assert _refused(text) == (
        f"「{text}」は数値として読み取れません。"
        "単位を付けずに数字だけを入力してください（例: 1,234.5）。"
    )


@pytest.mark.parametrize("text", ["abc", "ｘ", "TRUE", "なし", "未定"])
def test_parse_decimal_says_letters_are_not_a_number(text: str) -> None:
    assert (
        _refused(text) == f"「{text}」は数値ではありません。数字を入力してください（例: 1,234.5）。"
    )


@pytest.mark.parametrize("text", ["(5)", "（５）", "(1,234)", "(▲5)"])
def test_parse_decimal_refuses_parentheses_rather_than_guess_a_negative(text: str) -> None:
    assert _refused(text) == (
        f"「{text}」のような括弧付きの数は使えません。"
        "マイナスの値は ▲5 または -5 のように入力してください。"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12.5%", "12.5"), ("12.5％", "12.5"), ("１２．５％", "12.5"), ("8.40 %", "8.40"),
     ("▲0.5%", "-0.5"), ("100%", "100"), ("0%", "0")],
)  # fmt: skip
def test_a_percentage_is_read_for_a_percent_kpi(text: str, expected: str) -> None:
    _same(parse_decimal(text, unit="%"), Decimal(expected))
    _same(parse_decimal(text, unit="％"), Decimal(expected))


@pytest.mark.parametrize("unit", ["件", "人", "億円", "千人"])
def test_a_percentage_is_refused_for_another_unit_naming_the_unit(unit: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_decimal("12.5%", unit=unit)
    assert info.value.message == (
        f"このKPIの単位は「{unit}」のため「%」は付けられません。"
        "数字だけを入力してください（例: 12.5）。"
    )


def test_a_unit_typed_by_mistake_is_refused_whatever_the_kpi_unit() -> None:
    with pytest.raises(InvalidInput) as info:
        parse_decimal("3件", unit="件")
    assert info.value.message == (
        "「3件」は数値として読み取れません。"
        "単位を付けずに数字だけを入力してください（例: 1,234.5）。"
    )
    with pytest.raises(InvalidInput) as info:
        parse_decimal("%", unit="%")
    assert "数字を入力してください" in info.value.message


@pytest.mark.parametrize(
    "text", ["", " ", "\u3000", "-", "－", "ー", "ｰ", "—", "―", "‐", "–", "−", " - "]
)
def test_an_empty_cell_or_a_dash_is_no_figure(text: str) -> None:
    assert parse_optional_decimal(text) is None
    assert parse_optional_decimal(text, unit="%") is None


def test_parse_decimal_message_for_a_unit_is_the_documented_sentence() -> None:
    assert _refused("3件") == (
        "「3件」は数値として読み取れません。"
        "単位を付けずに数字だけを入力してください（例: 1,234.5）。"
    )


@pytest.mark.parametrize("text", ["1e3", "1E3", "1E+3", "2.5e-4", "-1e3", "1,000e2"])
def test_parse_decimal_refuses_exponent_notation(text: str) -> None:
    assert _refused(text) == (
        f"「{text}」のような指数表記は使えません。数字をそのまま入力してください（例: 1000）。"
    )


@pytest.mark.parametrize("text", ["NaN", "nan", "sNaN", "Infinity", "-Infinity", "inf", "∞"])
def test_parse_decimal_refuses_special_values(text: str) -> None:
    assert _refused(text) == (
        f"「{text}」は数値ではありません。数字を入力してください（例: 1,234.5）。"
    )


@pytest.mark.parametrize("text", ["--5", "+-5", "▲-5", "▲▲5", "5-", "1-2", "-▲5", "5+"])
def test_parse_decimal_refuses_misplaced_or_multiple_signs(text: str) -> None:
    assert _refused(text) == (
        f"「{text}」は数値として読み取れません。符号（+、-、▲）は数字の前に一つだけ付けてください。"
    )


@pytest.mark.parametrize("text", ["1.2.3", "1..2", "１．２．３"])
def test_parse_decimal_refuses_multiple_points(text: str) -> None:
    assert _refused(text) == f"「{text}」には小数点が複数あります。小数点は一つだけにしてください。"


@pytest.mark.parametrize(
    "text",
    ["1,10,9980", "1,0000", "1234,567", ",123", "123,", "1,,000", "1.234,5", "1,234.567,8", ","],
)
def test_parse_decimal_refuses_bad_grouping(text: str) -> None:
    assert _refused(text) == (
        f"「{text}」の桁区切り（,）の位置が正しくありません。"
        "3桁ごとに区切るか、区切らずに入力してください。"
    )


@pytest.mark.parametrize("text", ["-", "+", "▲", ".", "-."])
def test_parse_decimal_refuses_a_number_without_digits(text: str) -> None:
    assert (
        _refused(text)
        == f"「{text}」は数値として読み取れません。数字を入力してください（例: 1,234.5）。"
    )


def test_parse_decimal_refuses_a_trailing_point() -> None:
    assert _refused("5.") == "「5.」は小数点の後に数字がありません。"


def test_parse_decimal_refuses_inner_spaces() -> None:
    assert (
        _refused("1 234") == "「1 234」の途中に空白があります。数字だけを続けて入力してください。"
    )
    assert _refused("- 5") == "「- 5」の途中に空白があります。数字だけを続けて入力してください。"


@pytest.mark.parametrize(
    "text", ["1000000000000000", "1,000,000,000,000,000", "-1234567890123456.5"]
)
def test_parse_decimal_refuses_more_than_15_integer_digits(text: str) -> None:
    assert _refused(text) == f"「{text}」は桁数が多すぎます。整数部は15桁まで入力できます。"


@pytest.mark.parametrize("text", ["0.1234567", "1.0000000", "-8.4000000"])
def test_parse_decimal_refuses_more_than_6_decimal_places(text: str) -> None:
    assert _refused(text) == (
        f"「{text}」は小数点以下の桁数が多すぎます。小数点以下は6桁まで入力できます。"
    )


def test_parse_decimal_quotes_the_trimmed_text() -> None:
    assert _refused("\u3000３件 ") == (
        "「３件」は数値として読み取れません。"
        "単位を付けずに数字だけを入力してください（例: 1,234.5）。"
    )


def test_parse_optional_decimal() -> None:
    assert parse_optional_decimal("") is None
    assert parse_optional_decimal("  \u3000 ") is None
    value = parse_optional_decimal(" 8.40 ")
    assert value is not None
    _same(value, Decimal("8.40"))
    zero = parse_optional_decimal("0")
    assert zero is not None
    _same(zero, Decimal("0"))
    with pytest.raises(InvalidInput):
        parse_optional_decimal("3件")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("1109980", "1,109,980"),
        ("8.4", "8.4"),
        ("8.40", "8.40"),
        ("-1234.50", "-1,234.50"),
        ("1E+3", "1,000"),
        ("0.000001", "0.000001"),
        ("1E-7", "0.0000001"),
        ("0", "0"),
        ("-0", "0"),
        ("-0.00", "0.00"),
        ("999", "999"),
        ("1000", "1,000"),
        ("-999999999999999.999999", "-999,999,999,999,999.999999"),
    ],
)
def test_format_decimal(value: str, text: str) -> None:
    assert format_decimal(Decimal(value)) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("1109980", "1109980"),
        ("8.4", "8.4"),
        ("8.40", "8.40"),
        ("-0.5", "-0.5"),
        ("-0", "0"),
        ("-0.000", "0.000"),
        ("1E+3", "1000"),
        ("1E-6", "0.000001"),
        ("0", "0"),
    ],
)
def test_decimal_to_text(value: str, text: str) -> None:
    assert decimal_to_text(Decimal(value)) == text


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "sNaN"])
def test_non_finite_values_cannot_be_shown_or_stored(value: str) -> None:
    with pytest.raises(ValueError, match="not a finite decimal"):
        format_decimal(Decimal(value))
    with pytest.raises(ValueError, match="not a finite decimal"):
        decimal_to_text(Decimal(value))


@pytest.mark.parametrize(
    ("text", "value"),
    [("1109980", "1109980"), ("8.40", "8.40"), ("-0.5", "-0.5"), ("0", "0"), ("-0", "0")],
)
def test_decimal_from_text(text: str, value: str) -> None:
    _same(decimal_from_text(text), Decimal(value))


@pytest.mark.parametrize(
    "text",
    ["", "1,000", "+5", " 5", "5 ", "1E3", "NaN", ".5", "5.", "８", "▲5", "--5", "1.2.3", "0x10"],
)
def test_decimal_from_text_is_strict(text: str) -> None:
    with pytest.raises(InvalidInput) as info:
        decimal_from_text(text)
    assert info.value.message == f"保存された値「{text}」は数値の形式ではありません。"


@given(typed_decimals())
def test_parse_decimal_round_trips_format_decimal(value: Decimal) -> None:
    parsed = parse_decimal(format_decimal(value))
    assert parsed == value
    assert parsed.as_tuple().exponent == value.as_tuple().exponent


@given(typed_decimals())
def test_decimal_from_text_round_trips_decimal_to_text(value: Decimal) -> None:
    restored = decimal_from_text(decimal_to_text(value))
    assert restored == value
    assert restored.as_tuple().exponent == value.as_tuple().exponent


@given(typed_decimals())
def test_parse_decimal_reads_the_storage_text(value: Decimal) -> None:
    _same(parse_decimal(decimal_to_text(value)), decimal_from_text(decimal_to_text(value)))


@given(typed_decimals())
def test_formatted_text_has_no_exponent(value: Decimal) -> None:
    for text in (format_decimal(value), decimal_to_text(value)):
        assert "E" not in text
        assert "e" not in text


def test_long_input_is_parsed_whole_and_quoted_short() -> None:
    from aomori_desktop.domain.numbers import parse_decimal as parse

    assert parse("１２３，４５６，７８９，０１２，３４５．１２３４５６") == Decimal(
        "123456789012345.123456"
    )
    with pytest.raises(InvalidInput) as info:
        parse("x" * 5000)
    assert "「" + "x" * 30 + "…」" in info.value.message
    assert len(info.value.message) < 120
