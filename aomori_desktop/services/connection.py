"""Connecting to a database server: the password the server asks for, typed by the user
(kept for this session) or kept in the operating system's keyring when there is one.

The window and the command line catch `PasswordNeeded` from opening a database, ask the
user, hand the answer to `remember_password` and try again.
"""

from __future__ import annotations

from pathlib import Path

from aomori_desktop.store import credentials
from aomori_desktop.store.engine import describe, is_sqlite, to_url
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
    "server_name",
]


def is_server(target: str | Path) -> bool:
    """True for a database server URL, False for a file."""
    return not is_sqlite(to_url(target))


def server_name(target: str | Path) -> str:
    """How a target is shown: the file's path, or user@host:port/dbname (no password)."""
    return describe(to_url(target))


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
