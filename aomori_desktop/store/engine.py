"""The SQLAlchemy engine for a database URL: SQLite pragmas on every connection, the busy
timeout in force on each thread, and the URL helpers that the rest of `store/` shares.

SQLite files keep the default rollback journal, because a database may sit on a shared network
drive where WAL does not work.

A PostgreSQL server (``postgresql+psycopg://user@host:port/dbname``) gets a connect timeout, a
statement timeout and, per thread, the same lock wait as SQLite's busy timeout (PostgreSQL's
``lock_timeout``). The URL is handed to libpq as it is: without a password in it, libpq reads
PGPASSFILE / ~/.pgpass and ``?service=`` entries (pg_service.conf) itself; a password the user
typed or kept in the OS keyring is added per connection (store/credentials.py), never written
anywhere in plain text.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.util import asbool

from aomori_desktop.store import credentials
from aomori_desktop.store.errors import ServerTooOld, refuse_old_server

_lock_wait = threading.local()

POSTGRES_CONNECT_TIMEOUT_S = 10
#: A network link that goes silent (a cable pulled, a VPN dropped: no reset from the server)
#: is noticed by TCP keepalives after about a minute on an idle connection (the listener
#: for others' writes, a pooled connection) and, where the system has it, by a 60 s limit
#: on unacknowledged data during a statement: the user then gets the dropped-connection
#: sentence instead of a window that waits for the operating system's 15-minute timeout.
POSTGRES_NETWORK_OPTIONS: dict[str, int] = {
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
    "tcp_user_timeout": 60_000,
}
POSTGRES_STATEMENT_TIMEOUT_S = 60.0
POSTGRES_MIN_MAJOR = 13


@contextmanager
def lock_wait_slice(seconds: float) -> Iterator[None]:
    """Within this block, on this thread, SQLite waits at most `seconds` for another writer's
    lock before raising `DatabaseLocked` (instead of the engine's busy timeout).

    The operation layer's worker waits for a lock in such slices, so that the user can give up
    the wait between two of them and the waiting can be shown; other threads are unaffected.
    """
    previous = getattr(_lock_wait, "seconds", None)
    _lock_wait.seconds = seconds
    try:
        yield
    finally:
        _lock_wait.seconds = previous


def to_url(target: str | Path | URL) -> URL:
    """A filesystem path or an SQLAlchemy URL (``postgresql+psycopg://...``)."""
    if isinstance(target, URL):
        return target
    if isinstance(target, str) and "://" in target:
        return make_url(target)
    return URL.create("sqlite+pysqlite", database=str(Path(target).expanduser().resolve()))


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def sqlite_path(url: URL) -> Path:
    """The file behind an SQLite URL, also in SQLite's URI form
    (``sqlite:///file:PATH?mode=ro&uri=true``), whose database part starts with ``file:``."""
    database = str(url.database)
    if asbool(url.query.get("uri", False)) and database.startswith("file:"):
        database = unquote(urlsplit(database).path)
        if re.match(r"^/[A-Za-z]:/", database):  # file:///C:/... on Windows
            database = database[1:]
    return Path(database)


def describe(url: URL) -> str:
    if is_sqlite(url):
        return str(sqlite_path(url))  # the file's path, also for SQLite's file: URI form
    return credentials.server_key(url)


def make_engine(url: URL, *, foreign_keys: bool, busy_timeout: float) -> Engine:
    if not is_sqlite(url):
        return _postgres_engine(url, busy_timeout=busy_timeout)
    engine = create_engine(
        url,
        connect_args={"timeout": busy_timeout},
    )
    pragma = "ON" if foreign_keys else "OFF"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        # Let SQLAlchemy control transactions (so DDL is transactional too), and set the
        # pragmas outside any transaction, where they take effect.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA foreign_keys={pragma}")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.close()
        record.info["busy_timeout_ms"] = int(busy_timeout * 1000)

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        # The busy timeout in force on this thread (see lock_wait_slice); set only when it
        # differs from what the pooled connection already has.
        seconds = getattr(_lock_wait, "seconds", None)
        wanted = int((busy_timeout if seconds is None else seconds) * 1000)
        if record.info.get("busy_timeout_ms") != wanted:
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout={wanted}")
            cursor.close()
            record.info["busy_timeout_ms"] = wanted

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


def _postgres_engine(url: URL, *, busy_timeout: float) -> Engine:
    statement_ms = int(
        float(str(url.query.get("statement_timeout", POSTGRES_STATEMENT_TIMEOUT_S))) * 1000
    )
    url = url.difference_update_query(["statement_timeout"])
    engine = create_engine(
        url,
        pool_pre_ping=True,
        connect_args={
            "connect_timeout": POSTGRES_CONNECT_TIMEOUT_S,
            **POSTGRES_NETWORK_OPTIONS,
            "application_name": "aomori-desktop",
            "options": f"-c statement_timeout={statement_ms}",
        },
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        # refused before anything is read or written: an older server lacks what we rely on
        version = int(dbapi_connection.info.server_version)
        try:
            refuse_old_server(version // 10000, describe(url), POSTGRES_MIN_MAJOR)
        except ServerTooOld:
            dbapi_connection.close()
            raise

    @event.listens_for(engine, "do_connect")
    def _password(dialect: Any, record: Any, cargs: Any, cparams: dict[str, Any]) -> None:
        if not cparams.get("password"):
            password = credentials.lookup(url)
            if password:
                cparams["password"] = password

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        # PostgreSQL waits for a row another user is writing for lock_timeout, as SQLite
        # waits for the file lock: the same slices (lock_wait_slice) on this thread.
        seconds = getattr(_lock_wait, "seconds", None)
        wanted = int((busy_timeout if seconds is None else seconds) * 1000)
        if record.info.get("lock_timeout_ms") != wanted:
            autocommit = dbapi_connection.autocommit
            dbapi_connection.autocommit = True
            try:
                dbapi_connection.execute(f"SET lock_timeout = {wanted}")
            finally:
                dbapi_connection.autocommit = autocommit
            record.info["lock_timeout_ms"] = wanted

    return engine


def one_writer_at_a_time(session: Any, plan_id: int) -> None:
    """On a server, writes to one plan take turns, as they do in an SQLite file (one writer).

    Taken first in every service write's transaction, before anything is read: what a write
    compares with the screen ("is it still what the user saw?") is then read after any other
    user's write has committed, so two people can never both pass the check and overwrite one
    another. The wait is bounded by lock_timeout (the lock wait slices), and the lock ends
    with the transaction. Nothing to do on SQLite, whose writers already take turns.
    """
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(_ADVISORY_LOCK, {"key": _ADVISORY_NAMESPACE + plan_id})


# pg_advisory_xact_lock(bigint): the application's keys start here (one per plan)
_ADVISORY_NAMESPACE = 0x414F4D4F_00000000  # "AOMO"
_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(:key)")
