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
