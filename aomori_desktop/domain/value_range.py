"""The values a KPI can plausibly take, from its unit and its 定義・備考.

A count, an amount of money or another quantity (件, 人, 人泊, 千円, 億円, t…) is never
negative; a percentage lies between 0 and 100. A KPI whose figures may leave that range (a
growth rate in %, a balance in 千円) says so in its 定義・備考 with one line of its own:

    値の範囲: −50〜200      (from −50 to 200)
    値の範囲: 0以上          (no upper bound)
    値の範囲: 100以下        (no lower bound)
    値の範囲: 制限なし       (any value)

The line is ordinary text of the definition (it is exported, imported and shown like the rest),
so a KPI needs no extra field; numbers in it are read as the number fields read them (▲50,
full-width digits, 1,000). Units this module does not know get no bounds.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from aomori_desktop.domain.errors import InvalidInput
from aomori_desktop.domain.numbers import format_decimal, parse_decimal

RANGE_EXAMPLE: Final = "値の範囲: −50〜200"


@dataclass(frozen=True, slots=True)
class ValueRange:
    """Inclusive bounds (None: no bound). `stated`: written in the definition, not derived."""

    low: Decimal | None = None
    high: Decimal | None = None
    stated: bool = False

    def contains(self, value: Decimal) -> bool:
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    @property
    def bounded(self) -> bool:
        return self.low is not None or self.high is not None

    @property
    def text(self) -> str:
        """0〜100, 0以上, 100以下, 制限なし."""
        if self.low is not None and self.high is not None:
            return f"{format_decimal(self.low)}〜{format_decimal(self.high)}"
        if self.low is not None:
            return f"{format_decimal(self.low)}以上"
        if self.high is not None:
            return f"{format_decimal(self.high)}以下"
        return "制限なし"


UNBOUNDED: Final = ValueRange()
NOT_NEGATIVE: Final = ValueRange(Decimal(0))
PERCENT: Final = ValueRange(Decimal(0), Decimal(100))

_PREFIX = r"(?:十|百|千|万|十万|百万|千万|億|兆)?"
_COUNTERS = (
    "人|件|人泊|人日|人回|泊|社|者|事業者|事業所|企業|団体|回|箇所|か所|ヶ所|カ所|ヵ所|施設|店|店舗|"
    "品|品目|商品|個|本|台|戸|軒|世帯|校|園|隻|便|名|組|棟|区画|冊|枚|頭|席|室|所|機|基|路線|"
    "件数|人数|円|ドル"
)
_QUANTITIES = (
    "t|トン|kg|g|ha|a|km|m|㎡|m2|m²|kWh|MWh|kW|MW|L|リットル|時間|分|日|か月|ヶ月|カ月|年|歳"
)
_NOT_NEGATIVE_UNIT: Final = re.compile(rf"{_PREFIX}(?:{_COUNTERS}|{_QUANTITIES})")
_PERCENT_UNIT: Final = re.compile(r"%|パーセント")
_ASIDE: Final = re.compile(r"[（(][^）)]*[）)]")  # 人（延べ）, 件(累計)

_RANGE_LINE: Final = re.compile(r"^[ \t\u3000]*値の範囲[ \t\u3000]*[:：](.*)$", re.MULTILINE)
_BETWEEN: Final = re.compile(r"(.+?)[〜～~](.+)")
_AT_LEAST_AT_MOST: Final = re.compile(r"(.+?)以上(.+?)以下")


def unit_range(unit: str) -> ValueRange:
    """The range a unit implies: 0–100 for %, at least 0 for counts and quantities."""
    normal = _ASIDE.sub("", unicodedata.normalize("NFKC", unit)).strip()
    if _PERCENT_UNIT.fullmatch(normal):
        return PERCENT
    if _NOT_NEGATIVE_UNIT.fullmatch(normal):
        return NOT_NEGATIVE
    return UNBOUNDED


def _bound(text: str) -> Decimal:
    value = parse_decimal(text)
    if not value.is_finite():
        raise InvalidInput("範囲の値が数値ではありません。")
    return value


def stated_range(definition: str) -> ValueRange | None:
    """The range written in a definition (None when there is no 値の範囲 line).

    Raises `InvalidInput` with a sentence when the line cannot be read.
    """
    lines = _RANGE_LINE.findall(definition)
    if not lines:
        return None
    if len(lines) > 1:
        raise InvalidInput("定義・備考に「値の範囲:」の行が2つ以上あります。1行にしてください。")
    text = lines[0].strip()
    how = f"定義・備考の「値の範囲: {text}」を読み取れません（例: {RANGE_EXAMPLE}、値の範囲: 0以上、値の範囲: 制限なし）。"
    try:
        if text in ("制限なし", "なし"):
            return ValueRange(stated=True)
        if (m := _AT_LEAST_AT_MOST.fullmatch(text)) or (m := _BETWEEN.fullmatch(text)):
            low, high = _bound(m.group(1)), _bound(m.group(2))
        elif text.endswith("以上"):
            return ValueRange(_bound(text.removesuffix("以上")), None, stated=True)
        elif text.endswith("以下"):
            return ValueRange(None, _bound(text.removesuffix("以下")), stated=True)
        else:
            raise InvalidInput(how)
    except InvalidInput as exc:
        raise InvalidInput(how) from exc
    if low > high:
        raise InvalidInput(f"定義・備考の「値の範囲: {text}」は下限が上限より大きくなっています。")
    return ValueRange(low, high, stated=True)


def value_range(unit: str, definition: str) -> ValueRange:
    """The range of a KPI's values: the one its definition states, else its unit's.

    An unreadable 値の範囲 line counts as none here; `range_line_problem` reports it.
    """
    try:
        stated = stated_range(definition)
    except InvalidInput:
        stated = None
    return stated if stated is not None else unit_range(unit)


def range_line_problem(definition: str) -> str | None:
    """Why the definition's 値の範囲 line cannot be read (None when it can, or has none)."""
    try:
        stated_range(definition)
    except InvalidInput as exc:
        return exc.message
    return None
