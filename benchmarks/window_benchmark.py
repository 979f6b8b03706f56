"""How the main window feels on a large plan: 5,000 KPIs with ten years of values.

Reports, in one run on this machine:
  * time from process start to the populated window (tree, badges and plan overview shown),
  * median and 95th percentile time to switch the selection between KPIs
    (KPI form + yearly table refreshed, events processed),
  * peak memory (max RSS) of the window process.

Usage:  .venv/bin/python benchmarks/window_benchmark.py [--kpis 5000] [--switches 300]
The synthetic database is cached under the system temp folder between runs.
This is a benchmark, not a test: figures vary with the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build_database(path: Path, kpi_count: int) -> None:
    from aomori_desktop.domain.plan import (
        Direction,
        FigureStatus,
        Kpi,
        KpiYear,
        Measure,
        Pillar,
        Placement,
        PlanInfo,
        PlanSnapshot,
        Project,
    )
    from aomori_desktop.services.workspace import import_plan
    from aomori_desktop.store.database import create_database

    rng = random.Random(2024)
    pillars = []
    projects = []
    measure_codes = []
    for p in range(1, 11):
        measures = []
        for m in range(1, 11):
            code = f"{p}-{m}"
            measure_codes.append(code)
            placements = []
            for n in range(1, 4):
                pid = f"PJ{len(projects) + 1:04d}"
                projects.append(
                    Project(
                        id=pid,
                        title=f"共創プロジェクト {code}-{n}",
                        description="取組内容の説明文" * 3,
                    )
                )
                placements.append(Placement(code=f"{code}-{n}", project=pid, relisting=False))
            measures.append(
                Measure(code=code, title=f"共創施策 {code}", placements=tuple(placements))
            )
        pillars.append(
            Pillar(number=p, lead="戦略の柱の見出し", name=f"柱{p}", measures=tuple(measures))
        )
    at = datetime(2026, 5, 1, tzinfo=UTC)
    kpis = []
    for i in range(kpi_count):
        baseline = Decimal(rng.randint(10, 100000))
        target = baseline + Decimal(rng.randint(1, 50000))
        years = tuple(
            KpiYear(
                fiscal_year=fy,
                actual=baseline
                + (target - baseline) * Decimal(fy - 2023) / 10 * Decimal(rng.randint(5, 13)) / 10,
                status=FigureStatus.FINAL,
                comment="前年度比で増加",
                entered_by="bench",
                entered_at=at,
            )
            for fy in range(2024, 2034)
        )
        kpis.append(
            Kpi(
                id=f"K{i + 1:04d}",
                name=f"指標 {i + 1} の名称（件数）",
                unit="件",
                baseline=baseline,
                baseline_fiscal_year=2023,
                target=target,
                target_fiscal_year=2033,
                direction=Direction.INCREASE,
                cumulative=False,
                measures=(measure_codes[i % len(measure_codes)],),
                years=years,
            )
        )
    snapshot = PlanSnapshot(
        plan=PlanInfo(
            name="大規模計画（ベンチマーク）", first_fiscal_year=2024, last_fiscal_year=2033
        ),
        pillars=tuple(pillars),
        projects=tuple(projects),
        kpis=tuple(kpis),
    )
    db = create_database(path)
    try:
        import_plan(db, snapshot)
    finally:
        db.close()


def child(db: str, switches: int) -> None:
    """Runs in the measured process: open the window, report, switch KPIs."""
    import resource

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from aomori_desktop.services.dto import NodeKind
    from aomori_desktop.ui.main_window import MainWindow
    from aomori_desktop.ui.prompts import Prompts
    from aomori_desktop.ui.qt_setup import create_application

    app = create_application(["bench"])
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(Prompts(), settings)
    window.resize(1400, 900)
    window.show()
    assert window.open_database(db)
    QApplication.processEvents()
    ready = time.time()
    keys = [
        key for key, item in window.tree_model._by_key.items() if item.node.kind is NodeKind.KPI
    ]
    rng = random.Random(7)
    timings = []
    for key in rng.sample(keys, min(switches, len(keys))):
        t = time.perf_counter()
        window.select_key(key)
        QApplication.processEvents()
        timings.append(time.perf_counter() - t)
        assert (
            window.kpi_page.detail is not None and window.kpi_page.detail.code == key.split("@")[0]
        )
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"ready": ready, "timings": timings, "peak_kb": peak_kb, "kpis": len(keys)}))
    window.close()
    app.quit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kpis", type=int, default=5000)
    parser.add_argument("--switches", type=int, default=300)
    parser.add_argument("--starts", type=int, default=5, help="process starts timed (median)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.switches)
        return
    db = Path(tempfile.gettempdir()) / f"aomori-bench-{args.kpis}.sqlite3"
    if not db.exists():
        t = time.perf_counter()
        build_database(db, args.kpis)
        print(f"built {db} in {time.perf_counter() - t:.1f} s")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_LOGGING_RULES="qt.qpa.*=false")
    ready: list[float] = []
    out = ""
    for run in range(args.starts):
        start = time.time()
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                str(db),
                "--switches",
                str(args.switches if run == 0 else 1),
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        ready.append(json.loads(out.strip().splitlines()[-1])["ready"] - start)
        if run == 0:
            first = out
    out = first
    result = json.loads(out.strip().splitlines()[-1])
    timings = sorted(result["timings"])
    p95 = timings[int(0.95 * (len(timings) - 1))]
    print(f"plan: {args.kpis:,} KPIs x 10 years ({result['kpis']:,} KPI listings in the tree)")
    print(
        f"window ready after process start: median {statistics.median(ready):.2f} s of "
        f"{len(ready)} starts (min {min(ready):.2f}, max {max(ready):.2f})   (goal <= 2 s)"
    )
    print(
        f"KPI switch over {len(timings)} selections: median {statistics.median(timings) * 1000:.1f} ms, "
        f"p95 {p95 * 1000:.1f} ms   (goal median <= 50 ms)"
    )
    print(f"peak memory (max RSS): {result['peak_kb'] / 1024:.0f} MB   (goal <= 400 MB)")


if __name__ == "__main__":
    main()
