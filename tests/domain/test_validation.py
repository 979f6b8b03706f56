"""Consistency rules of a plan and of a single KPI."""

from __future__ import annotations

from decimal import Decimal

import pytest

from aomori_desktop.domain.plan import Direction, Kpi
from aomori_desktop.domain.validation import kpi_field_problems


def kpi(**changes: object) -> Kpi:
    fields: dict[str, object] = dict(
        id="K90",
        name="テスト指標",
        unit="件",
        baseline=Decimal("10"),
        baseline_fiscal_year=2023,
        target=Decimal("20"),
        target_fiscal_year=2033,
        direction=Direction.INCREASE,
        cumulative=False,
        measures=("1-1",),
    )
    fields.update(changes)
    return Kpi(**fields)  # type: ignore[arg-type]


def test_a_sound_kpi_has_no_problems() -> None:
    assert kpi_field_problems(kpi()) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"name": " "}, "KPI K90: 名称が空です。"),
        ({"unit": ""}, "KPI K90: 単位が空です。"),
        ({"baseline_fiscal_year": 2034}, "KPI K90: 基準年度が目標年度より後になっています。"),
        (
            {"direction": Direction.MAINTAIN},
            "KPI K90: 「維持」のKPIは目標値を基準値と同じにしてください（基準値 10、目標値 20）。",
        ),
        (
            {"target": Decimal("5")},
            "KPI K90: 「増加」のKPIの目標値が基準値より小さくなっています。",
        ),
        (
            {"direction": Direction.DECREASE},
            "KPI K90: 「減少」のKPIの目標値が基準値より大きくなっています。",
        ),
        ({"target": Decimal("NaN")}, "KPI K90: 目標値「NaN」は数値ではありません。"),
        ({"baseline": Decimal("Infinity")}, "KPI K90: 基準値「Infinity」は数値ではありません。"),
    ],
)
def test_each_rule_gives_its_sentence(changes: dict[str, object], expected: str) -> None:
    assert kpi_field_problems(kpi(**changes)) == [expected]


@pytest.mark.parametrize(
    ("changes", "changed", "expected"),
    [
        (
            {"target_fiscal_year": 2020, "baseline_fiscal_year": 2023},
            ("target_fiscal_year",),
            "KPI K90: 目標年度（令和2(2020)年度）が基準年度（令和5(2023)年度）より前になっています。",
        ),
        (
            {"target_fiscal_year": 2020, "baseline_fiscal_year": 2023},
            ("baseline_fiscal_year",),
            "KPI K90: 基準年度が目標年度より後になっています。",
        ),
        (
            {"baseline": Decimal("30")},
            ("baseline",),
            "KPI K90: 「増加」のKPIの基準値が目標値より大きくなっています。",
        ),
        (
            {"baseline": Decimal("30")},
            ("target",),
            "KPI K90: 「増加」のKPIの目標値が基準値より小さくなっています。",
        ),
        (
            {"direction": Direction.DECREASE},
            ("baseline",),
            "KPI K90: 「減少」のKPIの基準値が目標値より小さくなっています。",
        ),
    ],
)
def test_a_disagreement_names_the_field_the_user_changed(
    changes: dict[str, object], changed: tuple[str, ...], expected: str
) -> None:
    assert kpi_field_problems(kpi(**changes), changed=changed) == [expected]


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2033, []),
        (2024, []),
        (
            2038,
            [
                "KPI K90: 目標年度: 令和20(2038)年度は計画期間（令和6(2024)年度〜令和15(2033)年度）外です。"
            ],
        ),
        (
            1999,
            [
                "KPI K90: 目標年度: 平成11(1999)年度は計画期間（令和6(2024)年度〜令和15(2033)年度）外です。"
            ],
        ),
    ],
)
def test_a_target_year_lies_in_the_plan_period(year: int, expected: list[str]) -> None:
    problems = kpi_field_problems(
        kpi(baseline_fiscal_year=1990, target_fiscal_year=year), period=range(2024, 2034)
    )
    assert problems == expected
