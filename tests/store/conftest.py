"""Fixtures of the store tests: one seeded database file per session, copied per test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aomori_desktop.services.workspace import create_seeded_database


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
