"""Every performance figure of the application, each beside its anchor measured in the same run.

    .venv/bin/python benchmarks/run.py            # the full run: 500, 5,000 and 50,000 KPIs
    .venv/bin/python benchmarks/run.py --quick    # fewer repetitions, 500 and 5,000 KPIs

Prints one table (figure, measured, anchor, ratio, goal) and writes it, with the growth from
500 to 5,000 to 50,000 KPIs, into docs/PERFORMANCE.md between the `benchmark` markers (the
prose around them is kept). Needs the bench extra (matplotlib, the chart anchor).

How each figure is taken (docs/PERFORMANCE.md says why):

* start-up: process start until the window is shown, the tree populated and painted and the
  first event-loop turn done, in a fresh interpreter, against a bare PySide6 main window with
  a tree view started the same way; the two alternate, and the median of each counts.
  Bytecode is cached (under the temp folder) as it is in the installed application. Beside
  it, "編集可能まで": until the full opening after the first paint is done (ui/first_paint.py).
* selection, edit, change of fiscal year, peak memory: one window process on the plan, driven
  through the same calls a click or a typed value makes (`select_key`, the yearly table's
  `setData`, the year combo box), each timed until the events it caused are processed.
* chart batch: the 16 default KPI charts as PNG at Word full width and 300 dpi through the
  batch exporter, alternating with matplotlib (Agg) drawing the same charts at the same size.
* JSON import: `aomori-desktop import json` in a fresh process, alternating with a process
  that only parses the file with `json.loads` and bulk-inserts its rows with SQLAlchemy Core;
  time, and peak memory above what the process held before reading the file.

The synthetic plans are built once and cached (benchmarks/plans.py). This is a benchmark, not
a test: on a shared machine compare the ratios of one run, not absolute times across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for entry in (str(ROOT), str(BENCH)):
    if entry not in sys.path:
        sys.path.insert(0, entry)

import plans  # noqa: E402  (benchmarks/plans.py, after the path is set)

MAX_IMPORT_BYTES = 200_000_000  # what `aomori-desktop import json` accepts
BEGIN, END = "<!-- benchmark:begin -->", "<!-- benchmark:end -->"


# ====================================================================== measured processes


def _rss_kb() -> int:
    """Resident memory of this process now (kB)."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def _peak_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _emit(result: dict[str, Any]) -> None:
    print(json.dumps(result), flush=True)


class _PaintCounter:
    """Counts paint events of a widget: the proof that the tree was drawn, not only shown."""

    def __init__(self, widget: Any, on_first: Callable[[], None] | None = None) -> None:
        from PySide6.QtCore import QEvent, QObject

        counter = self

        class Filter(QObject):
            def eventFilter(self, watched: Any, event: Any) -> bool:
                if event.type() == QEvent.Type.Paint:
                    counter.count += 1
                    if counter.count == 1 and counter.on_first is not None:
                        counter.on_first()
                return False

        self.count = 0
        self.on_first = on_first
        self._filter = Filter()
        widget.installEventFilter(self._filter)


def _until_painted(app: Any, painted: _PaintCounter) -> float:
    """Turn the event loop until the tree has been painted once, then once more; the time.

    Both the bare window and the application end the same way: the first paint of the tree
    view posts the loop's end, so the turn that painted finishes first (10 s at most). A
    local loop: `QApplication.quit()` would also close the windows."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    if painted.count == 0:
        painted.on_first = lambda: QTimer.singleShot(0, loop.quit)
        QTimer.singleShot(10_000, loop.quit)
    else:
        QTimer.singleShot(0, loop.quit)
    loop.exec()
    painted.on_first = None
    return time.time()


def _first_turn(app: Any) -> float:
    """Let the event loop turn once."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(0, loop.quit)
    loop.exec()
    return time.time()


def child_start_bare() -> None:
    """The anchor: a bare PySide6 main window with a tree view holding a few rows."""
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QApplication, QMainWindow, QTreeView

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    tree = QTreeView()
    model = QStandardItemModel()
    root = QStandardItem("計画")
    model.appendRow(root)
    for number in range(1, 6):
        root.appendRow(QStandardItem(f"戦略の柱 {number}"))
    tree.setModel(model)
    tree.expandAll()
    window.setCentralWidget(tree)
    window.resize(1400, 900)
    painted = _PaintCounter(tree.viewport())
    window.show()
    ready = _until_painted(app, painted)
    _emit(
        {"ready": ready, "painted": painted.count, "rows": model.rowCount(), "peak_kb": _peak_kb()}
    )


