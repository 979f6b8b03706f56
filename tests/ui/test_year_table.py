"""The KPI page's yearly table on a real temporary database: paste, delete, Enter and refusals,
asserted on the cell text shown, the message line and the values stored."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLineEdit

from aomori_desktop.domain.plan import FigureStatus
from aomori_desktop.ui.year_table import (
    COL_ACTUAL,
    COL_COMMENT,
    COL_ENTERED,
    COL_EXPECTED,
    COL_GRADE,
    COL_INTERIM,
    COL_RATE,
    COL_STATUS,
)

R8, R9, R10, R15 = 2, 3, 4, 9  # rows of 令和8(2026), 令和9, 令和10 and 令和15(2033)年度


@pytest.fixture
def page(make_window, prompts):
    window = make_window()
    window.select_key("K03@1-3")  # 創業件数 80件 → 80件 (maintain)
    QApplication.processEvents()
    yield window.kpi_page
    prompts.confirm_answers[:] = [True]  # closing with a refused cell on screen: yes, close


def cell(page, row: int, column: int) -> str:
    model = page.table_model
    return model.data(model.index(row, column))


def actuals(page, code: str = "K03") -> list[Decimal | None]:
    return [y.actual for y in page.document.reader.kpi_detail(code).years]


def message(page) -> str:
    return page.table_message.text() if page.table_message.isVisible() else ""


def click(page, row: int, column: int, *, ctrl: bool = False) -> None:
    """A click (or Ctrl+click) on a cell, as the selection model receives it."""
    table = page.table
    index = page.table_model.index(row, column)
    flags = QItemSelectionModel.SelectionFlag
    if ctrl:
        table.selectionModel().setCurrentIndex(index, flags.Select)
    else:
        table.selectionModel().setCurrentIndex(index, flags.ClearAndSelect)


def drag(page, top: int, left: int, bottom: int, right: int) -> None:
    """A rectangle selected with the mouse (or Shift+click)."""
    model = page.table_model
    selection = QItemSelection(model.index(top, left), model.index(bottom, right))
    page.table.selectionModel().select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
    page.table.selectionModel().setCurrentIndex(
        model.index(top, left), QItemSelectionModel.SelectionFlag.NoUpdate
    )


def press_paste(qtbot, page, text: str) -> None:
    QGuiApplication.clipboard().setText(text)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()


def type_into(qtbot, page, row: int, column: int, text: str) -> None:
    table = page.table
    index = page.table_model.index(row, column)
    table.setCurrentIndex(index)
    table.edit(index)
    editor = next(e for e in table.findChildren(QLineEdit) if e.isVisible())
    editor.selectAll()
    if text.isascii():
        qtbot.keyClicks(editor, text)
    else:
        editor.insert(text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()


# ------------------------------------------------------------------ defect 1: multiple selection


def test_a_block_pasted_into_a_multiple_selection_is_refused_and_nothing_lands(qtbot, page) -> None:
    click(page, R8, COL_COMMENT)
    click(page, R15, COL_ACTUAL, ctrl=True)

    press_paste(qtbot, page, "7\n8\n9")

    assert message(page).startswith("この操作は複数の選択範囲に対して実行できません。")
    assert actuals(page) == [None] * 10  # not in 令和8–10 (the corner of the bounding box)
    assert [cell(page, r, COL_ACTUAL) for r in (R8, R9, R10, R15)] == ["", "", "", ""]
    assert cell(page, R8, COL_COMMENT) == ""
    assert not page.document.undo_stack.canUndo()


def test_one_value_pasted_into_a_multiple_selection_fills_each_selected_cell(qtbot, page) -> None:
    click(page, R8, COL_ACTUAL)
    click(page, R15, COL_ACTUAL, ctrl=True)

    press_paste(qtbot, page, "85\r\n")

    assert actuals(page) == [None, None, Decimal("85")] + [None] * 6 + [Decimal("85")]
    assert cell(page, R9, COL_ACTUAL) == ""
    assert cell(page, R15, COL_ACTUAL) == "85"
    assert page.document.undo_stack.undoText() == "K03 貼り付け（2セル）"


def test_one_value_pasted_into_a_rectangle_fills_it_as_excel_does(qtbot, page) -> None:
    drag(page, R8, COL_INTERIM, R10, COL_ACTUAL)

    press_paste(qtbot, page, "80")

    detail = page.document.reader.kpi_detail("K03")
    assert [(y.interim_target, y.actual) for y in detail.years[R8 : R10 + 1]] == [
        (Decimal("80"), Decimal("80"))
    ] * 3
    assert detail.years[R15].actual is None
    assert cell(page, R10, COL_INTERIM) == "80"
    assert page.document.undo_stack.undoText() == "K03 貼り付け（6セル）"


def test_a_block_into_a_rectangle_starts_at_its_top_left(qtbot, page) -> None:
    drag(page, R8, COL_ACTUAL, R9, COL_STATUS)
    press_paste(qtbot, page, "7\t確定\r\n8\t速報\r\n")
    detail = page.document.reader.kpi_detail("K03")
    assert [(y.actual, y.status) for y in detail.years[R8 : R10 + 1]] == [
        (Decimal("7"), FigureStatus.FINAL),
        (Decimal("8"), FigureStatus.PRELIMINARY),
        (None, None),
    ]
    assert message(page) == ""


def test_copy_of_a_multiple_selection_is_refused(qtbot, page) -> None:
    click(page, R8, COL_COMMENT)
    click(page, R15, COL_ACTUAL, ctrl=True)
    QGuiApplication.clipboard().setText("before")
    qtbot.keyClick(page.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert message(page).startswith("この操作は複数の選択範囲に対して実行できません。")
    assert QGuiApplication.clipboard().text() == "before"


def test_delete_clears_exactly_the_selected_cells(qtbot, page) -> None:
    drag(page, 0, COL_ACTUAL, R15, COL_ACTUAL)
    press_paste(qtbot, page, "81")
    click(page, R8, COL_COMMENT)
    click(page, R15, COL_ACTUAL, ctrl=True)

    qtbot.keyClick(page.table, Qt.Key.Key_Delete)

    assert actuals(page) == [Decimal("81")] * 9 + [None]  # 令和8 実績値 was not selected
    assert cell(page, R8, COL_ACTUAL) == "81"
    assert cell(page, R15, COL_ACTUAL) == ""
    assert page.document.undo_stack.undoText() == "K03 削除（2セル）"
    page.document.undo()
    assert actuals(page) == [Decimal("81")] * 10


def test_delete_of_one_cell_names_it_in_the_undo_menu(qtbot, page) -> None:
    type_into(qtbot, page, R8, COL_ACTUAL, "72")
    assert page.document.undo_stack.undoText() == "K03 令和8(2026)年度 実績値の入力"
    click(page, R8, COL_ACTUAL)
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    assert actuals(page)[R8] is None
    assert cell(page, R8, COL_ACTUAL) == ""
    assert page.document.undo_stack.undoText() == "K03 削除（1セル）"


# ------------------------------------------------------------------ defect 8: Enter, computed


def test_enter_moves_down_as_in_excel(qtbot, page) -> None:
    type_into(qtbot, page, R8, COL_ACTUAL, "72")
    assert actuals(page)[R8] == Decimal("72")
    assert (page.table.currentIndex().row(), page.table.currentIndex().column()) == (
        R9,
        COL_ACTUAL,
    )
    type_into(qtbot, page, R9, COL_ACTUAL, "３件")  # refused: the cursor stays to correct it
    assert page.table.currentIndex().row() == R9
    type_into(qtbot, page, R9, COL_ACTUAL, "3")  # corrected: stored, and down again
    assert page.table.currentIndex().row() == R10

    page.table.setCurrentIndex(page.table_model.index(R10, COL_STATUS))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)  # not editing: Enter moves down too
    assert page.table.currentIndex().row() == R10 + 1
    qtbot.keyClick(page.table, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert page.table.currentIndex().row() == R10


@pytest.mark.parametrize(
    ("column", "title"),
    [(COL_RATE, "達成率(%)"), (COL_EXPECTED, "期待進捗率(%)"), (COL_GRADE, "評価")],
)
def test_typing_into_a_computed_column_says_it_is_calculated(
    qtbot, page, column: int, title: str
) -> None:
    page.table.setCurrentIndex(page.table_model.index(R8, column))
    page.table.setFocus()
    qtbot.keyClicks(page.table, "5")
    text = message(page)
    assert text.startswith(f"「{title}」の列は計算で求める値のため、入力できません。")
    assert "実績値" in text
    assert page.table.state() != page.table.State.EditingState
    assert actuals(page) == [None] * 10


def test_double_clicking_a_computed_cell_says_it_is_calculated(qtbot, page) -> None:
    table = page.table
    rect = table.visualRect(page.table_model.index(R8, COL_GRADE))
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert message(page).startswith("「評価」の列は計算で求める値のため、入力できません。")
    assert table.state() != table.State.EditingState


def test_the_entered_by_column_says_it_is_recorded_automatically(qtbot, page) -> None:
    page.table.setCurrentIndex(page.table_model.index(R8, COL_ENTERED))
    qtbot.keyClick(page.table, Qt.Key.Key_F2)
    assert message(page).startswith("「入力者」の列は保存したときに自動で記録されます。")


# ------------------------------------------------------------------ defect 10: %, -, text


def test_a_dash_or_an_empty_cell_means_no_figure(qtbot, page) -> None:
    type_into(qtbot, page, R8, COL_ACTUAL, "72")
    type_into(qtbot, page, R8, COL_ACTUAL, "-")
    assert actuals(page)[R8] is None
    assert cell(page, R8, COL_ACTUAL) == ""
    assert message(page) == ""  # accepted silently: - is 実績なし
    drag(page, R9, COL_ACTUAL, R10, COL_ACTUAL)
    press_paste(qtbot, page, "5\r\n6\r\n")
    drag(page, R9, COL_ACTUAL, R10, COL_ACTUAL)
    press_paste(qtbot, page, "ー\r\n—\r\n")
    assert actuals(page)[R9 : R10 + 1] == [None, None]
    tip = page.table_model.headerData(
        COL_ACTUAL, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole
    )
    assert "空欄または - は実績なし" in tip
    tip = page.table_model.data(page.table_model.index(R8, COL_ACTUAL), Qt.ItemDataRole.ToolTipRole)
    assert "実績なし" in tip


def test_a_percentage_is_refused_for_a_count_kpi_with_a_sentence(qtbot, page) -> None:
    type_into(qtbot, page, R8, COL_ACTUAL, "12.5%")
    assert message(page) == (
        "令和8(2026)年度の実績値「12.5%」: このKPIの単位は「件」のため「%」は付けられません。"
        "数字だけを入力してください（例: 12.5）。"
    )
    assert cell(page, R8, COL_ACTUAL) == "12.5%"  # kept, marked, for correction
    assert actuals(page)[R8] is None


def test_a_percentage_is_accepted_for_a_percent_kpi(qtbot, make_window) -> None:
    window = make_window()
    window.select_key("K16@5-3")
    page = window.kpi_page
    assert page.detail.unit == "%"
    type_into(qtbot, page, 1, COL_ACTUAL, "12.5%")
    assert page.document.reader.kpi_detail("K16").year(2025).actual == Decimal("12.5")
    assert cell(page, 1, COL_ACTUAL) == "12.5"
    drag(page, 2, COL_ACTUAL, 3, COL_ACTUAL)
    press_paste(qtbot, page, "１３．０％\r\n0.5%\r\n")  # (a percentage is never negative)
    assert [y.actual for y in page.document.reader.kpi_detail("K16").years[2:4]] == [
        Decimal("13.0"),
        Decimal("0.5"),
    ]
    assert cell(page, 2, COL_ACTUAL) == "13.0"


def test_letters_are_refused_with_the_cell_named(qtbot, page) -> None:
    drag(page, R8, COL_ACTUAL, R8, COL_ACTUAL)
    press_paste(qtbot, page, "1\r\nabc\r\n")
    text = message(page)
    assert text.startswith("1件の値を読み取れないため、何も保存していません。")
    assert "令和9(2027)年度の実績値「abc」: 「abc」は数値ではありません。" in text
    assert actuals(page) == [None] * 10


def test_a_comment_with_line_breaks_pasted_from_excel_keeps_them(qtbot, page) -> None:
    drag(page, R8, COL_ACTUAL, R8, COL_ACTUAL)
    press_paste(qtbot, page, '72\t確定\t\t\t\t"市の補助で\r\n創業が増加"\r\n')
    year = page.document.reader.kpi_detail("K03").years[R8]
    assert (year.actual, year.status) == (Decimal("72"), FigureStatus.FINAL)
    assert year.comment == "市の補助で\n創業が増加"
    assert page.document.undo_stack.undoText() == "K03 貼り付け（3セル）"


def test_a_refused_entry_is_drawn_marked_with_the_message_under_the_table(
    qtbot, page, tmp_path: Path
) -> None:
    click(page, R8, COL_COMMENT)
    click(page, R15, COL_ACTUAL, ctrl=True)
    press_paste(qtbot, page, "7\n8\n9")
    type_into(qtbot, page, R9, COL_ACTUAL, "12.5%")
    click(page, 0, COL_COMMENT)  # the marked cell is not the selected one
    window = page.window()
    window.resize(1280, 860)
    QApplication.processEvents()
    assert window.grab().save(str(tmp_path / "year_table_refused.png"))

    assert page.table_message.isVisible()
    assert page.table_message.geometry().height() > page.table_message.fontMetrics().height()
    table = page.table
    rect = table.visualRect(page.table_model.index(R9, COL_ACTUAL))
    image = table.viewport().grab().toImage()
    assert image.pixelColor(rect.left() + 3, rect.center().y()).name() == "#ffd6d6"
    ok = table.visualRect(page.table_model.index(R10, COL_ACTUAL))
    assert image.pixelColor(ok.left() + 3, ok.center().y()).name() != "#ffd6d6"
