"""年度実績一括入力 on a real temporary database: what the user sees in the table and what is stored."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QItemSelection, QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget

from aomori_desktop.domain.plan import FigureStatus, KpiYear
from aomori_desktop.domain.progress import Grade
from aomori_desktop.services.kpi_values import KpiYearEdit
from aomori_desktop.services.workspace import create_seeded_database, default_plan_id
from aomori_desktop.ui.bulk_entry import WINDOW_TITLE, BulkEntryWindow, open_bulk_entry
from aomori_desktop.ui.bulk_table import (
    COL_ACTUAL,
    COL_CODE,
    COL_COMMENT,
    COL_EXPECTED,
    COL_GRADE,
    COL_NAME,
    COL_RATE,
    COL_STATUS,
    MISSING_ROLE,
    BulkEntryModel,
)
from aomori_desktop.ui.document import PlanDocument
from aomori_desktop.ui.grades import GRADE_COLOURS
from tests.ui.conftest import ScriptedPrompts

FY = 2025
USER = "青森 花子"


@pytest.fixture
def document(
    qapp: QApplication, tmp_path: Path, prompts: ScriptedPrompts
) -> Iterator[PlanDocument]:
    db = create_seeded_database(tmp_path / "plan.sqlite3")
    doc = PlanDocument(db, default_plan_id(db), prompts, user=USER)
    doc.set_fiscal_year(FY)
    yield doc
    doc.undo_stack.clear()
    db.close()


@pytest.fixture
def host(qtbot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def window(host: QWidget, document: PlanDocument) -> Iterator[BulkEntryWindow]:
    win = open_bulk_entry(host, document)
    win.resize(1400, 900)
    QApplication.processEvents()
    yield win
    win.close()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


# ------------------------------------------------------------------ helpers


def stored(document: PlanDocument, kpi: str, fiscal_year: int = FY) -> KpiYear | None:
    """The KPI year as the database holds it (through the service, not the table)."""
    return next(
        (y for y in document.services.queries.kpi(kpi).years if y.fiscal_year == fiscal_year), None
    )


def actual(document: PlanDocument, kpi: str, fiscal_year: int = FY) -> Decimal | None:
    year = stored(document, kpi, fiscal_year)
    return year.actual if year else None


def line(window: BulkEntryWindow, kpi: str, measure: str | None = None) -> int:
    row = window.model.line_of(kpi, measure)
    assert row >= 0, f"{kpi} is not shown"
    return row


def cell(window: BulkEntryWindow, kpi: str, column: int, measure: str | None = None) -> str:
    model = window.model
    return model.data(model.index(line(window, kpi, measure), column))


def role(window: BulkEntryWindow, kpi: str, column: int, data_role: int) -> object:
    model = window.model
    return model.data(model.index(line(window, kpi), column), data_role)


def shown_codes(window: BulkEntryWindow) -> list[str]:
    model = window.model
    return [
        model.data(model.index(r, COL_CODE)) for r in range(model.rowCount()) if model.row_at(r)
    ]


def headers(window: BulkEntryWindow) -> list[str]:
    model = window.model
    return [model.data(model.index(r, 0)).strip() for r in model.group_lines()]


def type_into(qtbot, window: BulkEntryWindow, kpi: str, column: int, text: str) -> None:
    """Select the cell, open its editor, type and press Enter, as a user would."""
    table = window.table
    index = window.model.index(line(window, kpi), column)
    table.setCurrentIndex(index)
    table.edit(index)
    editors = [e for e in table.findChildren(QLineEdit) if e.isVisible()]
    assert len(editors) == 1, "no cell editor opened"
    editor = editors[0]
    editor.selectAll()
    if text.isascii():
        qtbot.keyClicks(editor, text)
    else:  # what an input method commits (QTest cannot type kanji)
        editor.insert(text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()


def select(window: BulkEntryWindow, cells: list[tuple[str, int]]) -> None:
    table, model = window.table, window.model
    table.clearSelection()
    for n, (kpi, column) in enumerate(cells):
        index = model.index(line(window, kpi), column)
        if n == 0:
            table.setCurrentIndex(index)
        table.selectionModel().select(index, QItemSelectionModel.SelectionFlag.Select)


def message(window: BulkEntryWindow) -> str:
    return window.message.text() if window.message.isVisible() else ""


# ------------------------------------------------------------------ the table


def test_window_lists_every_kpi_grouped_by_pillar_and_measure(window: BulkEntryWindow) -> None:
    assert window.windowTitle() == WINDOW_TITLE
    assert window.year_combo.currentText() == "令和7(2025)年度"
    assert window.year_combo.itemText(0) == "令和6(2024)年度"
    assert window.year_combo.count() == 10
    codes = shown_codes(window)
    assert len(codes) == 17  # 16 KPIs, K01 listed under 1-1 and 1-2
    assert codes[:4] == ["K01", "K01", "K02", "K03"]
    assert headers(window)[:4] == [
        "1 地域経済に活力を生み出す 新産業の創出",
        "1-1 GX関連産業参入・脱炭素経営の推進",
        "1-2 成長分野等の企業立地",
        "1-3 仕事・新規事業創出の推進",
    ]
    model = window.model
    first = model.index(0, 0)
    assert model.flags(first) == Qt.ItemFlag.NoItemFlags  # header rows are not editable
    assert model.data(first, Qt.ItemDataRole.FontRole).bold()
    assert window.table.columnSpan(0, 0) == model.columnCount()
    assert cell(window, "K10", COL_NAME) == "主要宿泊施設宿泊客数(延べ人数)"
    assert cell(window, "K11", COL_NAME) == "主要宿泊施設外国人宿泊客数(延べ人数)"  # the full name
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())] == [
        "コード", "KPI名", "単位", "基準値", "目標値", "実績値", "速報/確定",
        "要因分析・コメント", "達成率(%)", "期待進捗率(%)", "評価",
    ]  # fmt: skip
    row = [cell(window, "K10", c) for c in range(model.columnCount())]
    assert row == ["K10", "主要宿泊施設宿泊客数(延べ人数)", "人泊", "1,109,980", "1,490,000", "", "", "", "−", "20.0", "−"]  # fmt: skip
    assert role(window, "K10", COL_ACTUAL, MISSING_ROLE) is True  # drawn as 未入力
    assert window.count_label.text() == "16件中 未入力 16件"


def test_model_passes_qt_model_tester(window: BulkEntryWindow, qtmodeltester) -> None:
    window.model.setData(window.model.index(line(window, "K03"), COL_ACTUAL), "85")
    qtmodeltester.check(window.model)
    window.missing_check.setChecked(True)
    qtmodeltester.check(window.model)


def test_model_works_without_a_window(document: PlanDocument, qtmodeltester) -> None:
    commits: list[tuple[list[KpiYearEdit], str]] = []

    def commit(edits: list[KpiYearEdit], text: str) -> bool:
        commits.append((edits, text))
        return True

    model = BulkEntryModel(commit)
    model.set_rows(FY, document.reader.bulk_rows(FY))
    qtmodeltester.check(model)
    assert model.setData(model.index(model.line_of("K05"), COL_ACTUAL), "▲5")
    assert commits == [
        ([KpiYearEdit("K05", FY, actual=Decimal("-5"))], "令和7(2025)年度 K05 実績値の入力")
    ]


# ------------------------------------------------------------------ typing


def test_an_actual_typed_through_the_model_is_stored_graded_and_undone(
    window: BulkEntryWindow, document: PlanDocument
) -> None:
    model = window.model
    assert model.setData(model.index(line(window, "K03"), COL_ACTUAL), "85")  # 創業件数 80 → 80件

    assert actual(document, "K03") == Decimal("85")
    assert stored(document, "K03").entered_by == USER
    assert cell(window, "K03", COL_ACTUAL) == "85"
    assert cell(window, "K03", COL_RATE) == "106.3"  # 85 / 80, maintain KPI
    assert cell(window, "K03", COL_EXPECTED) == "100.0"
    assert cell(window, "K03", COL_GRADE) == "A 達成"
    background = role(window, "K03", COL_GRADE, Qt.ItemDataRole.BackgroundRole)
    assert background.color().name() == GRADE_COLOURS[Grade.A][0]
    assert role(window, "K03", COL_ACTUAL, MISSING_ROLE) is False
    assert window.count_label.text() == "16件中 未入力 15件"
    assert document.undo_stack.undoText() == "令和7(2025)年度 K03 実績値の入力"
    assert window.undo_action.isEnabled()

    window.undo_action.trigger()

    assert actual(document, "K03") is None
    assert cell(window, "K03", COL_ACTUAL) == ""
    assert cell(window, "K03", COL_RATE) == "−"
    assert cell(window, "K03", COL_GRADE) == "−"
    assert window.count_label.text() == "16件中 未入力 16件"
    history = document.services.queries.history("kpi", "K03")
    assert [(h.user, h.field, h.old, h.new) for h in history] == [
        (USER, "actual", None, "85"),
        (USER, "actual", "85", None),
    ]  # the undo went through the service and was audited like any change

    window.redo_action.trigger()
    assert actual(document, "K03") == Decimal("85")
    assert cell(window, "K03", COL_GRADE) == "A 達成"


def test_typing_in_the_view_stores_office_number_habits_and_moves_to_the_next_kpi(
    qtbot, window: BulkEntryWindow, document: PlanDocument
) -> None:
    type_into(qtbot, window, "K03", COL_ACTUAL, "72")
    assert actual(document, "K03") == Decimal("72")
    assert cell(window, "K03", COL_RATE) == "90.0"
    assert cell(window, "K03", COL_GRADE) == "C 遅れ"
    # Enter moved the cursor down to the next KPI row, over the pillar and measure headers
    assert window.table.currentIndex().row() == line(window, "K04")
    assert window.table.currentIndex().column() == COL_ACTUAL

    type_into(qtbot, window, "K10", COL_ACTUAL, "１，２００，５００")
    assert actual(document, "K10") == Decimal("1200500")
    assert cell(window, "K10", COL_ACTUAL) == "1,200,500"
    assert cell(window, "K10", COL_RATE) == "23.8"
    type_into(qtbot, window, "K10", COL_STATUS, "速報")
    type_into(qtbot, window, "K10", COL_COMMENT, "インバウンド回復")
    year = stored(document, "K10")
    assert (year.status, year.comment) == (FigureStatus.PRELIMINARY, "インバウンド回復")
    assert cell(window, "K10", COL_STATUS) == "速報"
    assert document.undo_stack.count() == 4  # one step per cell
    assert document.undo_stack.undoText() == "令和7(2025)年度 K10 要因分析・コメントの入力"
    assert message(window) == ""


def test_a_unit_typed_by_mistake_is_refused_marked_and_the_text_kept(
    qtbot, window: BulkEntryWindow, document: PlanDocument
) -> None:
    type_into(qtbot, window, "K03", COL_ACTUAL, "3件")

    text = message(window)
    assert text.startswith("K03 令和7(2025)年度の実績値「3件」: ")
    assert "単位を付けずに" in text
    assert cell(window, "K03", COL_ACTUAL) == "3件"  # kept for correction
    background = role(window, "K03", COL_ACTUAL, Qt.ItemDataRole.BackgroundRole)
    assert background.color().name() == "#ffd6d6"
    assert "単位を付けずに" in role(window, "K03", COL_ACTUAL, Qt.ItemDataRole.ToolTipRole)
    assert actual(document, "K03") is None
    assert not document.undo_stack.canUndo()
    assert window.table.currentIndex().row() == line(window, "K03")  # stays on the bad cell

    type_into(qtbot, window, "K03", COL_STATUS, "速")
    assert "「速」は速報/確定として読み取れません" in message(window)

    type_into(qtbot, window, "K03", COL_ACTUAL, "3")
    assert actual(document, "K03") == Decimal("3")
    assert cell(window, "K03", COL_ACTUAL) == "3"
    background = role(window, "K03", COL_ACTUAL, Qt.ItemDataRole.BackgroundRole)
    assert background is None or background.color().name() != "#ffd6d6"
    assert cell(window, "K03", COL_STATUS) == "速"  # still to be corrected
    assert document.undo_stack.count() == 1


# ------------------------------------------------------------------ paste, copy, delete


TSV_3X3 = "12\t確定\t市内企業へ周知\r\n95\t速報\t\r\n１，０００\t\t補助制度の効果\r\n"


def test_a_pasted_block_skips_headers_and_is_one_undo_step(
    qtbot, window: BulkEntryWindow, document: PlanDocument
) -> None:
    select(window, [("K02", COL_ACTUAL)])  # K02 (1-2), then K03 under 1-3, then K04 under 2 / 2-1
    QGuiApplication.clipboard().setText(TSV_3X3)
    qtbot.keyClick(window.table, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)

    assert [actual(document, k) for k in ("K02", "K03", "K04")] == [
        Decimal("12"),
        Decimal("95"),
        Decimal("1000"),
    ]
    assert [stored(document, k).status for k in ("K02", "K03", "K04")] == [
        FigureStatus.FINAL,
        FigureStatus.PRELIMINARY,
        None,
    ]
    assert stored(document, "K04").comment == "補助制度の効果"
    assert [cell(window, k, COL_ACTUAL) for k in ("K02", "K03", "K04")] == ["12", "95", "1,000"]
    assert cell(window, "K05", COL_ACTUAL) == ""
    assert document.undo_stack.count() == 1
    assert document.undo_stack.undoText() == "令和7(2025)年度 貼り付け（9セル）"
    assert message(window).startswith("9セルを保存しました（貼り付け）")

    window.undo_action.trigger()
    # the paste created these records; its undo takes them away again (no value, status,
    # comment, nor who/when is left behind)
    assert [stored(document, k) for k in ("K02", "K03", "K04")] == [None, None, None]
    assert [cell(window, k, COL_ACTUAL) for k in ("K02", "K03", "K04")] == ["", "", ""]


def test_a_block_with_one_bad_cell_stores_nothing_and_names_the_cell(
    window: BulkEntryWindow, document: PlanDocument
) -> None:
    select(window, [("K02", COL_ACTUAL)])
    assert not window.table.paste("12\t確定\r\n95件\t速報\r\n1000\t見込み\r\n")

    text = message(window)
    assert text.startswith("2件の値を読み取れないため、何も保存していません。")
    assert "K03 令和7(2025)年度の実績値「95件」: 「95件」は数値として読み取れません。" in text
    assert (
        "K04 令和7(2025)年度の速報/確定「見込み」: 「見込み」は速報/確定として読み取れません。"
        in text
    )
    assert [actual(document, k) for k in ("K02", "K03", "K04")] == [None, None, None]
    assert not document.undo_stack.canUndo()
    assert cell(window, "K02", COL_ACTUAL) == ""  # a pasted block leaves the table as stored

    assert not window.table.paste("12\t確定\r\n95件\t速報\r\n")
    assert message(window).startswith("1件の値を読み取れないため、何も保存していません。\nK03 ")


def test_a_block_running_past_the_last_kpi_is_refused(
    window: BulkEntryWindow, document: PlanDocument
) -> None:
    select(window, [("K16", COL_ACTUAL)])
    assert not window.table.paste("9.0\r\n9.1\r\n")
    assert "表の外にはみ出しています" in message(window)
    assert actual(document, "K16") is None


def test_a_16_line_column_from_excel_fills_the_16_kpis_once_each(
    qtbot, window: BulkEntryWindow, document: PlanDocument
) -> None:
    """K01 is listed under 1-1 and 1-2 (17 rows) but is one KPI: it takes one line."""
    column = "".join(f"{n}\r\n" for n in range(1, 17))  # K01 … K16, one line each
    select(window, [("K01", COL_ACTUAL)])
    QGuiApplication.clipboard().setText(column)
    qtbot.keyClick(window.table, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)

    codes = [f"K{n:02d}" for n in range(1, 17)]
    assert [actual(document, k) for k in codes] == [Decimal(n) for n in range(1, 17)]
    assert cell(window, "K01", COL_ACTUAL, "1-1") == "1"
    assert cell(window, "K01", COL_ACTUAL, "1-2") == "1"  # the one value, shown twice
    assert cell(window, "K02", COL_ACTUAL) == "2"
    assert cell(window, "K16", COL_ACTUAL) == "16"
    assert document.undo_stack.undoText() == "令和7(2025)年度 貼り付け（16セル）"
    assert window.count_label.text() == "16件中 未入力 0件"


def test_a_17th_line_is_refused_saying_the_second_listing_is_skipped(
    window: BulkEntryWindow, document: PlanDocument
) -> None:
    select(window, [("K01", COL_ACTUAL)])
    assert not window.table.paste("".join(f"{n}\r\n" for n in range(1, 18)))
    assert message(window) == (
        "貼り付ける範囲が表の外にはみ出しています（17行を貼り付けようとしましたが、"
        "選んだ行から下のKPIは16件です。見出し行と、2つの施策に掲載されているKPIの2回目の行は"
        "飛ばして、KPIごとに1行ずつ貼り付けます）。何も保存していません。"
        "貼り付け先の位置を確認してください。"
    )
    assert actual(document, "K01") is None


def test_the_second_listing_is_marked_and_still_editable(
    window: BulkEntryWindow, document: PlanDocument
) -> None:
    assert cell(window, "K01", COL_NAME, "1-1") == "青森港を利用する洋上風力発電事業者数(累計)"
    assert (
        cell(window, "K01", COL_NAME, "1-2") == "青森港を利用する洋上風力発電事業者数(累計)（再掲）"
    )
    model = window.model
    assert model.setData(model.index(line(window, "K01", "1-2"), COL_ACTUAL), "2")
    assert actual(document, "K01") == Decimal("2")
    select(window, [("K01", COL_ACTUAL)])  # starting on the second listing: it takes line 1
    window.table.setCurrentIndex(model.index(line(window, "K01", "1-2"), COL_ACTUAL))
    assert window.table.paste("3\r\n4\r\n")
    assert (actual(document, "K01"), actual(document, "K02")) == (Decimal("3"), Decimal("4"))


def test_one_value_onto_both_listings_is_one_cell(
    window: BulkEntryWindow, document: PlanDocument
) -> None:
    select(window, [("K01", COL_ACTUAL)])
    window.table.selectionModel().select(
        window.model.index(line(window, "K01", "1-2"), COL_ACTUAL),
        QItemSelectionModel.SelectionFlag.Select,
    )
    assert window.table.paste("2")
    assert actual(document, "K01") == Decimal("2")
    assert document.undo_stack.undoText() == "令和7(2025)年度 貼り付け（1セル）"


def test_copy_writes_kpi_rows_only_so_it_pastes_back(qtbot, window: BulkEntryWindow) -> None:
    model = window.model
    model.setData(model.index(line(window, "K02"), COL_ACTUAL), "2")
    model.setData(model.index(line(window, "K03"), COL_ACTUAL), "1,234.5")
    window.table.setCurrentIndex(model.index(line(window, "K02"), COL_CODE))
    window.table.selectionModel().select(
        QItemSelection(
            model.index(line(window, "K02"), COL_CODE), model.index(line(window, "K03"), COL_ACTUAL)
        ),
        QItemSelectionModel.SelectionFlag.Select,
    )  # K02 … K03 across the 1-3 header row, as dragged with the mouse

    QGuiApplication.clipboard().clear()
    qtbot.keyClick(window.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    text = QGuiApplication.clipboard().text()

    assert text == (
        "K02\t立地事業所数\t件\t3\t3\t2\r\n"
        "K03\t創業件数\t件\t80\t80\t1,234.5\r\n"
    )  # fmt: skip

    select(window, [("K06", COL_CODE)])  # pasted back: fixed columns skipped, values land
    assert window.table.paste()
    assert cell(window, "K06", COL_ACTUAL) == "2"
    assert cell(window, "K07", COL_ACTUAL) == "1,234.5"  # the next KPI row, under 2-3
    assert cell(window, "K06", COL_NAME) == "ふるさと納税返礼品の新規登録商品数"


def test_delete_clears_the_selected_cells_in_one_step(
    qtbot, window: BulkEntryWindow, document: PlanDocument
) -> None:
    select(window, [("K02", COL_ACTUAL)])
    window.table.paste("12\t確定\r\n95\t速報\r\n")
    select(
        window, [("K02", COL_ACTUAL), ("K02", COL_STATUS), ("K03", COL_ACTUAL), ("K03", COL_NAME)]
    )

    qtbot.keyClick(window.table, Qt.Key.Key_Delete)

    assert [stored(document, k).actual for k in ("K02", "K03")] == [None, None]
    assert stored(document, "K02").status is None
    assert stored(document, "K03").status is FigureStatus.PRELIMINARY  # not selected
    assert cell(window, "K03", COL_NAME) == "創業件数"  # fixed columns are never cleared
    assert document.undo_stack.undoText() == "令和7(2025)年度 削除（3セル）"
    window.undo_action.trigger()
    assert [actual(document, k) for k in ("K02", "K03")] == [Decimal("12"), Decimal("95")]


def test_one_value_pasted_onto_a_selection_fills_it(
    window: BulkEntryWindow, document: PlanDocument
) -> None:
    select(window, [("K04", COL_STATUS), ("K05", COL_STATUS), ("K06", COL_STATUS)])
    assert window.table.paste("確定")
    assert [stored(document, k).status for k in ("K04", "K05", "K06")] == [FigureStatus.FINAL] * 3
    assert document.undo_stack.count() == 1


def test_a_block_pasted_into_a_multiple_selection_is_refused(
    qtbot, window: BulkEntryWindow, document: PlanDocument
) -> None:
    select(window, [("K03", COL_COMMENT), ("K10", COL_ACTUAL)])  # click, Ctrl+click
    QGuiApplication.clipboard().setText("7\n8\n9")
    qtbot.keyClick(window.table, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert message(window).startswith("この操作は複数の選択範囲に対して実行できません。")
    assert [actual(document, k) for k in ("K03", "K04", "K05", "K10")] == [None] * 4
    assert not document.undo_stack.canUndo()


def test_percent_dash_and_letters_in_a_pasted_column(
    window: BulkEntryWindow, document: PlanDocument
) -> None:
    select(window, [("K15", COL_ACTUAL)])  # K15 人, K16 %
    assert not window.table.paste("12.5%\r\n12.5%\r\n")
    assert message(window) == (
        "1件の値を読み取れないため、何も保存していません。\n"
        "K15 令和7(2025)年度の実績値「12.5%」: このKPIの単位は「人」のため「%」は付けられません。"
        "数字だけを入力してください（例: 12.5）。"
    )
    assert window.table.paste("470\r\n12.5%\r\n")
    assert (actual(document, "K15"), actual(document, "K16")) == (Decimal("470"), Decimal("12.5"))
    assert cell(window, "K16", COL_ACTUAL) == "12.5"
    assert window.table.paste("-\r\nー\r\n")  # dashes: no figure, the values are cleared
    assert (actual(document, "K15"), actual(document, "K16")) == (None, None)
    select(window, [("K14", COL_ACTUAL)])
    assert not window.table.paste("abc")
    assert "K14 令和7(2025)年度の実績値「abc」: 「abc」は数値ではありません。" in message(window)


def test_typing_into_a_fixed_or_computed_column_says_why(
    qtbot, window: BulkEntryWindow, document: PlanDocument
) -> None:
    table = window.table
    table.setCurrentIndex(window.model.index(line(window, "K03"), COL_RATE))
    qtbot.keyClicks(table, "9")
    assert message(window).startswith("「達成率(%)」の列は計算で求める値のため、入力できません。")
    table.setCurrentIndex(window.model.index(line(window, "K03"), COL_NAME))
    qtbot.keyClicks(table, "x")
    assert message(window).startswith("「KPI名」はこの表では変更できません。")
    assert cell(window, "K03", COL_NAME) == "創業件数"


def test_enter_without_editing_moves_to_the_next_kpi_row(qtbot, window: BulkEntryWindow) -> None:
    table = window.table
    table.setCurrentIndex(window.model.index(line(window, "K02"), COL_ACTUAL))
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert table.currentIndex().row() == line(window, "K03")  # over the 1-3 header
    qtbot.keyClick(table, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert table.currentIndex().row() == line(window, "K02")


def test_two_different_values_for_one_kpi_in_one_step_are_refused(
    window: BulkEntryWindow, document: PlanDocument
) -> None:
    model = window.model
    first, second = line(window, "K01", "1-1"), line(window, "K01", "1-2")
    assert not model.commit_cells([(first, COL_ACTUAL, "1"), (second, COL_ACTUAL, "2")], "貼り付け")
    assert "K01 令和7(2025)年度の実績値: 同じKPIの1-1と1-2の行に違う値「1」「2」" in message(window)
    assert actual(document, "K01") is None


def test_a_refused_paste_is_drawn_with_the_message(
    qtbot, window: BulkEntryWindow, tmp_path
) -> None:
    select(window, [("K01", COL_ACTUAL)])
    assert not window.table.paste("1\r\n2\r\n3件\r\n")
    window.model.setData(window.model.index(line(window, "K05"), COL_ACTUAL), "5件")
    select(window, [("K10", COL_COMMENT)])
    QApplication.processEvents()
    assert window.grab().save(str(tmp_path / "bulk_refused.png"))
    assert window.message.isVisible()
    table = window.table
    rect = table.visualRect(window.model.index(line(window, "K05"), COL_ACTUAL))
    image = table.viewport().grab().toImage()
    assert image.pixelColor(rect.left() + 3, rect.center().y()).name() == "#ffd6d6"
    second = window.model.index(line(window, "K01", "1-2"), COL_NAME)  # 再掲: drawn grey
    assert second.data(Qt.ItemDataRole.ForegroundRole).color().name() == "#666666"


# ------------------------------------------------------------------ filter, shared KPI, year


def test_missing_only_filter_shows_rows_without_actuals_and_counts_them(
    qtbot, window: BulkEntryWindow, document: PlanDocument
) -> None:
    model = window.model
    model.setData(model.index(line(window, "K01"), COL_ACTUAL), "1")
    model.setData(model.index(line(window, "K03"), COL_ACTUAL), "85")
    assert window.count_label.text() == "16件中 未入力 14件"

    window.missing_check.setChecked(True)

    codes = shown_codes(window)
    assert "K01" not in codes and "K03" not in codes
    assert codes[:2] == ["K02", "K04"]
    assert len(codes) == 14
    assert "1-1 GX関連産業参入・脱炭素経営の推進" not in headers(window)  # nothing left under it
    assert headers(window)[:3] == [
        "1 地域経済に活力を生み出す 新産業の創出",
        "1-2 成長分野等の企業立地",
        "2 新時代を先導する 産業の競争力・基盤強化",
    ]
    assert window.count_label.text() == "16件中 未入力 14件（表示 14件）"

    type_into(qtbot, window, "K02", COL_ACTUAL, "3")  # the row stays while the user works
    assert actual(document, "K02") == Decimal("3")
    assert cell(window, "K02", COL_ACTUAL) == "3"
    assert window.count_label.text() == "16件中 未入力 13件（表示 14件）"

    window.missing_check.setChecked(False)
    window.missing_check.setChecked(True)
    assert "K02" not in shown_codes(window)
    window.missing_check.setChecked(False)
    assert len(shown_codes(window)) == 17
    assert window.count_label.text() == "16件中 未入力 13件"


def test_search_narrows_the_rows(window: BulkEntryWindow) -> None:
    window.search_edit.setText("宿泊")
    assert shown_codes(window) == ["K10", "K11"]
    assert headers(window) == [
        "4 国内外からの誘客につなげる 観光の振興",
        "4-1 立体観光推進・受入態勢充実",
    ]
    window.search_edit.setText("ｋ０１")  # full-width typing matches too
    assert shown_codes(window) == ["K01", "K01"]


def test_the_twice_listed_kpi_updates_in_both_places(
    window: BulkEntryWindow, document: PlanDocument
) -> None:
    model = window.model
    under_1_1 = model.index(line(window, "K01", "1-1"), COL_ACTUAL)
    under_1_2 = model.index(line(window, "K01", "1-2"), COL_ACTUAL)
    assert not model.setData(under_1_1, "2基")
    assert model.is_invalid(under_1_1) and model.is_invalid(under_1_2)  # one KPI, one mark
    assert cell(window, "K01", COL_ACTUAL, "1-2") == "2基"

    assert model.setData(under_1_2, "2")

    assert actual(document, "K01") == Decimal("2")
    for measure in ("1-1", "1-2"):
        assert cell(window, "K01", COL_ACTUAL, measure) == "2"
        assert cell(window, "K01", COL_RATE, measure) == "66.7"  # 0 → 3 件 (累計)
    assert not model.is_invalid(under_1_1)
    assert window.count_label.text() == "16件中 未入力 15件"
    tip = window.model.data(
        window.model.index(line(window, "K01", "1-1"), COL_NAME), Qt.ItemDataRole.ToolTipRole
    )
    assert "1-1、1-2 に掲載されている同じKPIです" in tip


def test_switching_the_year_reloads_the_table(
    window: BulkEntryWindow, document: PlanDocument
) -> None:
    model = window.model
    model.setData(model.index(line(window, "K03"), COL_ACTUAL), "85")
    model.setData(model.index(line(window, "K05"), COL_ACTUAL), "12件")  # marked invalid

    window.set_fiscal_year(2026)

    assert window.year_combo.currentText() == "令和8(2026)年度"
    assert model.fiscal_year == 2026
    assert cell(window, "K03", COL_ACTUAL) == ""
    assert cell(window, "K05", COL_ACTUAL) == ""  # the mark belonged to 2025
    assert cell(window, "K04", COL_EXPECTED) == "30.0"  # linear 2023 → 2033
    assert window.count_label.text() == "16件中 未入力 16件"
    assert model.setData(model.index(line(window, "K03"), COL_ACTUAL), "90")
    assert document.undo_stack.undoText() == "令和8(2026)年度 K03 実績値の入力"
    assert actual(document, "K03", 2026) == Decimal("90")
    assert actual(document, "K03", 2025) == Decimal("85")

    window.set_fiscal_year(2025)
    assert cell(window, "K03", COL_ACTUAL) == "85"
    assert document.fiscal_year == 2025  # the window's year is its own


def test_changes_made_elsewhere_refresh_the_table(
    window: BulkEntryWindow, document: PlanDocument
) -> None:
    services = document.services
    document.apply("K12 実績値", lambda: services.values.record_actual("K12", FY, Decimal("5000")))
    assert cell(window, "K12", COL_ACTUAL) == "5,000"
    document.undo_stack.undo()
    assert cell(window, "K12", COL_ACTUAL) == ""
    document.apply("4-2 名称", lambda: services.structure.rename_measure("4-2", "観光資源の創出"))
    assert "4-2 観光資源の創出" in headers(window)


def test_ctrl_z_in_the_window_undoes_through_the_document(
    qtbot, window: BulkEntryWindow, document: PlanDocument
) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    type_into(qtbot, window, "K03", COL_ACTUAL, "85")
    assert actual(document, "K03") == Decimal("85")

    qtbot.keyClick(window.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert actual(document, "K03") is None
    assert cell(window, "K03", COL_ACTUAL) == ""

    qtbot.keyClick(window.table, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert actual(document, "K03") == Decimal("85")


# ------------------------------------------------------------------ the window


def test_one_window_per_main_window_reused_while_open(
    host: QWidget, document: PlanDocument, prompts: ScriptedPrompts
) -> None:
    first = open_bulk_entry(host, document)
    first.set_fiscal_year(2027)
    assert open_bulk_entry(host, document) is first
    assert first.fiscal_year == 2027
    first.close()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    second = open_bulk_entry(host, document)
    assert second is not first
    assert second.fiscal_year == FY  # starts at the document's year
    second.close()
    assert prompts.errors == []


def test_the_main_window_opens_it_from_the_tools_menu(make_window) -> None:
    main = make_window()
    main.act_bulk.trigger()
    windows = main.findChildren(BulkEntryWindow)
    assert len(windows) == 1
    bulk = windows[0]
    assert bulk.isVisible()
    assert bulk.fiscal_year == main.document.fiscal_year
    model = bulk.model
    assert model.setData(model.index(model.line_of("K03"), COL_ACTUAL), "85")
    assert main.act_undo.text().startswith("元に戻す: 令和")
    main.act_bulk.trigger()
    assert main.findChildren(BulkEntryWindow) == [bulk]


def test_closing_the_window_keeps_the_cell_being_typed(
    qtbot, host: QWidget, document: PlanDocument
) -> None:
    win = open_bulk_entry(host, document)
    index = win.model.index(win.model.line_of("K08"), COL_ACTUAL)
    win.table.setCurrentIndex(index)
    win.table.edit(index)
    editor = next(e for e in win.table.findChildren(QLineEdit) if e.isVisible())
    editor.insert("1,200")
    win.close()
    QApplication.processEvents()
    assert actual(document, "K08") == Decimal("1200")


def test_bulk_window_closes_with_its_database(make_window, seeded_template, tmp_path) -> None:
    import shutil

    from aomori_desktop.ui.bulk_entry import BulkEntryWindow, open_bulk_entry

    window = make_window()
    bulk = open_bulk_entry(window, window.document)
    assert bulk.isVisible()
    other = tmp_path / "other.sqlite3"
    shutil.copy(seeded_template, other)
    assert window.open_database(other)
    assert not any(w.isVisible() for w in window.findChildren(BulkEntryWindow))
