"""Backups of a database file: made automatically, checked, kept, listed and restored.

An automatic copy is made when a database is opened for editing for the first time on a day,
before every schema upgrade, before every import and before a restore (and by hand). Each is a
consistent copy made with SQLite's online backup API (safe while the window edits), written
under a temporary name, checked with ``PRAGMA integrity_check`` and only then given its name,
so the list never shows half a backup. The last N (a setting, default 30) are kept in a
``backups`` folder beside the database, or in the user's data folder when that folder cannot
be written (a read-only shared drive).

File names carry what the list shows without opening anything else:
``<name>.<YYYYmmdd-HHMMSS>.<reason>.sqlite3``, e.g. ``plan.20261128-103200.daily.sqlite3``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Final

from aomori_desktop.paths import user_data_dir
from aomori_desktop.store.errors import BackupFailed, StoreError
from aomori_desktop.store.files import (
    connect_file,
    copy_database,
    describe_os_error,
    file_integrity_problems,
    is_disk_full,
    place_new,
    remove_database_file,
    remove_leftovers,
    replace_with,
    sqlite_uri,
    temp_beside,
)

DEFAULT_KEEP: Final = 30
SETTINGS_FILE: Final = "settings.json"
FOLDER_NAME: Final = "backups"

Clock = Callable[[], datetime]
Progress = Callable[[int, int, str], None]  # (done, total, text), e.g. TaskState.report
CheckCancel = Callable[[], None]  # raises to stop (TaskState.check)

REASON_LABELS: Final = {
    "daily": "毎日の自動バックアップ",
    "before-upgrade": "データ形式の更新前",
    "before-import": "読み込みの前",
    "before-restore": "復元の前",
    "before-restore-damaged": "復元の前（壊れていたファイルのコピー）",
    "manual": "手動",
}
_NAME = re.compile(
    r"^(?P<stem>.+)\.(?P<stamp>\d{8}-\d{6})(?:-(?P<n>\d+))?\.(?P<reason>[a-z0-9-]+)$"
)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def reason_label(reason: str) -> str:
    if reason.startswith("before-upgrade-from-"):
        return f"データ形式の更新前（{reason.removeprefix('before-upgrade-from-')}から）"
    return REASON_LABELS.get(reason, reason)


# ---------------------------------------------------------------- settings


def settings_path() -> Path:
    return user_data_dir() / SETTINGS_FILE


def keep_setting(path: Path | None = None) -> int:
    """How many backups of each database to keep: ``{"backups": {"keep": N}}`` in the user's
    settings file (%LOCALAPPDATA%\\aomori-desktop\\settings.json), 30 when absent or unreadable."""
    try:
        data = json.loads((path or settings_path()).read_text(encoding="utf-8"))
        keep = data["backups"]["keep"]
    except (OSError, ValueError, KeyError, TypeError):
        return DEFAULT_KEEP
    if isinstance(keep, bool) or not isinstance(keep, int) or not 1 <= keep <= 10_000:
        return DEFAULT_KEEP
    return keep


# ---------------------------------------------------------------- where


def _writable_folder(folder: Path) -> bool:
    """True when files can be created in `folder` (made if missing). Tried, not guessed:
    os.access says nothing reliable about network drives or root on a read-only mount."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-test-{os.getpid()}"
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        probe.unlink()
    except OSError:
        return False
    return True


def fallback_folder(db_path: Path) -> Path:
    """The user's own folder for backups of a database whose folder cannot be written."""
    key = hashlib.sha1(str(db_path.resolve()).encode("utf-8")).hexdigest()[:8]
    return user_data_dir() / FOLDER_NAME / f"{db_path.stem}-{key}"


def backup_folders(db_path: Path) -> list[Path]:
    """Where backups of `db_path` may be: beside it, then the user's data folder."""
    return [db_path.parent / FOLDER_NAME, fallback_folder(db_path)]


def backup_folder(db_path: Path) -> Path:
    """The folder new backups of `db_path` go to."""
    for folder in backup_folders(db_path):
        if _writable_folder(folder):
            return folder
    raise BackupFailed(
        f"バックアップを保存するフォルダー（「{db_path.parent / FOLDER_NAME}」または"
        f"「{fallback_folder(db_path)}」）に書き込めません。フォルダーの権限を確認してください。"
    )


# ---------------------------------------------------------------- the list


@dataclass(frozen=True, slots=True)
class BackupInfo:
    """One backup file as the restore list shows it."""

    path: Path
    made_at: datetime  # local time, from the file name
    reason: str
    size: int
    actuals: int | None  # yearly actual values in it; None when it cannot be read
    latest_at: datetime | None  # the newest change recorded in it (aware, UTC)
    latest_by: str
    latest_what: str
    problem: str | None = None

    @property
    def reason_label(self) -> str:
        return reason_label(self.reason)

    @property
    def latest_text(self) -> str:
        if self.latest_at is None:
            return "（変更の記録なし）"
        when = self.latest_at.astimezone().strftime("%Y/%m/%d %H:%M")
        return f"{when} {self.latest_by}（{self.latest_what}）".strip()


