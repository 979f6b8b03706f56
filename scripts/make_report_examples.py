"""Regenerate the annual report examples in docs/examples/report/: the PDF the application
makes, the .docx, and PNG images of every page of both (the .docx as LibreOffice renders it).

    .venv/bin/python scripts/make_report_examples.py [--out docs/examples/report] [--no-images]

The data is the default plan with invented sample values and evaluation texts for
令和7(2025)年度 (the same sample figures as the chart examples); it is entered through the
services as a user would. Page images need pdftoppm (poppler-utils) and, for the .docx,
LibreOffice (scripts/docx_to_pdf.sh).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from make_chart_examples import VALUES  # noqa: E402  (shared sample values)

YEAR = 2025
ISSUED = date(2026, 10, 1)
DEPARTMENT = "青森市 経済部 経済政策課"


def fill_sample(services: object) -> None:
    """Sample figures for FY2024 (確定) and FY2025 (速報), evaluations, directions and the
    panel's opinions: invented for illustration, not city figures."""
    from aomori_desktop.domain.evaluation import Course
    from aomori_desktop.domain.plan import FigureStatus, ProjectStatus
    from aomori_desktop.services.evaluation import MeasureEvaluationEdit
    from aomori_desktop.services.kpi_values import KpiYearEdit
    from aomori_desktop.services.plan_services import PlanServices

    assert isinstance(services, PlanServices)
    edits = []
    for code, (v2024, v2025) in VALUES.items():
        edits.append(KpiYearEdit(code, 2024, actual=Decimal(v2024), status=FigureStatus.FINAL))
        edits.append(
            KpiYearEdit(code, 2025, actual=Decimal(v2025), status=FigureStatus.PRELIMINARY)
        )
    edits.append(
        KpiYearEdit(
            "K10",
            2025,
            comment="クルーズ船の寄港増加とインバウンド需要の回復により増加（速報値）。",
        )
    )
    edits.append(KpiYearEdit("K16", 2025, comment="県平均を上回る水準で推移。"))
    services.values.set_kpi_years(edits)
    ev = services.evaluation
    ev.set_measure_evaluation(
        "1-1",
        YEAR,
        MeasureEvaluationEdit(
            achievements="洋上風力発電の事業者1者が青森港の利用を開始し、関連産業への参入に向けた"
            "セミナーを3回開催した。",
            issues="港湾機能の拡充に時間を要しており、2者目以降の誘致に向けた受入体制の整備が課題。",
            next_steps="港湾管理者・県と連携し、基地港湾の機能強化と地元企業のサプライチェーン参入"
            "支援を進める。",
            course=Course.EXPAND,
        ),
    )
    ev.set_measure_evaluation(
        "1-3",
        YEAR,
        MeasureEvaluationEdit(
            override="B",
            override_reason="KPIは目標値を達成したが、速報値であり、確定値での確認が必要なため"
            "「B 順調」とした。",
            achievements="新規事業の創出件数が目標を上回った。",
            issues="事業化後の継続支援の仕組みが不十分。",
            next_steps="金融機関と連携した伴走支援を行う。",
            course=Course.IMPROVE,
        ),
    )
    ev.set_measure_evaluation(
        "4-1",
        YEAR,
        MeasureEvaluationEdit(
            achievements="主要宿泊施設の宿泊客数は前年度を上回った。",
            issues="冬季の誘客が弱い。",
            next_steps="冬季イベントと連携した周遊商品の造成を進める。",
            course=Course.CONTINUE,
        ),
    )
    ev.set_project_course("PJ01", YEAR, Course.EXPAND)
    ev.set_project_course("PJ02", YEAR, Course.IMPROVE)
    services.projects.set_project_year(
        "PJ01", YEAR, status=ProjectStatus.IN_PROGRESS, note="セミナー3回"
    )
    services.projects.set_project_year("PJ02", YEAR, status=ProjectStatus.STUDYING)
    ev.add_opinion(
        YEAR,
        None,
        "計画全体として概ね順調に進んでいるが、速報値の多い指標は確定値で改めて評価されたい。",
        "確定値の公表後に評価を更新し、次回の会議で報告する。",
    )
    ev.add_opinion(
        YEAR,
        "1-1",
        "洋上風力関連産業への地元企業の参入を具体的に支援すべき。",
        "産学金官の連携による参入支援の枠組みを令和8年度に立ち上げる。",
    )
    ev.add_opinion(YEAR, "4-1", "冬季の誘客策を強化すべき。")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "examples" / "report")
    parser.add_argument("--no-images", action="store_true", help="only the .pdf and .docx")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from aomori_desktop.reports.annual import ReportOptions
    from aomori_desktop.reports.annual_report import read_report_data, render_report
    from aomori_desktop.services.plan_services import PlanServices
    from aomori_desktop.services.workspace import create_seeded_database, default_plan_id
    from aomori_desktop.ui.qt_setup import configure_application

    app = QApplication.instance() or QApplication(sys.argv)
    configure_application(app)  # type: ignore[arg-type]
    out: Path = args.out
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    db = create_seeded_database(Path(tempfile.mkdtemp()) / "report.sqlite3")
    try:
        services = PlanServices(db, default_plan_id(db), user="example")
        fill_sample(services)
        data = read_report_data(services.evaluation_queries, YEAR)
    finally:
        db.close()
    options = ReportOptions(DEPARTMENT, ISSUED)
    pdf = render_report(data, out / "annual_report_R7.pdf", options)
    docx = render_report(data, out / "annual_report_R7.docx", options)
    print(f"wrote {pdf} and {docx}")
    if args.no_images:
        return 0
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(out / "pdf_page")], check=True)
    converted = Path(tempfile.mkdtemp()) / "annual_report_R7.pdf"
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "docx_to_pdf.sh"), str(docx), str(converted)], check=True
    )
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(converted), str(out / "docx_page")], check=True
    )
    print(f"page images in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
