"""Faults told as sentences, with nothing already stored lost and reading still possible.

Disk full is tested twice: on a real 1.2 MB tmpfs filled to the last byte (root only), and with
SQLite's `max_page_count` pragma capping the file (everywhere).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import event

from aomori_desktop.services.kpi_values import KpiYearEdit
from aomori_desktop.services.plan_services import PlanServices
from aomori_desktop.services.workspace import default_plan_id, open_existing
from aomori_desktop.store import backups
from aomori_desktop.store.errors import (
    DatabaseCorrupt,
    DatabaseGone,
    DatabaseLocked,
    DiskFull,
    NotAnApplicationDatabase,
    SchemaTooNew,
    StoreError,
)
from aomori_desktop.store.lock import lock_path
from tests.safety.helpers import actuals, assert_sentence, dump, folder_state, integrity, sha256


def _services(db):  # type: ignore[no-untyped-def]
    return PlanServices(db, default_plan_id(db), user="青森 太郎")


def _fill(folder: Path) -> Path:
    """Take every free byte of the file system under `folder`."""
    filler = folder / "filler.bin"
    with filler.open("wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass
    return filler


def _assert_refused_and_kept(db_path: Path, error: StoreError, before: list[str]) -> None:
    assert_sentence(error.message)
    assert dump(db_path) == before
    assert integrity(db_path) == "ok"


def test_disk_full_on_a_real_small_disk(seeded_template: Path, small_disk) -> None:
    disk = small_disk(1200)
    db_path = disk / "plan.sqlite3"
    shutil.copy(seeded_template, db_path)
    db = open_existing(db_path)
    try:
        values = _services(db).values
        values.record_actual("K03", 2024, Decimal("80"))
        before = dump(db_path)
        filler = _fill(disk)
        comment = "要因分析" * 900  # a page-sized change needs room in the journal
        with pytest.raises(DiskFull) as info:
            values.record_actual("K03", 2025, Decimal("81"), comment=comment)
        assert "空き容量が足りない" in info.value.message
        assert "それまでに保存した内容はそのままです" in info.value.message
        _assert_refused_and_kept(db_path, info.value, before)
        assert _services(db).queries.kpi_detail("K03").year(2024).actual == Decimal("80")

        filler.unlink()  # room again: the same edit goes through
        values.record_actual("K03", 2025, Decimal("81"), comment=comment)
    finally:
        db.close()
    assert actuals(db_path) == {("K03", 2024): "80", ("K03", 2025): "81"}


def test_disk_full_simulated_by_capping_the_file(seeded_copy: Path) -> None:
    db = open_existing(seeded_copy)
    try:
        cap = os.path.getsize(seeded_copy) // 4096

        @event.listens_for(db.engine, "connect")
        def _cap(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            dbapi_connection.execute(f"PRAGMA max_page_count = {cap}")

        db.engine.dispose()
        before = dump(seeded_copy)
        values = _services(db).values
        edits = [  # one transaction that must grow the file past its cap
            KpiYearEdit("K03", fy, actual=Decimal(fy), comment="要因" * 1500)
            for fy in range(2024, 2034)
        ]
        with pytest.raises(DiskFull) as info:
            values.set_kpi_years(edits)
        _assert_refused_and_kept(seeded_copy, info.value, before)
        assert _services(db).queries.kpi_detail("K03").year(2024).actual is None
    finally:
        db.close()


def test_a_database_deleted_while_open_is_reported_not_written_into(seeded_copy: Path) -> None:
    db = open_existing(seeded_copy)
    try:
        values = _services(db).values
        values.record_actual("K03", 2024, Decimal("80"))
        seeded_copy.unlink()  # someone deleted it in Explorer
        with pytest.raises(DatabaseGone) as info:
            values.record_actual("K03", 2025, Decimal("81"))
        assert_sentence(info.value.message)
        assert "見つかりません" in info.value.message and "保存されていません" in info.value.message
        assert not seeded_copy.exists()  # not silently re-created either
        # what is on screen can still be read (the open file stays readable)
        assert _services(db).queries.kpi_detail("K03").year(2024).actual == Decimal("80")
    finally:
        db.close()


def test_a_share_that_goes_away_while_open(seeded_template: Path, small_disk) -> None:
    share = small_disk(4096)
    db_path = share / "共有 計画.sqlite3"
    shutil.copy(seeded_template, db_path)
    db = open_existing(db_path)
    try:
        values = _services(db).values
        values.record_actual("K03", 2024, Decimal("80"))
        assert subprocess.run(["umount", "-l", str(share)], check=False).returncode == 0
        with pytest.raises(DatabaseGone) as info:
            values.record_actual("K03", 2025, Decimal("81"))
        assert_sentence(info.value.message)
        assert "ネットワークドライブ" in info.value.message
        assert _services(db).queries.kpi_detail("K03").year(2024).actual == Decimal("80")
    finally:
        db.close()


def test_a_database_replaced_by_another_file_while_open(seeded_copy: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite3"
    shutil.copy(seeded_copy, other)
    db = open_existing(seeded_copy)
    try:
        os.replace(other, seeded_copy)  # an older copy put over it from another PC
        replaced = sha256(seeded_copy)
        with pytest.raises(DatabaseGone) as info:
            _services(db).values.record_actual("K03", 2024, Decimal("80"))
        assert "別のファイルに置き換えられています" in info.value.message
        assert sha256(seeded_copy) == replaced
    finally:
        db.close()


def test_a_damaged_file_is_refused_on_opening_naming_the_latest_backup(seeded_copy: Path) -> None:
    latest = backups.make_backup(seeded_copy, "daily").path
    con = sqlite3.connect(seeded_copy)
    (page,) = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'kpi_year'").fetchone()
    con.close()
    data = bytearray(seeded_copy.read_bytes())
    data[(page - 1) * 4096] = 0x55  # an impossible page type: quick_check notices
    seeded_copy.write_bytes(bytes(data))
    before = folder_state(seeded_copy.parent)

    with pytest.raises(DatabaseCorrupt) as info:
        open_existing(seeded_copy)

    message = info.value.message
    assert_sentence(message)
    assert "壊れています" in message and str(latest) in message and "復元" in message
    assert folder_state(seeded_copy.parent) == before  # no lock file, no new backup
    assert not lock_path(seeded_copy).exists()


@pytest.mark.parametrize(
    ("make", "error", "phrase"),
    [
        (
            lambda p: p.write_text("KPI一覧\n", encoding="utf-8"),
            NotAnApplicationDatabase,
            "ではありません",
        ),
        (lambda p: p.write_bytes(b""), NotAnApplicationDatabase, "空のファイル"),
        (
            lambda p: _sql(p, "UPDATE alembic_version SET version_num = '9999'"),
            SchemaTooNew,
            "より新しいバージョン",
        ),
        (lambda p: (p.unlink(), p.mkdir()), StoreError, "フォルダーです"),
        (
            lambda p: (p.unlink(), os.mkfifo(p)),
            NotAnApplicationDatabase,
            "通常のファイルではありません",
        ),
        (
            lambda p: (p.unlink(), p.symlink_to("/dev/zero")),
            NotAnApplicationDatabase,
            "通常のファイルではありません",
        ),
    ],
    ids=["text", "empty", "newer", "folder", "fifo", "device"],
)
def test_files_that_cannot_be_opened_are_refused_and_left_alone(
    seeded_copy: Path, make, error, phrase: str
) -> None:
    make(seeded_copy)
    before = sorted(p.name for p in seeded_copy.parent.iterdir())
    with pytest.raises(error) as info:
        open_existing(seeded_copy)
    assert_sentence(info.value.message)
    assert phrase in info.value.message
    assert sorted(p.name for p in seeded_copy.parent.iterdir()) == before


def _sql(path: Path, statement: str) -> None:
    con = sqlite3.connect(path)
    with con:
        con.execute(statement)
    con.close()


def test_a_file_locked_by_another_program_leaves_no_lock_behind(
    seeded_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import functools

    import aomori_desktop.services.workspace as workspace

    quick = functools.partial(workspace.open_database, busy_timeout=0.2)
    monkeypatch.setattr(workspace, "open_database", quick)
    holder = sqlite3.connect(seeded_copy, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseLocked) as info:
            open_existing(seeded_copy)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert_sentence(info.value.message)
    assert "使用中" in info.value.message
    assert not lock_path(seeded_copy).exists()
