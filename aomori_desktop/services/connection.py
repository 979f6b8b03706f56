"""Connecting to a database server: the password the server asks for, typed by the user
(kept for this session) or kept in the operating system's keyring when there is one.

The window and the command line catch `PasswordNeeded` from opening a database, ask the
user, hand the answer to `remember_password` and try again.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL

from aomori_desktop.store import credentials
from aomori_desktop.store.database import Database
from aomori_desktop.store.engine import describe, is_sqlite, sqlite_path, to_url
from aomori_desktop.store.errors import NeedsPassword as PasswordNeeded
from aomori_desktop.store.errors import WrongPassword

__all__ = [
    "PasswordNeeded",
    "WrongPassword",
    "can_keep_passwords",
    "forget_password",
    "is_server",
    "remember_password",
    "remember_saved",
    "reopen_target",
    "server_fields",
    "server_name",
    "server_target",
]


def is_server(target: str | Path) -> bool:
    """True for a database server URL, False for a file."""
    return not is_sqlite(to_url(target))


def server_name(target: str | Path) -> str:
    """How a target is shown: the file's path, or user@host:port/dbname (no password)."""
    return describe(to_url(target))


def server_target(host: str, port: int, database: str, user: str = "") -> str:
    """The URL of a database on a PostgreSQL server (psycopg 3), without a password."""
    url = URL.create(
        "postgresql+psycopg",
        username=user or None,
        host=host,
        port=port,
        database=database,
    )
    return url.render_as_string(hide_password=False)


def server_fields(target: str) -> tuple[str, int, str, str]:
    """host, port, database name and user of a server URL (the connection dialog's fields)."""
    url = to_url(target)
    return url.host or "", url.port or 5432, url.database or "", url.username or ""


def reopen_target(db: Database) -> str:
    """What opens `db` again later (the recent targets): the file's path, or the server URL
    with its password left out (whatever the URL it was opened with held)."""
    if is_sqlite(db.url):
        return str(sqlite_path(db.url))
    return db.url._replace(password=None).render_as_string(hide_password=False)


def can_keep_passwords() -> bool:
    """Whether the OS keyring can keep a password here (else it is asked each time)."""
    return credentials.keyring_available()


def remember_password(server: str, password: str, *, keep: bool) -> bool:
    """Use this password for `server` (as named by `PasswordNeeded.server`) from now on;
    with `keep`, also in later sessions (the OS keyring). True when it was kept."""
    return credentials.remember(server, password, keep=keep)


def remember_saved(server: str) -> bool:
    """Keep the password typed this session for `server` in the OS keyring too."""
    password = credentials.typed(server)
    return password is not None and credentials.remember(server, password, keep=True)


def forget_password(server: str) -> None:
    credentials.forget(server)
