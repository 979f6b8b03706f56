"""Opening, creating and upgrading a database; one place that owns the engine.

SQLite (the default, a file on the office PC) and PostgreSQL (a shared server later) are both
addressed by an SQLAlchemy URL. SQLite files keep the default rollback journal, because a
database may sit on a shared network drive where WAL does not work.
"""

from __future__ import annotations

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

from aomori_desktop.store import files, migrate
from aomori_desktop.store.engine import describe as _describe
from aomori_desktop.store.engine import is_sqlite as _is_sqlite
from aomori_desktop.store.engine import make_engine as _make_engine
from aomori_desktop.store.engine import sqlite_path as _sqlite_path
from aomori_desktop.store.engine import to_url
from aomori_desktop.store.errors import (
    DatabaseAlreadyExists,
    DatabaseGone,
    DatabaseNotFound,
    DatabaseReadOnly,
    NotAnApplicationDatabase,
    StoreError,
    translate_error,
    unreachable_message,
)
from aomori_desktop.store.files import (
    file_integrity_problems,
    place_new,
    remove_database_file,
    remove_leftovers,
    temp_beside,
)
from aomori_desktop.store.lock import LockHandle, LockLost
from aomori_desktop.store.models import MaintenanceRow

DEFAULT_BUSY_TIMEOUT_S = 5.0

os_user = files.os_user  # the OS login name: the audit's "who" (defined beside the lock's)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class OpenReport:
    """What happened while opening: created, upgraded (with the backup taken), or neither."""

    created: bool = False
    upgraded_from: str | None = None
    backup_path: Path | None = None
    daily_backup: Path | None = None  # the first opening of the day made this backup
    notices: tuple[str, ...] = ()  # sentences to show once (a backup that failed, a takeover)


