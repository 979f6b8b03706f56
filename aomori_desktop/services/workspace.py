"""Database-level use cases: create and seed, open for editing or reading, back up and restore,
import and export whole plans, check.

Opening for editing takes the writer lock (`store.lock`): a second instance or a second person
is told who holds the file and may open it read-only. The first opening of a day makes a
checked backup (`store.backups`), and every opening for editing runs SQLite's quick check, so
a damaged file is found when it is opened, not in the middle of the council week.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from aomori_desktop.domain.plan import PlanSnapshot
from aomori_desktop.domain.validation import validate_snapshot
from aomori_desktop.exchange.seed_toml import load_default_seed
from aomori_desktop.services.errors import Conflict, NotFound, ValidationError
from aomori_desktop.services.snapshot_io import read_snapshot, write_snapshot
from aomori_desktop.services.tasks import TaskState
from aomori_desktop.store import backups, migrate
from aomori_desktop.store.backups import BackupInfo, RestoreResult
from aomori_desktop.store.database import (
    Clock,
    Database,
    backup_to,
    check_database_file,
    create_database,
    is_read_only_url,
    open_database,
    read_only_url,
    sqlite_integrity_problems,
    utc_now,
)
from aomori_desktop.store.engine import to_url
from aomori_desktop.store.errors import BackupFailed, DatabaseCorrupt, StoreError
from aomori_desktop.store.lock import DatabaseInUse, LockHolder, LockUnavailable, WriterLock
from aomori_desktop.store.models import (
    AuditRow,
    KpiRow,
    KpiYearRow,
    MaintenanceRow,
    MeasureRow,
    PillarRow,
    PlacementRow,
    PlanRow,
    ProjectRow,
)

log = logging.getLogger(__name__)

#: events in the maintenance log written in the same transaction as a whole plan
PLAN_WRITTEN_EVENTS = ("seeded", "imported")


@dataclass(frozen=True, slots=True)
class PlanSummary:
    id: int
    name: str
    first_fiscal_year: int
    last_fiscal_year: int


# ---------------------------------------------------------------- creating


def create_seeded_database(target: str | Path, *, clock: Clock = utc_now) -> Database:
    """A new database holding the default plan (青森市しごと創造戦略) from the seed file.

    Built beside the target and renamed into place when complete (`create_database`)."""
    seed = load_default_seed()
    return create_database(
        target, fill=lambda db: _import(db, seed, clock, "seeded", seed.plan.name)
    )


def create_with_plan(
    target: str | Path, snapshot: PlanSnapshot, *, source: str, clock: Clock = utc_now
) -> Database:
    """A new database holding `snapshot` (an import into a new file): the file appears only
    when the whole plan is in it, so an interrupted import leaves no file at all."""
    check_importable(snapshot)
    return create_database(target, fill=lambda db: _import(db, snapshot, clock, "imported", source))


def open_or_create(target: str | Path, *, clock: Clock = utc_now) -> Database:
    """The database at `target` opened for editing, created and seeded if it does not exist."""
    is_file = isinstance(target, Path) or "://" not in target
    if is_file and not Path(target).expanduser().exists():
        create_seeded_database(target, clock=clock).close()
    return open_existing(target, clock=clock)


# ---------------------------------------------------------------- opening


def open_existing(target: str | Path, *, clock: Clock = utc_now) -> Database:
    """An existing database opened for editing (never created).

    Raises `DatabaseInUse` (naming who edits it) when another instance holds it. A file or
    folder without write permission is opened read-only, with the reason in
    `Database.read_only_reason`. An older schema is upgraded after a backup; the first
    opening of the day makes a backup; a file that fails SQLite's quick check is refused
    with the name of the latest backup to restore.
    """
    url = to_url(target)
    if url.get_backend_name() != "sqlite" or is_read_only_url(url):
        return open_database(target, clock=clock)
    path = Path(str(url.database))
    check_database_file(path, str(path))
    if not os.access(path, os.W_OK):
        return open_read_only(
            path, reason="ファイルに書き込む権限がないため、読み取り専用で開いています。"
        )
    try:
        lock = WriterLock.acquire(path, location=str(path))
    except LockUnavailable:
        return open_read_only(
            path, reason="フォルダーに書き込む権限がないため、読み取り専用で開いています。"
        )
    try:
        db = open_database(path, clock=clock)
    except BaseException:
        lock.release()
        raise
    db.lock = lock
    try:
        _quick_check(db)
        notices = list(db.report.notices)
        if lock.taken_over is not None:
            notices.append(
                f"前回{lock.taken_over.describe()}開いたまま終了していなかった編集を引き継ぎました"
                "（異常終了または電源断の後と思われます）。保存済みの内容はそのままです。"
            )
        daily = _daily_backup(path, clock, notices)
        db.report = dataclasses.replace(db.report, daily_backup=daily, notices=tuple(notices))
    except BaseException:
        db.close()
        raise
    return db


def open_read_only(target: str | Path, *, reason: str | None = None) -> Database:
    """A database opened so that nothing can be written (SQLite's read-only mode), for
    reading while someone else edits, or a file that cannot be written. No lock, no backup."""
    url = to_url(target)
    if url.get_backend_name() != "sqlite":
        return open_database(target)
    path = Path(str(url.database))
    check_database_file(path, str(path))
    db = open_database(read_only_url(path))
    db.read_only_reason = reason or "読み取り専用で開いています。"
    return db


def open_for_reading(target: str | Path) -> Database:
    """A database opened for a command that only reads (check, export): no lock is taken,
    so it works while the window edits the same file."""
    return open_database(target)


def _quick_check(db: Database) -> None:
    if not db.is_sqlite or db.path is None:
        return
    try:
        with db.engine.connect() as conn:
            rows = [str(r[0]) for r in conn.execute(text("PRAGMA quick_check"))]
    except Exception as exc:  # the check itself failing is the answer: damaged
        rows = [str(getattr(exc, "orig", exc))]
    if rows == ["ok"]:
        return
    log.warning("quick_check of %s: %s", db.location, "; ".join(rows[:20]))
    latest = next((b for b in backups.list_backups(db.path) if b.problem is None), None)
    hint = (
        f"最新のバックアップ（{latest.made_at:%Y/%m/%d %H:%M}、{latest.path}）から復元してください。"
        if latest is not None
        else "バックアップがあれば、そこから復元してください。"
    )
    raise DatabaseCorrupt(
        f"データベース「{db.location}」が壊れています（開くときの整合性の検査で"
        f"{len(rows)}件の問題が見つかりました）。ファイルは変更していません。{hint}"
    )


def _daily_backup(path: Path, clock: Clock, notices: list[str]) -> Path | None:
    """The day's first opening backs the file up; a failure is told, never blocks opening."""
    if backups.made_today(path, clock().astimezone().date()):
        return None
    try:
        return backups.make_backup(path, "daily", clock=clock).path
    except BackupFailed as exc:
        notices.append(f"本日の自動バックアップを作成できませんでした。{exc.message}")
        return None


# ---------------------------------------------------------------- backups


def backup_database(db: Database, target: Path) -> Path:
    """A consistent copy of the open SQLite database at a file the user chose."""
    if db.path is None:
        raise Conflict(
            "共有サーバーのデータベースは、このアプリケーションからはバックアップできません。サーバー管理者に依頼してください。"
        )
    path = backup_to(db.path, target)
    with suppress(StoreError):  # a read-only database cannot record it; the copy is made
        db.log_event("backup", str(path))
    return path


def backup_now(
    db_path: Path, reason: str = "manual", state: TaskState | None = None, *, clock: Clock = utc_now
) -> BackupInfo:
    """A checked backup into the database's backups folder (kept with the automatic ones)."""
    state = state or TaskState()
    return backups.make_backup(
        db_path, reason, clock=clock, progress=state.report, check_cancel=state.check
    )


def backup_before_import(db: Database, state: TaskState | None = None) -> BackupInfo | None:
    """The backup every import makes first (the JSON, Excel and CSV importers call this
    before writing into an existing database). None for a server database."""
    if db.path is None:
        return None
    return backup_now(db.path, "before-import", state)


def discard_backups(paths: Iterable[Path]) -> None:
    """Remove the backups an import made (the day's first opening, the one before the
    import) when the import was refused: the database is as it was, and a refused file
    changes nothing, not even the backups folder."""
    for path in paths:
        with suppress(OSError):
            path.unlink()
            if not any(path.parent.iterdir()):
                path.parent.rmdir()


def list_database_backups(db_path: Path) -> list[BackupInfo]:
    """The backups of a database, newest first (for ファイル → バックアップから復元)."""
    return backups.list_backups(db_path)


def restore_database(
    backup: Path, target: Path, state: TaskState | None = None, *, clock: Clock = utc_now
) -> RestoreResult:
    """Replace the database at `target` with a backup, atomically, after backing it up.

    Takes the writer lock (refused with who holds it while someone else edits); the caller
    closes its own connections to `target` first.
    """
    state = state or TaskState()
    target = target.expanduser().resolve()
    lock = WriterLock.acquire(target, location=str(target))
    try:
        state.report(0, 1, "バックアップを確認しています")
        result = backups.restore_file(
            backup,
            target,
            known_revision=_known_revision,
            clock=clock,
            progress=state.report,
            check_cancel=state.check,
        )
        db = open_database(target, clock=clock)
        try:
            with suppress(StoreError):
                db.log_event(
                    "restored", f"from {backup}; previous kept as {result.safety_copy}", clock=clock
                )
        finally:
            db.close()
    finally:
        lock.release()
    return result


def _known_revision(revision: str) -> bool:
    return revision == migrate.SCHEMA_HEAD or revision in migrate.known_revisions()


# ---------------------------------------------------------------- plans


def list_plans(db: Database) -> list[PlanSummary]:
    with db.read_session() as s:
        rows = s.execute(
            select(
                PlanRow.id, PlanRow.name, PlanRow.first_fiscal_year, PlanRow.last_fiscal_year
            ).order_by(PlanRow.id)
        ).all()
    return [PlanSummary(*row) for row in rows]


def default_plan_id(db: Database) -> int:
    plans = list_plans(db)
    if not plans:
        raise NotFound(
            f"データベース「{db.location}」には計画が登録されていません"
            "（作成または読み込みが途中で終わった可能性があります）。"
            "バックアップから復元するか、作成・読み込みをやり直してください。"
        )
    return plans[0].id


def check_importable(snapshot: PlanSnapshot) -> None:
    """Raise `ValidationError` listing every problem of a plan about to be imported; done
    before anything (a backup, a new file) is made."""
    problems = validate_snapshot(snapshot)
    if problems:
        raise ValidationError(problems)


def import_plan(
    db: Database, snapshot: PlanSnapshot, *, clock: Clock = utc_now, source: str = ""
) -> int:
    """Write a whole plan into a database that holds none. All or nothing."""
    check_importable(snapshot)
    return _import(db, snapshot, clock, "imported", source)


def _import(db: Database, snapshot: PlanSnapshot, clock: Clock, event: str, source: str) -> int:
    return write_plan_whole(
        db, lambda s: write_snapshot(s, snapshot, created_at=clock()), clock, event, source
    )


def write_plan_whole(
    db: Database, write: Callable[[Session], int], clock: Clock, event: str, source: str
) -> int:
    """The plan `write` inserts and its completion record in one transaction: `check` finds
    a plan without one (written by something that stopped half-way)."""
    with db.session() as s:
        existing = s.scalar(select(func.count()).select_from(PlanRow))
        if existing:
            raise Conflict(
                f"データベース「{db.location}」には既に計画が登録されているため、"
                "読み込みを中止しました（何も変更していません）。"
                "新しいデータベースファイルを指定してください。"
            )
        plan_id = write(s)
        s.flush()
        audit = s.scalar(
            select(func.count()).select_from(AuditRow).where(AuditRow.plan_id == plan_id)
        )
        s.add(
            MaintenanceRow(
                at=clock(),
                user=_user(),
                event=event,
                detail=f"plan {plan_id}; audit {audit}; {source}"[:2000],
            )
        )
        return plan_id


def _user() -> str:
    from aomori_desktop.store.database import os_user

    return os_user()[:100]


def export_plan(db: Database, plan_id: int | None = None) -> PlanSnapshot:
    pid = default_plan_id(db) if plan_id is None else plan_id
    with db.read_session() as s:
        return read_snapshot(s, pid)


# ---------------------------------------------------------------- check


@dataclass(frozen=True, slots=True)
class CheckReport:
    location: str
    schema_revision: str | None
    schema_head: str
    counts: dict[str, int]
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def check_database(db: Database) -> CheckReport:
    """File integrity (SQLite), schema version, a plan that was written whole, and the plan's
    own consistency rules."""
    problems = sqlite_integrity_problems(db)
    counts: dict[str, int] = {}
    with db.read_session() as s:
        for label, model in (
            ("計画", PlanRow),
            ("戦略の柱", PillarRow),
            ("共創施策", MeasureRow),
            ("共創プロジェクト", ProjectRow),
            ("掲載（再掲を含む）", PlacementRow),
            ("KPI", KpiRow),
            ("KPI年度記録", KpiYearRow),
        ):
            counts[label] = s.scalar(select(func.count()).select_from(model)) or 0
        # Reading a plan assumes sound references (a placement whose project is gone crashed
        # read_snapshot with AttributeError): the plan rules run only on a sound file.
        sound = not problems
        if sound:
            problems.extend(_completion_problems(s))
        plan_ids = list(s.scalars(select(PlanRow.id).order_by(PlanRow.id))) if sound else []
        for pid in plan_ids:
            snapshot = read_snapshot(s, pid)
            problems.extend(
                f"計画「{snapshot.plan.name}」: {p}" for p in validate_snapshot(snapshot)
            )
    return CheckReport(
        location=db.location,
        schema_revision=db.schema_revision(),
        schema_head=migrate.head_revision(),
        counts=counts,
        problems=problems,
    )


def _completion_problems(s: Session) -> list[str]:
    """A database without a plan, or a plan without the record its import writes in the same
    transaction, or with fewer history entries than it was imported with: half-made."""
    plans = list(s.execute(select(PlanRow.id, PlanRow.name).order_by(PlanRow.id)))
    if not plans:
        return [
            "計画が登録されていません（作成または読み込みが途中で終わった可能性があります）。"
            "バックアップから復元するか、作成・読み込みをやり直してください。"
        ]
    events = list(
        s.scalars(
            select(MaintenanceRow.detail).where(MaintenanceRow.event.in_(PLAN_WRITTEN_EVENTS))
        )
    )
    recorded: dict[int, int] = {}
    legacy = 0
    for detail in events:
        parts = (detail or "").split(";")
        head = parts[0].strip()
        if head.startswith("plan ") and head[5:].isdigit():
            audit = parts[1].strip() if len(parts) > 1 else ""
            count = int(audit[6:]) if audit.startswith("audit ") and audit[6:].isdigit() else 0
            recorded[int(head[5:])] = count
        else:
            legacy += 1  # written by an earlier version, which did not name the plan
    problems = []
    unrecorded = [(pid, name) for pid, name in plans if pid not in recorded]
    for _pid, name in unrecorded[legacy:]:
        problems.append(
            f"計画「{name}」は読み込みの完了が記録されていません（読み込みが途中で終わった可能性があります）。"
            "バックアップから復元するか、読み込みをやり直してください。"
        )
    for pid, name in plans:
        expected = recorded.get(pid)
        if expected:
            have = s.scalar(
                select(func.count()).select_from(AuditRow).where(AuditRow.plan_id == pid)
            )
            if (have or 0) < expected:
                problems.append(
                    f"計画「{name}」の変更履歴が読み込み時より少なくなっています（{have}件、読み込み時 {expected}件）。"
                    "読み込みが途中で終わったか、他のプログラムで削除された可能性があります。"
                )
    return problems


__all__ = [
    "BackupInfo",
    "CheckReport",
    "Database",
    "DatabaseCorrupt",
    "DatabaseInUse",
    "LockHolder",
    "PlanSummary",
    "RestoreResult",
    "backup_before_import",
    "backup_database",
    "backup_now",
    "check_database",
    "check_importable",
    "create_seeded_database",
    "create_with_plan",
    "default_plan_id",
    "discard_backups",
    "export_plan",
    "import_plan",
    "list_database_backups",
    "list_plans",
    "open_existing",
    "open_for_reading",
    "open_or_create",
    "open_read_only",
    "restore_database",
]
