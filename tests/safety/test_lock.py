"""One writer at a time: who holds a database, read-only for the others, stale locks taken over.

"Another instance" is a real second process (tests/safety/helpers.py); locks of another PC are
lock files as that PC would have written them.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from aomori_desktop.services.plan_services import PlanServices
from aomori_desktop.services.workspace import (
    DatabaseInUse,
    default_plan_id,
    open_existing,
    open_read_only,
)
from aomori_desktop.store.errors import DatabaseReadOnly
from aomori_desktop.store.files import process_started, this_machine
from aomori_desktop.store.lock import STALE_AFTER_S, LockLost, WriterLock, lock_path, read_holder
from tests.safety.helpers import (
    actuals,
    assert_sentence,
    child_env,
    dump,
    holding_in_another_process,
    record_actuals,
)


def write_foreign_lock(
    db: Path, *, machine: str, age_s: float, pid: int = 4242, started: str = ""
) -> Path:
    """A lock file as another PC (or process) writes it, last touched `age_s` seconds ago."""
    path = lock_path(db)
    since = (datetime.now().astimezone() - timedelta(hours=2)).isoformat(timespec="seconds")
    data = {"user": "八戸 次郎", "machine": machine, "pid": pid, "since": since, "token": "f00d"}
    if started:
        data["started"] = started
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    touched = time.time() - age_s
    os.utime(path, (touched, touched))
    return path


def test_a_second_instance_is_told_who_holds_the_database(seeded_copy: Path) -> None:
    with holding_in_another_process(seeded_copy) as holder:
        with pytest.raises(DatabaseInUse) as info:
            open_existing(seeded_copy)
        message = info.value.message
        held_by = info.value.holder
        assert held_by.pid == holder.pid
        assert held_by.machine == this_machine()
        assert held_by.since <= datetime.now().astimezone()
        assert f"（パソコン {this_machine()}）が " in message and "から編集中です" in message
        assert "読み取り専用で開く" in message
        assert_sentence(message)

        # ...and may open it read-only: reading works, writing says why not
        db = open_read_only(seeded_copy, reason=f"{held_by.describe()}編集中です。")
        try:
            assert db.read_only
            services = PlanServices(db, default_plan_id(db))
            assert len(services.queries.tree().children) == 5
            before = dump(seeded_copy)
            with pytest.raises(DatabaseReadOnly) as refused:
                services.values.record_actual("K03", 2024, Decimal("80"))
            assert "読み取り専用で開いているため保存できません" in refused.value.message
            assert "編集中です" in refused.value.message
            assert dump(seeded_copy) == before
        finally:
            db.close()
    # once the other instance has closed, the file opens for editing and the lock file is gone
    assert not lock_path(seeded_copy).exists()
    open_existing(seeded_copy).close()


def test_a_lock_left_by_a_killed_instance_is_taken_over(seeded_copy: Path) -> None:
    code = (
        "import sys, time\n"
        "from aomori_desktop.services.workspace import open_existing\n"
        f"db = open_existing({str(seeded_copy)!r})\n"
        "print('ready', flush=True)\n"
        "time.sleep(600)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=child_env()
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    assert read_holder(lock_path(seeded_copy)) is not None  # left behind

    db = open_existing(seeded_copy)  # nobody is asked to delete anything
    try:
        assert db.lock is not None and db.lock.taken_over is not None
        assert db.lock.taken_over.pid == proc.pid
        assert any("引き継ぎました" in n for n in db.report.notices)
        record_actuals(db, {("K03", 2024): "80"})
    finally:
        db.close()
    assert actuals(seeded_copy) == {("K03", 2024): "80"}


def test_a_lock_whose_process_id_was_reused_is_taken_over_at_once(seeded_copy: Path) -> None:
    """After a crash or a reboot another process may get the holder's id (Windows reuses ids
    at once, Linux after 32,768): the lock names its process by id and start time."""
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        write_foreign_lock(seeded_copy, machine=this_machine(), age_s=1, pid=other.pid, started="1")
        db = open_existing(seeded_copy)  # a live process, but not the one that made the lock
        try:
            assert db.lock is not None and db.lock.taken_over is not None
        finally:
            db.close()
        write_foreign_lock(
            seeded_copy,
            machine=this_machine(),
            age_s=1,
            pid=other.pid,
            started=process_started(other.pid),
        )
        with pytest.raises(DatabaseInUse):  # the same process: still the holder
            open_existing(seeded_copy)
    finally:
        other.kill()
        other.wait()


def test_a_lock_of_another_pc_is_honoured_while_it_beats(seeded_copy: Path) -> None:
    write_foreign_lock(seeded_copy, machine="KIKAKU-PC07", age_s=5)
    with pytest.raises(DatabaseInUse) as info:
        open_existing(seeded_copy)
    assert "八戸 次郎さん（パソコン KIKAKU-PC07）が " in info.value.message
    assert read_holder(lock_path(seeded_copy)).token == "f00d"  # type: ignore[union-attr]


def test_a_lock_of_a_powered_off_pc_goes_stale_and_is_taken_over(seeded_copy: Path) -> None:
    write_foreign_lock(seeded_copy, machine="KIKAKU-PC07", age_s=STALE_AFTER_S + 5)
    db = open_existing(seeded_copy)
    try:
        assert db.lock is not None and db.lock.taken_over is not None
        assert db.lock.taken_over.machine == "KIKAKU-PC07"
        holder = read_holder(lock_path(seeded_copy))
        assert holder is not None and holder.machine == this_machine()
        assert holder.pid == os.getpid()
    finally:
        db.close()


def test_an_empty_lock_file_left_by_a_crash_while_creating_it_is_taken_over(
    seeded_copy: Path,
) -> None:
    path = lock_path(seeded_copy)
    path.write_bytes(b"")
    os.utime(path, (time.time() - 30, time.time() - 30))
    open_existing(seeded_copy).close()
    assert not path.exists()


def test_the_heartbeat_keeps_the_lock_fresh_and_notices_a_takeover(seeded_copy: Path) -> None:
    handle = WriterLock.acquire(seeded_copy, heartbeat_s=0.05)
    try:
        path = lock_path(seeded_copy)
        os.utime(path, (time.time() - 100, time.time() - 100))
        time.sleep(0.3)
        assert time.time() - path.stat().st_mtime < 5  # touched again

        path.unlink()  # deleted by hand: put back by the next beat
        time.sleep(0.3)
        assert read_holder(path) is not None and not handle.lost

        write_foreign_lock(seeded_copy, machine="KIKAKU-PC07", age_s=0)  # taken over meanwhile
        time.sleep(0.3)
        assert handle.lost
    finally:
        handle.release()
    assert read_holder(lock_path(seeded_copy)).machine == "KIKAKU-PC07"  # type: ignore[union-attr]


def test_writes_stop_once_the_lock_was_taken_over(seeded_copy: Path) -> None:
    db = open_existing(seeded_copy)
    try:
        write_foreign_lock(seeded_copy, machine="KIKAKU-PC07", age_s=0)
        assert db.lock is not None and not db.lock.still_held()
        before = dump(seeded_copy)
        with pytest.raises(LockLost) as info:
            record_actuals(db, {("K03", 2024): "80"})
        assert_sentence(info.value.message)
        assert "引き継がれた" in info.value.message
        assert dump(seeded_copy) == before
    finally:
        db.close()
    assert read_holder(lock_path(seeded_copy)).machine == "KIKAKU-PC07"  # type: ignore[union-attr]


def test_two_pcs_racing_for_a_stale_lock_give_one_winner(seeded_copy: Path) -> None:
    write_foreign_lock(seeded_copy, machine="KIKAKU-PC07", age_s=STALE_AFTER_S + 5)
    code = (
        "import sys\n"
        "from aomori_desktop.store.lock import WriterLock, DatabaseInUse\n"
        "sys.stdin.readline()\n"
        "try:\n"
        f"    h = WriterLock.acquire(__import__('pathlib').Path({str(seeded_copy)!r}))\n"
        "    print('won', flush=True)\n"
        "    sys.stdin.readline()\n"
        "except DatabaseInUse:\n"
        "    print('lost', flush=True)\n"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=child_env(),
        )
        for _ in range(4)
    ]
    time.sleep(1.5)  # all started and waiting
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    answers = [p.stdout.readline().strip() for p in procs if p.stdout is not None]
    for p in procs:
        assert p.stdin is not None and p.stdout is not None
        p.stdin.close()
        p.wait(timeout=30)
        p.stdout.close()
    assert sorted(answers) == ["lost", "lost", "lost", "won"]


def test_a_file_without_write_permission_opens_read_only(
    seeded_template: Path, read_only_folder
) -> None:
    folder = read_only_folder([seeded_template])
    db = open_existing(folder / seeded_template.name)
    try:
        assert db.read_only and db.lock is None
        assert db.read_only_reason is not None and "権限がない" in db.read_only_reason
        with pytest.raises(DatabaseReadOnly) as info:
            record_actuals(db, {("K03", 2024): "80"})
        assert_sentence(info.value.message)
    finally:
        db.close()
    assert sorted(p.name for p in folder.iterdir()) == [seeded_template.name]


def test_the_same_instance_shares_its_lock_between_windows(seeded_copy: Path) -> None:
    first = open_existing(seeded_copy)
    second = open_existing(seeded_copy)
    first.close()
    assert lock_path(seeded_copy).exists()  # still held by the second
    second.close()
    assert not lock_path(seeded_copy).exists()
