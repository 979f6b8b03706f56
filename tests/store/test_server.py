"""A PostgreSQL server as the database: exact decimals, migrations, and every fault a network
brings as a Japanese sentence; a connection dropped during an edit or an import leaves
nothing half-written, and the next operation reconnects by itself."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from aomori_desktop.domain.errors import UserError
from aomori_desktop.exchange.json_format import dump_plan
from aomori_desktop.services.kpi_values import KpiYearEdit
from aomori_desktop.services.plan_services import PlanServices
from aomori_desktop.services.workspace import (
    create_seeded_database,
    default_plan_id,
    export_plan,
    import_plan,
)
from aomori_desktop.store import engine as store_engine
from aomori_desktop.store.database import create_database, open_database
from aomori_desktop.store.errors import (
    ConnectionLost,
    DatabaseNotFound,
    PasswordRequired,
    ServerTooOld,
    ServerUnreachable,
    StatementTimeout,
    WrongPassword,
)
from tests import backends
from tests.store.helpers import assert_japanese_sentence


@pytest.fixture(scope="module")
def template() -> Iterator[str]:
    url = backends.new_database("store_tmpl")
    create_seeded_database(url).close()
    yield url
    backends.drop_database(url)


@pytest.fixture
def server_db(template: str) -> Iterator[str]:
    url = backends.new_database("store", template)
    yield url
    backends.drop_database(url)


def _with(url: str, **parts: object) -> str:
    return make_url(url)._replace(**parts).render_as_string(hide_password=False)


def test_decimals_keep_the_digits_typed_and_the_schema_is_current(server_db: str) -> None:
    db = open_database(server_db)
    try:
        services = PlanServices(db, default_plan_id(db), user="青森 太郎")
        for typed in ("8.40", "1109980", "0.000123", "123456789012345.25"):
            services.values.set_kpi_years([KpiYearEdit("K10", 2024, actual=Decimal(typed))])
            assert str(services.queries.kpi_detail("K10").year(2024).actual) == typed
        assert backends.rows(server_db, "SELECT actual FROM kpi_year") == [("123456789012345.25",)]
        assert (
            db.schema_revision()
            == backends.rows(server_db, "SELECT version_num FROM alembic_version")[0][0]
        )
    finally:
        db.close()


def test_unreachable_server_wrong_password_missing_database_and_no_password() -> None:
    url = backends.postgres_url()
    cases = [
        (_with(url, port=1), ServerUnreachable, "サーバーが起動しているか"),
        (_with(url, host="no-such-host.invalid"), ServerUnreachable, "接続できません"),
        (_with(url, password="wrong"), WrongPassword, "パスワードが違います"),
        (
            _with(url, database="no_such_db"),
            DatabaseNotFound,
            "データベース「no_such_db」がありません",
        ),
        (_with(url, password=None), PasswordRequired, "パスワードが必要です"),
    ]
    for target, kind, says in cases:
        with pytest.raises(kind) as refused:
            open_database(target)
        assert says in refused.value.message, refused.value.message
        assert_japanese_sentence(refused.value.message)
        assert "wrong" not in refused.value.message  # the password is never shown


def test_a_password_typed_once_is_used_for_the_session(server_db: str) -> None:
    from aomori_desktop.services.connection import forget_password, remember_password

    bare = _with(server_db, password=None)
    with pytest.raises(PasswordRequired) as asked:
        open_database(bare)
    remember_password(asked.value.server, make_url(server_db).password or "", keep=False)
    try:
        open_database(bare).close()
    finally:
        forget_password(asked.value.server)


def test_a_server_older_than_postgresql_13_is_refused(
    server_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the test server is 15: asking for a newer one exercises the same refusal
    monkeypatch.setattr(store_engine, "POSTGRES_MIN_MAJOR", 99)
    with pytest.raises(ServerTooOld) as refused:
        open_database(server_db)
    assert "PostgreSQL 99 以降が必要です" in refused.value.message
    assert_japanese_sentence(refused.value.message)


def test_a_statement_that_runs_too_long_is_stopped_with_a_sentence(server_db: str) -> None:
    db = open_database(
        make_url(server_db)
        .update_query_dict({"statement_timeout": "0.2"})
        .render_as_string(hide_password=False)
    )
    try:
        with pytest.raises(StatementTimeout) as stopped, db.session() as s:
            s.execute(text("SELECT pg_sleep(2)"))
        assert_japanese_sentence(stopped.value.message)
    finally:
        db.close()


def _terminate_other_sessions(url: str) -> None:
    """What a network cut or a server restart does to the application's connections."""
    with backends.admin() as con:
        con.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (make_url(url).database,),
        )


def test_connection_dropped_during_an_edit_stores_nothing_then_reconnects(
    server_db: str,
) -> None:
    db = open_database(server_db)
    try:
        services = PlanServices(db, default_plan_id(db), user="青森 太郎")
        before = backends.dump(server_db)
        edits = [KpiYearEdit(c, 2024, actual=Decimal("1")) for c in ("K01", "K05", "K10")]
        with pytest.raises(ConnectionLost) as lost, db.session() as s:
            # the edit's transaction is open (rows written, not committed) when the line drops
            s.execute(text("UPDATE kpi SET unit = 'x' WHERE code = 'K01'"))
            _terminate_other_sessions(server_db)
            s.execute(text("UPDATE kpi SET unit = 'y' WHERE code = 'K05'"))
        assert_japanese_sentence(lost.value.message)
        assert "保存していません" in lost.value.message
        assert backends.dump(server_db) == before

        _terminate_other_sessions(server_db)  # idle pooled connections die too
        services.values.set_kpi_years(edits)  # the next edit reconnects by itself
        assert backends.rows(server_db, "SELECT count(*) FROM kpi_year") == [(3,)]
    finally:
        db.close()


def test_connection_dropped_during_an_import_leaves_the_database_empty(template: str) -> None:
    source = open_database(template)
    snapshot = export_plan(source)
    source.close()
    target = backends.new_database("store_empty")
    try:
        db = create_database(target)
        stop = threading.Event()

        def cut_repeatedly() -> None:
            while not stop.is_set():
                _terminate_other_sessions(target)
                time.sleep(0.005)

        cutter = threading.Thread(target=cut_repeatedly)
        cutter.start()
        try:
            with pytest.raises(UserError) as failed:
                import_plan(db, snapshot)
        finally:
            stop.set()
            cutter.join()
        assert isinstance(failed.value, ConnectionLost), failed.value.message
        assert_japanese_sentence(failed.value.message)
        assert backends.rows(target, "SELECT count(*) FROM plan") == [(0,)]
        assert backends.rows(target, "SELECT count(*) FROM kpi") == [(0,)]

        import_plan(db, snapshot)  # after reconnecting, the same import goes through whole
        assert dump_plan(export_plan(db)) == dump_plan(snapshot)
        db.close()
    finally:
        backends.drop_database(target)


def test_a_silent_network_is_noticed_by_keepalives(server_db: str) -> None:
    """libpq is given the keepalive and unacknowledged-data limits (store/engine.py), on the
    pooled connections and the listener's alike (both come from the same engine)."""
    db = open_database(server_db)
    try:
        raw = db.engine.raw_connection()
        try:
            params = raw.driver_connection.info.get_parameters()
        finally:
            raw.close()
    finally:
        db.close()
    assert {k: params.get(k) for k in store_engine.POSTGRES_NETWORK_OPTIONS} == {
        k: str(v) for k, v in store_engine.POSTGRES_NETWORK_OPTIONS.items()
    }
