"""Grades for one fiscal year: of the whole plan, or of the KPIs named (one edited KPI)."""

from __future__ import annotations

from decimal import Decimal

from aomori_desktop.domain.plan import FigureStatus
from aomori_desktop.domain.progress import Grade
from aomori_desktop.services.plan_services import PlanServices


def test_the_kpis_named_are_graded_as_in_the_whole_plan(services: PlanServices) -> None:
    services.values.record_actual("K03", 2025, Decimal("120"), status=FigureStatus.FINAL)
    whole = services.queries.year_progress(2025)
    assert len(whole) == 16
    some = services.queries.year_progress(2025, {"K03", "K10"})
    assert some == {"K03": whole["K03"], "K10": whole["K10"]}
    assert some["K03"].grade is not Grade.NONE  # the actual entered is graded
    assert some["K10"].grade is Grade.NONE  # no actual for 2025
    assert services.queries.year_progress(2025, set()) == {}
    assert services.queries.year_progress(2025, {"K99"}) == {}
