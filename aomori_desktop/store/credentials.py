"""Passwords for database servers, never written in plain text anywhere.

A password is looked up, per connection, in what the user typed during this session, then in
the operating system's keyring (Windows Credential Manager, macOS Keychain, Secret Service)
when the `keyring` package has a working backend there. Without either, libpq's own sources
still apply: a password file (PGPASSFILE, %APPDATA%\\postgresql\\pgpass.conf, ~/.pgpass) or a
pg_service.conf entry named by ``?service=``; the URL stays as the user wrote it.
"""

from __future__ import annotations

import logging
import threading
from types import ModuleType

from sqlalchemy.engine import URL

log = logging.getLogger(__name__)

KEYRING_SERVICE = "aomori-desktop"

_typed: dict[str, str] = {}
_lock = threading.Lock()


def server_key(url: URL) -> str:
    """One server database: user@host:port/dbname (or user@service=NAME/dbname)."""
    query = url.query
    host = url.host or str(query.get("host", "")) or "localhost"
    port = url.port or str(query.get("port", "")) or 5432
    user = url.username or str(query.get("user", ""))
    service = str(query.get("service", ""))
    where = f"service={service}" if service and not url.host else f"{host}:{port}"
    return f"{user}@{where}/{url.database or ''}"


def _keyring() -> ModuleType | None:
    """The keyring module when it has a real backend here, else None."""
    try:
        import keyring
        from keyring.backends import fail
    except ImportError:
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:  # a broken keyring configuration is the same as none
        log.warning("keyring backend unavailable", exc_info=True)
        return None
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 0) <= 0:
        return None
    return keyring


def keyring_available() -> bool:
    return _keyring() is not None


def remember(key: str, password: str, *, keep: bool) -> bool:
    """Use `password` for this server (`server_key`) for the rest of the session; with `keep`,
    also store it in the OS keyring. True when it was kept there."""
    with _lock:
        _typed[key] = password
    if not keep:
        return False
    ring = _keyring()
    if ring is None:
        return False
    try:
        ring.set_password(KEYRING_SERVICE, key, password)
    except Exception:
        log.warning("could not store the password in the keyring", exc_info=True)
        return False
    return True


def forget(key: str) -> None:
    """Drop the password of this server (a wrong one): from the session and the keyring."""
    with _lock:
        _typed.pop(key, None)
    ring = _keyring()
    if ring is not None:
        try:
            ring.delete_password(KEYRING_SERVICE, key)
        except Exception:  # none stored
            log.debug("no keyring entry to delete", exc_info=True)


def typed(key: str) -> str | None:
    """The password typed this session for a server, if any."""
    with _lock:
        return _typed.get(key)


def lookup(url: URL) -> str | None:
    """The password for this server: typed this session, else from the keyring, else None
    (libpq then tries its password file and service file)."""
    key = server_key(url)
    with _lock:
        typed = _typed.get(key)
    if typed:
        return typed
    ring = _keyring()
    if ring is None:
        return None
    try:
        stored = ring.get_password(KEYRING_SERVICE, key)
    except Exception:
        log.warning("could not read the keyring", exc_info=True)
        return None
    return str(stored) if stored else None