class _Opening:
    """When the window's full opening was done (`ui.first_paint.show_and_open`'s `on_ready`)."""

    def __init__(self, db: str) -> None:
        self.db = db
        self.done_at: float | None = None
        self.opened = False

    def __call__(self, opened: bool) -> None:
        self.done_at = time.time()
        self.opened = opened

    def wait(self) -> float:
        """Turn the event loop until the window accepts edits; the time it did. (A prompt,
        such as the file being in use by another process, would wait here for good: the
        child's timeout ends it.)"""
        from PySide6.QtCore import QEventLoop

        while self.done_at is None:
            QEventLoop().processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)
        if not self.opened:
            raise SystemExit(f"could not open {self.db}")
        return self.done_at


def _open_window(db: str) -> tuple[Any, Any, _PaintCounter, _Opening]:
    """The steps of `aomori-desktop` (cli.main → ui.app.run_gui): the window shown on the
    plan; its full opening may still follow the first paint (`_Opening.wait`)."""
    import aomori_desktop.cli  # noqa: F401  (the entry point's own imports count)
    from aomori_desktop.ui.first_paint import show_and_open
    from aomori_desktop.ui.main_window import MainWindow
    from aomori_desktop.ui.prompts import Prompts
    from aomori_desktop.ui.qt_setup import create_application

    app = create_application(sys.argv[:1])
    window = MainWindow(Prompts())
    painted = _PaintCounter(window.tree.viewport())
    opening = _Opening(db)
    show_and_open(window, db, opening)
    return app, window, painted, opening


def child_start_app(db: str) -> None:
    app, window, painted, opening = _open_window(db)
    ready = _until_painted(app, painted)
    rows = window.tree_model.rowCount(window.tree_model.index(0, 0))
    sqlalchemy_at_paint = "sqlalchemy" in sys.modules
    editable = opening.wait()
    _emit(
        {
            "ready": ready,
            "editable": editable,
            "sqlalchemy_at_paint": sqlalchemy_at_paint,
            "painted": painted.count,
            "rows": rows,
            "peak_kb": _peak_kb(),
        }
    )
    window.close()


def _timed(run: Callable[[], None], app: Any) -> float:
    start = time.perf_counter()
    run()
    app.processEvents()
    return time.perf_counter() - start


def child_session(db: str, switches: int, edits: int, years: int) -> None:
    """One window on the plan: KPI switches, yearly edits, fiscal-year changes, every page."""
    from aomori_desktop.services.dto import NodeKind
    from aomori_desktop.ui.year_table import COL_ACTUAL

    app, window, _painted, opening = _open_window(db)
    opening.wait()
    _first_turn(app)
    model = window.tree_model
    keys = [key for key, item in model._by_key.items() if item.node.kind is NodeKind.KPI]
    rng = random.Random(7)
    sample = [rng.choice(keys) for _ in range(switches)]
    switch_times = []
    for key in sample:
        switch_times.append(_timed(lambda k=key: window.select_key(k), app))
        detail = window.kpi_page.detail
        assert detail is not None and detail.code == key.code, key
        assert window.kpi_page.chart_panel is not None

    # one yearly value typed into the table: tree badge, page and chart refreshed
    page = window.kpi_page
    edit_times = []
    row = 1  # 令和7(2025)年度
    for i in range(edits):
        before = page.detail
        assert before is not None
        value = before.target if i % 2 == 0 else before.baseline
        index = page.table_model.index(row, COL_ACTUAL)
        edit_times.append(
            _timed(lambda ix=index, v=value: page.table_model.setData(ix, str(v)), app)
        )
        after = page.detail
        assert after is not None and after.years[row].actual == value, "edit not shown"

    # change of fiscal year with the plan overview shown: every KPI graded again and shown
    window.select_key("plan")
    app.processEvents()
    year_times = []
    combo = window.year_combo
    for i in range(years):
        target = (combo.currentIndex() + 1 + i % 3) % combo.count()
        year_times.append(_timed(lambda t=target: combo.setCurrentIndex(t), app))
        assert window.overview_page is not None
        assert window.overview_page.kpi_model.rowCount() > 0

    # every page once: plan overview with its charts, a pillar, a measure, a project, the
    # bulk entry and the history window
    visits: dict[str, float] = {}
    overview = window.overview_page
    assert overview is not None
    visits["概要のグラフ"] = _timed(
        lambda: overview.tabs.setCurrentWidget(overview.charts_tab), app
    )
    overview.tabs.setCurrentIndex(0)
    visits["戦略の柱"] = _timed(lambda: window.select_key("1"), app)
    visits["共創施策"] = _timed(lambda: window.select_key("1-1"), app)
    visits["共創プロジェクト"] = _timed(lambda: window.select_key("1-1-1"), app)
    visits["一括入力"] = _timed(window.show_bulk_entry, app)
    window.select_key(sample[0])
    app.processEvents()
    visits["変更履歴"] = _timed(window.show_history, app)
    _emit(
        {
            "kpis": len({k.code for k in keys}),
            "listings": len(keys),
            "switch": switch_times,
            "edit": edit_times,
            "year": year_times,
            "visits": visits,
            "peak_kb": _peak_kb(),
        }
    )
    window.close()


