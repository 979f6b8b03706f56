"""Projects, placements (再掲), pillars and measures."""

from __future__ import annotations

from pathlib import Path

import pytest

from aomori_desktop.domain.plan import ProjectStatus
from aomori_desktop.services.changes import Changes
from aomori_desktop.services.errors import Conflict, NotFound, ValidationError
from aomori_desktop.services.plan_services import PlanServices
from aomori_desktop.services.projects import ProjectFieldsEdit
from tests.services.conftest import USER
from tests.services.helpers import audit, dump, outcome, rows

AT = "2026-04-01 00:30:00.000000"


def entry(action: str, entity: str, key: str, field: str, old: str | None, new: str | None):
    return (USER, AT, action, entity, key, field, old, new, "")


def placements(services: PlanServices) -> dict[str, tuple[str, bool]]:
    return {
        pl.code: (pl.project, pl.relisting)
        for pillar in services.queries.plan_snapshot().pillars
        for measure in pillar.measures
        for pl in measure.placements
    }


def test_editing_the_relisted_project_edits_the_one_project(
    services: PlanServices, db_path: Path
) -> None:
    """PJ02 stands under 1-1 (home, 1-1-2) and is re-listed as 1-2-3: one row, one history."""
    applied = services.projects.update_project(
        "PJ02", ProjectFieldsEdit(title=" 脱炭素経営の推進 ", description="省エネ診断を支援する。")
    )
    services.projects.set_project_year(
        "PJ02", 2024, status=ProjectStatus.STUDYING, note="診断事業者と協議"
    )

    assert applied.changes == Changes(projects=frozenset({"PJ02"}), structure=True)
    snapshot = services.queries.plan_snapshot()
    listed = placements(services)
    assert listed["1-1-2"] == ("PJ02", False)
    assert listed["1-2-3"] == ("PJ02", True)
    titles = {p.id: p.title for p in snapshot.projects}
    assert titles["PJ02"] == "脱炭素経営の推進"  # what both placements show
    assert rows(db_path, "SELECT count(*) FROM project WHERE title = '脱炭素経営の推進'") == [(1,)]
    assert len(snapshot.projects) == 26
    history = services.queries.history("project", "PJ02")
    assert [(h.entity, h.field, h.old, h.new) for h in history] == [
        ("project", "title", "市内事業者・立地企業の脱炭素化の推進", "脱炭素経営の推進"),
        ("project", "description", history[1].old, "省エネ診断を支援する。"),
        ("project_year", "status", None, "studying"),
        ("project_year", "note", "", "診断事業者と協議"),
    ]


def test_update_project_refuses_an_empty_title(services: PlanServices, db_path: Path) -> None:
    before = dump(db_path)
    with pytest.raises(ValidationError) as info:
        services.projects.update_project("PJ02", ProjectFieldsEdit(title="  "))
    assert info.value.message == "共創プロジェクト PJ02: 名称が空です。"
    assert dump(db_path) == before


def test_project_year_status_and_note(services: PlanServices, db_path: Path) -> None:
    assert services.projects.set_project_year(
        "PJ01", 2025, status=ProjectStatus.IN_PROGRESS, note="説明会を2回開催\n参加 42社"
    ).changes == Changes(projects=frozenset({"PJ01"}))
    services.projects.set_project_year("PJ01", 2025, status=ProjectStatus.COMPLETED)

    assert rows(
        db_path,
        "SELECT y.fiscal_year, y.status, y.note, y.entered_by, y.entered_at FROM project_year y "
        "JOIN project p ON p.id = y.project_id WHERE p.code = 'PJ01'",
    ) == [(2025, "completed", "説明会を2回開催\n参加 42社", USER, AT)]
    assert audit(db_path) == [
        entry("update", "project_year", "PJ01/2025", "status", None, "in_progress"),
        entry("update", "project_year", "PJ01/2025", "note", "", "説明会を2回開催\n参加 42社"),
        entry("update", "project_year", "PJ01/2025", "status", "in_progress", "completed"),
    ]
    (year,) = services.queries.project("PJ01").years
    assert year.status is ProjectStatus.COMPLETED and year.status.label == "完了"


