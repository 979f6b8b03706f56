"""Overviews and grades built from held figures (services/figures.py) are the ones a fresh
read of the database gives, for every year, scope and scheme, and after the changes named."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import String, type_coerce, update

from aomori_desktop.domain.grading import SCHEME_MARKS
from aomori_desktop.domain.plan import FigureStatus
from aomori_desktop.services.changes import Changes
from aomori_desktop.services.dto import TreeKey
from aomori_desktop.services.figures import PlanFigures
from aomori_desktop.services.kpi_values import KpiYearEdit
from aomori_desktop.services.overviews import overview_from_figures
from aomori_desktop.services.plan_services import PlanServices
from aomori_desktop.store.errors import DatabaseCorrupt
from aomori_desktop.store.models import KpiYearRow

SCOPES = [TreeKey.plan(), TreeKey.parse("1"), TreeKey.parse("1-2"), TreeKey.parse("4")]


def _figures_of_every_kind(services: PlanServices) -> None:
    services.values.set_kpi_years(
        [
            KpiYearEdit("K01", 2024, actual=Decimal("1"), status=FigureStatus.FINAL),
            KpiYearEdit("K01", 2026, actual=Decimal("3")),
            KpiYearEdit("K02", 2025, actual=Decimal("10"), interim_target=Decimal("12")),
            KpiYearEdit("K10", 2027, actual=Decimal("1203456"), status=FigureStatus.PRELIMINARY),
            KpiYearEdit("K12", 2025, interim_target=Decimal("5")),  # no actual: 評価不能
        ]
    )


def _same_as_a_fresh_read(services: PlanServices, figures: PlanFigures) -> None:
    header = services.queries.header()
    for scope in SCOPES:
        for fy in header.fiscal_years:
            held = overview_from_figures(figures, services.access, header, scope, fy)
            assert held == services.queries.overview(scope, fy), (scope, fy)
        assert figures.progress(2026, header.info.grade_scheme) == (
            services.queries.year_progress(2026)
        )


def test_held_figures_grade_as_a_fresh_read_in_every_year_and_scope(
    services: PlanServices,
) -> None:
    _figures_of_every_kind(services)
    figures = PlanFigures(services.access)
    _same_as_a_fresh_read(services, figures)
    assert figures.reads == 1  # 40 overviews from one read
    services.evaluation.set_grade_scheme(SCHEME_MARKS)
    figures.forget(Changes(kpis=frozenset({"K01"}), grades_only=True))
    _same_as_a_fresh_read(services, figures)
    assert figures.reads == 1


def test_a_change_named_reads_those_kpis_again_and_the_tree_reads_all(
    services: PlanServices,
) -> None:
    figures = PlanFigures(services.access)
    _same_as_a_fresh_read(services, figures)
    applied = services.values.set_kpi_years([KpiYearEdit("K03", 2025, actual=Decimal("120"))])
    figures.forget(applied.changes)
    _same_as_a_fresh_read(services, figures)
    assert figures.reads == 2  # K03 alone
    figures.forget(Changes(structure=True))
    _same_as_a_fresh_read(services, figures)
    assert figures.reads == 3


def test_grades_only_survives_a_union_only_when_every_side_only_regrades() -> None:
    regrade = Changes(kpis=frozenset({"K01", "K02"}), grades_only=True)
    edit = Changes(kpis=frozenset({"K01"}))
    assert (regrade | Changes(evaluations=frozenset({"1-1"}))).grades_only
    assert (regrade | regrade).grades_only
    assert not (regrade | edit).grades_only
    assert not (edit | regrade).grades_only
    assert not (Changes() | Changes()).grades_only


def test_a_stored_figure_that_is_not_a_number_is_reported_when_graded(
    services: PlanServices,
) -> None:
    services.values.record_actual("K05", 2026, Decimal("7"))
    with services.access.db.engine.begin() as connection:  # another program wrote over it
        connection.execute(
            update(KpiYearRow)
            .where(KpiYearRow.fiscal_year == 2026)
            .values(actual=type_coerce("7,0", String))
        )
    figures = PlanFigures(services.access)
    header = services.queries.header()
    overview_from_figures(figures, services.access, header, TreeKey.plan(), 2025)  # not 2026
    with pytest.raises(DatabaseCorrupt) as info:
        overview_from_figures(figures, services.access, header, TreeKey.plan(), 2026)
    assert "「7,0」" in info.value.message and "バックアップ" in info.value.message
