"""Plausible values of a KPI: from its unit, or the 値の範囲 line of its 定義・備考."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from aomori_desktop.domain.errors import InvalidInput
from aomori_desktop.domain.plan import Direction, Kpi, KpiYear, PlanSnapshot
from aomori_desktop.domain.validation import kpi_field_problems, validate_snapshot
from aomori_desktop.domain.value_range import (
    NOT_NEGATIVE,
    PERCENT,
    UNBOUNDED,
    ValueRange,
    stated_range,
    unit_range,
    value_range,
)
from aomori_desktop.exchange.seed_toml import load_default_seed

HINT = "ほかの範囲を使うKPIは、定義・備考に「値の範囲: −50〜200」のような行を書いてください"


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("%", PERCENT),
        ("％", PERCENT),
        ("件", NOT_NEGATIVE),
        ("人", NOT_NEGATIVE),
        ("人泊", NOT_NEGATIVE),
        ("千人", NOT_NEGATIVE),
        ("億円", NOT_NEGATIVE),
        ("千円", NOT_NEGATIVE),
        ("人（延べ）", NOT_NEGATIVE),
        ("t", NOT_NEGATIVE),
        ("ポイント", UNBOUNDED),
        ("倍", UNBOUNDED),
        ("位", UNBOUNDED),
    ],
)
def test_units_imply_a_range(unit: str, expected: ValueRange) -> None:
    assert unit_range(unit) == expected


@pytest.mark.parametrize(
    ("line", "low", "high"),
    [
        ("値の範囲: −50〜200", "-50", "200"),
        ("値の範囲：▲50～２００", "-50", "200"),
        ("値の範囲: 0以上", "0", None),
        ("値の範囲: 100以下", None, "100"),
        ("値の範囲: 0以上120以下", "0", "120"),
        ("値の範囲: 制限なし", None, None),
    ],
)
def test_a_definition_states_its_own_range(line: str, low: str | None, high: str | None) -> None:
    definition = f"前年度比の増減率。\n{line}\n出典は県の統計。"
    stated = stated_range(definition)
    assert stated == ValueRange(
        Decimal(low) if low else None, Decimal(high) if high else None, stated=True
    )
    assert value_range("%", definition) == stated


def test_without_a_range_line_the_unit_decides() -> None:
    assert stated_range("市内の創業件数（青森市調べ）") is None
    assert value_range("件", "市内の創業件数") == NOT_NEGATIVE


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "値の範囲: たくさん",
            "定義・備考の「値の範囲: たくさん」を読み取れません（例: 値の範囲: −50〜200、値の範囲: 0以上、値の範囲: 制限なし）。",
        ),
        (
            "値の範囲: 200〜50",
            "定義・備考の「値の範囲: 200〜50」は下限が上限より大きくなっています。",
        ),
        (
            "値の範囲: 0以上\n値の範囲: 10以下",
            "定義・備考に「値の範囲:」の行が2つ以上あります。1行にしてください。",
        ),
    ],
)
def test_an_unreadable_range_line_is_a_sentence(line: str, message: str) -> None:
    with pytest.raises(InvalidInput) as info:
        stated_range(line)
    assert info.value.message == message
    assert kpi_field_problems(kpi(definition=line)) == [f"KPI K90: {message}"]


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


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"baseline": Decimal("-100"), "unit": "人泊"},
            f"KPI K90: 基準値「-100」は範囲外です（単位が「人泊」のKPIは0以上です。{HINT}）。",
        ),
        (
            {"unit": "%", "baseline": Decimal("10"), "target": Decimal("1100")},
            f"KPI K90: 目標値「1,100」は範囲外です（単位が「%」のKPIは0〜100です。{HINT}）。",
        ),
        (
            {"unit": "%", "target": Decimal("250"), "definition": "値の範囲: 0〜200"},
            "KPI K90: 目標値「250」は範囲外です（定義・備考の「値の範囲: 0〜200」の外です）。",
        ),
    ],
)
def test_implausible_baseline_or_target_is_a_sentence(
    changes: dict[str, object], expected: str
) -> None:
    assert kpi_field_problems(kpi(**changes)) == [expected]


@pytest.mark.parametrize(
    "changes",
    [
        {"unit": "%", "target": Decimal("150"), "definition": "伸び率。\n値の範囲: 0〜200"},
        {"baseline": Decimal("-5"), "target": Decimal("3"), "definition": "値の範囲: 制限なし"},
        {"unit": "ポイント", "baseline": Decimal("-3"), "target": Decimal("2")},
        {"unit": "%", "baseline": Decimal("0"), "target": Decimal("100")},
    ],
)
def test_plausible_values_pass(changes: dict[str, object]) -> None:
    assert kpi_field_problems(kpi(**changes)) == []


@pytest.fixture(scope="module")
def seed() -> PlanSnapshot:
    return load_default_seed()


def test_the_strategy_itself_is_plausible(seed: PlanSnapshot) -> None:
    assert validate_snapshot(seed) == []


def test_an_import_with_implausible_figures_names_each(seed: PlanSnapshot) -> None:
    k03 = next(k for k in seed.kpis if k.id == "K03")
    k16 = next(k for k in seed.kpis if k.id == "K16")
    assert (k03.unit, k16.unit) == ("件", "%")
    kpis = tuple(
        replace(k03, years=(KpiYear(2025, actual=Decimal("-3")),))
        if k is k03
        else replace(
            k16, years=(KpiYear(2024, interim_target=Decimal("1100")),), target_fiscal_year=2038
        )
        if k is k16
        else k
        for k in seed.kpis
    )
    problems = validate_snapshot(replace(seed, kpis=kpis))
    assert problems == [
        "KPI K03 令和7(2025)年度: 実績値「-3」は範囲外です"
        f"（単位が「件」のKPIは0以上です。{HINT}）。",
        "KPI K16: 目標年度: 令和20(2038)年度は計画期間（令和6(2024)年度〜令和15(2033)年度）外です。",
        "KPI K16 令和6(2024)年度: 年度目標「1,100」は範囲外です"
        f"（単位が「%」のKPIは0〜100です。{HINT}）。",
    ]
