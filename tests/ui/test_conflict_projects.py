"""Two people at once, beyond yearly values and KPI forms: a project's fields and yearly
status or note, and a rename in the tree, changed by another PC under an open window, are
asked about (who, to what, when) and never silently overwritten."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtWidgets import QApplication, QComboBox

from aomori_desktop.domain.plan import Partner, ProjectStatus, Sector
from aomori_desktop.services.kpi_fields import KpiFieldsEdit
from aomori_desktop.services.projects import ProjectFieldsEdit
from aomori_desktop.ui.conflict_dialog import KEEP_TEXT
from tests.ui.test_conflict_dialog import HANAKO_AT, Answer
from tests.ui.test_structure_editor import tree_children, trigger

KEPT = "他の利用者が変更した値を残しました"


def history(window: Any, entity: str, key: str, field: str) -> list[tuple[str, str | None]]:
    rows = window.document.services.queries.history(entity, key)
    return [(r.user, r.new) for r in rows if r.field == field]


def test_a_project_field_changed_meanwhile_is_kept_or_written_over(
    make_window: Callable[..., Any],
    prompts: Any,
    other_pc: Any,
) -> None:
    window = make_window()
    window.select_key("1-1-1")
    page = window.project_page
    code = page.detail.code
    shown = page.section_edit.text()
    other_pc("青森 花子", HANAKO_AT).projects.update_project(
        code,
        ProjectFieldsEdit(responsible_section="経済政策課"),
        expected=ProjectFieldsEdit(responsible_section=shown),
    )

    keep = Answer(overwrite=False)
    prompts.dialog_scripts.append(keep)
    page.section_edit.setText("商工業振興課")
    page.section_edit.editingFinished.emit()
    assert keep.buttons[0] == KEEP_TEXT
    assert keep.shown == [
        [
            f"共創プロジェクト {code}の担当課",
            "商工業振興課",
            "経済政策課",
            "青森 花子",
            "2026年4月1日 9:30",
        ]
    ]
    assert page.section_edit.text() == "経済政策課"  # theirs on the page
    assert "保存しました" not in window.statusBar().currentMessage()
    assert KEPT in page.message.text()
    assert window.document.reader.project_detail(code).responsible_section == "経済政策課"
    assert window.document.undo_stack.count() == 0

    other_pc("青森 花子", HANAKO_AT).projects.update_project(
        code,
        ProjectFieldsEdit(responsible_section="観光課"),
        expected=ProjectFieldsEdit(responsible_section="経済政策課"),
    )
    prompts.dialog_scripts.append(Answer(overwrite=True))
    page.section_edit.setText("商工業振興課")
    page.section_edit.editingFinished.emit()
    assert window.document.reader.project_detail(code).responsible_section == "商工業振興課"
    assert window.document.undo_stack.undoText() == f"{code} 担当課の上書き"
    me = window.document.services.access.user
    assert [who for who, _new in history(window, "project", code, "responsible_section")] == [
        "青森 花子",
        "青森 花子",
        me,
    ]
    window.act_undo.trigger()  # back to her last value, not to what the page first showed
    assert window.document.reader.project_detail(code).responsible_section == "観光課"


def test_a_project_year_status_and_note_changed_meanwhile(
    make_window: Callable[..., Any],
    prompts: Any,
    other_pc: Any,
) -> None:
    window = make_window()
    window.select_key("1-1-1")
    page = window.project_page
    code = page.detail.code
    hanako = other_pc("青森 花子", HANAKO_AT).projects
    hanako.set_project_year(code, 2024, status=ProjectStatus.IN_PROGRESS, note="説明会を開催")

    keep = Answer(overwrite=False)
    prompts.dialog_scripts.append(keep)
    combo = page.years.cellWidget(0, 0)
    assert isinstance(combo, QComboBox)
    combo.activated.emit(combo.findText(ProjectStatus.COMPLETED.label))
    QApplication.processEvents()
    assert keep.shown[0][:4] == [
        f"共創プロジェクト {code} 令和6(2024)年度の状況",
        ProjectStatus.COMPLETED.label,
        ProjectStatus.IN_PROGRESS.label,
        "青森 花子",
    ]
    combo = page.years.cellWidget(0, 0)
    assert isinstance(combo, QComboBox)
    assert combo.currentText() == ProjectStatus.IN_PROGRESS.label  # theirs
    assert page.years.item(0, 1).text() == "説明会を開催"
    assert window.document.reader.project_detail(code).years[0].status is ProjectStatus.IN_PROGRESS

    hanako.set_project_year(code, 2024, note="説明会を2回開催")
    write = Answer(overwrite=True)
    prompts.dialog_scripts.append(write)
    page.years.item(0, 1).setText("説明会と個別相談")
    assert write.shown[0][:4] == [
        f"共創プロジェクト {code} 令和6(2024)年度のメモ",
        "説明会と個別相談",
        "説明会を2回開催",
        "青森 花子",
    ]
    stored = window.document.reader.project_detail(code).years[0]
    assert (stored.status, stored.note) == (ProjectStatus.IN_PROGRESS, "説明会と個別相談")
    assert window.document.undo_stack.undoText() == f"{code} 令和6(2024)年度のメモの上書き"
    assert window.document.undo_stack.count() == 1


def test_a_rename_in_the_tree_over_another_users_rename(
    make_window: Callable[..., Any],
    prompts: Any,
    other_pc: Any,
) -> None:
    window = make_window()
    hanako = other_pc("青森 花子", HANAKO_AT)
    old = window.document.reader.kpi_detail("K03").name
    hanako.kpi_fields.update_kpi(
        "K03", KpiFieldsEdit(name="新規創業件数"), expected=KpiFieldsEdit(name=old)
    )
    keep = Answer(overwrite=False)
    prompts.dialog_scripts.append(keep)
    prompts.texts.append("創業・第二創業件数")
    trigger(window, "K03@1-3", "名前の変更…")
    assert keep.shown[0][:4] == [
        "KPI K03のKPI名",
        "創業・第二創業件数",
        "新規創業件数",
        "青森 花子",
    ]
    assert window.document.reader.kpi_detail("K03").name == "新規創業件数"
    assert "KPI 新規創業件数" in tree_children(window, "1-3")  # the tree shows her name
    assert any(KEPT in info for info in prompts.infos) and not prompts.errors

    project = window.document.reader.project_detail("PJ01")
    hanako.projects.update_project(
        "PJ01",
        ProjectFieldsEdit(title="企業誘致の推進"),
        expected=ProjectFieldsEdit(title=project.title),
    )
    prompts.dialog_scripts.append(Answer(overwrite=True))
    prompts.texts.append("企業誘致・立地の推進")
    trigger(window, "1-1-1", "名前の変更…")
    assert window.document.reader.project_detail("PJ01").title == "企業誘致・立地の推進"
    assert tree_children(window, "1-1")[0].endswith("企業誘致・立地の推進")
    assert window.document.undo_stack.undoText() == "共創プロジェクト PJ01 の名前の上書き"


def test_a_target_revised_meanwhile_is_not_revised_again_over_it(
    make_window: Callable[..., Any], prompts: Any, other_pc: Any
) -> None:
    window = make_window()
    window.select_key("K01@1-1")
    other_pc("青森 花子", HANAKO_AT).kpi_fields.revise_target(
        "K01", Decimal("4"), 2033, "案件の増加", expected=(Decimal("3"), 2033)
    )
    seen: list[str] = []

    def fill(dialog: Any) -> bool:
        dialog.value_edit.setText("5")
        dialog.reason_edit.setPlainText("港湾計画の改訂に合わせて上方修正")
        dialog._try_accept()  # refused: the dialog stays open with the sentence
        seen.append(dialog.message.text())
        dialog.reject()
        return False

    prompts.dialog_scripts.append(fill)
    window.kpi_page.revise_button.click()
    assert "KPI K01の目標値（現在: 4、令和15(2033)年度）" in seen[0]
    detail = window.document.reader.kpi_detail("K01")
    assert detail.target == Decimal("4")
    assert [(r.new_value, r.reason) for r in detail.revisions] == [(Decimal("4"), "案件の増加")]
    assert window.kpi_page.target_label.text() == "4 件（令和15(2033)年度）"  # theirs shown
    assert window.document.undo_stack.count() == 0


def test_partners_changed_meanwhile_are_not_replaced(
    make_window: Callable[..., Any], prompts: Any, other_pc: Any
) -> None:
    window = make_window()
    window.select_key("1-1-1")
    page = window.project_page
    other_pc("青森 花子", HANAKO_AT).projects.set_partners(
        "PJ01", [Partner(Sector.FINANCE, "青森銀行")], expected=[]
    )

    def fill(dialog: Any) -> bool:
        dialog.add_row(Sector.ACADEMIA, "八戸工業大学")
        dialog._try_accept()
        return dialog.result() == dialog.DialogCode.Accepted

    prompts.dialog_scripts.append(fill)
    page.partners_button.click()
    assert "共創プロジェクト PJ01の連携先（現在: 金:青森銀行）" in page.message.text()
    assert window.document.reader.project_detail("PJ01").partners == (("finance", "青森銀行"),)
    assert page.partners_label.text() == "金: 青森銀行"  # the page shows what is stored
