"""The operation layer: edits run on the database worker while the window keeps turning,
wait for another user's lock, can be given up, and come back as one change record."""

from __future__ import annotations

import gc
import sqlite3
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from aomori_desktop.domain.errors import UserError
from aomori_desktop.services.changes import Applied, Changes
from aomori_desktop.services.tasks import TaskState
from aomori_desktop.ui.operations import BusyDialog
from aomori_desktop.ui.tree_model import GRADE_ROLE
from aomori_desktop.ui.year_table import COL_ACTUAL, COL_GRADE

from .test_main_window import cell, type_into_cell

LOCK_S = 3.0


@pytest.fixture
def no_collector_pauses() -> Iterator[None]:
    """Keep Python's garbage collector out of the timing: after a thousand tests the test
    process's heap is large enough for one full collection to pause it for most of a second,
    which says nothing about the window (whose heap is small)."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class Ticks:
    """A timer that records when it fired and what the busy dialog said at that moment."""

    def __init__(self, interval_ms: int = 10) -> None:
        self.times: list[float] = []
        self.dialog_texts: list[str] = []
        self.dialogs: list[BusyDialog] = []
        self.timer = QTimer()
        self.timer.timeout.connect(self._tick)
        self.timer.start(interval_ms)

    def _tick(self) -> None:
        self.times.append(time.perf_counter())
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, BusyDialog) and widget.isVisible():
                self.dialogs.append(widget)
                self.dialog_texts.append(
                    f"{widget.title_label.text()} {widget.detail_label.text()}"
                )

    def stop(self) -> None:
        self.timer.stop()

    def longest_gap_ms(self) -> float:
        if len(self.times) < 2:
            return float("inf")  # the timer never got to run: the loop was blocked
        return max(b - a for a, b in zip(self.times, self.times[1:], strict=False)) * 1000


def stall_limit_ms(seconds: float = 1.5) -> float:
    """The longest gap the event loop may show: 100 ms, or three times the longest gap an idle
    window shows on this machine right now (a loaded machine pauses every process now and
    then). Blocking on the other writer's lock would show a gap of seconds either way."""
    ticks = Ticks()
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()  # an event loop as the edit's wait runs one, with nothing to do
    ticks.stop()
    return max(100.0, 3 * ticks.longest_gap_ms())


def hold_write_lock(db_file: Path) -> sqlite3.Connection:
    """Another program (or a colleague's PC) in the middle of a write transaction on the same
    file: it holds the write lock; reading stays possible (rollback journal)."""
    other = sqlite3.connect(db_file, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE plan SET name = name")
    return other


def stored_actual(db_file: Path, kpi: str, year: int) -> str | None:
    with sqlite3.connect(db_file) as conn:
        row = conn.execute(
            "SELECT y.actual FROM kpi_year y JOIN kpi k ON k.id = y.kpi_id"
            " WHERE k.code = ? AND y.fiscal_year = ?",
            (kpi, year),
        ).fetchone()
    return row[0] if row else None


def test_an_edit_waits_for_another_writer_and_is_stored_when_the_lock_goes(
    qtbot, make_window, db_file, prompts, tmp_path, no_collector_pauses
) -> None:
    window = make_window()
    window.select_key("K03@1-3")  # 創業件数 80件 → 80件
    limit = stall_limit_ms()
    other = hold_write_lock(db_file)
    QTimer.singleShot(int(LOCK_S * 1000), other.rollback)
    shot = tmp_path / "waiting.png"
    QTimer.singleShot(1500, lambda: _grab_dialog(shot))
    ticks = Ticks()
    started = time.perf_counter()
    type_into_cell(qtbot, window, 0, COL_ACTUAL, "84")  # returns once stored
    waited = time.perf_counter() - started
    ticks.stop()
    other.close()

    assert waited >= LOCK_S - 0.2  # it really waited for the other writer
    assert ticks.longest_gap_ms() < limit, "the event loop stalled while waiting"
    assert any("使用中" in text and "待っています" in text for text in ticks.dialog_texts)
    assert shot.exists()
    assert prompts.errors == []
    assert stored_actual(db_file, "K03", 2024) == "84"
    assert cell(window, 0, COL_ACTUAL) == "84"
    assert window.document.undo_stack.count() == 1
    assert not any(d.isVisible() for d in ticks.dialogs)  # the dialog went with the wait


def _grab_dialog(path: Path) -> None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, BusyDialog) and widget.isVisible():
            widget.grab().save(str(path))


def test_giving_up_the_wait_says_so_and_shows_what_is_stored(
    qtbot, make_window, db_file, prompts, no_collector_pauses
) -> None:
    window = make_window()
    window.select_key("K03@1-3")
    type_into_cell(qtbot, window, 0, COL_ACTUAL, "81")
    limit = stall_limit_ms()
    other = hold_write_lock(db_file)
    ticks = Ticks()

    def give_up() -> None:
        for dialog in ticks.dialogs:
            if dialog.isVisible() and dialog.cancel_button.isVisible():
                dialog.cancel_button.click()
                return
        QTimer.singleShot(50, give_up)

    QTimer.singleShot(400, give_up)
    type_into_cell(qtbot, window, 0, COL_ACTUAL, "99")
    ticks.stop()
    other.rollback()
    other.close()

    assert ticks.longest_gap_ms() < limit
    message = window.kpi_page.table_message.text()
    assert "待つのをやめました" in message
    assert "保存していません" in message
    assert prompts.errors == []
    assert stored_actual(db_file, "K03", 2024) == "81"
    assert cell(window, 0, COL_ACTUAL) == "81"  # the cell shows the database, not "99"
    assert window.document.undo_stack.count() == 1