@pytest.mark.parametrize(
    ("year", "note", "message"),
    [
        (
            2034,
            "",
            "共創プロジェクト PJ01: 令和16(2034)年度は計画期間（令和6(2024)年度〜令和15(2033)年度）外です。",
        ),
        (2024, "あ" * 4001, "共創プロジェクト PJ01: メモが長すぎます（4,000文字まで）。"),
    ],
)
def test_project_year_refuses_invalid_input(
    services: PlanServices, db_path: Path, year: int, note: str, message: str
) -> None:
    before = dump(db_path)
    with pytest.raises(ValidationError) as info:
        services.projects.set_project_year("PJ01", year, note=note)
    assert info.value.message == message
    assert dump(db_path) == before


def test_add_project_places_it_under_the_measure(services: PlanServices, db_path: Path) -> None:
    added = services.placements.add_project("1-3", " 学生起業家の育成 ", "大学と連携する。")
    assert (added.value, added.changes) == (
        "PJ27",
        Changes(projects=frozenset({"PJ27"}), structure=True),
    )
    assert placements(services)["1-3-2"] == ("PJ27", False)
    assert services.queries.project("PJ27").title == "学生起業家の育成"
    assert audit(db_path) == [
        entry("create", "project", "PJ27", "title", None, "学生起業家の育成"),
        entry("create", "placement", "1-3-2", "project", None, "PJ27"),
    ]


@pytest.mark.parametrize(
    ("measure", "title", "error", "message"),
    [
        ("1-3", " ", ValidationError, "共創プロジェクト: 名称を入力してください。"),
        ("1-9", "新規", NotFound, "共創施策 1-9 が見つかりません。"),
    ],
)
def test_add_project_refuses_invalid_input(
    services: PlanServices, db_path: Path, measure: str, title: str, error: type, message: str
) -> None:
    before = dump(db_path)
    with pytest.raises(error) as info:
        services.placements.add_project(measure, title)
    assert info.value.message == message
    assert dump(db_path) == before


def test_add_relisting_and_remove_it(services: PlanServices, db_path: Path) -> None:
    added = services.placements.add_relisting("PJ05", "2-3")
    assert (added.value, added.changes) == (
        "2-3-3",
        Changes(projects=frozenset({"PJ05"}), structure=True),
    )
    assert placements(services)["2-3-3"] == ("PJ05", True)

    assert services.placements.remove_placement("2-3-3").changes == Changes(
        projects=frozenset({"PJ05"}), structure=True
    )
    assert "2-3-3" not in placements(services)
    assert placements(services)["1-3-1"] == ("PJ05", False)
    assert audit(db_path) == [
        entry("create", "placement", "2-3-3", "project", None, "PJ05"),
        entry("delete", "placement", "2-3-3", "project", "PJ05", None),
    ]


def test_a_project_cannot_be_listed_twice_under_one_measure(
    services: PlanServices, db_path: Path
) -> None:
    before = dump(db_path)
    with pytest.raises(Conflict) as info:
        services.placements.add_relisting("PJ02", "1-2")
    assert info.value.message == "共創プロジェクト PJ02 は既に共創施策 1-2 に掲載されています。"
    assert dump(db_path) == before


def test_a_home_placement_cannot_be_removed(services: PlanServices, db_path: Path) -> None:
    before = dump(db_path)
    with pytest.raises(Conflict) as info:
        services.placements.remove_placement("1-1-2")
    assert info.value.message == (
        "1-1-2 は共創プロジェクト PJ02 の本来の掲載先です。"
        "プロジェクトごと削除するか、先に再掲を削除してください。"
    )
    assert dump(db_path) == before
    with pytest.raises(NotFound, match="掲載 1-1-9 が見つかりません。"):
        services.placements.remove_placement("1-1-9")


def test_removing_a_relisting_keeps_the_project(services: PlanServices, db_path: Path) -> None:
    services.placements.remove_placement("1-2-3")
    listed = placements(services)
    assert "1-2-3" not in listed and listed["1-1-2"] == ("PJ02", False)
    assert rows(db_path, "SELECT count(*) FROM placement") == [(28,)]
    assert rows(db_path, "SELECT count(*) FROM project") == [(26,)]


def test_remove_project_removes_all_its_placements(services: PlanServices, db_path: Path) -> None:
    services.projects.set_project_year("PJ02", 2024, status=ProjectStatus.CANCELLED)
    assert services.placements.remove_project("PJ02").changes == Changes(
        projects=frozenset({"PJ02"}), structure=True
    )

    listed = placements(services)
    assert "PJ02" not in {project for project, _ in listed.values()}
    assert rows(db_path, "SELECT count(*) FROM placement") == [(27,)]
    assert rows(db_path, "SELECT count(*) FROM project_year") == [(0,)]
    assert audit(db_path)[-1] == entry(
        "delete", "project", "PJ02", "title", "市内事業者・立地企業の脱炭素化の推進", None
    )
    with pytest.raises(NotFound, match="共創プロジェクト PJ02 が見つかりません。"):
        services.queries.project("PJ02")


