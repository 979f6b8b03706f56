"""Kill tests: run the real application, SIGKILL it at random moments, check what survived.

    python scripts/killtest.py --kills 50                              the short run (.ci/run)
    python scripts/killtest.py --kills 1000 --report docs/RELIABILITY.md   the long run

Each cycle starts the application, kills it with SIGKILL at a random moment (while it starts,
opens the file, takes the lock, makes the day's backup, or writes), restarts on the same files
and checks:

* the window (scripts/kill_driver.py, offscreen, through the real widgets: typed cells, pasted
  blocks, 年度実績一括入力 columns): `integrity_check` is ok; every edit the window showed as
  saved is in the file; the one edit in flight is there whole or not at all; the restart opens
  the file for editing (the dead instance's lock is taken over without asking anyone);
* `import json` into a new file and `init`: afterwards there is no file, or the whole plan;
* `import json` into an existing empty database: no plan, or the whole plan;
* `restore`: the database is the one before or the backup, whole;
* `backup`: every file in the backups folder is a whole, checked database.

Most cycles fork a process that has already imported the application (a fork server: the
imports take most of a start on a busy machine, and 1,000 cycles must fit in an hour); every
`--fresh-every`-th cycle starts a brand-new interpreter (`python -m aomori_desktop ...`,
`python scripts/kill_driver.py ...`) instead. Exit status 1 when anything was lost.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["QT_QPA_PLATFORM"] = "offscreen"

CONTENT_TABLES = [
    "pillar",
    "measure",
    "project",
    "project_partner",
    "project_year",
    "placement",
    "kpi",
    "kpi_measure",
    "kpi_year",
    "target_revision",
    "audit_log",
]
BEGIN_MARK = "<!-- killtest:begin -->"
END_MARK = "<!-- killtest:end -->"


# ---------------------------------------------------------------- children


class Child:
    """A running application process whose stdout lines are collected."""

    def __init__(self, pid: int, fd: int, proc: subprocess.Popen[bytes] | None = None) -> None:
        self.pid, self.fd, self.proc = pid, fd, proc
        self.started = time.monotonic()
        self._buffer = b""
        self.lines: list[str] = []
        self.status: int | None = None
        self.killed = False

    def _pump(self, timeout: float) -> bool:
        """Read what is there within `timeout`; False at end of output."""
        ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not ready:
            return True
        chunk = os.read(self.fd, 65536)
        if not chunk:
            return False
        self._buffer += chunk
        *done, self._buffer = self._buffer.split(b"\n")
        self.lines.extend(line.decode("utf-8", "replace") for line in done)
        return True

    def wait_for(self, predicate: Callable[[list[str]], bool], deadline: float) -> bool:
        while time.monotonic() < deadline:
            if predicate(self.lines):
                return True
            if not self._pump(min(0.05, deadline - time.monotonic())):
                return predicate(self.lines)
        return predicate(self.lines)

    def run_until(self, moment: float) -> None:
        """Collect output until `moment` (monotonic) or the end of the process."""
        while time.monotonic() < moment:
            if not self._pump(min(0.05, moment - time.monotonic())):
                # output closed: the process is ending; wait for it up to `moment`
                while time.monotonic() < moment and not self._reaped():
                    time.sleep(0.01)
                return

    def kill(self) -> None:
        if self._reaped():
            return
        os.kill(self.pid, signal.SIGKILL)
        self._wait()
        self.killed = self.status is not None and os.WIFSIGNALED(self.status)

    def finish(self, timeout: float = 120.0) -> None:
        """Let it end by itself (a command that completed before its kill time)."""
        deadline = time.monotonic() + timeout
        while not self._reaped() and time.monotonic() < deadline:
            self._pump(0.05)
        if not self._reaped():
            self.kill()

    def _reaped(self) -> bool:
        if self.status is not None:
            return True
        pid, status = os.waitpid(self.pid, os.WNOHANG)
        if pid:
            self.status = status
        return self.status is not None

    def _wait(self) -> None:
        if self.status is None:
            _, self.status = os.waitpid(self.pid, 0)
        while self._pump(0.0):
            pass
        if self._buffer:
            self.lines.append(self._buffer.decode("utf-8", "replace"))
            self._buffer = b""
        os.close(self.fd)
        if self.proc is not None:
            self.proc.returncode = os.waitstatus_to_exitcode(self.status)

    def close(self) -> None:
        if self.status is None:
            self.kill()
        else:
            with contextlib.suppress(OSError):
                self._wait()


def fork_child(work: Callable[[], int]) -> Child:
    """Run `work` in a forked copy of this process (the application already imported)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        code = 70
        try:
            os.close(read_end)
            os.dup2(write_end, 1)
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 2)
            os.setpgid(0, 0)
            code = work()
        except BaseException:
            code = 71
        finally:
            try:
                sys.stdout.flush()
            finally:
                os._exit(code)
    os.close(write_end)
    return Child(pid, read_end)


