"""Excel export and import of 50,000 yearly values, next to openpyxl's own floor.

The plan: 5,000 KPIs × 10 fiscal years of actuals (the window benchmark's synthetic plan).
Measured in one run, each step against openpyxl doing nothing but the same cells:

  * plan export: the whole plan as a workbook (its KPI年度別 sheet holds the 50,000 yearly
    rows) — floor: a write-only workbook with the same cell values and no styles;
  * collection workbooks: one 調査票 per fiscal year for all 5,000 KPIs (10 files, 50,000
    input cells) — floor: the same values written write-only;
  * import: the 10 returned workbooks, every actual changed, read (checks, identifiers,
    cell parsing), previewed against the database and written in one transaction — floor:
    openpyxl reading every cell of the same files in read-only mode.

Usage:  .venv/bin/python benchmarks/xlsx_benchmark.py [--kpis 5000]
The synthetic database is cached under the system temp folder between runs (the import runs
on a copy). This is a benchmark, not a test: figures vary with the machine's load.
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import openpyxl  # noqa: E402

YEARS = range(2024, 2034)


def timed[T](work: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def cell_values(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet's values (the cells a floor writes)."""
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
    finally:
        wb.close()


def write_floor(sheets: dict[str, list[tuple[Any, ...]]]) -> int:
    """openpyxl writing the same values, write-only, no styles; returns the bytes."""
    wb = openpyxl.Workbook(write_only=True)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return len(buffer.getvalue())


def read_floor(paths: list[Path]) -> int:
    """openpyxl reading every cell of the files, read-only; returns the cells read."""
    cells = 0
    for path in paths:
        wb = openpyxl.load_workbook(path, read_only=True)
        try:
            for ws in wb.worksheets:
                for row in ws.iter_rows(values_only=True):
                    cells += len(row)
        finally:
            wb.close()
    return cells


def fill_forms(paths: list[Path]) -> int:
    """Answer every actual as a department would (not timed): the old value plus one."""
    answered = 0
    for path in paths:
        wb = openpyxl.load_workbook(path)
        ws = wb["KPI"]
        for row in range(5, ws.max_row + 1):
            cell = ws.cell(row=row, column=13)
            cell.value = (cell.value or 0) + 1
            answered += 1
        wb.save(path)
    return answered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kpis", type=int, default=5000)
    args = parser.parse_args()

    from plans import plan_database

    from aomori_desktop.services.collection import (
        Scope,
        export_plan_workbook,
        write_collection_workbooks,
    )
    from aomori_desktop.services.collection_apply import apply_import
    from aomori_desktop.services.collection_import import preview_import, read_files
    from aomori_desktop.services.transaction import PlanAccess
    from aomori_desktop.services.workspace import default_plan_id
    from aomori_desktop.store.database import open_database

    cache = plan_database(args.kpis)  # built once, cached under the temp folder
    with tempfile.TemporaryDirectory(prefix="aomori-xlsx-bench-") as tmp:
        folder = Path(tmp)
        db_path = folder / "plan.sqlite3"
        shutil.copy(cache, db_path)
        db = open_database(db_path)
        try:
            access = PlanAccess(db, default_plan_id(db), user="bench")
            values = args.kpis * len(YEARS)

            book = folder / "plan.xlsx"
            _, export_s = timed(lambda: export_plan_workbook(access, book, 2024))
            sheets = cell_values(book)
            cells = sum(len(r) for rows in sheets.values() for r in rows)
            _, export_floor_s = timed(lambda: write_floor(sheets))

            forms = [folder / f"form_{fy}.xlsx" for fy in YEARS]

            def make_forms() -> None:
                for fy, path in zip(YEARS, forms, strict=True):
                    write_collection_workbooks(access, fy, Scope(), path)

            _, forms_s = timed(make_forms)
            form_sheets = [cell_values(p) for p in forms]
            form_cells = sum(len(r) for s in form_sheets for rows in s.values() for r in rows)
            _, forms_floor_s = timed(lambda: [write_floor(s) for s in form_sheets])

            answered = fill_forms(forms)
            files, read_s = timed(lambda: read_files(forms))
            preview, preview_s = timed(lambda: preview_import(access, files))
            assert preview.ok and len(preview.changes) == answered, preview.problems[:3]
            applied, apply_s = timed(lambda: apply_import(access, preview))
            assert applied.value is not None and applied.value.fields == answered
            _, read_floor_s = timed(lambda: read_floor(forms))
        finally:
            db.close()

    rows = [
        (
            "plan export (.xlsx)",
            f"{values:,} yearly rows, {cells:,} cells",
            export_s,
            export_floor_s,
        ),
        (
            "collection workbooks ×10",
            f"{values:,} input cells, {form_cells:,} cells",
            forms_s,
            forms_floor_s,
        ),
        ("import: read 10 workbooks", f"{answered:,} answers", read_s, read_floor_s),
        ("import: preview", "compare with the database", preview_s, None),
        ("import: write (1 transaction)", f"{answered:,} values + audit", apply_s, None),
        ("import: total", "", read_s + preview_s + apply_s, read_floor_s),
    ]
    print(f"\nExcel export and import, {args.kpis:,} KPIs × {len(YEARS)} years (seconds)\n")
    print(f"| {'step':<30} | {'what':<38} | {'ours':>7} | {'openpyxl floor':>14} | {'ratio':>5} |")
    print(f"|{'-' * 32}|{'-' * 40}|{'-' * 9}|{'-' * 16}|{'-' * 7}|")
    for step, what, ours, floor in rows:
        floor_text = f"{floor:14.2f}" if floor is not None else f"{'—':>14}"
        ratio = f"{ours / floor:5.1f}" if floor else f"{'—':>5}"
        print(f"| {step:<30} | {what:<38} | {ours:7.2f} | {floor_text} | {ratio} |")


if __name__ == "__main__":
    main()
