"""Backups: made on the day's first opening, checked, kept to the last N, listed, restored.

Every backup here is a real file made with SQLite's backup API and read back with sqlite3.
"""

from __future__ import annotations

import shutil
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from aomori_desktop.services.plan_services import PlanServices
from aomori_desktop.services.workspace import (
    backup_now,
    check_database,
    default_plan_id,
    list_database_backups,
    open_existing,
    restore_database,
)
from aomori_desktop.store import backups
from aomori_desktop.store.database import open_database
from aomori_desktop.store.errors import BackupFailed, StoreError
from tests.safety.helpers import (
    actuals,
    assert_sentence,
    dump,
    folder_state,
    integrity,
    record_actuals,
    sha256,
)

DAY1 = datetime(2026, 6, 1, 0, 30, tzinfo=UTC)  # 09:30 in Japan


def at(moment: datetime):
    return lambda: moment


def backup_names(db: Path) -> list[str]:
    return sorted(p.name for p in (db.parent / "backups").iterdir())


def test_first_opening_of_a_day_makes_one_checked_backup(seeded_copy: Path) -> None:
    open_existing(seeded_copy, clock=at(DAY1)).close()
    first = backup_names(seeded_copy)
    stamp = DAY1.astimezone().strftime("%Y%m%d-%H%M%S")
    assert first == [f"plan.{stamp}.daily.sqlite3"]

    open_existing(seeded_copy, clock=at(DAY1 + timedelta(hours=3))).close()  # same day
    assert backup_names(seeded_copy) == first

    db = open_existing(seeded_copy, clock=at(DAY1 + timedelta(days=1)))
    try:
        assert db.report.daily_backup is not None
        assert db.report.daily_backup.name.endswith(".daily.sqlite3")
    finally:
        db.close()
    assert len(backup_names(seeded_copy)) == 2
    for name in backup_names(seeded_copy):
        path = seeded_copy.parent / "backups" / name
        assert integrity(path) == "ok"
        assert dump(path) == dump(seeded_copy)


def test_only_the_last_n_backups_are_kept(seeded_copy: Path) -> None:
    made = [
        backups.make_backup(seeded_copy, "manual", keep=3, clock=at(DAY1 + timedelta(minutes=i)))
        for i in range(5)
    ]
    assert backup_names(seeded_copy) == sorted(b.path.name for b in made[2:])


def test_the_number_kept_is_a_setting_with_default_30(data_home: Path) -> None:
    settings = data_home / "aomori-desktop" / "settings.json"
    assert backups.keep_setting() == 30
    settings.parent.mkdir(parents=True)
    settings.write_text('{"backups": {"keep": 7}}', encoding="utf-8")
    assert backups.keep_setting() == 7
    for broken in ('{"backups": {"keep": "many"}}', "{", '{"backups": {"keep": 0}}'):
        settings.write_text(broken, encoding="utf-8")
        assert backups.keep_setting() == 30


def test_the_list_shows_time_reason_size_actuals_and_latest_entry(seeded_copy: Path) -> None:
    db = open_database(seeded_copy)
    try:
        record_actuals(db, {("K16", 2024): "8.40", ("K10", 2024): "1109980"}, user="青森 花子")
    finally:
        db.close()
    backups.make_backup(seeded_copy, "before-import", clock=at(DAY1))
    backups.make_backup(seeded_copy, "manual", clock=at(DAY1 + timedelta(minutes=5)))

    listed = list_database_backups(seeded_copy)

    assert [b.reason_label for b in listed] == ["手動", "読み込みの前"]  # newest first
    newest = listed[0]
    assert newest.made_at == (DAY1 + timedelta(minutes=5)).astimezone().replace(tzinfo=None)
    assert newest.size == newest.path.stat().st_size > 100_000
    assert newest.actuals == 2
    assert newest.latest_by == "青森 花子"
    assert newest.latest_what == "K10 2024年度 実績値"  # the last value recorded
    assert newest.latest_text.endswith("青森 花子（K10 2024年度 実績値）")


def test_a_damaged_database_is_not_backed_up_and_nothing_is_left(seeded_copy: Path) -> None:
    con = sqlite3.connect(seeded_copy)
    (page,) = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'kpi'").fetchone()
    con.close()
    data = bytearray(seeded_copy.read_bytes())
    data[(page - 1) * 4096 + 20 : (page - 1) * 4096 + 2000] = bytes(1980)  # zeroed cells
    seeded_copy.write_bytes(bytes(data))
    before = sha256(seeded_copy)

    with pytest.raises(BackupFailed) as info:
        backups.make_backup(seeded_copy, "manual", clock=at(DAY1))

    assert_sentence(info.value.message)
    assert "壊れている可能性" in info.value.message
    assert backup_names(seeded_copy) == []  # no half-checked file, no temporary file
    assert sha256(seeded_copy) == before


def test_backups_fall_back_to_the_user_folder_when_the_database_folder_is_read_only(
    seeded_template: Path, read_only_folder, data_home: Path
) -> None:
    folder = read_only_folder([seeded_template])
    db_path = folder / seeded_template.name
    before = folder_state(folder)

    info = backups.make_backup(db_path, "manual", clock=at(DAY1))

    assert info.path.parent == backups.fallback_folder(db_path)
    assert str(info.path).startswith(str(data_home / "aomori-desktop" / "backups"))
    assert integrity(info.path) == "ok" and dump(info.path) == dump(db_path)
    assert [b.path for b in list_database_backups(db_path)] == [info.path]
    assert folder_state(folder) == before