def child_charts(rounds: int, out: str) -> None:
    """16 KPI charts through the batch exporter, alternating with matplotlib."""
    import chart_export_benchmark as cb

    from aomori_desktop.charts.batch import KpiChartBatch
    from aomori_desktop.charts.export import ExportFormat, ExportSettings
    from aomori_desktop.ui.qt_setup import create_application

    create_application(sys.argv[:1])
    details = {d.code: d for d in cb.load_details()}
    folder = Path(out)
    settings = ExportSettings(dpi=cb.DPI)

    def ours() -> None:
        batch = KpiChartBatch(
            list(details), details.__getitem__, folder, settings, ExportFormat.PNG
        )
        result = batch.run()
        assert len(result.written) == len(details), result.summary

    matplotlib_run = cb.matplotlib_side(list(details.values()), folder)
    ours()  # warm-up: imports, fonts, caches
    matplotlib_run()
    ours_times, mpl_times = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        ours()
        ours_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        matplotlib_run()
        mpl_times.append(time.perf_counter() - start)
    from PySide6.QtGui import QImage

    sizes = sorted(
        {(QImage(str(p)).width(), QImage(str(p)).height()) for p in folder.glob("*.png")}
    )
    _emit({"charts": len(details), "ours": ours_times, "matplotlib": mpl_times, "sizes": sizes})


def child_import_app(source: str, target: str) -> None:
    """`aomori-desktop import json FILE --db TARGET` (an empty database) in this process."""
    import contextlib
    import io

    from aomori_desktop import cli

    before = _rss_kb()
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        status = cli.main(["import", "json", source, "--db", target])
    elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"import failed with status {status}")
    _emit({"seconds": elapsed, "memory_kb": _peak_kb() - before, "rows": _count_rows(target)})


def child_import_anchor(source: str, target: str) -> None:
    """The floor: json.loads of the file plus one SQLAlchemy Core bulk insert of its rows."""
    from anchors import bulk_insert_plan

    from aomori_desktop.store.engine import make_engine, to_url

    engine = make_engine(to_url(target), foreign_keys=True, busy_timeout=5.0)
    before = _rss_kb()
    start = time.perf_counter()
    with open(source, encoding="utf-8") as f:
        document = json.loads(f.read())
    bulk_insert_plan(engine, document)
    elapsed = time.perf_counter() - start
    engine.dispose()
    _emit({"seconds": elapsed, "memory_kb": _peak_kb() - before, "rows": _count_rows(target)})


def _count_rows(db: str) -> dict[str, int]:
    import sqlite3

    con = sqlite3.connect(db)
    try:
        return {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("kpi", "kpi_year", "audit_log", "project_year")
        }
    finally:
        con.close()


