"""Progress arithmetic of a KPI (domain.md): achievement rate, expected rate and grade.

Everything is Decimal and runs in a private decimal context, so results never depend on the
caller's global context. Rates are percentages; they are kept unrounded for grading and rounded
only for display (`format_rate`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)
from typing import Final

from aomori_desktop.domain.grading import DEFAULT_SCHEME, NOT_GRADED, Grade, GradeScheme
from aomori_desktop.domain.plan import Direction

_CONTEXT: Final = Context(
    prec=34, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow]
)
_HUNDRED: Final = Decimal(100)
_ZERO: Final = Decimal(0)
_ONE_DECIMAL: Final = Decimal("0.1")

__all__ = [
    "Grade",
    "GradeCounts",
    "KpiTerms",
    "YearProgress",
    "achievement_rate",
    "count_grades",
    "evaluate_year",
    "expected_rate",
    "format_rate",
    "grade_for",
    "latest_year_with_actual",
    "weakest_grade",
]


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
    c = _CONTEXT  # its methods round and trap as `localcontext(_CONTEXT)` would, for less
    if t != b:
        return c.divide(c.multiply(c.subtract(a, b), _HUNDRED), c.subtract(t, b))
    if terms.direction is Direction.DECREASE:
        return None if a == 0 else c.divide(c.multiply(t, _HUNDRED), a)
    return None if t == 0 else c.divide(c.multiply(a, _HUNDRED), t)


def expected_rate(terms: KpiTerms, fiscal_year: int, interim_target: Decimal | None) -> Decimal:
    """期待進捗率 in % for a fiscal year.

    Maintain KPIs (and t = b) expect 100. An interim target gives (interim − b) × 100 / (t − b),
    not clamped; otherwise progress is linear between the baseline and target fiscal years,
    clamped to 0–100.
    """
    b, t = terms.baseline, terms.target
    if terms.direction is Direction.MAINTAIN or t == b:
        return _HUNDRED
    c = _CONTEXT
    if interim_target is not None:
        return c.divide(c.multiply(c.subtract(interim_target, b), _HUNDRED), c.subtract(t, b))
    b_fy, t_fy = terms.baseline_fiscal_year, terms.target_fiscal_year
    if t_fy == b_fy:
        return _HUNDRED if fiscal_year >= t_fy else _ZERO
    linear = c.divide(c.multiply(Decimal(fiscal_year - b_fy), _HUNDRED), Decimal(t_fy - b_fy))
    return min(max(linear, _ZERO), _HUNDRED)


def grade_for(
    achievement: Decimal | None, expected: Decimal, scheme: GradeScheme = DEFAULT_SCHEME
) -> Grade:
    """Grade from unrounded rates under the plan's scheme (domain.grading); by default A–D:
    A ≥ 100, B ≥ expected, C ≥ expected × 0.5, else D."""
    return scheme.grade(achievement, expected)


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
    scheme: GradeScheme = DEFAULT_SCHEME,
) -> YearProgress:
    """Achievement, expected rate and grade of a KPI for one fiscal year."""
    achievement = achievement_rate(terms, actual)
    expected = expected_rate(terms, fiscal_year, interim_target)
    return YearProgress(fiscal_year, achievement, expected, scheme.grade(achievement, expected))


def format_rate(rate: Decimal | None) -> str | None:
    """Display text of a rate: one decimal, rounded half up (away from zero), no separators.

    A rate that rounds to zero shows as "0.0", never "-0.0".
    """
    if rate is None:
        return None
    rounded = rate.quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP, context=_CONTEXT)
    if rounded.is_zero():
        rounded = rounded.copy_abs()
    return format(rounded, "f")


@dataclass(frozen=True, slots=True)
class GradeCounts:
    """Number of KPIs per grade: the roll-up of a measure or pillar for one year, in the
    scheme's order with 評価不能 last (zero counts included)."""

    counts: tuple[tuple[Grade, int], ...]
    scheme: GradeScheme = field(default=DEFAULT_SCHEME, compare=False)

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts)

    @property
    def grades(self) -> tuple[Grade, ...]:
        return tuple(g for g, _ in self.counts)

    def count(self, grade: Grade) -> int:
        return next((n for g, n in self.counts if g == grade), 0)

    def as_dict(self) -> dict[Grade, int]:
        """Counts keyed by grade, in display order (best first, 評価不能 last)."""
        return dict(self.counts)


def count_grades(grades: Iterable[Grade], scheme: GradeScheme = DEFAULT_SCHEME) -> GradeCounts:
    """Count grades (a KPI serving two measures is simply passed once per measure)."""
    counts = dict.fromkeys(scheme.all_grades, 0)
    for grade in grades:
        if grade not in counts:
            raise ValueError(f"{grade!r} is not a grade of the {scheme.key} scheme")
        counts[grade] += 1
    return GradeCounts(tuple(counts.items()), scheme)


def latest_year_with_actual(actuals: Mapping[int, Decimal | None]) -> int | None:
    """The latest fiscal year that has an actual value, or None when there is none."""
    return max((fy for fy, value in actuals.items() if value is not None), default=None)


def weakest_grade(grades: Iterable[Grade]) -> Grade:
    """A measure's badge: its weakest graded KPI (D worst … A best); NONE when none is graded."""
    graded = [g for g in grades if g.graded]
    return max(graded, key=lambda g: g.rank) if graded else NOT_GRADED
