"""Grade schemes: how a KPI's progress becomes a grade, and how a measure's grade is proposed.

A scheme is an ordered list of grades, best first. Each grade but the last has one rule: the
achievement rate (達成率) must reach a share of the final target (`Basis.TARGET`, e.g. 100 %:
目標達成) or a multiple of the expected progress (`Basis.EXPECTED`, e.g. 0.5 × 期待進捗率). The
first grade whose rule holds is the KPI's grade; the last grade takes the rest. The comparisons
multiply instead of dividing (achievement ≥ expected × factor), so an expected progress of 0 or
below needs no special case and the A–D preset gives exactly the grades of the original rule
(domain.md): A ≥ 100, B ≥ expected, C ≥ expected × 0.5, else D.

The colours of every grade are defined here once: the tree badges, the tables, the charts and
the reports all take them from the grade itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation, Overflow
from enum import StrEnum
from typing import ClassVar, Final

from aomori_desktop.domain.errors import InvalidInput
from aomori_desktop.domain.numbers import format_decimal

_CONTEXT: Final = Context(prec=34, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, Overflow])


class Basis(StrEnum):
    """What a grade's threshold is compared with."""

    TARGET = "target"  # 達成率 ≥ threshold (%)
    EXPECTED = "expected"  # 達成率 ≥ 期待進捗率 × threshold


class Pattern(StrEnum):
    """Line pattern over a grade's fill in monochrome output (photocopies, grey printers)."""

    NONE = "none"
    DIAGONAL = "diagonal"
    BACK_DIAGONAL = "back_diagonal"
    CROSS = "cross"


@dataclass(frozen=True, slots=True)
class GradeLook:
    """How a grade is drawn: colour fill and the text on it; grey fill, its text and a pattern
    for monochrome output. The symbol is always drawn as well, so colour is never alone."""

    fill: str
    ink: str
    grey: str
    grey_ink: str
    pattern: Pattern = Pattern.NONE


@dataclass(frozen=True, slots=True)
class Grade:
    """One grade of a scheme (or `Grade.NONE`, 評価不能, shared by every scheme).

    `rank` orders the grades of a scheme: 0 is the best. Two grades are equal when they have
    the same scheme and symbol.
    """

    symbol: str  # "A", "S", "◎"; "-" for NONE
    label: str  # 達成, 順調, …
    rank: int
    scheme: str  # the scheme's key; "" for NONE
    look: GradeLook = field(compare=False)

    A: ClassVar[Grade]
    B: ClassVar[Grade]
    C: ClassVar[Grade]
    D: ClassVar[Grade]
    NONE: ClassVar[Grade]

    @property
    def value(self) -> str:
        """The symbol as stored and exported ("A", "◎", "-")."""
        return self.symbol

    @property
    def graded(self) -> bool:
        return self.scheme != ""

    @property
    def letter(self) -> str:
        """The symbol as drawn on a badge: "−" (minus sign) for 評価不能."""
        return self.symbol if self.graded else "−"

    @property
    def text(self) -> str:
        """'A 達成', '◎ 順調', '− 評価不能'."""
        return f"{self.letter} {self.label}"

    def __str__(self) -> str:
        return self.symbol

    def __repr__(self) -> str:
        return f"Grade({self.scheme or 'none'}:{self.symbol})"


NOT_GRADED: Final = Grade(
    "-", "評価不能", 99, "", GradeLook("#d9d9d9", "#404040", "#ffffff", "#404040")
)


@dataclass(frozen=True, slots=True)
class GradeRule:
    """The condition for reaching a grade (or a better one)."""

    basis: Basis
    threshold: Decimal

    def holds(self, achievement: Decimal, expected: Decimal) -> bool:
        if self.basis is Basis.TARGET:
            return achievement >= self.threshold
        # the context's own method: as `localcontext(_CONTEXT)` would, at a fraction of the cost
        return achievement >= _CONTEXT.multiply(expected, self.threshold)

    def describe(self) -> str:
        """'達成率 100% 以上', '達成率が期待進捗率の 0.5 倍以上'."""
        value = format_decimal(self.threshold)
        if self.basis is Basis.TARGET:
            return f"達成率 {value}% 以上"
        if self.threshold == 1:
            return "達成率が期待進捗率以上"
        return f"達成率が期待進捗率の {value} 倍以上"


class SchemeKey(StrEnum):
    ABCD = "abcd"
    SABCD = "sabcd"
    MARKS = "marks"

    @property
    def label(self) -> str:
        return {
            "abcd": "A・B・C・D（4段階）",
            "sabcd": "S・A・B・C・D（5段階）",
            "marks": "◎・○・△（3段階）",
        }[self.value]


