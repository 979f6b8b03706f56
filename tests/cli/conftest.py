"""Fixtures of the CLI tests.

Every test gets its own XDG_DATA_HOME (platformdirs honours it on Linux), so the default
database and the log file land in a temporary folder, never in the real user's data folder.

A test asking for `backend` (through `data_target` or `empty_target`) runs on an SQLite file
and on a PostgreSQL database (tests/backends.py); the command line takes either as `--db`.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from aomori_desktop.cli import main
from aomori_desktop.services.plan_services import PlanServices
from aomori_desktop.services.workspace import create_seeded_database, default_plan_id
from aomori_desktop.store.database import open_database
from tests import backends
from tests.backends import Target

OVERRIDE_REASON = "速報値のため一段階低く評価した。"
MEASURE_ACHIEVEMENTS = "事業者1者が青森港の利用を開始した。"
PLAN_OPINION = "速報値の多い指標は確定値で再評価されたい。"
MEASURE_OPINION = "地元企業の参入を具体的に支援すべき。"


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


@pytest.fixture(autouse=True)
def data_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("xdg-data")
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    yield home
    # main() attaches a log file handler under the data folder once per process: detach it,
    # so the next test logs into its own folder and no file stays open.
    logger = logging.getLogger("aomori_desktop")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    def run(*argv: str) -> Result:
        capsys.readouterr()
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse: --help, --version, usage errors
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli-template") / "template.sqlite3"
    create_seeded_database(path).close()
    return path


@pytest.fixture(scope="session")
def data_template(seeded_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded plan plus actuals, a comment, a project year and a target revision, a
    measure evaluation (with an overridden grade), a project's course and panel opinions on a
    measure and on the whole plan (all audited)."""
    from datetime import UTC, datetime

    from aomori_desktop.domain.evaluation import Course
    from aomori_desktop.domain.plan import FigureStatus, ProjectStatus
    from aomori_desktop.services.evaluation import MeasureEvaluationEdit

    path = tmp_path_factory.mktemp("cli-data") / "data.sqlite3"
    shutil.copy(seeded_template, path)
    db = open_database(path)
    try:
        services = PlanServices(
            db,
            default_plan_id(db),
            user="青森 太郎",
            clock=lambda: datetime(2026, 4, 1, tzinfo=UTC),
        )
        services.values.record_actual(
            "K16",
            2024,
            Decimal("8.40"),
            status=FigureStatus.FINAL,
            comment='確定値\n"前年比" +0.1pt 🎉',
        )
        services.values.record_actual("K10", 2024, Decimal("1109980"))
        services.values.set_interim_target("K05", 2025, Decimal("16.5"))
        services.kpi_fields.revise_target("K05", Decimal("35"), 2033, "国の補助制度の拡充")
        services.projects.set_project_year(
            "PJ02", 2024, status=ProjectStatus.IN_PROGRESS, note="再掲先でも同じ"
        )
        services.evaluation.set_measure_evaluation(
            "1-1",
            2024,
            MeasureEvaluationEdit(
                override="C",
                override_reason=OVERRIDE_REASON,
                achievements=MEASURE_ACHIEVEMENTS,
                course=Course.IMPROVE,
            ),
        )
        services.evaluation.set_project_course("PJ02", 2024, Course.EXPAND)
        services.evaluation.add_opinion(2024, None, PLAN_OPINION, "確定値の公表後に報告する。")
        services.evaluation.add_opinion(2024, "1-1", MEASURE_OPINION)
    finally:
        db.close()
    return path


@pytest.fixture
def seeded_db(seeded_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "plan.sqlite3"
    shutil.copy(seeded_template, path)
    return path


@pytest.fixture
def data_db(data_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "data.sqlite3"
    shutil.copy(data_template, path)
    return path


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    backends.parametrize_backends(metafunc)


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def data_target_template(backend: str, data_template: Path) -> Iterator[Target]:
    """`data_template`, or the same database copied onto the server (once per session)."""
    if backend == "sqlite":
        yield data_template
        return
    from aomori_desktop.services.database_copy import copy_database

    backends.postgres_url()
    url = backends.new_database("cli_data_tmpl")
    try:
        copy_database(data_template, url)
        yield url
    finally:
        backends.drop_database(url)


@pytest.fixture
def data_target(data_target_template: Target, tmp_path: Path) -> Iterator[Target]:
    """`data_db` on the test's back end: a file's path or a server database's URL."""
    folder = tmp_path / "data"
    folder.mkdir()
    yield from backends.fresh_copy(data_target_template, folder)


@pytest.fixture
def empty_target(backend: str, tmp_path: Path) -> Iterator[Target]:
    """Where an import goes: a file not yet there, or an empty server database (no tables)."""
    if backend == "sqlite":
        yield tmp_path / "new" / "new.sqlite3"
        return
    backends.postgres_url()
    url = backends.new_database("cli_empty")
    try:
        yield url
    finally:
        backends.drop_database(url)