class Database:
    """An open application database. Create with `open_database` / `create_database`.

    A database opened for editing carries the writer lock (`store.lock`) and releases it on
    `close`. Every write first checks that the file is still the one that was opened: a file
    deleted, replaced or on a disconnected drive is reported instead of being written into a
    file nobody will see again.
    """

    def __init__(
        self,
        url: URL,
        engine: Engine,
        report: OpenReport,
        *,
        lock: LockHandle | None = None,
        read_only_reason: str | None = None,
    ) -> None:
        self.url = url
        self.engine = engine
        self.report = report
        self.lock = lock
        self.read_only_reason = read_only_reason
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._identity: tuple[int, int] | None = None
        if self.is_sqlite:
            with suppress(OSError):
                self._identity = _file_identity(self.path)

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
        if self.read_only_reason is not None:
            return True
        if is_read_only_url(self.url):
            return True
        path = self.path
        return path is not None and not os.access(path, os.W_OK)

    def check_writable(self) -> None:
        """Raise the sentence for why a write cannot go to this file now (lock taken over,
        file gone or replaced); returns quietly when it can."""
        if self.lock is not None and self.lock.lost:
            raise LockLost(
                f"データベース「{self.location}」の編集は他の利用者に引き継がれたため、"
                "この画面からは保存できません（この操作の内容は保存されていません）。"
                "「ファイル」→「開く」で開き直してください。"
            )
        if self._identity is None or self.path is None:
            return
        try:
            now = _file_identity(self.path)
        except FileNotFoundError as exc:
            raise DatabaseGone(
                f"データベース「{self.location}」が見つかりません（削除・移動されたか、"
                "ネットワークドライブの接続が切れた可能性があります）。この操作の内容は保存されていません。"
                "ファイルを元の場所に戻すか接続を確認してから、「ファイル」→「開く」で開き直してください。"
                "最新のバックアップから復元することもできます。"
            ) from exc
        except OSError as exc:
            raise DatabaseGone(unreachable_message(self.location)) from exc
        if now is not None and self._identity is not None and now != self._identity:
            raise DatabaseGone(
                f"データベース「{self.location}」は、開いた後に別のファイルに置き換えられています。"
                "この操作の内容は保存されていません。「ファイル」→「開く」で開き直してください。"
            )

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on any error.

        Database errors leave as `StoreError` with a sentence for the user.
        """
        if self.read_only_reason is not None:
            raise DatabaseReadOnly(
                f"データベース「{self.location}」は読み取り専用で開いているため保存できません。"
                f"{self.read_only_reason}"
            )
        self.check_writable()
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
        lock, self.lock = self.lock, None
        if lock is not None:
            lock.release()


def _file_identity(path: Path | None) -> tuple[int, int] | None:
    """(device, file number) of a file; None where the file system has no file numbers."""
    if path is None:
        return None
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise
    except (OSError, ValueError):
        return None
    if st.st_ino == 0:
        return None
    return (st.st_dev, st.st_ino)


def create_database(
    target: str | Path,
    *,
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT_S,
    fill: Callable[[Database], object] | None = None,
) -> Database:
    """Create a new database with the current schema, filled by `fill` (e.g. a plan import).

    Refuses an existing SQLite file. The file is built under a temporary name beside the target
    and appears at the target only when complete (schema, `fill` and an integrity check done):
    a crash or a failure leaves no file, or the whole file, never a half-made one.
    """
    url = to_url(target)
    location = _describe(url)
    if not _is_sqlite(url):
        return _create_on_server(url, location, busy_timeout, fill)
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
    remove_leftovers(path)
    temp = temp_beside(path)
    temp_url = to_url(temp)
    try:
        migrate.upgrade_to_head(temp_url, busy_timeout=busy_timeout)
        building = Database(
            temp_url,
            _make_engine(temp_url, foreign_keys=True, busy_timeout=busy_timeout),
            OpenReport(),
        )
        try:
            building.log_event("created", f"schema {migrate.SCHEMA_HEAD}")
            if fill is not None:
                fill(building)
        finally:
            building.close()
        problems = file_integrity_problems(temp)
        if problems:
            raise StoreError(
                f"新しいデータベース「{location}」を検査したところ問題が見つかったため、作成を中止しました"
                f"（{problems[0]}）。"
            )
        try:
            place_new(temp, path)
        except FileExistsError as exc:
            raise DatabaseAlreadyExists(
                f"「{location}」は作成中に別のプログラムによって作られました。上書きはしません。"
            ) from exc
    except StoreError:
        remove_database_file(temp)
        raise
    except (DBAPIError, SQLAlchemyError, sqlite3.Error, OSError) as exc:
        remove_database_file(temp)
        raise translate_error(exc, location) from exc
    except BaseException:
        remove_database_file(temp)
        raise
    engine = _make_engine(url, foreign_keys=True, busy_timeout=busy_timeout)
    return Database(url, engine, OpenReport(created=True))


def _create_on_server(
    url: URL, location: str, busy_timeout: float, fill: Callable[[Database], object] | None
) -> Database:
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
        raise translate_error(exc, location) from exc
    db = Database(url, engine, OpenReport(created=True))
    db.log_event("created", f"schema {migrate.SCHEMA_HEAD}")
    if fill is not None:
        fill(db)
    return db


def open_database(
    target: str | Path | URL,
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
        check_database_file(_sqlite_path(url), location)
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
        if current != migrate.SCHEMA_HEAD and is_read_only_url(url):
            raise StoreError(
                f"データベース「{location}」は以前のデータ形式（{current}）のため、読み取り専用では開けません。"
                "編集できる状態で開くと、バックアップを作成してから新しい形式に更新します。"
            )
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


def check_database_file(path: Path, location: str) -> None:
    """Refuse, with its sentence, what cannot be an SQLite database: missing, a folder,
    something other than a plain file (a device, a pipe), an empty or foreign file."""
    if not path.exists():
        raise DatabaseNotFound(f"データベース「{location}」が見つかりません。")
    if path.is_dir():
        raise DatabaseNotFound(
            f"「{location}」はフォルダーです。データベースファイルを指定してください。"
        )
    if not path.is_file():
        raise NotAnApplicationDatabase(
            f"「{location}」は通常のファイルではありません（装置やパイプなど）。"
            "データベースファイルを指定してください。"
        )
    _check_sqlite_header(path, location)


def is_read_only_url(url: URL) -> bool:
    return _is_sqlite(url) and str(url.query.get("mode", "")) == "ro"


def read_only_url(path: Path) -> URL:
    """SQLite's read-only mode for a file (``file:...?mode=ro&uri=true``): no write can reach
    it from this connection, whatever the application does."""
    return URL.create(
        "sqlite+pysqlite",
        database=path.expanduser().resolve().as_uri(),
        query={"mode": "ro", "uri": "true"},
    )


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
    """A checked backup of a live SQLite database in its backups folder (`store.backups`),
    `suffix` naming the reason (``before-upgrade-from-0001``). None for a server database."""
    if not _is_sqlite(url):
        return None
    from aomori_desktop.store.backups import make_backup

    return make_backup(_sqlite_path(url), suffix, clock=clock).path


def backup_to(source_path: Path, target: Path) -> Path:
    """A checked copy of a live database at `target` (which must not exist)."""
    from aomori_desktop.store.backups import write_copy

    return write_copy(source_path, target)


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
