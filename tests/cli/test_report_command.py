"""`aomori-desktop report`: the annual report from the command line, and its refusals."""

from __future__ import annotations

import zipfile
from pathlib import Path

from docx import Document as read_docx

from tests.backends import Target
from tests.cli.helpers import assert_one_japanese_message, files


def test_report_as_docx_and_pdf(cli, data_target: Target, tmp_path: Path, qapp) -> None:  # type: ignore[no-untyped-def]
    docx = tmp_path / "報告書.docx"
    result = cli(
        "report",
        "--db",
        str(data_target),
        "--year",
        "R6",
        "-o",
        str(docx),
        "--department",
        "青森市 経済部",
        "--date",
        "2026-10-01",
    )
    assert result.code == 0, result.err
    assert result.out == f"「{docx}」に年次進捗報告書を作成しました。\n"
    assert zipfile.is_zipfile(docx)
    texts = [p.text for p in read_docx(str(docx)).paragraphs]
    assert "令和6(2024)年度" in texts and "令和8年10月1日" in texts and "青森市 経済部" in texts
    pdf = tmp_path / "報告書.pdf"
    assert cli("--db", str(data_target), "report", "--year", "2024", "-o", str(pdf)).code == 0
    assert pdf.read_bytes().startswith(b"%PDF-")


def test_refusals_are_one_sentence_and_write_nothing(cli, data_db: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    out.mkdir()
    before = files(tmp_path)
    cases = [
        (["--year", "2025", "-o", str(out / "report.xlsx")], "拡張子を .docx（Word）または .pdf"),
        (["--year", "2040", "-o", str(out / "report.pdf")], "計画期間"),
        (["--year", "来年", "-o", str(out / "report.pdf")], "年度「来年」を読み取れません"),
        (["--year", "2025", "--date", "10/1", "-o", str(out / "report.pdf")], "日付「10/1」"),
    ]
    for args, phrase in cases:
        result = cli("report", "--db", str(data_db), *args)
        assert result.code == 1, (args, result.err)
        assert_one_japanese_message(result.err)
        assert phrase in result.err
    assert files(tmp_path) == before
