"""Fixtures of the store tests: one seeded database file per session, copied per test.

A test asking for `backend` (through `target` or `seeded_target`) runs on an SQLite file and
on a PostgreSQL database (tests/backends.py); the file-only tests (locks, journals, damaged
pages) keep `seeded_copy`, and test_server.py holds what only a server has.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from aomori_desktop.services.workspace import create_seeded_database
from tests import backends
from tests.backends import Target


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    backends.parametrize_backends(metafunc)


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def seeded_target_template(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Target]:
    yield from backends.seeded_template(
        backend, tmp_path_factory.mktemp("store-target-template"), "store"
    )


@pytest.fixture
def seeded_target(seeded_target_template: Target, tmp_path: Path) -> Iterator[Target]:
    """A private copy of the seeded database on the test's back end."""
    yield from backends.fresh_copy(seeded_target_template, tmp_path)


@pytest.fixture
def target(backend: str, tmp_path: Path) -> Iterator[Target]:
    """An empty database on the test's back end: a new file's path, or an empty server
    database's URL."""
    if backend == "sqlite":
        yield tmp_path / "new.sqlite3"
        return
    backends.postgres_url()
    url = backends.new_database("store_empty")
    try:
        yield url
    finally:
        backends.drop_database(url)


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding the bundled plan; never opened for writing by a test."""
    path = tmp_path_factory.mktemp("store-template") / "template.sqlite3"
    create_seeded_database(path).close()
    return path


@pytest.fixture
def seeded_copy(seeded_template: Path, tmp_path: Path) -> Path:
    """A private copy of the seeded database for one test."""
    path = tmp_path / "plan.sqlite3"
    shutil.copy(seeded_template, path)
    return path
