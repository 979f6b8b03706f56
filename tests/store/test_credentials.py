"""Where a server's password comes from when the URL has none: the operating system's keyring
(the `keyring` package), libpq's password file (PGPASSFILE) or a pg_service.conf entry. The
password is never written to the application's own files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.compat import properties
from sqlalchemy.engine import make_url

from aomori_desktop.services.connection import forget_password, remember_password
from aomori_desktop.store import credentials
from aomori_desktop.store.database import create_database, open_database
from aomori_desktop.store.errors import PasswordRequired, WrongPassword
from tests import backends


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps its entries in a dict: the `keyring` package's own backend
    interface, as Windows Credential Manager or Secret Service implement it. It is viable only
    while a test has installed it (the package finds backends among the subclasses, so it
    would otherwise become every later test's default keyring)."""

    installed = False

    @properties.classproperty
    def priority(cls) -> float:
        if not cls.installed:
            raise RuntimeError("installed only by the ring fixture")
        return 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        del self.entries[(service, username)]


@pytest.fixture
def server_db() -> Iterator[str]:
    url = backends.new_database("cred")
    create_database(url).close()
    yield url
    backends.drop_database(url)


@pytest.fixture
def ring() -> Iterator[MemoryKeyring]:
    before = keyring.get_keyring()
    MemoryKeyring.installed = True
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(before)
    MemoryKeyring.installed = False


def _without_password(url: str) -> str:
    return make_url(url)._replace(password=None).render_as_string(hide_password=False)


def test_a_password_kept_in_the_keyring_opens_the_server_in_a_later_session(
    server_db: str, ring: MemoryKeyring
) -> None:
    bare = _without_password(server_db)
    with pytest.raises(PasswordRequired) as asked:
        open_database(bare)
    server = asked.value.server
    password = make_url(server_db).password or ""
    assert remember_password(server, password, keep=True)  # the window's 「保存する」
    assert ring.entries == {(credentials.KEYRING_SERVICE, server): password}

    forget_typed = credentials._typed.pop  # a new session: nothing typed yet
    forget_typed(server, None)
    open_database(bare).close()  # from the keyring alone

    ring.entries[(credentials.KEYRING_SERVICE, server)] = "wrong"
    with pytest.raises(WrongPassword):
        open_database(bare)
    forget_password(server)  # a wrong password is dropped from the keyring too
    assert ring.entries == {}


def test_no_working_keyring_means_the_password_is_asked_each_time(server_db: str) -> None:
    before = keyring.get_keyring()
    # a PC without a keyring backend
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    try:
        _asked_each_time(server_db)
    finally:
        keyring.set_keyring(before)


def _asked_each_time(server_db: str) -> None:
    assert not credentials.keyring_available()
    bare = _without_password(server_db)
    with pytest.raises(PasswordRequired) as asked:
        open_database(bare)
    assert not remember_password(asked.value.server, "x", keep=True)  # cannot be kept
    forget_password(asked.value.server)


def test_libpq_password_file_and_service_file_are_used(
    server_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = make_url(server_db)
    passfile = tmp_path / "pgpass.conf"
    passfile.write_text(
        f"{url.host}:{url.port}:{url.database}:{url.username}:{url.password}\n", encoding="utf-8"
    )
    passfile.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    open_database(_without_password(server_db)).close()

    monkeypatch.delenv("PGPASSFILE")
    services = tmp_path / "pg_service.conf"
    services.write_text(
        "[aomori]\n"
        f"host={url.host}\nport={url.port}\nuser={url.username}\n"
        f"password={url.password}\ndbname={url.database}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("PGSERVICEFILE", str(services))
    db = open_database("postgresql+psycopg:///?service=aomori")  # as docs/installing.md writes it
    try:
        assert db.location  # opened through the service entry
    finally:
        db.close()
