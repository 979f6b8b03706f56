"""Fiscal years (年度) and their Japanese era names (和暦).

A 年度 runs from April 1 to March 31 and is named by the calendar year it starts in. Its era
is the era of its start year by city-document convention, so 2019年度 is 令和元年度 even though
April 2019 was still 平成31年.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Final

from aomori_desktop.domain.errors import InvalidInput

#: Range accepted by `parse_fiscal_year` (昭和元年度 up to a sane planning horizon).
MIN_FISCAL_YEAR: Final = 1926
MAX_FISCAL_YEAR: Final = 2100

# (name, short letter, first fiscal year, last era number accepted by the parser or None)
_ERAS: Final = (
    ("令和", "R", 2019, None),
    ("平成", "H", 1989, 31),  # 平成31年度 = 2019年度, as in budgets compiled before May 2019
    ("昭和", "S", 1926, 63),
)
_ERA_BY_NAME: Final = {name: (first, last) for name, _, first, last in _ERAS}
_ERA_BY_LETTER: Final = {letter: name for name, letter, _, _ in _ERAS}

_ERA = r"(?P<era>令和|平成|昭和|[RHS])(?P<num>元|[0-9]+)"
_WESTERN = r"(?P<year>[0-9]{4})"
_SUFFIX = r"(?:年度)?"
_PATTERNS: Final = (
    re.compile(rf"(?:FY)?{_WESTERN}{_SUFFIX}", re.IGNORECASE | re.ASCII),
    re.compile(rf"{_ERA}{_SUFFIX}", re.IGNORECASE),
    re.compile(rf"{_ERA}\({_WESTERN}\){_SUFFIX}", re.IGNORECASE),
    re.compile(rf"{_WESTERN}\({_ERA}\){_SUFFIX}", re.IGNORECASE),
)


def fiscal_year_of(d: date) -> int:
    """The fiscal year a date falls in: January–March belong to the previous year's 年度."""
    return d.year if d.month >= 4 else d.year - 1


def fiscal_year_bounds(fy: int) -> tuple[date, date]:
    """First and last day of a fiscal year: April 1 fy – March 31 fy+1."""
    return date(fy, 4, 1), date(fy + 1, 3, 31)


def era_of_fiscal_year(fy: int) -> tuple[str, int]:
    """Era name and era year of a fiscal year, e.g. 2024 → ("令和", 6), 2019 → ("令和", 1)."""
    for name, _, first, _ in _ERAS:
        if fy >= first:
            return name, fy - first + 1
    raise InvalidInput(f"{fy}年度は和暦（昭和以降）で表せません。")


def _era_number_text(n: int) -> str:
    return "元" if n == 1 else str(n)


def fy_label(fy: int) -> str:
    """Full label with both calendars, as the source document writes it: 令和6(2024)年度."""
    name, n = era_of_fiscal_year(fy)
    return f"{name}{_era_number_text(n)}({fy})年度"


def fy_label_era(fy: int) -> str:
    """Era-only label: 令和6年度, 令和元年度."""
    name, n = era_of_fiscal_year(fy)
    return f"{name}{_era_number_text(n)}年度"


def fy_label_western(fy: int) -> str:
    """Western-only label: 2024年度."""
    return f"{fy}年度"


def fy_short(fy: int) -> str:
    """Compact label for narrow columns: R6, R1, H30."""
    name, n = era_of_fiscal_year(fy)
    letter = next(letter for era, letter, _, _ in _ERAS if era == name)
    return f"{letter}{n}"


def _unreadable(text: str) -> InvalidInput:
    return InvalidInput(
        f"年度「{text}」を読み取れません。2024 または 令和6 のように入力してください。"
    )


def _era_to_fiscal_year(text: str, era: str, num: str) -> int:
    name = _ERA_BY_LETTER.get(era.upper(), era)
    first, last = _ERA_BY_NAME[name]
    n = 1 if num == "元" else int(num)
    if n < 1 or (last is not None and n > last):
        raise _unreadable(text)
    return first + n - 1


def parse_fiscal_year(text: str) -> int:
    """Read a fiscal year as staff type it: 2024, 2024年度, R6, 令和6年度, 令和6(2024)年度, ...

    Full-width digits, letters and parentheses are accepted; spaces are ignored. Where both the
    era and the western year are given they must agree.
    """
    shown = text.strip()
    normalized = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    for pattern in _PATTERNS:
        m = pattern.fullmatch(normalized)
        if m is None:
            continue
        groups = m.groupdict()
        year = int(groups["year"]) if groups.get("year") else None
        era_year = (
            _era_to_fiscal_year(shown, groups["era"], groups["num"]) if groups.get("era") else None
        )
        if year is not None and era_year is not None and year != era_year:
            raise InvalidInput(
                f"年度「{shown}」の和暦と西暦が一致しません"
                f"（{fy_label_era(era_year)}は{era_year}年度です）。"
            )
        fy = year if year is not None else era_year
        assert fy is not None  # every pattern has a year or an era
        if not MIN_FISCAL_YEAR <= fy <= MAX_FISCAL_YEAR:
            raise InvalidInput(
                f"年度「{shown}」は範囲外です。{MIN_FISCAL_YEAR}〜{MAX_FISCAL_YEAR}年度の間で"
                "入力してください。"
            )
        return fy
    raise _unreadable(shown)
