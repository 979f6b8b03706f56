"""ファイル → 書き出し: 調査票 per 担当課, the plan as Excel, the KPI figures as CSV."""

from __future__ import annotations

import os
from typing import Any

import openpyxl
from PySide6.QtWidgets import QDialog

from aomori_desktop.services.kpi_fields import KpiFieldsEdit
from aomori_desktop.ui.collection_export import CollectionFormDialog


def _action(window: Any, prefix: str) -> Any:
    window._fill_export_menu()
    return next(a for a in window.export_menu.actions() if a.text().startswith(prefix))


def test_collection_forms_one_per_section(qtbot, make_window, prompts, tmp_path) -> None:
    window = make_window()
    fields = window.document.services.kpi_fields
    fields.update_kpi("K10", KpiFieldsEdit(responsible_section="観光課"))
    fields.update_kpi("K01", KpiFieldsEdit(responsible_section="経済政策課"))
    seen: dict[str, Any] = {}

    def choose(dialog: QDialog) -> bool:
        assert isinstance(dialog, CollectionFormDialog)
        dialog.show()
        seen["sections"] = [dialog.section.itemText(i) for i in range(dialog.section.count())]
        seen["year"] = dialog.year.currentText()
        seen["default"] = dialog.per_section.isChecked()
        dialog.grab().save(str(tmp_path / "dialog.png"))
        if shot := os.environ.get("COLLECTION_DIALOG_SHOT"):
            dialog.grab().save(shot)
        return True

    folder = tmp_path / "forms"
    folder.mkdir()
    prompts.dialog_scripts.append(choose)
    prompts.paths.append(str(folder))
    _action(window, "調査票（Excel）を作成").trigger()
    qtbot.waitUntil(lambda: len(list(folder.iterdir())) == 3, timeout=15000)
    assert seen == {
        "sections": ["担当課未設定", "経済政策課", "観光課"],
        "year": "令和6(2024)年度",
        "default": True,
    }
    assert sorted(p.name for p in folder.iterdir()) == [
        "調査票_令和6年度_担当課未設定.xlsx",
        "調査票_令和6年度_経済政策課.xlsx",
        "調査票_令和6年度_観光課.xlsx",
    ]
    ws = openpyxl.load_workbook(folder / "調査票_令和6年度_観光課.xlsx")["KPI"]
    assert [ws["A5"].value, ws["A6"].value] == ["kpi:K10", None]
    qtbot.waitUntil(lambda: "調査票を 3件作成しました" in window.statusBar().currentMessage())
    assert prompts.errors == []


def test_one_measure_form(qtbot, make_window, prompts, tmp_path) -> None:
    window = make_window()

    def choose(dialog: QDialog) -> bool:
        assert isinstance(dialog, CollectionFormDialog)
        dialog.one_measure.setChecked(True)
        dialog.measure.setCurrentIndex(1)  # 1-2
        seen.append(dialog.suggested_name())
        return True

    seen: list[str] = []
    target = tmp_path / "1-2.xlsx"
    prompts.dialog_scripts.append(choose)
    prompts.paths.append(str(target))
    _action(window, "調査票（Excel）を作成").trigger()
    qtbot.waitUntil(target.exists, timeout=15000)
    assert seen == ["調査票_令和6年度_共創施策1-2.xlsx"]
    ws = openpyxl.load_workbook(target)["KPI"]
    assert [ws["B5"].value, ws["B6"].value] == ["K01", "K02"]


def test_plan_workbook_and_csv_exports(qtbot, make_window, prompts, tmp_path) -> None:
    window = make_window()
    book, sjis = tmp_path / "plan.xlsx", tmp_path / "kpi.csv"
    prompts.paths.append(str(book))
    _action(window, "計画全体をExcelで書き出す").trigger()
    qtbot.waitUntil(book.exists, timeout=15000)
    assert openpyxl.load_workbook(book, read_only=True).sheetnames[0] == "概要"
    prompts.paths.append(str(sjis))
    _action(window, "KPIの値をCSV（Shift_JIS）").trigger()
    qtbot.waitUntil(sjis.exists, timeout=15000)
    assert sjis.read_bytes().decode("cp932").startswith("KPI ID,KPI,単位,年度,")
    qtbot.waitUntil(lambda: "書き出しました（Shift_JIS）" in window.statusBar().currentMessage())
    assert prompts.errors == []


def test_export_entries_are_disabled_without_a_plan(make_window) -> None:
    window = make_window(open_db=False)
    assert not _action(window, "調査票（Excel）を作成").isEnabled()
    assert not window.act_import.isEnabled()
