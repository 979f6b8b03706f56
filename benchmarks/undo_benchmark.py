"""How long one edit, its undo and its redo take in the services, on a large plan.

Reports, on this machine (the window adds the worker hand-off and a refresh on top):
  * a whole year of actuals for every KPI stored as one edit (a bulk-entry paste or an import),
    its undo (values and who/when put back) and its redo;
  * one cell typed, undone and redone;
  * a KPI with ten years of records removed, and restored by the undo.

Usage:  .venv/bin/python benchmarks/undo_benchmark.py [--kpis 5000]
The synthetic plan of `plans.py` is reused (cached under the temp folder); each
run works on a copy. This is a benchmark, not a test: figures vary with the machine's load.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def timed(run: Callable[[], Any]) -> tuple[Any, float]:
    started = time.perf_counter()
    result = run()
    return result, (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kpis", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from plans import plan_database

    from aomori_desktop.services.kpi_values import KpiYearEdit
    from aomori_desktop.services.plan_services import PlanServices
    from aomori_desktop.services.workspace import default_plan_id
    from aomori_desktop.store.database import open_database

    cached = plan_database(args.kpis)
    folder = Path(tempfile.mkdtemp(prefix="undo-bench-"))
    copy = folder / "plan.sqlite3"
    shutil.copy(cached, copy)
    db = open_database(copy)
    try:
        services = PlanServices(db, default_plan_id(db), user="bench")
        codes = services.queries.kpi_order()
        figures: dict[str, list[float]] = {}

        def note(name: str, ms: float) -> None:
            figures.setdefault(name, []).append(ms)

        for round_ in range(args.rounds):
            year = 2026 + round_
            edits = [KpiYearEdit(c, year, actual=Decimal(i % 997)) for i, c in enumerate(codes)]
            applied, ms = timed(lambda e=edits: services.values.set_kpi_years(e))
            note(f"whole year ({len(edits):,} cells) stored", ms)
            undone, ms = timed(applied.undo)
            note(f"whole year ({len(edits):,} cells) undone", ms)
            _, ms = timed(undone.undo)
            note(f"whole year ({len(edits):,} cells) redone", ms)

            one = [KpiYearEdit(codes[round_], 2024, actual=Decimal("12.5"))]
            applied, ms = timed(lambda e=one: services.values.set_kpi_years(e, expected=[]))
            note("one cell stored", ms)
            undone, ms = timed(applied.undo)
            note("one cell undone", ms)
            _, ms = timed(undone.undo)
            note("one cell redone", ms)

            code = codes[-1 - round_]
            removed, ms = timed(lambda c=code: services.kpis.remove_kpi(c))
            note("KPI with its records removed", ms)
            _, ms = timed(removed.undo)
            note("KPI restored by the undo", ms)
        print(f"plan: {len(codes):,} KPIs; median of {args.rounds} rounds")
        for name, values in figures.items():
            print(f"  {name}: {statistics.median(values):.0f} ms")
    finally:
        db.close()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
