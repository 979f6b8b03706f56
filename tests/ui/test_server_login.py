"""The window asks for a server's password when the server wants one (PostgreSQL only)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from aomori_desktop.services.connection import forget_password, server_name
from aomori_desktop.services.workspace import create_seeded_database, open_or_create
from aomori_desktop.store.errors import PasswordRequired, WrongPassword
from aomori_desktop.ui.prompts import Prompts
from aomori_desktop.ui.server_login import open_asking_password
from tests import backends


class Scripted(Prompts):
    def __init__(self) -> None:
        self.confirmed: list[str] = []

    def confirm(self, parent, message: str) -> bool:  # type: ignore[no-untyped-def]
        self.confirmed.append(message)
        return False


@pytest.fixture
def bare_url() -> Iterator[tuple[str, str]]:
    """A seeded server database's URL without its password, and the password."""
    url = backends.new_database("ui")
    create_seeded_database(url).close()
    parsed = make_url(url)
    bare = parsed._replace(password=None).render_as_string(hide_password=False)
    yield bare, parsed.password or ""
    forget_password(server_name(bare))
    backends.drop_database(url)


def test_a_wrong_then_a_right_password_opens_the_plan(bare_url: tuple[str, str]) -> None:
    bare, password = bare_url
    answers = iter(["wrong", password])
    asked: list[tuple[str, str]] = []

    def ask(parent, server: str, message: str) -> str | None:  # type: ignore[no-untyped-def]
        asked.append((server, message))
        return next(answers)

    db = open_asking_password(open_or_create, bare, Scripted(), None, ask=ask)
    db.close()
    assert [server for server, _ in asked] == [server_name(bare)] * 2
    assert "パスワードが必要です" in asked[0][1]
    assert "パスワードが違います" in asked[1][1]


def test_cancelling_the_password_shows_the_servers_sentence(bare_url: tuple[str, str]) -> None:
    bare, _ = bare_url
    with pytest.raises(PasswordRequired):
        open_asking_password(open_or_create, bare, Scripted(), None, ask=lambda *_: None)
    with pytest.raises(WrongPassword):
        open_asking_password(open_or_create, bare, Scripted(), None, ask=lambda *_: "wrong")
