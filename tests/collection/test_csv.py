"""CSV: UTF-8 with BOM (and cp932 on request) out; UTF-8 with or without BOM and cp932 in,
detected from the bytes, through the same preview as the workbooks."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest

from aomori_desktop.domain.errors import UserError
from aomori_desktop.exchange.csv_collection import HEADER, CsvEncoding
from aomori_desktop.services.collection import export_kpi_csv
from aomori_desktop.services.collection_apply import apply_import
from aomori_desktop.services.collection_import import preview_import, read_files
from aomori_desktop.services.collection_report import preview_text
from aomori_desktop.services.transaction import PlanAccess
from aomori_desktop.services.workspace import create_seeded_database, default_plan_id
from tests.cli.helpers import assert_one_japanese_message
from tests.collection.conftest import other_user
from tests.collection.helpers import kpi_year, sha


def _export(access: PlanAccess, path: Path, **kw: object) -> list[list[str]]:
    export_kpi_csv(access, path, **kw)  # type: ignore[arg-type]
    data = path.read_bytes()
    text = data.decode("utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "cp932")
    return list(csv.reader(io.StringIO(text, newline="")))


def _save(path: Path, table: list[list[str]], encoding: str) -> None:
    """As Excel saves a CSV: CRLF line ends, 「CSV UTF-8」 with a BOM, 「CSV」 in cp932."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(table)
    path.write_bytes(buffer.getvalue().encode(encoding))


def _row(table: list[list[str]], code: str, fy: int) -> list[str]:
    return next(r for r in table if r[0] == code and f"({fy})" in r[3])