@dataclass(frozen=True, slots=True)
class GradeScheme:
    """A plan's grade rule: grades best first and one rule for each grade but the last."""

    key: SchemeKey
    grades: tuple[Grade, ...]
    rules: tuple[GradeRule, ...]

    def __post_init__(self) -> None:
        if len(self.rules) != len(self.grades) - 1 or len(self.grades) < 2:
            raise ValueError("a scheme has one rule for each grade but the last")

    @property
    def name(self) -> str:
        return self.key.label

    @property
    def all_grades(self) -> tuple[Grade, ...]:
        """The scheme's grades and 評価不能, in display order."""
        return (*self.grades, NOT_GRADED)

    @property
    def thresholds(self) -> tuple[Decimal, ...]:
        return tuple(rule.threshold for rule in self.rules)

    def with_thresholds(self, values: Sequence[Decimal]) -> GradeScheme:
        """The same grades with other threshold values (one per rule, in order)."""
        if len(values) != len(self.rules):
            raise ValueError(f"{self.key}: {len(self.rules)} thresholds expected")
        rules = tuple(replace(r, threshold=v) for r, v in zip(self.rules, values, strict=True))
        return replace(self, rules=rules)

    def grade(self, achievement: Decimal | None, expected: Decimal) -> Grade:
        """The grade for unrounded rates; 評価不能 when there is no achievement rate."""
        if achievement is None:
            return NOT_GRADED
        multiply = _CONTEXT.multiply  # as `GradeRule.holds`, inlined: it runs for every KPI
        for grade, rule in zip(self.grades, self.rules, strict=False):
            if rule.basis is Basis.TARGET:
                if achievement >= rule.threshold:
                    return grade
            elif achievement >= multiply(expected, rule.threshold):
                return grade
        return self.grades[-1]

    def grade_of(self, symbol: str) -> Grade:
        """The grade with this symbol ("-" is 評価不能); `InvalidInput` if the scheme has none."""
        for grade in self.all_grades:
            if grade.symbol == symbol:
                return grade
        choices = "・".join(g.symbol for g in self.grades)
        raise InvalidInput(f"評価「{symbol}」はこの評価基準にありません（{choices}）。")

    def describe(self) -> list[str]:
        """One line per grade: 'A 達成: 達成率 100% 以上', …, 'D 停滞: それ以外'."""
        lines = [f"{g.text}: {r.describe()}" for g, r in zip(self.grades, self.rules, strict=False)]
        lines.append(f"{self.grades[-1].text}: それ以外")
        return lines

    @property
    def is_default(self) -> bool:
        return self == DEFAULT_SCHEME


def _grade(symbol: str, label: str, rank: int, scheme: SchemeKey, look: GradeLook) -> Grade:
    return Grade(symbol, label, rank, scheme.value, look)


_GREEN, _BLUE, _AMBER, _RED = "#1b7f3b", "#1f5fbf", "#f2b705", "#c62828"
_WHITE, _BLACK = "#ffffff", "#000000"

_ABCD = SchemeKey.ABCD
_SABCD = SchemeKey.SABCD
_MARKS = SchemeKey.MARKS

Grade.A = _grade("A", "達成", 0, _ABCD, GradeLook(_GREEN, _WHITE, "#333333", _WHITE))
Grade.B = _grade("B", "順調", 1, _ABCD, GradeLook(_BLUE, _WHITE, "#8c8c8c", _WHITE))
Grade.C = _grade("C", "遅れ", 2, _ABCD, GradeLook(_AMBER, _BLACK, _WHITE, _BLACK, Pattern.DIAGONAL))
Grade.D = _grade("D", "停滞", 3, _ABCD, GradeLook(_RED, _WHITE, _WHITE, _BLACK, Pattern.CROSS))
Grade.NONE = NOT_GRADED

