"""Others' writes show in the open window without the user moving (ui/others_watch.py): another
PC writes into the same file → the page's cell and the tree's badge show it after the next
look, the status bar says who changed what, and what the user is typing is kept."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from aomori_desktop.services.kpi_values import KpiYearEdit
from aomori_desktop.services.plan_services import PlanServices
from aomori_desktop.services.watch import OthersChanged
from aomori_desktop.services.workspace import default_plan_id
from aomori_desktop.store.database import open_database
from aomori_desktop.ui import others_watch
from aomori_desktop.ui.year_table import COL_ACTUAL, COL_GRADE
from tests.ui.test_main_window import badge, cell


@pytest.fixture
def other_pc(db_file: Path) -> Iterator[PlanServices]:
    """青森 太郎 on another PC: his own connection to the same file."""
    db = open_database(db_file, busy_timeout=2.0)
    try:
        yield PlanServices(db, default_plan_id(db), user="青森 太郎")
    finally:
        db.close()


def open_editor(qtbot, window, row: int, column: int, text: str) -> QLineEdit:
    """A cell editor holding typed text, not yet committed."""
    table = window.kpi_page.table
    index = table.model().index(row, column)
    table.setCurrentIndex(index)
    table.edit(index)
    editors = [e for e in table.findChildren(QLineEdit) if e.isVisible()]
    assert len(editors) == 1, "no cell editor opened"
    editors[0].selectAll()
    qtbot.keyClicks(editors[0], text)
    return editors[0]


def test_another_pcs_value_shows_in_the_cell_and_the_badge_within_a_poll(
    qtbot, make_window, other_pc: PlanServices, tmp_path: Path
) -> None:
    window = make_window()
    window.select_key("K03@1-3")  # 創業件数: target 80
    assert cell(window, 0, COL_ACTUAL) == "" and badge(window, "K03@1-3") == "-"
    undo_steps = window.document.undo_stack.count()

    other_pc.values.set_kpi_years([KpiYearEdit("K03", 2024, actual=Decimal("72"))])

    # the ordinary poll (every 2 s), nothing triggered by hand
    qtbot.waitUntil(lambda: cell(window, 0, COL_ACTUAL) == "72", timeout=10000)
    assert cell(window, 0, COL_GRADE) == "C 遅れ"
    assert badge(window, "K03@1-3") == "C"
    assert badge(window, "1-3") == "C"
    assert window.statusBar().currentMessage() == "他の利用者（青森 太郎さん）が K03 を変更しました"
    assert window.document.undo_stack.count() == undo_steps  # nothing of theirs to undo here
    window.grab().save(str(tmp_path / "others-change.png"))


def test_an_open_editor_keeps_its_text_until_editing_ends(
    qtbot, make_window, other_pc: PlanServices, monkeypatch
) -> None:
    monkeypatch.setattr(others_watch, "POLL_MS", 50)
    window = make_window()
    window.select_key("K03@1-3")
    editor = open_editor(qtbot, window, 0, COL_ACTUAL, "55")

    other_pc.values.set_kpi_years([KpiYearEdit("K03", 2024, actual=Decimal("72"))])

    qtbot.waitUntil(lambda: badge(window, "K03@1-3") == "C")  # the tree took the change
    assert editor.isVisible() and editor.text() == "55"  # what the user typed is still there
    assert window.kpi_page.typing_guard.holding

    qtbot.keyClick(editor, Qt.Key.Key_Escape)  # the user gives up the entry
    qtbot.waitUntil(lambda: cell(window, 0, COL_ACTUAL) == "72")
    assert not window.kpi_page.typing_guard.holding


def test_a_form_field_being_typed_in_keeps_its_text(
    qtbot, make_window, other_pc: PlanServices, monkeypatch
) -> None:
    monkeypatch.setattr(others_watch, "POLL_MS", 50)
    window = make_window()
    window.select_key("K03@1-3")
    page = window.kpi_page
    source = page.source_edit
    source.setFocus()
    qtbot.waitUntil(source.hasFocus)
    source.selectAll()
    qtbot.keyClicks(source, "new source")

    other_pc.values.set_kpi_years([KpiYearEdit("K03", 2024, actual=Decimal("72"))])

    qtbot.waitUntil(lambda: badge(window, "K03@1-3") == "C")
    assert source.text() == "new source"
    assert cell(window, 0, COL_ACTUAL) == ""  # the page waits for the user

    window.tree.setFocus()  # leaving the field stores it, then the page shows both
    qtbot.waitUntil(lambda: cell(window, 0, COL_ACTUAL) == "72")
    assert source.text() == "new source"
    assert page.document.reader.kpi_detail("K03").data_source == "new source"


def test_own_edits_are_not_announced_again_as_others(qtbot, make_window) -> None:
    window = make_window()
    window.select_key("K03@1-3")
    seen: list[object] = []
    window.document.changed.connect(lambda _changes, initiator: seen.append(initiator))
    table = window.kpi_page.table
    editor = open_editor(qtbot, window, 0, COL_ACTUAL, "72")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert cell(window, 0, COL_ACTUAL) == "72" and table.state() != table.State.EditingState
    assert len(seen) == 1

    window.document.others.look()
    window.act_undo.trigger()  # an undo is an own write too
    window.document.others.look()

    assert not any(isinstance(i, OthersChanged) for i in seen)
    assert cell(window, 0, COL_ACTUAL) == ""


def test_the_bulk_entry_window_keeps_an_open_editor_and_then_shows_the_change(
    qtbot, make_window, other_pc: PlanServices, monkeypatch
) -> None:
    from aomori_desktop.ui.bulk_entry import open_bulk_entry
    from aomori_desktop.ui.bulk_table import COL_ACTUAL as BULK_ACTUAL

    monkeypatch.setattr(others_watch, "POLL_MS", 50)
    window = make_window()
    bulk = open_bulk_entry(window, window.document)
    QApplication.processEvents()
    model, table = bulk.model, bulk.table
    index = model.index(model.line_of("K03", None), BULK_ACTUAL)
    table.setCurrentIndex(index)
    table.edit(index)
    editor = next(e for e in table.findChildren(QLineEdit) if e.isVisible())
    editor.selectAll()
    qtbot.keyClicks(editor, "55")

    other_pc.values.set_kpi_years([KpiYearEdit("K03", 2024, actual=Decimal("72"))])

    qtbot.waitUntil(lambda: badge(window, "K03@1-3") == "C")
    assert editor.text() == "55" and bulk.typing_guard.holding
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(
        lambda: model.data(model.index(model.line_of("K03", None), BULK_ACTUAL)) == "72"
    )
    bulk.close()


def test_the_project_page_keeps_its_description_while_it_is_typed(
    qtbot, make_window, other_pc: PlanServices, monkeypatch
) -> None:
    monkeypatch.setattr(others_watch, "POLL_MS", 50)
    window = make_window()
    window.select_key("1-1-1")
    page = window.project_page
    assert page is not None and page.detail is not None
    code = page.detail.code
    field = page.description_edit
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    field.selectAll()
    qtbot.keyClicks(field, "typed here")

    heard: list[object] = []
    window.document.changed.connect(lambda _c, initiator: heard.append(initiator))

    other_pc.projects.set_project_year(code, 2024, note="太郎のメモ")

    qtbot.waitUntil(lambda: any(isinstance(i, OthersChanged) for i in heard))
    assert field.toPlainText() == "typed here"
    assert page.typing_guard.holding
    window.tree.setFocus()  # leaving the field stores it; then the page shows the note too
    qtbot.waitUntil(lambda: not page.typing_guard.holding)
    notes = [page.years.item(r, 1).text() for r in range(page.years.rowCount())]
    assert "太郎のメモ" in notes
    assert page.document.reader.project_detail(code).description == "typed here"
