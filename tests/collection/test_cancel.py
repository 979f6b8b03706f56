"""Long imports report progress and can be stopped before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from aomori_desktop.services.collection import Scope, write_collection_workbooks
from aomori_desktop.services.collection_apply import apply_import
from aomori_desktop.services.collection_import import preview_import, read_files
from aomori_desktop.services.tasks import Cancelled, TaskState
from aomori_desktop.services.transaction import PlanAccess
from tests.collection.helpers import edit, sha


def _answered_form(access: PlanAccess, tmp_path: Path) -> Path:
    path = tmp_path / "all.xlsx"
    write_collection_workbooks(access, 2024, Scope(), path)

    def answer(wb) -> None:  # type: ignore[no-untyped-def]
        ws = wb["KPI"]
        for row in range(5, ws.max_row + 1):
            ws.cell(row=row, column=13).value = row

    edit(path, answer)
    return path


def test_stopping_the_write_leaves_the_database_as_it_was(
    access: PlanAccess, db_path: Path, tmp_path: Path
) -> None:
    preview = preview_import(access, read_files([_answered_form(access, tmp_path)]))
    assert len(preview.changes) == 16
    reports: list[tuple[int, int, str]] = []

    def stop_at_first_report(state: TaskState) -> None:
        reports.append((state.done, state.total, state.text))
        state.cancel()

    before = sha(db_path)
    with pytest.raises(Cancelled) as stopped:
        apply_import(access, preview, state=TaskState(listener=stop_at_first_report))
    assert stopped.value.message == "操作を取り消しました。何も変更していません。"
    assert reports[0] == (0, 16, "データベースに書き込んでいます")
    assert sha(db_path) == before


@pytest.mark.sqlite_only  # refused while reading the file
def test_stopping_the_reading_of_several_files(access: PlanAccess, tmp_path: Path) -> None:
    first = _answered_form(access, tmp_path)
    second = tmp_path / "copy.xlsx"
    second.write_bytes(first.read_bytes())
    texts: list[str] = []

    def stop_after_the_first_file(state: TaskState) -> None:
        texts.append(state.text)
        if "copy.xlsx" in state.text:
            state.cancel()

    with pytest.raises(Cancelled):
        read_files([first, second], TaskState(listener=stop_after_the_first_file))
    assert texts[:2] == ["all.xlsx を読み込んでいます", "copy.xlsx を読み込んでいます"]