_D = Decimal
SCHEME_ABCD: Final = GradeScheme(
    _ABCD,
    (Grade.A, Grade.B, Grade.C, Grade.D),
    (
        GradeRule(Basis.TARGET, _D("100")),
        GradeRule(Basis.EXPECTED, _D("1")),
        GradeRule(Basis.EXPECTED, _D("0.5")),
    ),
)
SCHEME_SABCD: Final = GradeScheme(
    _SABCD,
    (
        _grade("S", "達成", 0, _SABCD, GradeLook(_GREEN, _WHITE, "#1a1a1a", _WHITE)),
        _grade("A", "順調", 1, _SABCD, GradeLook(_BLUE, _WHITE, "#666666", _WHITE)),
        _grade("B", "概ね順調", 2, _SABCD, GradeLook("#7fb8e6", _BLACK, "#bfbfbf", _BLACK)),
        _grade(
            "C", "やや遅れ", 3, _SABCD, GradeLook(_AMBER, _BLACK, _WHITE, _BLACK, Pattern.DIAGONAL)
        ),
        _grade("D", "遅れ", 4, _SABCD, GradeLook(_RED, _WHITE, _WHITE, _BLACK, Pattern.CROSS)),
    ),
    (
        GradeRule(Basis.TARGET, _D("100")),
        GradeRule(Basis.EXPECTED, _D("1")),
        GradeRule(Basis.EXPECTED, _D("0.8")),
        GradeRule(Basis.EXPECTED, _D("0.5")),
    ),
)
SCHEME_MARKS: Final = GradeScheme(
    _MARKS,
    (
        _grade("◎", "順調", 0, _MARKS, GradeLook(_GREEN, _WHITE, "#333333", _WHITE)),
        _grade("○", "概ね順調", 1, _MARKS, GradeLook(_BLUE, _WHITE, "#8c8c8c", _WHITE)),
        _grade("△", "遅れ", 2, _MARKS, GradeLook(_AMBER, _BLACK, _WHITE, _BLACK, Pattern.CROSS)),
    ),
    (GradeRule(Basis.EXPECTED, _D("1")), GradeRule(Basis.EXPECTED, _D("0.8"))),
)
DEFAULT_SCHEME: Final = SCHEME_ABCD
PRESETS: Final = {s.key: s for s in (SCHEME_ABCD, SCHEME_SABCD, SCHEME_MARKS)}


def preset(key: SchemeKey | str) -> GradeScheme:
    return PRESETS[SchemeKey(key)]


def scheme_from_setting(key: SchemeKey | str, thresholds: Sequence[Decimal] | None) -> GradeScheme:
    """A plan's stored setting: the preset, with its thresholds where the plan changed them."""
    base = preset(key)
    return base if thresholds is None else base.with_thresholds(thresholds)


def every_grade() -> tuple[Grade, ...]:
    """Every grade of every preset, and 評価不能 (for caches keyed by grade)."""
    return (*(g for s in PRESETS.values() for g in s.grades), NOT_GRADED)


# ---------------------------------------------------------------- rules for a whole scheme

#: A threshold above this is a typo (an achievement rate of 100,000 % is no plan's goal).
MAX_THRESHOLD: Final = Decimal("1000")


def scheme_problems(scheme: GradeScheme, where: str = "評価基準") -> list[str]:
    """Threshold values a plan may not use, one Japanese sentence each."""
    problems: list[str] = []
    previous: Decimal | None = None
    for grade, rule in zip(scheme.grades, scheme.rules, strict=False):
        value = rule.threshold
        if not value.is_finite():
            problems.append(f"{where}: {grade.text}の基準が数値ではありません。")
            continue
        shown = format_decimal(value)
        if rule.basis is Basis.TARGET:
            if not 0 < value <= MAX_THRESHOLD:
                problems.append(
                    f"{where}: {grade.text}の基準（達成率 {shown}%）は 0 より大きく "
                    f"{format_decimal(MAX_THRESHOLD)} 以下にしてください。"
                )
            continue
        if not 0 <= value <= 10:
            problems.append(
                f"{where}: {grade.text}の基準（期待進捗率の {shown} 倍）は 0〜10 倍にしてください。"
            )
        elif previous is not None and value >= previous:
            problems.append(
                f"{where}: {grade.text}の基準（期待進捗率の {shown} 倍）は、"
                f"一つ上の評価の基準（{format_decimal(previous)} 倍）より小さくしてください。"
            )
        previous = value
    return problems


# ---------------------------------------------------------------- measures


def propose_measure_grade(grades: Iterable[Grade], scheme: GradeScheme) -> Grade:
    """The overall grade proposed for a measure (施策評価) from its KPIs' grades.

    The rule (docs/decisions.md): KPIs that cannot be graded (評価不能) are left out; the
    others' ranks are averaged, and the grade at the average rank is proposed, a tie halfway
    between two grades going to the weaker one (A and B → B; A and D → C). No graded KPI:
    評価不能. Exact integer arithmetic.
    """
    ranks = []
    for grade in grades:
        if not grade.graded:
            continue
        if grade.scheme != scheme.key.value:
            raise ValueError(f"{grade!r} is not a grade of the {scheme.key} scheme")
        ranks.append(grade.rank)
    if not ranks:
        return NOT_GRADED
    n = len(ranks)
    index = (2 * sum(ranks) + n) // (2 * n)  # floor(mean + 1/2): halves go to the weaker grade
    return scheme.grades[index]
