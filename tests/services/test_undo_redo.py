"""Every service write carries its own undo, and the undo's own undo is the redo.

For each write: apply it, run its undo, run that undo's undo (the redo), and once more the
undo. The JSON export (without the audit log, which only grows) must be exactly what it was
before the write after each undo, and exactly what the write left after each redo: values,
yearly records with who entered them and when, links, order and codes. The clock ticks on
every transaction, so an undo that merely re-stamped a record could not pass.

Then: an undo refuses (Conflict, nothing written) when another connection has changed what
the write stored, so it never wipes a later value from another PC.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from aomori_desktop.domain.plan import Direction, FigureStatus, Partner, ProjectStatus, Sector
from aomori_desktop.exchange.json_format import dump_plan
from aomori_desktop.services.changes import Applied, Changes
from aomori_desktop.services.errors import Conflict
from aomori_desktop.services.kpi_fields import KpiFieldsEdit, undo_reason
from aomori_desktop.services.kpi_values import KpiYearEdit
from aomori_desktop.services.kpis import KpiDraft
from aomori_desktop.services.plan_services import PlanServices
from aomori_desktop.services.projects import ProjectFieldsEdit
from aomori_desktop.services.workspace import default_plan_id, export_plan
from aomori_desktop.store.database import Database, open_database
from aomori_desktop.store.errors import StoreError
from tests.services.conftest import NOW, USER
from tests.services.helpers import audit, dump, refuse_inserts, rows

OTHER = "八戸 次郎"  # a colleague on another PC


def plan_export(db: Database) -> dict[str, Any]:
    """The plan as the JSON export holds it, without the audit log."""
    document: dict[str, Any] = json.loads(dump_plan(export_plan(db)))
    document.pop("audit")
    return document


@pytest.fixture
def services(db: Database) -> PlanServices:
    """The services with a clock that moves on a minute per transaction."""
    ticks = itertools.count(1)
    return PlanServices(
        db, default_plan_id(db), user=USER, clock=lambda: NOW + timedelta(minutes=next(ticks))
    )


@pytest.fixture
def elsewhere(db_path: Path) -> Any:
    """The same plan opened by another user through another connection (another PC)."""
    database = open_database(db_path, busy_timeout=0.5)
    later = NOW + timedelta(days=1)
    yield PlanServices(database, default_plan_id(database), user=OTHER, clock=lambda: later)
    database.close()


def k01_history(s: PlanServices) -> None:
    s.values.record_actual("K01", 2024, Decimal("1"), status=FigureStatus.FINAL, comment="1社")
    s.values.record_actual("K01", 2025, Decimal("2.50"), status=FigureStatus.PRELIMINARY)
    s.values.set_interim_target("K01", 2026, Decimal("2"))
    s.kpi_fields.revise_target("K01", Decimal("5"), 2033, "案件形成の加速")
    s.values.clear_actual("K01", 2025)  # a record with who/when but no value


def pj02_history(s: PlanServices) -> None:
    s.projects.set_partners("PJ02", [Partner(Sector.FINANCE, "青森銀行")])
    s.projects.set_project_year("PJ02", 2024, status=ProjectStatus.STUDYING, note="勉強会")


DRAFT = KpiDraft(
    name="待機児童数",
    unit="人",
    baseline=Decimal("25"),
    baseline_fiscal_year=2023,
    target=Decimal("0"),
    target_fiscal_year=2033,
    direction=Direction.DECREASE,
    measures=("5-3", "1-1"),
)


@dataclass(frozen=True)
class Write:
    run: Callable[[PlanServices], Applied[Any]]
    prepare: Callable[[PlanServices], Any] | None = None


WRITES: dict[str, Write] = {
    "set_kpi_years_new_records": Write(
        lambda s: s.values.set_kpi_years(
            [
                KpiYearEdit("K03", 2026, actual=Decimal("12"), status=FigureStatus.FINAL),
                KpiYearEdit("K10", 2026, actual=Decimal("1200000"), comment="速報"),
            ],
            expected=[KpiYearEdit("K03", 2026, actual=None), KpiYearEdit("K10", 2026, actual=None)],
        )
    ),
    "set_kpi_years_over_a_colleagues_values": Write(
        lambda s: s.values.set_kpi_years(
            [
                KpiYearEdit("K01", 2024, actual=Decimal("1.0"), comment=""),
                KpiYearEdit("K01", 2026, interim_target=None),
            ]
        ),
        k01_history,
    ),
    "record_actual": Write(lambda s: s.values.record_actual("K16", 2024, Decimal("8.40"))),
    "clear_actual": Write(lambda s: s.values.clear_actual("K01", 2024), k01_history),
    "set_interim_target": Write(
        lambda s: s.values.set_interim_target("K05", 2025, Decimal("16.0"))
    ),
    "update_kpi": Write(
        lambda s: s.kpi_fields.update_kpi(
            "K16",
            KpiFieldsEdit(
                name="働く場が確保されていると感じる市民の割合",
                baseline=Decimal("8.40"),
                baseline_fiscal_year_confirmed=True,
                data_source="市民意識調査",
            ),
        )
    ),
    "update_kpi_direction": Write(
        lambda s: s.kpi_fields.update_kpi(
            "K02", KpiFieldsEdit(direction=Direction.INCREASE, cumulative=True)
        )
    ),
    "add_kpi": Write(lambda s: s.kpis.add_kpi(DRAFT)),
    "remove_kpi_with_its_years_and_revisions": Write(
        lambda s: s.kpis.remove_kpi("K01"), k01_history
    ),
    "set_kpi_measures": Write(lambda s: s.kpis.set_kpi_measures("K01", ["1-2", "3-1"])),
    "move_kpi": Write(lambda s: s.kpis.move_kpi("K05", -3)),
    "update_project": Write(
        lambda s: s.projects.update_project(
            "PJ02", ProjectFieldsEdit(title="脱炭素経営の推進", responsible_section="環境政策課")
        )
    ),
    "set_project_year_new_record": Write(
        lambda s: s.projects.set_project_year(
            "PJ01", 2025, status=ProjectStatus.IN_PROGRESS, note="説明会を2回開催"
        )
    ),
    "set_project_year_over_a_record": Write(
        lambda s: s.projects.set_project_year("PJ02", 2024, status=ProjectStatus.COMPLETED),
        pj02_history,
    ),
    "set_partners": Write(
        lambda s: s.projects.set_partners(
            "PJ02", [Partner(Sector.ACADEMIA, "弘前大学"), Partner(Sector.FINANCE, "青森銀行")]
        ),
        pj02_history,
    ),
    "add_project": Write(lambda s: s.placements.add_project("1-3", "学生起業家の育成", "説明")),
    "remove_project_with_its_relisting_partners_and_years": Write(
        lambda s: s.placements.remove_project("PJ02"), pj02_history
    ),
    "add_relisting": Write(lambda s: s.placements.add_relisting("PJ05", "2-3")),
    "remove_relisting": Write(lambda s: s.placements.remove_placement("1-2-3")),
    "move_placement": Write(lambda s: s.placements.move_placement("1-2-3", -2)),
    "add_pillar": Write(lambda s: s.structure.add_pillar("未来を拓く", "新分野の開拓")),
    "rename_pillar": Write(lambda s: s.structure.rename_pillar(5, "人が輝く", "人材の確保")),
    "remove_pillar": Write(
        lambda s: s.structure.remove_pillar(6), lambda s: s.structure.add_pillar("", "仮の柱")
    ),
    "move_pillar": Write(lambda s: s.structure.move_pillar(1, 2)),
    "add_measure": Write(lambda s: s.structure.add_measure(1, "新たな施策")),
    "rename_measure": Write(lambda s: s.structure.rename_measure("1-3", "起業・創業の推進")),
    "remove_measure": Write(
        lambda s: s.structure.remove_measure("1-4"),
        lambda s: s.structure.add_measure(1, "仮の施策"),
    ),
    "move_measure": Write(lambda s: s.structure.move_measure("1-2", 1)),
}


@pytest.mark.parametrize("name", list(WRITES))
def test_undo_puts_back_exactly_and_its_undo_redoes(
    name: str, services: PlanServices, db: Database, db_path: Path
) -> None:
    write = WRITES[name]
    if write.prepare:
        write.prepare(services)
    before = plan_export(db)

    applied = write.run(services)
    after = plan_export(db)
    assert not applied.empty and after != before
    assert applied.undo is not None

    undone = applied.undo()
    assert plan_export(db) == before
    assert undone.changes  # the views to refresh
    assert undone.undo is not None

    audited = len(audit(db_path))
    redone = undone.undo()
    assert plan_export(db) == after
    assert redone.value == applied.value  # the same code or number again
    assert len(audit(db_path)) > audited  # undo and redo are audited, never rewritten

    assert redone.undo is not None
    redone.undo()
    assert plan_export(db) == before


@pytest.mark.parametrize("name", list(WRITES))
def test_undo_whose_audit_cannot_be_written_changes_nothing(
    name: str, services: PlanServices, db_path: Path
) -> None:
    write = WRITES[name]
    if write.prepare:
        write.prepare(services)
    applied = write.run(services)
    refuse_inserts(db_path, "audit_log", "audit refused")
    before = dump(db_path)
    assert applied.undo is not None
    with pytest.raises(StoreError):
        applied.undo()
    assert dump(db_path) == before


def test_undo_of_a_removed_kpi_brings_back_its_years_revisions_links_and_place(
    services: PlanServices, db: Database
) -> None:
    k01_history(services)
    kept = services.queries.kpi("K01")
    order = services.queries.kpi_order()

    removed = services.kpis.remove_kpi("K01")
    assert removed.changes == Changes(kpis=frozenset({"K01"}), structure=True)
    assert removed.value == "K01"
    assert removed.undo is not None
    restored = removed.undo()

    assert restored.value == "K01"
    assert services.queries.kpi("K01") == kept  # every value, year and revision
    assert kept.measures == ("1-1", "1-2")
    assert [y.fiscal_year for y in kept.years] == [2024, 2025, 2026]
    assert services.queries.kpi_order() == order
    assert [e.action for e in services.queries.history("kpi", "K01")][-3:] == [
        "delete",
        "restore",
        "restore",
    ]


def test_undo_of_a_relisting_and_of_its_removal(
    services: PlanServices, db: Database, db_path: Path
) -> None:
    before = plan_export(db)
    added = services.placements.add_relisting("PJ05", "2-3")
    assert added.value == "2-3-3"
    assert added.undo is not None
    removed = added.undo()
    assert plan_export(db) == before
    assert removed.value == "2-3-3"
    assert removed.undo is not None
    again = removed.undo()  # the redo lists it again under the same number
    assert again.value == "2-3-3"
    assert [r[0] for r in rows(db_path, "SELECT action FROM audit_log ORDER BY id")] == [
        "create",
        "delete",
        "restore",
    ]


def test_undo_of_a_target_revision_is_one_more_revision(
    services: PlanServices, db_path: Path
) -> None:
    reason = "国の補助制度の拡充"
    revised = services.kpi_fields.revise_target("K05", Decimal("35"), 2031, reason)
    assert revised.undo is not None
    undone = revised.undo()
    assert rows(db_path, "SELECT target, target_fiscal_year FROM kpi WHERE code = 'K05'") == [
        ("30", 2033)
    ]
    assert undone.undo is not None
    undone.undo()  # the redo

    assert rows(db_path, "SELECT target, target_fiscal_year FROM kpi WHERE code = 'K05'") == [
        ("35", 2031)
    ]
    # the history keeps every revision: the undone one, its undo and the redo
    assert rows(
        db_path,
        "SELECT old_value, old_fiscal_year, new_value, new_fiscal_year, reason, revised_by "
        "FROM target_revision ORDER BY id",
    ) == [
        ("30", 2033, "35", 2031, reason, USER),
        ("35", 2031, "30", 2033, undo_reason(reason), USER),
        ("30", 2033, "35", 2031, reason, USER),
    ]
    assert undo_reason(reason) == "見直しの取り消し（元の理由: 国の補助制度の拡充）"


def test_undo_takes_back_who_entered_a_value_and_when(
    services: PlanServices, elsewhere: PlanServices, db_path: Path
) -> None:
    elsewhere.values.record_actual("K03", 2024, Decimal("80"), comment="速報値")
    stamp = rows(db_path, "SELECT entered_by, entered_at FROM kpi_year")
    assert stamp[0][0] == OTHER

    applied = services.values.record_actual("K03", 2024, Decimal("85"))
    assert rows(db_path, "SELECT entered_by FROM kpi_year") == [(USER,)]
    assert applied.undo is not None
    applied.undo()
    assert rows(db_path, "SELECT actual, comment, entered_by, entered_at FROM kpi_year") == [
        ("80", "速報値", *stamp[0])
    ]


def test_undo_after_a_colleague_changed_another_field_of_the_record(
    services: PlanServices, elsewhere: PlanServices, db_path: Path
) -> None:
    """The colleague's comment stays, and the record no longer claims to be theirs alone."""
    applied = services.values.record_actual("K03", 2024, Decimal("85"))
    elsewhere.values.set_kpi_years([KpiYearEdit("K03", 2024, comment="県の統計による")])
    assert applied.undo is not None
    applied.undo()
    assert rows(db_path, "SELECT actual, comment, entered_by FROM kpi_year") == [
        (None, "県の統計による", USER)
    ]


