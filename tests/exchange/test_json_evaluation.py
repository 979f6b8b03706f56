"""The yearly evaluation in the JSON interchange (version 2): lossless, computed fields for
readers, version 1 files still read, and broken records listed with their place."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from aomori_desktop.domain.evaluation import (
    Course,
    EvaluationRecords,
    MeasureEvaluation,
    PanelOpinion,
    ProjectEvaluation,
)
from aomori_desktop.domain.grading import SCHEME_SABCD
from aomori_desktop.domain.plan import KpiYear, PlanSnapshot
from aomori_desktop.domain.validation import validate_snapshot
from aomori_desktop.exchange.json_format import FormatError, dump_plan, load_plan
from aomori_desktop.exchange.seed_toml import load_default_seed
from tests.backends import Target
from tests.exchange.conftest import through_database

AT = datetime(2026, 9, 1, 1, 2, 3, tzinfo=UTC)


@pytest.fixture(scope="module")
def evaluated() -> PlanSnapshot:
    seed = load_default_seed()
    kpis = tuple(
        replace(k, years=(KpiYear(2024, Decimal("1")), KpiYear(2025, Decimal("2"))))
        if k.id == "K01"
        else k
        for k in seed.kpis
    )
    records = EvaluationRecords(
        measures=(
            MeasureEvaluation(
                "1-1",
                2025,
                override="A",
                override_scheme="sabcd",
                override_reason="洋上風力の進捗を踏まえ\n上方修正",
                achievements="成果🎉",
                issues="課題",
                next_steps="今後",
                course=Course.EXPAND,
                entered_by="tanaka",
                entered_at=AT,
            ),
            MeasureEvaluation("1-2", 2025, course=Course.CONTINUE),
        ),
        projects=(ProjectEvaluation("PJ01", 2025, Course.IMPROVE, "sato", AT),),
        opinions=(
            PanelOpinion(1, 2025, None, "計画全体への意見", "対応方針", "suzuki", AT),
            PanelOpinion(2, 2025, "1-1", "施策への意見"),
        ),
    )
    return replace(
        seed,
        plan=replace(seed.plan, grade_scheme=SCHEME_SABCD),
        kpis=kpis,
        evaluation=records,
    )


def test_round_trip_is_lossless_and_byte_identical(evaluated: PlanSnapshot) -> None:
    text = dump_plan(evaluated)
    loaded = load_plan(text)
    assert loaded.evaluation == evaluated.evaluation
    assert loaded.plan.grade_scheme == SCHEME_SABCD
    assert dump_plan(loaded) == text
    assert validate_snapshot(loaded) == []


def test_the_file_names_the_scheme_and_the_computed_grades(evaluated: PlanSnapshot) -> None:
    doc = json.loads(dump_plan(evaluated))
    assert doc["version"] == 2
    assert doc["plan"]["grading"] == {"scheme": "sabcd", "thresholds": ["100", "1", "0.8", "0.5"]}
    m11 = doc["evaluations"]["measures"][0]
    # K01 at 2 of 3 in 2025: 66.7 % against an expected 20 % is A (順調) under S–D; the
    # measure's other KPIs have no actual (評価不能) and are left out of the proposal
    assert (m11["measure"], m11["proposed_grade"], m11["override_grade"], m11["grade"]) == (
        "1-1",
        "A",
        "A",
        "A",
    )
    assert m11["direction"] == "expand" and m11["entered_at"] == "2026-09-01T01:02:03+00:00"
    assert doc["evaluations"]["measures"][1]["proposed_grade"] == "A"
    assert doc["evaluations"]["opinions"][0]["measure"] is None
    k01 = next(k for k in doc["kpis"] if k["id"] == "K01")
    assert k01["outlook"] == {
        "projected": "10",
        "reaches_target": True,
        "yearly_trend": "1",
        "required_per_year": "0.13",
        "actual_years": 2,
    }
    assert next(k for k in doc["kpis"] if k["id"] == "K02")["outlook"] is None


def test_version_1_files_have_no_evaluation_and_still_load(evaluated: PlanSnapshot) -> None:
    doc = json.loads(dump_plan(evaluated))
    doc["version"] = 1
    del doc["evaluations"], doc["plan"]["grading"]
    doc["plan"]["thresholds"] = {"achieved": "95", "delayed_factor": "0.6"}
    loaded = load_plan(json.dumps(doc))
    assert loaded.evaluation == EvaluationRecords()
    assert loaded.plan.grade_scheme.key.value == "abcd"
    assert loaded.plan.grade_scheme.thresholds == (Decimal("95"), Decimal("1"), Decimal("0.6"))


def test_broken_records_are_listed_with_their_place(evaluated: PlanSnapshot) -> None:
    doc = json.loads(dump_plan(evaluated))
    doc["plan"]["grading"] = {"scheme": "xyz"}
    doc["evaluations"]["measures"][0]["direction"] = "grow"
    doc["evaluations"]["opinions"][1]["number"] = "2"
    with pytest.raises(FormatError) as info:
        load_plan(json.dumps(doc))
    assert info.value.problems == [
        "plan.grading.scheme: 「xyz」は使えません（abcd / sabcd / marks）。",
        "evaluations.measures[0].direction: 「grow」は使えません"
        "（expand / improve / continue / reduce / suspend / complete）。",
        "evaluations.opinions[1].number: 整数が必要です。",
    ]


def test_rules_of_the_records_are_checked_before_import(evaluated: PlanSnapshot) -> None:
    bad = EvaluationRecords(
        measures=(
            MeasureEvaluation("9-9", 2025),
            MeasureEvaluation("1-1", 2040, override="S", override_scheme="abcd"),
            MeasureEvaluation("1-2", 2025, override_reason="理由だけ"),
        ),
        projects=(ProjectEvaluation("PJ99", 2025, None), ProjectEvaluation("PJ01", 2025, None)),
        opinions=(PanelOpinion(1, 2025, "1-1", " "), PanelOpinion(1, 2025, None, "重複")),
    )
    problems = validate_snapshot(replace(evaluated, evaluation=replace(bad)))
    assert problems == [
        "共創施策 9-9 令和7(2025)年度の施策評価: 共創施策 9-9 が見つかりません。",
        "共創施策 1-1 令和22(2040)年度の施策評価: 計画期間（令和6(2024)年度〜令和15(2033)年度）外の年度です。",
        "共創施策 1-1 令和22(2040)年度の施策評価: 評価を変更する理由を入力してください。",
        "共創施策 1-1 令和22(2040)年度の施策評価: 評価「S」はA・B・C・D（4段階）にありません（A・B・C・D）。",
        "共創施策 1-2 令和7(2025)年度の施策評価: 評価を変更していないのに、変更の理由が入力されています。",
        "共創プロジェクト PJ99 が見つかりません（方向性）。",
        "有識者会議の意見 1: 意見が空です。",
        "有識者会議の意見 1: 番号が重複しています。",
    ]


def test_the_records_written_into_a_database_and_read_back_are_the_same_file(
    evaluated: PlanSnapshot, empty_target: Target
) -> None:
    text = dump_plan(evaluated)
    assert through_database(empty_target, text) == text
    assert "洋上風力の進捗を踏まえ\\n上方修正" in text and '"override_scheme": "sabcd"' in text
