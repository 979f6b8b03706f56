"""Broken and hostile files: each gets one Japanese sentence and the database stays
byte-identical (checked through the command line, which prints what the window shows)."""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from aomori_desktop.services.collection import Scope, ScopeKind, write_collection_workbooks
from aomori_desktop.services.transaction import PlanAccess
from aomori_desktop.services.workspace import create_seeded_database, default_plan_id
from tests.cli.helpers import assert_one_japanese_message
from tests.collection.conftest import ECONOMY, NOW, USER, other_user
from tests.collection.helpers import cache_formula, edit, fill, kpi_year, sha

FORM = "調査票_経済政策課.xlsx"


@pytest.fixture
def form(access: PlanAccess, tmp_path: Path) -> Path:
    path = tmp_path / FORM
    write_collection_workbooks(access, 2024, Scope(ScopeKind.SECTION, ECONOMY), path)
    return path


def _ole(path: Path, streams: list[str]) -> None:
    """An OLE compound file (the container of .xls and of password-protected .xlsx): the
    header, and a directory sector naming the streams in UTF-16 as Office writes them."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHH", header, 24, 0x3E, 3, 0xFFFE)  # minor, major version, byte order
    struct.pack_into("<H", header, 30, 9)  # 512-byte sectors
    directory = bytearray()
    for name in ["Root Entry", *streams]:
        entry = bytearray(128)
        encoded = (name + "\0").encode("utf-16-le")
        entry[: len(encoded)] = encoded
        struct.pack_into("<H", entry, 64, len(encoded))
        entry[66] = 5 if name == "Root Entry" else 2
        directory += entry
    path.write_bytes(bytes(header) + bytes(directory).ljust(512 * 2, b"\0"))


def _rename_sheet(old: str, new: str) -> Callable[[Any], None]:
    def change(wb: Any) -> None:
        wb.security = None
        wb[old].title = new

    return change


def _build(kind: str, form: Path, tmp_path: Path, access: PlanAccess) -> Path:
    """The broken file of `kind`, made from a good form where it needs one."""
    if kind == "text renamed .xlsx":
        path = tmp_path / "memo.xlsx"
        path.write_text("実績値: 85\n", encoding="utf-8")
        return path
    if kind == "empty file":
        path = tmp_path / "empty.xlsx"
        path.write_bytes(b"")
        return path
    if kind == "password protected":
        path = tmp_path / "protected.xlsx"
        _ole(path, ["EncryptionInfo", "EncryptedPackage", "\x06DataSpaces"])
        return path
    if kind == "old .xls":
        path = tmp_path / "old.xls"
        _ole(path, ["Workbook", "\x05SummaryInformation"])
        return path
    if kind == "a zip that is not a workbook":
        path = tmp_path / "archive.xlsx"
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("readme.txt", "hello")
        return path
    if kind == "OpenDocument spreadsheet":
        path = tmp_path / "calc.xlsx"
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
            z.writestr("content.xml", "<office:document-content/>")
        return path
    if kind == "truncated download":
        path = tmp_path / "cut.xlsx"
        path.write_bytes(form.read_bytes()[: form.stat().st_size // 2])
        return path
    if kind == "another application's workbook":
        path = tmp_path / "other.xlsx"
        wb = openpyxl.Workbook()
        wb.active["A1"] = "KPI"
        wb.save(path)
        return path
    if kind == "workbook for another plan":
        other = create_seeded_database(tmp_path / "other.sqlite3")
        try:
            other_access = PlanAccess(other, default_plan_id(other), user=USER, clock=lambda: NOW)
            path = tmp_path / "other-plan.xlsx"
            write_collection_workbooks(other_access, 2024, Scope(), path)
        finally:
            other.close()
        return path
    if kind == "workbook for another year":
        path = tmp_path / "2025.xlsx"
        write_collection_workbooks(access, 2025, Scope(ScopeKind.SECTION, ECONOMY), path)
        return path
    if kind == "missing sheet":
        edit(form, lambda wb: (setattr(wb, "security", None), wb.remove(wb["共創プロジェクト"])))
        return form
    if kind == "renamed sheet":
        edit(form, _rename_sheet("KPI", "KPI実績"))
        return form
    if kind == "moved column":
        edit(form, lambda wb: wb["KPI"].move_range("O4:O8", cols=1))
        return form
    if kind == "deleted column":
        edit(form, lambda wb: wb["KPI"].delete_cols(3))
        return form
    if kind == "inserted column":
        edit(form, lambda wb: wb["KPI"].insert_cols(13))
        return form
    if kind == "removed identifiers":

        def clear_ids(wb: Any) -> None:
            for row in range(5, 9):
                wb["KPI"].cell(row=row, column=1).value = None

        edit(form, clear_ids)
        return form
    if kind == "tampered identity":
        edit(form, lambda wb: setattr(wb["調査票情報"]["B5"], "value", "2023"))
        return form
    if kind == "removed identity sheet":
        edit(form, lambda wb: (setattr(wb, "security", None), wb.remove(wb["調査票情報"])))
        return form
    if kind == "merged cells":
        edit(form, lambda wb: wb["KPI"].merge_cells("O5:O6"))
        return form
    if kind == "a million rows":
        edit(form, lambda wb: setattr(wb["KPI"]["B1000000"], "value", "x"))
        return form
    if kind == "decompression bomb":
        path = tmp_path / "bomb.xlsx"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("xl/workbook.xml", "<workbook/>")
            with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
                zeros = b"\0" * (1 << 20)
                for _ in range(160):
                    part.write(zeros)
        assert path.stat().st_size < 1_000_000
        return path
    raise AssertionError(kind)


BROKEN = {
    "text renamed .xlsx": "「memo.xlsx」は Excel のブック（.xlsx）ではありません。",
    "empty file": "ファイル「empty.xlsx」は空です（0 バイト）。",
    "password protected": "ブック「protected.xlsx」はパスワードで保護されているため読み込めません。",
    "old .xls": "「old.xls」は古い形式（.xls）のブックのため読み込めません。",
    "a zip that is not a workbook": "「archive.xlsx」は Excel のブック（.xlsx）ではありません（ブックの部品がありません）。",
    "OpenDocument spreadsheet": "「calc.xlsx」は OpenDocument 形式（.ods など）のため読み込めません。",
    "truncated download": "ブック「cut.xlsx」は壊れているため読み込めません（zip 形式として読み取れません）。",
    "another application's workbook": "ブック「other.xlsx」はこのアプリケーションで作成した調査票ではありません",
    "workbook for another plan": "「other-plan.xlsx」は別の計画（青森市しごと創造戦略）の調査票です。",
    "workbook for another year": "「2025.xlsx」は令和7(2025)年度の調査票です。令和6(2024)年度の取り込みには使えません",
    "missing sheet": f"ブック「{FORM}」にシート「共創プロジェクト」が見つかりません。",
    "renamed sheet": f"ブック「{FORM}」にシート「KPI」が見つかりません。シート名を変更した場合は元に戻してから",
    "moved column": f"ブック「{FORM}」のシート「KPI」の列が作成時と変わっているため取り込めません（O4 は「要因分析・コメント」のはずが「空欄」です）。",
    "deleted column": f"ブック「{FORM}」のシート「KPI」の列が作成時と変わっているため取り込めません（C4 は「共創施策」のはずが「KPI」です）。",
    "inserted column": f"ブック「{FORM}」のシート「KPI」の列が作成時と変わっているため取り込めません（M4 は「実績値 令和6年度」のはずが「空欄」です）。",
    "removed identifiers": f"ブック「{FORM}」のシート「KPI」に行の識別情報（非表示のA列）が見つかりません。",
    "tampered identity": f"ブック「{FORM}」の識別情報が書き換えられているため取り込めません。",
    "removed identity sheet": f"ブック「{FORM}」はこのアプリケーションで作成した調査票ではありません（調査票の識別情報がありません）。",
    "merged cells": f"ブック「{FORM}」のシート「KPI」に結合されたセル（O5:O6）があるため取り込めません。",
    "a million rows": f"ブック「{FORM}」のシート「KPI」は行が多すぎるため取り込めません（1,000,000行目まであります）。",
    "decompression bomb": "ブック「bomb.xlsx」は展開すると大きくなりすぎるため読み込めません（300 MB 超）。圧縮爆弾の可能性があります。",
}


@pytest.mark.sqlite_only  # refused while reading the file
@pytest.mark.parametrize("kind", list(BROKEN))
def test_broken_workbook_gets_one_sentence_and_writes_nothing(
    cli, kind: str, form: Path, tmp_path: Path, access: PlanAccess, db_path: Path
) -> None:
    path = _build(kind, form, tmp_path, access)
    access.db.close()
    before = sha(db_path)
    result = cli("import", "xlsx", str(path), "--db", str(db_path), "--year", "2024")
    assert result.code == 1
    assert_one_japanese_message(result.err)
    assert BROKEN[kind] in result.err
    assert result.err.rstrip().endswith("何も変更していません。")
    assert f"取り込めません: {BROKEN[kind]}" in result.out  # the preview lists it too
    assert sha(db_path) == before


CELLS = {
    "text in a number cell": (
        {("K01", "M"): "abc"},
        "KPI!M5: 「abc」は数値ではありません。数字を入力してください（例: 1,234.5）。",
    ),
    "a unit typed after the number": (
        {("K02", "M"): "12件"},
        "KPI!M6: 「12件」は数値として読み取れません。",
    ),
    "a date in a number cell": (
        {("K03", "M"): __import__("datetime").datetime(2024, 4, 1)},
        "KPI!M7: 「2024/04/01」は日付または時刻です。数値を入力してください",
    ),
    "a status not in the list": (
        {("K01", "N"): "暫定"},
        "KPI!N5: 「暫定」は速報/確定として読み取れません。「速報」「確定」または空欄にしてください。",
    ),
    "too many digits": (
        {("K01", "M"): 10**17},
        "KPI!M5: 「100000000000000000」は桁数が多すぎます。整数部は15桁まで入力できます。",
    ),
}


@pytest.mark.parametrize("kind", list(CELLS))
def test_refused_cell_is_named_with_its_address_and_nothing_is_written(
    cli, kind: str, form: Path, access: PlanAccess, db_path: Path
) -> None:
    answers, sentence = CELLS[kind]
    fill(form, "KPI", {**answers, ("K04", "M"): 7})  # a good answer beside it is not written
    access.db.close()
    before = sha(db_path)
    result = cli("import", "xlsx", str(form), "--db", str(db_path))
    assert result.code == 1
    assert f"    {sentence}" in result.out
    assert "取り込めないセル 1件" in result.out
    assert_one_japanese_message(result.err)
    assert result.err.startswith(f"「{FORM}」 {sentence}")
    assert sha(db_path) == before


@pytest.mark.sqlite_only  # refused while reading the file
def test_formula_without_a_stored_result_is_refused(
    cli, form: Path, access: PlanAccess, db_path: Path
) -> None:
    fill(form, "KPI", {("K01", "M"): 1})
    cache_formula(form, 2, "M5", "SUM(G5:I5)", None)
    access.db.close()
    before = sha(db_path)
    result = cli("import", "xlsx", str(form), "--db", str(db_path))
    assert result.code == 1
    assert (
        "KPI!M5: 数式の計算結果が保存されていません。数式ではなく値を入力してください。"
        in result.out
    )
    assert sha(db_path) == before


@pytest.mark.sqlite_only  # refused while reading the file
def test_formula_with_an_error_result_is_refused(
    cli, form: Path, access: PlanAccess, db_path: Path
) -> None:
    fill(form, "KPI", {("K01", "M"): 1})
    cache_formula(form, 2, "M5", "1/0", None)
    # Excel stores an error result with t="e"
    with zipfile.ZipFile(form) as archive:
        parts = {i.filename: archive.read(i.filename) for i in archive.infolist()}
    xml = parts["xl/worksheets/sheet2.xml"].decode()
    xml = xml.replace('<c r="M5"', '<c t="e" r="M5"', 1).replace(
        "<f>1/0</f>", "<f>1/0</f><v>#DIV/0!</v>"
    )
    parts["xl/worksheets/sheet2.xml"] = xml.encode()
    with zipfile.ZipFile(form, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    access.db.close()
    result = cli("import", "xlsx", str(form), "--db", str(db_path))
    assert result.code == 1
    assert "KPI!M5: エラー値「#DIV/0!」です。値を入力してください。" in result.out


@pytest.mark.sqlite_only  # refused while reading the file
def test_added_row_without_identifier_is_refused(
    cli, form: Path, access: PlanAccess, db_path: Path
) -> None:
    edit(form, lambda wb: wb["KPI"].append([None, "K99", None, "新しいKPI"] + [None] * 8 + [5]))
    access.db.close()
    before = sha(db_path)
    result = cli("import", "xlsx", str(form), "--db", str(db_path))
    assert result.code == 1
    assert (
        "KPI!M9: 識別情報のない行に入力があります。追加した行は取り込めません。元の行に入力してください。"
        in result.out
    )
    assert sha(db_path) == before


@pytest.mark.sqlite_only  # refused while reading the file
def test_copied_row_is_refused(cli, form: Path, access: PlanAccess, db_path: Path) -> None:
    def copy_row(wb: Any) -> None:
        ws = wb["KPI"]
        ws.append([ws.cell(row=5, column=c).value for c in range(1, 16)])

    edit(form, copy_row)
    access.db.close()
    result = cli("import", "xlsx", str(form), "--db", str(db_path))
    assert result.code == 1
    assert (
        "KPI!A9: K01 の行が重複しています（5行目にもあります）。コピーした行を削除してください。"
        in result.out
    )


def test_empty_rows_and_typed_figures_are_accepted(
    cli, form: Path, access: PlanAccess, db_path: Path
) -> None:
    """Inserted empty rows are skipped; full-width digits, separators and △ read as Excel
    users type them."""
    fill(form, "KPI", {("K01", "M"): "１２", ("K02", "M"): "1,234", ("K03", "M"): "△5"})
    edit(form, lambda wb: wb["KPI"].insert_rows(6, 2))
    access.db.close()
    result = cli("import", "xlsx", str(form), "--db", str(db_path))
    assert (result.code, result.err.splitlines()[-1]) == (
        0,
        f"「{FORM}」から 3件の値を取り込みました（KPI 3件、共創プロジェクト 0件）。",
    )
    assert "K02 立地事業所数 令和6(2024)年度 実績値: 空欄 → 1,234（KPI!M8）" in result.out
    assert "K03 創業件数 令和6(2024)年度 実績値: 空欄 → -5（KPI!M9）" in result.out


def test_percent_dash_and_brackets_as_excel_users_type_them(
    cli, access: PlanAccess, db_path: Path, tmp_path: Path
) -> None:
    """12.5% typed as text or held by a %-formatted cell is 12.5 for a KPI in %; a dash
    clears a figure; (5) is refused rather than read as -5."""
    form = tmp_path / "all.xlsx"
    other_user(access.db, access.plan_id).values.record_actual("K14", 2024, Decimal("200"))
    write_collection_workbooks(access, 2024, Scope(), form)

    def answers(wb: Any) -> None:
        ws = wb["KPI"]
        rows = {ws.cell(row=r, column=1).value: r for r in range(5, ws.max_row + 1)}
        ws[f"M{rows['kpi:K16']}"] = "12.5%"
        ws[f"M{rows['kpi:K14']}"] = "-"
        ws[f"M{rows['kpi:K13']}"] = "(5)"

    edit(form, answers)
    access.db.close()
    refused = cli("import", "xlsx", str(form), "--db", str(db_path))
    assert "KPI!M17: 「(5)」のような括弧付きの数は使えません。" in refused.out
    edit(form, lambda wb: setattr(wb["KPI"]["M17"], "value", None))
    done = cli("import", "xlsx", str(form), "--db", str(db_path))
    assert done.code == 0, done.out + done.err
    assert kpi_year(db_path, "K16", 2024)[0] == "12.5"
    assert kpi_year(db_path, "K14", 2024)[0] is None  # the dash cleared 200

    def percent_cell(wb: Any) -> None:
        cell = wb["KPI"]["M20"]  # K16, formatted as Excel does after typing 13.1%
        cell.value = 0.131
        cell.number_format = "0.0%"

    edit(form, percent_cell)
    again = cli("import", "xlsx", str(form), "--db", str(db_path))
    # the form was made before the first import: 12.5 is now a later database value
    assert "作成時 空欄 ／ データベース 12.5 ／ 調査票 13.1（KPI!M20）" in again.out