_FIELD_WORDS: Final = {
    "actual": "実績値",
    "interim_target": "年度目標",
    "status": "状況",
    "comment": "コメント",
    "target": "目標値",
    "note": "メモ",
    "name": "名称",
}


def _what(key: str, field: str) -> str:
    """An audit entry's target in words: ("K10/2024", "actual") → "K10 2024年度 実績値"."""
    code, _, year = key.partition("/")
    where = f"{code} {year}年度" if year.isdigit() else key
    return f"{where} {_FIELD_WORDS.get(field, field)}".strip()


def _parse_name(path: Path, stem: str) -> tuple[datetime, str] | None:
    name = path.name
    if path.suffix:
        name = name[: -len(path.suffix)]
    m = _NAME.match(name)
    if m is None or m.group("stem") != stem:
        return None
    try:
        made = datetime.strptime(m.group("stamp"), "%Y%m%d-%H%M%S")
    except ValueError:
        return None
    return made, m.group("reason")


def _own_backups(folder: Path, db_path: Path) -> list[tuple[datetime, str, Path]]:
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    found = []
    for path in entries:
        if path.name.startswith(".") or not path.is_file():
            continue
        parsed = _parse_name(path, db_path.stem)
        if parsed is not None:
            found.append((parsed[0], parsed[1], path))
    return found


def describe_backup(path: Path, made_at: datetime, reason: str) -> BackupInfo:
    """Read what the list shows from a backup file (read-only, never changes it)."""
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    try:
        con = sqlite3.connect(f"{sqlite_uri(path, 'ro')}&immutable=1", uri=True)
        try:
            (actuals,) = con.execute(
                "SELECT count(*) FROM kpi_year WHERE actual IS NOT NULL"
            ).fetchone()
            row = con.execute(
                "SELECT at, user, entity_key, field FROM audit_log ORDER BY at DESC, id DESC "
                "LIMIT 1"
            ).fetchone()
        finally:
            con.close()
    except sqlite3.Error as exc:
        return BackupInfo(
            path, made_at, reason, size, None, None, "", "", f"読み取れません（{exc}）"
        )
    latest_at: datetime | None = None
    latest_by = latest_what = ""
    if row is not None:
        with suppress(ValueError, TypeError):
            latest_at = datetime.fromisoformat(str(row[0])).replace(tzinfo=UTC)
        latest_by = str(row[1] or "")
        latest_what = _what(str(row[2] or ""), str(row[3] or ""))
    return BackupInfo(path, made_at, reason, size, int(actuals), latest_at, latest_by, latest_what)


def list_backups(db_path: Path) -> list[BackupInfo]:
    """Every backup of `db_path` in its folders, newest first."""
    found: dict[Path, tuple[datetime, str, Path]] = {}
    for folder in backup_folders(db_path):
        for made, reason, path in _own_backups(folder, db_path):
            found[path.resolve()] = (made, reason, path)
    ordered = sorted(found.values(), key=lambda item: (item[0], item[2].name), reverse=True)
    return [describe_backup(path, made, reason) for made, reason, path in ordered]


def made_today(db_path: Path, today: date) -> bool:
    """Whether any backup of `db_path` was made on `today` (local date)."""
    return any(
        made.date() == today
        for folder in backup_folders(db_path)
        for made, _reason, _path in _own_backups(folder, db_path)
    )


def prune(folder: Path, db_path: Path, keep: int, *, spare: Path | None = None) -> list[Path]:
    """Remove the oldest backups of `db_path` in `folder` beyond the newest `keep`."""
    own = sorted(_own_backups(folder, db_path), key=lambda item: (item[0], item[2].name))
    removed = []
    for _made, _reason, path in own[: max(0, len(own) - keep)]:
        if spare is not None and path == spare:
            continue
        with suppress(OSError):
            path.unlink()
            removed.append(path)
    return removed


# ---------------------------------------------------------------- making one


def _name_for(folder: Path, db_path: Path, reason: str, made: datetime) -> Path:
    suffix = db_path.suffix or ".sqlite3"
    stamp = made.strftime("%Y%m%d-%H%M%S")
    candidate = folder / f"{db_path.stem}.{stamp}.{reason}{suffix}"
    n = 2
    while candidate.exists():
        candidate = folder / f"{db_path.stem}.{stamp}-{n}.{reason}{suffix}"
        n += 1
    return candidate


