"""What the window's start loads: opening an existing plan paints the tree without the chart
stack (pyqtgraph, numpy), the workbook reader (openpyxl) or the migrations (Alembic); each
loads with the first chart, workbook or upgrade (docs/PERFORMANCE.md). No timing here."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

DEFERRED = ("pyqtgraph", "numpy", "openpyxl", "alembic", "matplotlib")

SCRIPT = """
import json, sys, tempfile
from pathlib import Path
from PySide6.QtCore import QSettings
from aomori_desktop.ui.main_window import MainWindow
from aomori_desktop.ui.prompts import Prompts
from aomori_desktop.ui.qt_setup import create_application

app = create_application(sys.argv[:1])
settings = QSettings(str(Path(tempfile.mkdtemp()) / "s.ini"), QSettings.Format.IniFormat)
window = MainWindow(Prompts(), settings)
window.show()
assert window.open_database(sys.argv[1])
app.processEvents()
rows = window.tree_model.rowCount(window.tree_model.index(0, 0))
loaded = [m for m in {deferred!r} if m in sys.modules]
window.select_key("K01@1-1")  # a KPI page: its chart needs pyqtgraph
app.processEvents()
print(json.dumps({{"rows": rows, "at_start": loaded, "after_chart": "pyqtgraph" in sys.modules}}))
window.close()
"""


def test_opening_a_plan_defers_charts_workbooks_and_migrations(db_file: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(deferred=DEFERRED), str(db_file)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["rows"] == 5  # the five 戦略の柱 are in the tree
    assert result["at_start"] == []
    assert result["after_chart"] is True


FIRST_PAINT_SCRIPT = """
import json, sys, tempfile
from pathlib import Path
from PySide6.QtCore import QEvent, QEventLoop, QObject, QSettings
import aomori_desktop.cli
from aomori_desktop.ui.first_paint import show_and_open
from aomori_desktop.ui.main_window import MainWindow
from aomori_desktop.ui.prompts import Prompts
from aomori_desktop.ui.qt_setup import create_application

watched = {watched!r}
app = create_application(sys.argv[:1])
settings = QSettings(str(Path(tempfile.mkdtemp()) / "s.ini"), QSettings.Format.IniFormat)
window = MainWindow(Prompts(), settings)
seen = {{}}

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and "at_paint" not in seen:
            seen["at_paint"] = [m for m in watched if m in sys.modules]
            seen["rows"] = window.tree_model.rowCount(window.tree_model.index(0, 0))
        return False

spy = FirstPaint()
window.tree.viewport().installEventFilter(spy)
ready = []
seen["first"] = show_and_open(window, sys.argv[1], ready.append)
while not ready:
    app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)
seen["ready"] = ready
seen["after_ready"] = [m for m in watched if m in sys.modules]
print(json.dumps(seen))
window.close()
"""


def test_the_first_paint_comes_before_sqlalchemy_and_the_other_heavy_modules(
    db_file: Path,
) -> None:
    watched = ("sqlalchemy", *DEFERRED)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", FIRST_PAINT_SCRIPT.format(watched=watched), str(db_file)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["first"] is True  # painted from the first look
    assert result["rows"] == 5  # the five 戦略の柱, painted
    assert result["at_paint"] == []
    assert result["ready"] == [True]
    assert "sqlalchemy" in result["after_ready"]  # the full opening loaded it, after


ENTRY_SCRIPT = """
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
import aomori_desktop.ui.first_paint as first_paint
import aomori_desktop.ui.qt_setup as qt_setup
from aomori_desktop.cli import main

made = qt_setup.create_application
show_and_open = first_paint.show_and_open
seen = {}

def showing(window, target, on_ready=None):
    seen["first_paint"] = show_and_open(window, target, on_ready)
    return seen["first_paint"]

def create(argv):
    app = made(argv)

    def poll():
        windows = [w for w in QApplication.topLevelWidgets() if hasattr(w, "tree_model")]
        if windows and windows[0].document is not None:
            window = windows[0]
            model = window.tree_model
            seen["pillars"] = model.rowCount(model.index(0, 0))
            seen["page"] = type(window.stack.currentWidget()).__name__
            window.close()
            return
        QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)
    return app

qt_setup.create_application = create
first_paint.show_and_open = showing
code = main([])
print(json.dumps({"code": code, **seen}))
"""


def test_the_application_opens_its_default_database_on_the_first_and_the_next_start(
    tmp_path: Path,
) -> None:
    """`aomori-desktop` without --db: the first start creates the default database (the
    normal opening), the next one paints it from the first look; both end with the plan
    overview of the opened database."""
    home = tmp_path / "home"
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        PYTHONPATH=str(ROOT),
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_STATE_HOME=str(home / "state"),
    )
    painted_first = []
    for _start in range(2):
        done = subprocess.run(
            [sys.executable, "-c", ENTRY_SCRIPT],
            capture_output=True,
            text=True,
            timeout=300,
            env=env,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        result = json.loads(done.stdout.strip().splitlines()[-1])
        assert result["code"] == 0
        assert result["pillars"] == 5
        assert result["page"] == "OverviewPage"
        painted_first.append(result["first_paint"])
    assert painted_first == [False, True]  # created the normal way, then painted first
    assert list((home / "data").rglob("*.sqlite3"))  # the default database was created