def test_pillar_add_rename_remove(services: PlanServices, db_path: Path) -> None:
    assert outcome(services.structure.add_pillar(" 未来を拓く ", " 新分野の開拓 ")) == (
        6,
        Changes(structure=True),
    )
    assert services.structure.rename_pillar(6, "未来を拓く", "新分野への挑戦").changes == Changes(
        structure=True
    )
    pillar = services.queries.plan_snapshot().pillars[-1]
    assert (pillar.number, pillar.title) == (6, "未来を拓く 新分野への挑戦")
    assert services.structure.remove_pillar(6).changes == Changes(structure=True)
    assert [p.number for p in services.queries.plan_snapshot().pillars] == [1, 2, 3, 4, 5]
    assert audit(db_path) == [
        entry("create", "pillar", "6", "name", None, "未来を拓く 新分野の開拓"),
        entry("update", "pillar", "6", "name", "新分野の開拓", "新分野への挑戦"),
        entry("delete", "pillar", "6", "name", "新分野への挑戦", None),
    ]


def test_measure_add_rename_remove(services: PlanServices, db_path: Path) -> None:
    assert outcome(services.structure.add_measure(5, " 女性の活躍推進 ")) == (
        "5-4",
        Changes(structure=True),
    )
    assert services.structure.rename_measure("5-4", "女性・シニアの活躍推進").changes == Changes(
        structure=True
    )
    assert (
        services.queries.plan_snapshot().pillars[4].measures[-1].title == "女性・シニアの活躍推進"
    )
    assert services.structure.remove_measure("5-4").changes == Changes(structure=True)
    assert [m.code for m in services.queries.plan_snapshot().pillars[4].measures] == [
        "5-1",
        "5-2",
        "5-3",
    ]
    assert audit(db_path) == [
        entry("create", "measure", "5-4", "title", None, "女性の活躍推進"),
        entry("update", "measure", "5-4", "title", "女性の活躍推進", "女性・シニアの活躍推進"),
        entry("delete", "measure", "5-4", "title", "女性・シニアの活躍推進", None),
    ]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda s: s.structure.remove_pillar(1),
            Conflict,
            "戦略の柱 1 には共創施策があります。先に共創施策を削除してください。",
        ),
        (
            lambda s: s.structure.remove_measure("1-3"),  # one project, one KPI
            Conflict,
            "共創施策 1-3 には共創プロジェクトまたはKPIがあります。先にそれらを削除または移動してください。",
        ),
        (
            lambda s: s.structure.add_pillar("前文", "  "),
            ValidationError,
            "戦略の柱: 名称を入力してください。",
        ),
        (
            lambda s: s.structure.rename_pillar(2, "前文", ""),
            ValidationError,
            "戦略の柱 2: 名称を入力してください。",
        ),
        (
            lambda s: s.structure.rename_pillar(9, "前文", "名称"),
            NotFound,
            "戦略の柱 9 が見つかりません。",
        ),
        (
            lambda s: s.structure.add_measure(1, ""),
            ValidationError,
            "共創施策: 名称を入力してください。",
        ),
        (lambda s: s.structure.add_measure(9, "施策"), NotFound, "戦略の柱 9 が見つかりません。"),
        (
            lambda s: s.structure.rename_measure("1-1", " "),
            ValidationError,
            "共創施策 1-1: 名称を入力してください。",
        ),
    ],
)
def test_structure_edits_refuse_non_empty_removals_and_empty_names(
    services: PlanServices, db_path: Path, call, error: type, message: str
) -> None:
    before = dump(db_path)
    with pytest.raises(error) as info:
        call(services)
    assert info.value.message == message
    assert dump(db_path) == before


def test_a_measure_holding_only_a_kpi_is_not_removed(services: PlanServices, db_path: Path) -> None:
    services.placements.remove_project("PJ05")  # 1-3 now holds only KPI K03
    with pytest.raises(Conflict):
        services.structure.remove_measure("1-3")
    assert [m.code for m in services.queries.plan_snapshot().pillars[0].measures] == [
        "1-1",
        "1-2",
        "1-3",
    ]
