"""The limits every way into the database shares (import, seed, services): digits of a
number, fiscal years, text lengths as the schema declares them, storable characters and the
range of pillar, measure and placement numbers. Each refusal is one Japanese sentence that
names where, and none of them raises."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from aomori_desktop.domain.grading import SCHEME_ABCD
from aomori_desktop.domain.plan import (
    AuditEntry,
    Direction,
    Kpi,
    KpiYear,
    Partner,
    PlanSnapshot,
    ProjectYear,
    Sector,
    TargetRevision,
)
from aomori_desktop.domain.validation import kpi_field_problems, validate_snapshot
from aomori_desktop.exchange.seed_toml import load_default_seed

AT = datetime(2026, 4, 1, tzinfo=UTC)


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


@pytest.fixture(scope="module")
def seed() -> PlanSnapshot:
    return load_default_seed()


def with_kpi(snapshot: PlanSnapshot, **changes: object) -> PlanSnapshot:
    first = replace(snapshot.kpis[0], **changes)  # type: ignore[arg-type]
    return replace(snapshot, kpis=(first, *snapshot.kpis[1:]))


def with_project(snapshot: PlanSnapshot, **changes: object) -> PlanSnapshot:
    first = replace(snapshot.projects[0], **changes)  # type: ignore[arg-type]
    return replace(snapshot, projects=(first, *snapshot.projects[1:]))


# ---------------------------------------------------------------- a single KPI


@pytest.mark.parametrize(
    ("field", "typed", "over", "expected"),
    [
        # digits are counted as parse_decimal counts them (leading zeros and 0E+5 are nothing)
        (
            "target",
            "0000999999999999999.999999",
            "1E+15",
            "目標値は桁数が多すぎます（整数部は15桁まで）",
        ),
        (
            "baseline",
            "-999999999999999",
            "-1234567890123456",
            "基準値は桁数が多すぎます（整数部は15桁まで）",
        ),
        ("baseline", "0E+5", "0.0000001", "基準値は小数点以下の桁数が多すぎます（6桁まで）"),
        ("baseline", "-0.000001", "0.1234567", "基準値は小数点以下の桁数が多すぎます（6桁まで）"),
    ],
)
def test_numbers_keep_the_digits_anyone_can_type(
    field: str, typed: str, over: str, expected: str
) -> None:
    # a 5,000-digit target was imported, then chart export and the KPI page failed on it
    other = "target" if field == "baseline" else "baseline"
    # negative values are plausible only where the definition allows them
    changes: dict[str, object] = {
        "direction": Direction.MAINTAIN,
        "definition": "値の範囲: 制限なし",
    }
    assert (
        kpi_field_problems(kpi(**changes, **{field: Decimal(typed), other: Decimal(typed)})) == []
    )
    problems = kpi_field_problems(kpi(**changes, **{field: Decimal(over), other: Decimal(0)}))
    assert problems == [f"KPI K90: {expected}。"]


@pytest.mark.parametrize(
    ("field", "limit", "label"),
    [
        ("id", 40, "ID"),
        ("name", 300, "名称"),
        ("unit", 40, "単位"),
        ("data_source", 300, "出典"),
        ("responsible_section", 200, "担当課"),
        ("definition", 4000, "定義・備考"),
    ],
)
def test_each_text_of_a_kpi_keeps_its_column_length(field: str, limit: int, label: str) -> None:
    assert kpi_field_problems(kpi(**{field: "字" * limit})) == []
    where = "KPI K90" if field != "id" else f"KPI {'字' * 40}…"
    assert kpi_field_problems(kpi(**{field: "字" * (limit + 1)})) == [
        f"{where}: {label}が長すぎます（{limit:,}文字まで）。"
    ]


def test_fiscal_years_of_a_kpi_are_the_ones_the_application_can_name() -> None:
    assert kpi_field_problems(kpi(baseline_fiscal_year=1926, target_fiscal_year=2100)) == []
    assert kpi_field_problems(kpi(baseline_fiscal_year=1925, target_fiscal_year=2101)) == [
        "KPI K90: 基準年度「1925」は範囲外です（1926〜2100年度の間にしてください）。",
        "KPI K90: 目標年度「2101」は範囲外です（1926〜2100年度の間にしてください）。",
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"target": Decimal("9" * 5000)},
            "KPI K90: 目標値は桁数が多すぎます（整数部は15桁まで）。",
        ),
        (
            {"baseline_fiscal_year": 1800},
            "KPI K90: 基準年度「1800」は範囲外です（1926〜2100年度の間にしてください）。",
        ),
        (
            {"name": "青森\ud800"},
            "KPI K90: 名称に文字として扱えないデータ（対になっていないサロゲート）が含まれています。",
        ),
        ({"unit": "件\x00"}, "KPI K90: 単位に保存できない制御文字（NUL）が含まれています。"),
    ],
)
def test_each_limit_of_a_kpi_gives_its_japanese_sentence(
    changes: dict[str, object], expected: str
) -> None:
    assert kpi_field_problems(kpi(**changes)) == [expected]


def test_an_overlong_id_is_refused_and_quoted_short() -> None:
    problems = kpi_field_problems(kpi(id="K" * 100_000))
    assert problems == [f"KPI {'K' * 40}…: IDが長すぎます（40文字まで）。"]


def test_a_form_gets_the_sentence_without_a_location() -> None:
    assert kpi_field_problems(kpi(id="", name="名" * 301)) == [
        "KPI: 名称が長すぎます（300文字まで）。"
    ]


# ---------------------------------------------------------------- the whole plan


def test_years_out_of_range_are_reported_not_raised(seed: PlanSnapshot) -> None:
    # fy_label(1800) raises: a baseline year of 1800 used to pass, then no KPI page opened
    snapshot = with_kpi(
        seed,
        baseline_fiscal_year=1800,
        years=(KpiYear(1800), KpiYear(10**19)),
        target_revisions=(
            TargetRevision(Decimal(1), 1900, Decimal(2), 2033, "理由", "青森 太郎", AT),
        ),
    )
    snapshot = with_project(snapshot, years=(ProjectYear(-5, None),))
    k01, pj = snapshot.kpis[0].id, snapshot.projects[0].id
    assert validate_snapshot(snapshot) == [
        f"プロジェクト {pj}: 年度「-5」は範囲外です（1926〜2100年度の間にしてください）。",
        f"KPI {k01}: 基準年度「1800」は範囲外です（1926〜2100年度の間にしてください）。",
        f"KPI {k01}: 年度「1800」は範囲外です（1926〜2100年度の間にしてください）。",
        f"KPI {k01}: 年度「10000000000000000000」は範囲外です（1926〜2100年度の間にしてください）。",
        f"KPI {k01} 目標値の見直し 1件目: 見直し前の目標年度「1900」は範囲外です"
        "（1926〜2100年度の間にしてください）。",
    ]


def test_plan_years_out_of_range(seed: PlanSnapshot) -> None:
    plan = replace(seed.plan, first_fiscal_year=1900, last_fiscal_year=1909)
    problems = validate_snapshot(replace(seed, plan=plan, pillars=(), projects=(), kpis=()))
    assert problems == [
        "計画: 開始年度「1900」は範囲外です（1926〜2100年度の間にしてください）。",
        "計画: 終了年度「1909」は範囲外です（1926〜2100年度の間にしてください）。",
    ]


def test_numbers_of_records_revisions_and_thresholds_keep_the_digit_limits(
    seed: PlanSnapshot,
) -> None:
    snapshot = with_kpi(
        seed,
        years=(KpiYear(2024, Decimal("0." + "1" * 5000), Decimal("1" * 16)),),
        target_revisions=(
            TargetRevision(Decimal("1" * 20), 2033, Decimal("NaN"), 2033, "r", "u", AT),
        ),
    )
    scheme = SCHEME_ABCD.with_thresholds((Decimal("1" + "0" * 100), Decimal(1), Decimal("0.5")))
    plan = replace(seed.plan, grade_scheme=scheme)
    k01 = seed.kpis[0].id
    assert validate_snapshot(replace(snapshot, plan=plan)) == [
        "計画: 評価基準（A 達成）は桁数が多すぎます（整数部は15桁まで）。",
        f"KPI {k01} 令和6(2024)年度: 実績値は小数点以下の桁数が多すぎます（6桁まで）。",
        f"KPI {k01} 令和6(2024)年度: 年度目標は桁数が多すぎます（整数部は15桁まで）。",
        f"KPI {k01} 目標値の見直し 1件目: 見直し前の目標値は桁数が多すぎます（整数部は15桁まで）。",
        f"KPI {k01} 目標値の見直し 1件目: 見直し後の目標値「NaN」は数値ではありません。",
    ]


def test_every_stored_text_keeps_its_column_length(seed: PlanSnapshot) -> None:
    pillar = seed.pillars[0]
    measure = pillar.measures[0]
    snapshot = replace(
        seed,
        plan=replace(seed.plan, name="計" * 201),
        pillars=(
            replace(
                pillar,
                lead="リ" * 201,
                measures=(replace(measure, title="施" * 301), *pillar.measures[1:]),
            ),
            *seed.pillars[1:],
        ),
        audit=(AuditEntry(AT, "u" * 101, "a" * 21, "e" * 41, "k" * 81, "f" * 61, None, None),),
    )
    snapshot = with_project(
        snapshot,
        title="題" * 301,
        description="内" * 4001,
        responsible_section="課" * 201,
        partners=(Partner(Sector.INDUSTRY, "社" * 201),),
        years=(ProjectYear(2024, None, note="メ" * 4001, entered_by="人" * 101),),
    )
    snapshot = with_kpi(
        snapshot,
        years=(KpiYear(2024, comment="コ" * 4001, entered_by="人" * 101),),
        target_revisions=(
            TargetRevision(Decimal(1), 2033, Decimal(2), 2033, "理" * 4001, "人" * 101, AT),
        ),
    )
    pj, k01 = seed.projects[0].id, seed.kpis[0].id
    assert validate_snapshot(snapshot) == [
        "計画: 名称が長すぎます（200文字まで）。",
        f"戦略の柱 {pillar.number}: リード文が長すぎます（200文字まで）。",
        f"共創施策 {measure.code}: 名称が長すぎます（300文字まで）。",
        f"プロジェクト {pj}: 名称が長すぎます（300文字まで）。",
        f"プロジェクト {pj}: 取組内容が長すぎます（4,000文字まで）。",
        f"プロジェクト {pj}: 担当課が長すぎます（200文字まで）。",
        f"プロジェクト {pj}: 連携先1の名称が長すぎます（200文字まで）。",
        f"プロジェクト {pj} 令和6(2024)年度: メモが長すぎます（4,000文字まで）。",
        f"プロジェクト {pj} 令和6(2024)年度: 入力者が長すぎます（100文字まで）。",
        f"KPI {k01} 令和6(2024)年度: コメントが長すぎます（4,000文字まで）。",
        f"KPI {k01} 令和6(2024)年度: 入力者が長すぎます（100文字まで）。",
        f"KPI {k01} 目標値の見直し 1件目: 理由が長すぎます（4,000文字まで）。",
        f"KPI {k01} 目標値の見直し 1件目: 見直した人が長すぎます（100文字まで）。",
        "変更履歴 1件目: 利用者が長すぎます（100文字まで）。",
        "変更履歴 1件目: 操作が長すぎます（20文字まで）。",
        "変更履歴 1件目: 対象が長すぎます（40文字まで）。",
        "変更履歴 1件目: 対象キーが長すぎます（80文字まで）。",
        "変更履歴 1件目: 項目が長すぎます（60文字まで）。",
    ]


def test_pillar_measure_and_placement_numbers_stay_in_a_sane_range(
    seed: PlanSnapshot,
) -> None:
    # a 25-digit placement number passed and then overflowed SQLite's INTEGER (OverflowError)
    pillar = seed.pillars[0]
    measure = pillar.measures[0]
    placement = measure.placements[0]
    huge = "9" * 25
    snapshot = replace(
        seed,
        pillars=(
            replace(
                pillar,
                measures=(
                    replace(
                        measure,
                        placements=(
                            replace(placement, code=f"{measure.code}-{huge}"),
                            *measure.placements[1:],
                        ),
                    ),
                    *pillar.measures[1:],
                ),
            ),
            *seed.pillars[1:],
        ),
    )
    assert validate_snapshot(snapshot) == [
        f"共創プロジェクト {measure.code}-{huge}: コードは「{measure.code}-番号」の形にしてください"
        "（番号は1〜999）。"
    ]

    renumbered = replace(seed, pillars=(replace(pillar, number=10**19), *seed.pillars[1:]))
    problems = validate_snapshot(renumbered)
    assert problems[0] == "戦略の柱 10000000000000000000: 番号は1〜999にしてください。"
    assert all("番号" in p or "見つかりません" in p or "掲載" in p for p in problems)


@pytest.mark.parametrize("code", ["01-1", "1-01", "1-1000", "１-1", "1-0"])
def test_measure_codes_are_plain_numbers_from_1_to_999(seed: PlanSnapshot, code: str) -> None:
    # "01-1" and "1-1" were both accepted as measure 1 of pillar 1 (a unique-constraint crash)
    pillar = seed.pillars[0]
    measure = replace(pillar.measures[0], code=code, placements=())
    snapshot = replace(
        seed, pillars=(replace(pillar, measures=(measure,)), *seed.pillars[1:]), kpis=()
    )
    problems = validate_snapshot(snapshot)
    assert f"共創施策 {code}: コードは「1-番号」の形にしてください（番号は1〜999）。" in problems
