"""Chart export speed: our pyqtgraph charts against matplotlib, same charts, same pixels.

Exports the 16 KPI charts of the default plan (a freshly initialised temporary database,
read through the services, with two years of sample values so the charts are not empty) as
PNG at Word full width and 300 dpi (1890 × 1181 px) with aomori_desktop.charts, then draws
the same charts with matplotlib (Agg, BIZ UDPGothic from resources/fonts) at the same pixel
size, in one run, and prints seconds per chart for both and the ratio. Goal: ours ≤ 0.25×
(benchmarks/run.py takes the same figure through the batch exporter, in the one table).

Each side is timed from data already in memory to the PNG file on disk (drawing + encoding +
writing), over several rounds; the median round counts. Reading the database is not timed.

Usage:  .venv/bin/python benchmarks/chart_export_benchmark.py [--rounds 5] [--out DIR]
Needs the bench extra:  .venv/bin/pip install -e ".[bench]"   (matplotlib)
This is a benchmark, not a test: figures vary with the machine's load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WIDTH_CM, HEIGHT_CM, DPI = 16.0, 10.0, 300


def load_details() -> list:  # list[KpiDetail]
    """The 16 default KPIs with 2024 (確定) and 2025 (速報) values, read through services."""
    from aomori_desktop.domain.plan import FigureStatus
    from aomori_desktop.services.dto import TreeKey
    from aomori_desktop.services.plan_services import PlanServices
    from aomori_desktop.services.workspace import create_seeded_database, default_plan_id

    folder = Path(tempfile.mkdtemp(prefix="chart-bench-"))
    db = create_seeded_database(folder / "bench.sqlite3")
    try:
        plan = default_plan_id(db)
        services = PlanServices(db, plan)
        reader = services.queries
        codes = [row.code for row in reader.overview(TreeKey.plan(), 2025).kpis]
        for code in codes:
            detail = reader.kpi_detail(code)
            span = (detail.target - detail.baseline) or detail.baseline * Decimal("0.05") or 1
            for year, share, status in (
                (2024, Decimal("0.12"), FigureStatus.FINAL),
                (2025, Decimal("0.21"), FigureStatus.PRELIMINARY),
            ):
                value = detail.baseline + span * share
                exponent = detail.baseline.as_tuple().exponent
                quantum = Decimal(1).scaleb(exponent if isinstance(exponent, int) else 0)
                services.values.record_actual(code, year, value.quantize(quantum), status=status)
        return [reader.kpi_detail(code) for code in codes]
    finally:
        db.close()


# ------------------------------------------------------------------ ours


def ours(details: Sequence, out: Path) -> Callable[[], None]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from aomori_desktop.charts.batch import kpi_file_name
    from aomori_desktop.charts.export import ExportFormat, ExportSettings, write_chart
    from aomori_desktop.charts.kpi_chart import KpiChart
    from aomori_desktop.ui.qt_setup import configure_application

    app = QApplication.instance() or QApplication([sys.argv[0]])
    configure_application(app)  # type: ignore[arg-type]
    settings = ExportSettings(dpi=DPI)
    chart = KpiChart(settings.style(ExportFormat.PNG))  # one chart, updated per KPI
    size = settings.size_for(chart)
    assert (size.width(), size.height()) == (1890, 1181), size

    def run() -> None:
        for detail in details:
            chart.set_data(detail)
            path = out / kpi_file_name(detail.code, detail.name, ExportFormat.PNG, "pyqtgraph")
            write_chart(chart, path, ExportFormat.PNG, size, detail.name)

    return run


# ------------------------------------------------------------------ matplotlib


def matplotlib_side(details: Sequence, out: Path) -> Callable[[], None]:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    from aomori_desktop.charts.kpi_chart import kpi_series
    from aomori_desktop.domain.fiscal import fy_label
    from aomori_desktop.domain.numbers import format_decimal
    from aomori_desktop.domain.plan import Direction
    from aomori_desktop.domain.progress import format_rate

    font_file = ROOT / "resources" / "fonts" / "BIZUDPGothic-Regular.ttf"
    font_manager.fontManager.addfont(str(font_file))
    font_manager.fontManager.addfont(str(font_file.with_name("BIZUDPGothic-Bold.ttf")))
    family = font_manager.FontProperties(fname=str(font_file)).get_name()
    matplotlib.rcParams.update({"font.family": family, "font.size": 9, "axes.unicode_minus": False})
    width_px, height_px = round(WIDTH_CM / 2.54 * DPI), round(HEIGHT_CM / 2.54 * DPI)

    def draw(detail) -> Figure:  # the same elements as KpiChart
        series = kpi_series(detail)
        fig = Figure(figsize=(width_px / DPI, height_px / DPI), dpi=DPI)  # 1890 × 1181 px
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0.09, 0.2, 0.86, 0.6))
        fig.text(0.01, 0.95, detail.name, fontsize=11.7, weight="bold")
        latest = series.latest
        if latest is not None and latest.actual is not None:
            status = (
                f"{latest.progress.grade.label}　{fy_label(latest.fiscal_year)} 実績 "
                f"{format_decimal(latest.actual)}{detail.unit}、達成率 "
                f"{format_rate(latest.progress.achievement_rate)}%、期待進捗率 "
                f"{format_rate(latest.progress.expected_rate)}%"
            )
        else:
            status = "評価不能（実績値が未入力です）"
        fig.text(0.01, 0.89, status, fontsize=9)
        fig.text(
            0.01, 0.83, f"（{detail.unit}{'・累計' if detail.cumulative else ''}）", fontsize=8
        )
        b_fy, b = series.baseline
        t_fy, t = series.target
        xs = [b_fy] + [p.fiscal_year for p in series.actuals]
        ys = [float(b)] + [float(p.value) for p in series.actuals]
        ax.plot(xs, ys, color="#1f5fbf", lw=1.4, label="実績値")
        finals = [p for p in series.actuals if not p.preliminary]
        prelims = [p for p in series.actuals if p.preliminary]
        ax.plot(
            [p.fiscal_year for p in finals],
            [float(p.value) for p in finals],
            "o",
            color="#1f5fbf",
            ms=6.75,
            label="実績値（確定）",
        )
        ax.plot(
            [p.fiscal_year for p in prelims],
            [float(p.value) for p in prelims],
            "o",
            mfc="white",
            color="#1f5fbf",
            ms=6.75,
            label="実績値（速報）",
        )
        ax.plot(
            [b_fy],
            [float(b)],
            "s",
            color="#595959",
            ms=6,
            label=f"基準値 {format_decimal(b)}{detail.unit}",
        )
        if series.level is not None:
            ax.axhline(float(series.level), color="#1b7f3b", ls="-.", lw=1.2, label="維持する水準")
            ax.axhspan(float(series.level), float(series.level) * 1.2 or 1, color="#e3f1e6")
        else:
            ax.plot(
                [x for x, _ in series.expected_path],
                [float(v) for _, v in series.expected_path],
                "--",
                color="#7f7f7f",
                lw=1.0,
                label="目標までの想定推移",
            )
            ax.plot(
                [t_fy],
                [float(t)],
                "*",
                color="#c62828",
                ms=11,
                label=f"目標値 {format_decimal(t)}{detail.unit}",
            )
            ax.annotate(
                format_decimal(t),
                (t_fy, float(t)),
                textcoords="offset points",
                xytext=(0, 8),
                ha="center",
                fontsize=7.2,
                color="#c62828",
            )
        for p in series.actuals:
            ax.annotate(
                format_decimal(p.value),
                (p.fiscal_year, float(p.value)),
                textcoords="offset points",
                xytext=(0, 6),
                ha="center",
                fontsize=7.2,
            )
        ax.set_xlim(series.first_year - 0.5, series.last_year + 0.5)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=12))
        ax.yaxis.set_major_locator(MaxNLocator(nbins=7, integer=series.integral))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.10g}"))
        ax.grid(axis="y", color="#d9d9d9", lw=0.7)
        ax.set_xlabel("（年度）", loc="right")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if detail.direction is Direction.DECREASE:
            ax.set_title("減少目標", loc="right", fontsize=8)
        ax.legend(
            loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, frameon=False, fontsize=8.1
        )
        return fig

    def run() -> None:
        for detail in details:
            fig = draw(detail)
            fig.savefig(out / f"{detail.code}_matplotlib.png", dpi=DPI)

    return run


# ------------------------------------------------------------------ main


def timed(run: Callable[[], None], rounds: int) -> list[float]:
    run()  # warm-up: imports, font loading, caches
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, help="keep the PNGs here (default: a temp folder)")
    args = parser.parse_args()
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print('matplotlib is missing: .venv/bin/pip install -e ".[bench]"', file=sys.stderr)
        return 2
    out = args.out or Path(tempfile.mkdtemp(prefix="chart-bench-out-"))
    out.mkdir(parents=True, exist_ok=True)
    details = load_details()
    n = len(details)
    ours_times = timed(ours(details, out), args.rounds)
    mpl_times = timed(matplotlib_side(details, out), args.rounds)

    from PySide6.QtGui import QImage

    sizes = {(QImage(str(p)).width(), QImage(str(p)).height()) for p in out.glob("*.png")}
    ours_per = statistics.median(ours_times) / n
    mpl_per = statistics.median(mpl_times) / n
    print(
        f"charts: {n} KPI charts, PNG {WIDTH_CM:g} × {HEIGHT_CM:g} cm at {DPI} dpi; sizes written: {sorted(sizes)}"
    )
    print(f"rounds: {args.rounds} (median of rounds; per-round seconds below)")
    print(
        f"  ours (pyqtgraph + Qt PNG): {ours_per:.4f} s/chart   rounds {[round(t, 3) for t in ours_times]}"
    )
    print(
        f"  matplotlib (Agg):          {mpl_per:.4f} s/chart   rounds {[round(t, 3) for t in mpl_times]}"
    )
    ratio = ours_per / mpl_per
    print(
        f"ratio ours / matplotlib: {ratio:.2f}  (goal ≤ 0.25: {'met' if ratio <= 0.25 else 'NOT met'})"
    )
    print(f"files: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
