"""The window in read-only mode, the choice when another instance edits the file, restoring
from a backup, and faults while the window is open (it stays usable for reading)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QSettings, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit

from aomori_desktop.services.workspace import backup_now
from aomori_desktop.store.lock import lock_path
from aomori_desktop.ui.safety import READ_ONLY_TITLE, InUseDialog, RestoreDialog
from aomori_desktop.ui.year_table import COL_ACTUAL
from tests.safety.helpers import actuals, dump, holding_in_another_process, record_actuals
from tests.safety.test_lock import write_foreign_lock
from tests.ui.conftest import ScriptedPrompts

# screenshots to look at: AOMORI_SCREENSHOTS=folder (else a temporary folder)
SHOTS = Path(os.environ.get("AOMORI_SCREENSHOTS") or tempfile.mkdtemp(prefix="aomori-shots-"))


@pytest.fixture
def prompts() -> ScriptedPrompts:
    return ScriptedPrompts()


@pytest.fixture
def window_on(
    qapp: QApplication, prompts: ScriptedPrompts, tmp_path: Path
) -> Iterator[Callable[..., Any]]:
    from aomori_desktop.ui.main_window import MainWindow

    made: list[MainWindow] = []

    def make(db: Path | None, *, expect_open: bool = True) -> MainWindow:
        settings = QSettings(str(tmp_path / f"settings{len(made)}.ini"), QSettings.Format.IniFormat)
        window = MainWindow(prompts, settings)
        window.resize(1400, 900)
        window.show()
        made.append(window)
        if db is not None:
            assert window.open_database(db) is expect_open, prompts.errors
        QApplication.processEvents()
        return window

    yield make
    for window in made:
        window.close()
        window.deleteLater()
    QApplication.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def type_into_cell(window: Any, row: int, column: int, text: str) -> None:
    table = window.kpi_page.table
    index = table.model().index(row, column)
    table.setCurrentIndex(index)
    table.edit(index)
    editor = next(e for e in table.findChildren(QLineEdit) if e.isVisible())
    editor.selectAll()
    QTest.keyClicks(editor, text)
    QTest.keyClick(editor, Qt.Key.Key_Return)
    window.document.operations.wait_idle()
    QApplication.processEvents()


def cell(window: Any, row: int, column: int) -> str:
    model = window.kpi_page.table_model
    return model.data(model.index(row, column))


def test_a_second_instance_gets_the_holder_and_a_working_read_only_window(
    window_on, prompts: ScriptedPrompts, seeded_copy: Path
) -> None:
    seen: list[str] = []

    def read_only(dialog: QDialog) -> bool:
        assert isinstance(dialog, InUseDialog)
        seen.append(dialog.message.text())
        dialog.grab().save(str(SHOTS / "in_use_dialog.png"))
        return True

    SHOTS.mkdir(parents=True, exist_ok=True)
    prompts.dialog_scripts.append(read_only)
    with holding_in_another_process(seeded_copy) as holder:
        window = window_on(seeded_copy)
        assert "が " in seen[0] and "から編集中です" in seen[0]
        assert f"{holder.pid}" not in seen[0]  # people, not process numbers
        assert window.db.read_only
        assert window.windowTitle().endswith(READ_ONLY_TITLE)
        assert window.safety.banner_bar.isVisible()
        assert window.db_label.text().startswith(f"データベース: {seeded_copy}")
        banner = window.safety.banner.text.text()
        assert "編集中のため、読み取り専用で開いています" in banner
        assert "変更は保存できません" in banner
        assert not window.menu_structure.menuAction().isEnabled()

        window.select_key("K03@1-3")  # reading works: tree, pages, charts
        QApplication.processEvents()
        page = window.kpi_page
        assert page.name_edit.isReadOnly() and page.name_edit.text()
        assert not page.direction_combo.isEnabled() and not page.revise_button.isEnabled()
        assert page.table.editTriggers() == page.table.EditTrigger.NoEditTriggers
        window.grab().save(str(SHOTS / "read_only_window.png"))

        before = dump(seeded_copy)
        page.table.setCurrentIndex(page.table.model().index(0, COL_ACTUAL))
        QApplication.clipboard().setText("80")
        QTest.keySequence(page.table, QKeySequence.StandardKey.Paste)
        assert "読み取り専用で開いているため" in window.statusBar().currentMessage()
        assert dump(seeded_copy) == before

        window.act_refresh.trigger()  # F5 still reads
    # the other instance has closed: the banner's retry opens the file for editing
    window.safety.banner.retry_button.click()
    QApplication.processEvents()
    assert not window.db.read_only and window.db.lock is not None
    assert not window.windowTitle().endswith(READ_ONLY_TITLE)
    assert not window.safety.banner_bar.isVisible()
    window.select_key("K03@1-3")
    type_into_cell(window, 0, COL_ACTUAL, "80")
    assert actuals(seeded_copy) == {("K03", 2024): "80"}


def test_declining_to_open_read_only_opens_nothing(
    window_on, prompts: ScriptedPrompts, seeded_copy: Path
) -> None:
    write_foreign_lock(seeded_copy, machine="KIKAKU-PC07", age_s=1)
    prompts.dialog_scripts.append(lambda dialog: False)
    window = window_on(seeded_copy, expect_open=False)
    assert window.document is None and prompts.errors == []
    assert lock_path(seeded_copy).read_text(encoding="utf-8").count("KIKAKU-PC07") == 1


def test_a_folder_without_write_permission_opens_read_only_without_asking(
    window_on, prompts: ScriptedPrompts, seeded_template: Path, read_only_folder
) -> None:
    folder = read_only_folder([seeded_template])
    window = window_on(folder / seeded_template.name)
    assert window.db.read_only and prompts.dialog_scripts == []
    assert "権限がないため、読み取り専用で開いています" in window.safety.banner.text.text()
    assert not window.safety.banner.retry_button.isVisibleTo(window.safety.banner)
    assert window.windowTitle().endswith(READ_ONLY_TITLE)


def test_file_restore_from_backup_lists_backups_and_restores_after_confirming(
    window_on, prompts: ScriptedPrompts, seeded_copy: Path
) -> None:
    window = window_on(seeded_copy)
    window.select_key("K03@1-3")
    type_into_cell(window, 0, COL_ACTUAL, "80")
    kept = backup_now(seeded_copy, "manual").path
    type_into_cell(window, 1, COL_ACTUAL, "90")
    assert actuals(seeded_copy) == {("K03", 2024): "80", ("K03", 2025): "90"}

    rows: list[list[str]] = []

    def choose_manual(dialog: QDialog) -> bool:
        assert isinstance(dialog, RestoreDialog)
        table = dialog.table
        rows.extend(
            [table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())
        )
        dialog.grab().save(str(SHOTS / "restore_dialog.png"))
        row = next(r for r in range(table.rowCount()) if table.item(r, 1).text() == "手動")
        table.selectRow(row)
        prompts.confirm_answers.append(True)
        dialog.restore_button.click()
        return dialog.result() == QDialog.DialogCode.Accepted

    SHOTS.mkdir(parents=True, exist_ok=True)
    prompts.dialog_scripts.append(choose_manual)
    window.safety.act_restore.trigger()
    window.document.operations.wait_idle()
    QApplication.processEvents()

    assert [r[1] for r in rows] == ["手動", "毎日の自動バックアップ"]
    assert rows[0][3] == "1件" and "K03 2024年度 実績値" in rows[0][4]
    assert "この時点の内容に戻します" not in prompts.confirms[-1]
    assert "の内容に戻します" in prompts.confirms[-1]
    assert actuals(seeded_copy) == {("K03", 2024): "80"}  # the backup's state
    assert prompts.infos[-1].startswith(f"「{kept.name}」から復元しました。")
    window.select_key("K03@1-3")
    assert cell(window, 0, COL_ACTUAL) == "80" and cell(window, 1, COL_ACTUAL) == ""
    assert window.db.lock is not None  # editing again, on the restored file


def test_a_damaged_file_offers_the_restore_and_opens_the_restored_file(
    window_on, prompts: ScriptedPrompts, seeded_copy: Path
) -> None:
    from aomori_desktop.services.workspace import open_existing

    db = open_existing(seeded_copy)
    try:
        record_actuals(db, {("K16", 2024): "8.40"})
    finally:
        db.close()
    backup_now(seeded_copy, "manual")
    data = bytearray(seeded_copy.read_bytes())
    data[100:3000] = bytes((i * 13 + 1) % 251 for i in range(2900))
    seeded_copy.write_bytes(bytes(data))

    def newest(dialog: QDialog) -> bool:
        assert isinstance(dialog, RestoreDialog)
        prompts.confirm_answers.append(True)
        dialog.restore_button.click()
        return True

    prompts.confirm_answers.append(True)  # 「復元しますか？」
    prompts.dialog_scripts.append(newest)
    window = window_on(seeded_copy)
    assert "壊れています" in prompts.confirms[0]
    assert window.document is not None
    assert actuals(seeded_copy) == {("K16", 2024): "8.40"}
    assert "復元しました" in prompts.infos[-1]


def test_faults_while_the_window_is_open_leave_it_usable_for_reading(
    window_on, prompts: ScriptedPrompts, seeded_template: Path, small_disk
) -> None:
    disk = small_disk(1200)
    db_path = disk / "計画 共有.sqlite3"
    shutil.copy(seeded_template, db_path)
    window = window_on(db_path)
    shutil.rmtree(disk / "backups")  # room for the test's own filling
    window.select_key("K03@1-3")
    type_into_cell(window, 0, COL_ACTUAL, "80")
    filler = disk / "filler.bin"
    with filler.open("wb") as f:
        try:
            while True:
                f.write(bytes(65536))
                f.flush()
        except OSError:
            pass

    window.kpi_page.definition_edit.setFocus()
    table = window.kpi_page.table
    table.setCurrentIndex(table.model().index(1, COL_ACTUAL))
    assert not table.paste("81\t\t\t\t\t" + "要因分析" * 900)
    message = window.kpi_page.table_message.text()
    assert "空き容量が足りない" in message, message
    assert actuals(db_path) == {("K03", 2024): "80"}
    window.select_key("K10@4-1")  # the window still reads
    window.select_key("K03@1-3")
    assert cell(window, 0, COL_ACTUAL) == "80"

    filler.unlink()
    db_path.unlink()  # and now the file goes away
    type_into_cell(window, 1, COL_ACTUAL, "82")
    assert "見つかりません" in window.kpi_page.table_message.text()
    assert cell(window, 0, COL_ACTUAL) == "80"
    window.act_refresh.trigger()
    assert not db_path.exists()
    assert window.kpi_page.pending_input()  # the refused 82 waits on screen, marked
    prompts.confirm_answers.append(True)  # closing: leave it unsaved


def test_a_lock_taken_over_while_open_turns_the_window_read_only(
    window_on, prompts: ScriptedPrompts, seeded_copy: Path
) -> None:
    window = window_on(seeded_copy)
    write_foreign_lock(seeded_copy, machine="KIKAKU-PC07", age_s=0)
    assert window.db.lock is not None and not window.db.lock.still_held()
    window.safety._check_lock()
    assert window.safety.banner_bar.isVisible()
    assert "引き継がれました" in window.safety.banner.text.text()
    assert window.windowTitle().endswith(READ_ONLY_TITLE)
    window.select_key("K03@1-3")
    table = window.kpi_page.table
    table.setCurrentIndex(table.model().index(0, COL_ACTUAL))
    assert not table.paste("80")
    assert "引き継がれた" in window.kpi_page.table_message.text()
    assert actuals(seeded_copy) == {}
