"""Fixtures of the collection-cycle tests: a seeded plan with two departments (担当課), a few
figures already entered, a fixed clock and user, copied per test.

A test that reaches the database runs twice, on an SQLite file and on a PostgreSQL database
(tests/backends.py); `db_path` is the file's path or the server database's URL. Hostile-file
tests refused before the database is read are marked `sqlite_only`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from aomori_desktop.cli import main
from aomori_desktop.domain.plan import FigureStatus, ProjectStatus
from aomori_desktop.services.kpi_fields import KpiFieldsEdit
from aomori_desktop.services.plan_services import PlanServices
from aomori_desktop.services.projects import ProjectFieldsEdit
from aomori_desktop.services.transaction import PlanAccess
from aomori_desktop.services.workspace import default_plan_id
from aomori_desktop.store.database import Database, open_database
from tests import backends
from tests.backends import Target

NOW = datetime(2025, 5, 20, 1, 0, tzinfo=UTC)
LATER = datetime(2025, 6, 10, 2, 0, tzinfo=UTC)
USER = "企画 花子"
ECONOMY = "経済政策課"
TOURISM = "観光課"
ECONOMY_KPIS = ("K01", "K02", "K03", "K04")
TOURISM_KPIS = ("K10", "K11", "K12", "K13")
ECONOMY_PROJECTS = ("PJ01", "PJ02")
TOURISM_PROJECTS = ("PJ15", "PJ16")


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    backends.parametrize_backends(metafunc)


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def plan_template(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    for template in backends.seeded_template(
        backend, tmp_path_factory.mktemp("collection-template"), "collection"
    ):
        _prepare(template)
        yield template


def _prepare(template: Target) -> None:
    db = open_database(template)
    try:
        services = PlanServices(db, default_plan_id(db), user="設定 太郎", clock=lambda: NOW)
        for section, kpis, projects in (
            (ECONOMY, ECONOMY_KPIS, ECONOMY_PROJECTS),
            (TOURISM, TOURISM_KPIS, TOURISM_PROJECTS),
        ):
            for code in kpis:
                services.kpi_fields.update_kpi(code, KpiFieldsEdit(responsible_section=section))
            for code in projects:
                services.projects.update_project(
                    code, ProjectFieldsEdit(responsible_section=section)
                )
        services.values.record_actual(
            "K10", 2024, Decimal("1109980"), status=FigureStatus.PRELIMINARY, comment="速報値"
        )
        services.projects.set_project_year(
            "PJ01", 2024, status=ProjectStatus.STUDYING, note="協議中"
        )
    finally:
        db.close()


@pytest.fixture
def db_path(plan_template: Target, tmp_path: Path) -> Iterator[Target]:
    yield from backends.fresh_copy(plan_template, tmp_path)


@pytest.fixture
def db(db_path: Target) -> Iterator[Database]:
    database = open_database(db_path, busy_timeout=0.5)
    try:
        yield database
    finally:
        database.close()


@pytest.fixture
def plan_id(db: Database) -> int:
    return default_plan_id(db)


@pytest.fixture
def access(db: Database, plan_id: int) -> PlanAccess:
    """What the planning section's import and export run with: its user and a fixed clock."""
    return PlanAccess(db, plan_id, user=USER, clock=lambda: NOW)


def other_user(db: Database, plan_id: int) -> PlanServices:
    """Someone else editing the database meanwhile (another PC, another window)."""
    return PlanServices(db, plan_id, user="別の 職員", clock=lambda: LATER)


@pytest.fixture
def data_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    home = tmp_path_factory.mktemp("xdg-data")
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    yield home
    logger = logging.getLogger("aomori_desktop")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], data_home: Path):
    def run(*argv: str) -> Result:
        capsys.readouterr()
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
