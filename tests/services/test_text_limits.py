"""The limits of `domain.validation` in every services that stores a value.

Text lengths follow the schema (a PostgreSQL server enforces VARCHAR lengths), refusals use
the labels the user sees (出典, 担当課, …), and what can be created can be restored: adding
and restoring apply the same rules, so the undo of a removal never fails on its own data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import String

from aomori_desktop.domain.evaluation import (
    EvaluationRecords,
    MeasureEvaluation,
    PanelOpinion,
    ProjectEvaluation,
)
from aomori_desktop.domain.plan import (
    AuditEntry,
    Direction,
    FigureStatus,
    KpiYear,
    Partner,
    PlanSnapshot,
    ProjectYear,
    Sector,
    TargetRevision,
)
from aomori_desktop.domain.validation import MAX_TEXT, validate_snapshot
from aomori_desktop.exchange.seed_toml import load_default_seed
from aomori_desktop.services.errors import NotFound, ValidationError
from aomori_desktop.services.kpi_fields import KpiFieldsEdit, undo_reason
from aomori_desktop.services.kpi_values import KpiYearEdit
from aomori_desktop.services.kpis import KpiDraft
from aomori_desktop.services.plan_services import PlanServices
from aomori_desktop.services.projects import ProjectFieldsEdit
from aomori_desktop.services.workspace import default_plan_id
from aomori_desktop.store.database import Database
from aomori_desktop.store.models import Base
from tests.services.helpers import audit, dump, rows, whole_project

AT = datetime(2026, 4, 1, tzinfo=UTC)

# ---------------------------------------------------------------- the limits are the schema's


def _first(items: tuple[Any, ...], **changes: object) -> tuple[Any, ...]:
    return (replace(items[0], **changes), *items[1:])


def _pillar(s: PlanSnapshot, **changes: object) -> PlanSnapshot:
    return replace(s, pillars=_first(s.pillars, **changes))


def _measure(s: PlanSnapshot, **changes: object) -> PlanSnapshot:
    return _pillar(s, measures=_first(s.pillars[0].measures, **changes))


def _project(s: PlanSnapshot, **changes: object) -> PlanSnapshot:
    return replace(s, projects=_first(s.projects, **changes))


def _kpi(s: PlanSnapshot, **changes: object) -> PlanSnapshot:
    return replace(s, kpis=_first(s.kpis, **changes))


def _evaluation(s: PlanSnapshot, **records: Any) -> PlanSnapshot:
    return replace(s, evaluation=EvaluationRecords(**records))


def _audit(field: str) -> Callable[[PlanSnapshot, str], PlanSnapshot]:
    entry = AuditEntry(AT, "u", "update", "kpi", "K01", "name", None, None)
    return lambda s, v: replace(s, audit=(replace(entry, **{field: v}),))  # type: ignore[arg-type]


# Each limited column of the schema: how a snapshot gets a text of a given length there.
PUT: dict[tuple[str, str], Callable[[PlanSnapshot, str], PlanSnapshot]] = {
    ("plan", "name"): lambda s, v: replace(s, plan=replace(s.plan, name=v)),
    ("pillar", "lead"): lambda s, v: _pillar(s, lead=v),
    ("pillar", "name"): lambda s, v: _pillar(s, name=v),
    ("measure", "title"): lambda s, v: _measure(s, title=v),
    ("project", "code"): lambda s, v: _project(s, id=v),
    ("project", "title"): lambda s, v: _project(s, title=v),
    ("project", "responsible_section"): lambda s, v: _project(s, responsible_section=v),
    ("project_partner", "name"): lambda s, v: _project(s, partners=(Partner(Sector.INDUSTRY, v),)),
    ("project_year", "entered_by"): lambda s, v: _project(
        s, years=(ProjectYear(2024, None, entered_by=v),)
    ),
    ("kpi", "code"): lambda s, v: _kpi(s, id=v),
    ("kpi", "name"): lambda s, v: _kpi(s, name=v),
    ("kpi", "unit"): lambda s, v: _kpi(s, unit=v),
    ("kpi", "data_source"): lambda s, v: _kpi(s, data_source=v),
    ("kpi", "responsible_section"): lambda s, v: _kpi(s, responsible_section=v),
    ("kpi_year", "entered_by"): lambda s, v: _kpi(s, years=(KpiYear(2024, entered_by=v),)),
    ("target_revision", "revised_by"): lambda s, v: _kpi(
        s,
        target_revisions=(TargetRevision(Decimal(1), 2033, Decimal(2), 2033, "理由", v, AT),),
    ),
    **{
        ("audit_log", field): _audit(field)
        for field in ("user", "action", "entity", "entity_key", "field")
    },
    ("measure_evaluation", "entered_by"): lambda s, v: _evaluation(
        s, measures=(MeasureEvaluation("1-1", 2024, entered_by=v),)
    ),
    ("project_evaluation", "entered_by"): lambda s, v: _evaluation(
        s, projects=(ProjectEvaluation(s.projects[0].id, 2024, None, entered_by=v),)
    ),
    ("panel_opinion", "entered_by"): lambda s, v: _evaluation(
        s, opinions=(PanelOpinion(1, 2024, None, "意見", entered_by=v),)
    ),
}
# Columns whose values the code chooses (enum values, event names), not the user or a file.
CHOSEN = {
    ("plan", "status"),
    ("project_partner", "sector"),
    ("kpi", "direction"),
    ("kpi_year", "status"),
    ("project_year", "status"),
    ("maintenance_log", "user"),
    ("maintenance_log", "event"),
    ("plan", "grade_scheme"),  # a preset key
    ("measure_evaluation", "override_grade"),  # one of the scheme's symbols, or refused
    ("measure_evaluation", "override_scheme"),  # a preset key, or refused
    ("measure_evaluation", "course"),
    ("project_evaluation", "course"),
}
DECIMAL_TEXT = 40  # DecimalText stores the canonical text in a String(40)


def _limited_columns() -> dict[tuple[str, str], int]:
    """Every String column with a length that users or files fill (not enums, not decimals)."""
    found = {}
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            length = getattr(column.type, "length", None)
            key = (table.name, column.name)
            if isinstance(column.type, String) and length is not None and key not in CHOSEN:
                found[key] = length
    decimals = {k for k, n in found.items() if n == DECIMAL_TEXT and k not in PUT}
    return {k: n for k, n in found.items() if k not in decimals}


LIMITED = _limited_columns()


@pytest.mark.parametrize("column", sorted(LIMITED), ids=".".join)
def test_validation_holds_each_text_to_its_column_length(
    seed: PlanSnapshot, column: tuple[str, str]
) -> None:
    # a PostgreSQL server refuses what does not fit its VARCHAR: nothing longer may pass
    # (a new column fails here until PUT says how a plan fills it)
    length = LIMITED[column]
    put = PUT[column]

    def too_long(s: PlanSnapshot) -> list[str]:
        return [p for p in validate_snapshot(s) if "長すぎます" in p]

    assert too_long(put(seed, "x" * length)) == []
    problems = too_long(put(seed, "x" * (length + 1)))
    assert len(problems) == 1 and f"（{length:,}文字まで）" in problems[0], problems


@pytest.fixture(scope="module")
def seed() -> PlanSnapshot:
    return load_default_seed()


# ---------------------------------------------------------------- Japanese labels, per-field limits


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (KpiFieldsEdit(unit="単" * 41), "KPI K05: 単位が長すぎます（40文字まで）。"),
        (KpiFieldsEdit(data_source="出" * 301), "KPI K05: 出典が長すぎます（300文字まで）。"),
        # 250 characters passed the old limit of 300 and then overflowed VARCHAR(200)
        (
            KpiFieldsEdit(responsible_section="課" * 201),
            "KPI K05: 担当課が長すぎます（200文字まで）。",
        ),
        (
            KpiFieldsEdit(definition="定" * 4001),
            "KPI K05: 定義・備考が長すぎます（4,000文字まで）。",
        ),
        (
            KpiFieldsEdit(baseline=Decimal("1" * 16)),
            "KPI K05: 基準値は桁数が多すぎます（整数部は15桁まで）。",
        ),
        (
            KpiFieldsEdit(baseline_fiscal_year=1800),
            "KPI K05: 基準年度「1800」は範囲外です（1926〜2100年度の間にしてください）。",
        ),
    ],
)
def test_update_kpi_names_the_field_in_japanese_and_writes_nothing(
    services: PlanServices, db_path: Path, edit: KpiFieldsEdit, expected: str
) -> None:
    before = dump(db_path)
    with pytest.raises(ValidationError) as info:
        services.kpi_fields.update_kpi("K05", edit)
    assert info.value.problems == [expected]
    assert dump(db_path) == before


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ProjectFieldsEdit(title="題" * 301),
            "共創プロジェクト PJ01: 名称が長すぎます（300文字まで）。",
        ),
        (
            ProjectFieldsEdit(description="内" * 4001),
            "共創プロジェクト PJ01: 取組内容が長すぎます（4,000文字まで）。",
        ),
        (
            ProjectFieldsEdit(responsible_section="課" * 201),
            "共創プロジェクト PJ01: 担当課が長すぎます（200文字まで）。",
        ),
    ],
)
def test_update_project_names_the_field_in_japanese(
    services: PlanServices, db_path: Path, edit: ProjectFieldsEdit, expected: str
) -> None:
    before = dump(db_path)
    with pytest.raises(ValidationError) as info:
        services.projects.update_project("PJ01", edit)
    assert info.value.problems == [expected]
    assert dump(db_path) == before


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (
            lambda s: s.structure.add_pillar("リ" * 201, "柱"),
            ["戦略の柱: リード文が長すぎます（200文字まで）。"],
        ),
        (
            lambda s: s.structure.rename_pillar(1, "", "名" * 201),
            ["戦略の柱 1: 名称が長すぎます（200文字まで）。"],
        ),
        (
            lambda s: s.structure.add_measure(1, "施" * 301),
            ["共創施策: 名称が長すぎます（300文字まで）。"],
        ),
        (
            lambda s: s.structure.rename_measure("1-1", "施" * 301),
            ["共創施策 1-1: 名称が長すぎます（300文字まで）。"],
        ),
        (
            lambda s: s.placements.add_project("1-1", "題" * 301),
            ["共創プロジェクト: 名称が長すぎます（300文字まで）。"],
        ),
        (
            lambda s: s.placements.add_project("1-1", "題", "内" * 4001),
            ["共創プロジェクト: 取組内容が長すぎます（4,000文字まで）。"],
        ),
        (
            lambda s: s.values.set_kpi_years([KpiYearEdit("K05", 2024, comment="コ\ud800")]),
            [
                "KPI K05 令和6(2024)年度: コメントに文字として扱えないデータ"
                "（対になっていないサロゲート）が含まれています。"
            ],
        ),
        (
            lambda s: s.projects.set_partners("PJ01", [Partner(Sector.FINANCE, "金\x00")]),
            ["共創プロジェクト PJ01: 連携先1の名称に保存できない制御文字（NUL）が含まれています。"],
        ),
        (
            lambda s: s.projects.set_project_year("PJ01", 2024, note="メ\ud800"),
            [
                "共創プロジェクト PJ01: メモに文字として扱えないデータ"
                "（対になっていないサロゲート）が含まれています。"
            ],
        ),
        (
            lambda s: s.kpi_fields.revise_target("K05", Decimal("40"), 2033, "理由\x00"),
            ["KPI K05: 理由に保存できない制御文字（NUL）が含まれています。"],
        ),
        (
            lambda s: s.values.set_kpi_years([KpiYearEdit("K05", 2024, actual=Decimal("1" * 16))]),
            ["KPI K05 令和6(2024)年度: 実績値は桁数が多すぎます（整数部は15桁まで）。"],
        ),
        (
            lambda s: s.values.set_kpi_years(
                [KpiYearEdit("K05", 2024, interim_target=Decimal("0.1234567"))]
            ),
            ["KPI K05 令和6(2024)年度: 年度目標は小数点以下の桁数が多すぎます（6桁まで）。"],
        ),
        (
            lambda s: s.kpi_fields.revise_target("K05", Decimal("1" * 16), 2033, "上方修正"),
            ["KPI K05: 目標値は桁数が多すぎます（整数部は15桁まで）。"],
        ),
        (
            lambda s: s.kpi_fields.revise_target("K05", Decimal("40"), 2101, "延長"),
            ["KPI K05: 目標年度「2101」は範囲外です（1926〜2100年度の間にしてください）。"],
        ),
    ],
)
def test_every_service_that_stores_text_refuses_in_japanese_and_writes_nothing(
    services: PlanServices, db_path: Path, call, expected: list[str]
) -> None:
    before = dump(db_path)
    with pytest.raises(ValidationError) as info:
        call(services)
    assert info.value.problems == expected
    assert dump(db_path) == before


# ---------------------------------------------------------------- creation and restore agree


def draft(**changes: object) -> KpiDraft:
    fields: dict[str, object] = dict(
        name="待機児童数",
        unit="人",
        baseline=Decimal("25"),
        baseline_fiscal_year=2023,
        target=Decimal("0"),
        target_fiscal_year=2033,
        direction=Direction.DECREASE,
        measures=("1-1",),
    )
    fields.update(changes)
    return KpiDraft(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        # QA: a 320-character name was added, and after a removal its undo failed for good
        ({"name": "長い名称" * 80}, "KPI K17: 名称が長すぎます（300文字まで）。"),
        ({"unit": "単" * 41}, "KPI K17: 単位が長すぎます（40文字まで）。"),
        ({"data_source": "出" * 301}, "KPI K17: 出典が長すぎます（300文字まで）。"),
        ({"responsible_section": "課" * 201}, "KPI K17: 担当課が長すぎます（200文字まで）。"),
        ({"definition": "定" * 4001}, "KPI K17: 定義・備考が長すぎます（4,000文字まで）。"),
    ],
)
def test_add_kpi_refuses_what_restore_would_refuse(
    services: PlanServices, db_path: Path, changes: dict[str, object], expected: str
) -> None:
    before = dump(db_path)
    with pytest.raises(ValidationError) as info:
        services.kpis.add_kpi(draft(**changes))
    assert info.value.problems == [expected]
    assert dump(db_path) == before

    # restoring the same KPI is refused with the same sentence: the two agree
    code = services.kpis.add_kpi(draft()).value
    assert code is not None
    snapshot = replace(services.queries.kpi(code), **changes)  # type: ignore[arg-type]
    services.kpis.remove_kpi(code)
    with pytest.raises(ValidationError) as restored:
        services.kpis.restore_kpi(snapshot, 0)
    assert restored.value.problems == [expected]


def test_a_kpi_added_at_every_limit_comes_back_and_one_more_is_not_added(
    services: PlanServices, db_path: Path
) -> None:
    at_limit = dict(
        name="名" * 300,
        unit="単" * 40,
        data_source="出" * 300,
        responsible_section="課" * 200,
        definition="定" * 4000,
    )
    code = services.kpis.add_kpi(
        draft(
            baseline=Decimal("999999999999999.999999"),
            target=Decimal("-999999999999999.999999"),
            baseline_fiscal_year=1926,
            target_fiscal_year=2033,  # a target year lies in the plan's period
            **at_limit,
        )
    ).value
    assert code is not None
    services.values.record_actual(
        code, 2024, Decimal("1.5"), status=FigureStatus.FINAL, comment="コ" * 4000
    )
    services.kpi_fields.revise_target(code, Decimal("-1"), 2033, "理" * 4000)
    snapshot = services.queries.kpi(code)
    position = services.queries.kpi_order().index(code)

    services.kpis.remove_kpi(code)
    services.kpis.restore_kpi(snapshot, position)

    assert services.queries.kpi(code) == snapshot
    before = dump(db_path)
    for field, value in at_limit.items():
        with pytest.raises(ValidationError, match="が長すぎます"):
            services.kpis.add_kpi(draft(**{**at_limit, field: value + "字"}))
    assert dump(db_path) == before


def test_a_project_added_at_every_limit_comes_back_and_one_more_is_not_added(
    services: PlanServices, db_path: Path
) -> None:
    code = services.placements.add_project("1-1", "題" * 300, "内" * 4000).value
    assert code is not None
    services.projects.update_project(code, ProjectFieldsEdit(responsible_section="課" * 200))
    services.projects.set_partners(code, [Partner(Sector.ACADEMIA, "学" * 200)])
    services.projects.set_project_year(code, 2024, note="メ" * 4000)
    project, placements = whole_project(services, code)
    position = services.queries.project_order().index(code)

    services.placements.remove_project(code)
    services.placements.restore_project(project, placements, position)

    assert whole_project(services, code) == (project, placements)
    before = dump(db_path)
    with pytest.raises(ValidationError, match="名称が長すぎます（300文字まで）"):
        services.placements.add_project("1-1", "題" * 301)
    with pytest.raises(ValidationError, match="取組内容が長すぎます（4,000文字まで）"):
        services.placements.add_project("1-1", "題", "内" * 4001)
    assert dump(db_path) == before


def test_restore_project_refuses_what_creation_refuses(services: PlanServices) -> None:
    project, placements = whole_project(services, "PJ01")
    services.placements.remove_project("PJ01")
    too_long = replace(
        project,
        description="内" * 4001,
        partners=(Partner(Sector.INDUSTRY, "社" * 201),),
    )
    with pytest.raises(ValidationError) as info:
        services.placements.restore_project(too_long, placements, 0)
    assert info.value.problems == [
        "共創プロジェクト PJ01: 取組内容が長すぎます（4,000文字まで）。",
        "共創プロジェクト PJ01: 連携先1の名称が長すぎます（200文字まで）。",
    ]


# ---------------------------------------------------------------- the undo of a target revision


def test_undo_reason_quotes_the_reason_within_the_limit() -> None:
    assert undo_reason(" 前倒し ") == "見直しの取り消し（元の理由: 前倒し）"
    reason = "上位計画の改定に合わせて上方修正。" + "詳細" * 1989  # 4,000 characters
    text = undo_reason(reason)
    assert len(text) == MAX_TEXT
    assert text.startswith("見直しの取り消し（元の理由: 上位計画の改定に合わせて上方修正。詳細")
    assert text.endswith("…）")


def test_a_revision_with_the_longest_reason_can_be_undone(
    services: PlanServices, db_path: Path
) -> None:
    # QA t22: the undo reason grew past 4,000 characters and the undo was refused for good
    reason = "上位計画の改定に合わせて上方修正。" + "詳細" * 1989
    old = services.queries.kpi("K10")
    services.kpi_fields.revise_target("K10", Decimal("1500000"), 2033, reason)

    services.kpi_fields.revise_target(
        "K10", old.target, old.target_fiscal_year, undo_reason(reason)
    )

    kpi = services.queries.kpi("K10")
    assert (kpi.target, kpi.target_fiscal_year) == (old.target, old.target_fiscal_year)
    assert len(kpi.target_revisions[-1].reason) == MAX_TEXT


# ---------------------------------------------------------------- numbers and users


def test_codes_with_huge_numbers_are_not_found_instead_of_overflowing(
    services: PlanServices, db_path: Path
) -> None:
    huge = "9" * 25  # bound as an SQLite INTEGER it raised OverflowError
    before = dump(db_path)
    with pytest.raises(NotFound, match=f"共創施策 1-{huge} が見つかりません。"):
        services.kpis.set_kpi_measures("K01", [f"1-{huge}"])
    with pytest.raises(NotFound, match=f"共創施策 {huge}-1 が見つかりません。"):
        services.placements.add_relisting("PJ01", f"{huge}-1")
    with pytest.raises(NotFound, match="戦略の柱 10000000000000000000 が見つかりません。"):
        services.structure.add_measure(10**19, "施策")
    with pytest.raises(ValidationError, match="番号は1〜999にしてください"):
        services.structure.restore_pillar(10**19, "", "柱")
    assert dump(db_path) == before


def test_numbers_beyond_999_are_not_given_out(services: PlanServices, db_path: Path) -> None:
    services.structure.restore_pillar(999, "", "最後の柱")
    before = dump(db_path)
    with pytest.raises(ValidationError) as info:
        services.structure.add_pillar("", "もう一つ")
    assert info.value.problems == ["戦略の柱は999番までです。これ以上追加できません。"]
    assert dump(db_path) == before


def test_a_long_login_name_is_recorded_within_its_column(db: Database, db_path: Path) -> None:
    services = PlanServices(db, default_plan_id(db), user="u" * 150)
    services.values.record_actual("K05", 2024, Decimal("1"))
    assert {len(user) for user, *_ in audit(db_path)} == {100}
    assert rows(db_path, "SELECT length(entered_by) FROM kpi_year") == [(100,)]
