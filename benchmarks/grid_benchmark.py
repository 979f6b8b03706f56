"""Grid parser speed: a pasted or imported block of yearly values read by `exchange.grid`.

Builds clipboard text as Excel writes it for N KPI rows × 3 cells (実績値 with office habits
such as 1,234 / ▲5 / １２．５％ / -, 速報/確定, a comment, some with a quoted line break), then
times `split_clipboard` and `read_grid` over it (the median of several rounds) and prints
milliseconds and cells per second. The yearly table reads at most 10 × 4 cells and the bulk
entry one cell per KPI and column, so the 5,000-KPI plan of the window benchmark is the case
that matters: goal ≤ 200 ms for 5,000 rows (a paste must feel instant).

Usage:  .venv/bin/python benchmarks/grid_benchmark.py [--rows 5000] [--rounds 7]
This is a benchmark, not a test: figures vary with the machine's load.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aomori_desktop.exchange.grid import (  # noqa: E402  (after the path set-up)
    CellKind,
    ColumnSpec,
    join_clipboard,
    read_grid,
    split_clipboard,
)

VALUES = ["1,234", "▲5", "１２．５％", "-", "8.40", "1109980", "", "３２１"]
STATUSES = ["確定", "速報", "", "確定値"]
COMMENTS = ["", "前年並み", "市の補助で\n創業が増加", "イベント中止の影響"]


def clipboard_text(rows: int) -> str:
    return join_clipboard(
        [
            [VALUES[n % len(VALUES)], STATUSES[n % len(STATUSES)], COMMENTS[n % len(COMMENTS)]]
            for n in range(rows)
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    text = clipboard_text(args.rows)
    specs = [
        ColumnSpec(CellKind.DECIMAL, unit="%"),
        ColumnSpec(CellKind.FIGURE_STATUS),
        ColumnSpec(CellKind.TEXT),
    ]
    split_times, read_times = [], []
    for _ in range(args.rounds):
        start = time.perf_counter()
        rows = split_clipboard(text)
        middle = time.perf_counter()
        reading = read_grid(rows, lambda r, c: specs[c], lambda r, c: f"{r + 1}行目")
        end = time.perf_counter()
        assert reading.ok and len(reading.cells) == args.rows * 3, reading.problems[:3]
        split_times.append(middle - start)
        read_times.append(end - middle)
    split_ms = statistics.median(split_times) * 1000
    read_ms = statistics.median(read_times) * 1000
    cells = args.rows * 3
    print(f"rows: {args.rows:,} × 3 cells ({len(text):,} characters of clipboard text)")
    print(f"split_clipboard: {split_ms:.1f} ms (median of {args.rounds})")
    print(f"read_grid:       {read_ms:.1f} ms ({cells / (read_ms / 1000):,.0f} cells/s)")
    print(f"total:           {split_ms + read_ms:.1f} ms (goal ≤ 200 ms for 5,000 rows)")


if __name__ == "__main__":
    main()
