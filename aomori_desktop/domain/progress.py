"""Progress arithmetic of a KPI (domain.md): achievement rate, expected rate and grade.

Everything is Decimal and runs in a private decimal context, so results never depend on the
caller's global context. Rates are percentages; they are kept unrounded for grading and rounded
only for display (`format_rate`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from enum import StrEnum
from typing import Final

from aomori_desktop.domain.plan import Direction, Thresholds

_CONTEXT: Final = Context(
    prec=34, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow]
)
_HUNDRED: Final = Decimal(100)
_ZERO: Final = Decimal(0)
_ONE_DECIMAL: Final = Decimal("0.1")
DEFAULT_THRESHOLDS: Final = Thresholds()


class Grade(StrEnum):
    """Grade of a KPI for one fiscal year; NONE ("-") when it cannot be evaluated."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    NONE = "-"

    @property
    def label(self) -> str:
        return {"A": "達成", "B": "順調", "C": "遅れ", "D": "停滞", "-": "評価不能"}[self.value]


@dataclass(frozen=True, slots=True)
class KpiTerms:
    """The part of a KPI definition the progress arithmetic needs."""

    baseline: Decimal
    baseline_fiscal_year: int
    target: Decimal
    target_fiscal_year: int
    direction: Direction


def achievement_rate(terms: KpiTerms, actual: Decimal | None) -> Decimal | None:
    """達成率 in %, not clamped; None without an actual value or where the divisor is 0.

    t ≠ b: (a − b) × 100 / (t − b) (works for decrease KPIs too: the signs cancel).
    t = b: a × 100 / t, or t × 100 / a for a decrease KPI (lower actual is better).
    Multiplying before dividing makes a = t give exactly 100.
    """
    if actual is None:
        return None
    b, t, a = terms.baseline, terms.target, actual
    with localcontext(_CONTEXT):
        if t != b:
            return (a - b) * _HUNDRED / (t - b)
        if terms.direction is Direction.DECREASE:
            return None if a == 0 else t * _HUNDRED / a
        return None if t == 0 else a * _HUNDRED / t


def expected_rate(terms: KpiTerms, fiscal_year: int, interim_target: Decimal | None) -> Decimal:
    """期待進捗率 in % for a fiscal year.

    Maintain KPIs (and t = b) expect 100. An interim target gives (interim − b) × 100 / (t − b),
    not clamped; otherwise progress is linear between the baseline and target fiscal years,
    clamped to 0–100.
    """
    b, t = terms.baseline, terms.target
    if terms.direction is Direction.MAINTAIN or t == b:
        return _HUNDRED
    with localcontext(_CONTEXT):
        if interim_target is not None:
            return (interim_target - b) * _HUNDRED / (t - b)
        b_fy, t_fy = terms.baseline_fiscal_year, terms.target_fiscal_year
        if t_fy == b_fy:
            return _HUNDRED if fiscal_year >= t_fy else _ZERO
        linear = Decimal(fiscal_year - b_fy) * _HUNDRED / Decimal(t_fy - b_fy)
        return min(max(linear, _ZERO), _HUNDRED)


def grade_for(
    achievement: Decimal | None, expected: Decimal, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> Grade:
    """Grade from unrounded rates: A ≥ achieved, B ≥ expected, C ≥ expected × factor, else D."""
    if achievement is None:
        return Grade.NONE
    if achievement >= thresholds.achieved:
        return Grade.A
    if achievement >= expected:
        return Grade.B
    with localcontext(_CONTEXT):
        delayed = expected * thresholds.delayed_factor
    return Grade.C if achievement >= delayed else Grade.D


@dataclass(frozen=True, slots=True)
class YearProgress:
    """Evaluation of one KPI for one fiscal year (rates unrounded)."""

    fiscal_year: int
    achievement_rate: Decimal | None
    expected_rate: Decimal
    grade: Grade


def evaluate_year(
    terms: KpiTerms,
    fiscal_year: int,
    actual: Decimal | None,
    interim_target: Decimal | None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> YearProgress:
    """Achievement, expected rate and grade of a KPI for one fiscal year."""
    achievement = achievement_rate(terms, actual)
    expected = expected_rate(terms, fiscal_year, interim_target)
    return YearProgress(
        fiscal_year, achievement, expected, grade_for(achievement, expected, thresholds)
    )


def format_rate(rate: Decimal | None) -> str | None:
    """Display text of a rate: one decimal, rounded half up (away from zero), no separators.

    A rate that rounds to zero shows as "0.0", never "-0.0".
    """
    if rate is None:
        return None
    with localcontext(_CONTEXT):
        rounded = rate.quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP)
    if rounded.is_zero():
        rounded = rounded.copy_abs()
    return format(rounded, "f")


@dataclass(frozen=True, slots=True)
class GradeCounts:
    """Number of KPIs per grade: the roll-up of a measure or pillar for one year."""

    a: int
    b: int
    c: int
    d: int
    none: int

    @property
    def total(self) -> int:
        return self.a + self.b + self.c + self.d + self.none

    def as_dict(self) -> dict[Grade, int]:
        """Counts keyed by grade, in display order A, B, C, D, -."""
        return {
            Grade.A: self.a,
            Grade.B: self.b,
            Grade.C: self.c,
            Grade.D: self.d,
            Grade.NONE: self.none,
        }


def count_grades(grades: Iterable[Grade]) -> GradeCounts:
    """Count grades (a KPI serving two measures is simply passed once per measure)."""
    counts = dict.fromkeys(Grade, 0)
    for grade in grades:
        counts[grade] += 1
    return GradeCounts(
        a=counts[Grade.A],
        b=counts[Grade.B],
        c=counts[Grade.C],
        d=counts[Grade.D],
        none=counts[Grade.NONE],
    )


def latest_year_with_actual(actuals: Mapping[int, Decimal | None]) -> int | None:
    """The latest fiscal year that has an actual value, or None when there is none."""
    return max((fy for fy, value in actuals.items() if value is not None), default=None)


def weakest_grade(grades: Iterable[Grade]) -> Grade:
    """A measure's badge: its weakest graded KPI (D worst … A best); NONE when none is graded."""
    present = set(grades)
    for grade in (Grade.D, Grade.C, Grade.B, Grade.A):
        if grade in present:
            return grade
    return Grade.NONE
