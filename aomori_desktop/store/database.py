"""Opening, creating and upgrading a database; one place that owns the engine.

SQLite (the default, a file on the office PC) and PostgreSQL (a shared server later) are both
addressed by an SQLAlchemy URL. SQLite files keep the default rollback journal, because a
database may sit on a shared network drive where WAL does not work.
"""

from __future__ import annotations

import getpass
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from aomori_desktop.store import migrate
from aomori_desktop.store.engine import describe as _describe
from aomori_desktop.store.engine import is_sqlite as _is_sqlite
from aomori_desktop.store.engine import make_engine as _make_engine
from aomori_desktop.store.engine import sqlite_path as _sqlite_path
from aomori_desktop.store.engine import to_url
from aomori_desktop.store.errors import (
    DatabaseAlreadyExists,
    DatabaseNotFound,
    NotAnApplicationDatabase,
    StoreError,
    translate_error,
)
from aomori_desktop.store.models import MaintenanceRow

DEFAULT_BUSY_TIMEOUT_S = 5.0

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def os_user() -> str:
    """The OS login name, recorded as 'who' in the audit log."""
    try:
        return getpass.getuser() or "unknown"
    except (KeyError, OSError, ImportError):
        return "unknown"


@dataclass(frozen=True, slots=True)
class OpenReport:
    """What happened while opening: created, upgraded (with the backup taken), or neither."""

    created: bool = False
    upgraded_from: str | None = None
    backup_path: Path | None = None


class Database:
    """An open application database. Create with `open_database` / `create_database`."""

    def __init__(self, url: URL, engine: Engine, report: OpenReport) -> None:
        self.url = url
        self.engine = engine
        self.report = report
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def location(self) -> str:
        return _describe(self.url)

    @property
    def is_sqlite(self) -> bool:
        return _is_sqlite(self.url)

    @property
    def path(self) -> Path | None:
        return _sqlite_path(self.url) if self.is_sqlite else None

    @property
    def read_only(self) -> bool:
        """True when changes cannot be saved (opened read-only, or a read-only file)."""
        if not self.is_sqlite:
            return False
        if str(self.url.query.get("mode", "")) == "ro":
            return True
        path = self.path
        return path is not None and not os.access(path, os.W_OK)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on any error.

        Database errors leave as `StoreError` with a sentence for the user.
        """
        session = self._sessions()
        committing = False
        try:
            yield session
            committing = True
            session.commit()
        except (DBAPIError, SQLAlchemyError, sqlite3.Error) as exc:
            session.rollback()
            raise translate_error(exc, self.location, committing=committing) from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A session for reading only; never commits."""
        session = self._sessions()
        try:
            yield session
        except (DBAPIError, SQLAlchemyError, sqlite3.Error) as exc:
            raise translate_error(exc, self.location) from exc
        finally:
            session.rollback()
            session.close()

    def schema_revision(self) -> str | None:
        try:
            with self.engine.connect() as conn:
                return migrate.current_revision(conn)
        except (DBAPIError, SQLAlchemyError, sqlite3.Error) as exc:
            raise translate_error(exc, self.location) from exc

    def log_event(self, event_name: str, detail: str, *, clock: Clock = utc_now) -> None:
        with self.session() as s:
            s.add(MaintenanceRow(at=clock(), user=os_user()[:100], event=event_name, detail=detail))

    def close(self) -> None:
        self.engine.dispose()


def create_database(
    target: str | Path, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT_S
) -> Database:
    """Create a new, empty database with the current schema. Refuses an existing SQLite file."""
    url = to_url(target)
    location = _describe(url)
    if _is_sqlite(url):
        path = _sqlite_path(url)
        if path.exists():
            raise DatabaseAlreadyExists(
                f"「{location}」は既に存在します。上書きはしません。別のファイル名を指定してください。"
            )
        if not path.parent.is_dir():
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"フォルダー「{path.parent}」を作成できません（{exc.strerror}）。"
                ) from exc
    engine = _make_engine(url, foreign_keys=True, busy_timeout=busy_timeout)
    try:
        with engine.connect() as conn:
            if inspect(conn).get_table_names():
                raise DatabaseAlreadyExists(
                    f"「{location}」には既にデータがあります。上書きはしません。"
                )
        migrate.upgrade_to_head(url, busy_timeout=busy_timeout)
    except StoreError:
        engine.dispose()
        raise
    except (DBAPIError, SQLAlchemyError, sqlite3.Error, OSError) as exc:
        engine.dispose()
        if _is_sqlite(url):
            _remove_partial_file(_sqlite_path(url))
        raise translate_error(exc, location) from exc
    db = Database(url, engine, OpenReport(created=True))
    db.log_event("created", f"schema {migrate.SCHEMA_HEAD}")
    return db


def _remove_partial_file(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + "-journal")):
        with suppress(OSError):
            candidate.unlink(missing_ok=True)


