"""The JSON interchange format: byte-stable round trips, computed progress, and error reports
that list every problem with its JSON path."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from aomori_desktop.domain.errors import InvalidInput
from aomori_desktop.domain.grading import SCHEME_ABCD
from aomori_desktop.domain.plan import (
    AuditEntry,
    FigureStatus,
    Kpi,
    KpiYear,
    Partner,
    PlanSnapshot,
    PlanStatus,
    ProjectStatus,
    ProjectYear,
    Sector,
    TargetRevision,
)
from aomori_desktop.exchange.json_format import FORMAT, VERSION, FormatError, dump_plan, load_plan
from aomori_desktop.exchange.seed_toml import load_default_seed
from tests.backends import Target
from tests.exchange.conftest import through_database

JST = timezone(timedelta(hours=9))
AT = datetime(2026, 4, 1, 0, 30, 15, 250000, tzinfo=UTC)
COMMENT = "1行目：県の統計（確定値）\n2行目：\"速報\" と '確定' の差 \\ 0.1pt 🎉🗾\t以上"


@pytest.fixture(scope="module")
def seed() -> PlanSnapshot:
    return load_default_seed()


def _with_kpi(snapshot: PlanSnapshot, code: str, **changes: Any) -> PlanSnapshot:
    return replace(
        snapshot, kpis=tuple(replace(k, **changes) if k.id == code else k for k in snapshot.kpis)
    )


def _kpi(snapshot: PlanSnapshot, code: str) -> Kpi:
    return next(k for k in snapshot.kpis if k.id == code)


@pytest.fixture(scope="module")
def plan_with_data(seed: PlanSnapshot) -> PlanSnapshot:
    s = _with_kpi(
        seed,
        "K16",
        years=(
            KpiYear(2024, Decimal("8.40"), None, FigureStatus.FINAL, COMMENT, "青森 太郎", AT),
            KpiYear(2025, Decimal("8.5"), Decimal("8.48"), FigureStatus.PRELIMINARY, "", "", None),
        ),
    )
    s = _with_kpi(s, "K10", years=(KpiYear(2024, Decimal("1109980"), status=FigureStatus.FINAL),))
    s = _with_kpi(s, "K08", years=(KpiYear(2026, Decimal("12345678901234.123456")),))
    s = _with_kpi(
        s,
        "K05",
        target=Decimal("35"),
        target_revisions=(
            TargetRevision(
                Decimal("30"), 2033, Decimal("35"), 2033, "国の補助制度の拡充", "企画 花子", AT
            ),
        ),
    )
    projects = tuple(
        replace(
            p,
            responsible_section="経済政策課",
            partners=(
                Partner(Sector.INDUSTRY, "青森商工会議所"),
                Partner(Sector.ACADEMIA, "青森公立大学"),
            ),
            years=(ProjectYear(2024, ProjectStatus.IN_PROGRESS, "説明会\n2回", "青森 太郎", AT),),
        )
        if p.id == "PJ01"
        else p
        for p in s.projects
    )
    audit = (
        AuditEntry(AT, "青森 太郎", "update", "kpi_year", "K16/2024", "actual", None, "8.40"),
        AuditEntry(
            AT,
            "企画 花子",
            "update",
            "kpi_target",
            "K05",
            "target",
            "30",
            "35",
            "国の補助制度の拡充",
        ),
    )
    return replace(
        s,
        plan=replace(
            s.plan,
            status=PlanStatus.ADOPTED,
            grade_scheme=SCHEME_ABCD.with_thresholds(
                (Decimal("100"), Decimal("1"), Decimal("0.50"))
            ),
        ),
        projects=projects,
        audit=audit,
    )


def test_dump_load_dump_is_byte_identical(plan_with_data: PlanSnapshot) -> None:
    first = dump_plan(plan_with_data)
    again = dump_plan(load_plan(first))
    assert again.encode("utf-8") == first.encode("utf-8")


def test_values_travel_as_typed_strings(plan_with_data: PlanSnapshot) -> None:
    text = dump_plan(plan_with_data)
    doc = json.loads(text)
    k16 = next(k for k in doc["kpis"] if k["id"] == "K16")
    assert k16["baseline"] == {"value": "8.4", "fiscal_year": 2023, "fiscal_year_confirmed": False}
    assert [y["actual"] for y in k16["years"][:2]] == ["8.40", "8.5"]
    assert k16["years"][0]["comment"] == COMMENT
    assert k16["years"][0]["entered_at"] == "2026-04-01T00:30:15.250000+00:00"
    assert [y["fiscal_year"] for y in k16["years"]] == list(range(2024, 2034))  # every plan year
    k08 = next(k for k in doc["kpis"] if k["id"] == "K08")
    assert k08["years"][2]["actual"] == "12345678901234.123456"
    assert '"12345678901234.123456"' in text and "🎉🗾" in text  # not escaped, not a float
    assert doc["plan"]["grading"] == {"scheme": "abcd", "thresholds": ["100", "1", "0.50"]}

    loaded = load_plan(text)
    year = _kpi(loaded, "K16").years[0]
    assert str(year.actual) == "8.40" and year.comment == COMMENT
    assert year.entered_at == AT and year.status is FigureStatus.FINAL
    assert _kpi(loaded, "K05").target_revisions == _kpi(plan_with_data, "K05").target_revisions
    assert loaded.audit == plan_with_data.audit
    assert loaded.plan == plan_with_data.plan
    assert loaded.projects == plan_with_data.projects


def test_a_zero_threshold_is_read_as_zero_not_replaced_by_the_default(seed: PlanSnapshot) -> None:
    """Regression: `value or default` turned a delayed factor of "0" into 0.5 and an achieved
    threshold of "0" into 100 (version 1 files carry the A–D limits as `plan.thresholds`)."""
    doc = json.loads(dump_plan(seed))
    doc["version"] = 1
    del doc["plan"]["grading"]
    doc["plan"]["thresholds"] = {"achieved": "100", "delayed_factor": "0"}
    assert load_plan(json.dumps(doc)).plan.grade_scheme.thresholds[2] == Decimal("0")
    doc["plan"]["thresholds"]["achieved"] = "0"
    assert load_plan(json.dumps(doc)).plan.grade_scheme.thresholds[0] == Decimal("0")
    del doc["plan"]["thresholds"]
    assert load_plan(json.dumps(doc)).plan.grade_scheme == SCHEME_ABCD
    zero = SCHEME_ABCD.with_thresholds((Decimal("100"), Decimal("1"), Decimal("0")))
    text = dump_plan(replace(seed, plan=replace(seed.plan, grade_scheme=zero)))
    assert load_plan(text).plan.grade_scheme.thresholds[2] == Decimal("0")
    assert dump_plan(load_plan(text)) == text


# ------------------------------------------------------------------ computed fields

PROGRESS_CASES = [
    # kpi, year, actual, interim, (achievement_rate, expected_rate, grade)
    ("K16", 2024, "8.5", None, ("25.0", "10.0", "B")),  # 8.4 → 8.8, FY2023 → FY2033
    ("K16", 2025, "8.40", None, ("0.0", "20.0", "D")),
    ("K16", 2026, "8.45", None, ("12.5", "30.0", "D")),  # 12.5 < 30 × 0.5
    ("K16", 2027, "8.52", None, ("30.0", "40.0", "C")),
    ("K16", 2028, "8.4002", None, ("0.1", "50.0", "D")),  # 0.05 rounds half up
    ("K16", 2029, "8.3", None, ("-25.0", "60.0", "D")),  # not clamped below 0
    ("K16", 2030, None, None, (None, "70.0", "-")),  # no actual: 評価不能
    ("K16", 2033, "8.9", None, ("125.0", "100.0", "A")),  # not clamped above 100
    ("K02", 2024, "3", None, ("100.0", "100.0", "A")),  # maintain 3 → 3: a / t
    ("K02", 2025, "2", None, ("66.7", "100.0", "C")),
    ("K02", 2026, "1", None, ("33.3", "100.0", "D")),
    ("K05", 2025, "14", "16", ("20.0", "30.0", "C")),  # 10 → 30 with an interim target
    ("K05", 2026, "16", "16", ("30.0", "30.0", "B")),
    ("K05", 2027, "30", None, ("100.0", "40.0", "A")),
]


def test_computed_progress_fields(seed: PlanSnapshot) -> None:
    s = seed
    for code in {case[0] for case in PROGRESS_CASES}:
        years = tuple(
            KpiYear(
                fy,
                None if a is None else Decimal(a),
                None if i is None else Decimal(i),
                comment="x",
            )
            for kpi, fy, a, i, _ in PROGRESS_CASES
            if kpi == code
        )
        s = _with_kpi(s, code, years=years)
    doc = json.loads(dump_plan(s))
    computed = {
        (k["id"], y["fiscal_year"]): (y["achievement_rate"], y["expected_rate"], y["grade"])
        for k in doc["kpis"]
        for y in k["years"]
    }
    for kpi, fy, _, _, expected in PROGRESS_CASES:
        assert computed[(kpi, fy)] == expected, (kpi, fy)
    assert computed[("K01", 2024)] == (None, "10.0", "-")  # no data at all


# ------------------------------------------------------------------ errors


def _problems(text: str) -> list[str]:
    with pytest.raises(FormatError) as info:
        load_plan(text)
    error = info.value
    assert isinstance(error, InvalidInput)
    assert error.message.startswith(
        f"JSONファイルに{len(error.problems)}件の問題があるため、読み込みを中止しました（何も変更していません）:\n"
    )
    assert error.message.splitlines()[1:] == [f"・{p}" for p in error.problems]
    return error.problems


def test_every_problem_is_listed_with_its_path(seed: PlanSnapshot) -> None:
    doc = json.loads(dump_plan(seed))
    doc["kpis"][0]["years"][1]["actual"] = "12,3"
    doc["kpis"][2]["target"]["value"] = 80
    doc["projects"][3]["years"] = [{"fiscal_year": 2024, "status": "done"}]

    assert _problems(json.dumps(doc, ensure_ascii=False)) == [
        "projects[3].years[0].status: 「done」は使えません"
        "（not_started / studying / in_progress / completed / cancelled）。",
        "kpis[0].years[1].actual: 「12,3」は数値として読み取れません。",
        'kpis[2].target.value: 数値は文字列（例: "1234.5"）で記録してください。',
    ]


def test_many_kinds_of_problem_in_one_report(seed: PlanSnapshot) -> None:
    doc = json.loads(dump_plan(seed))
    del doc["pillars"]
    doc["plan"]["first_fiscal_year"] = "2024"
    doc["kpis"][1]["direction"] = "up"
    doc["kpis"][1]["cumulative"] = "yes"
    doc["kpis"][3]["years"][0]["entered_at"] = "2026-04-01T09:30:00"
    doc["kpis"][4]["measures"] = ["2-1", 21]
    doc["kpis"][5] = "K06"
    doc["audit"] = [{"user": "x"}]

    problems = _problems(json.dumps(doc))

    assert problems == [
        "plan.first_fiscal_year: 整数が必要です。",
        "$.pillars: 項目がありません。",
        "kpis[1].direction: 「up」は使えません（increase / decrease / maintain）。",
        "kpis[1].cumulative: true または false が必要です。",
        "kpis[3].years[0].entered_at: 日時にはタイムゾーン（例: +00:00）が必要です。",
        'kpis[4].measures[1]: 施策コード（例: "1-2"）の文字列が必要です。',
        "kpis[5]: オブジェクト（{…}）が必要です。",
        "audit[0].at: 項目がありません。",
        "audit[0].action: 項目がありません。",
        "audit[0].entity: 項目がありません。",
        "audit[0].entity_key: 項目がありません。",
        "audit[0].field: 項目がありません。",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            json.dumps({"format": "excel-export", "version": 1}),
            "$.format: このファイルは aomori-desktop/plan 形式ではありません（'excel-export'）。",
            id="wrong-format",
        ),
        pytest.param(
            json.dumps({"format": FORMAT, "version": VERSION + 1}),
            f"$.version: このファイルは新しい形式（バージョン {VERSION + 1}）です。"
            f"このアプリケーションはバージョン {VERSION} までを読み込めます。",
            id="newer-version",
        ),
        pytest.param(
            json.dumps({"format": FORMAT, "version": "1"}),
            "$.version: 形式のバージョン（整数）がありません。",
            id="version-as-text",
        ),
        pytest.param("[1, 2, 3]", "$: オブジェクト（{…}）が必要です。", id="array-at-top"),
        pytest.param('"plan"', "$: オブジェクト（{…}）が必要です。", id="string-at-top"),
        pytest.param("[" * 100_000 + "]" * 100_000, "JSONの入れ子が深すぎます。", id="deep-array"),
        pytest.param(
            '{"format": "aomori-desktop/plan", "version": 1, "plan": '
            + '{"a": ' * 50_000
            + "1"
            + "}" * 50_001,
            "JSONの入れ子が深すぎます。",
            id="deep-object-inside",
        ),
    ],
)
def test_documents_that_are_not_plans_get_one_japanese_sentence(text: str, expected: str) -> None:
    assert _problems(text) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "1行1列: JSONとして読み取れません（ファイルが空です）。"),
        (
            "kpi,unit\nK01,件\n",
            "1行1列: JSONとして読み取れません（JSONのファイルではないようです）。",
        ),
        (
            '{\n  "format": "aomori-desktop/plan",\n  "version": 1,\n}',
            '4行1列: JSONとして読み取れません（「"」で囲んだ項目名がありません）。',
        ),
        ("{'format': 1}", '1行2列: JSONとして読み取れません（「"」で囲んだ項目名がありません）。'),
        ('{"format" 1}', "1行11列: JSONとして読み取れません（「:」がありません）。"),
        ('{"a": 1 "b": 2}', "1行9列: JSONとして読み取れません（「,」がありません）。"),
        ('{"a": [1, ]}', "1行11列: JSONとして読み取れません（ここに値がありません）。"),
        ('{"a": "x', '1行7列: JSONとして読み取れません（文字列が「"」で閉じられていません）。'),
        (
            '{"a": "x\ny"}',
            "1行9列: JSONとして読み取れません（文字列の中に改行などの制御文字があります）。",
        ),
        (
            '{"a": "\\q"}',
            "1行8列: JSONとして読み取れません（文字列の中の「\\」の使い方が正しくありません）。",
        ),
        (
            '{"a": "\\u12"}',
            "1行9列: JSONとして読み取れません（「\\u」の後に16進数4桁がありません）。",
        ),
        ("{} {}", "1行4列: JSONとして読み取れません（データの終わりの後に余分な文字があります）。"),
    ],
)
def test_text_that_is_not_json_names_the_line_column_and_reason_in_japanese(
    text: str, expected: str
) -> None:
    (problem,) = _problems(text)
    assert problem == expected
    assert not re.search(r"[A-Za-z]{3,}", problem.replace("JSON", "")), problem


def test_a_plan_with_hand_written_title_only_pillars_is_read(seed: PlanSnapshot) -> None:
    doc = json.loads(dump_plan(seed))
    for pillar in doc["pillars"]:
        del pillar["lead"], pillar["name"]
    loaded = load_plan(json.dumps(doc))
    assert [(p.lead, p.name) for p in loaded.pillars] == [(p.lead, p.name) for p in seed.pillars]


def test_a_plan_written_into_a_database_and_read_back_is_the_same_file(
    plan_with_data: PlanSnapshot, empty_target: Target
) -> None:
    """Every typed digit (8.40, 20 significant digits), timestamps to the microsecond, the
    comment's quotes, backslash, tab and emoji, the grading thresholds and the audit trail."""
    text = dump_plan(plan_with_data)
    assert through_database(empty_target, text) == text
    assert "12345678901234.123456" in text and "2026-04-01T00:30:15.250000+00:00" in text
