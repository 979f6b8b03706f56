"""`init` and `check`: what the officer reads on the terminal and what lands in the file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from aomori_desktop.store.migrate import SCHEMA_HEAD
from tests.backends import Target
from tests.cli.helpers import assert_one_japanese_message, files

SEEDED = (
    "を作成し、「青森市しごと創造戦略」を登録しました"
    "（戦略の柱 5、共創施策 13、共創プロジェクト 26（掲載 29）、KPI 16）。\n"
)


def _count(path: Path, table: str) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


def test_init_creates_and_seeds_a_database(cli, tmp_path: Path) -> None:
    path = tmp_path / "新しい計画.sqlite3"
    result = cli("init", "--db", str(path))

    assert (result.code, result.err) == (0, "")
    assert result.out == f"データベース「{path}」{SEEDED}"
    expected = {
        "plan": 1,
        "pillar": 5,
        "measure": 13,
        "project": 26,
        "placement": 29,
        "kpi": 16,
        "kpi_measure": 17,
        "kpi_year": 0,
        "audit_log": 0,
    }
    assert {table: _count(path, table) for table in expected} == expected
    con = sqlite3.connect(path)
    try:
        events = [e for (e,) in con.execute("SELECT event FROM maintenance_log ORDER BY id")]
        relisted = con.execute("SELECT count(*) FROM placement WHERE relisting").fetchone()[0]
    finally:
        con.close()
    assert events == ["created", "seeded"]
    assert relisted == 3


def test_init_creates_missing_parent_folders(cli, tmp_path: Path) -> None:
    path = tmp_path / "企画課" / "2026年度" / "kpi.sqlite3"
    assert cli("init", "--db", str(path)).code == 0
    assert _count(path, "kpi") == 16


def test_init_refuses_an_existing_path_and_leaves_it_untouched(cli, seeded_db: Path) -> None:
    other = seeded_db.with_name("notes.txt")
    other.write_text("大切なメモ", encoding="utf-8")
    before = files(seeded_db.parent)

    for path in (seeded_db, other):
        result = cli("init", "--db", str(path))
        assert (result.code, result.out) == (1, "")
        assert_one_japanese_message(result.err)
        assert (
            result.err
            == f"「{path}」は既に存在します。上書きはしません。別のファイル名を指定してください。\n"
        )
    assert files(seeded_db.parent) == before


def test_init_without_db_asks_for_it_and_creates_nothing(cli, data_home: Path) -> None:
    result = cli("init")
    assert (result.code, result.out) == (1, "")
    assert result.err == "作成するデータベースファイルを --db で指定してください。\n"
    assert not list(data_home.rglob("*.sqlite3"))


def test_check_on_a_healthy_database(cli, seeded_db: Path) -> None:
    before = files(seeded_db.parent)
    result = cli("check", "--db", str(seeded_db))

    assert (result.code, result.err) == (0, "")
    assert result.out.splitlines() == [
        f"データベース: {seeded_db}",
        f"データ形式: {SCHEMA_HEAD}（このアプリケーションの最新: {SCHEMA_HEAD}）",
        "  計画: 1",
        "  戦略の柱: 5",
        "  共創施策: 13",
        "  共創プロジェクト: 26",
        "  掲載（再掲を含む）: 29",
        "  KPI: 16",
        "  KPI年度記録: 0",
        "整合性: 問題は見つかりませんでした。",
    ]
    assert files(seeded_db.parent) == before  # checking writes nothing


def test_check_lists_broken_references_and_exits_1(cli, seeded_db: Path) -> None:
    con = sqlite3.connect(seeded_db)
    with con:
        con.execute("PRAGMA foreign_keys = OFF")
        con.execute("DELETE FROM kpi WHERE code = 'K03'")
    con.close()

    result = cli("check", "--db", str(seeded_db))

    assert result.code == 1
    assert "  KPI: 15" in result.out.splitlines()
    assert result.err.splitlines()[0] == "整合性: 1件の問題が見つかりました。"
    assert result.err.splitlines()[1].startswith("・参照の不整合: 表 kpi_measure の行")
    assert "Traceback" not in result.err


def test_check_counts_yearly_records(cli, data_target: Target) -> None:
    result = cli("check", "--db", str(data_target))
    assert result.code == 0
    assert "  KPI年度記録: 3" in result.out.splitlines()


def test_version(cli) -> None:
    import aomori_desktop

    result = cli("--version")
    assert (result.code, result.out, result.err) == (
        0,
        f"aomori-desktop {aomori_desktop.__version__}\n",
        "",
    )


def test_repeated_runs_in_one_process_share_one_log_file(cli, data_home: Path) -> None:
    import gc
    import logging
    from logging.handlers import RotatingFileHandler

    for _ in range(3):
        assert cli("init").code == 1
    gc.collect()  # a handler opened and dropped unclosed would warn here (warnings are errors)
    logger = logging.getLogger("aomori_desktop")
    assert len([h for h in logger.handlers if isinstance(h, RotatingFileHandler)]) == 1
    log = data_home / "aomori-desktop" / "logs" / "aomori-desktop.log"
    assert log.read_text(encoding="utf-8").count("WARNING aomori_desktop: 作成する") == 3
