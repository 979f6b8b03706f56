"""User flows in the main window, on a real temporary database."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from aomori_desktop.domain.plan import FigureStatus, Sector
from aomori_desktop.services.dto import NodeKind
from aomori_desktop.ui.tree_model import GRADE_ROLE, NODE_ROLE
from aomori_desktop.ui.year_table import COL_ACTUAL, COL_GRADE, COL_INTERIM, COL_RATE, COL_STATUS


def tree_children(window, key: str) -> list[str]:
    model = window.tree_model
    index = model.index_for_key(key)
    return [model.data(model.index(r, 0, index)) for r in range(model.rowCount(index))]


def badge(window, key: str) -> str:
    return window.tree_model.data(window.tree_model.index_for_key(key), GRADE_ROLE)


def type_into_cell(qtbot, window, row: int, column: int, text: str) -> None:
    table = window.kpi_page.table
    index = table.model().index(row, column)
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


def cell(window, row: int, column: int) -> str:
    model = window.kpi_page.table_model
    return model.data(model.index(row, column))


def test_tree_models_pass_qt_model_tester(make_window, qtmodeltester) -> None:
    window = make_window()
    qtmodeltester.check(window.tree_model)
    qtmodeltester.check(window.proxy)
    qtmodeltester.check(window.overview_page.kpi_model)
    qtmodeltester.check(window.overview_page.project_model)
    window.select_key("K01@1-1")
    qtmodeltester.check(window.kpi_page.table_model)


def test_tree_follows_the_document_with_relistings_and_shared_kpis(make_window) -> None:
    window = make_window()
    pillars = tree_children(window, "plan")
    assert pillars[0] == "1 地域経済に活力を生み出す 新産業の創出"
    assert len(pillars) == 5
    assert tree_children(window, "1-2") == [
        "① 洋上風力発電事業プロジェクト誘致による企業立地",
        "② 浮体式洋上風力発電のハブ港化",
        "③ 市内事業者・立地企業の脱炭素化の推進（再掲）",
        "KPI 青森港を利用する洋上風力発電事業者数(累計)",
        "KPI 立地事業所数",
    ]
    # the offshore-wind KPI serves 1-1 and 1-2
    assert "KPI 青森港を利用する洋上風力発電事業者数(累計)" in tree_children(window, "1-1")
    relisting = window.tree_model.node(window.tree_model.index_for_key("1-2-3"))
    assert relisting.relisting and str(relisting.home) == "1-1-2"


def test_typing_an_actual_stores_it_and_updates_cells_badges_and_undo(qtbot, make_window) -> None:
    window = make_window()
    window.select_key("K03@1-3")  # 創業件数 80件 → 80件 (maintain)
    assert window.stack.currentWidget() is window.kpi_page
    assert badge(window, "K03@1-3") == "-"

    type_into_cell(qtbot, window, 0, COL_ACTUAL, "72")

    assert window.document.reader.kpi_detail("K03").year(2024).actual == Decimal("72")
    assert cell(window, 0, COL_ACTUAL) == "72"
    assert cell(window, 0, COL_RATE) == "90.0"  # 72 / 80
    assert cell(window, 0, COL_GRADE) == "C 遅れ"
    assert badge(window, "K03@1-3") == "C"
    assert badge(window, "1-3") == "C"
    assert window.act_undo.text().startswith("元に戻す: K03 令和6(2024)年度 実績値の入力")

    window.act_undo.trigger()
    QApplication.processEvents()
    assert window.document.reader.kpi_detail("K03").year(2024).actual is None
    assert cell(window, 0, COL_ACTUAL) == ""
    assert badge(window, "K03@1-3") == "-"
    history = window.document.services.queries.history("kpi", "K03")
    assert [(h.field, h.old, h.new) for h in history] == [
        ("actual", None, "72"),
        ("actual", "72", None),
    ]

    window.act_redo.trigger()
    assert window.document.reader.kpi_detail("K03").year(2024).actual == Decimal("72")
    assert badge(window, "K03@1-3") == "C"


def test_japanese_office_number_habits_are_accepted(qtbot, make_window) -> None:
    window = make_window()
    window.select_key("K10@4-1")  # 主要宿泊施設宿泊客数 1,109,980 → 1,490,000 人泊
    type_into_cell(qtbot, window, 1, COL_ACTUAL, "１，２００，５００")
    assert window.document.reader.kpi_detail("K10").year(2025).actual == Decimal("1200500")
    assert cell(window, 1, COL_ACTUAL) == "1,200,500"


def test_a_unit_typed_by_mistake_is_refused_and_the_text_kept(qtbot, make_window) -> None:
    window = make_window()
    window.select_key("K03@1-3")
    type_into_cell(qtbot, window, 1, COL_ACTUAL, "85件")
    page = window.kpi_page
    assert "単位を付けずに" in page.table_message.text()
    assert "令和7(2025)年度の実績値「85件」" in page.table_message.text()
    assert cell(window, 1, COL_ACTUAL) == "85件"  # the user's text stays for correction
    background = page.table_model.data(
        page.table_model.index(1, COL_ACTUAL), Qt.ItemDataRole.BackgroundRole
    )
    assert background.color().name() == "#ffd6d6"
    assert window.document.reader.kpi_detail("K03").year(2025).actual is None
    assert not window.document.undo_stack.canUndo()

    type_into_cell(qtbot, window, 1, COL_ACTUAL, "85")
    assert window.document.reader.kpi_detail("K03").year(2025).actual == Decimal("85")
    assert cell(window, 1, COL_ACTUAL) == "85"


TSV_3X10 = (
    "\r\n".join(
        f"{interim}\t{actual}\t{status}"
        for interim, actual, status in [
            ("145", "150", "確定"),
            ("199", "210", "確定"),
            ("253", "260", "確定"),
            ("307", "301", "速報"),
            ("361", "", ""),
            ("415", "", ""),
            ("469", "", ""),
            ("523", "", ""),
            ("577", "", ""),
            ("631", "", ""),
        ]
    )
    + "\r\n"
)


def test_pasting_a_3x10_block_from_excel_is_one_step(make_window) -> None:
    window = make_window()
    window.select_key("K04@2-1")  # ITツール等導入事業者数(累計) 91 → 631
    table = window.kpi_page.table
    table.setCurrentIndex(table.model().index(0, COL_INTERIM))
    assert table.paste(TSV_3X10)

    detail = window.document.reader.kpi_detail("K04")
    assert [y.interim_target for y in detail.years] == [
        Decimal(v) for v in (145, 199, 253, 307, 361, 415, 469, 523, 577, 631)
    ]
    assert [y.actual for y in detail.years[:5]] == [
        Decimal("150"),
        Decimal("210"),
        Decimal("260"),
        Decimal("301"),
        None,
    ]
    assert detail.year(2027).status is FigureStatus.PRELIMINARY
    assert cell(window, 3, COL_STATUS) == "速報"
    assert cell(window, 0, COL_RATE) == "10.9"  # (150-91)/(631-91) = 10.93 %
    assert window.document.undo_stack.count() == 1
    assert window.document.undo_stack.undoText() == "K04 貼り付け（30セル）"

    window.act_undo.trigger()
    detail = window.document.reader.kpi_detail("K04")
    assert all(
        y.actual is None and y.interim_target is None and y.status is None for y in detail.years
    )


def test_a_pasted_block_with_a_bad_cell_stores_nothing(make_window) -> None:
    window = make_window()
    window.select_key("K04@2-1")
    table = window.kpi_page.table
    table.setCurrentIndex(table.model().index(0, COL_ACTUAL))
    assert not table.paste("150\r\nabc\r\n260\t確認中\r\n")
    message = window.kpi_page.table_message.text()
    assert "2件の値を読み取れないため、何も保存していません" in message
    assert "令和7(2025)年度の実績値「abc」" in message
    assert "令和8(2026)年度の速報/確定「確認中」" in message
    assert all(y.actual is None for y in window.document.reader.kpi_detail("K04").years)
    assert not window.document.undo_stack.canUndo()


def test_copy_gives_tab_separated_text(make_window) -> None:
    window = make_window()
    window.document.services.values.record_actual("K04", 2024, Decimal("1234"))
    window.select_key("K04@2-1")
    table = window.kpi_page.table
    model = table.model()
    table.selectionModel().select(
        model.index(0, COL_INTERIM), table.selectionModel().SelectionFlag.Select
    )
    table.selectionModel().select(
        model.index(0, COL_ACTUAL), table.selectionModel().SelectionFlag.Select
    )
    assert table.copy_selection() == "\t1,234\r\n"
    assert QApplication.clipboard().text() == "\t1,234\r\n"


def test_search_filters_the_tree_and_keeps_parents(qtbot, make_window) -> None:
    window = make_window()
    window.search_edit.insert("アグリテック")  # only in a project's description
    proxy = window.proxy
    plan = proxy.index(0, 0)
    assert proxy.rowCount(plan) == 1
    pillar = proxy.index(0, 0, plan)
    assert pillar.data() == "2 新時代を先導する 産業の競争力・基盤強化"
    measure = proxy.index(0, 0, pillar)
    assert measure.data() == "2-1 DX・デジタル化の推進"
    assert proxy.index(0, 0, measure).data() == "① 第1次産業におけるDXの推進"

    window.search_edit.clear()
    window.search_edit.insert("ｋ１４")  # full-width code finds K14
    plan = proxy.index(0, 0)
    pillar = proxy.index(0, 0, plan)
    assert pillar.data().startswith("5 ")


def test_relisted_project_edited_from_either_place_is_one_project(qtbot, make_window) -> None:
    window = make_window()
    window.select_key("1-2-3")
    page = window.project_page
    assert window.stack.currentWidget() is page
    assert "このページは再掲です" in page.relisting_label.text()
    assert page.home_button.isVisibleTo(page)
    page.title_edit.setText("市内事業者・立地企業の脱炭素化の推進（GX）")
    page.title_edit.editingFinished.emit()
    QApplication.processEvents()
    assert tree_children(window, "1-1")[1] == "② 市内事業者・立地企業の脱炭素化の推進（GX）"
    assert tree_children(window, "1-2")[2] == "③ 市内事業者・立地企業の脱炭素化の推進（GX）（再掲）"
    assert (
        window.document.reader.project_detail("PJ02").title
        == "市内事業者・立地企業の脱炭素化の推進（GX）"
    )

    page.home_button.click()
    assert str(window.current_node().key) == "1-1-2"
    assert not page.home_button.isVisibleTo(page)
    page.description_edit.setPlainText("取組内容を更新")
    page.description_edit.setFocus()
    window.search_edit.setFocus()  # leaving the field commits it
    QApplication.processEvents()
    window.select_key("1-2-3")
    assert page.description_edit.toPlainText() == "取組内容を更新"


def test_fiscal_year_selector_drives_the_badges(make_window) -> None:
    window = make_window()
    window.document.services.values.record_actual("K02", 2026, Decimal("3"))  # 立地事業所数 3 → 3
    window.document.changed.emit(
        window.document.services.values.record_actual("K02", 2026, Decimal("2")).changes, None
    )
    assert badge(window, "K02@1-2") == "-"  # FY2024 selected: no value
    window.year_combo.setCurrentIndex(2)
    assert window.document.fiscal_year == 2026
    assert badge(window, "K02@1-2") == "C"  # 2 / 3 = 66.7 % against 100 %
    assert window.year_label.text() == "評価年度: 令和8(2026)年度"


def test_target_revision_asks_for_a_reason_and_keeps_the_old_target(make_window, prompts) -> None:
    window = make_window()
    window.select_key("K01@1-1")
    seen: list[str] = []

    def fill(dialog) -> bool:
        dialog.value_edit.setText("5")
        dialog._try_accept()  # no reason yet
        seen.append(dialog.message.text())
        dialog.reason_edit.setPlainText("港湾計画の改訂に合わせて上方修正")
        dialog._try_accept()
        return dialog.result() == dialog.DialogCode.Accepted

    prompts.dialog_scripts.append(fill)
    window.kpi_page.revise_button.click()
    assert "理由を入力してください" in seen[0]
    detail = window.document.reader.kpi_detail("K01")
    assert detail.target == Decimal("5")
    assert [(r.old_value, r.new_value, r.reason) for r in detail.revisions] == [
        (Decimal("3"), Decimal("5"), "港湾計画の改訂に合わせて上方修正")
    ]
    assert "3 → 5 件" in window.kpi_page.revisions_list.item(0).text()
    assert window.kpi_page.target_label.text() == "5 件（令和15(2033)年度）"


def test_invalid_field_input_keeps_the_text_and_stores_nothing(make_window) -> None:
    window = make_window()
    window.select_key("K01@1-1")
    page = window.kpi_page
    page.baseline_edit.setText("ゼロ")
    page.baseline_edit.editingFinished.emit()
    assert page.baseline_edit.text() == "ゼロ"
    assert "基準値:" in page.form_message.text()
    assert window.document.reader.kpi_detail("K01").baseline == Decimal("0")
    page.name_edit.setText("")
    page.name_edit.editingFinished.emit()
    assert "名称が空です" in page.form_message.text()
    assert (
        window.document.reader.kpi_detail("K01").name
        == "青森港を利用する洋上風力発電事業者数(累計)"
    )


def test_opening_a_file_that_is_not_a_database_says_so(
    make_window, prompts, tmp_path: Path
) -> None:
    window = make_window(open_db=False)
    junk = tmp_path / "メモ.sqlite3"
    junk.write_text("これはデータベースではありません", encoding="utf-8")
    assert not window.open_database(junk)
    assert prompts.errors == [
        f"「{junk}」はこのアプリケーションのデータベースではありません（SQLiteデータベースとして読み取れません）。"
    ]
    assert window.document is None
    assert junk.read_text(encoding="utf-8") == "これはデータベースではありません"


def test_window_remembers_database_and_year(make_window, settings, db_file: Path) -> None:
    window = make_window()
    window.year_combo.setCurrentIndex(3)
    window.close()
    assert settings.value("files/last") == str(db_file)
    assert int(settings.value("view/fiscal_year")) == 2027
    again = make_window()
    assert again.document.fiscal_year == 2027
    assert again.recent_menu.actions()[0].text() == str(db_file)


@pytest.mark.parametrize("key", ["plan", "2", "2-1"])
def test_overview_pages_list_kpis_and_projects(make_window, key: str) -> None:
    window = make_window()
    window.document.changed.emit(
        window.document.services.values.record_actual("K04", 2024, Decimal("145")).changes, None
    )
    window.select_key(key)
    page = window.overview_page
    assert window.stack.currentWidget() is page
    model = page.kpi_model

    def text(row: int, column: int) -> str:
        return model.data(model.index(row, column))

    codes = [text(r, 0) for r in range(model.rowCount())]
    assert "K04" in codes
    row = codes.index("K04")
    assert text(row, 4) == "145（令和6(2024)年度）"
    assert text(row, 5) == "10.0"
    assert text(row, 7) == "B 順調"
    assert page.counts_label.text().startswith(f"KPI {len(codes)}件: A 達成 0　B 順調 1")
    page.kpi_view.doubleClicked.emit(model.index(row, 1))
    assert str(window.current_node().key) == "K04@2-1"
    assert window.stack.currentWidget() is window.kpi_page


def test_node_roles_carry_plain_data(make_window) -> None:
    window = make_window()
    node = window.tree_model.data(window.tree_model.index_for_key("K01@1-2"), NODE_ROLE)
    assert node.kind is NodeKind.KPI and node.ref == "K01"
    assert window.tree_model.parent(QModelIndex()) == QModelIndex()


def test_partners_are_edited_in_a_dialog_and_undone(make_window, prompts) -> None:
    window = make_window()
    window.select_key("1-1-1")
    page = window.project_page
    assert page.partners_label.text() == "（未登録）"

    def fill(dialog) -> bool:
        dialog.add_row(Sector.INDUSTRY, "")
        dialog._try_accept()  # an empty name is refused, the dialog stays open
        seen.append(dialog.message.text())
        dialog.table.item(0, 1).setText("市内造船・鉄工事業者")
        dialog.add_row(Sector.ACADEMIA, "八戸工業大学")
        dialog._try_accept()
        return dialog.result() == dialog.DialogCode.Accepted

    seen: list[str] = []
    prompts.dialog_scripts.append(fill)
    page.partners_button.click()
    assert seen == ["1行目の名称を入力してください（不要な行は削除してください）。"]
    assert page.partners_label.text() == "産: 市内造船・鉄工事業者、学: 八戸工業大学"
    assert window.document.reader.project_detail("PJ01").partners == (
        ("industry", "市内造船・鉄工事業者"),
        ("academia", "八戸工業大学"),
    )
    window.act_undo.trigger()
    assert window.document.reader.project_detail("PJ01").partners == ()
    assert page.partners_label.text() == "（未登録）"


def test_the_tree_is_usable_from_the_keyboard(qtbot, make_window) -> None:
    window = make_window()
    tree = window.tree
    tree.setFocus()
    window.select_key("1-1")
    qtbot.keyClick(tree, Qt.Key.Key_Right)  # expand 1-1
    qtbot.keyClick(tree, Qt.Key.Key_Down)
    assert str(window.current_node().key) == "1-1-1"
    assert window.stack.currentWidget() is window.project_page
    for _ in range(2):
        qtbot.keyClick(tree, Qt.Key.Key_Down)
    assert str(window.current_node().key) == "K01@1-1"
    assert window.stack.currentWidget() is window.kpi_page
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.search_edit.hasFocus()


def test_a_failed_undo_keeps_the_step_for_a_retry(qtbot, make_window, prompts, monkeypatch) -> None:
    # a lock is waited through (see test_operations); a write error is not
    from contextlib import contextmanager

    from aomori_desktop.store.errors import StoreError

    window = make_window()
    window.select_key("K03@1-3")
    type_into_cell(qtbot, window, 0, COL_ACTUAL, "100")
    type_into_cell(qtbot, window, 0, COL_ACTUAL, "200")
    access = window.document.services.access  # every service write opens its transaction here
    real = access.transaction
    calls = {"n": 0}

    @contextmanager
    def locked_once():
        calls["n"] += 1
        if calls["n"] == 1:
            raise StoreError(
                "データベースへの書き込みに失敗しました（ディスクの空き容量を確認してください）。"
            )
        with real() as tx:
            yield tx

    monkeypatch.setattr(access, "transaction", locked_once)
    window.act_undo.trigger()  # fails: locked
    assert "変更は記録したままです" in prompts.errors[-1]
    assert window.document.undo_stack.index() == 2  # nothing was lost from the history
    assert window.document.reader.kpi_detail("K03").year(2024).actual == Decimal("200")
    assert cell(window, 0, COL_ACTUAL) == "200"

    window.act_undo.trigger()  # retry works
    assert window.document.reader.kpi_detail("K03").year(2024).actual == Decimal("100")
    window.act_undo.trigger()
    assert window.document.reader.kpi_detail("K03").year(2024).actual is None
    window.act_redo.trigger()
    window.act_redo.trigger()
    assert window.document.reader.kpi_detail("K03").year(2024).actual == Decimal("200")


def test_refused_text_stays_with_its_kpi(make_window) -> None:
    window = make_window()
    window.select_key("K10@4-1")
    page = window.kpi_page
    page.baseline_edit.setText("1,110,000人泊")
    page.baseline_edit.editingFinished.emit()
    assert page.baseline_edit.text() == "1,110,000人泊"
    window.select_key("K12@4-2")
    assert page.baseline_edit.text() == "4,616"  # K12's own value, not the refused text
    assert page.baseline_edit.styleSheet() == ""
    page.baseline_edit.editingFinished.emit()
    assert window.document.reader.kpi_detail("K12").baseline == Decimal("4616")
    assert window.document.reader.kpi_detail("K10").baseline == Decimal("1109980")


def test_closing_with_refused_input_asks_first(qtbot, make_window, prompts) -> None:
    window = make_window()
    window.select_key("K03@1-3")
    type_into_cell(qtbot, window, 1, COL_ACTUAL, "12件")
    prompts.confirm_answers.append(False)
    assert not window.close()
    assert "令和7(2025)年度 実績値「12件」" in prompts.confirms[-1]
    assert window.isVisible() and window.document is not None
    prompts.confirm_answers.append(True)
    assert window.close()


def test_a_missing_recent_file_is_reported_not_recreated(
    make_window, prompts, db_file: Path
) -> None:
    window = make_window()
    moved = db_file.with_name("moved.sqlite3")
    window.close()
    db_file.rename(moved)
    again = make_window(open_db=False)
    again.recent_menu.actions()[0].trigger()
    assert prompts.errors == [f"データベース「{db_file}」が見つかりません。"]
    assert not db_file.exists()
    assert again.document is None


def test_a_database_with_an_unreadable_value_is_refused_with_a_sentence(
    make_window, prompts, db_file: Path
) -> None:
    import sqlite3

    with sqlite3.connect(db_file) as conn:
        conn.execute("UPDATE kpi SET baseline = '1,000' WHERE code = 'K01'")
    window = make_window(open_db=False)
    assert not window.open_database(db_file)
    assert prompts.errors == [
        "データベースに数値として読み取れない値「1,000」が記録されています。"
        "他のプログラムで書き換えられた可能性があります。バックアップから復元してください。"
    ]
    assert window.document is None
    assert window.stack.currentWidget() is window.empty_page


def test_pastes_that_cannot_fit_or_read_say_so_briefly(make_window) -> None:
    window = make_window()
    window.select_key("K10@4-1")
    page = window.kpi_page
    table = page.table
    table.setCurrentIndex(table.model().index(0, COL_ACTUAL))
    assert not table.paste("1\r\n" * 10_000)
    assert page.table_message.text() == (
        "貼り付ける範囲（10,000行×1列）が表の外にはみ出しています（ここから下に10行、右に7列）。"
        "何も保存していません。貼り付け先の位置を確認してください。"
    )
    assert not table.paste("abc\tdef\r\n" * 10)
    lines = page.table_message.text().splitlines()
    assert lines[0] == "20件の値を読み取れないため、何も保存していません。"
    assert lines[-1] == "…ほか15件" and len(lines) == 7
    assert not table.paste('"' + "x" * 200_000 + "\r\n")  # unbalanced quote, huge cell
    assert "数値ではありません" in page.table_message.text()
    assert all(y.actual is None for y in window.document.reader.kpi_detail("K10").years)


def test_a_read_only_database_says_so_and_refuses_edits(
    qtbot, make_window, prompts, db_file: Path
) -> None:
    window = make_window(open_db=False)
    assert window.open_database(f"sqlite:///file:{db_file}?mode=ro&uri=true")
    assert "読み取り専用" in window.db_label.text()
    window.select_key("K03@1-3")
    type_into_cell(qtbot, window, 0, COL_ACTUAL, "80")
    assert cell(window, 0, COL_ACTUAL) == ""  # editing is disabled (ui/safety.py)
    table = window.kpi_page.table
    table.setCurrentIndex(table.model().index(0, COL_ACTUAL))
    assert not table.paste("80")  # and what gets past the screen is refused by the file
    assert "読み取り専用のため保存できません" in window.kpi_page.table_message.text()
    assert window.document.reader.kpi_detail("K03").year(2024).actual is None


def test_two_windows_on_one_database_never_overwrite_each_other(
    qtbot, make_window, prompts
) -> None:
    first = make_window()
    second = make_window()  # another PC on the shared drive, or a second window
    for window in (first, second):
        window.select_key("K10@4-1")
    type_into_cell(qtbot, first, 0, COL_ACTUAL, "1200000")
    assert cell(second, 0, COL_ACTUAL) == ""  # the second window has not seen it yet

    shown: list[str] = []
    prompts.dialog_scripts.append(lambda d: shown.extend([d.cell_text(0, 1), d.cell_text(0, 2)]))
    type_into_cell(qtbot, second, 0, COL_ACTUAL, "1250000")  # asked; keeps theirs
    assert shown == ["1,250,000", "1,200,000"]
    assert "他の利用者が変更した値を残しました" in second.kpi_page.table_message.text()
    assert second.document.reader.kpi_detail("K10").year(2024).actual == Decimal("1200000")
    assert cell(second, 0, COL_ACTUAL) == "1,200,000"  # theirs is shown
    assert cell(second, 1, COL_ACTUAL) == ""

    # once the screen shows the stored value, the second window may change it
    type_into_cell(qtbot, second, 0, COL_ACTUAL, "1250000")
    assert second.document.reader.kpi_detail("K10").year(2024).actual == Decimal("1250000")

    # the first window's undo would wipe out the second window's value: refused, kept
    first.act_undo.trigger()
    assert "他の利用者（または別の画面）が次の値を変更しています" in prompts.errors[-1]
    assert first.document.reader.kpi_detail("K10").year(2024).actual == Decimal("1250000")
    assert cell(first, 0, COL_ACTUAL) == "1,250,000"  # refreshed to what is stored


def test_refresh_shows_what_another_window_entered(qtbot, make_window) -> None:
    first = make_window()
    second = make_window()
    for window in (first, second):
        window.select_key("K03@1-3")
    type_into_cell(qtbot, first, 0, COL_ACTUAL, "85")
    assert cell(second, 0, COL_ACTUAL) == "" and badge(second, "K03@1-3") == "-"
    second.act_refresh.trigger()
    assert cell(second, 0, COL_ACTUAL) == "85"
    assert badge(second, "K03@1-3") == "A"
    assert second.act_refresh.shortcut().toString() == "F5"


def test_a_very_long_kpi_name_does_not_push_the_form_away(make_window) -> None:
    from aomori_desktop.services.kpi_fields import KpiFieldsEdit

    window = make_window()
    long_name = "市内における地域経済の持続的な発展と雇用の創出に向けた" * 8
    window.document.services.kpi_fields.update_kpi("K10", KpiFieldsEdit(name=long_name))
    window.select_key("K10@4-1")
    heading = window.kpi_page.heading
    assert heading.text().endswith("…") and len(heading.text()) <= 92
    assert heading.toolTip() == f"K10　{long_name}"
    assert window.kpi_page.name_edit.text() == long_name
