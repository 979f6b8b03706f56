"""File menu actions that run through the operation layer: backup and JSON export."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def test_backup_from_the_menu_is_a_complete_copy(make_window, prompts, tmp_path: Path) -> None:
    window = make_window()
    target = tmp_path / "控え フォルダ" / "plan-backup.sqlite3"
    target.parent.mkdir()
    prompts.paths.append(str(target))
    window.act_backup.trigger()
    assert window.document.operations.wait_idle()
    assert prompts.errors == []
    assert window.statusBar().currentMessage() == f"バックアップを保存しました: {target}"
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM kpi").fetchone() == (16,)


def test_backup_that_cannot_be_written_says_so(make_window, prompts, tmp_path: Path) -> None:
    window = make_window()
    existing = tmp_path / "exists.sqlite3"
    existing.write_bytes(b"keep me")
    prompts.paths.append(str(existing))
    window.act_backup.trigger()
    assert window.document.operations.wait_idle()
    assert len(prompts.errors) == 1
    assert "既に存在します" in prompts.errors[0]
    assert existing.read_bytes() == b"keep me"


def test_json_export_into_a_missing_folder_says_so(make_window, prompts, tmp_path: Path) -> None:
    window = make_window()
    prompts.paths.append(str(tmp_path / "ない" / "plan.json"))
    window.export_json()
    assert window.document.operations.wait_idle()
    assert len(prompts.errors) == 1
    assert "フォルダー" in prompts.errors[0] and "ない" in prompts.errors[0]
    assert not (tmp_path / "ない").exists()