CHILDREN: dict[str, Callable[..., None]] = {
    "start-bare": child_start_bare,
    "start-app": child_start_app,
    "session": lambda db, s, e, y: child_session(db, int(s), int(e), int(y)),
    "charts": lambda rounds, out: child_charts(int(rounds), out),
    "import-app": child_import_app,
    "import-anchor": child_import_anchor,
}


# ====================================================================== the parent


def _child_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # the installed application has its bytecode
    env.update(
        QT_QPA_PLATFORM="offscreen",
        QT_LOGGING_RULES="qt.qpa.*=false",
        PYTHONPYCACHEPREFIX=str(plans.cache_dir() / "pycache"),
        PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        # settings, logs and the default database of the measured processes stay here
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_STATE_HOME=str(home / "state"),
        MPLCONFIGDIR=str(plans.cache_dir() / "matplotlib"),  # its font list, built once
    )
    return env


class Runner:
    def __init__(self, home: Path, verbose: bool) -> None:
        self.env = _child_env(home)
        self.verbose = verbose

    def child(
        self, name: str, *args: object, timeout: float = 1800
    ) -> tuple[dict[str, Any], float]:
        """Run a measured process; returns its JSON result and the wall time it was started at."""
        command = [sys.executable, str(Path(__file__)), "--child", name, *map(str, args)]
        started = time.time()
        done = subprocess.run(
            command, env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )
        lines = done.stdout.strip().splitlines()
        if done.returncode != 0 or not lines:
            raise RuntimeError(
                f"{name} failed ({done.returncode}):\n{done.stderr[-3000:]}\n{done.stdout[-1000:]}"
            )
        if self.verbose:
            print(f"    {name}: {lines[-1][:160]}", file=sys.stderr)
        return json.loads(lines[-1]), started


@dataclass
class Row:
    figure: str
    measured: str
    anchor: str
    ratio: str
    goal: str
    met: bool | None  # None: not measured here


@dataclass
class Scale:
    kpis: int
    values: dict[str, str] = field(default_factory=dict)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def start_ratio(runner: Runner, db: Path, runs: int) -> dict[str, Any]:
    """Alternating starts of the bare window and the application; medians and their ratio."""
    bare: list[float] = []
    app: list[float] = []
    editable: list[float] = []
    peaks = []
    for _ in range(runs):
        result, started = runner.child("start-bare")
        assert result["painted"] > 0, "bare window not painted"
        bare.append(result["ready"] - started)
        result, started = runner.child("start-app", db)
        assert result["painted"] > 0 and result["rows"] > 0, "tree not populated and painted"
        app.append(result["ready"] - started)
        editable.append(result["editable"] - started)
        peaks.append(result["peak_kb"])
    return {
        "bare": statistics.median(bare),
        "app": statistics.median(app),
        "ratio": statistics.median(app) / statistics.median(bare),
        # the first paint comes before the full opening: until then nothing can be edited
        "editable": statistics.median(editable),
        "editable_ratio": statistics.median(editable) / statistics.median(bare),
        "bare_all": bare,
        "app_all": app,
        "peak_mb": max(peaks) / 1024,
    }


def import_ratio(runner: Runner, kpis: int, runs: int) -> dict[str, Any] | None:
    source = plans.plan_json(kpis)
    size = source.stat().st_size
    if size > MAX_IMPORT_BYTES:
        return {"refused": True, "size": size}
    empty = plans.empty_database()
    work = Path(tempfile.mkdtemp(prefix="aomori-bench-import-"))
    ours, anchor, ours_mem, anchor_mem = [], [], [], []
    try:
        for run in range(runs):
            for side in ("import-app", "import-anchor"):
                target = work / f"{side}-{run}.sqlite3"
                shutil.copy(empty, target)
                result, _ = runner.child(side, source, target)
                (ours if side == "import-app" else anchor).append(result["seconds"])
                (ours_mem if side == "import-app" else anchor_mem).append(result["memory_kb"])
                if side == "import-app":
                    rows_app = result["rows"]
                else:
                    assert result["rows"] == rows_app, (result["rows"], rows_app)
                target.unlink()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "refused": False,
        "size": size,
        "ours": statistics.median(ours),
        "anchor": statistics.median(anchor),
        "ratio": statistics.median(ours) / statistics.median(anchor),
        "memory": statistics.median(ours_mem) * 1024,
        "anchor_memory": statistics.median(anchor_mem) * 1024,
    }