def test_a_backup_made_while_editing_restores_everything_confirmed_before_it(
    seeded_copy: Path,
) -> None:
    """A writer keeps storing values while the backup is taken: the restored file passes
    `check` and holds every value whose write had returned before the backup started."""
    db = open_existing(seeded_copy)
    service = PlanServices(db, default_plan_id(db), user="青森 太郎").values
    confirmed: list[tuple[str, int, str]] = []
    stop = threading.Event()
    codes = [f"K{n:02d}" for n in range(1, 17)]

    def edit() -> None:
        n = 0
        while not stop.is_set():
            code, fy, value = codes[n % 16], 2024 + (n // 16) % 10, f"{n}.5"
            service.record_actual(code, fy, Decimal(value))
            confirmed.append((code, fy, value))
            n += 1

    writer = threading.Thread(target=edit)
    writer.start()
    try:
        while len(confirmed) < 30:
            threading.Event().wait(0.01)
        before_backup = list(confirmed)
        info = backup_now(seeded_copy, "manual")
        while len(confirmed) < len(before_backup) + 30:
            threading.Event().wait(0.01)
    finally:
        stop.set()
        writer.join()
        db.close()

    restored = seeded_copy.with_name("restored.sqlite3")
    restore_database(info.path, restored)
    check_db = open_database(restored)
    try:
        report = check_database(check_db)
    finally:
        check_db.close()
    assert report.ok, report.problems
    stored = actuals(restored)
    latest: dict[tuple[str, int], str] = {}
    for code, fy, value in before_backup:
        latest[(code, fy)] = value
    for key, value in latest.items():
        # the backup may hold a later value of the same cell, never an older one or none
        assert key in stored
        order = [v for c, f, v in confirmed if (c, f) == key]
        assert order.index(stored[key]) >= order.index(value), (key, stored[key], value)


def test_restore_backs_up_the_current_database_first_and_replaces_it_whole(
    seeded_copy: Path,
) -> None:
    backup = backups.make_backup(seeded_copy, "manual", clock=at(DAY1)).path
    db = open_database(seeded_copy)
    try:
        record_actuals(db, {("K03", 2024): "85"})
    finally:
        db.close()
    current = dump(seeded_copy)

    result = restore_database(backup, seeded_copy, clock=at(DAY1 + timedelta(hours=1)))

    assert actuals(seeded_copy) == {}  # the backup's state
    assert result.safety_copy is not None
    assert ".before-restore." in result.safety_copy.name
    assert dump(result.safety_copy) == current  # nothing lost: the 85 is kept there
    assert integrity(seeded_copy) == "ok"
    leftovers = [p.name for p in seeded_copy.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []
    con = sqlite3.connect(seeded_copy)
    events = [r[0] for r in con.execute("SELECT event FROM maintenance_log ORDER BY id")]
    con.close()
    assert events[-1] == "restored"


def test_restore_over_a_damaged_database_keeps_the_damaged_file_byte_for_byte(
    seeded_copy: Path,
) -> None:
    backup = backups.make_backup(seeded_copy, "manual", clock=at(DAY1)).path
    data = bytearray(seeded_copy.read_bytes())
    data[100:4000] = bytes((i * 7 + 3) % 251 for i in range(3900))
    seeded_copy.write_bytes(bytes(data))
    damaged = sha256(seeded_copy)

    result = restore_database(backup, seeded_copy, clock=at(DAY1 + timedelta(hours=1)))

    assert integrity(seeded_copy) == "ok"
    assert result.safety_copy is not None
    assert ".before-restore-damaged." in result.safety_copy.name
    assert sha256(result.safety_copy) == damaged


@pytest.mark.parametrize(
    ("spoil", "phrase"),
    [
        (lambda p: p.write_bytes(b"SQLite format 3\x00" + bytes(5000)), "壊れているか"),
        (lambda p: p.write_text("実績値一覧\n", encoding="utf-8"), "壊れているか"),
        (lambda p: _sql(p, "UPDATE alembic_version SET version_num = '9999'"), "より新しい"),
        (lambda p: _sql(p, "DELETE FROM plan"), "計画が登録されていない"),
        (lambda p: _sql(p, "DROP TABLE alembic_version"), "データベースではない"),
    ],
    ids=["garbage", "text", "newer", "no-plan", "foreign"],
)
def test_a_bad_backup_is_refused_and_the_database_is_untouched(
    seeded_copy: Path, tmp_path: Path, spoil, phrase: str
) -> None:
    bad = tmp_path / "bad.sqlite3"
    shutil.copy(seeded_copy, bad)
    spoil(bad)
    before = folder_state(tmp_path)

    with pytest.raises(StoreError) as info:
        restore_database(bad, seeded_copy)

    assert_sentence(info.value.message)
    assert phrase in info.value.message
    assert "元のデータベースは変更していません" in info.value.message
    assert folder_state(tmp_path) == before


def _sql(path: Path, statement: str) -> None:
    con = sqlite3.connect(path)
    with con:
        con.execute("PRAGMA foreign_keys = OFF")
        con.execute(statement)
    con.close()


def test_paths_with_japanese_characters_and_spaces(seeded_template: Path, tmp_path: Path) -> None:
    folder = tmp_path / "企画課 共有" / "令和8年度 #1"
    folder.mkdir(parents=True)
    db_path = folder / "青森 しごと 計画.sqlite3"
    shutil.copy(seeded_template, db_path)

    db = open_existing(db_path, clock=at(DAY1))
    try:
        record_actuals(db, {("K01", 2024): "3"})
    finally:
        db.close()
    manual = backup_now(db_path, "manual")
    assert manual.path.parent == folder / "backups"
    assert manual.path.name.startswith("青森 しごと 計画.")
    restore_database(manual.path, db_path)
    assert actuals(db_path) == {("K01", 2024): "3"}
    assert {b.reason for b in list_database_backups(db_path)} == {
        "daily",
        "manual",
        "before-restore",
    }
