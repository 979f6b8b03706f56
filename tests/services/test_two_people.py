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

from aomori_desktop.domain.plan import ProjectStatus
from aomori_desktop.services.errors import ChangedField, ChangedMeanwhile, Conflict
from aomori_desktop.services.kpi_fields import KpiFieldsEdit
from aomori_desktop.services.kpi_values import KpiYearEdit
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
            "KPI K03 令和6(2024)年度の実績値", "84", "青森 花子", HANAKO_AT.astimezone(UTC)
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
