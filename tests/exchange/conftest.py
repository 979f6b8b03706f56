"""Fixtures of the exchange tests. Most of them never touch a database; those asking for
`empty_target` write a plan into one and read it back, on an SQLite file and on a PostgreSQL
database (tests/backends.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import backends
from tests.backends import Target


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    backends.parametrize_backends(metafunc)


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def empty_target(backend: str, tmp_path: Path) -> Iterator[Target]:
    """A database with the application's tables and no plan."""
    from aomori_desktop.store.database import create_database

    if backend == "sqlite":
        create_database(tmp_path / "empty.sqlite3").close()
        yield tmp_path / "empty.sqlite3"
        return
    backends.postgres_url()
    url = backends.new_database("exchange")
    try:
        create_database(url).close()
        yield url
    finally:
        backends.drop_database(url)


def through_database(target: Target, text: str) -> str:
    """A JSON file's plan imported into `target` and exported again, as JSON text."""
    from datetime import UTC, datetime

    from aomori_desktop.exchange.json_format import dump_plan, load_plan
    from aomori_desktop.services.workspace import export_plan, import_plan
    from aomori_desktop.store.database import open_database

    db = open_database(target)
    try:
        import_plan(db, load_plan(text), clock=lambda: datetime(2026, 4, 1, tzinfo=UTC))
    finally:
        db.close()
    db = open_database(target)  # a new connection: nothing read from the session's memory
    try:
        return dump_plan(export_plan(db))
    finally:
        db.close()
