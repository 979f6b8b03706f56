"""The batch export dialog: runs in timer steps, shows progress, stops on cancel."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from aomori_desktop.charts.export import ExportFormat
from aomori_desktop.services.dto import TreeKey
from aomori_desktop.services.queries import PlanQueries
from aomori_desktop.ui.batch_export_dialog import BatchExportDialog
from tests.charts.helpers import seeded_plan


class ScriptedPrompts:
    def __init__(self, folder: str | None = None) -> None:
        self.folder = folder
        self.errors: list[str] = []

    def directory(self, parent: QWidget | None, caption: str, start: str) -> str | None:
        return self.folder

    def error(self, parent: QWidget | None, message: str) -> None:
        self.errors.append(message)


@pytest.fixture(scope="module")
def reader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlanQueries]:
    db, plan_reader = seeded_plan(tmp_path_factory.mktemp("plan") / "plan.sqlite3")
    yield plan_reader
    db.close()


@pytest.fixture
def kpis(reader: PlanQueries) -> list[tuple[str, str]]:
    return [(r.code, r.name) for r in reader.overview(TreeKey.plan(), 2024).kpis]


def make_dialog(
    qtbot: QtBot, reader: PlanQueries, kpis: list[tuple[str, str]], folder: Path, **kw: object
) -> tuple[BatchExportDialog, ScriptedPrompts]:
    prompts = ScriptedPrompts(str(folder))
    dialog = BatchExportDialog(kpis, reader.kpi_detail, prompts=prompts, **kw)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    dialog.dpi_combo.setCurrentIndex(dialog.dpi_combo.findData(150))
    dialog._browse()  # the folder comes through the prompts seam
    return dialog, prompts


def test_exports_the_selected_kpis_with_progress(
    qtbot: QtBot, reader: PlanQueries, kpis: list[tuple[str, str]], tmp_path: Path
) -> None:
    dialog, prompts = make_dialog(qtbot, reader, kpis, tmp_path, selected=["K01", "K10", "K16"])
    assert dialog.checked_codes() == ["K01", "K10", "K16"]
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData(ExportFormat.PNG.value))
    assert dialog.start()
    assert (
        dialog.running and not dialog.start_button.isEnabled() and dialog.cancel_button.isEnabled()
    )
    qtbot.waitUntil(lambda: dialog.result_summary is not None, timeout=20000)
    result = dialog.result_summary
    assert result is not None and len(result.written) == 3 and not result.cancelled
    assert dialog.progress.value() == 3 and dialog.progress.maximum() == 3
    assert sorted(p.name[:3] for p in tmp_path.iterdir()) == ["K01", "K10", "K16"]
    assert all(QImage(str(p)).width() == 945 for p in result.written)
    assert dialog.status_label.text() == "3件のグラフを書き出しました。"
    assert dialog.start_button.isEnabled() and not dialog.cancel_button.isEnabled()
    assert prompts.errors == []


def test_cancel_stops_before_the_rest(
    qtbot: QtBot, reader: PlanQueries, kpis: list[tuple[str, str]], tmp_path: Path
) -> None:
    dialog, _ = make_dialog(qtbot, reader, kpis, tmp_path)
    assert len(dialog.checked_codes()) == 16
    dialog.start()
    qtbot.waitUntil(lambda: dialog.progress.value() >= 2, timeout=20000)
    dialog.cancel()
    qtbot.waitUntil(lambda: dialog.result_summary is not None, timeout=20000)
    result = dialog.result_summary
    assert result is not None and result.cancelled
    assert 2 <= len(result.written) < 16
    assert len(list(tmp_path.iterdir())) == len(result.written)
    assert "途中で中止しました" in dialog.status_label.text()


def test_escape_while_running_cancels_instead_of_closing(
    qtbot: QtBot, reader: PlanQueries, kpis: list[tuple[str, str]], tmp_path: Path
) -> None:
    dialog, _ = make_dialog(qtbot, reader, kpis, tmp_path)
    dialog.start()
    dialog.reject()
    assert dialog.result() == 0 and dialog.running  # still running until the step ends
    qtbot.waitUntil(lambda: dialog.result_summary is not None, timeout=20000)
    assert dialog.result_summary is not None and dialog.result_summary.cancelled


def test_incomplete_choices_are_explained(
    qtbot: QtBot, reader: PlanQueries, kpis: list[tuple[str, str]], tmp_path: Path
) -> None:
    dialog, prompts = make_dialog(qtbot, reader, kpis, tmp_path, selected=[])
    assert not dialog.start()
    assert prompts.errors == ["書き出すKPIを一つ以上選んでください。"]
    item = dialog.kpi_list.item(0)
    assert item is not None
    item.setCheckState(Qt.CheckState.Checked)
    dialog.folder_edit.setText("")
    assert not dialog.start()
    assert prompts.errors[-1] == "書き出し先のフォルダーを指定してください。"


def test_unwritable_folder_stops_with_a_sentence(
    qtbot: QtBot, reader: PlanQueries, kpis: list[tuple[str, str]], tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    dialog, prompts = make_dialog(qtbot, reader, kpis, blocker)
    dialog.start()
    qtbot.waitUntil(lambda: dialog.result_summary is not None, timeout=20000)
    assert prompts.errors == [f"書き出し先「{blocker}」はフォルダーではありません。"]
    assert not dialog.running
