"""One evaluated plan and its annual report (PDF and .docx), made once for the report tests.

The plan: sample figures for FY2024 and FY2025 (K04 left without a 2025 figure, so one KPI of
the year is 評価不能), measure evaluations with an override and its reason, directions, and
panel opinions on a measure and on the whole plan. The same plan is also entered on a
PostgreSQL server (`evaluated_server`), where the report must read the same.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from aomori_desktop.domain.evaluation import Course
from aomori_desktop.domain.plan import FigureStatus
from aomori_desktop.reports.annual import ReportOptions
from aomori_desktop.reports.annual_report import read_report_data, render_report
from aomori_desktop.services.evaluation import MeasureEvaluationEdit
from aomori_desktop.services.evaluation_views import AnnualReportData
from aomori_desktop.services.kpi_values import KpiYearEdit
from aomori_desktop.services.plan_services import PlanServices
from aomori_desktop.services.workspace import create_seeded_database, default_plan_id

YEAR = 2025
VALUES = {
    "K01": ("1", "1"),
    "K02": ("3", "2"),
    "K03": ("78", "85"),
    "K04": ("150", None),  # no 2025 figure: 評価不能
    "K05": ("12", "13"),
    "K10": ("1150000", "1203456"),
    "K16": ("8.5", "8.6"),
}
OVERRIDE_REASON = "速報値のため、確定値での確認まで一段階低く評価した。"
PLAN_OPINION = "計画全体として概ね順調だが、速報値の多い指標は確定値で再評価されたい。"
PLAN_RESPONSE = "確定値の公表後に評価を更新して報告する。"
MEASURE_OPINION = "洋上風力関連産業への地元企業の参入を具体的に支援すべき。"
ENTERED_AT = datetime(2026, 6, 1, 2, 30, 15, 250000, tzinfo=UTC)  # who and when is printed too


def fill(services: PlanServices) -> None:
    edits = []
    for code, (v2024, v2025) in VALUES.items():
        edits.append(KpiYearEdit(code, 2024, actual=Decimal(v2024), status=FigureStatus.FINAL))
        if v2025 is not None:
            edits.append(
                KpiYearEdit(code, 2025, actual=Decimal(v2025), status=FigureStatus.PRELIMINARY)
            )
    edits.append(KpiYearEdit("K10", 2025, comment="クルーズ船の寄港増加により増加。"))
    services.values.set_kpi_years(edits)
    ev = services.evaluation
    ev.set_measure_evaluation(
        "1-1",
        YEAR,
        MeasureEvaluationEdit(
            achievements="事業者1者が青森港の利用を開始した。",
            issues="2者目の誘致に向けた港湾機能の拡充。",
            next_steps="基地港湾の機能強化を県と進める。",
            course=Course.EXPAND,
        ),
    )
    ev.set_measure_evaluation(
        "4-1",
        YEAR,
        MeasureEvaluationEdit(
            override="C",
            override_reason=OVERRIDE_REASON,
            achievements="宿泊客数が前年度を上回った。",
            course=Course.IMPROVE,
        ),
    )
    ev.set_project_course("PJ01", YEAR, Course.EXPAND)
    ev.add_opinion(YEAR, None, PLAN_OPINION, PLAN_RESPONSE)
    ev.add_opinion(YEAR, "1-1", MEASURE_OPINION, "参入支援の枠組みを立ち上げる。")


@dataclass(frozen=True)
class Made:
    data: AnnualReportData
    pdf: Path
    docx: Path


@pytest.fixture(scope="session")
def evaluated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report-db") / "plan.sqlite3"
    db = create_seeded_database(path)
    try:
        fill(PlanServices(db, default_plan_id(db), user="tester", clock=lambda: ENTERED_AT))
    finally:
        db.close()
    return path


@pytest.fixture(scope="session")
def evaluated_server() -> Iterator[str]:
    """The plan of `evaluated_db`, entered the same way into a PostgreSQL database."""
    from tests import backends

    backends.postgres_url()
    url = backends.new_database("report")
    try:
        db = create_seeded_database(url)
        try:
            fill(PlanServices(db, default_plan_id(db), user="tester", clock=lambda: ENTERED_AT))
        finally:
            db.close()
        yield url
    finally:
        backends.drop_database(url)


@pytest.fixture
def db_copy(evaluated_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "plan.sqlite3"
    shutil.copy(evaluated_db, path)
    return path


@pytest.fixture(scope="session")
def made(
    qapp: QApplication, evaluated_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Made]:
    from aomori_desktop.store.database import open_database

    out = tmp_path_factory.mktemp("report")
    db = open_database(evaluated_db)
    try:
        data = read_report_data(PlanServices(db, default_plan_id(db)).evaluation_queries, YEAR)
    finally:
        db.close()
    options = ReportOptions("青森市 経済部 経済政策課", date(2026, 10, 1))
    pdf = render_report(data, out / "report.pdf", options)
    docx = render_report(data, out / "report.docx", options)
    yield Made(data, pdf, docx)
