"""The outlook (見込み) of a KPI: where the trend of its actual values leads by the target year.

The trend is the least-squares line through the actual values (fiscal year → value), computed
exactly with fractions and converted to Decimal only at the end. It needs actual values in at
least two different fiscal years. With the line come: the value it gives for the target year,
whether that reaches the target (at least the target for increase and maintain KPIs, at most
for decrease KPIs), and the yearly change still needed from the latest actual to reach the
target in the years that remain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, localcontext
from fractions import Fraction
from typing import Final

from aomori_desktop.domain.plan import Direction
from aomori_desktop.domain.progress import KpiTerms

_CONTEXT: Final = Context(prec=34, rounding=ROUND_HALF_EVEN)


def _decimal(value: Fraction) -> Decimal:
    with localcontext(_CONTEXT):
        return Decimal(value.numerator) / Decimal(value.denominator)


@dataclass(frozen=True, slots=True)
class Outlook:
    """The trend of a KPI's actual values and what it means for the target."""

    slope: Fraction  # change per fiscal year on the trend
    intercept: Fraction  # the trend's value at fiscal year 0 (value_at uses it)
    first_year: int  # first fiscal year with an actual
    latest_year: int  # latest fiscal year with an actual
    latest_actual: Decimal
    target: Decimal
    target_fiscal_year: int
    direction: Direction
    points: int  # actual values the trend is fitted to
    scale: int  # decimal places the values are shown with (as typed)

    def value_at(self, fiscal_year: int) -> Decimal:
        """The trend's value for a fiscal year (unrounded)."""
        return _decimal(self.intercept + self.slope * fiscal_year)

    @property
    def projected(self) -> Decimal:
        """見込み値: the trend's value for the target year."""
        return self.value_at(self.target_fiscal_year)

    @property
    def yearly_trend(self) -> Decimal:
        """The trend's change per year."""
        return _decimal(self.slope)

    @property
    def reaches_target(self) -> bool:
        """Whether the trend meets the target by the target year (exact comparison)."""
        at_target = self.intercept + self.slope * self.target_fiscal_year
        if self.direction is Direction.DECREASE:
            return at_target <= Fraction(self.target)
        return at_target >= Fraction(self.target)

    @property
    def years_left(self) -> int:
        return self.target_fiscal_year - self.latest_year

    @property
    def required_per_year(self) -> Decimal | None:
        """年平均の必要な変化量: (target − latest actual) ÷ years left; None once the target
        year has data (nothing is left to change)."""
        if self.years_left <= 0:
            return None
        return _decimal((Fraction(self.target) - Fraction(self.latest_actual)) / self.years_left)

    def shown(self, value: Decimal) -> Decimal:
        """A computed value rounded half up to the places the KPI's values are typed with."""
        with localcontext(_CONTEXT):
            return value.quantize(Decimal(1).scaleb(-self.scale), rounding=ROUND_HALF_UP)

    def shown_change(self, value: Decimal) -> Decimal:
        """A change per year: two more places than the values have, where they matter
        (0.125件 → 0.13, 37,500.00人泊 → 37,500), so a small yearly step never shows as 0."""
        with localcontext(_CONTEXT):
            fine = value.quantize(Decimal(1).scaleb(-self.scale - 2), rounding=ROUND_HALF_UP)
            coarse = self.shown(value)
            if fine == coarse:
                return coarse
            stripped = fine.normalize()  # 0.10 → 0.1, never fewer places than the values
            exponent = stripped.as_tuple().exponent
            assert isinstance(exponent, int)
            if -exponent < self.scale:
                stripped = stripped.quantize(Decimal(1).scaleb(-self.scale))
            return stripped


def outlook_for(terms: KpiTerms, actuals: Mapping[int, Decimal | None]) -> Outlook | None:
    """The outlook from the actual values by fiscal year (pass only the years up to the
    evaluation year); None with fewer than two fiscal years that have a value."""
    points = sorted((fy, Fraction(v)) for fy, v in actuals.items() if v is not None)
    if len(points) < 2:
        return None
    n = len(points)
    sx = sum(x for x, _ in points)
    sy = sum((y for _, y in points), Fraction(0))
    sxx = sum(x * x for x, _ in points)
    sxy = sum((x * y for x, y in points), Fraction(0))
    denominator = n * sxx - sx * sx  # > 0: the years are distinct and there are two or more
    slope = (n * sxy - sx * sy) / denominator
    intercept = (sy - slope * sx) / n
    latest_year = points[-1][0]
    typed = [v for v in actuals.values() if v is not None] + [terms.target, terms.baseline]
    scale = max(0, *(-int(v.as_tuple().exponent) for v in typed))
    return Outlook(
        slope=slope,
        intercept=intercept,
        first_year=points[0][0],
        latest_year=latest_year,
        latest_actual=next(v for fy, v in actuals.items() if fy == latest_year and v is not None),
        target=terms.target,
        target_fiscal_year=terms.target_fiscal_year,
        direction=terms.direction,
        points=n,
        scale=min(scale, 6),
    )
