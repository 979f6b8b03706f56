"""Fixtures of the services tests: a seeded database copied per test, a fixed clock, one user."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from aomori_desktop.services.plan_services import PlanServices
from aomori_desktop.services.workspace import create_seeded_database, default_plan_id
from aomori_desktop.store.database import Database, open_database

JST = timezone(timedelta(hours=9))
NOW = datetime(2026, 4, 1, 9, 30, tzinfo=JST)  # the injected clock (stored as 00:30 UTC)
USER = "青森 太郎"


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("services-template") / "template.sqlite3"
    create_seeded_database(path).close()
    return path


@pytest.fixture
def db_path(seeded_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "plan.sqlite3"
    shutil.copy(seeded_template, path)
    return path


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    database = open_database(db_path, busy_timeout=0.5)
    try:
        yield database
    finally:
        database.close()


@pytest.fixture
def services(db: Database) -> PlanServices:
    return PlanServices(db, default_plan_id(db), user=USER, clock=lambda: NOW)
