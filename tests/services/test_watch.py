"""Others' writes found by a window (services/watch.py), on an SQLite file and on a server:
another connection writes → the window's watch names what changed and who; its own writes,
and nothing at all, give nothing; on a server a NOTIFY wakes it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import event

from aomori_desktop.services.changes import Changes
from aomori_desktop.services.kpi_fields import KpiFieldsEdit
from aomori_desktop.services.kpi_values import KpiYearEdit
from aomori_desktop.services.plan_services import PlanServices
from aomori_desktop.services.watch import PlanWatch, changes_since, last_audit_id
from aomori_desktop.services.workspace import default_plan_id
from aomori_desktop.store.database import open_database
from tests.backends import Target, execute, is_postgres


@pytest.fixture
def two(db_path: Target) -> Iterator[tuple[PlanServices, PlanServices]]:
    """This window (花子) and another PC (太郎), each with its own connection."""
    first = open_database(db_path, busy_timeout=2.0)
    second = open_database(db_path, busy_timeout=2.0)
    try:
        plan = default_plan_id(first)
        yield (
            PlanServices(first, plan, user="青森 花子"),
            PlanServices(second, plan, user="青森 太郎"),
        )
    finally:
        first.close()
        second.close()


def test_another_connection_writing_a_value_names_the_kpi_and_who(
    two: tuple[PlanServices, PlanServices],
) -> None:
    mine, theirs = two
    watch = PlanWatch(mine.access)
    assert watch.check() is None

    theirs.values.set_kpi_years([KpiYearEdit("K03", 2024, actual=Decimal("84"))])

    found = watch.check()
    assert found is not None
    assert found.changes == Changes(kpis=frozenset({"K03"}))
    assert found.users == ("青森 太郎",)
    assert found.sentence() == "他の利用者（青森 太郎さん）が K03 を変更しました"
    assert watch.check() is None  # seen once


def test_own_writes_are_left_out_but_others_in_between_are_not(
    two: tuple[PlanServices, PlanServices],
) -> None:
    mine, theirs = two
    watch = PlanWatch(mine.access)
    mine.values.set_kpi_years([KpiYearEdit("K01", 2024, actual=Decimal("1"))])
    theirs.kpi_fields.update_kpi("K02", KpiFieldsEdit(unit="テスト単位"))
    mine.values.set_kpi_years([KpiYearEdit("K01", 2025, actual=Decimal("2"))])

    found = watch.check()
    assert found is not None
    assert found.changes == Changes(kpis=frozenset({"K02"}))

    mine.values.set_kpi_years([KpiYearEdit("K01", 2026, actual=Decimal("3"))])
    assert watch.check() is None  # only my own write since


def test_renaming_and_structure_refresh_the_tree(two: tuple[PlanServices, PlanServices]) -> None:
    mine, theirs = two
    last = last_audit_id(mine.access)
    theirs.kpi_fields.update_kpi("K04", KpiFieldsEdit(name="新しい名前"))
    theirs.structure.rename_measure("1-1", "施策の新しい名前")

    found, newest = changes_since(mine.access, last)
    assert found is not None
    assert found.changes == Changes(kpis=frozenset({"K04"}), structure=True)
    assert found.items == ("K04", "1-1")
    assert newest > last
    assert changes_since(mine.access, newest) == (None, newest)


def test_a_row_that_cannot_be_placed_refreshes_everything(
    two: tuple[PlanServices, PlanServices], db_path: Target
) -> None:
    mine, _theirs = two
    last = last_audit_id(mine.access)
    execute(
        db_path,
        "INSERT INTO audit_log (plan_id, at, user, action, entity, entity_key, field, reason) "
        f"VALUES ({mine.plan_id}, '2026-04-01 00:00:00', 'tool', 'update', 'something_new', "
        "'x', 'y', '')".replace(" user,", ' "user",'),
    )
    found, _ = changes_since(mine.access, last)
    assert found is not None and found.everything
    assert {"K01", "K03"} <= found.changes.kpis and found.changes.structure
    assert found.changes.projects and "plan" in found.changes.evaluations
    assert found.sentence() == "他の利用者（toolさん）が計画を変更しました。表示を更新しました。"


def test_nothing_new_costs_one_query_on_the_primary_key(
    two: tuple[PlanServices, PlanServices],
) -> None:
    mine, _theirs = two
    watch = PlanWatch(mine.access)
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    engine = mine.access.db.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert watch.check() is None
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    queries = [s for s in statements if "audit_log" in s]
    assert len(queries) == 1
    assert "ORDER BY audit_log.id DESC" in queries[0] and "LIMIT" in queries[0]


def test_the_newest_row_is_found_without_reading_the_plan_index(db_path: Target) -> None:
    """On SQLite the check walks the primary key backwards (no temporary sort, no scan of the
    plan's index); on PostgreSQL an index scan on the primary key."""
    import sqlite3

    from tests.backends import rows

    sql = "SELECT id FROM audit_log WHERE plan_id + 0 = 1 ORDER BY id DESC LIMIT 1"
    if is_postgres(db_path):  # a log of some size, as the server's statistics know it
        execute(
            db_path,
            'INSERT INTO audit_log (plan_id, at, "user", action, entity, entity_key, field, '
            "reason) SELECT 1, now(), 'u', 'update', 'kpi_year', 'K01/' || g, 'actual', '' "
            "FROM generate_series(1, 20000) AS g; ANALYZE audit_log",
        )
        plan = " ".join(r[0] for r in rows(db_path, "EXPLAIN " + sql))
        assert "Index Scan Backward using pk_audit_log" in plan
        return
    con = sqlite3.connect(db_path)
    try:
        plan = " ".join(str(r[-1]) for r in con.execute("EXPLAIN QUERY PLAN " + sql))
    finally:
        con.close()
    assert plan == "SCAN audit_log"  # in rowid order, newest first: no TEMP B-TREE


def test_a_write_on_the_server_is_heard_at_once(
    two: tuple[PlanServices, PlanServices], db_path: Target
) -> None:
    mine, theirs = two
    watch = PlanWatch(mine.access)
    heard = threading.Event()
    lost = threading.Event()
    listener = watch.listen(heard.set, lost.set, wait_s=10.0)
    if not is_postgres(db_path):
        assert listener is None  # a file: the window polls
        return
    assert listener is not None and listener.listening
    try:
        theirs.values.set_kpi_years([KpiYearEdit("K05", 2024, actual=Decimal("7"))])
        assert heard.wait(10.0)
        found = watch.check()
        assert found is not None and found.changes.kpis == {"K05"}
        assert not lost.is_set()
    finally:
        listener.stop()
    assert not listener._thread.is_alive()
