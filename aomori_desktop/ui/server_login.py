"""Asking for a database server's password when the server wants one.

Opening a database on a PostgreSQL server may be refused for want of a password (none in the
URL, no password file, nothing in the keyring) or for a wrong one: the window then asks the
user (the text is not shown as it is typed), tries again, and after a successful connection
offers to keep the password in the operating system's keyring when there is one. The
password is never written anywhere in plain text. Every question goes through `Prompts`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from aomori_desktop.services.connection import (
    PasswordNeeded,
    WrongPassword,
    can_keep_passwords,
    forget_password,
    remember_password,
    remember_saved,
)
from aomori_desktop.services.workspace import Database
from aomori_desktop.ui.prompts import Prompts

MAX_ATTEMPTS = 3


def open_asking_password(
    opener: Callable[[str], Database],
    target: str,
    prompts: Prompts,
    parent: QWidget | None,
    ask: Callable[[QWidget | None, str, str], str | None] | None = None,
) -> Database:
    """`opener(target)`, asking for the server's password when it wants one (up to three
    tries; `prompts.ask_password` unless `ask` is given). Cancelling re-raises the server's
    sentence for the caller to show."""
    ask = ask or prompts.ask_password
    asked: str | None = None
    for attempt in range(MAX_ATTEMPTS + 1):
        try:
            db = opener(target)
        except PasswordNeeded as exc:
            if isinstance(exc, WrongPassword) and asked is not None:
                forget_password(exc.server)
            if attempt == MAX_ATTEMPTS:
                raise
            password = ask(parent, exc.server, exc.message)
            if password is None:
                raise
            remember_password(exc.server, password, keep=False)
            asked = exc.server
            continue
        if (
            asked is not None
            and can_keep_passwords()
            and prompts.confirm(
                parent,
                "このパスワードをパソコンの資格情報（Windows 資格情報マネージャー）に保存して、"
                "次回から入力を省きますか。",
            )
        ):
            remember_saved(asked)
        return db
    raise AssertionError("unreachable")