def _mb(n: float) -> str:
    return f"{n / 1_000_000:.0f} MB"


def measure(args: argparse.Namespace) -> tuple[list[Row], list[Scale], dict[str, str]]:
    home = Path(tempfile.mkdtemp(prefix="aomori-bench-home-"))
    runner = Runner(home, args.verbose)
    load_before = os.getloadavg()
    started = time.time()
    size = args.kpis
    sizes = sorted(set(args.sizes) | {size})
    log = print if args.verbose else (lambda *_a, **_k: None)

    print("preparing plans (cached after the first run) …", file=sys.stderr)
    default_db = plans.default_database()
    dbs = {n: plans.plan_database(n) for n in sizes}
    for n in sizes:
        plans.plan_json(n)
    plans.empty_database()
    print("warming up (bytecode cache, file cache) …", file=sys.stderr)
    runner.child("start-bare")
    runner.child("start-app", default_db)
    runner.child("start-app", dbs[size])

    rows: list[Row] = []
    scales = {n: Scale(n) for n in sizes}

    print("start-up, default plan …", file=sys.stderr)
    s = start_ratio(runner, default_db, args.runs)
    log(s, file=sys.stderr)
    rows.append(
        Row(
            "起動（既定の計画）: プロセス開始からツリー表示・描画まで",
            f"{s['app']:.2f} s（編集可能まで {s['editable']:.2f} s、{s['editable_ratio']:.1f}×）",
            f"素の PySide6 ウィンドウ {s['bare']:.2f} s",
            f"{s['ratio']:.1f}×",
            "≤ 3×",
            s["ratio"] <= 3,
        )
    )
    session: dict[int, dict[str, Any]] = {}
    imports: dict[int, dict[str, Any] | None] = {}
    for n in sizes:
        print(f"{n:,} KPIs: start-up …", file=sys.stderr)
        st = start_ratio(runner, dbs[n], args.runs if n == size else max(1, args.runs // 2))
        scales[n].values["start"] = f"{st['app']:.2f} s ({st['ratio']:.1f}×)"
        if n == size:
            rows.append(
                Row(
                    f"起動（{n:,} KPI × 10年度、コメント・変更履歴つき）",
                    f"{st['app']:.2f} s（編集可能まで {st['editable']:.2f} s、"
                    f"{st['editable_ratio']:.1f}×）",
                    f"素の PySide6 ウィンドウ {st['bare']:.2f} s",
                    f"{st['ratio']:.1f}×",
                    "≤ 4×",
                    st["ratio"] <= 4,
                )
            )
        print(f"{n:,} KPIs: selection, edits, fiscal year, every page …", file=sys.stderr)
        switches = args.switches if n == size else max(10, args.switches // 3)
        edits, years = (args.edits, args.years) if n == size else (10, 3)
        result, _ = runner.child("session", dbs[n], switches, edits, years)
        session[n] = result
        scales[n].values["switch"] = (
            f"{_ms(statistics.median(result['switch']))} / p95 {_ms(_p95(result['switch']))}"
        )
        scales[n].values["first"] = _ms(result["switch"][0])
        scales[n].values["edit"] = _ms(statistics.median(result["edit"]))
        scales[n].values["year"] = _ms(statistics.median(result["year"]))
        scales[n].values["peak"] = f"{result['peak_kb'] / 1024:.0f} MB"
        for page, seconds in result["visits"].items():
            scales[n].values[f"visit:{page}"] = _ms(seconds)
        print(f"{n:,} KPIs: JSON import …", file=sys.stderr)
        imp = import_ratio(runner, n, args.import_runs if n == size else 1)
        imports[n] = imp
        if imp is None or imp["refused"]:
            scales[n].values["import"] = (
                f"取り込み上限超（ファイル {_mb(imp['size'])}）" if imp else "−"
            )
        else:
            scales[n].values["import"] = (
                f"{imp['ours']:.1f} s ({imp['ratio']:.1f}×)、メモリ {_mb(imp['memory'])} "
                f"({imp['memory'] / imp['size']:.1f}× ファイル {_mb(imp['size'])})"
            )

    main = session[size]
    sw = main["switch"]
    rows.append(
        Row(
            f"KPIの選択切替（フォーム・年度表・グラフ）{size:,} KPI",
            f"中央値 {_ms(statistics.median(sw))}、p95 {_ms(_p95(sw))}（{len(sw)}回）",
            "−",
            "−",
            "中央値 ≤ 16 ms、p95 ≤ 40 ms",
            statistics.median(sw) <= 0.016 and _p95(sw) <= 0.040,
        )
    )
    ed = main["edit"]
    rows.append(
        Row(
            f"年度の値を1つ入力 → バッジ・ページ・グラフ更新、{size:,} KPI",
            f"中央値 {_ms(statistics.median(ed))}（{len(ed)}回）",
            "−",
            "−",
            "中央値 ≤ 30 ms",
            statistics.median(ed) <= 0.030,
        )
    )
    yr = main["year"]
    rows.append(
        Row(
            f"評価年度の切替 → 全KPIの評価を再計算・表示（計画の概要）、{size:,} KPI",
            f"中央値 {_ms(statistics.median(yr))}（{len(yr)}回）",
            "−",
            "−",
            "≤ 100 ms",
            statistics.median(yr) <= 0.100,
        )
    )
    print("chart batch export against matplotlib …", file=sys.stderr)
    out = Path(tempfile.mkdtemp(prefix="aomori-bench-charts-"))
    try:
        charts, _ = runner.child("charts", args.chart_rounds, out)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    ours = statistics.median(charts["ours"])
    mpl = statistics.median(charts["matplotlib"])
    rows.append(
        Row(
            f"グラフ一括書き出し {charts['charts']}件 PNG Word全幅 300 dpi {charts['sizes'][0][0]}×{charts['sizes'][0][1]}",
            f"{ours:.2f} s",
            f"matplotlib {mpl:.2f} s",
            f"{ours / mpl:.2f}×",
            "≤ 0.25×",
            ours / mpl <= 0.25,
        )
    )
    imp = imports[size]
    if imp is None or imp["refused"]:
        rows.append(Row(f"JSON取り込み {size:,} KPI", "取り込み上限超", "−", "−", "≤ 3×", None))
    else:
        rows.append(
            Row(
                f"JSON取り込み {size:,} KPI（ファイル {_mb(imp['size'])}）: 時間",
                f"{imp['ours']:.1f} s",
                f"json.loads + Core 一括挿入 {imp['anchor']:.1f} s",
                f"{imp['ratio']:.1f}×",
                "≤ 3×",
                imp["ratio"] <= 3,
            )
        )
        rows.append(
            Row(
                f"JSON取り込み {size:,} KPI: メモリ（読む前からの増分の最大）",
                _mb(imp["memory"]),
                f"ファイル {_mb(imp['size'])}（json.loads + Core {_mb(imp['anchor_memory'])}）",
                f"{imp['memory'] / imp['size']:.1f}×",
                "≤ 3× ファイル",
                imp["memory"] <= 3 * imp["size"],
            )
        )
    rows.append(
        Row(
            f"最大メモリ {size:,} KPI、全ページを1回ずつ表示",
            f"{main['peak_kb'] / 1024:.0f} MB",
            "−",
            "−",
            "≤ 250 MB",
            main["peak_kb"] / 1024 <= 250,
        )
    )
    load_after = os.getloadavg()
    context = {
        "date": datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "commit": _commit(),
        "python": platform.python_version(),
        "qt": _versions(),
        "cpus": str(os.cpu_count()),
        "load": f"{load_before[0]:.2f} / {load_before[1]:.2f} / {load_before[2]:.2f} → "
        f"{load_after[0]:.2f} / {load_after[1]:.2f} / {load_after[2]:.2f}",
        "minutes": f"{(time.time() - started) / 60:.1f}",
        "mode": "--quick" if args.quick else "full",
        "runs": str(args.runs),
    }
    shutil.rmtree(home, ignore_errors=True)
    return rows, [scales[n] for n in sizes], context


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def _versions() -> str:
    try:
        import PySide6
        import sqlalchemy

        return f"PySide6 {PySide6.__version__}, SQLAlchemy {sqlalchemy.__version__}"
    except ImportError:
        return "?"


SCALE_ROWS = (
    ("start", "起動（素のウィンドウ比）"),
    ("switch", "KPIの選択切替 中央値 / p95"),
    ("first", "最初のKPI選択（グラフ部品の読み込みを含む）"),
    ("edit", "年度の値を1つ入力"),
    ("year", "評価年度の切替（計画の概要）"),
    ("visit:概要のグラフ", "概要のグラフタブ"),
    ("visit:戦略の柱", "戦略の柱の概要"),
    ("visit:共創施策", "共創施策の概要"),
    ("visit:共創プロジェクト", "共創プロジェクト"),
    ("visit:一括入力", "一括入力ウィンドウ"),
    ("visit:変更履歴", "変更履歴ウィンドウ"),
    ("import", "JSON取り込み（anchor 比）、メモリ"),
    ("peak", "最大メモリ（全ページ表示後）"),
)


def render(rows: list[Row], scales: list[Scale], context: dict[str, str]) -> str:
    def mark(met: bool | None) -> str:
        return "−" if met is None else ("達成" if met else "**未達**")

    lines = [
        f"Measured {context['date']} on commit {context['commit']} ({context['mode']}, "
        f"{context['runs']} alternating starts per figure), Python {context['python']}, "
        f"{context['qt']}, {context['cpus']} CPUs; load average (1/5/15 min) "
        f"{context['load']}; {context['minutes']} min.",
        "",
        "| figure | measured | anchor (same run) | ratio | goal | |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.figure} | {r.measured} | {r.anchor} | {r.ratio} | {r.goal} | {mark(r.met)} |"
        for r in rows
    ]
    lines += [
        "",
        "How the costs grow with the size of the plan (same run):",
        "",
        "| figure | " + " | ".join(f"{s.kpis:,} KPI" for s in scales) + " |",
        "|---|" + "---|" * len(scales),
    ]
    for key, label in SCALE_ROWS:
        if any(key in s.values for s in scales):
            lines.append(
                f"| {label} | " + " | ".join(s.values.get(key, "−") for s in scales) + " |"
            )
    return "\n".join(lines) + "\n"


def write_document(path: Path, table: str) -> None:
    """Replace what stands between the markers (the prose around it stays)."""
    block = f"{BEGIN}\n{table}{END}"
    if path.exists():
        text = path.read_text(encoding="utf-8")
        if BEGIN in text and END in text:
            head, _, rest = text.partition(BEGIN)
            _, _, tail = rest.partition(END)
            path.write_text(head + block + tail, encoding="utf-8")
            return
        path.write_text(text.rstrip("\n") + "\n\n" + block + "\n", encoding="utf-8")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# Performance\n\n{block}\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="fewer repetitions, 500 and 5,000 KPIs"
    )
    parser.add_argument("--kpis", type=int, default=5000, help="the size of the main table's plan")
    parser.add_argument("--sizes", help="plan sizes for the growth table (default 500,5000,50000)")
    parser.add_argument("--runs", type=int, help="alternating starts per start-up figure")
    parser.add_argument("--switches", type=int, help="KPI selections timed")
    parser.add_argument("--edits", type=int, default=30)
    parser.add_argument("--years", type=int, default=9)
    parser.add_argument("--import-runs", type=int)
    parser.add_argument("--chart-rounds", type=int)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "PERFORMANCE.md")
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        name, *rest = args.child
        CHILDREN[name](*rest)
        return 0
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print('matplotlib is missing: .venv/bin/pip install -e ".[bench]"', file=sys.stderr)
        return 2
    quick = args.quick
    args.sizes = (
        [int(s) for s in args.sizes.split(",")]
        if args.sizes
        else ([500, 5000] if quick else [500, 5000, 50000])
    )
    args.runs = args.runs or (3 if quick else 7)
    args.switches = args.switches or (60 if quick else 300)
    args.import_runs = args.import_runs or (1 if quick else 3)
    args.chart_rounds = args.chart_rounds or (2 if quick else 5)
    rows, scales, context = measure(args)
    table = render(rows, scales, context)
    print(table)
    if not args.no_write:
        write_document(args.out, table)
        print(f"written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
