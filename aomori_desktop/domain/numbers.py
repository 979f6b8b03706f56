"""Decimal values as office staff type them, show them and store them.

Values are never binary floats: 8.4 → 8.8 must stay exact, and the precision the user typed is
kept (8.40 stays 8.40). Parsing accepts what a Japanese office PC produces (full-width digits,
「，」「．」, 「▲」「△」 for negatives; for a KPI in %, a trailing 「%」); an optional figure may
be left empty or written as a dash (「-」「－」「ー」「—」: no figure). Storage uses one strict
canonical text form.

Parentheses are refused, not read as a negative (Excel's accounting style): in Japanese city
tables a bracketed figure is a breakdown (内数) or a reference value, so reading 「(5)」 as −5
would store a wrong figure without a word.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Final

from aomori_desktop.domain.errors import InvalidInput

#: Limits of a typed value: they keep every value exact in 34-digit Decimal arithmetic.
MAX_INTEGER_DIGITS: Final = 15
MAX_FRACTION_DIGITS: Final = 6

_EXAMPLE: Final = "（例: 1,234.5）"
_TRANSLATION: Final = str.maketrans(
    {
        **{chr(ord("０") + i): str(i) for i in range(10)},
        "，": ",",
        "．": ".",
        "＋": "+",
        "−": "-",  # U+2212 MINUS SIGN
        "－": "-",  # U+FF0D FULLWIDTH HYPHEN-MINUS
        "▲": "-",  # accounting negative
        "△": "-",  # accounting negative
    }
)
#: What an office table writes for "no figure" (実績なし) in a cell that may be empty.
NO_FIGURE_MARKS: Final = frozenset({"-", "－", "ー", "ｰ", "—", "―", "‐", "–", "−"})
_PERCENT_SIGNS: Final = ("%", "％")
_PARENTHESES: Final = re.compile(r"[(（].*[)）]")
_SPECIAL_VALUES: Final = frozenset({"nan", "snan", "inf", "infinity", "∞"})
_EXPONENT: Final = re.compile(r"[0-9.,]*[0-9][eE][+-]?[0-9]+")
_ALLOWED: Final = re.compile(r"[0-9.,]*")
_GROUPED: Final = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")
_STORED: Final = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def _check_finite(value: Decimal) -> None:
    if not value.is_finite():
        raise ValueError(f"not a finite decimal: {value!r}")


def _plain(value: Decimal, spec: str) -> str:
    """Fixed-point text without exponent; negative zero loses its sign."""
    _check_finite(value)
    if value.is_zero():
        value = value.copy_abs()
    return format(value, spec)


def shorten(text: str, limit: int = 30) -> str:
    """Text quoted in a message: long pastes are cut so the sentence stays readable."""
    return text if len(text) <= limit else text[:limit] + "…"


def is_percent_unit(unit: str) -> bool:
    """True for a KPI measured in percent (「%」, 「％」, 「パーセント」)."""
    return unit.strip() in ("%", "％", "パーセント")


def _without_percent(stripped: str, shown: str, unit: str) -> str:
    """The number before a trailing 「%」: allowed for a KPI in %, refused for any other unit."""
    if not stripped.endswith(_PERCENT_SIGNS):
        return stripped
    if is_percent_unit(unit):
        return stripped[:-1].rstrip()
    if unit.strip():
        raise InvalidInput(
            f"このKPIの単位は「{unit.strip()}」のため「%」は付けられません。"
            "数字だけを入力してください（例: 12.5）。"
        )
    return stripped  # no unit known: refused below as a unit typed by mistake


def parse_decimal(text: str, *, unit: str = "") -> Decimal:
    """Read a typed number exactly, keeping its scale ("8.40" → Decimal("8.40")).

    `unit` is the KPI's unit when there is one: for a KPI in % a trailing 「%」 is accepted
    ("12.5%" → 12.5), for another unit it is refused with a sentence naming the unit.
    Raises `InvalidInput` with a Japanese explanation for anything that is not a plain number.
    """
    stripped = text.strip()  # str.strip also removes U+3000 IDEOGRAPHIC SPACE
    shown = shorten(stripped)  # as quoted in messages
    if not stripped:
        raise InvalidInput("値が入力されていません。")
    if _PARENTHESES.fullmatch(stripped):
        raise InvalidInput(
            f"「{shown}」のような括弧付きの数は使えません。"
            "マイナスの値は ▲5 または -5 のように入力してください。"
        )
    body = _without_percent(stripped, shown, unit).translate(_TRANSLATION)
    if not body:
        raise InvalidInput(
            f"「{shown}」は数値として読み取れません。数字を入力してください{_EXAMPLE}。"
        )
    sign = ""
    if body[0] in "+-":
        sign, body = body[0], body[1:]
    if body.lower() in _SPECIAL_VALUES:
        raise InvalidInput(f"「{shown}」は数値ではありません。数字を入力してください{_EXAMPLE}。")
    if _EXPONENT.fullmatch(body):
        raise InvalidInput(
            f"「{shown}」のような指数表記は使えません。数字をそのまま入力してください（例: 1000）。"
        )
    if any(c.isspace() for c in body):
        raise InvalidInput(f"「{shown}」の途中に空白があります。数字だけを続けて入力してください。")
    if "+" in body or "-" in body:
        raise InvalidInput(
            f"「{shown}」は数値として読み取れません。"
            "符号（+、-、▲）は数字の前に一つだけ付けてください。"
        )
    if not _ALLOWED.fullmatch(body):
        if not any(c.isdigit() for c in body):
            raise InvalidInput(
                f"「{shown}」は数値ではありません。数字を入力してください{_EXAMPLE}。"
            )
        raise InvalidInput(
            f"「{shown}」は数値として読み取れません。"
            f"単位を付けずに数字だけを入力してください{_EXAMPLE}。"
        )
    if body.count(".") > 1:
        raise InvalidInput(f"「{shown}」には小数点が複数あります。小数点は一つだけにしてください。")
    integer, point, fraction = body.partition(".")
    if "," in fraction or ("," in integer and not _GROUPED.fullmatch(integer)):
        raise InvalidInput(
            f"「{shown}」の桁区切り（,）の位置が正しくありません。"
            "3桁ごとに区切るか、区切らずに入力してください。"
        )
    integer = integer.replace(",", "")
    if not integer and not fraction:
        raise InvalidInput(
            f"「{shown}」は数値として読み取れません。数字を入力してください{_EXAMPLE}。"
        )
    if point and not fraction:
        raise InvalidInput(f"「{shown}」は小数点の後に数字がありません。")
    if len(integer.lstrip("0")) > MAX_INTEGER_DIGITS:
        raise InvalidInput(
            f"「{shown}」は桁数が多すぎます。整数部は{MAX_INTEGER_DIGITS}桁まで入力できます。"
        )
    if len(fraction) > MAX_FRACTION_DIGITS:
        raise InvalidInput(
            f"「{shown}」は小数点以下の桁数が多すぎます。"
            f"小数点以下は{MAX_FRACTION_DIGITS}桁まで入力できます。"
        )
    value = Decimal(f"{sign}{integer or '0'}{point}{fraction}")  # the constructor is exact
    return value.copy_abs() if value.is_zero() else value


def is_no_figure(text: str) -> bool:
    """True for an empty cell or a dash: "no figure" (実績なし), which clears a value."""
    stripped = text.strip()
    return not stripped or stripped in NO_FIGURE_MARKS


def parse_optional_decimal(text: str, *, unit: str = "") -> Decimal | None:
    """Like `parse_decimal`, but a blank field or a dash means "no value" (None)."""
    return None if is_no_figure(text) else parse_decimal(text, unit=unit)


def format_decimal(value: Decimal) -> str:
    """Display text: thousands separators, the stored scale, never exponent notation."""
    return _plain(value, ",f")


def decimal_to_text(value: Decimal) -> str:
    """Canonical storage text: "1109980", "8.40", "-0.5"; a positive exponent becomes scale 0."""
    return _plain(value, "f")


def decimal_from_text(text: str) -> Decimal:
    """Strict inverse of `decimal_to_text` for stored data (only `-?digits(.digits)?`)."""
    if not _STORED.fullmatch(text):
        raise InvalidInput(f"保存された値「{shorten(text)}」は数値の形式ではありません。")
    value = Decimal(text)
    return value.copy_abs() if value.is_zero() else value
