"""Time the annual report for the default plan (goal: under 10 s for both files together).

    .venv/bin/python benchmarks/report_benchmark.py

The plan is the default strategy with the sample figures, evaluations and opinions of the
report examples (scripts/make_report_examples.py). Prints the seconds of each part: reading
the plan, building the document, the PDF (layout, vector charts, writing), the .docx
(contents' page numbers, charts as 300-dpi PNG, the document), saving.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from make_report_examples import DEPARTMENT, ISSUED, YEAR, fill_sample
    from PySide6.QtWidgets import QApplication

    from aomori_desktop.reports.annual import ReportOptions
    from aomori_desktop.reports.annual_report import (
        ReportTimings,
        read_report_data,
        render_report,
    )
    from aomori_desktop.services.plan_services import PlanServices
    from aomori_desktop.services.workspace import create_seeded_database, default_plan_id
    from aomori_desktop.ui.qt_setup import configure_application

    app = QApplication.instance() or QApplication(sys.argv)
    configure_application(app)  # type: ignore[arg-type]
    folder = Path(tempfile.mkdtemp(prefix="aomori-report-bench-"))
    db = create_seeded_database(folder / "plan.sqlite3")
    services = PlanServices(db, default_plan_id(db), user="benchmark")
    fill_sample(services)
    options = ReportOptions(DEPARTMENT, ISSUED)
    totals = {}
    for suffix in ("pdf", "docx"):
        timings = ReportTimings()
        started = time.perf_counter()
        data = read_report_data(services.evaluation_queries, YEAR)
        timings.add("計画の読み込み", started)
        render_report(data, folder / f"report.{suffix}", options, timings=timings)
        totals[suffix] = time.perf_counter() - started
        print(f"{suffix}: {totals[suffix]:.2f} s")
        for part, seconds in timings.parts.items():
            print(f"  {part}: {seconds:.3f} s")
        print(f"  size: {(folder / f'report.{suffix}').stat().st_size / 1e6:.2f} MB")
    db.close()
    total = sum(totals.values())
    print(f"both files: {total:.2f} s (goal < 10 s): {'OK' if total < 10 else 'TOO SLOW'}")
    return 0 if total < 10 else 1


if __name__ == "__main__":
    raise SystemExit(main())