def _open_source(path: Path) -> sqlite3.Connection:
    """The database to copy. Read-write when possible, so that a transaction left unfinished
    by a crash is rolled back first (a read-only connection cannot); else read-only."""
    if not path.is_file():
        raise BackupFailed(
            f"データベース「{path}」が見つからないため、バックアップを作成できません。"
        )
    try:
        con = connect_file(path, "rw")
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return con
    except sqlite3.Error:
        pass
    try:
        con = connect_file(path, "ro")
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return con
    except sqlite3.Error as exc:
        raise _copy_failed(path, exc) from exc


def _copy_failed(what: Path, exc: BaseException) -> BackupFailed:
    if is_disk_full(exc):
        return BackupFailed(
            f"ディスクの空き容量が足りないため、バックアップ「{what}」を作成できませんでした。"
            "元のデータベースは変更していません。空き容量を増やしてから、もう一度操作してください。"
        )
    reason = describe_os_error(exc) if isinstance(exc, OSError) else str(exc)
    return BackupFailed(
        f"バックアップ「{what}」を作成できませんでした（{reason}）。元のデータベースは変更していません。"
    )


def write_copy(
    source: Path,
    target: Path,
    *,
    progress: Progress | None = None,
    check_cancel: CheckCancel | None = None,
) -> Path:
    """A checked copy of the database `source` at `target` (which must not exist).

    Built under a temporary name beside `target`; on any failure (disk full, damage found by
    the integrity check, cancel) nothing is left at `target`.
    """
    if target.exists():
        raise BackupFailed(f"バックアップ先「{target}」は既に存在します。上書きはしません。")
    if not target.parent.is_dir():
        raise BackupFailed(f"バックアップ先のフォルダー「{target.parent}」がありません。")
    remove_leftovers(target)
    temp = temp_beside(target)
    src = _open_source(source)
    try:

        def on_pages(done: int, total: int) -> None:
            if check_cancel is not None:
                check_cancel()
            if progress is not None:
                progress(done, total, "バックアップを作成しています")

        copy_database(src, temp, progress=on_pages)
        problems = file_integrity_problems(temp)
        if problems:
            raise BackupFailed(
                f"データベース「{source}」のコピーを検査したところ、問題が見つかりました"
                f"（{problems[0]}）。元のデータベースが壊れている可能性があります。"
                "バックアップは作成していません。以前のバックアップから復元してください。"
            )
        place_new(temp, target)
    except StoreError:
        remove_database_file(temp)
        raise
    except (sqlite3.Error, OSError) as exc:
        remove_database_file(temp)
        raise _copy_failed(target, exc) from exc
    except BaseException:
        remove_database_file(temp)
        raise
    finally:
        src.close()
    return target


def make_backup(
    db_path: Path,
    reason: str,
    *,
    keep: int | None = None,
    clock: Clock = _utc_now,
    progress: Progress | None = None,
    check_cancel: CheckCancel | None = None,
) -> BackupInfo:
    """A checked backup of `db_path` in its backups folder; the oldest beyond `keep` go."""
    folder = backup_folder(db_path)
    made = clock().astimezone().replace(tzinfo=None, microsecond=0)
    target = _name_for(folder, db_path, reason, made)
    write_copy(db_path, target, progress=progress, check_cancel=check_cancel)
    prune(folder, db_path, keep_setting() if keep is None else keep, spare=target)
    return describe_backup(target, made, reason)


# ---------------------------------------------------------------- restoring one


@dataclass(frozen=True, slots=True)
class RestoreResult:
    restored_from: Path
    target: Path
    safety_copy: Path | None  # the database as it was before, in the backups folder


