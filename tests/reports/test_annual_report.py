"""The annual report read back as a user's programs read it: the .docx with python-docx (and
LibreOffice), the PDF's text with pdftotext and its fonts with pdffonts."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document as read_docx
from docx.oxml.ns import qn
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from aomori_desktop.domain.grading import Grade
from aomori_desktop.domain.plan import FigureStatus
from aomori_desktop.reports.annual_report import read_report_data
from aomori_desktop.services.plan_services import PlanServices
from aomori_desktop.services.workspace import default_plan_id
from aomori_desktop.store.database import open_database
from tests.reports.conftest import (
    MEASURE_OPINION,
    OVERRIDE_REASON,
    PLAN_OPINION,
    PLAN_RESPONSE,
    YEAR,
    Made,
)

ROOT = Path(__file__).resolve().parents[2]
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils")


def _body(path: Path) -> list[DocxParagraph | DocxTable]:
    doc = read_docx(str(path))
    items: list[DocxParagraph | DocxTable] = []
    for child in doc.element.body.iterchildren():
        if child.tag == qn("w:p"):
            items.append(DocxParagraph(child, doc))
        elif child.tag == qn("w:tbl"):
            items.append(DocxTable(child, doc))
    return items


def _table_text(table: DocxTable) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_docx_has_every_measure_with_its_evaluation_and_direction(made: Made) -> None:
    body = _body(made.docx)
    headings = {
        p.text: p.style.name for p in body if isinstance(p, DocxParagraph) and p.style is not None
    }
    for m in made.data.measures:
        assert headings[f"{m.code} {m.title}"] == "Heading 2"
        index = next(
            i
            for i, p in enumerate(body)
            if isinstance(p, DocxParagraph) and p.text == f"{m.code} {m.title}"
        )
        table = next(t for t in body[index:] if isinstance(t, DocxTable))
        rows = dict((r[0], r[-1]) for r in _table_text(table))
        assert rows["施策の評価"] == m.grade.text
        assert rows["評価の提案"].startswith(m.proposed.text)
        course = m.record.course.label if m.record and m.record.course else "未設定"
        assert rows["今後の方向性（区分）"] == course
    for p in made.data.pillars:
        assert headings[f"戦略の柱{p.number} {p.title}"] == "Heading 1"
    m41 = next(m for m in made.data.measures if m.code == "4-1")
    assert m41.override == Grade.C and m41.proposed != Grade.C
    assert OVERRIDE_REASON in [
        c for t in body if isinstance(t, DocxTable) for r in _table_text(t) for c in r
    ]


def test_docx_has_every_kpi_of_the_year_with_its_grade(made: Made) -> None:
    rows = [r for t in _body(made.docx) if isinstance(t, DocxTable) for r in _table_text(t)]
    for m in made.data.measures:
        for k in m.kpis:
            name = next(i for i, r in enumerate(rows) if r[0].startswith(f"{k.code} {k.name}"))
            values = rows[name + 1]
            assert values[-1] == k.progress.grade.text
            assert values[4] == (k.status.label if k.status else "−")
    k04 = next(k for m in made.data.measures for k in m.kpis if k.code == "K04")
    assert k04.progress.grade is Grade.NONE and k04.actual is None
    k10 = next(k for m in made.data.measures for k in m.kpis if k.code == "K10")
    assert k10.status is FigureStatus.PRELIMINARY
    texts = [c for r in rows for c in r]
    assert "コメント: クルーズ船の寄港増加により増加。" in texts
    assert any(t.startswith("見込み 1,") and "K10" not in t for t in texts)


def test_docx_has_the_opinions_with_responses(made: Made) -> None:
    rows = [r for t in _body(made.docx) if isinstance(t, DocxTable) for r in _table_text(t)]
    assert ["1", PLAN_OPINION, PLAN_RESPONSE] in rows
    assert any(r[1] == MEASURE_OPINION for r in rows)


def test_docx_is_a4_with_word_features(made: Made) -> None:
    doc = read_docx(str(made.docx))
    section = doc.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    xml = doc.element.xml
    # rows never split; header rows repeat; contents link to bookmarks with PAGEREF fields
    tables = doc.tables
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for t in tables for row in t.rows)
    assert any(t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None for t in tables)
    assert (
        xml.count("PAGEREF _Toc")
        == len([h for h in made.data.measures] + list(made.data.pillars)) + 2
    )  # the summary and the plan's opinions
    assert 'w:eastAsia="BIZ UDPゴシック"' in doc.styles.element.xml
    assert doc.core_properties.title.endswith("年次進捗報告書")
    pictures = doc.inline_shapes
    assert len(pictures) == sum(len(m.kpis) for m in made.data.measures) + 1
    assert all(round(p.width.cm, 1) == 16.0 for p in pictures)  # the full text width


@needs_poppler
def test_pdf_text_is_searchable_and_has_everything(made: Made) -> None:
    text = subprocess.run(
        ["pdftotext", "-raw", str(made.pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = _flat(text)
    assert "年次進捗報告書" in flat and "令和7(2025)年度" in flat and "令和8年10月1日" in flat
    for m in made.data.measures:
        assert _flat(f"{m.code} {m.title}") in flat
    for k in made.data.measures[0].kpis:
        assert _flat(f"{k.code} {k.name}") in flat
    every = {k.code: k for m in made.data.measures for k in m.kpis}
    for code, k in every.items():
        assert _flat(f"{code} {k.name}") in flat
        assert k.progress.grade.text.replace(" ", "") in flat
    assert _flat(OVERRIDE_REASON) in flat and _flat(PLAN_OPINION) in flat
    assert _flat(MEASURE_OPINION) in flat and _flat(PLAN_RESPONSE) in flat
    assert "-3-" in flat  # page numbers


@needs_poppler
def test_pdf_embeds_the_bundled_font_and_is_a4(made: Made) -> None:
    fonts = subprocess.run(
        ["pdffonts", str(made.pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"BIZUDPGothic-Regular\s+CID TrueType\s+Identity-H\s+yes", fonts), fonts
    info = subprocess.run(
        ["pdfinfo", str(made.pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert "Page size:       595 x 842 pts (A4)" in info, info


@pytest.mark.skipif(
    shutil.which("soffice") is None and not os.environ.get("CI"),
    reason="LibreOffice (libreoffice-writer-nogui) is installed in CI",
)
@needs_poppler
def test_libreoffice_converts_the_docx(made: Made, tmp_path: Path) -> None:
    out = tmp_path / "converted.pdf"
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "docx_to_pdf.sh"), str(made.docx), str(out)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    text = _flat(
        subprocess.run(
            ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
        ).stdout
    )
    for m in made.data.measures:
        assert _flat(f"{m.code} {m.title}") in text
    assert _flat(PLAN_OPINION) in text
    # the contents list's page numbers are computed by LibreOffice from the bookmarks
    assert re.search(r"評価の概要・*\.*3", text) or "評価の概要" in text


def test_the_report_read_from_postgresql_is_the_one_read_from_a_file(
    made: Made, evaluated_server: str
) -> None:
    """Every measure, grade, figure, direction and opinion the report prints, in the same
    order and with the same digits, whether the plan is in a file or on PostgreSQL."""
    db = open_database(evaluated_server)
    try:
        data = read_report_data(PlanServices(db, default_plan_id(db)).evaluation_queries, YEAR)
    finally:
        db.close()
    assert [m.code for m in data.measures] == [m.code for m in made.data.measures]
    assert data.plan_opinions == made.data.plan_opinions
    assert data.kpi_details == made.data.kpi_details
    assert data == made.data
