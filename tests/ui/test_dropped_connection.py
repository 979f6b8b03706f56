"""A window on a PostgreSQL server whose connection drops in the middle of a write (an edit
typed into the yearly table, an import from ファイル → 取り込み): nothing is half written, the
user reads one sentence, and the same window goes on working once the line is back.

The line drops inside the write's own transaction: a trigger on `audit_log` makes the server
end the writing connection (`pg_terminate_backend(pg_backend_pid())`) after the write's n-th
audit row, while the rows written before it are still uncommitted — what a network cut or a
server restart does at the worst moment.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from aomori_desktop.ui.year_table import COL_ACTUAL, COL_RATE
from tests import backends
from tests.ui.test_main_window import cell, type_into_cell

LOST = "との接続が切れたため、この操作は保存していません。"
LOST_AT_COMMIT = "との接続が保存の途中で切れました。保存されたかどうかは、再接続した後の画面で確認"


def arm_line_cut(url: str, after_rows: int = 1, *, at_commit: bool = False) -> None:
    """From now on, every write's `after_rows`-th audit row ends the writing connection: at
    once, or (`at_commit`) when the write commits (a deferred trigger runs inside COMMIT)."""
    when = (
        "CONSTRAINT TRIGGER test_cut_line AFTER INSERT ON audit_log DEFERRABLE INITIALLY DEFERRED"
        if at_commit
        else "TRIGGER test_cut_line AFTER INSERT ON audit_log"
    )
    backends.execute(
        url,
        "CREATE TABLE test_cut_line (after_rows integer NOT NULL); "
        f"INSERT INTO test_cut_line VALUES ({after_rows}); "
        "CREATE FUNCTION test_cut_line() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "DECLARE n integer; limit_rows integer; BEGIN "
        "  SELECT after_rows INTO limit_rows FROM test_cut_line LIMIT 1; "
        "  IF limit_rows IS NOT NULL THEN "
        "    n := coalesce(nullif(current_setting('test_cut.rows', true), ''), '0')::int + 1; "
        "    PERFORM set_config('test_cut.rows', n::text, true); "
        "    IF n >= limit_rows THEN PERFORM pg_terminate_backend(pg_backend_pid()); END IF; "
        "  END IF; RETURN NEW; END $$; "
        f"CREATE {when} FOR EACH ROW EXECUTE FUNCTION test_cut_line()",
    )


def disarm_line_cut(url: str) -> None:
    backends.execute(
        url,
        "DROP TRIGGER test_cut_line ON audit_log; DROP FUNCTION test_cut_line(); "
        "DROP TABLE test_cut_line",
    )


def stored_actual(url: str, kpi: str, year: int) -> list[tuple[Any, ...]]:
    return backends.rows(
        url,
        "SELECT y.actual FROM kpi_year y JOIN kpi k ON k.id = y.kpi_id "
        "WHERE k.code = ? AND y.fiscal_year = ?",
        kpi,
        year,
    )


def audit_count(url: str) -> int:
    return int(backends.rows(url, "SELECT count(*) FROM audit_log")[0][0])


@pytest.fixture
def server_window(make_window, server_db: str) -> Any:
    window = make_window(open_db=False)
    assert window.open_database(server_db)
    QApplication.processEvents()
    return window


def test_an_edit_cut_off_by_the_server_stores_nothing_and_the_window_goes_on(
    qtbot, server_window, server_db: str, prompts, tmp_path: Path
) -> None:
    window = server_window
    window.select_key("K03@1-3")  # 創業件数, target 80
    type_into_cell(qtbot, window, 0, COL_ACTUAL, "60")  # one edit that went through
    assert stored_actual(server_db, "K03", 2024) == [("60",)]
    stack = window.document.undo_stack
    assert (stack.count(), stack.index()) == (1, 1)
    before = backends.dump(server_db)
    audits = audit_count(server_db)

    arm_line_cut(server_db)
    type_into_cell(qtbot, window, 0, COL_ACTUAL, "72")

    # nothing of the edit reached the database: neither the value nor its audit row
    assert backends.dump(server_db) == before
    assert audit_count(server_db) == audits
    # one sentence, in Japanese, that says it was not stored
    assert prompts.errors == []  # said under the table, no box to click away
    shown = window.kpi_page.table_message.text()
    assert LOST in shown, shown
    assert shown.endswith("\n保存していない入力（令和6(2024)年度の実績値）: 72")  # kept to copy
    # the cell shows what is stored, not the lost input as if it were stored
    assert cell(window, 0, COL_ACTUAL) == "60"
    assert cell(window, 0, COL_RATE) == "75.0"
    # the failed edit is no step of the history
    assert (stack.count(), stack.index()) == (1, 1)
    assert stack.undoText() == "K03 令和6(2024)年度 実績値の入力"
    window.grab().save(str(tmp_path / "dropped_edit.png"))

    disarm_line_cut(server_db)  # the line is back: the same window, the same edit
    type_into_cell(qtbot, window, 0, COL_ACTUAL, "72")
    assert stored_actual(server_db, "K03", 2024) == [("72",)]
    assert cell(window, 0, COL_ACTUAL) == "72"
    assert LOST not in window.kpi_page.table_message.text()
    assert (stack.count(), stack.index()) == (2, 2)

    window.act_undo.trigger()  # the history is whole: back to 60, then to nothing
    qtbot.waitUntil(lambda: stored_actual(server_db, "K03", 2024) == [("60",)], timeout=10000)
    assert cell(window, 0, COL_ACTUAL) == "60"
    window.act_undo.trigger()
    qtbot.waitUntil(lambda: stored_actual(server_db, "K03", 2024) in ([], [(None,)]))
    window.act_redo.trigger()
    window.act_redo.trigger()
    qtbot.waitUntil(lambda: stored_actual(server_db, "K03", 2024) == [("72",)], timeout=10000)
    assert Decimal(cell(window, 0, COL_ACTUAL)) == Decimal("72")


def test_an_edit_cut_off_while_it_commits_says_to_look_and_shows_what_is_stored(
    qtbot, server_window, server_db: str, prompts
) -> None:
    window = server_window
    window.select_key("K03@1-3")
    type_into_cell(qtbot, window, 0, COL_ACTUAL, "60")
    before = backends.dump(server_db)

    arm_line_cut(server_db, at_commit=True)
    type_into_cell(qtbot, window, 0, COL_ACTUAL, "72")

    assert backends.dump(server_db) == before  # the COMMIT did not go through
    shown = window.kpi_page.table_message.text()
    assert LOST_AT_COMMIT in shown, shown
    assert cell(window, 0, COL_ACTUAL) == "60"  # what the screen must show: what is stored
    assert window.document.undo_stack.count() == 1

    disarm_line_cut(server_db)
    type_into_cell(qtbot, window, 0, COL_ACTUAL, "72")
    assert stored_actual(server_db, "K03", 2024) == [("72",)]
    assert window.document.undo_stack.count() == 2
    assert prompts.errors == []


def test_an_import_cut_off_by_the_server_stores_nothing_and_can_be_done_again(
    qtbot, server_window, server_db: str, prompts, tmp_path: Path
) -> None:
    import openpyxl

    from aomori_desktop.services.collection import Scope, ScopeKind, write_collection_workbooks
    from aomori_desktop.ui.import_dialog import ImportDialog

    window = server_window
    form = tmp_path / "観光.xlsx"
    write_collection_workbooks(
        window.document.services.access, 2024, Scope(ScopeKind.MEASURE, "4-1"), form
    )
    book = openpyxl.load_workbook(form)
    sheet = book["KPI"]
    rows = {sheet.cell(row=r, column=1).value: r for r in range(5, sheet.max_row + 1)}
    sheet[f"M{rows['kpi:K10']}"] = "1,120,500"
    sheet[f"M{rows['kpi:K11']}"] = 99999
    book.save(form)
    before = backends.dump(server_db)
    assert stored_actual(server_db, "K10", 2024) in ([], [(None,)])
    seen: dict[str, Any] = {}

    def script(dialog: Any) -> bool:
        assert isinstance(dialog, ImportDialog)
        dialog.show()
        dialog.add_files([form])
        qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=10000)
        seen["summary"] = dialog.summary_label.text()
        arm_line_cut(server_db, after_rows=2)  # the first value is written, not committed
        dialog.import_button.click()
        qtbot.waitUntil(lambda: bool(prompts.errors), timeout=20000)
        seen["after the cut"] = backends.dump(server_db)
        seen["button after the cut"] = dialog.import_button.isEnabled()
        dialog.grab().save(str(tmp_path / "dropped_import.png"))
        disarm_line_cut(server_db)  # the line is back: the same dialog, the same import
        dialog.import_button.click()
        qtbot.waitUntil(lambda: dialog.result_summary is not None, timeout=20000)
        return True

    prompts.dialog_scripts.append(script)
    window.act_import.trigger()

    assert seen["summary"] == "2件の値を取り込みます（元に戻すことができます）。"
    assert seen["after the cut"] == before  # nothing half-imported
    assert len(prompts.errors) == 1 and LOST in prompts.errors[0], prompts.errors
    assert seen["button after the cut"] is True  # it can be tried again
    assert stored_actual(server_db, "K10", 2024) == [("1120500",)]
    assert stored_actual(server_db, "K11", 2024) == [("99999",)]
    stack = window.document.undo_stack
    assert (stack.count(), stack.undoText()) == (1, "調査票の取り込み")  # one step, not two
    window.act_undo.trigger()
    qtbot.waitUntil(lambda: stored_actual(server_db, "K10", 2024) in ([], [(None,)]))
    assert stored_actual(server_db, "K11", 2024) in ([], [(None,)])


def test_a_comment_typed_in_the_bulk_entry_window_is_kept_when_the_line_drops(
    qtbot, server_window, server_db: str, tmp_path: Path
) -> None:
    from aomori_desktop.ui.bulk_entry import open_bulk_entry
    from aomori_desktop.ui.bulk_table import COL_COMMENT
    from tests.ui.test_bulk_entry import cell as bulk_cell
    from tests.ui.test_bulk_entry import message, type_into

    window = server_window
    bulk = open_bulk_entry(window, window.document)
    QApplication.processEvents()
    before = backends.dump(server_db)
    comment = "新規創業支援の相談件数が増加した"

    arm_line_cut(server_db)
    type_into(qtbot, bulk, "K03", COL_COMMENT, comment)

    assert backends.dump(server_db) == before
    assert bulk_cell(bulk, "K03", COL_COMMENT) == ""  # what is stored
    assert LOST in message(bulk)
    assert message(bulk).endswith(
        f"保存していない入力（K03 令和6(2024)年度の要因分析・コメント）: {comment}"
    )
    assert window.document.undo_stack.count() == 0
    bulk.grab().save(str(tmp_path / "dropped_bulk.png"))

    disarm_line_cut(server_db)
    type_into(qtbot, bulk, "K03", COL_COMMENT, comment)
    assert bulk_cell(bulk, "K03", COL_COMMENT) == comment
    assert backends.rows(
        server_db,
        "SELECT y.comment FROM kpi_year y JOIN kpi k ON k.id = y.kpi_id "
        "WHERE k.code = 'K03' AND y.fiscal_year = 2024",
    ) == [(comment,)]
    bulk.close()


def test_a_kpi_form_field_cut_off_shows_what_is_stored_and_keeps_the_typed_text(
    server_window, server_db: str, prompts
) -> None:
    window = server_window
    window.select_key("K03@1-3")
    page = window.kpi_page
    before = backends.dump(server_db)

    arm_line_cut(server_db)
    page.unit_edit.setText("事業所")
    page.unit_edit.editingFinished.emit()
    QApplication.processEvents()
    assert backends.dump(server_db) == before
    shown = page.form_message.text()
    assert LOST in shown and shown.endswith("\n保存していない入力（単位）: 事業所"), shown
    assert page.unit_edit.text() == "件"  # what is stored, not the lost input
    assert page.unit_edit.property("invalid") is not True  # the typed text was not at fault
    assert window.document.undo_stack.count() == 0 and prompts.errors == []

    disarm_line_cut(server_db)
    page.unit_edit.setText("事業所")
    page.unit_edit.editingFinished.emit()
    assert backends.rows(server_db, "SELECT unit FROM kpi WHERE code = 'K03'") == [("事業所",)]
    assert LOST not in page.form_message.text()


def test_a_project_field_cut_off_shows_what_is_stored_and_keeps_the_typed_text(
    server_window, server_db: str, prompts
) -> None:
    window = server_window
    window.select_key("1-1-1")
    page = window.project_page
    stored = page.section_edit.text()
    before = backends.dump(server_db)

    arm_line_cut(server_db)
    page.section_edit.setText("経済政策課")
    page.section_edit.editingFinished.emit()
    QApplication.processEvents()
    assert backends.dump(server_db) == before
    shown = page.message.text()
    assert LOST in shown and shown.endswith("\n保存していない入力（担当課）: 経済政策課"), shown
    assert page.section_edit.text() == stored  # what is stored, not the lost input
    assert "保存しました" not in window.statusBar().currentMessage()  # nothing was
    assert window.document.undo_stack.count() == 0 and prompts.errors == []

    disarm_line_cut(server_db)
    page.section_edit.setText("経済政策課")
    page.section_edit.editingFinished.emit()
    assert window.document.reader.project_detail("PJ01").responsible_section == "経済政策課"
