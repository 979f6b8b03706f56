"""Fixtures of the services tests: a seeded database copied per test, a fixed clock, one user.

Every test runs twice: on an SQLite file and on a PostgreSQL database (tests/backends.py);
`db_path` is the file's path or the server database's URL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from aomori_desktop.services.plan_services import PlanServices
from aomori_desktop.services.workspace import default_plan_id
from aomori_desktop.store.database import Database, open_database
from tests import backends
from tests.backends import BACKENDS, Target

JST = timezone(timedelta(hours=9))
NOW = datetime(2026, 4, 1, 9, 30, tzinfo=JST)  # the injected clock (stored as 00:30 UTC)
USER = "青森 太郎"


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def seeded_template(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    yield from backends.seeded_template(
        backend, tmp_path_factory.mktemp("services-template"), "services"
    )


@pytest.fixture
def db_path(seeded_template: Target, tmp_path: Path) -> Iterator[Target]:
    yield from backends.fresh_copy(seeded_template, tmp_path)


@pytest.fixture
def db(db_path: Target) -> Iterator[Database]:
    database = open_database(db_path, busy_timeout=0.5)
    try:
        yield database
    finally:
        database.close()


@pytest.fixture
def services(db: Database) -> PlanServices:
    return PlanServices(db, default_plan_id(db), user=USER, clock=lambda: NOW)