def open_database(
    target: str | Path,
    *,
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT_S,
    clock: Clock = utc_now,
) -> Database:
    """Open an existing database, upgrading an older schema after taking a backup copy.

    A database written by a newer version of the application is refused and left untouched.
    """
    url = to_url(target)
    location = _describe(url)
    if _is_sqlite(url):
        path = _sqlite_path(url)
        if not path.exists():
            raise DatabaseNotFound(f"データベース「{location}」が見つかりません。")
        if path.is_dir():
            raise DatabaseNotFound(
                f"「{location}」はフォルダーです。データベースファイルを指定してください。"
            )
        _check_sqlite_header(path, location)
    engine = _make_engine(url, foreign_keys=True, busy_timeout=busy_timeout)
    try:
        with engine.connect() as conn:
            current = migrate.current_revision(conn)
            if current is None:
                tables = inspect(conn).get_table_names()
                raise NotAnApplicationDatabase(
                    f"「{location}」はこのアプリケーションのデータベースではありません"
                    + (
                        "（別のアプリケーションの表があります）。"
                        if tables
                        else "（空のファイルです）。"
                    )
                )
        migrate.refuse_if_newer(current, location)
        report = OpenReport()
        if current != migrate.SCHEMA_HEAD:
            backup = backup_copy(url, suffix=f"before-upgrade-from-{current}", clock=clock)
            migrate.upgrade_to_head(url, busy_timeout=busy_timeout)
            report = OpenReport(upgraded_from=current, backup_path=backup)
    except StoreError:
        engine.dispose()
        raise
    except (DBAPIError, SQLAlchemyError, sqlite3.Error) as exc:
        engine.dispose()
        raise translate_error(exc, location) from exc
    db = Database(url, engine, report)
    if report.upgraded_from is not None:
        db.log_event(
            "upgraded",
            f"schema {report.upgraded_from} -> {migrate.head_revision()}; backup {report.backup_path}",
            clock=clock,
        )
    return db


SQLITE_MAGIC = b"SQLite format 3\x00"


def _check_sqlite_header(path: Path, location: str) -> None:
    try:
        with path.open("rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except PermissionError as exc:
        raise StoreError(f"データベース「{location}」を読み取る権限がありません。") from exc
    except OSError as exc:
        raise StoreError(f"データベース「{location}」を読み取れません（{exc.strerror}）。") from exc
    if head == b"":
        raise NotAnApplicationDatabase(
            f"「{location}」は空のファイルです。このアプリケーションのデータベースではありません。"
        )
    if head != SQLITE_MAGIC:
        raise NotAnApplicationDatabase(
            f"「{location}」はこのアプリケーションのデータベースではありません"
            "（SQLiteデータベースとして読み取れません）。"
        )


def backup_copy(url: URL, *, suffix: str, clock: Clock = utc_now) -> Path | None:
    """Copy a live SQLite database safely (sqlite3 backup API) next to the original."""
    if not _is_sqlite(url):
        return None
    source_path = _sqlite_path(url)
    stamp = clock().astimezone().strftime("%Y%m%d-%H%M%S")
    target = source_path.with_name(f"{source_path.stem}.{stamp}.{suffix}{source_path.suffix}")
    return backup_to(source_path, target)


def backup_to(source_path: Path, target: Path) -> Path:
    from aomori_desktop.store.errors import BackupFailed

    if target.exists():
        raise BackupFailed(f"バックアップ先「{target}」は既に存在します。")
    try:
        # as_uri() percent-encodes '#', '?' and '%': spliced in raw, a folder named "課#1" cut
        # the URI short and SQLite created and "backed up" an empty file at the cut-off path.
        src = sqlite3.connect(f"{source_path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            dst = sqlite3.connect(target)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except (sqlite3.Error, OSError) as exc:
        with suppress(OSError):
            target.unlink(missing_ok=True)
        raise BackupFailed(
            f"バックアップ「{target}」を作成できませんでした（{exc}）。"
            "元のデータベースは変更していません。"
        ) from exc
    return target


def sqlite_integrity_problems(db: Database) -> list[str]:
    """PRAGMA integrity_check and foreign_key_check; empty when the file is sound."""
    if not db.is_sqlite:
        return []
    problems: list[str] = []
    try:
        with db.engine.connect() as conn:
            for (row,) in conn.execute(text("PRAGMA integrity_check")):
                if row != "ok":
                    problems.append(f"ファイルの整合性: {row}")
            for row in conn.execute(text("PRAGMA foreign_key_check")):
                problems.append(
                    f"参照の不整合: 表 {row[0]} の行 {row[1]} が {row[2]} を参照できません"
                )
    except (DBAPIError, SQLAlchemyError, sqlite3.Error) as exc:
        # A badly damaged file makes the check itself fail ("database disk image is
        # malformed"): that is the answer, as a sentence, not an unexpected error.
        raise translate_error(exc, db.location) from exc
    return problems
