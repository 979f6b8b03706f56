"""`aomori-desktop backup`, `backups` and `restore`, and the backup every import makes first."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from aomori_desktop.store.database import create_database, open_database
from tests.safety.helpers import (
    actuals,
    assert_sentence,
    dump,
    folder_state,
    holding_in_another_process,
    integrity,
    record_actuals,
)


def _with_actual(path: Path, code: str, value: str) -> None:
    db = open_database(path)
    try:
        record_actuals(db, {(code, 2024): value})
    finally:
        db.close()


def test_backup_list_and_restore_from_the_command_line(cli, seeded_copy: Path) -> None:
    _with_actual(seeded_copy, "K05", "16.5")
    made = cli("backup", "--db", str(seeded_copy))
    assert (made.code, made.err) == (0, "")
    assert made.out.startswith("バックアップを作成しました: ")
    assert "実績値 1件、検査済み）" in made.out
    backup = Path(made.out.split(": ", 1)[1].split("（", 1)[0])
    assert backup.parent == seeded_copy.parent / "backups" and integrity(backup) == "ok"

    _with_actual(seeded_copy, "K05", "20")
    listed = cli("backups", "--db", str(seeded_copy))
    assert listed.code == 0
    lines = listed.out.splitlines()
    assert lines[0] == f"データベース「{seeded_copy}」のバックアップ（新しい順、1件）:"
    assert "手動" in lines[1] and "実績値 1件" in lines[1]
    assert "K05 2024年度 実績値" in lines[1]
    assert lines[2].strip() == str(backup)

    restored = cli("restore", str(backup), "--db", str(seeded_copy))
    assert (restored.code, restored.err) == (0, ""), restored
    assert restored.out.startswith(f"「{backup}」からデータベース「{seeded_copy}」を復元しました。")
    assert "復元前のデータベースは「" in restored.out
    assert actuals(seeded_copy) == {("K05", 2024): "16.5"}
    assert cli("check", "--db", str(seeded_copy)).code == 0


def test_backup_to_a_chosen_file_and_not_over_an_existing_one(
    cli, seeded_copy: Path, tmp_path: Path
) -> None:
    out = tmp_path / "USB メモリー" / "控え.sqlite3"
    out.parent.mkdir()
    result = cli("backup", "--db", str(seeded_copy), "-o", str(out))
    assert result.code == 0 and dump(out) == dump(seeded_copy)
    before = folder_state(tmp_path)
    again = cli("backup", "--db", str(seeded_copy), "-o", str(out))
    assert (again.code, again.out) == (1, "")
    assert_sentence(again.err.strip())
    assert "上書きはしません" in again.err
    assert folder_state(tmp_path) == before


def test_backup_of_something_that_is_not_a_database_is_refused(cli, tmp_path: Path) -> None:
    notes = tmp_path / "notes.sqlite3"
    notes.write_text("会議メモ", encoding="utf-8")
    result = cli("backup", "--db", str(notes))
    assert result.code == 1
    assert_sentence(result.err.strip())
    assert not (tmp_path / "backups").exists() or not list((tmp_path / "backups").iterdir())


def test_backups_of_a_database_without_any(cli, seeded_copy: Path) -> None:
    result = cli("backups", "--db", str(seeded_copy))
    assert result.out == f"データベース「{seeded_copy}」のバックアップはまだありません。\n"


def test_import_into_an_existing_empty_database_backs_it_up_first(
    cli, seeded_copy: Path, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.json"
    assert cli("export", "json", "--db", str(seeded_copy), "-o", str(plan)).code == 0
    empty = tmp_path / "empty.sqlite3"
    create_database(empty).close()
    before = dump(empty)

    result = cli("import", "json", str(plan), "--db", str(empty))

    assert result.code == 0, result
    found = sorted((tmp_path / "backups").glob("empty.*.before-import.sqlite3"))
    assert len(found) == 1 and dump(found[0]) == before
    con = sqlite3.connect(empty)
    (kpis,) = con.execute("SELECT count(*) FROM kpi").fetchone()
    con.close()
    assert kpis == 16


def test_restore_while_another_instance_edits_is_refused(cli, seeded_copy: Path) -> None:
    from aomori_desktop.services.workspace import backup_now

    backup = backup_now(seeded_copy).path
    with holding_in_another_process(seeded_copy):
        before = dump(seeded_copy)
        result = cli("restore", str(backup), "--db", str(seeded_copy))
    assert (result.code, result.out) == (1, "")
    assert "編集中です" in result.err and "Traceback" not in result.err
    assert dump(seeded_copy) == before


def test_backup_command_copies_a_database_in_a_japanese_folder(
    cli, seeded_template: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "経済部 商工政策課"
    folder.mkdir()
    db = folder / "しごと 戦略.sqlite3"
    shutil.copy(seeded_template, db)
    assert cli("backup", "--db", str(db)).code == 0
    (made,) = (folder / "backups").iterdir()
    assert made.name.startswith("しごと 戦略.") and made.name.endswith(".manual.sqlite3")