def spawn_child(argv: list[str]) -> Child:
    """A brand-new interpreter running the application."""
    proc = subprocess.Popen(
        [sys.executable, *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
    )
    assert proc.stdout is not None
    fd = os.dup(proc.stdout.fileno())
    proc.stdout.close()
    return Child(proc.pid, fd, proc)


def in_child(work: Callable[[], int]) -> None:
    """Set-up work that uses the application, kept out of this (forking) process."""
    child = fork_child(work)
    child.finish(timeout=600)
    if child.status is None or os.waitstatus_to_exitcode(child.status) != 0:
        raise SystemExit(f"set-up failed: {child.lines[-5:]}")


# ---------------------------------------------------------------- reading files


def connect(path: Path) -> sqlite3.Connection:
    """Read-write, as the restarted application does: a journal left by the kill is rolled
    back here (that is the recovery being tested)."""
    return sqlite3.connect(path, timeout=10)


def integrity(path: Path) -> str:
    con = connect(path)
    try:
        return ";".join(str(r[0]) for r in con.execute("PRAGMA integrity_check"))
    finally:
        con.close()


def actuals(path: Path) -> dict[tuple[str, int], str]:
    con = connect(path)
    try:
        rows = con.execute(
            "SELECT kpi.code, y.fiscal_year, y.actual FROM kpi_year y "
            "JOIN kpi ON kpi.id = y.kpi_id WHERE y.actual IS NOT NULL"
        ).fetchall()
    finally:
        con.close()
    return {(str(c), int(f)): str(a) for c, f, a in rows}


def content_digest(path: Path) -> str:
    """The plan's content (every table but the timestamps of the file's own events)."""
    con = connect(path)
    try:
        h = hashlib.sha256()
        plans = con.execute(
            "SELECT name, status, description, first_fiscal_year, last_fiscal_year FROM plan"
        ).fetchall()
        h.update(repr(plans).encode())
        for table in CONTENT_TABLES:
            h.update(repr(con.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()).encode())
        return h.hexdigest()
    finally:
        con.close()


def plan_count(path: Path) -> int:
    con = connect(path)
    try:
        return int(con.execute("SELECT count(*) FROM plan").fetchone()[0])
    finally:
        con.close()


def backup_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


# ---------------------------------------------------------------- tally


@dataclass
class Tally:
    cycles: int = 0
    kills: int = 0
    completed: int = 0  # ended by themselves before their kill time (checked too)
    fresh_processes: int = 0
    by_scenario: dict[str, int] = field(default_factory=dict)
    kills_during_startup: int = 0
    kills_during_edits: int = 0
    confirmed_edits: int = 0
    confirmed_cells: int = 0
    inflight_applied: int = 0
    inflight_absent: int = 0
    edits_lost: int = 0
    told_refused_but_stored: int = 0
    refused_edits: int = 0
    half_applied: int = 0
    integrity_failures: int = 0
    takeovers: int = 0
    takeover_failures: int = 0
    imports_whole: int = 0
    imports_absent: int = 0
    restores_old: int = 0
    restores_new: int = 0
    backups_checked: int = 0
    failures: list[str] = field(default_factory=list)

    def fail(self, text: str) -> None:
        self.failures.append(text)
        print(f"FAILURE: {text}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- scenarios


class Scenarios:
    def __init__(self, work: Path, rng: random.Random, tally: Tally, fresh_every: int) -> None:
        self.work, self.rng, self.tally, self.fresh_every = work, rng, tally, fresh_every
        self.durations: dict[str, list[float]] = {}
        self.window_db = work / "window" / "計画 共有.sqlite3"
        self.window_base: dict[tuple[str, int], str] = {}
        self.live = work / "restore" / "live.sqlite3"
        self.live_state = "A"
        self.expected: dict[str, str] = {}
        self.calibrating = False

    # ------------------------------------------------------------ set-up

    def prepare(self) -> None:
        work = self.work
        for sub in ("window", "restore", "import", "init", "empty", "xdg"):
            (work / sub).mkdir(parents=True, exist_ok=True)
        os.environ["XDG_DATA_HOME"] = str(work / "xdg")
        in_child(lambda: _build_templates(work))
        self.expected = json.loads((work / "expected.json").read_text(encoding="utf-8"))
        shutil.copy(work / "data-A.sqlite3", self.window_db)
        shutil.copy(work / "data-A.sqlite3", self.live)
        self.window_base = actuals(self.window_db)

    # ------------------------------------------------------------ running one

    def _start(self, fresh: bool, argv: list[str], work: Callable[[], int]) -> Child:
        if fresh:
            self.tally.fresh_processes += 1
            return spawn_child(argv)
        return fork_child(work)

    def _size(self) -> str:
        """During calibration: each plan size once per kind of start."""
        self._sizes = getattr(self, "_sizes", 0) + 1
        return "small" if self._sizes % 2 else "large"

    def calibrate(self) -> None:
        """Run each command once to its end (fork and fresh), to learn how long it takes:
        kills are then spread over the whole run, including just after it finished writing."""
        self.calibrating = True
        try:
            for fresh in (False, True):
                self.import_new(0, fresh)
                self.import_new(0, fresh)
                self.init(0, fresh)
                self.import_existing(0, fresh)
                self.restore(0, fresh)
                self.backup(0, fresh)
        finally:
            self.calibrating = False
        failures = self.tally.failures
        self.tally.__init__()  # type: ignore[misc]  # the figures count the kill cycles only
        self.tally.failures.extend(failures)

    def _kill_at(self, name: str, fresh: bool) -> float:
        if self.calibrating:
            return 600.0
        seen = self.durations.get(f"{name}/{fresh}", [])
        typical = sorted(seen)[len(seen) // 2] if seen else (4.0 if fresh else 1.0)
        return self.rng.uniform(0.0, typical * 1.15)

    def _end(self, name: str, fresh: bool, child: Child, kill_after: float) -> None:
        child.run_until(child.started + kill_after)
        if child._reaped():
            child.close()
            self.durations.setdefault(f"{name}/{fresh}", []).append(
                time.monotonic() - child.started
            )
            self.tally.completed += 1
        else:
            child.kill()
            if child.killed:
                self.tally.kills += 1
                self.tally.by_scenario[name] = self.tally.by_scenario.get(name, 0) + 1

    def run(self, cycle: int) -> None:
        self.tally.cycles += 1
        fresh = self.fresh_every > 0 and cycle % self.fresh_every == 0
        pick = self.rng.random()
        if pick < 0.5:
            self.window(cycle, fresh)
        elif pick < 0.65:
            self.import_new(cycle, fresh)
        elif pick < 0.72:
            self.init(cycle, fresh)
        elif pick < 0.80:
            self.import_existing(cycle, fresh)
        elif pick < 0.92:
            self.restore(cycle, fresh)
        else:
            self.backup(cycle, fresh)

    # ------------------------------------------------------------ the window

    def window(self, cycle: int, fresh: bool) -> None:
        seed = self.rng.randrange(1 << 30)
        db = str(self.window_db)
        argv = [
            "scripts/kill_driver.py",
            "--db",
            db,
            "--seed",
            str(seed),
            "--cycle",
            str(cycle),
        ]
        child = self._start(fresh, argv, lambda: _drive(db, seed, cycle))
        startup_kill = self.rng.random() < 0.15
        if startup_kill:
            typical = 3.0 if fresh else 0.8
            child.run_until(child.started + self.rng.uniform(0.0, typical))
        else:
            child.wait_for(
                lambda ls: any('"event": "opened"' in x or '"failed"' in x for x in ls),
                time.monotonic() + (90 if fresh else 45),
            )
            child.run_until(time.monotonic() + self.rng.uniform(0.05, 2.5))
        alive = not child._reaped()
        child.kill() if alive else child.close()
        if not alive:  # the driver never ends by itself: it crashed or could not open
            self.tally.fail(
                f"cycle {cycle}: the window ended by itself "
                f"({os.waitstatus_to_exitcode(child.status or 0)}): {child.lines[-3:]}"
            )
        if child.killed:
            self.tally.kills += 1
            self.tally.by_scenario["window"] = self.tally.by_scenario.get("window", 0) + 1
            opened = any('"event": "opened"' in x for x in child.lines)
            if opened:
                self.tally.kills_during_edits += 1
            else:
                self.tally.kills_during_startup += 1
        self._check_window(cycle, child.lines)

    def _check_window(self, cycle: int, lines: list[str]) -> None:
        events = [json.loads(x) for x in lines if x.startswith("{")]
        for e in events:
            if e["event"] == "failed":
                self.tally.fail(f"cycle {cycle}: the window did not open: {e.get('why')}")
            if e["event"] == "opened":
                if e["read_only"]:
                    self.tally.takeover_failures += 1
                    self.tally.fail(f"cycle {cycle}: opened read-only (lock not taken over)")
                else:
                    self.tally.takeovers += 1
        confirmed: list[dict[str, Any]] = []
        refused: list[dict[str, Any]] = []
        inflight: dict[str, Any] | None = None
        for e in events:
            if e["event"] == "begin":
                inflight = e["op"]
            elif e["event"] == "saved":
                confirmed.append(e["op"])
                inflight = None
            elif e["event"] == "refused":
                refused.append(e)
                inflight = None
            elif e["event"] == "stored-though-refused":
                # the window said "not saved" but the file holds it: a defect in itself
                confirmed.append(e["op"])
                inflight = None
                self.tally.told_refused_but_stored += 1
                self.tally.fail(
                    f"cycle {cycle}: the window said not saved, the file holds it: "
                    f"{e['op']} why {e.get('why')!r} shown {e.get('shown')}"
                )
        check = integrity(self.window_db)
        if check != "ok":
            self.tally.integrity_failures += 1
            self.tally.fail(f"cycle {cycle}: integrity_check: {check[:200]}")
            return
        now = actuals(self.window_db)
        state = dict(self.window_base)
        for op in confirmed:
            for kpi, fy, value in op["cells"]:
                state[(kpi, fy)] = value
        with_inflight = dict(state)
        if inflight is not None:
            for kpi, fy, value in inflight["cells"]:
                with_inflight[(kpi, fy)] = value
        self.tally.refused_edits += len(refused)
        self.tally.confirmed_edits += len(confirmed)
        self.tally.confirmed_cells += sum(len(op["cells"]) for op in confirmed)
        if now == state:
            if inflight is not None:
                self.tally.inflight_absent += 1
        elif inflight is not None and now == with_inflight:
            self.tally.inflight_applied += 1
        else:
            lost = [
                (kpi, fy, value)
                for op in confirmed
                for kpi, fy, value in op["cells"]
                if now.get((kpi, fy)) != state.get((kpi, fy))
                and now.get((kpi, fy)) != with_inflight.get((kpi, fy))
            ]
            self.tally.edits_lost += len(lost)
            if inflight is not None:
                present = [now.get((k, f)) == v for k, f, v in inflight["cells"]]
                if any(present) and not all(present):
                    self.tally.half_applied += 1
            extra = {
                k: v for k, v in now.items() if state.get(k) != v and with_inflight.get(k) != v
            }
            self.tally.fail(
                f"cycle {cycle}: window state differs: lost {lost[:5]}, unexpected "
                f"{list(extra.items())[:5]}, refused {[(r['op'], r.get('why')) for r in refused]}"
            )
        self.window_base = now

    # ------------------------------------------------------------ headless

    def _cli(self, name: str, cycle: int, fresh: bool, argv: list[str]) -> Child:
        def work() -> int:
            from aomori_desktop.cli import main

            return main(argv)

        child = self._start(fresh, ["-m", "aomori_desktop", *argv], work)
        self._end(name, fresh, child, self._kill_at(name, fresh))
        return child

    def _whole_or_absent(self, cycle: int, target: Path, digest: str, *, empty_ok: bool) -> None:
        if not target.exists():
            self.tally.imports_absent += 1
            return
        check = integrity(target)
        if check != "ok":
            self.tally.integrity_failures += 1
            self.tally.fail(f"cycle {cycle}: {target.name}: integrity_check: {check[:200]}")
            return
        if empty_ok and plan_count(target) == 0:
            self.tally.imports_absent += 1
            return
        if content_digest(target) == digest:
            self.tally.imports_whole += 1
        else:
            self.tally.half_applied += 1
            self.tally.fail(f"cycle {cycle}: {target.name} holds part of a plan")

    def import_new(self, cycle: int, fresh: bool) -> None:
        which = self.rng.choice(["small", "large"]) if not self.calibrating else self._size()
        target = self.work / "import" / "取り込み 先.sqlite3"
        target.unlink(missing_ok=True)
        source = self.work / f"plan-{which}.json"
        argv = ["import", "json", str(source), "--db", str(target)]
        self._cli(f"import-new-{which}", cycle, fresh, argv)
        self._whole_or_absent(cycle, target, self.expected[which], empty_ok=False)

    def init(self, cycle: int, fresh: bool) -> None:
        target = self.work / "init" / "new.sqlite3"
        target.unlink(missing_ok=True)
        self._cli("init", cycle, fresh, ["init", "--db", str(target)])
        self._whole_or_absent(cycle, target, self.expected["seed"], empty_ok=False)

    def import_existing(self, cycle: int, fresh: bool) -> None:
        target = self.work / "empty" / "empty.sqlite3"
        for stale in (target, target.with_name(target.name + "-journal")):
            stale.unlink(missing_ok=True)
        shutil.copy(self.work / "empty-template.sqlite3", target)
        source = self.work / "plan-small.json"
        self._cli(
            "import-existing", cycle, fresh, ["import", "json", str(source), "--db", str(target)]
        )
        self._whole_or_absent(cycle, target, self.expected["small"], empty_ok=True)
        self._check_backups(cycle, target.parent / "backups")

    def restore(self, cycle: int, fresh: bool) -> None:
        other = "B" if self.live_state == "A" else "A"
        source = self.work / f"data-{other}.sqlite3"
        self._cli("restore", cycle, fresh, ["restore", str(source), "--db", str(self.live)])
        check = integrity(self.live)
        if check != "ok":
            self.tally.integrity_failures += 1
            self.tally.fail(f"cycle {cycle}: restore: integrity_check: {check[:200]}")
            return
        now = content_digest(self.live)
        if now == self.expected[f"data-{self.live_state}"]:
            self.tally.restores_old += 1
        elif now == self.expected[f"data-{other}"]:
            self.tally.restores_new += 1
            self.live_state = other
        else:
            self.tally.half_applied += 1
            self.tally.fail(f"cycle {cycle}: restore left neither the old nor the backup")
        self._check_backups(cycle, self.live.parent / "backups")

    def backup(self, cycle: int, fresh: bool) -> None:
        before = content_digest(self.live)
        self._cli("backup", cycle, fresh, ["backup", "--db", str(self.live)])
        if content_digest(self.live) != before:
            self.tally.fail(f"cycle {cycle}: backup changed the database")
        self._check_backups(cycle, self.live.parent / "backups")

    def _check_backups(self, cycle: int, folder: Path) -> None:
        for path in backup_files(folder):
            self.tally.backups_checked += 1
            check = integrity(path)
            if check != "ok" or plan_count(path) > 1:
                self.tally.integrity_failures += 1
                self.tally.fail(f"cycle {cycle}: backup {path.name} is not whole: {check[:100]}")


def _drive(db: str, seed: int, cycle: int) -> int:
    from kill_driver import run  # type: ignore[import-not-found]

    return run(db, seed=seed, cycle=cycle)


def _build_templates(work: Path) -> int:
    """Template files (in a child process): seeded, two data sets, an empty database, plans
    as JSON (the strategy with figures, and a 300-KPI plan), and their content digests."""
    from decimal import Decimal

    from aomori_desktop.exchange.json_format import dump_plan
    from aomori_desktop.services.kpi_fields import KpiFieldsEdit
    from aomori_desktop.services.plan_services import PlanServices
    from aomori_desktop.services.workspace import (
        create_seeded_database,
        default_plan_id,
        export_plan,
    )
    from aomori_desktop.store.database import create_database, open_database

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from plans import build_snapshot  # type: ignore[import-not-found]

    from aomori_desktop.services.workspace import import_plan

    expected: dict[str, str] = {}
    seeded = work / "seeded.sqlite3"
    create_seeded_database(seeded).close()
    expected["seed"] = content_digest(seeded)
    for name, base in (("A", 100), ("B", 200)):
        path = work / f"data-{name}.sqlite3"
        shutil.copy(seeded, path)
        db = open_database(path)
        services = PlanServices(db, default_plan_id(db), user="kill test")
        # K16 is a percentage (0–100 unless its definition says otherwise): the driver's
        # values are unique numbers of many digits, so the file states the range they need
        services.kpi_fields.update_kpi("K16", KpiFieldsEdit(definition="値の範囲: 0以上"))
        for n in range(16):
            services.values.record_actual(f"K{n + 1:02d}", 2024 + n % 10, Decimal(base + n))
        db.close()
        expected[f"data-{name}"] = content_digest(path)
    empty = work / "empty-template.sqlite3"
    create_database(empty).close()
    db = open_database(work / "data-A.sqlite3")
    (work / "plan-small.json").write_text(dump_plan(export_plan(db)), encoding="utf-8")
    db.close()
    large_db = work / "large.sqlite3"
    db = create_database(large_db)  # a 300-KPI plan from the benchmarks' generator
    try:
        import_plan(db, build_snapshot(300))
    finally:
        db.close()
    db = open_database(large_db)
    (work / "plan-large.json").write_text(dump_plan(export_plan(db)), encoding="utf-8")
    db.close()
    from aomori_desktop.exchange.json_format import load_plan
    from aomori_desktop.services.workspace import create_with_plan

    for which in ("small", "large"):
        reference = work / f"reference-{which}.sqlite3"
        text = (work / f"plan-{which}.json").read_text(encoding="utf-8")
        create_with_plan(reference, load_plan(text), source="reference").close()
        expected[which] = content_digest(reference)
    (work / "expected.json").write_text(json.dumps(expected), encoding="utf-8")
    return 0


# ---------------------------------------------------------------- the report


def report_text(tally: Tally, seconds: float, kills_wanted: int) -> str:
    when = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    ok = "はい" if not tally.failures else f"いいえ（{len(tally.failures)}件）"
    rows = [
        ("強制終了（SIGKILL）した回数", f"{tally.kills:,}"),
        ("　うち画面（起動中・開く途中）", f"{tally.kills_during_startup:,}"),
        ("　うち画面（入力・貼り付け・一括入力の最中）", f"{tally.kills_during_edits:,}"),
    ]
    for name, count in sorted(tally.by_scenario.items()):
        if name != "window":
            rows.append((f"　うちコマンド `{name}`", f"{count:,}"))
    rows += [
        ("新しいインタープリターで起動した回数（残りはfork）", f"{tally.fresh_processes:,}"),
        ("強制終了の前に自分で終わった実行（これも検査）", f"{tally.completed:,}"),
        ("保存済みと表示された編集（検査した数）", f"{tally.confirmed_edits:,}"),
        ("　その値のセル数", f"{tally.confirmed_cells:,}"),
        ("失われた保存済みの編集", f"{tally.edits_lost:,}"),
        (
            "保存できなかったと表示された編集（うちファイルにあったもの）",
            f"{tally.refused_edits:,}（{tally.told_refused_but_stored:,}）",
        ),
        ("途中まで書かれた貼り付け・一括入力・読み込み・復元", f"{tally.half_applied:,}"),
        ("integrity_check が ok でなかった回数", f"{tally.integrity_failures:,}"),
        (
            "実行中だった編集: 全部保存 / 何も保存されず",
            f"{tally.inflight_applied:,} / {tally.inflight_absent:,}",
        ),
        (
            "再起動で編集用に開けた（ロックの引き継ぎ）",
            f"{tally.takeovers:,}（失敗 {tally.takeover_failures:,}）",
        ),
        (
            "読み込み・作成: 全部あり / ファイルなし・計画なし",
            f"{tally.imports_whole:,} / {tally.imports_absent:,}",
        ),
        ("復元: 元のまま / バックアップの内容", f"{tally.restores_old:,} / {tally.restores_new:,}"),
        ("検査したバックアップファイル", f"{tally.backups_checked:,}"),
        ("すべて問題なし", ok),
    ]
    table = "\n".join(f"| {a} | {b} |" for a, b in rows)
    return (
        f"{BEGIN_MARK}\n"
        f"Measured by `scripts/killtest.py --kills {kills_wanted}` on {when} "
        f"({seconds / 60:.1f} minutes, {tally.cycles:,} cycles, {os.cpu_count()} cores shared):\n\n"
        "| | |\n|---|---|\n"
        f"{table}\n"
        f"{END_MARK}"
    )


def write_report(path: Path, text: str) -> None:
    doc = path.read_text(encoding="utf-8") if path.exists() else ""
    if BEGIN_MARK in doc and END_MARK in doc:
        head, rest = doc.split(BEGIN_MARK, 1)
        _, tail = rest.split(END_MARK, 1)
        doc = head + text + tail
    else:
        doc = doc.rstrip() + "\n\n" + text + "\n"
    path.write_text(doc, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--fresh-every", type=int, default=10)
    parser.add_argument("--work", type=Path, help="working folder (default: a new temp folder)")
    parser.add_argument("--report", type=Path, help="write the figures into this Markdown file")
    parser.add_argument("--max-minutes", type=float, default=75.0)
    args = parser.parse_args()

    import tempfile

    # the application's modules, loaded once: every forked cycle starts from here
    import aomori_desktop.cli
    import aomori_desktop.ui.main_window  # noqa: F401

    sys.path.insert(0, str(ROOT / "scripts"))
    import kill_driver  # noqa: F401

    work = args.work or Path(tempfile.mkdtemp(prefix="aomori-killtest-"))
    tally = Tally()
    scenarios = Scenarios(work, random.Random(args.seed), tally, args.fresh_every)
    started = time.monotonic()
    scenarios.prepare()
    scenarios.calibrate()
    calibrated = {k: round(v[0], 2) for k, v in scenarios.durations.items()}
    print(f"durations of uninterrupted runs (s): {calibrated}", flush=True)
    cycle = 0
    while tally.kills < args.kills:
        cycle += 1
        scenarios.run(cycle)
        if cycle % 25 == 0:
            print(
                f"{cycle} cycles, {tally.kills} kills, {tally.confirmed_edits} confirmed edits, "
                f"{len(tally.failures)} failures, {time.monotonic() - started:.0f} s",
                flush=True,
            )
        if time.monotonic() - started > args.max_minutes * 60:
            tally.fail(f"stopped after {args.max_minutes} minutes with {tally.kills} kills")
            break
    seconds = time.monotonic() - started
    summary = {k: v for k, v in tally.__dict__.items() if k != "failures"}
    summary["failures"] = len(tally.failures)
    summary["seconds"] = round(seconds, 1)
    print(json.dumps(summary, ensure_ascii=False), flush=True)
    if args.report is not None:
        write_report(args.report, report_text(tally, seconds, args.kills))
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if tally.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
