"""Every failure: exactly one Japanese message on stderr, no traceback, exit 1, nothing changed."""

from __future__ import annotations

import functools
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from aomori_desktop.store import database
from tests.cli.helpers import assert_one_japanese_message, files


@pytest.fixture(autouse=True)
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI waits 5 s for a lock; the same code path with 0.2 s keeps the suite fast."""
    monkeypatch.setattr(
        database, "open_database", functools.partial(database.open_database, busy_timeout=0.2)
    )


@contextmanager
def nothing() -> Iterator[None]:
    yield


@contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        con.execute("ROLLBACK")
        con.close()


def _read_only(path: Path) -> str:
    """As root chmod does not stop writes: use SQLite's read-only mode through a URI."""
    if os.geteuid() == 0:
        return f"sqlite:///file:{path}?mode=ro&uri=true"
    path.chmod(0o444)
    return str(path)


def _corrupt(path: Path) -> None:
    con = sqlite3.connect(path)
    try:
        (page,) = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'kpi'").fetchone()
    finally:
        con.close()
    data = bytearray(path.read_bytes())
    data[(page - 1) * 4096 : page * 4096] = bytes((i * 31 + 7) % 256 for i in range(4096))
    path.write_bytes(bytes(data))


def _newer(path: Path) -> None:
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.close()


def _other_application(path: Path) -> None:
    path.unlink()
    con = sqlite3.connect(path)
    with con:
        con.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    con.close()


# name: (prepare the folder -> argv, context while running, phrase in the message)
Scenario = tuple[Callable[[Path, Path], list[str]], Callable[[Path], object], str]


def _scenarios() -> dict[str, Scenario]:
    def export(db: str, folder: Path) -> list[str]:
        return ["export", "json", "--db", db, "-o", str(folder / "out.json")]

    return {
        "missing-check": (
            lambda db, d: ["check", "--db", str(d / "missing.sqlite3")],
            nothing_ctx,
            "見つかりません",
        ),
        "missing-export": (
            lambda db, d: export(str(d / "missing.sqlite3"), d),
            nothing_ctx,
            "見つかりません",
        ),
        "directory": (lambda db, d: ["check", "--db", str(d)], nothing_ctx, "フォルダーです"),
        "locked-export": (lambda db, d: export(str(db), d), exclusive_lock, "使用中"),
        "locked-check": (lambda db, d: ["check", "--db", str(db)], exclusive_lock, "使用中"),
        "read-only-import": (
            lambda db, d: [
                "import",
                "json",
                str(d / "plan.json"),
                "--db",
                _read_only(_emptied(db)),
            ],
            nothing_ctx,
            "読み取り専用",
        ),
        "corrupt-export": (
            lambda db, d: (_corrupt(db), export(str(db), d))[1],
            nothing_ctx,
            "壊れています",
        ),
        "corrupt-check": (
            lambda db, d: (_corrupt(db), ["check", "--db", str(db)])[1],
            nothing_ctx,
            "壊れています",
        ),
        "newer-schema": (
            lambda db, d: (_newer(db), export(str(db), d))[1],
            nothing_ctx,
            "より新しいバージョン",
        ),
        "not-a-database": (
            lambda db, d: (
                db.write_text("KPI一覧\n", encoding="utf-8"),
                ["check", "--db", str(db)],
            )[1],
            nothing_ctx,
            "データベースではありません",
        ),
        "other-application": (
            lambda db, d: (_other_application(db), export(str(db), d))[1],
            nothing_ctx,
            "別のアプリケーションの表があります",
        ),
        "zero-bytes": (
            lambda db, d: (db.write_bytes(b""), ["check", "--db", str(db)])[1],
            nothing_ctx,
            "空のファイル",
        ),
        "export-into-folder": (
            lambda db, d: ["export", "json", "--db", str(db), "-o", str(d)],
            nothing_ctx,
            "フォルダーです",
        ),
        "export-into-missing-folder": (
            lambda db, d: ["export", "json", "--db", str(db), "-o", str(d / "なし" / "out.json")],
            nothing_ctx,
            "がありません",
        ),
    }


def nothing_ctx(_path: Path) -> object:
    return nothing()


def _emptied(db: Path) -> Path:
    """An application database without a plan (import target)."""
    empty = db.with_name("empty.sqlite3")
    database.create_database(empty).close()
    return empty


SCENARIOS = _scenarios()


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_failure_prints_one_sentence_and_changes_nothing(
    cli, seeded_db: Path, tmp_path: Path, name: str
) -> None:
    prepare, context, phrase = SCENARIOS[name]
    (tmp_path / "plan.json").write_bytes(b"")  # filled below for the import scenario
    assert (
        cli("export", "json", "--db", str(seeded_db), "-o", str(tmp_path / "plan.json")).code == 0
    )
    argv = prepare(seeded_db, tmp_path)
    before = files(tmp_path)

    with context(seeded_db):
        result = cli(*argv)

    assert (result.code, result.out) == (1, ""), result
    assert_one_japanese_message(result.err)
    assert phrase in result.err
    assert "予期しないエラー" not in result.err
    assert files(tmp_path) == before
    if os.geteuid() != 0:
        for path in tmp_path.iterdir():
            path.chmod(0o755 if path.is_dir() else 0o644)


def test_bad_json_is_refused_with_its_position_and_nothing_is_created(cli, tmp_path: Path) -> None:
    bad = tmp_path / "plan.json"
    bad.write_text('{"format": "aomori-desktop/plan",\n "version": 1,,}', encoding="utf-8")
    before = files(tmp_path)

    result = cli("import", "json", str(bad), "--db", str(tmp_path / "new.sqlite3"))

    assert (result.code, result.out) == (1, "")
    assert_one_japanese_message(result.err, lines=2)
    assert result.err.splitlines()[0] == (
        "JSONファイルに1件の問題があるため、読み込みを中止しました（何も変更していません）:"
    )
    assert result.err.splitlines()[1].startswith("・2行15列: JSONとして読み取れません（")
    assert files(tmp_path) == before


def test_read_only_database_can_still_be_checked_and_exported(
    cli, seeded_db: Path, tmp_path: Path
) -> None:
    target = _read_only(seeded_db)
    out = tmp_path / "out.json"
    assert cli("check", "--db", target).code == 0
    assert cli("export", "json", "--db", target, "-o", str(out)).code == 0
    assert out.stat().st_size > 0
    if os.geteuid() != 0:
        seeded_db.chmod(0o644)


@pytest.mark.parametrize(
    "argv",
    [
        ["frobnicate"],
        ["check", "--frob"],
        ["export"],
        ["export", "pdf", "-o", "x"],  # csv and xlsx are formats now
        ["import", "json"],
    ],
)
def test_usage_errors_exit_1_with_the_japanese_sentence(
    cli, tmp_path: Path, argv: list[str]
) -> None:
    result = cli(*argv)
    assert (result.code, result.out) == (1, "")
    assert result.err.startswith("使い方: aomori-desktop")
    assert "\nコマンドの指定に誤りがあります。" in result.err
    assert "Traceback" not in result.err
    assert list(tmp_path.iterdir()) == []