def test_export_is_utf8_with_bom_and_neutralises_formulas(
    access: PlanAccess, tmp_path: Path
) -> None:
    other_user(access.db, access.plan_id).values.record_actual(
        "K16", 2024, Decimal("8.40"), comment="=1+1 と入力"
    )
    path = tmp_path / "kpi.csv"
    table = _export(access, path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbfKPI ID,KPI,")
    assert b"\r\n" in path.read_bytes()
    assert table[0] == list(HEADER)
    assert len(table) == 1 + 16 * 10
    k16 = _row(table, "K16", 2024)
    assert k16[:7] == ["K16", k16[1], "%", "令和6(2024)年度", "", "8.40", ""]
    assert k16[10] == "'=1+1 と入力"
    assert k16[11].count("-") == 3
    k10 = _row(table, "K10", 2024)
    assert (k10[5], k10[6], k10[9]) == ("1109980", "速報", "D 停滞")


def test_cp932_export_and_a_character_it_cannot_hold(access: PlanAccess, tmp_path: Path) -> None:
    path = tmp_path / "sjis.csv"
    table = _export(access, path, encoding=CsvEncoding.CP932)
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert _row(table, "K10", 2024)[1] == "主要宿泊施設宿泊客数(延べ人数)"
    other_user(access.db, access.plan_id).values.record_actual("K03", 2025, None, comment="好調🎉")
    refused = tmp_path / "refused.csv"
    with pytest.raises(UserError) as error:
        export_kpi_csv(access, refused, encoding=CsvEncoding.CP932)
    assert error.value.message == (
        "KPI K03 令和7(2025)年度の要因分析・コメントに Shift_JIS（cp932）で表せない文字「🎉」があるため"
        "書き出せません。UTF-8 で書き出してください。"
    )
    assert not refused.exists()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp932"])
def test_edited_csv_comes_back_through_the_preview(
    access: PlanAccess, db_path: Path, tmp_path: Path, encoding: str
) -> None:
    path = tmp_path / "kpi.csv"
    table = _export(access, path)
    k10 = _row(table, "K10", 2024)
    k10[5], k10[6], k10[10] = "1,120,500", "確定", "確定値に更新"
    k03 = _row(table, "K03", 2025)
    k03[5] = "８２"
    _save(path, table, encoding)
    files = read_files([path])
    preview = preview_import(access, files)
    assert preview.ok, preview.problems
    assert [(c.code, c.fiscal_year, c.field.value, c.new) for c in preview.changes] == [
        ("K03", 2025, "actual", Decimal("82")),
        ("K10", 2024, "actual", Decimal("1120500")),
        ("K10", 2024, "status", _final()),
        ("K10", 2024, "comment", "確定値に更新"),
    ]
    assert (
        "K10 主要宿泊施設宿泊客数(延べ人数) 令和6(2024)年度 実績値: 1,109,980 → 1,120,500（kpi!F"
        in (preview_text(preview))
    )
    apply_import(access, preview)
    assert kpi_year(db_path, "K10", 2024)[:3] == ("1120500", "final", "確定値に更新")
    assert kpi_year(db_path, "K03", 2025)[0] == "82"


def _final():  # type: ignore[no-untyped-def]
    from aomori_desktop.domain.plan import FigureStatus

    return FigureStatus.FINAL


def test_csv_conflict_and_untouched_fields(access: PlanAccess, tmp_path: Path) -> None:
    path = tmp_path / "kpi.csv"
    table = _export(access, path)
    _row(table, "K11", 2024)[5] = "100"
    _save(path, table, "utf-8-sig")
    values = other_user(access.db, access.plan_id).values
    values.record_actual("K11", 2024, Decimal("90"))  # changed meanwhile, and in the file: conflict
    values.record_actual("K12", 2024, Decimal("5"))  # changed meanwhile only: stays
    preview = preview_import(access, read_files([path]))
    assert preview.changes == ()
    [conflict] = preview.conflicts
    assert (conflict.code, conflict.base_known, conflict.database, conflict.workbook) == (
        "K11",
        False,
        Decimal("90"),
        Decimal("100"),
    )
    assert "作成時 不明 ／ データベース 90 ／ 調査票 100" in preview_text(preview)


def test_csv_for_another_plan_is_refused(access: PlanAccess, tmp_path: Path) -> None:
    other = create_seeded_database(tmp_path / "other.sqlite3")
    try:
        path = tmp_path / "other.csv"
        export_kpi_csv(PlanAccess(other, default_plan_id(other)), path)
    finally:
        other.close()
    [file] = preview_import(access, read_files([path])).files
    assert (
        file.refused
        == "「other.csv」は別の計画の調査票です。取り込み先の計画で作成した調査票を指定してください。"
    )


def _written(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _header() -> str:
    return ",".join(HEADER) + "\r\n"


HOSTILE_CSV = {
    "utf-16": (
        lambda: ("\ufeff" + _header()).encode("utf-16-le"),
        "CSV「x.csv」は UTF-16（Unicode テキスト）で保存されているため読み込めません。",
    ),
    "undecodable": (
        lambda: _header().encode("utf-8") + b"K01,\x82\xff\xfe\x80,\r\n",
        "CSV「x.csv」の文字コードを判別できません（UTF-8 でも Shift_JIS でもありません。",
    ),
    "moved columns": (
        lambda: ("KPI,KPI ID" + _header()[len("KPI ID,KPI") :]).encode("utf-8"),
        "CSV「x.csv」の列が書き出し時と変わっているため取り込めません（1列目は「KPI ID」のはずが「KPI」です）。",
    ),
    "a workbook": (lambda: b"PK\x03\x04rest", "「x.csv」は Excel のブックです。"),
    "binary": (lambda: b"\x00\x01\x02" * 50, "「x.csv」は CSV（文字のファイル）ではありません。"),
    "empty": (lambda: b"", "CSV「x.csv」は空です。"),
    "broken quoting": (
        lambda: (_header() + 'K01,"abc"def,件\r\n').encode("utf-8"),
        "CSV「x.csv」の 2行目が CSV として読み取れません",
    ),
}


@pytest.mark.sqlite_only  # refused while reading the file
@pytest.mark.parametrize("kind", list(HOSTILE_CSV))
def test_hostile_csv_gets_one_sentence_and_writes_nothing(
    cli, kind: str, access: PlanAccess, db_path: Path, tmp_path: Path
) -> None:
    make, sentence = HOSTILE_CSV[kind]
    path = _written(tmp_path, "x.csv", make())
    access.db.close()
    before = sha(db_path)
    result = cli("import", "csv", str(path), "--db", str(db_path))
    assert result.code == 1
    assert_one_japanese_message(result.err)
    assert sentence in result.err
    assert sha(db_path) == before


def test_cell_problems_in_a_csv_are_named_by_cell(
    cli, access: PlanAccess, db_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "kpi.csv"
    table = _export(access, path)
    _row(table, "K01", 2024)[5] = "abc"
    _row(table, "K02", 2024)[3] = "来年度"
    _save(path, table, "cp932")
    access.db.close()
    before = sha(db_path)
    result = cli("import", "csv", str(path), "--db", str(db_path))
    assert result.code == 1
    assert "kpi!F2: 「abc」は数値ではありません。" in result.out
    assert "kpi!D12: 年度「来年度」を読み取れません。" in result.out
    assert sha(db_path) == before


def test_cli_exports_and_dry_run_changes_nothing(
    cli, access: PlanAccess, db_path: Path, tmp_path: Path
) -> None:
    access.db.close()
    out = tmp_path / "sjis.csv"
    result = cli(
        "export",
        "csv",
        "--db",
        str(db_path),
        "-o",
        str(out),
        "--encoding",
        "cp932",
        "--year",
        "2024",
    )
    assert (result.code, result.err) == (0, f"「{out}」に Shift_JIS（cp932） で書き出しました。\n")
    table = list(csv.reader(io.StringIO(out.read_bytes().decode("cp932"), newline="")))
    assert len(table) == 1 + 16
    _row(table, "K11", 2024)[5] = "12345"
    _save(out, table, "cp932")
    before = sha(db_path)
    dry = cli("import", "csv", str(out), "--db", str(db_path), "--dry-run")
    assert dry.code == 0 and "変更 1件" in dry.out
    assert dry.err == "確認のみのため、何も変更していません（--dry-run）。\n"
    assert sha(db_path) == before
    done = cli("import", "csv", str(out), "--db", str(db_path))
    assert (
        done.err == "「sjis.csv」から 1件の値を取り込みました（KPI 1件、共創プロジェクト 0件）。\n"
    )
    assert kpi_year(db_path, "K11", 2024)[0] == "12345"
