"""Drive the real window offscreen through a stream of edits, for the kill tests.

    python scripts/kill_driver.py --db PATH --seed N [--cycle C]

Opens `MainWindow` on the database exactly as `aomori-desktop --db PATH` does, then repeats,
until killed: type a value into the KPI page's yearly table, paste a block there (Ctrl+V), or
paste a column of 16 values into 年度実績一括入力. Every value is unique (cycle, step, cell).

Printed on stdout, one JSON object a line, flushed at once:
    {"event": "opened", "read_only": false}        the window is ready
    {"event": "begin", "op": {...}}                an edit is about to be made
    {"event": "saved", "op": {...}}                the window showed it as saved: the cells
                                                   show the values and no message refused them
    {"event": "refused", "op": {...}, "why": "..."} the window said it was not saved
    {"event": "stored-though-refused", ...}        ...but the file holds it (a defect)

`scripts/killtest.py` kills this process at random moments and checks that every "saved" edit
is in the file, and that the one edit in flight is there whole or not at all.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

KPIS = [f"K{n:02d}" for n in range(1, 17)]
YEARS = list(range(2024, 2034))


def emit(event: str, **fields: Any) -> None:
    sys.stdout.write(json.dumps({"event": event, **fields}, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cycle", type=int, default=0)
    parser.add_argument("--steps", type=int, default=0, help="stop after N edits (0: never)")
    args = parser.parse_args()
    return run(args.db, seed=args.seed, cycle=args.cycle, steps=args.steps)


def run(db: str, *, seed: int, cycle: int, steps: int = 0) -> int:
    """The window on `db`, driven through `steps` edits (0: until killed)."""
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtGui import QGuiApplication, QKeySequence
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QDialog, QLineEdit, QWidget

    from aomori_desktop.ui.bulk_entry import open_bulk_entry
    from aomori_desktop.ui.main_window import MainWindow
    from aomori_desktop.ui.prompts import Prompts
    from aomori_desktop.ui.qt_setup import create_application
    from aomori_desktop.ui.year_table import COL_ACTUAL

    class AnsweringPrompts(Prompts):
        """What an officer would answer, without modal dialogs: read-only opening refused
        (the driver must edit), plausibility questions answered yes; errors collected."""

        def __init__(self) -> None:
            self.errors: list[str] = []

        def error(self, parent: QWidget | None, message: str) -> None:
            self.errors.append(message)

        def info(self, parent: QWidget | None, message: str) -> None:
            pass

        def confirm(self, parent: QWidget | None, message: str) -> bool:
            return True

        def run_dialog(self, dialog: QDialog) -> bool:
            message = getattr(dialog, "message", None)  # e.g. who holds the file
            self.errors.append(message.text() if message is not None else dialog.windowTitle())
            return False

    app = create_application(sys.argv[:1])
    settings_file = Path(db).with_name(".kill-driver-settings.ini")
    prompts = AnsweringPrompts()
    window = MainWindow(prompts, QSettings(str(settings_file), QSettings.Format.IniFormat))
    window.resize(1400, 900)
    window.show()
    if not window.open_or_create_database(db):
        emit("failed", why=" / ".join(prompts.errors))
        return 2
    app.processEvents()
    emit("opened", read_only=bool(window.db and window.db.read_only))
    rng = random.Random(seed)
    document = window.document
    assert document is not None

    def value(step: int, cell: int) -> str:
        return f"{cycle}{step:04d}{cell:02d}"

    def page_for(kpi: str) -> Any:
        key = next(k for k in _kpi_keys(window) if k.code == kpi)
        window.select_key(key)
        app.processEvents()
        return window.kpi_page

    def shown(page: Any, row: int) -> str:
        model = page.table_model
        return str(model.data(model.index(row, COL_ACTUAL)) or "").replace(",", "")

    def click(table: Any, row: int, column: int) -> None:
        """Select one cell as the user does: a click on it (clears any other selection)."""
        index = table.model().index(row, column)
        table.scrollTo(index)
        app.processEvents()
        QTest.mouseClick(
            table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualRect(index).center()
        )
        app.processEvents()

    def judged(op: dict[str, Any], ok: bool, why: str, seen: list[str]) -> dict[str, Any]:
        """The outcome the window showed, checked against the file: an edit the window said
        was not saved must not be in it either."""
        if ok:
            return {"event": "saved", "op": op}
        stored = []
        for kpi, fy, _value in op["cells"]:
            year = document.services.queries.kpi_detail(kpi).year(fy)
            stored.append(str(year.actual) if year and year.actual is not None else "")
        if stored == [c[2] for c in op["cells"]]:
            return {"event": "stored-though-refused", "op": op, "why": why, "shown": seen}
        return {"event": "refused", "op": op, "why": why, "shown": seen, "stored": stored}

    def typed(step: int) -> dict[str, Any]:
        kpi, row = rng.choice(KPIS), rng.randrange(len(YEARS))
        op = {"kind": "type", "cells": [[kpi, YEARS[row], value(step, 0)]]}
        emit("begin", op=op)
        page = page_for(kpi)
        table = page.table
        click(table, row, COL_ACTUAL)
        table.edit(table.model().index(row, COL_ACTUAL))
        editor = next(e for e in table.findChildren(QLineEdit) if e.isVisible())
        editor.selectAll()
        QTest.keyClicks(editor, op["cells"][0][2])
        QTest.keyClick(editor, Qt.Key.Key_Return)
        app.processEvents()
        seen = [shown(page, row)]
        ok = seen == [op["cells"][0][2]] and not page.pending_input()
        return judged(op, ok, page.table_message.text(), seen)

    def pasted(step: int) -> dict[str, Any]:
        kpi, row = rng.choice(KPIS), rng.randrange(len(YEARS) - 2)
        cells = [[kpi, YEARS[row + i], value(step, i)] for i in range(3)]
        op = {"kind": "paste", "cells": cells}
        emit("begin", op=op)
        page = page_for(kpi)
        table = page.table
        click(table, row, COL_ACTUAL)
        QGuiApplication.clipboard().setText("".join(f"{c[2]}\r\n" for c in cells))
        QTest.keySequence(table, QKeySequence.StandardKey.Paste)
        app.processEvents()
        seen = [shown(page, row + i) for i in range(len(cells))]
        return judged(op, seen == [c[2] for c in cells], page.table_message.text(), seen)

    def bulk(step: int) -> dict[str, Any]:
        fy = rng.choice(YEARS)
        cells = [[kpi, fy, value(step, i)] for i, kpi in enumerate(KPIS)]
        op = {"kind": "bulk", "cells": cells}
        emit("begin", op=op)
        window.year_combo.setCurrentIndex(YEARS.index(fy))
        entry = open_bulk_entry(window, document)
        entry.set_fiscal_year(fy)
        app.processEvents()
        model = entry.model
        click(entry.table, model.line_of("K01", None), _bulk_actual_column())
        QGuiApplication.clipboard().setText("".join(f"{c[2]}\r\n" for c in cells))
        QTest.keySequence(entry.table, QKeySequence.StandardKey.Paste)
        app.processEvents()
        col = _bulk_actual_column()
        seen = [
            str(model.data(model.index(model.line_of(c[0], None), col)) or "").replace(",", "")
            for c in cells
        ]
        why = entry.message.text() if entry.message.isVisible() else ""
        entry.close()
        app.processEvents()
        return judged(op, seen == [c[2] for c in cells], why, seen)

    step = 0
    while not steps or step < steps:
        step += 1
        kind = rng.random()
        done = typed(step) if kind < 0.55 else pasted(step) if kind < 0.85 else bulk(step)
        emit(done.pop("event"), **done)
    window.close()
    return 0


def _kpi_keys(window: Any) -> list[Any]:
    """The tree keys of every KPI listing (TreeKey), in the order of their written form."""
    from aomori_desktop.services.dto import NodeKind

    keys: list[Any] = []
    stack = [window.document.reader.tree()]
    while stack:
        node = stack.pop()
        if node.kind is NodeKind.KPI:
            keys.append(node.key)
        stack.extend(node.children)
    return sorted(keys, key=str)


def _bulk_actual_column() -> int:
    from aomori_desktop.ui.bulk_table import COL_ACTUAL

    return COL_ACTUAL


if __name__ == "__main__":
    raise SystemExit(main())
