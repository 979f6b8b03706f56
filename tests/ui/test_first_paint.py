"""Start-up: the tree painted from the first look (stdlib sqlite3, before SQLAlchemy) is the
tree of the full opening, nothing can be edited before that opening is done, and whatever is
unusual opens the normal way with its usual sentence (ui/first_paint.py)."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QSettings, Qt
from PySide6.QtWidgets import QApplication

from aomori_desktop.services.first_look import first_look
from aomori_desktop.store.lock import lock_path
from aomori_desktop.ui.first_paint import OPENING_TEXT, show_and_open
from aomori_desktop.ui.main_window import MainWindow
from aomori_desktop.ui.tree_model import GRADE_ROLE, KEY_ROLE
from tests.ui.conftest import ScriptedPrompts

Rows = list[tuple[int, str, str, Any, str]]


def tree_rows(window: MainWindow) -> Rows:
    """Every row of the tree model: depth, key, text, badge (grade) and tooltip."""
    model = window.tree_model
    rows: Rows = []

    def walk(parent: QModelIndex, depth: int) -> None:
        for row in range(model.rowCount(parent)):
            index = model.index(row, 0, parent)
            rows.append(
                (
                    depth,
                    index.data(KEY_ROLE),
                    index.data(Qt.ItemDataRole.DisplayRole),
                    index.data(GRADE_ROLE),
                    index.data(Qt.ItemDataRole.ToolTipRole),
                )
            )
            walk(index, depth + 1)

    walk(QModelIndex(), 0)
    return rows


def grade_some(path: Path, fiscal_year: int) -> None:
    """Figures for `fiscal_year`: every other KPI reaches its target, the rest stay at the
    baseline (so the tree holds different badges)."""
    with sqlite3.connect(path) as conn:
        kpis = conn.execute("SELECT id, baseline, target FROM kpi ORDER BY id").fetchall()
        for i, (kpi_id, baseline, target) in enumerate(kpis):
            conn.execute(
                "INSERT INTO kpi_year (kpi_id, fiscal_year, actual, comment, entered_by)"
                " VALUES (?, ?, ?, '', 'test')",
                (kpi_id, fiscal_year, target if i % 2 == 0 else baseline),
            )
    conn.close()


@pytest.fixture
def start(
    qapp: QApplication, prompts: ScriptedPrompts, settings: QSettings
) -> Iterator[Callable[[Path | str], tuple[MainWindow, bool, list[bool]]]]:
    windows: list[MainWindow] = []

    def run(target: Path | str) -> tuple[MainWindow, bool, list[bool]]:
        window = MainWindow(prompts, settings)
        window.resize(1400, 900)
        windows.append(window)
        ready: list[bool] = []
        first = show_and_open(window, str(target), ready.append)
        return window, first, ready

    yield run
    for window in windows:
        window.close()
        window.deleteLater()
    QApplication.processEvents()


def test_the_first_painted_tree_is_the_tree_of_the_full_opening(
    start: Any, qtbot: Any, db_file: Path, settings: QSettings, tmp_path: Path
) -> None:
    grade_some(db_file, 2025)
    settings.setValue("view/fiscal_year", 2025)  # the year chosen last time: its badges
    window, first, ready = start(db_file)
    assert first is True
    painted = tree_rows(window)
    assert window.document is None and ready == []  # the full opening has not run yet
    qtbot.waitUntil(lambda: ready == [True], timeout=20_000)
    assert window.document is not None
    assert window.document.fiscal_year == 2025
    assert tree_rows(window) == painted
    grades = {grade for *_rest, grade, _tip in painted if grade is not None}
    assert len(grades) >= 2  # badges of different grades, not only 未入力
    # the window opened normally, on another copy, shows the same rows
    other = tmp_path / "other.sqlite3"
    shutil.copy(db_file, other)
    normal = MainWindow(ScriptedPrompts(), settings)
    try:
        assert normal.open_database(other)
        assert tree_rows(normal) == painted
    finally:
        normal.close()
        normal.deleteLater()


def test_nothing_can_be_edited_before_the_full_opening(
    start: Any, qtbot: Any, db_file: Path
) -> None:
    window, first, ready = start(db_file)
    assert first is True
    page = window.stack.currentWidget()
    assert page.text() == OPENING_TEXT  # no page to edit in
    for action in (window.act_open, window.act_new, window.act_connect, window.act_bulk):
        assert not action.isEnabled()
    assert not window.year_combo.isEnabled()
    window.grab().save(str(Path("/tmp") / "aomori-first-paint.png"))
    qtbot.waitUntil(lambda: ready == [True], timeout=20_000)
    assert window.stack.currentWidget() is window.overview_page
    for action in (window.act_open, window.act_new, window.act_connect, window.act_bulk):
        assert action.isEnabled()
    assert window.year_combo.isEnabled()
    assert window.stack.indexOf(page) == -1  # the waiting page is gone
    window.grab().save(str(Path("/tmp") / "aomori-ready.png"))


def test_a_failed_full_opening_leaves_no_tree(
    start: Any, qtbot: Any, db_file: Path, prompts: ScriptedPrompts, monkeypatch: Any
) -> None:
    from aomori_desktop.services import workspace
    from aomori_desktop.store.errors import StoreError

    def refuse(target: str, **_kw: Any) -> Any:
        raise StoreError("テスト: 開けません。")

    monkeypatch.setattr(workspace, "open_or_create", refuse)
    window, first, ready = start(db_file)
    assert first is True and window.tree_model.rowCount() == 1
    qtbot.waitUntil(lambda: ready == [False], timeout=20_000)
    assert prompts.errors == ["テスト: 開けません。"]
    assert window.tree_model.rowCount() == 0
    assert window.stack.currentWidget() is window.empty_page
    assert window.act_open.isEnabled()


def _set_revision(path: Path, revision: str) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    conn.close()


@pytest.mark.parametrize("case", ["newer", "older", "locked", "damaged", "missing", "server"])
def test_what_is_unusual_opens_the_normal_way(case: str, db_file: Path, tmp_path: Path) -> None:
    target = str(db_file)
    if case == "newer":
        _set_revision(db_file, "9999")
    elif case == "older":
        _set_revision(db_file, "0001")
    elif case == "locked":
        lock_path(db_file).write_text("{}")
    elif case == "damaged":
        with db_file.open("r+b") as f:
            f.seek(100)
            f.write(b"\xff" * 4000)
    elif case == "missing":
        target = str(tmp_path / "new.sqlite3")
    else:
        target = "postgresql+psycopg://someone@127.0.0.1:1/none"
    assert first_look(target, lambda years: years.start) is None
    assert not (tmp_path / "new.sqlite3").exists()  # the first look creates nothing


def test_a_newer_file_says_what_the_normal_opening_says(
    start: Any, db_file: Path, prompts: ScriptedPrompts, settings: QSettings, tmp_path: Path
) -> None:
    _set_revision(db_file, "9999")
    other = tmp_path / "copy.sqlite3"
    shutil.copy(db_file, other)
    usual = ScriptedPrompts()
    normal = MainWindow(usual, settings)
    try:
        assert not normal.open_or_create_database(str(other))
    finally:
        normal.close()
        normal.deleteLater()
    window, first, ready = start(db_file)
    assert first is False and ready == [False]
    assert [e.replace(str(db_file), "X") for e in prompts.errors] == [
        e.replace(str(other), "X") for e in usual.errors
    ]
    assert "より新しいバージョン" in prompts.errors[0]
    assert window.tree_model.rowCount() == 0
