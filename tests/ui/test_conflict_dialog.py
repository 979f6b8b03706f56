"""Two people at once: another PC changes a value under an open window; the user who then
edits it sees who changed it, to what and when, and keeps theirs or writes their own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from PySide6.QtWidgets import QDialog

from aomori_desktop.services.kpi_fields import KpiFieldsEdit
from aomori_desktop.services.kpi_values import KpiYearEdit
from aomori_desktop.services.plan_services import PlanServices
from aomori_desktop.ui.conflict_dialog import (
    HEADERS,
    KEEP_TEXT,
    OVERWRITE_TEXT,
    ConflictDialog,
    overwrite_label,
)
from aomori_desktop.ui.year_table import COL_ACTUAL
from tests.ui.test_main_window import cell, type_into_cell

JST = timezone(timedelta(hours=9))
HANAKO_AT = datetime(2026, 4, 1, 9, 30, tzinfo=JST)
JIRO_AT = datetime(2026, 4, 1, 9, 41, tzinfo=JST)


def store_actual(services: PlanServices, value: str, shown: str | None) -> None:
    """An edit on the other PC, made over what its own screen showed."""
    services.values.set_kpi_years(
        [KpiYearEdit("K03", 2024, actual=Decimal(value))],
        expected=[KpiYearEdit("K03", 2024, actual=None if shown is None else Decimal(shown))],
    )


def table_texts(dialog: ConflictDialog) -> list[list[str]]:
    return [
        [dialog.cell_text(row, column) for column in range(len(HEADERS))]
        for row in range(dialog.table.rowCount())
    ]


class Answer:
    """A scripted conflict dialog: records what it showed, then keeps or overwrites."""

    def __init__(self, overwrite: bool, meanwhile: Callable[[], None] | None = None) -> None:
        self.overwrite = overwrite
        self.meanwhile = meanwhile  # what happens on another PC while the dialog is open
        self.shown: list[list[str]] = []
        self.buttons: tuple[str, str] = ("", "")

    def __call__(self, dialog: QDialog) -> bool:
        assert isinstance(dialog, ConflictDialog)
        assert dialog.windowTitle() == "他の利用者が変更しています"
        self.shown = table_texts(dialog)
        self.buttons = (dialog.keep_button.text(), dialog.overwrite_button.text())
        if self.meanwhile is not None:
            self.meanwhile()
        return self.overwrite


def audit_of(window: Any, key: str) -> list[tuple[str, str | None, str | None]]:
    """Who changed the yearly actual, from what to what (the audit trail, oldest first)."""
    rows = window.document.services.queries.history("kpi_year", key)
    return [(r.user, r.old, r.new) for r in rows if r.field == "actual"]


def test_keep_theirs_shows_their_value_and_writes_nothing(
    qtbot: Any, make_window: Callable[..., Any], prompts: Any, other_pc: Any
) -> None:
    window = make_window()
    window.select_key("K03@1-3")
    assert cell(window, 0, COL_ACTUAL) == ""
    store_actual(other_pc("青森 花子", HANAKO_AT), "84", shown=None)  # the window shows ""

    answer = Answer(overwrite=False)
    prompts.dialog_scripts.append(answer)
    type_into_cell(qtbot, window, 0, COL_ACTUAL, "85")

    assert answer.buttons == (KEEP_TEXT, OVERWRITE_TEXT) == ("相手の値を残す", "自分の値で上書き")
    assert answer.shown == [
        ["KPI K03 令和6(2024)年度の実績値", "85", "84", "青森 花子", "2026年4月1日 9:30"]
    ]
    assert cell(window, 0, COL_ACTUAL) == "84"  # theirs, not marked as a refused entry
    assert window.document.reader.kpi_detail("K03").year(2024).actual == Decimal("84")
    assert "他の利用者が変更した値を残しました" in window.kpi_page.table_message.text()
    assert window.document.undo_stack.count() == 0
    assert [user for user, _old, _new in audit_of(window, "K03/2024")] == ["青森 花子"]


def test_write_yours_stores_it_as_its_own_undoable_step(
    make_window: Callable[..., Any], prompts: Any, other_pc: Any
) -> None:
    window = make_window()
    me = window.document.services.access.user
    window.select_key("K03@1-3")
    store_actual(other_pc("青森 花子", HANAKO_AT), "84", shown=None)

    answer = Answer(overwrite=True)
    prompts.dialog_scripts.append(answer)
    window.kpi_page.table_model.setData(window.kpi_page.table_model.index(0, COL_ACTUAL), "85")

    assert answer.shown[0][1:4] == ["85", "84", "青森 花子"]
    assert window.document.reader.kpi_detail("K03").year(2024).actual == Decimal("85")
    assert cell(window, 0, COL_ACTUAL) == "85"
    stack = window.document.undo_stack
    assert (stack.count(), stack.undoText()) == (1, "K03 令和6(2024)年度 実績値の上書き")
    # both histories are in the audit trail: hers, then mine over hers
    assert audit_of(window, "K03/2024") == [("青森 花子", None, "84"), (me, "84", "85")]

    window.act_undo.trigger()  # back to her value (not to the empty cell the screen showed)
    assert window.document.reader.kpi_detail("K03").year(2024).actual == Decimal("84")
    assert cell(window, 0, COL_ACTUAL) == "84"
    assert audit_of(window, "K03/2024")[-1] == (me, "85", "84")
    assert not prompts.errors


def test_a_third_change_while_the_dialog_is_open_is_asked_about_again(
    make_window: Callable[..., Any], prompts: Any, other_pc: Any
) -> None:
    window = make_window()
    window.select_key("K03@1-3")
    store_actual(other_pc("青森 花子", HANAKO_AT), "84", shown=None)
    jiro = other_pc("青森 次郎", JIRO_AT)

    first = Answer(overwrite=True, meanwhile=lambda: store_actual(jiro, "86", shown="84"))
    second = Answer(overwrite=False)
    prompts.dialog_scripts.extend([first, second])
    window.kpi_page.table_model.setData(window.kpi_page.table_model.index(0, COL_ACTUAL), "85")

    assert first.shown[0][2:4] == ["84", "青森 花子"]
    # the overwrite expected 84 and found 86: never silently overwritten, asked again
    assert second.shown == [
        ["KPI K03 令和6(2024)年度の実績値", "85", "86", "青森 次郎", "2026年4月1日 9:41"]
    ]
    assert window.document.reader.kpi_detail("K03").year(2024).actual == Decimal("86")
    assert cell(window, 0, COL_ACTUAL) == "86"
    assert window.document.undo_stack.count() == 0


def test_a_kpi_form_field_changed_meanwhile(
    make_window: Callable[..., Any], prompts: Any, other_pc: Any
) -> None:
    window = make_window()
    window.select_key("K03@1-3")
    page = window.kpi_page
    shown = page.section_edit.text()
    other_pc("青森 花子", HANAKO_AT).kpi_fields.update_kpi(
        "K03",
        KpiFieldsEdit(responsible_section="経済政策課"),
        expected=KpiFieldsEdit(responsible_section=shown),
    )

    keep = Answer(overwrite=False)
    prompts.dialog_scripts.append(keep)
    page.section_edit.setText("商工業振興課")
    page.section_edit.editingFinished.emit()
    assert keep.shown == [
        ["KPI K03の担当課", "商工業振興課", "経済政策課", "青森 花子", "2026年4月1日 9:30"]
    ]
    assert page.section_edit.text() == "経済政策課"  # the form shows theirs, not marked
    assert page.section_edit.property("invalid") is not True
    assert window.document.reader.kpi_detail("K03").responsible_section == "経済政策課"

    # now the form shows her value; the user's edit goes through without a question
    page.section_edit.setText("商工業振興課")
    page.section_edit.editingFinished.emit()
    assert window.document.reader.kpi_detail("K03").responsible_section == "商工業振興課"
    assert window.document.undo_stack.undoText() == "K03 担当課の変更"


def test_writing_your_kpi_field_over_theirs(
    make_window: Callable[..., Any], prompts: Any, other_pc: Any
) -> None:
    window = make_window()
    window.select_key("K03@1-3")
    page = window.kpi_page
    other_pc("青森 花子", HANAKO_AT).kpi_fields.update_kpi(
        "K03", KpiFieldsEdit(unit="社"), expected=KpiFieldsEdit(unit=page.unit_edit.text())
    )
    answer = Answer(overwrite=True)
    prompts.dialog_scripts.append(answer)
    page.unit_edit.setText("事業所")
    page.unit_edit.editingFinished.emit()
    assert answer.shown[0][:4] == ["KPI K03の単位", "事業所", "社", "青森 花子"]
    assert window.document.reader.kpi_detail("K03").unit == "事業所"
    assert window.document.undo_stack.undoText() == "K03 単位の上書き"
    window.act_undo.trigger()
    assert window.document.reader.kpi_detail("K03").unit == "社"


def test_overwrite_labels() -> None:
    assert overwrite_label("K03 令和6(2024)年度 実績値の入力") == (
        "K03 令和6(2024)年度 実績値の上書き"
    )
    assert overwrite_label("K03 貼り付け（6セル）") == "K03 貼り付け（6セル）の上書き"
    assert overwrite_label("K03 単位の上書き") == "K03 単位の上書き"  # asked twice: one name


def test_the_dialog_cuts_a_long_comment_and_keeps_it_whole_in_the_tooltip(qtbot: Any) -> None:
    from aomori_desktop.ui.conflict_dialog import ConflictLine

    text = "前年度比で増加。\n" + "新規出店が続いたため" * 10
    dialog = ConflictDialog(
        [
            ConflictLine(
                "KPI K05 令和7(2025)年度のコメント", text, "速報", "青森 花子", "2026年4月1日 9:30"
            )
        ]
    )
    qtbot.addWidget(dialog)
    assert dialog.table.item(0, 1).toolTip() == text
    assert "\n" not in dialog.cell_text(0, 1)
    assert dialog.table.columnWidth(1) <= 260
    assert dialog.keep_button.isDefault()  # Enter keeps theirs; Esc rejects: keeps theirs
