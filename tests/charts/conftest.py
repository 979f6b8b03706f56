"""A seeded plan with a few recorded values, shared by the chart tests of one module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from aomori_desktop.services.queries import PlanQueries
from tests.charts.helpers import seeded_plan


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlanQueries]:
    db, plan_reader = seeded_plan(tmp_path_factory.mktemp("plan") / "plan.sqlite3")
    yield plan_reader
    db.close()
