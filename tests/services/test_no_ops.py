"""Calls that change nothing store nothing, audit nothing and report no change."""

from __future__ import annotations

from sqlalchemy import func, select

from aomori_desktop.domain.plan import ProjectStatus
from aomori_desktop.services.plan_services import PlanServices
from aomori_desktop.store.database import Database
from aomori_desktop.store.models import AuditRow, KpiYearRow, ProjectYearRow


def count(db: Database, model: type) -> int:
    with db.read_session() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_clearing_an_actual_that_was_never_entered(db: Database, services: PlanServices) -> None:
    assert services.values.clear_actual("K01", 2026).empty
    assert count(db, KpiYearRow) == 0
    assert count(db, AuditRow) == 0


def test_setting_a_project_year_to_what_it_is(db: Database, services: PlanServices) -> None:
    assert services.projects.set_project_year("PJ01", 2025, status=None, note="").empty
    assert count(db, ProjectYearRow) == 0
    services.projects.set_project_year("PJ01", 2025, status=ProjectStatus.STUDYING)
    assert services.projects.set_project_year("PJ01", 2025, status=ProjectStatus.STUDYING).empty
    assert count(db, AuditRow) == 1


def test_linking_a_kpi_to_the_measures_it_already_serves(
    db: Database, services: PlanServices
) -> None:
    assert services.kpis.set_kpi_measures("K01", ["1-1", "1-2"]).empty
    assert count(db, AuditRow) == 0
