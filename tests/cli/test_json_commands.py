"""`export json` and `import json` through the command line (the tests asking for
`data_target` or `empty_target` run on an SQLite file and on a PostgreSQL database)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from aomori_desktop.store.database import create_database
from aomori_desktop.store.engine import describe, to_url
from tests import backends
from tests.backends import Target
from tests.cli.helpers import assert_one_japanese_message, files


def test_export_import_export_is_byte_identical(
    cli, data_target: Target, empty_target: Target, tmp_path: Path
) -> None:
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    copy = empty_target

    exported = cli("export", "json", "--db", str(data_target), "-o", str(first))
    assert (exported.code, exported.out, exported.err) == (
        0,
        "",
        f"「{first}」に書き出しました。\n",
    )

    imported = cli("import", "json", str(first), "--db", str(copy))
    assert (imported.code, imported.err) == (0, "")
    assert imported.out == (
        f"「{first}」から「青森市しごと創造戦略」をデータベース「{describe(to_url(copy))}」に読み込みました"
        "（KPI 16、共創プロジェクト 26）。\n"
    )

    assert cli("export", "json", "--db", str(copy), "-o", str(second)).code == 0
    assert second.read_bytes() == first.read_bytes()

    doc = json.loads(first.read_bytes().decode("utf-8"))
    k16 = next(k for k in doc["kpis"] if k["id"] == "K16")
    assert k16["years"][0]["actual"] == "8.40"
    assert k16["years"][0]["comment"] == '確定値\n"前年比" +0.1pt 🎉'
    assert (
        len(doc["audit"]) > 0
        and doc["kpis"][4]["target_revisions"][0]["reason"] == "国の補助制度の拡充"
    )


def test_export_to_standard_output(cli, data_target: Target, tmp_path: Path) -> None:
    target = tmp_path / "file.json"
    cli("export", "json", "--db", str(data_target), "-o", str(target))
    result = cli("export", "json", "--db", str(data_target), "-o", "-")
    assert (result.code, result.err) == (0, "")
    assert result.out.encode("utf-8") == target.read_bytes()


def _exported(cli, db: Target, out: Path) -> bytes:
    assert cli("export", "json", "--db", str(db), "-o", str(out)).code == 0
    return out.read_bytes()


def test_import_over_a_database_holding_a_plan_is_refused(
    cli, data_target: Target, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.json"
    before_json = _exported(cli, data_target, plan)
    folder = tmp_path / "data"
    before = backends.content(data_target, folder)

    result = cli("import", "json", str(plan), "--db", str(data_target))

    assert (result.code, result.out) == (1, "")
    assert_one_japanese_message(result.err)
    assert result.err == (
        f"データベース「{describe(to_url(data_target))}」には既に計画が登録されているため、"
        "読み込みを中止しました（何も変更していません）。"
        "新しいデータベースファイルを指定してください。\n"
    )
    assert backends.content(data_target, folder) == before
    assert _exported(cli, data_target, tmp_path / "after.json") == before_json


def test_import_of_an_invalid_file_lists_every_problem_and_leaves_no_database(
    cli, data_db: Path, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.json"
    doc = json.loads(_exported(cli, data_db, plan))
    doc["kpis"][0]["years"][1]["actual"] = "約12"
    doc["kpis"][3]["unit"] = 1
    doc["projects"][0]["years"][0:0] = [{"fiscal_year": "2024"}]
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    target = tmp_path / "new.sqlite3"
    before = files(tmp_path)

    result = cli("import", "json", str(broken), "--db", str(target))

    assert (result.code, result.out) == (1, "")
    assert_one_japanese_message(result.err, lines=None)
    assert result.err.splitlines() == [
        "JSONファイルに3件の問題があるため、読み込みを中止しました（何も変更していません）:",
        "・projects[0].years[0].fiscal_year: 整数が必要です。",
        "・kpis[0].years[1].actual: 「約12」は数値として読み取れません。",
        "・kpis[3].unit: 文字列が必要です。",
    ]
    assert not target.exists()
    assert files(tmp_path) == before


def test_import_of_an_inconsistent_plan_removes_the_new_database(
    cli, data_db: Path, empty_target: Target, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.json"
    doc = json.loads(_exported(cli, data_db, plan))
    doc["kpis"][0]["measures"] = ["1-1", "9-9"]  # well-formed, but no such measure
    doc["pillars"][0]["measures"][0]["placements"][0]["project"] = "PJ99"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    target = empty_target
    before = files(tmp_path), backends.content(target, tmp_path / "new")

    result = cli("import", "json", str(bad), "--db", str(target))

    assert result.code == 1
    assert result.err.splitlines()[0] == "3件の問題があります:"
    assert "・共創プロジェクト 1-1-1: プロジェクト PJ99 が見つかりません。" in result.err
    assert "・KPI K01: 共創施策 9-9 が見つかりません。" in result.err
    assert "Traceback" not in result.err
    # the database created for the import is gone again; a server database is empty again
    assert (files(tmp_path), backends.content(target, tmp_path / "new")) == before
    assert not (tmp_path / "new" / "new.sqlite3-journal").exists()


def test_import_of_unreadable_files(cli, tmp_path: Path) -> None:
    latin1 = tmp_path / "sjis.json"
    latin1.write_bytes('{"plan": "青森市"}'.encode("shift_jis"))
    target = tmp_path / "new.sqlite3"
    cases = {
        latin1: f"ファイル「{latin1}」は UTF-8 の文字として読み取れません（10バイト目）。\n",
        tmp_path / "missing.json": f"ファイル「{tmp_path / 'missing.json'}」が見つかりません。\n",
        tmp_path: f"「{tmp_path}」はフォルダーです。ファイルを指定してください。\n",
    }
    before = files(tmp_path)
    for path, message in cases.items():
        result = cli("import", "json", str(path), "--db", str(target))
        assert (result.code, result.out, result.err) == (1, "", message)
    assert files(tmp_path) == before


def test_import_accepts_a_utf8_file_with_a_bom(cli, data_db: Path, tmp_path: Path) -> None:
    plan = tmp_path / "plan.json"
    text = _exported(cli, data_db, plan)
    plan.write_bytes(b"\xef\xbb\xbf" + text)  # as Windows Notepad may save it
    target = tmp_path / "new.sqlite3"
    assert cli("import", "json", str(plan), "--db", str(target)).code == 0
    assert _exported(cli, target, tmp_path / "again.json") == text


def test_export_without_db_creates_and_seeds_the_default_database(
    cli, data_home: Path, tmp_path: Path
) -> None:
    out = tmp_path / "plan.json"
    default = data_home / "aomori-desktop" / "aomori-desktop.sqlite3"
    assert not default.exists()

    result = cli("export", "json", "-o", str(out))

    assert (result.code, result.err) == (0, f"「{out}」に書き出しました。\n")
    assert default.exists()
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["plan"]["name"] == "青森市しごと創造戦略" and len(doc["kpis"]) == 16

    # the second run opens the same database: not seeded again
    assert cli("export", "json", "-o", str(tmp_path / "again.json")).code == 0
    assert (tmp_path / "again.json").read_bytes() == out.read_bytes()
    con = sqlite3.connect(default)
    try:
        events = [e for (e,) in con.execute("SELECT event FROM maintenance_log ORDER BY id")]
        plans = con.execute("SELECT count(*) FROM plan").fetchone()[0]
    finally:
        con.close()
    assert (events, plans) == (["created", "seeded"], 1)


def test_import_without_db_fills_a_new_default_database(
    cli, data_db: Path, data_home: Path, tmp_path: Path
) -> None:
    """Regression: the default database was first created and seeded, so the import was then
    refused ("already holds a plan") after all, leaving a seeded database behind."""
    plan = tmp_path / "plan.json"
    text = _exported(cli, data_db, plan)
    default = data_home / "aomori-desktop" / "aomori-desktop.sqlite3"

    result = cli("import", "json", str(plan))

    assert (result.code, result.err) == (0, "")
    assert f"データベース「{default}」に読み込みました" in result.out
    assert cli("export", "json", "-o", str(tmp_path / "again.json")).code == 0
    assert (tmp_path / "again.json").read_bytes() == text
    # ...and a second import into it is refused, changing nothing
    before = files(default.parent)
    assert cli("import", "json", str(plan)).code == 1
    assert {k: v for k, v in files(default.parent).items() if not k.startswith("logs")} == {
        k: v for k, v in before.items() if not k.startswith("logs")
    }


def test_db_may_be_given_before_the_subcommand(tmp_path, capsys) -> None:
    from aomori_desktop.cli import main

    db = tmp_path / "before.sqlite3"
    assert main(["--db", str(db), "init"]) == 0
    out = tmp_path / "plan.json"
    assert main(["--db", str(db), "export", "json", "-o", str(out)]) == 0
    copy = tmp_path / "copy.sqlite3"
    assert main(["--db", str(copy), "import", "json", str(out)]) == 0
    assert copy.exists()
    assert main(["check", "--db", str(copy)]) == 0
    assert "KPI: 16" in capsys.readouterr().out


def test_an_oversized_file_is_refused_before_reading(tmp_path, capsys, monkeypatch) -> None:
    from aomori_desktop import cli

    big = tmp_path / "big.json"
    big.write_bytes(b" " * 2048)
    monkeypatch.setattr(cli, "MAX_IMPORT_BYTES", 1000)
    assert cli.main(["import", "json", str(big), "--db", str(tmp_path / "x.sqlite3")]) == 1
    err = capsys.readouterr().err
    assert f"ファイル「{big}」は大きすぎます" in err and "読み込めるのは 0 MB までです" in err
    assert not (tmp_path / "x.sqlite3").exists()


def _not_read_whole(monkeypatch) -> None:
    """Make reading a file whole fail: what still works was read element by element."""
    from aomori_desktop.exchange import json_format

    def whole(text: str) -> None:
        raise AssertionError("the file was read whole")

    monkeypatch.setattr(json_format, "load_plan", whole)


@pytest.fixture
def empty_with_schema(backend: str, tmp_path: Path) -> Iterator[Target]:
    """A database with the application's tables but no plan."""
    if backend == "sqlite":
        create_database(tmp_path / "empty.sqlite3").close()
        yield tmp_path / "empty.sqlite3"
        return
    url = backends.new_database("cli_schema")
    try:
        create_database(url).close()
        yield url
    finally:
        backends.drop_database(url)


