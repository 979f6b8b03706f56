"""ファイル → 取り込み: the preview, the conflict choice, refused files, one undo step."""

from __future__ import annotations

import os
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
from PySide6.QtWidgets import QComboBox, QDialog

from aomori_desktop.services.collection import Scope, ScopeKind, write_collection_workbooks
from aomori_desktop.ui.import_dialog import ImportDialog


def _stored(db_file: Path, kpi: str, year: int) -> tuple[Any, ...] | None:
    with sqlite3.connect(db_file) as conn:
        return conn.execute(
            "SELECT y.actual, y.status FROM kpi_year y JOIN kpi k ON k.id = y.kpi_id"
            " WHERE k.code = ? AND y.fiscal_year = ?",
            (kpi, year),
        ).fetchone()


def _fill(path: Path, values: dict[str, object]) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb["KPI"]
    rows = {ws.cell(row=r, column=1).value: r for r in range(5, ws.max_row + 1)}
    for code, value in values.items():
        ws[f"M{rows['kpi:' + code]}"] = value
    wb.save(path)


def _forms(window: Any, tmp_path: Path) -> tuple[Path, Path]:
    access = window.document.services.access
    good, bad = tmp_path / "観光.xlsx", tmp_path / "新産業.xlsx"
    write_collection_workbooks(access, 2024, Scope(ScopeKind.MEASURE, "4-1"), good)
    write_collection_workbooks(access, 2024, Scope(ScopeKind.MEASURE, "1-1"), bad)
    _fill(good, {"K10": "1,120,500", "K11": 99999})
    _fill(bad, {"K01": "abc"})
    # after the forms were made, someone enters K11 in the window: a conflict
    window.document.services.values.record_actual("K11", 2024, Decimal("100000"))
    return good, bad


def test_preview_choose_conflict_take_out_a_file_import_and_undo(
    qtbot, make_window, prompts, db_file, tmp_path
) -> None:
    window = make_window()
    good, bad = _forms(window, tmp_path)
    prompts.path_lists.append([str(good), str(bad)])
    seen: dict[str, Any] = {}

    def script(dialog: QDialog) -> bool:
        assert isinstance(dialog, ImportDialog)
        dialog.show()
        dialog.add_button.click()
        qtbot.waitUntil(lambda: dialog.files_table.rowCount() == 2, timeout=10000)
        table = dialog.files_table
        seen["files"] = [
            [table.item(r, c).text() for c in range(table.columnCount())] for r in range(2)
        ]
        seen["refused"] = dialog.refused_table.item(0, 1).text()
        seen["enabled with a refused cell"] = dialog.import_button.isEnabled()
        seen["tabs"] = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
        dialog.files_table.selectRow(1)
        dialog.remove_button.click()
        qtbot.waitUntil(lambda: dialog.files_table.rowCount() == 1, timeout=10000)
        conflicts = dialog.conflicts_table
        seen["conflict"] = [conflicts.item(0, c).text() for c in range(4)]
        combo = conflicts.cellWidget(0, 4)
        assert isinstance(combo, QComboBox)
        combo.setCurrentIndex(1)  # 調査票の値にする
        seen["summary"] = dialog.summary_label.text()
        seen["text"] = dialog.text_view.toPlainText()
        dialog.grab().save(str(tmp_path / "import_dialog.png"))
        if shots := os.environ.get("IMPORT_DIALOG_SHOT"):
            dialog.grab().save(shots)
        dialog.import_button.click()
        qtbot.waitUntil(lambda: dialog.result_summary is not None, timeout=10000)
        return True

    prompts.dialog_scripts.append(script)
    window.act_import.trigger()

    assert seen["files"][0][:6] == [
        "観光.xlsx",
        "令和6(2024)年度",
        "共創施策 4-1 立体観光推進・受入態勢充実",
        "1",
        "1",
        "0",
    ]
    assert seen["files"][1][5:] == ["1", "取り込めないセルがあります"]
    assert (
        seen["refused"]
        == "KPI!M5: 「abc」は数値ではありません。数字を入力してください（例: 1,234.5）。"
    )
    assert seen["enabled with a refused cell"] is False
    assert seen["tabs"] == ["変更（1）", "競合（1）", "取り込めないもの（1）", "一覧（文章）"]
    assert seen["conflict"][1:] == ["空欄", "100,000", "99,999"]
    assert seen["summary"] == "2件の値を取り込みます（元に戻すことができます）。"
    assert "→ 調査票の値で上書きします" in seen["text"]
    assert (tmp_path / "import_dialog.png").stat().st_size > 10_000

    assert _stored(db_file, "K10", 2024)[0] == "1120500"
    assert _stored(db_file, "K11", 2024)[0] == "99999"
    assert _stored(db_file, "K01", 2024) is None  # the refused file was taken out
    assert window.statusBar().currentMessage() == (
        "「観光.xlsx」から 2件の値を取り込みました（KPI 2件、共創プロジェクト 0件）。"
    )
    stack = window.document.undo_stack
    assert (stack.count(), stack.undoText()) == (1, "調査票の取り込み")
    window.act_undo.trigger()
    qtbot.waitUntil(lambda: _stored(db_file, "K10", 2024)[0] is None, timeout=10000)
    assert _stored(db_file, "K11", 2024)[0] == "100000"


def test_a_broken_file_is_listed_with_its_sentence_and_nothing_can_be_imported(
    qtbot, make_window, prompts, db_file, tmp_path
) -> None:
    window = make_window()
    broken = tmp_path / "old.xls"
    broken.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024)
    before = db_file.read_bytes()
    dialog = ImportDialog(window.document, window)
    qtbot.addWidget(dialog)
    dialog.add_files([broken])
    qtbot.waitUntil(lambda: dialog.files_table.rowCount() == 1, timeout=10000)
    assert dialog.files_table.item(0, 6).text() == "取り込めません"
    assert (
        dialog.refused_table.item(0, 1)
        .text()
        .startswith("「old.xls」は古い形式（.xls）のブックのため読み込めません。")
    )
    assert not dialog.import_button.isEnabled()
    assert dialog.summary_label.text().startswith("取り込めないファイルまたはセルが 1件あります。")
    assert "取り込めません: 「old.xls」は古い形式" in dialog.text_view.toPlainText()
    dialog.close()
    assert db_file.read_bytes() == before
    assert prompts.errors == []
