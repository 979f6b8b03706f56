"""Whole files appear whole: init, import and restore build beside the target and rename; `check`
reports a database without a plan or with a half-applied import."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from aomori_desktop.exchange.seed_toml import load_default_seed
from aomori_desktop.services.workspace import check_database, create_with_plan
from aomori_desktop.store.database import create_database, open_database
from aomori_desktop.store.errors import StoreError
from aomori_desktop.store.files import remove_leftovers, temp_beside
from tests.safety.helpers import assert_sentence, child_env


def test_a_failing_fill_leaves_no_file_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "新しい計画.sqlite3"

    def half_way(db) -> None:  # type: ignore[no-untyped-def]
        db.log_event("imported", "half")
        raise StoreError("読み込みの途中で失敗しました。")

    with pytest.raises(StoreError):
        create_database(target, fill=half_way)
    assert list(tmp_path.iterdir()) == []


def test_the_file_appears_only_when_the_plan_is_in_it(tmp_path: Path, monkeypatch) -> None:
    """Look at the folder at the moment the plan is written: the target is not there yet."""
    target = tmp_path / "plan.sqlite3"
    seen: list[list[str]] = []
    import aomori_desktop.services.workspace as workspace

    real = workspace.write_snapshot

    def spying(session, snapshot, *, created_at):  # type: ignore[no-untyped-def]
        seen.append(sorted(p.name for p in tmp_path.iterdir()))
        return real(session, snapshot, created_at=created_at)

    monkeypatch.setattr(workspace, "write_snapshot", spying)
    create_with_plan(target, load_default_seed(), source="test").close()
    assert len(seen) == 1 and "plan.sqlite3" not in seen[0]
    assert any(name.startswith(".plan.sqlite3.") and name.endswith(".part") for name in seen[0])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.sqlite3"]


def test_leftovers_of_a_killed_build_are_removed_by_the_next_one(tmp_path: Path) -> None:
    target = tmp_path / "plan.sqlite3"
    code = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from aomori_desktop.store.files import temp_beside\n"
        f"p = temp_beside(Path({str(target)!r}))\n"
        "p.write_bytes(b'half')\n"
        "print(p)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=child_env(), check=True
    ).stdout.strip()
    leftover = Path(out)
    assert leftover.exists()  # its process has ended without cleaning up
    mine = temp_beside(target)
    mine.write_bytes(b"in use")  # a live build of this process is left alone
    assert remove_leftovers(target) == [leftover]
    assert mine.exists()
    os.unlink(mine)


def _check(path: Path) -> list[str]:
    db = open_database(path)
    try:
        return check_database(db).problems
    finally:
        db.close()


def _sql(path: Path, *statements: str) -> None:
    con = sqlite3.connect(path)
    with con:
        con.execute("PRAGMA foreign_keys = OFF")
        for statement in statements:
            con.execute(statement)
    con.close()


def test_check_reports_a_database_without_a_plan(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    create_database(path).close()
    problems = _check(path)
    assert len(problems) == 1
    assert problems[0].startswith("計画が登録されていません（作成または読み込みが途中で終わった")
    assert_sentence(problems[0])


def test_check_reports_a_plan_whose_import_did_not_complete(seeded_copy: Path) -> None:
    assert _check(seeded_copy) == []
    _sql(seeded_copy, "DELETE FROM maintenance_log WHERE event = 'seeded'")
    problems = _check(seeded_copy)
    assert problems == [
        "計画「青森市しごと創造戦略」は読み込みの完了が記録されていません"
        "（読み込みが途中で終わった可能性があります）。"
        "バックアップから復元するか、読み込みをやり直してください。"
    ]


def test_check_reports_history_entries_missing_since_the_import(
    seeded_copy: Path, tmp_path: Path
) -> None:
    from aomori_desktop.services.workspace import export_plan
    from tests.safety.helpers import record_actuals

    db = open_database(seeded_copy)
    try:
        record_actuals(db, {("K03", 2024): "80", ("K03", 2025): "81"})
        snapshot = export_plan(db)
    finally:
        db.close()
    copy = tmp_path / "imported.sqlite3"
    create_with_plan(copy, snapshot, source="plan.json").close()
    assert _check(copy) == []
    _sql(copy, "DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)")
    (problem,) = _check(copy)
    assert "変更履歴が読み込み時より少なくなっています（1件、読み込み時 2件）" in problem


def test_check_command_fails_on_a_database_without_a_plan(cli, tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    create_database(path).close()
    result = cli("check", "--db", str(path))
    assert result.code == 1
    assert "整合性: 1件の問題が見つかりました。" in result.err
    assert "計画が登録されていません" in result.err