def test_a_value_edit_refreshes_badge_page_and_chart_without_resetting_the_tree(
    qtbot, make_window
) -> None:
    window = make_window()
    tree = window.tree
    window.select_key("K03@1-3")
    model = window.tree_model
    kpi_index = model.index_for_key("K03@1-3")
    tree.expand(window.proxy.mapFromSource(model.index_for_key("2")))
    expanded_before = _expanded_keys(window)
    resets: list[str] = []
    model.modelAboutToBeReset.connect(lambda: resets.append("reset"))
    model.layoutAboutToBeChanged.connect(lambda: resets.append("layout"))
    assert model.data(kpi_index, GRADE_ROLE) == "-"

    type_into_cell(qtbot, window, 0, COL_ACTUAL, "80")  # 80 of a 80 → 80 maintain KPI: 達成

    assert resets == []
    assert str(window.current_node().key) == "K03@1-3"
    assert _expanded_keys(window) == expanded_before
    assert model.data(kpi_index, GRADE_ROLE) == "A"
    assert model.data(model.index_for_key("1-3"), GRADE_ROLE) == "A"
    assert cell(window, 0, COL_GRADE).startswith("A")
    chart = window.kpi_page.chart_panel
    assert chart is not None
    series = chart.chart.series
    assert series is not None
    assert [p.value for p in series.actuals] == [Decimal("80")]
    assert series.latest is not None and series.latest.progress.grade.value == "A"


def _expanded_keys(window) -> set[str]:
    model, proxy, tree = window.tree_model, window.proxy, window.tree
    keys = set()
    stack = [model.index(0, 0)]
    while stack:
        index = stack.pop()
        if tree.isExpanded(proxy.mapFromSource(index)):
            keys.add(str(model.node(index).key))
        stack.extend(model.index(r, 0, index) for r in range(model.rowCount(index)))
    return keys


def test_long_work_shows_progress_and_cancel_leaves_nothing_written(
    qtbot, make_window, db_file, prompts
) -> None:
    window = make_window()
    document = window.document
    service = document.services.values
    outcomes: list[object] = []

    def work(state: TaskState) -> Applied[None]:
        for step in range(100):
            state.report(step, 100, f"{step + 1}件目を確認しています")
            state.check()
            time.sleep(0.02)
        return Applied(service.record_actual("K03", 2025, Decimal("70")))

    ticks = Ticks()
    document.run_task("テスト用の取り込み", work, on_failure=outcomes.append)
    qtbot.waitUntil(lambda: any(d.isVisible() for d in ticks.dialogs), timeout=3000)
    dialog = next(d for d in ticks.dialogs if d.isVisible())
    assert dialog.cancel_button.isVisible()
    qtbot.waitUntil(lambda: dialog.bar.value() > 10, timeout=3000)
    assert "件目を確認しています" in dialog.detail_label.text()
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: bool(outcomes), timeout=5000)
    ticks.stop()

    assert isinstance(outcomes[0], UserError)
    assert "取り消しました" in outcomes[0].message
    assert stored_actual(db_file, "K03", 2025) is None
    assert document.undo_stack.count() == 0
    assert not document.operations.busy


def test_long_work_that_finishes_is_one_undo_step_with_its_change_record(
    qtbot, make_window, db_file
) -> None:
    window = make_window()
    document = window.document
    service = document.services.values
    seen: list[Changes] = []
    document.changed.connect(lambda changes, _initiator: seen.append(changes))
    results: list[Applied[None]] = []

    def work(state: TaskState) -> Applied[None]:
        state.report(1, 1, "書き込んでいます")
        return service.record_actual("K05", 2024, Decimal("30"))  # its undo clears it again

    document.run_task("テスト用の一括書き込み", work, on_success=results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    assert stored_actual(db_file, "K05", 2024) == "30"
    assert seen[-1].kpis == frozenset({"K05"})
    assert document.undo_stack.count() == 1
    assert document.undo_stack.undoText() == "テスト用の一括書き込み"
    window.act_undo.trigger()
    assert stored_actual(db_file, "K05", 2024) is None


def test_structure_edits_are_merged_into_the_tree_row_by_row(
    qtbot, make_window, qtmodeltester
) -> None:
    window = make_window()
    model = window.tree_model
    qtmodeltester.check(model)  # Qt's own tester watches every signal below
    window.select_key("K05@2-1")
    signals: list[str] = []
    model.modelAboutToBeReset.connect(lambda: signals.append("reset"))
    model.rowsInserted.connect(lambda parent, first, last: signals.append(f"insert {first}"))
    model.rowsRemoved.connect(lambda parent, first, last: signals.append(f"remove {first}"))
    model.rowsMoved.connect(lambda *args: signals.append("move"))
    service = window.document.services.structure
    document = window.document

    document.apply(
        "共創施策 1-2 の名称の変更",
        lambda: service.rename_measure("1-2", "成長分野の企業立地と港湾活用"),
    )
    assert model.data(model.index_for_key("1-2")) == "1-2 成長分野の企業立地と港湾活用"
    number = service.add_pillar("暮らしを支える", "地域交通の確保").value
    assert number is not None
    document.changed.emit(Changes(structure=True), None)
    assert f"insert {number - 1}" in signals
    assert str(window.current_node().key) == "K05@2-1"
    window.act_undo.trigger()
    assert model.data(model.index_for_key("1-2")) == "1-2 成長分野等の企業立地"
    assert "reset" not in signals
    assert str(window.current_node().key) == "K05@2-1"
