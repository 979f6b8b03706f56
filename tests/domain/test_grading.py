"""Grade schemes: the presets, the A–D preset against the original rule, thresholds, the
proposal of a measure's grade, and the one definition of grade colours."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aomori_desktop.domain.errors import InvalidInput
from aomori_desktop.domain.evaluation import MeasureEvaluation, applied_override, effective_grade
from aomori_desktop.domain.grading import (
    NOT_GRADED,
    PRESETS,
    SCHEME_ABCD,
    SCHEME_MARKS,
    SCHEME_SABCD,
    Basis,
    Grade,
    GradeScheme,
    SchemeKey,
    every_grade,
    propose_measure_grade,
    scheme_from_setting,
    scheme_problems,
)

D = Decimal
rates = st.decimals(min_value=-1000, max_value=1000, places=3, allow_nan=False)
factors = st.decimals(min_value=0, max_value=1, places=2, allow_nan=False)


def original_rule(
    achievement: Decimal | None, expected: Decimal, achieved: Decimal, factor: Decimal
) -> str:
    """The rule as domain.md states it, written out independently of the scheme code."""
    if achievement is None:
        return "-"
    if achievement >= achieved:
        return "A"
    if achievement >= expected:
        return "B"
    if achievement >= expected * factor:
        return "C"
    return "D"


@given(
    st.one_of(st.none(), rates), rates, factors, st.decimals(min_value=1, max_value=200, places=1)
)
def test_the_abcd_preset_gives_exactly_the_original_grades(
    achievement: Decimal | None, expected: Decimal, factor: Decimal, achieved: Decimal
) -> None:
    scheme = SCHEME_ABCD.with_thresholds((achieved, D(1), factor))
    assert scheme.grade(achievement, expected).symbol == original_rule(
        achievement, expected, achieved, factor
    )


@pytest.mark.parametrize(
    ("scheme", "achievement", "expected", "symbol"),
    [
        (SCHEME_SABCD, "100", "50", "S"),
        (SCHEME_SABCD, "60", "50", "A"),
        (SCHEME_SABCD, "40", "50", "B"),  # 0.8 × 50 = 40
        (SCHEME_SABCD, "39.9", "50", "C"),
        (SCHEME_SABCD, "25", "50", "C"),
        (SCHEME_SABCD, "24.9", "50", "D"),
        (SCHEME_MARKS, "50", "50", "◎"),
        (SCHEME_MARKS, "120", "100", "◎"),
        (SCHEME_MARKS, "40", "50", "○"),
        (SCHEME_MARKS, "39.99", "50", "△"),
        (SCHEME_MARKS, None, "50", "-"),
        (SCHEME_MARKS, "0", "0", "◎"),  # nothing expected yet
    ],
)
def test_five_and_three_level_presets(
    scheme: GradeScheme, achievement: str | None, expected: str, symbol: str
) -> None:
    rate = None if achievement is None else D(achievement)
    assert scheme.grade(rate, D(expected)).symbol == symbol


@pytest.mark.parametrize("scheme", list(PRESETS.values()))
@given(a1=st.one_of(st.none(), rates), a2=st.one_of(st.none(), rates), expected=rates)
def test_a_better_achievement_never_gets_a_weaker_grade(
    scheme: GradeScheme, a1: Decimal | None, a2: Decimal | None, expected: Decimal
) -> None:
    if a1 is None or (a2 is not None and a1 > a2):
        a1, a2 = a2, a1
    g1, g2 = scheme.grade(a1, expected), scheme.grade(a2, expected)
    if a2 is not None:
        assert g2.graded and (not g1.graded or g2.rank <= g1.rank)


def test_presets_labels_and_rules() -> None:
    assert [g.text for g in SCHEME_ABCD.all_grades] == [
        "A 達成",
        "B 順調",
        "C 遅れ",
        "D 停滞",
        "− 評価不能",
    ]
    assert [g.text for g in SCHEME_SABCD.grades] == [
        "S 達成",
        "A 順調",
        "B 概ね順調",
        "C やや遅れ",
        "D 遅れ",
    ]
    assert [g.text for g in SCHEME_MARKS.grades] == ["◎ 順調", "○ 概ね順調", "△ 遅れ"]
    assert SCHEME_ABCD.describe() == [
        "A 達成: 達成率 100% 以上",
        "B 順調: 達成率が期待進捗率以上",
        "C 遅れ: 達成率が期待進捗率の 0.5 倍以上",
        "D 停滞: それ以外",
    ]
    assert [r.basis for r in SCHEME_SABCD.rules] == [Basis.TARGET] + [Basis.EXPECTED] * 3
    assert SchemeKey.MARKS.label == "◎・○・△（3段階）"


def test_grades_of_different_schemes_are_different_values() -> None:
    sabcd_a = SCHEME_SABCD.grade_of("A")
    assert sabcd_a != Grade.A and sabcd_a.label == "順調" and Grade.A.label == "達成"
    assert len(set(every_grade())) == 4 + 5 + 3 + 1
    assert SCHEME_ABCD.grade_of("-") is NOT_GRADED is Grade.NONE
    with pytest.raises(InvalidInput) as info:
        SCHEME_ABCD.grade_of("S")
    assert info.value.message == "評価「S」はこの評価基準にありません（A・B・C・D）。"


def test_every_grade_has_one_look_used_everywhere() -> None:
    assert (Grade.A.look.fill, Grade.A.look.ink) == ("#1b7f3b", "#ffffff")
    assert (Grade.C.look.fill, Grade.C.look.ink) == ("#f2b705", "#000000")
    assert NOT_GRADED.look.fill == "#d9d9d9"
    # a monochrome printout tells neighbouring grades apart by grey or pattern
    for scheme in PRESETS.values():
        looks = [(g.look.grey, g.look.pattern) for g in scheme.grades]
        assert len(set(looks)) == len(looks)


def test_thresholds_are_a_setting_kept_as_typed() -> None:
    custom = scheme_from_setting("abcd", [D("95"), D("1"), D("0.60")])
    assert custom.thresholds == (D("95"), D("1"), D("0.60"))
    assert str(custom.thresholds[2]) == "0.60"
    assert custom.grade(D("96"), D("100")).symbol == "A"
    assert scheme_from_setting(SchemeKey.SABCD, None) is SCHEME_SABCD
    assert SCHEME_ABCD.is_default and not custom.is_default
    with pytest.raises(ValueError):
        SCHEME_MARKS.with_thresholds([D(1)])


def test_threshold_problems_are_sentences() -> None:
    assert scheme_problems(SCHEME_SABCD) == []
    bad = SCHEME_SABCD.with_thresholds((D("0"), D("1"), D("1.2"), D("11")))
    assert scheme_problems(bad) == [
        "評価基準: S 達成の基準（達成率 0%）は 0 より大きく 1,000 以下にしてください。",
        "評価基準: B 概ね順調の基準（期待進捗率の 1.2 倍）は、一つ上の評価の基準（1 倍）より小さくしてください。",
        "評価基準: C やや遅れの基準（期待進捗率の 11 倍）は 0〜10 倍にしてください。",
    ]


# ---------------------------------------------------------------- measures


@pytest.mark.parametrize(
    ("symbols", "proposed"),
    [
        ("AA", "A"),
        ("AB", "B"),  # halfway: the weaker grade
        ("AD", "C"),
        ("AAB", "A"),
        ("ABB", "B"),
        ("BCCD", "C"),
        ("DDDA", "C"),  # mean rank 2.25
        ("DDDB", "D"),  # mean rank 2.5: the weaker grade
        ("A-", "A"),  # 評価不能 is left out
        ("--", "-"),
        ("", "-"),
    ],
)
def test_the_proposed_measure_grade(symbols: str, proposed: str) -> None:
    grades = [SCHEME_ABCD.grade_of(s) for s in symbols]
    assert propose_measure_grade(grades, SCHEME_ABCD).symbol == proposed


@pytest.mark.parametrize("scheme", list(PRESETS.values()))
@given(data=st.data())
def test_the_proposal_lies_between_the_best_and_the_weakest_kpi(
    scheme: GradeScheme, data: st.DataObject
) -> None:
    grades = data.draw(st.lists(st.sampled_from(scheme.all_grades), max_size=12))
    proposed = propose_measure_grade(grades, scheme)
    graded = [g.rank for g in grades if g.graded]
    if not graded:
        assert proposed is NOT_GRADED
    else:
        assert min(graded) <= proposed.rank <= max(graded)
        # the order of the KPIs does not matter
        assert propose_measure_grade(reversed(grades), scheme) == proposed


def test_grades_of_another_scheme_are_refused() -> None:
    with pytest.raises(ValueError):
        propose_measure_grade([SCHEME_MARKS.grades[0]], SCHEME_ABCD)


def test_an_override_applies_only_in_the_scheme_it_was_chosen_in() -> None:
    e = MeasureEvaluation("1-1", 2025, override="A", override_scheme="abcd", override_reason="理由")
    assert applied_override(e, SCHEME_ABCD) == Grade.A
    assert effective_grade(e, Grade.C, SCHEME_ABCD) == Grade.A
    # under S–D the stored "A" (another scheme's judgement) does not apply: the proposal counts
    proposed = SCHEME_SABCD.grade_of("C")
    assert applied_override(e, SCHEME_SABCD) is None
    assert effective_grade(e, proposed, SCHEME_SABCD) == proposed
    assert effective_grade(None, Grade.B, SCHEME_ABCD) == Grade.B