def _check_restorable(backup: Path, known: Callable[[str], bool]) -> None:
    """Refuse a file that is not a sound database of this application (or of a newer one)."""
    if not backup.is_file():
        raise StoreError(f"バックアップ「{backup}」が見つかりません。")
    problems = file_integrity_problems(backup)
    if problems:
        raise StoreError(
            f"「{backup}」は壊れているか、データベースではないため復元できません（{problems[0]}）。"
            "元のデータベースは変更していません。別のバックアップを選んでください。"
        )
    try:
        con = sqlite3.connect(f"{sqlite_uri(backup, 'ro')}&immutable=1", uri=True)
        try:
            tables = {
                r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            revision = (
                con.execute("SELECT version_num FROM alembic_version").fetchone()
                if "alembic_version" in tables
                else None
            )
            plans = (
                con.execute("SELECT count(*) FROM plan").fetchone()[0] if "plan" in tables else 0
            )
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise StoreError(f"バックアップ「{backup}」を読み取れません（{exc}）。") from exc
    if revision is None:
        raise StoreError(
            f"「{backup}」はこのアプリケーションのデータベースではないため復元できません。"
            "元のデータベースは変更していません。"
        )
    if not known(str(revision[0])):
        raise StoreError(
            f"「{backup}」はより新しいバージョンのアプリケーションで作成されているため、"
            "このバージョンでは復元できません。元のデータベースは変更していません。"
        )
    if not plans:
        raise StoreError(
            f"「{backup}」には計画が登録されていないため復元できません。"
            "元のデータベースは変更していません。別のバックアップを選んでください。"
        )


def _safety_copy(db_path: Path, *, keep: int, clock: Clock) -> Path | None:
    """The database as it is now, kept before it is replaced. A damaged file (whose copy
    fails the integrity check) is copied byte for byte instead, so nothing is ever lost."""
    if not db_path.exists():
        return None
    try:
        return make_backup(db_path, "before-restore", keep=keep, clock=clock).path
    except BackupFailed as exc:
        if "空き容量" in exc.message:
            raise
    folder = backup_folder(db_path)
    made = clock().astimezone().replace(tzinfo=None, microsecond=0)
    target = _name_for(folder, db_path, "before-restore-damaged", made)
    temp = temp_beside(target)
    try:
        shutil.copyfile(db_path, temp)
        journal = db_path.with_name(db_path.name + "-journal")
        if journal.exists():
            shutil.copyfile(journal, target.with_name(target.name + "-journal"))
        place_new(temp, target)
    except OSError as exc:
        with suppress(OSError):
            temp.unlink()
        raise _copy_failed(target, exc) from exc
    return target


def restore_file(
    backup: Path,
    db_path: Path,
    *,
    known_revision: Callable[[str], bool],
    keep: int | None = None,
    clock: Clock = _utc_now,
    progress: Progress | None = None,
    check_cancel: CheckCancel | None = None,
) -> RestoreResult:
    """Replace the database at `db_path` with the backup, in one step.

    The caller holds the writer lock and has closed its own connections. The backup is checked,
    copied beside the target and checked again; the current database is backed up; then one
    rename puts the copy in place. Until that rename the database is untouched.
    """
    keep = keep_setting() if keep is None else keep
    _check_restorable(backup, known_revision)
    if db_path.exists() and db_path.is_dir():
        raise StoreError(f"「{db_path}」はフォルダーです。データベースファイルを指定してください。")
    remove_leftovers(db_path)
    temp = temp_beside(db_path, "restore")
    try:
        src = sqlite3.connect(f"{sqlite_uri(backup, 'ro')}&immutable=1", uri=True)
        try:

            def on_pages(done: int, total: int) -> None:
                if check_cancel is not None:
                    check_cancel()
                if progress is not None:
                    progress(done, total, "バックアップを読み込んでいます")

            copy_database(src, temp, progress=on_pages)
        finally:
            src.close()
        problems = file_integrity_problems(temp)
        if problems:
            raise StoreError(
                f"復元用のコピーを検査したところ問題が見つかったため、復元を中止しました（{problems[0]}）。"
                "元のデータベースは変更していません。"
            )
        if check_cancel is not None:
            check_cancel()
        safety = _safety_copy(db_path, keep=keep, clock=clock)
        # A journal left by a crash belongs to the old file (copied with it above): applied to
        # the restored file it would damage it. Set aside first, put back if the swap fails.
        journal = db_path.with_name(db_path.name + "-journal")
        aside = temp_beside(db_path, "old-journal")
        moved = journal.exists()
        if moved:
            os.replace(journal, aside)
        try:
            replace_with(temp, db_path)
        except BaseException:
            if moved:
                os.replace(aside, journal)
            raise
        if moved:
            aside.unlink(missing_ok=True)
    except StoreError:
        remove_database_file(temp)
        raise
    except (sqlite3.Error, OSError) as exc:
        remove_database_file(temp)
        if is_disk_full(exc):
            raise StoreError(
                "ディスクの空き容量が足りないため、復元できませんでした。元のデータベースは変更していません。"
                "空き容量を増やしてから、もう一度操作してください。"
            ) from exc
        if isinstance(exc, PermissionError):
            raise StoreError(
                f"データベース「{db_path}」を置き換えられませんでした（他のパソコンまたはプログラムが"
                "開いているか、書き込む権限がありません）。元のデータベースは変更していません。"
                "ほかの画面を閉じてから、もう一度操作してください。"
            ) from exc
        reason = describe_os_error(exc) if isinstance(exc, OSError) else str(exc)
        raise StoreError(
            f"復元できませんでした（{reason}）。元のデータベースは変更していません。"
        ) from exc
    except BaseException:
        remove_database_file(temp)
        raise
    return RestoreResult(restored_from=backup, target=db_path, safety_copy=safety)
