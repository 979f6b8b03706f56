"""The benchmark command runs end to end on a small plan and writes its table.

Only that it runs and reports every figure: no timing is asserted here (timings are the
benchmark's output, read by people, on a machine whose load varies).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FIGURES = (
    "起動（既定の計画）",
    "起動（40 KPI × 10年度、コメント・変更履歴つき）",
    "KPIの選択切替",
    "年度の値を1つ入力",
    "評価年度の切替",
    "グラフ一括書き出し 16件",
    "JSON取り込み 40 KPI（ファイル",
    "JSON取り込み 40 KPI: メモリ",
    "最大メモリ 40 KPI",
)


@pytest.mark.skipif(
    subprocess.run([sys.executable, "-c", "import matplotlib"], check=False).returncode != 0,
    reason="the bench extra (matplotlib) is not installed",
)
def test_benchmark_command_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "PERFORMANCE.md"
    out.write_text("# 性能\n\n説明文はそのまま残る。\n", encoding="utf-8")
    env = dict(os.environ, TMPDIR=str(tmp_path))  # the plans are cached in the test's folder
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "run.py"),
            "--kpis",
            "40",
            "--sizes",
            "40",
            "--runs",
            "1",
            "--switches",
            "4",
            "--edits",
            "2",
            "--years",
            "2",
            "--import-runs",
            "1",
            "--chart-rounds",
            "1",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        env=env,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# 性能\n\n説明文はそのまま残る。\n")
    assert "<!-- benchmark:begin -->" in text and "<!-- benchmark:end -->" in text
    figures, _, growth = text.partition("How the costs grow")
    table = [line for line in figures.splitlines() if line.startswith("| ")]
    for figure in FIGURES:
        rows = [line for line in table if figure in line]
        assert len(rows) == 1, (figure, table)
        cells = [cell.strip() for cell in rows[0].strip("|").split("|")]
        assert any(ch.isdigit() for ch in cells[1]), rows[0]  # a measured figure
        assert cells[5] in ("達成", "**未達**"), rows[0]
    assert "| 40 KPI |" in growth  # the growth table
    assert done.stdout.strip().splitlines()[0] in text  # what was printed is what was written
