"""Two people editing the same plan at once, each on their own connection (on an SQLite file
and on a PostgreSQL server): the second writer is refused with the first writer's name, value
and time, nothing is overwritten unseen, and the audit trail keeps both histories."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from aomori_desktop.domain.plan import FigureStatus, ProjectStatus
from aomori_desktop.services import kpi_fields, kpi_values
from aomori_desktop.services.errors import ChangedField, ChangedMeanwhile, Conflict
from aomori_desktop.services.kpi_fields import KpiFieldsEdit
from aomori_desktop.services.kpi_values import UNSET, KpiYearEdit
from aomori_desktop.services.plan_services import PlanServices
from aomori_desktop.services.projects import ProjectFieldsEdit
from aomori_desktop.services.workspace import default_plan_id
from aomori_desktop.store.database import Database, open_database
from aomori_desktop.store.errors import DatabaseLocked
from tests.backends import Target
from tests.services.helpers import audit, rows

JST = timezone(timedelta(hours=9))
HANAKO_AT = datetime(2026, 4, 1, 9, 30, tzinfo=JST)
TARO_AT = datetime(2026, 4, 1, 9, 45, tzinfo=JST)


@pytest.fixture
def two(db_path: Target) -> Iterator[tuple[PlanServices, PlanServices]]:
    """花子 and 太郎, each with their own database connection (their own PC)."""
    first = open_database(db_path, busy_timeout=2.0)
    second = open_database(db_path, busy_timeout=2.0)
    try:
        plan = default_plan_id(first)
        yield (
            PlanServices(first, plan, user="青森 花子", clock=lambda: HANAKO_AT),
            PlanServices(second, plan, user="青森 太郎", clock=lambda: TARO_AT),
        )
    finally:
        first.close()
        second.close()


def test_second_writer_of_a_kpi_year_sees_who_wrote_what_and_when(
    two: tuple[PlanServices, PlanServices], db_path: Target
) -> None:
    hanako, taro = two
    shown = KpiYearEdit("K03", 2024, actual=None)  # both screens show an empty cell
    hanako.values.set_kpi_years([KpiYearEdit("K03", 2024, actual=Decimal("84"))], expected=[shown])

    with pytest.raises(ChangedMeanwhile) as refused:
        taro.values.set_kpi_years(
            [KpiYearEdit("K03", 2024, actual=Decimal("85"))], expected=[shown]
        )

    assert refused.value.fields == (
        ChangedField(
            "KPI K03 令和6(2024)年度の実績値",
            "84",
            "青森 花子",
            HANAKO_AT.astimezone(UTC),
            "kpi_year",
            "K03/2024",
            "actual",
            Decimal("84"),
        ),
    )
    assert (
        "・KPI K03 令和6(2024)年度の実績値（現在: 84）　2026年4月1日 9:30 青森 花子さんが変更"
        in refused.value.message
    )
    assert rows(db_path, "SELECT actual, entered_by FROM kpi_year") == [("84", "青森 花子")]

    # 太郎 chooses to write his own value over hers, now that he has seen it
    taro.values.set_kpi_years(
        [KpiYearEdit("K03", 2024, actual=Decimal("85"))],
        expected=[KpiYearEdit("K03", 2024, actual=Decimal("84"))],
    )
    assert rows(db_path, "SELECT actual, entered_by FROM kpi_year") == [("85", "青森 太郎")]
    assert [(a[0], a[4], a[5], a[6], a[7]) for a in audit(db_path)] == [
        ("青森 花子", "K03/2024", "actual", None, "84"),
        ("青森 太郎", "K03/2024", "actual", "84", "85"),
    ]


def test_a_comment_changed_meanwhile_is_not_overwritten(
    two: tuple[PlanServices, PlanServices], db_path: Target
) -> None:
    hanako, taro = two
    shown = KpiYearEdit("K05", 2025, comment="")
    hanako.values.set_kpi_years([KpiYearEdit("K05", 2025, comment="速報値")], expected=[shown])
    with pytest.raises(ChangedMeanwhile) as refused:
        taro.values.set_kpi_years([KpiYearEdit("K05", 2025, comment="確定")], expected=[shown])
    assert (
        "コメント（現在: 速報値）　2026年4月1日 9:30 青森 花子さんが変更" in refused.value.message
    )
    assert rows(db_path, "SELECT comment FROM kpi_year") == [("速報値",)]


def test_two_people_filling_different_fields_of_one_year_do_not_refuse_each_other(
    two: tuple[PlanServices, PlanServices], db_path: Target
) -> None:
    """The check is per field, not per row: the 実績値 and the コメント of the same KPI year,
    entered at once on two PCs from the same screen, are both stored."""
    hanako, taro = two
    hanako.values.set_kpi_years(
        [KpiYearEdit("K05", 2025, actual=Decimal("12.5"))],
        expected=[KpiYearEdit("K05", 2025, actual=None)],
    )
    taro.values.set_kpi_years(
        [KpiYearEdit("K05", 2025, comment="速報値")],
        expected=[KpiYearEdit("K05", 2025, comment="")],
    )
    assert rows(db_path, "SELECT actual, comment FROM kpi_year") == [("12.5", "速報値")]
    assert [(a[0], a[5]) for a in audit(db_path) if a[5] in ("actual", "comment")] == [
        ("青森 花子", "actual"),
        ("青森 太郎", "comment"),
    ]


def test_writing_yours_over_theirs_expects_theirs_and_keeps_both_histories(
    two: tuple[PlanServices, PlanServices], db_path: Target
) -> None:
    """太郎 saw the refusal and chooses to write his own figures: the write expects what 花子
    stored (a third change in between is refused again), the fields she did not touch still
    expect what his screen showed, and the audit trail keeps her entry and his."""
    hanako, taro = two
    shown = [KpiYearEdit("K03", 2025, actual=None, status=None, comment="")]
    hanako.values.set_kpi_years(
        [KpiYearEdit("K03", 2025, actual=Decimal("1200"), comment="速報")],
        expected=[KpiYearEdit("K03", 2025, actual=None, comment="")],
    )
    mine = [
        KpiYearEdit(
            "K03", 2025, actual=Decimal("1300"), status=FigureStatus.FINAL, comment="確定値"
        )
    ]
    with pytest.raises(ChangedMeanwhile) as refused:
        taro.values.set_kpi_years(mine, expected=shown)
    fields = refused.value.fields
    assert [(f.what, f.theirs, f.by) for f in fields] == [
        ("KPI K03 令和7(2025)年度の実績値", "1,200", "青森 花子"),
        ("KPI K03 令和7(2025)年度のコメント", "速報", "青森 花子"),
    ]
    assert [kpi_values.entered_value(mine, f) for f in fields] == [Decimal("1300"), "確定値"]
    rebased = kpi_values.expecting_theirs(shown, fields)
    assert rebased == [
        KpiYearEdit("K03", 2025, actual=Decimal("1200"), status=None, comment="速報")
    ]

    # a third change lands before 太郎's overwrite: refused again, with its writer
    third = PlanServices(hanako.access.db, hanako.access.plan_id, user="青森 次郎")
    third.values.set_kpi_years(
        [KpiYearEdit("K03", 2025, actual=Decimal("1250"))],
        expected=[KpiYearEdit("K03", 2025, actual=Decimal("1200"))],
    )
    with pytest.raises(ChangedMeanwhile) as again:
        taro.values.set_kpi_years(mine, expected=rebased)
    assert [(f.theirs, f.by) for f in again.value.fields] == [("1,250", "青森 次郎")]
    assert rows(db_path, "SELECT actual, comment FROM kpi_year") == [("1250", "速報")]

    taro.values.set_kpi_years(
        mine, expected=kpi_values.expecting_theirs(rebased, again.value.fields)
    )
    assert rows(db_path, "SELECT actual, status, comment, entered_by FROM kpi_year") == [
        ("1300", "final", "確定値", "青森 太郎")
    ]
    assert [(a[0], a[5], a[6], a[7]) for a in audit(db_path)] == [
        ("青森 花子", "actual", None, "1200"),
        ("青森 花子", "comment", "", "速報"),
        ("青森 次郎", "actual", "1200", "1250"),
        ("青森 太郎", "actual", "1250", "1300"),
        ("青森 太郎", "status", None, "final"),
        ("青森 太郎", "comment", "速報", "確定値"),
    ]


def test_writing_your_kpi_field_over_theirs(
    two: tuple[PlanServices, PlanServices], db_path: Target
) -> None:
    hanako, taro = two
    detail = taro.queries.kpi_detail("K03")
    shown = KpiFieldsEdit(unit=detail.unit, responsible_section=detail.responsible_section)
    hanako.kpi_fields.update_kpi(
        "K03", KpiFieldsEdit(responsible_section="経済政策課"), expected=shown
    )
    mine = KpiFieldsEdit(unit="社", responsible_section="商工業振興課")
    with pytest.raises(ChangedMeanwhile) as refused:
        taro.kpi_fields.update_kpi("K03", mine, expected=shown)
    (field,) = refused.value.fields
    assert (field.what, field.theirs, field.by) == ("KPI K03の担当課", "経済政策課", "青森 花子")
    assert kpi_fields.entered_value("K03", mine, field) == "商工業振興課"
    assert kpi_fields.entered_value("K04", mine, field) is UNSET
    rebased = kpi_fields.expecting_theirs("K03", shown, refused.value.fields)
    assert rebased == KpiFieldsEdit(unit=detail.unit, responsible_section="経済政策課")

    taro.kpi_fields.update_kpi("K03", mine, expected=rebased)
    assert rows(db_path, "SELECT unit, responsible_section FROM kpi WHERE code = 'K03'") == [
        ("社", "商工業振興課")
    ]
    assert [(a[0], a[5], a[6], a[7]) for a in audit(db_path)] == [
        ("青森 花子", "responsible_section", detail.responsible_section, "経済政策課"),
        ("青森 太郎", "unit", detail.unit, "社"),
        ("青森 太郎", "responsible_section", "経済政策課", "商工業振興課"),
    ]


def test_kpi_fields_and_project_fields_name_who_changed_them(
    two: tuple[PlanServices, PlanServices], db_path: Target
) -> None:
    hanako, taro = two
    unit_shown = KpiFieldsEdit(unit=taro.queries.kpi_detail("K03").unit)
    hanako.kpi_fields.update_kpi("K03", KpiFieldsEdit(unit="社"), expected=unit_shown)
    with pytest.raises(ChangedMeanwhile) as refused:
        taro.kpi_fields.update_kpi("K03", KpiFieldsEdit(unit="件"), expected=unit_shown)
    assert refused.value.fields[0].what == "KPI K03の単位"
    assert (refused.value.fields[0].theirs, refused.value.fields[0].by) == ("社", "青森 花子")

    title_shown = ProjectFieldsEdit(title=taro.queries.project("PJ02").title)
    hanako.projects.update_project(
        "PJ02", ProjectFieldsEdit(title="新しい名称"), expected=title_shown
    )
    with pytest.raises(ChangedMeanwhile) as refused:
        taro.projects.update_project(
            "PJ02", ProjectFieldsEdit(title="別の名称"), expected=title_shown
        )
    assert refused.value.fields[0].by == "青森 花子"
    assert "新しい名称" in refused.value.message

    hanako.projects.set_project_year("PJ02", 2024, status=ProjectStatus.IN_PROGRESS)
    assert rows(db_path, "SELECT title FROM project WHERE code = 'PJ02'") == [("新しい名称",)]


def test_many_writers_at_the_same_moment_exactly_one_is_stored(db_path: Target) -> None:
    """Six people press Enter on the same empty cell at once: one value is stored, the five
    others are refused (none overwrites another unseen), however their transactions
    interleave. (SQLite may answer "locked" to a writer whose read has to give way; it tries
    again, as the window's worker does.)"""
    databases: list[Database] = [open_database(db_path, busy_timeout=10.0) for _ in range(6)]
    try:
        plan = default_plan_id(databases[0])
        start = threading.Barrier(len(databases))
        outcomes: list[str] = []

        def enter(i: int, db: Database) -> None:
            services = PlanServices(db, plan, user=f"職員{i}")
            start.wait()
            for _attempt in range(100):  # as the window's worker does: a lock is waited out
                try:
                    services.values.set_kpi_years(
                        [KpiYearEdit("K10", 2024, actual=Decimal(1000 + i))],
                        expected=[KpiYearEdit("K10", 2024, actual=None)],
                    )
                    outcomes.append("stored")
                    return
                except Conflict:
                    outcomes.append("refused")
                    return
                except DatabaseLocked:
                    time.sleep(0.05)
            outcomes.append("never got through")

        threads = [threading.Thread(target=enter, args=(i, db)) for i, db in enumerate(databases)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        for db in databases:
            db.close()
    assert sorted(outcomes) == ["refused"] * 5 + ["stored"]
    assert len(rows(db_path, "SELECT actual FROM kpi_year")) == 1
    assert len([a for a in audit(db_path) if a[4] == "K10/2024"]) == 1