# ------------------------------------------------------------ undo refused after a change elsewhere


@dataclass(frozen=True)
class Meanwhile:
    run: Callable[[PlanServices], Applied[Any]]  # this user's write
    other: Callable[[PlanServices], Any]  # what the colleague changes afterwards
    says: str  # what the refusal names
    prepare: Callable[[PlanServices], Any] | None = None


MEANWHILE: dict[str, Meanwhile] = {
    "yearly_value": Meanwhile(
        lambda s: s.values.record_actual("K10", 2024, Decimal("1200000")),
        lambda o: o.values.record_actual("K10", 2024, Decimal("1250000")),
        "KPI K10 令和6(2024)年度の実績値（現在: 1,250,000）",
    ),
    "kpi_field": Meanwhile(
        lambda s: s.kpi_fields.update_kpi("K08", KpiFieldsEdit(responsible_section="経済政策課")),
        lambda o: o.kpi_fields.update_kpi("K08", KpiFieldsEdit(responsible_section="商工業振興課")),
        "KPI K08の担当課（現在: 商工業振興課）",
    ),
    "target_revision": Meanwhile(
        lambda s: s.kpi_fields.revise_target("K05", Decimal("35"), 2033, "上方修正"),
        lambda o: o.kpi_fields.revise_target("K05", Decimal("40"), 2033, "さらに上方修正"),
        "KPI K05の目標値（現在: 40、令和15(2033)年度）",
    ),
    "kpi_measures": Meanwhile(
        lambda s: s.kpis.set_kpi_measures("K01", ["1-2"]),
        lambda o: o.kpis.set_kpi_measures("K01", ["1-2", "3-1"]),
        "KPI K01の共創施策（現在: 1-2、3-1）",
    ),
    "project_note": Meanwhile(
        lambda s: s.projects.set_project_year("PJ01", 2025, note="説明会を開催"),
        lambda o: o.projects.set_project_year("PJ01", 2025, note="説明会を2回開催"),
        "共創プロジェクト PJ01 令和7(2025)年度のメモ（現在: 説明会を2回開催）",
    ),
    "project_title": Meanwhile(
        lambda s: s.projects.update_project("PJ01", ProjectFieldsEdit(title="港湾の活用")),
        lambda o: o.projects.update_project("PJ01", ProjectFieldsEdit(title="港湾の利活用")),
        "共創プロジェクト PJ01の名称（現在: 港湾の利活用）",
    ),
    "partners": Meanwhile(
        lambda s: s.projects.set_partners("PJ01", [Partner(Sector.INDUSTRY, "A社")]),
        lambda o: o.projects.set_partners("PJ01", [Partner(Sector.INDUSTRY, "B社")]),
        "共創プロジェクト PJ01の連携先（現在: 産:B社）",
    ),
    "measure_title": Meanwhile(
        lambda s: s.structure.rename_measure("1-3", "起業・創業の推進"),
        lambda o: o.structure.rename_measure("1-3", "起業の推進"),
        "共創施策 1-3の名称（現在: 起業の推進）",
    ),
    "moved_measure": Meanwhile(
        lambda s: s.structure.move_measure("1-2", 1),
        lambda o: o.structure.move_measure("1-2", 1),  # now moves the other measure to 1-3
        "共創施策 1-3（現在: 仕事・新規事業創出の推進）",
    ),
    "moved_kpi": Meanwhile(
        lambda s: s.kpis.move_kpi("K05", -3),
        lambda o: o.kpis.move_kpi("K05", 2),
        "KPI K05の並び順（現在: 4番目）",
    ),
}


@pytest.mark.parametrize("name", list(MEANWHILE))
def test_undo_refuses_over_a_change_made_elsewhere_and_writes_nothing(
    name: str, services: PlanServices, elsewhere: PlanServices, db_path: Path
) -> None:
    case = MEANWHILE[name]
    applied = case.run(services)
    case.other(elsewhere)
    before = dump(db_path)
    assert applied.undo is not None

    with pytest.raises(Conflict) as info:
        applied.undo()

    assert "他の利用者（または別の画面）が次の値を変更しています。何も保存していません。" in (
        info.value.message
    )
    assert case.says in info.value.message
    assert dump(db_path) == before
