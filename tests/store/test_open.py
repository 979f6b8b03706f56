"""Opening and creating databases: connection settings, schema revision, what is refused.

Every refusal must leave the file exactly as it was (compared by sha256) and say why in Japanese.
The tests asking for `target` or `seeded_target` also run on a PostgreSQL database.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from aomori_desktop.store import migrate
from aomori_desktop.store.database import create_database, open_database
from aomori_desktop.store.errors import (
    DatabaseAlreadyExists,
    DatabaseNotFound,
    NotAnApplicationDatabase,
    SchemaTooNew,
    StoreError,
)
from tests import backends
from tests.backends import Target
from tests.store.helpers import assert_japanese_sentence, sha256


def test_new_database_is_at_the_head_revision(target: Target) -> None:
    db = create_database(target)
    try:
        assert db.report.created
        assert db.schema_revision() == migrate.head_revision() == migrate.SCHEMA_HEAD
    finally:
        db.close()
    versions = backends.rows(target, "SELECT version_num FROM alembic_version")
    assert versions == [(migrate.SCHEMA_HEAD,)]
    events = backends.rows(target, "SELECT event, detail FROM maintenance_log")
    assert events == [("created", f"schema {migrate.SCHEMA_HEAD}")]


def test_every_new_connection_enforces_foreign_keys(seeded_target: Target) -> None:
    db = open_database(seeded_target)
    try:
        for _ in range(2):
            db.engine.dispose()  # the next connect() opens a brand-new DB-API connection
            if db.is_sqlite:  # a server always enforces them
                with db.engine.connect() as conn:
                    assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        # ...and they are enforced: a yearly record of a KPI that does not exist is refused.
        with pytest.raises(StoreError) as info, db.session() as s:
            s.connection().exec_driver_sql(
                "INSERT INTO kpi_year (kpi_id, fiscal_year, comment, entered_by) "
                "VALUES (9999, 2024, '', '')"
            )
        assert "FOREIGN KEY" in str(info.value.__cause__).upper()
    finally:
        db.close()
    assert backends.rows(seeded_target, "SELECT count(*) FROM kpi_year") == [(0,)]


def test_journal_is_the_rollback_journal_not_wal(seeded_copy: Path) -> None:
    db = open_database(seeded_copy)
    try:
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"
        db.log_event("test", "a write")
    finally:
        db.close()
    header = seeded_copy.read_bytes()[:20]
    assert (header[18], header[19]) == (1, 1)  # file format versions: 1 = rollback, 2 = WAL
    assert not seeded_copy.with_name(seeded_copy.name + "-wal").exists()


def test_create_refuses_an_existing_database_and_leaves_it_alone(
    seeded_target: Target, tmp_path: Path
) -> None:
    before = backends.content(seeded_target, tmp_path)
    with pytest.raises(DatabaseAlreadyExists) as info:
        create_database(seeded_target)
    assert_japanese_sentence(info.value.message)
    assert "上書きはしません" in info.value.message
    assert backends.content(seeded_target, tmp_path) == before


def test_newer_schema_is_refused_and_the_file_is_unchanged(seeded_copy: Path) -> None:
    con = sqlite3.connect(seeded_copy)
    with con:
        con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.close()
    before = sha256(seeded_copy)

    with pytest.raises(SchemaTooNew) as info:
        open_database(seeded_copy)

    message = info.value.message
    assert_japanese_sentence(message)
    assert "より新しいバージョン" in message and "9999" in message
    assert "ファイルは変更していません" in message
    assert sha256(seeded_copy) == before
    assert sorted(p.name for p in seeded_copy.parent.iterdir()) == ["plan.sqlite3"]  # no backup


def test_sqlite_file_of_another_application_is_refused_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    con = sqlite3.connect(path)
    with con:
        con.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        con.execute("INSERT INTO customers (name) VALUES ('青森商店')")
    con.close()
    before = sha256(path)

    with pytest.raises(NotAnApplicationDatabase) as info:
        open_database(path)

    assert_japanese_sentence(info.value.message)
    assert "別のアプリケーションの表があります" in info.value.message
    assert sha256(path) == before
    con = sqlite3.connect(path)
    try:  # not stamped, not migrated
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    finally:
        con.close()
    assert names == ["customers"]


def test_empty_sqlite_database_is_refused_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "blank.sqlite3"
    con = sqlite3.connect(path)
    with con:  # a valid SQLite header, but no tables at all
        con.execute("CREATE TABLE t (x)")
        con.execute("DROP TABLE t")
    con.close()
    before = sha256(path)

    with pytest.raises(NotAnApplicationDatabase) as info:
        open_database(path)

    assert_japanese_sentence(info.value.message)
    assert "空のファイル" in info.value.message
    assert sha256(path) == before


@pytest.mark.parametrize(
    ("make", "error", "phrase"),
    [
        pytest.param(
            lambda p: p.write_bytes(b""), NotAnApplicationDatabase, "空のファイル", id="zero-bytes"
        ),
        pytest.param(
            lambda p: p.write_text("青森市しごと創造戦略\nKPI一覧\n", encoding="utf-8"),
            NotAnApplicationDatabase,
            "SQLiteデータベースとして読み取れません",
            id="text-file",
        ),
        pytest.param(
            lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\x00" * 50),
            NotAnApplicationDatabase,
            "SQLiteデータベースとして読み取れません",
            id="truncated-header",
        ),
    ],
)
def test_files_that_are_not_databases_are_refused_unchanged(
    tmp_path: Path, make, error: type[StoreError], phrase: str
) -> None:
    path = tmp_path / "data.sqlite3"
    make(path)
    before = sha256(path)

    with pytest.raises(error) as info:
        open_database(path)

    assert_japanese_sentence(info.value.message)
    assert phrase in info.value.message
    assert str(path) in info.value.message
    assert sha256(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.sqlite3"]


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DatabaseNotFound) as info:
        open_database(tmp_path)
    assert_japanese_sentence(info.value.message)
    assert "フォルダー" in info.value.message
    assert list(tmp_path.iterdir()) == []


def test_a_missing_file_is_refused_and_not_created(tmp_path: Path) -> None:
    path = tmp_path / "missing.sqlite3"
    with pytest.raises(DatabaseNotFound) as info:
        open_database(path)
    assert_japanese_sentence(info.value.message)
    assert "見つかりません" in info.value.message and str(path) in info.value.message
    assert not path.exists()
    assert list(tmp_path.iterdir()) == []
