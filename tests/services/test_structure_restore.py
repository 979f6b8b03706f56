"""Structure edits that must be undoable: moving items up and down, and putting back what a
removal took away (exactly: same codes, values, yearly records, revisions and links).

Every new call is checked for its audit entries and for writing nothing when it fails.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from aomori_desktop.domain.plan import FigureStatus, Placement, ProjectStatus
from aomori_desktop.exchange.json_format import dump_plan
from aomori_desktop.services.changes import Applied, Changes
from aomori_desktop.services.dto import NodeKind, TreeNode
from aomori_desktop.services.errors import Conflict, NotFound, ValidationError
from aomori_desktop.services.plan_services import PlanServices
from aomori_desktop.services.queries import PlanQueries
from aomori_desktop.services.workspace import export_plan
from aomori_desktop.store.database import Database
from aomori_desktop.store.errors import StoreError
from tests.backends import execute
from tests.services.conftest import USER
from tests.services.helpers import audit, dump, refuse_inserts, rows, whole_project

AT = "2026-04-01 00:30:00.000000"  # the injected clock, as stored (UTC)


def export_without_audit(db: Database) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(dump_plan(export_plan(db)))
    document.pop("audit")
    return document


def node(root: TreeNode, key: str) -> TreeNode:
    found = _find(root, key)
    assert found is not None, f"{key} not in tree"
    return found


def _find(root: TreeNode, key: str) -> TreeNode | None:
    if str(root.key) == key:
        return root
    for child in root.children:
        if found := _find(child, key):
            return found
    return None


def titles(reader: PlanQueries, key: str) -> list[str]:
    return [f"{c.code} {c.title}" for c in node(reader.tree(), key).children]


def new_audit(db_path: Path, before: int) -> list[tuple[Any, ...]]:
    """(action, entity, entity_key, field, old, new) of the rows written since `before`."""
    rows = audit(db_path)[before:]
    for user, at, *_ in rows:
        assert (user, at) == (USER, AT)
    return [tuple(r[2:8]) for r in rows]


@pytest.fixture
def reader(services: PlanServices) -> PlanQueries:
    return services.queries


def give_k01_a_history(services: PlanServices) -> None:
    services.values.record_actual(
        "K01", 2024, Decimal("1"), status=FigureStatus.FINAL, comment="1社が進出"
    )
    services.values.record_actual("K01", 2025, Decimal("2.50"), status=FigureStatus.PRELIMINARY)
    services.values.set_interim_target("K01", 2026, Decimal("2"))
    services.kpi_fields.revise_target("K01", Decimal("5"), 2033, "国の洋上風力案件形成の加速")
    services.values.clear_actual("K01", 2025)  # leaves a year row with who/when but no value


# ------------------------------------------------------------ KPI removal and restoration


def test_removed_kpi_comes_back_exactly(
    services: PlanServices, db: Database, db_path: Path, reader: PlanQueries
) -> None:
    give_k01_a_history(services)
    snapshot = services.queries.kpi("K01")
    assert snapshot.measures == ("1-1", "1-2")
    assert [y.fiscal_year for y in snapshot.years] == [2024, 2025, 2026]
    assert snapshot.target_revisions[0].reason == "国の洋上風力案件形成の加速"
    position = services.queries.kpi_order().index("K01")
    exported = export_without_audit(db)
    before = len(audit(db_path))

    assert services.kpis.remove_kpi("K01").changes == Changes(
        kpis=frozenset({"K01"}), structure=True
    )
    assert "K01" not in services.queries.kpi_order()
    assert rows(db_path, "SELECT count(*) FROM kpi_year") == [(0,)]

    assert services.kpis.restore_kpi(snapshot, position).changes == Changes(
        kpis=frozenset({"K01"}), structure=True
    )

    assert services.queries.kpi("K01") == snapshot  # dataclass equality: every value and year
    assert export_without_audit(db) == exported
    assert [str(c.key) for c in node(reader.tree(), "1-1").children][-1] == "K01@1-1"
    assert new_audit(db_path, before) == [
        ("delete", "kpi", "K01", "name", snapshot.name, None),
        ("restore", "kpi", "K01", "name", None, snapshot.name),
        ("restore", "kpi", "K01", "measures", None, "1-1,1-2"),
    ]
    # the KPI's history continues under its code
    assert [e.action for e in services.queries.history("kpi", "K01")][-3:] == [
        "delete",
        "restore",
        "restore",
    ]


def test_kpi_restored_in_the_middle_keeps_the_order(services: PlanServices, db: Database) -> None:
    snapshot = services.queries.kpi("K05")
    exported = export_without_audit(db)
    services.kpis.remove_kpi("K05")
    services.kpis.restore_kpi(snapshot, 4)
    assert services.queries.kpi_order()[3:6] == ["K04", "K05", "K06"]
    assert export_without_audit(db) == exported


# ------------------------------------------------------------ project removal and restoration


def test_removed_project_comes_back_with_its_relisting_partners_and_years(
    services: PlanServices, db: Database, db_path: Path
) -> None:
    execute(
        db_path,
        "INSERT INTO project_partner (project_id, sector, name, position) "
        "SELECT id, 'finance', '青森銀行', 0 FROM project WHERE code = 'PJ02'",
    )
    services.projects.set_project_year(
        "PJ02", 2024, status=ProjectStatus.STUDYING, note="勉強会を開催"
    )
    project, placements = whole_project(services, "PJ02")
    assert placements == [
        Placement("1-1-2", "PJ02", relisting=False),
        Placement("1-2-3", "PJ02", relisting=True),
    ]
    assert project.partners[0].name == "青森銀行"
    position = services.queries.project_order().index("PJ02")
    exported = export_without_audit(db)
    before = len(audit(db_path))

    services.placements.remove_project("PJ02")
    assert services.placements.restore_project(project, placements, position).changes == Changes(
        projects=frozenset({"PJ02"}), structure=True
    )

    assert whole_project(services, "PJ02") == (project, placements)
    assert export_without_audit(db) == exported
    assert new_audit(db_path, before) == [
        ("delete", "project", "PJ02", "title", project.title, None),
        ("restore", "project", "PJ02", "title", None, project.title),
        ("restore", "placement", "1-1-2", "project", None, "PJ02"),
        ("restore", "placement", "1-2-3", "project", None, "PJ02"),
    ]


def test_removed_relisting_comes_back_under_the_same_number(
    services: PlanServices, db: Database, db_path: Path
) -> None:
    exported = export_without_audit(db)
    before = len(audit(db_path))
    services.placements.remove_placement("1-2-3")
    assert services.placements.restore_placement(
        Placement("1-2-3", "PJ02", relisting=True)
    ).changes == Changes(projects=frozenset({"PJ02"}), structure=True)
    assert export_without_audit(db) == exported
    assert new_audit(db_path, before)[-1] == (
        "restore",
        "placement",
        "1-2-3",
        "project",
        None,
        "PJ02",
    )


# ------------------------------------------------------------ pillars and measures


def test_removed_empty_measure_and_pillar_come_back_in_their_place(
    services: PlanServices, db: Database, db_path: Path, reader: PlanQueries
) -> None:
    services.structure.add_measure(1, "仮の施策A")  # 1-4
    services.structure.add_measure(1, "仮の施策B")  # 1-5
    services.structure.add_pillar("未来を拓く", "新分野の開拓")  # 6
    services.structure.add_pillar("", "予備")  # 7
    exported = export_without_audit(db)
    measure = services.queries.measure("1-4")
    pillar = services.queries.pillar(6)
    assert (pillar.lead, pillar.name, pillar.measures) == ("未来を拓く", "新分野の開拓", ())
    before = len(audit(db_path))

    services.structure.remove_measure("1-4")
    services.structure.remove_pillar(6)
    assert titles(reader, "1")[-1] == "1-5 仮の施策B"
    assert services.structure.restore_measure(measure.code, measure.title).changes == Changes(
        structure=True
    )
    assert services.structure.restore_pillar(
        pillar.number, pillar.lead, pillar.name
    ).changes == Changes(structure=True)

    assert titles(reader, "1")[-2:] == ["1-4 仮の施策A", "1-5 仮の施策B"]
    assert [c.code for c in reader.tree().children] == ["1", "2", "3", "4", "5", "6", "7"]
    assert export_without_audit(db) == exported
    assert new_audit(db_path, before)[2:] == [
        ("restore", "measure", "1-4", "title", None, "仮の施策A"),
        ("restore", "pillar", "6", "name", None, "未来を拓く 新分野の開拓"),
    ]


# ------------------------------------------------------------ moving


def test_moving_a_measure_renumbers_and_reorders_the_tree(
    services: PlanServices, db: Database, db_path: Path, reader: PlanQueries
) -> None:
    exported = export_without_audit(db)
    before = len(audit(db_path))

    moved = services.structure.move_measure("1-2", 1)
    code, changes = moved.value, moved.changes

    assert code == "1-3"
    assert changes == Changes(
        kpis=frozenset({"K01", "K02", "K03"}),
        projects=frozenset({"PJ02", "PJ03", "PJ04", "PJ05"}),
        structure=True,
    )
    assert titles(reader, "1") == [
        "1-1 GX関連産業参入・脱炭素経営の推進",
        "1-2 仕事・新規事業創出の推進",
        "1-3 成長分野等の企業立地",
    ]
    assert (
        node(reader.tree(), "1-3").children[0].title
        == "洋上風力発電事業プロジェクト誘致による企業立地"
    )
    assert services.queries.kpi("K01").measures == ("1-1", "1-3")
    assert new_audit(db_path, before) == [
        ("move", "measure", "1-2", "number", "1-2", "1-3"),
        ("move", "measure", "1-3", "number", "1-3", "1-2"),
    ]

    assert services.structure.move_measure("1-3", -1).value == "1-2"  # the undo
    assert export_without_audit(db) == exported


def test_moving_a_pillar_renumbers_its_measures(
    services: PlanServices, db: Database, reader: PlanQueries
) -> None:
    exported = export_without_audit(db)
    moved = services.structure.move_pillar(1, 2)
    number, changes = moved.value, moved.changes
    assert number == 3
    assert [c.title for c in reader.tree().children][:3] == [
        "新時代を先導する 産業の競争力・基盤強化",
        "域内外の需要を獲得する 産業の育成",
        "地域経済に活力を生み出す 新産業の創出",
    ]
    assert titles(reader, "3")[0] == "3-1 GX関連産業参入・脱炭素経営の推進"
    assert "K01" in changes.kpis and "K04" in changes.kpis and "K10" not in changes.kpis
    assert services.queries.kpi("K01").measures == ("3-1", "3-2")
    services.structure.move_pillar(3, -2)
    assert export_without_audit(db) == exported


def test_moving_a_placement_and_a_kpi(
    services: PlanServices, db_path: Path, reader: PlanQueries
) -> None:
    before = len(audit(db_path))
    moved = services.placements.move_placement("1-2-3", -2)
    code, changes = moved.value, moved.changes
    assert code == "1-2-1"
    assert changes == Changes(projects=frozenset({"PJ02", "PJ03", "PJ04"}), structure=True)
    assert titles(reader, "1-2")[:3] == [
        "① 市内事業者・立地企業の脱炭素化の推進",
        "② 洋上風力発電事業プロジェクト誘致による企業立地",
        "③ 浮体式洋上風力発電のハブ港化",
    ]
    assert node(reader.tree(), "1-2-1").relisting  # the 再掲 mark moves with the placement

    assert services.kpis.move_kpi("K02", -1).changes == Changes(structure=True)
    assert [c.ref for c in node(reader.tree(), "1-2").children if c.kind is NodeKind.KPI] == [
        "K02",
        "K01",
    ]
    assert services.queries.kpi_order()[:3] == ["K02", "K01", "K03"]
    assert new_audit(db_path, before)[-1] == ("move", "kpi", "K02", "order", "2", "1")


def test_moving_zero_places_changes_nothing(services: PlanServices, db_path: Path) -> None:
    before = dump(db_path)
    assert services.structure.move_pillar(2, 0) == Applied(value=2)
    assert services.kpis.move_kpi("K01", 0) == Applied()
    assert dump(db_path) == before


# ------------------------------------------------------------ failures write nothing


@dataclass(frozen=True)
class Failing:
    run: Callable[[PlanServices], Any]
    error: type[Exception]
    message: str


FAILING: dict[str, Failing] = {
    "move_pillar_above_the_top": Failing(
        lambda s: s.structure.move_pillar(1, -1),
        ValidationError,
        "戦略の柱 1 はこれ以上上へ移動できません。",
    ),
    "move_measure_below_the_bottom": Failing(
        lambda s: s.structure.move_measure("1-3", 1), ValidationError, "これ以上下へ移動できません"
    ),
    "move_placement_unknown": Failing(
        lambda s: s.placements.move_placement("1-1-9", 1), NotFound, "掲載 1-1-9 が見つかりません。"
    ),
    "move_kpi_past_the_end": Failing(
        lambda s: s.kpis.move_kpi("K16", 1), ValidationError, "KPI K16 はこれ以上下へ"
    ),
    "restore_existing_kpi": Failing(
        lambda s: s.kpis.restore_kpi(s.queries.kpi("K01"), 0), Conflict, "KPI K01 は既にあるため"
    ),
    "restore_kpi_to_unknown_measure": Failing(
        lambda s: s.kpis.restore_kpi(replace(s.queries.kpi("K01"), id="K99", measures=("9-9",)), 0),
        NotFound,
        "共創施策 9-9 が見つかりません。",
    ),
    "restore_kpi_breaking_a_rule": Failing(
        lambda s: s.kpis.restore_kpi(
            replace(s.queries.kpi("K01"), id="K99", target=Decimal("-1")), 0
        ),
        ValidationError,
        "「増加」のKPIの目標値が基準値より小さく",
    ),
    "restore_existing_project": Failing(
        lambda s: s.placements.restore_project(*whole_project(s, "PJ02"), 0),
        Conflict,
        "既にあるため",
    ),
    "restore_project_onto_a_taken_number": Failing(
        lambda s: s.placements.restore_project(
            replace(whole_project(s, "PJ02")[0], id="PJ99"),
            [Placement("1-1-1", "PJ99", False)],
            0,
        ),
        Conflict,
        "掲載 1-1-1 は既に使われている",
    ),
    "restore_project_without_home": Failing(
        lambda s: s.placements.restore_project(
            replace(whole_project(s, "PJ02")[0], id="PJ99"), [], 0
        ),
        ValidationError,
        "本来の掲載先",
    ),
    "restore_project_twice_under_a_measure": Failing(
        lambda s: s.placements.restore_project(
            replace(whole_project(s, "PJ02")[0], id="PJ99"),
            [Placement("1-1-7", "PJ99", False), Placement("1-1-8", "PJ99", True)],
            0,
        ),
        ValidationError,
        "同じ共創施策への掲載が重複しています。",
    ),
    "restore_home_placement_alone": Failing(
        lambda s: s.placements.restore_placement(Placement("1-1-5", "PJ02", relisting=False)),
        Conflict,
        "再掲ではありません",
    ),
    "restore_relisting_twice_in_a_measure": Failing(
        lambda s: s.placements.restore_placement(Placement("1-2-9", "PJ02", relisting=True)),
        Conflict,
        "既に共創施策 1-2 に掲載されています",
    ),
    "restore_existing_pillar": Failing(
        lambda s: s.structure.restore_pillar(1, "", "重複"), Conflict, "戦略の柱 1 は既にあるため"
    ),
    "restore_measure_without_title": Failing(
        lambda s: s.structure.restore_measure("1-9", "  "),
        ValidationError,
        "名称を入力してください",
    ),
    "restore_existing_measure": Failing(
        lambda s: s.structure.restore_measure("1-1", "重複"),
        Conflict,
        "共創施策 1-1 は既にあるため",
    ),
}


@pytest.mark.parametrize("name", list(FAILING))
def test_failing_call_says_why_and_writes_nothing(
    name: str, services: PlanServices, db_path: Path
) -> None:
    failing = FAILING[name]
    before = dump(db_path)
    with pytest.raises(failing.error) as info:
        failing.run(services)
    assert failing.message in str(info.value)
    assert dump(db_path) == before


# ------------------------------------------------------------ one transaction with the audit


def _removed_kpi(s: PlanServices) -> Callable[[PlanServices], Any]:
    snapshot, position = s.queries.kpi("K16"), s.queries.kpi_order().index("K16")
    s.kpis.remove_kpi("K16")
    return lambda t: t.kpis.restore_kpi(snapshot, position)


def _removed_project(s: PlanServices) -> Callable[[PlanServices], Any]:
    (project, placements), position = (
        whole_project(s, "PJ02"),
        s.queries.project_order().index("PJ02"),
    )
    s.placements.remove_project("PJ02")
    return lambda t: t.placements.restore_project(project, placements, position)


ATOMIC: dict[str, Callable[[PlanServices], Callable[[PlanServices], Any]]] = {
    "move_pillar": lambda s: lambda t: t.structure.move_pillar(1, 1),
    "move_measure": lambda s: lambda t: t.structure.move_measure("2-1", 2),
    "move_placement": lambda s: lambda t: t.placements.move_placement("2-1-1", 3),
    "move_kpi": lambda s: lambda t: t.kpis.move_kpi("K01", 3),
    "restore_kpi": _removed_kpi,
    "restore_project": _removed_project,
    "restore_placement": lambda s: (
        s.placements.remove_placement("1-2-3"),
        lambda t: t.placements.restore_placement(Placement("1-2-3", "PJ02", relisting=True)),
    )[1],
    "restore_pillar": lambda s: (
        s.structure.add_pillar("", "仮"),
        s.structure.remove_pillar(6),
        lambda t: t.structure.restore_pillar(6, "", "仮"),
    )[2],
    "restore_measure": lambda s: (
        s.structure.add_measure(1, "仮"),
        s.structure.remove_measure("1-4"),
        lambda t: t.structure.restore_measure("1-4", "仮"),
    )[2],
}


@pytest.mark.parametrize("name", list(ATOMIC))
def test_call_whose_audit_cannot_be_written_changes_nothing(
    name: str, services: PlanServices, db_path: Path
) -> None:
    run = ATOMIC[name](services)
    refuse_inserts(db_path, "audit_log", "audit refused")
    before = dump(db_path)
    with pytest.raises(StoreError):
        run(services)
    assert dump(db_path) == before


# ------------------------------------------------------------ what goes with a removal


def test_undone_removal_of_a_measure_gives_back_its_evaluations_and_opinions(
    services: PlanServices, db: Database
) -> None:
    from aomori_desktop.domain.evaluation import Course
    from aomori_desktop.services.evaluation import MeasureEvaluationEdit

    services.structure.add_measure(1, "仮の施策A")  # 1-4, empty: it may be removed
    services.evaluation.set_measure_evaluation(
        "1-4",
        2024,
        MeasureEvaluationEdit(achievements="相談件数が増えた", course=Course.EXPAND),
    )
    services.evaluation.add_opinion(2024, "1-4", "周知を強化すべき", "次年度に説明会を開く")
    services.evaluation.add_opinion(2024, None, "計画全体への意見")
    exported = export_without_audit(db)
    assert len(exported["evaluations"]["opinions"]) == 2

    removed = services.structure.remove_measure("1-4")
    assert len(export_without_audit(db)["evaluations"]["opinions"]) == 1
    assert removed.undo is not None
    removed.undo()

    assert export_without_audit(db) == exported


def test_undone_removal_of_a_project_gives_back_its_chosen_directions(
    services: PlanServices, db: Database
) -> None:
    from aomori_desktop.domain.evaluation import Course

    services.evaluation.set_project_course("PJ02", 2024, Course.IMPROVE)
    services.evaluation.set_project_course("PJ02", 2025, Course.COMPLETE)
    exported = export_without_audit(db)

    removed = services.placements.remove_project("PJ02")
    assert removed.undo is not None
    removed.undo()

    assert export_without_audit(db) == exported