def test_a_valid_file_is_imported_element_by_element(
    cli,
    backend: str,
    data_db: Path,
    empty_target: Target,
    empty_with_schema: Target,
    tmp_path: Path,
    monkeypatch,
) -> None:
    plan = tmp_path / "plan.json"
    text = _exported(cli, data_db, plan)
    empty = empty_with_schema
    if backend == "sqlite":  # a server database is filled from a file read whole (cli.py)
        _not_read_whole(monkeypatch)

    for target in (empty_target, empty):
        result = cli("import", "json", str(plan), "--db", str(target))
        assert (result.code, result.err) == (0, ""), result
        assert "（KPI 16、共創プロジェクト 26）" in result.out
        assert _exported(cli, target, tmp_path / "again.json") == text


def test_a_file_in_another_layout_is_read_whole_and_imported(
    cli, data_db: Path, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.json"
    text = _exported(cli, data_db, plan)
    doc = json.loads(text)
    reordered = tmp_path / "reordered.json"
    reordered.write_text(json.dumps({"audit": doc.pop("audit"), **doc}), encoding="utf-8")
    target = tmp_path / "new.sqlite3"
    assert cli("import", "json", str(reordered), "--db", str(target)).code == 0
    assert _exported(cli, target, tmp_path / "again.json") == text


def test_a_plan_breaking_its_rules_late_in_the_file_is_refused_whole(
    cli,
    backend: str,
    data_db: Path,
    empty_target: Target,
    empty_with_schema: Target,
    tmp_path: Path,
    monkeypatch,
) -> None:
    """Found while the rows are already going in: every problem is listed as the whole
    reading lists them, and the empty database and its folder keep every byte."""
    from aomori_desktop.domain.validation import validate_snapshot
    from aomori_desktop.exchange.json_format import load_plan
    from aomori_desktop.services.errors import ValidationError

    doc = json.loads(_exported(cli, data_db, tmp_path / "plan.json"))
    doc["kpis"].append(dict(doc["kpis"][0]))  # the last KPI repeats the first one's id
    doc["kpis"][1]["measures"] = ["9-9"]
    doc["audit"][-1]["user"] = "u" * 101
    doc["evaluations"]["opinions"] = [
        {"number": 1, "fiscal_year": 2024, "measure": "8-8", "opinion": "意見"}
    ]
    text = json.dumps(doc, ensure_ascii=False)
    bad = tmp_path / "bad.json"
    bad.write_text(text, encoding="utf-8")
    expected = ValidationError(validate_snapshot(load_plan(text)))
    assert len(expected.problems) == 4
    empty = empty_with_schema
    targets = (empty, empty_target)
    before = files(tmp_path), [backends.content(t, tmp_path / "new") for t in targets]
    if backend == "sqlite":  # a server database is filled from a file read whole (cli.py)
        _not_read_whole(monkeypatch)

    for target in targets:
        result = cli("import", "json", str(bad), "--db", str(target))
        assert (result.code, result.out, result.err) == (1, "", expected.message + "\n")
    assert (files(tmp_path), [backends.content(t, tmp_path / "new") for t in targets]) == before


def test_an_import_the_database_refuses_midway_leaves_it_as_it_was(
    cli, data_db: Path, empty_with_schema: Target, tmp_path: Path
) -> None:
    """The plan's rows are in, then the database refuses the audit trail: the import is one
    transaction, so the database holds no plan afterwards and a second try succeeds."""
    plan = tmp_path / "plan.json"
    text = _exported(cli, data_db, plan)
    backends.refuse_inserts(empty_with_schema, "audit_log", "audit refused")
    before = backends.content(empty_with_schema, tmp_path / "nothing")

    result = cli("import", "json", str(plan), "--db", str(empty_with_schema))

    assert (result.code, result.out) == (1, "")
    assert_one_japanese_message(result.err)
    assert "audit refused" in result.err
    assert backends.content(empty_with_schema, tmp_path / "nothing") == before
    assert backends.rows(empty_with_schema, "SELECT count(*) FROM plan") == [(0,)]
    on = " ON audit_log" if backends.is_postgres(empty_with_schema) else ""
    backends.execute(empty_with_schema, f"DROP TRIGGER refuse_audit_log{on}")
    assert cli("import", "json", str(plan), "--db", str(empty_with_schema)).code == 0
    assert _exported(cli, empty_with_schema, tmp_path / "again.json") == text
