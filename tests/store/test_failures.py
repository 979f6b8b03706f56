"""A database that is locked, read-only or damaged: the user gets a sentence, data stays as it was."""

from __future__ import annotations

import os
import sqlite3
import time
from decimal import Decimal
from pathlib import Path

import pytest

from aomori_desktop.services.plan_services import PlanServices
from aomori_desktop.services.workspace import check_database, default_plan_id, export_plan
from aomori_desktop.store.database import open_database
from aomori_desktop.store.errors import DatabaseCorrupt, DatabaseLocked, DatabaseReadOnly
from tests.store.helpers import assert_japanese_sentence, dump, page_span, sha256

BUSY = 0.2  # seconds to wait for a lock; keeps the suite fast


def _hold_lock(path: Path, kind: str) -> sqlite3.Connection:
    con = sqlite3.connect(path, isolation_level=None)
    con.execute(f"BEGIN {kind}")
    return con


def _release(con: sqlite3.Connection) -> None:
    con.execute("ROLLBACK")
    con.close()


def test_write_while_another_program_holds_the_lock_is_refused(seeded_copy: Path) -> None:
    before = dump(seeded_copy)
    db = open_database(seeded_copy, busy_timeout=BUSY)
    try:
        services = PlanServices(db, default_plan_id(db), user="tester")
        holder = _hold_lock(seeded_copy, "IMMEDIATE")  # others may read, nobody else may write
        try:
            assert services.queries.kpi("K16").target == Decimal("8.8")  # reading still works
            started = time.monotonic()
            with pytest.raises(DatabaseLocked) as info:
                services.values.record_actual("K16", 2024, Decimal("8.5"))
            assert time.monotonic() - started < 3  # the busy timeout applies, no long hang
        finally:
            _release(holder)
    finally:
        db.close()

    message = info.value.message
    assert_japanese_sentence(message)
    assert "使用中" in message and str(seeded_copy) in message
    assert dump(seeded_copy) == before  # neither the value nor an audit entry


def test_opening_while_another_program_holds_an_exclusive_lock_is_refused(
    seeded_copy: Path,
) -> None:
    before = sha256(seeded_copy)
    holder = _hold_lock(seeded_copy, "EXCLUSIVE")
    try:
        with pytest.raises(DatabaseLocked) as info:
            open_database(seeded_copy, busy_timeout=BUSY)
    finally:
        _release(holder)
    assert_japanese_sentence(info.value.message)
    assert sha256(seeded_copy) == before


def _read_only_target(path: Path) -> str | Path:
    """The database opened so that writes fail: chmod for normal users; as root (where chmod
    does not stop writes) SQLite's own read-only mode through a URI."""
    if os.geteuid() == 0:
        return f"sqlite:///file:{path}?mode=ro&uri=true"
    path.chmod(0o444)
    path.parent.chmod(0o555)
    return path


def test_write_to_a_read_only_database_is_refused(seeded_copy: Path) -> None:
    before = sha256(seeded_copy)
    target = _read_only_target(seeded_copy)
    try:
        db = open_database(target, busy_timeout=BUSY)
        try:
            services = PlanServices(db, default_plan_id(db), user="tester")
            assert len(services.queries.plan_snapshot().kpis) == 16  # reading works
            with pytest.raises(DatabaseReadOnly) as info:
                services.values.record_actual("K16", 2024, Decimal("8.5"))
        finally:
            db.close()
    finally:
        seeded_copy.parent.chmod(0o755)
        seeded_copy.chmod(0o644)
    message = info.value.message
    assert_japanese_sentence(message)
    assert "読み取り専用" in message
    assert sha256(seeded_copy) == before


def _overwrite(path: Path, offset: int, junk: bytes) -> None:
    data = bytearray(path.read_bytes())
    data[offset : offset + len(junk)] = junk
    path.write_bytes(bytes(data))


def _junk(length: int) -> bytes:
    return bytes((i * 7919 + 13) % 251 for i in range(length))


def test_garbage_in_the_schema_page_is_reported_as_corrupt_on_open(seeded_copy: Path) -> None:
    _overwrite(seeded_copy, 100, _junk(4000))  # page 1 after the 100-byte header: sqlite_master
    before = sha256(seeded_copy)
    with pytest.raises(DatabaseCorrupt) as info:
        open_database(seeded_copy, busy_timeout=BUSY)
    assert_japanese_sentence(info.value.message)
    assert "壊れています" in info.value.message and "バックアップ" in info.value.message
    assert sha256(seeded_copy) == before


def test_garbage_in_a_data_page_is_reported_on_read_and_by_the_check(seeded_copy: Path) -> None:
    offset, size = page_span(seeded_copy, "kpi")
    _overwrite(seeded_copy, offset, _junk(size))  # valid header, garbage KPI pages
    before = sha256(seeded_copy)

    db = open_database(seeded_copy, busy_timeout=BUSY)  # the schema is still readable
    try:
        with pytest.raises(DatabaseCorrupt) as read_info:
            export_plan(db)
        with pytest.raises(DatabaseCorrupt) as check_info:
            check_database(db)
    finally:
        db.close()
    for info in (read_info, check_info):
        assert_japanese_sentence(info.value.message)
        assert "壊れています" in info.value.message
    assert sha256(seeded_copy) == before


def test_subtle_damage_is_listed_by_the_check(seeded_copy: Path) -> None:
    offset, size = page_span(seeded_copy, "sqlite_autoindex_kpi_1")  # index on (plan_id, code)
    page = seeded_copy.read_bytes()[offset : offset + size]
    assert page.count(b"K16") == 1
    _overwrite(seeded_copy, offset + page.index(b"K16"), b"K17")  # the index no longer matches

    db = open_database(seeded_copy, busy_timeout=BUSY)
    try:
        assert len(export_plan(db).kpis) == 16  # ordinary reads do not notice
        report = check_database(db)
    finally:
        db.close()
    assert not report.ok
    assert report.problems == ["ファイルの整合性: row 16 missing from index sqlite_autoindex_kpi_1"]


def test_broken_references_are_listed_by_the_check(seeded_copy: Path) -> None:
    con = sqlite3.connect(seeded_copy)
    with con:  # another tool deleted a project with foreign keys off
        con.execute("PRAGMA foreign_keys = OFF")
        con.execute("DELETE FROM project WHERE code = 'PJ26'")
    con.close()

    db = open_database(seeded_copy, busy_timeout=BUSY)
    try:
        report = check_database(db)
    finally:
        db.close()
    assert any(p.startswith("参照の不整合: 表 placement の行") for p in report.problems)
    assert report.counts["共創プロジェクト"] == 25
