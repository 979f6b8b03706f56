"""The report as a Word document (.docx, python-docx), for the staff to edit.

A4 portrait, 25 mm margins (the text is 16 cm wide, the charts' full-width preset). Headings use
Word's own 見出し 1–3 styles (outline levels), so the navigation pane works and Word's table
of contents can be inserted or updated. The contents page lists the level 1 and 2 headings
with hyperlinks and PAGEREF fields to bookmarks at the headings: Word and LibreOffice compute
the page numbers themselves (the cached numbers are the PDF layout's); `updateFields` makes Word
offer to refresh them on opening. Table rows never split across pages (cantSplit), header rows
repeat, and a KPI's rows stay together. Pages are numbered in the footer, the cover excepted.

Every run names the bundled face BIZ UDPゴシック, which Windows 10/11 also ship.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Final

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from aomori_desktop.fileio import write_bytes_atomically
from aomori_desktop.reports.figures import TEXT_WIDTH_CM, FigureRenderer
from aomori_desktop.reports.model import (
    Align,
    Cell,
    Contents,
    Cover,
    Document,
    GradeCountFigure,
    Heading,
    KpiFigure,
    PageBreak,
    Paragraph,
    Table,
    TextStyle,
)
from aomori_desktop.services.tasks import TaskState

__all__ = ["FONT_NAME", "docx_bytes", "write_docx"]

FONT_NAME: Final = "BIZ UDPゴシック"
BODY_PT: Final = 10.5
_ALIGN: Final = {
    Align.LEFT: WD_ALIGN_PARAGRAPH.LEFT,
    Align.CENTER: WD_ALIGN_PARAGRAPH.CENTER,
    Align.RIGHT: WD_ALIGN_PARAGRAPH.RIGHT,
}
_HEADINGS: Final = {1: (16.0, "1f3864"), 2: (13.0, "1f3864"), 3: (11.0, "333333")}


def _set_fonts(rpr: Any) -> None:
    """Name the face for every script and drop the theme fonts that would override it."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.endswith("Theme") or attr.endswith("theme"):
            del fonts.attrib[attr]
    for script in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(script), FONT_NAME)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "ja-JP")


def _styles(doc: Any) -> None:
    styles = doc.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        _set_fonts(rpr)
    normal = styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    _set_fonts(normal.element.get_or_add_rPr())
    normal.paragraph_format.space_after = Pt(3)
    normal.paragraph_format.line_spacing = 1.15
    for level, (size, colour) in _HEADINGS.items():
        style = styles[f"Heading {level}"]
        _set_fonts(style.element.get_or_add_rPr())
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = RGBColor.from_string(colour.upper())
        style.paragraph_format.space_before = Pt(14 if level == 1 else 10)
        style.paragraph_format.space_after = Pt(6 if level < 3 else 3)
        style.paragraph_format.keep_with_next = True
    for name in ("Caption", "Header", "Footer"):
        _set_fonts(styles[name].element.get_or_add_rPr())
    caption = styles["Caption"]
    caption.font.size = Pt(9)
    caption.font.bold = False
    caption.font.color.rgb = RGBColor(0x33, 0x33, 0x33)


def _field(paragraph: Any, instruction: str, cached: str) -> None:
    """A complex field (PAGE, PAGEREF…) with its cached result."""

    def char(kind: str) -> None:
        run = paragraph.add_run()
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run._r.append(element)

    char("begin")
    run = paragraph.add_run()
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run._r.append(text)
    char("separate")
    paragraph.add_run(cached)
    char("end")


def _bookmark(paragraph: Any, name: str, number: int) -> None:
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(number))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(number))
    p = paragraph._p
    p.insert(1 if p.pPr is not None else 0, start)
    p.append(end)


def _text(
    paragraph: Any,
    text: str,
    *,
    size: float | None = None,
    bold: bool = False,
    colour: str | None = None,
) -> None:
    """Runs for a text whose newlines become line breaks (the text stays as the user wrote it)."""
    for i, line in enumerate(text.split("\n")):
        run = paragraph.add_run()
        if i:
            run.add_break(WD_BREAK.LINE)
        run.add_text(line)
        if size is not None:
            run.font.size = Pt(size)
        if bold:
            run.font.bold = True
        if colour is not None:
            run.font.color.rgb = RGBColor.from_string(colour.lstrip("#").upper())


def _shade(cell: Any, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill.lstrip("#").upper())
    tcpr.append(shd)


def _row_props(row: Any, *, header: bool = False) -> None:
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))
    if header:
        trpr.append(OxmlElement("w:tblHeader"))


class _Writer:
    def __init__(self, doc: Any, renderer: FigureRenderer, pages: Mapping[str, int]) -> None:
        self.doc = doc
        self.renderer = renderer
        self.pages = pages
        self.bookmarks: dict[str, str] = {}
        self.headings: list[Heading] = []

    def cover(self, c: Cover) -> None:
        doc = self.doc
        for _ in range(6):
            doc.add_paragraph()
        for text, size, bold in (
            (c.plan, 22.0, True),
            (c.year, 18.0, True),
            (c.title, 26.0, True),
            (c.note, 12.0, False),
        ):
            if text:
                p = doc.add_paragraph()
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                p.paragraph_format.space_after = Pt(14)
                _text(p, text, size=size, bold=bold)
        for _ in range(10):
            doc.add_paragraph()
        for text in (c.date, c.department):
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _text(p, text, size=14.0)
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def contents(self, c: Contents, headings: list[Heading]) -> None:
        doc = self.doc
        p = doc.add_paragraph()
        p.paragraph_format.space_after = Pt(12)
        _text(p, c.title, size=16.0, bold=True)
        width = Cm(TEXT_WIDTH_CM)
        for h in headings:
            if h.level > 2:
                continue
            entry = doc.add_paragraph()
            fmt = entry.paragraph_format
            fmt.left_indent = Cm(0 if h.level == 1 else 0.8)
            fmt.space_after = Pt(2 if h.level == 2 else 4)
            fmt.tab_stops.add_tab_stop(width, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
            link = OxmlElement("w:hyperlink")
            link.set(qn("w:anchor"), self.bookmarks[h.anchor])
            link.set(qn("w:history"), "1")
            entry._p.append(link)
            run = entry.add_run(h.text)
            run.font.bold = h.level == 1 or None
            link.append(run._r)
            entry.add_run("\t")
            _field(
                entry, f"PAGEREF {self.bookmarks[h.anchor]} \\h", str(self.pages.get(h.anchor, ""))
            )
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def heading(self, h: Heading) -> None:
        p = self.doc.add_heading(h.text, h.level)
        _bookmark(p, self.bookmarks[h.anchor], len(self.headings) + 1)
        self.headings.append(h)

    def paragraph(self, para: Paragraph) -> None:
        p = self.doc.add_paragraph()
        if para.style is TextStyle.LABEL:
            p.paragraph_format.space_before = Pt(6)
            p.paragraph_format.keep_with_next = True
            _text(p, para.text, bold=True)
        elif para.style is TextStyle.NOTE:
            _text(p, para.text, size=9.0, colour="#404040")
        elif para.style is TextStyle.CAPTION:
            p.style = self.doc.styles["Caption"]
            _text(p, para.text)
        else:
            _text(p, para.text)

    def table(self, t: Table) -> None:
        columns = t.columns
        size = BODY_PT * t.font_scale
        header = 1 if t.header else 0
        table = self.doc.add_table(rows=len(t.rows) + header, cols=len(columns))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        margins = OxmlElement("w:tblCellMar")
        for side, twips in (("top", 45), ("bottom", 45), ("left", 85), ("right", 85)):
            margin = OxmlElement(f"w:{side}")
            margin.set(qn("w:w"), str(twips))
            margin.set(qn("w:type"), "dxa")
            margins.append(margin)
        table._tbl.tblPr.append(margins)
        widths = [Cm(TEXT_WIDTH_CM * c.share) for c in columns]
        grid = table._tbl.tblGrid
        for col, width in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
            col.set(qn("w:w"), str(int(width.twips)))
        if header:
            row = table.rows[0]
            _row_props(row, header=True)
            for cell, column, width in zip(row.cells, columns, widths, strict=True):
                cell.width = width
                _shade(cell, "#dde3ec")
                p = cell.paragraphs[0]
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                p.paragraph_format.space_after = Pt(0)
                p.paragraph_format.line_spacing = 1.0
                _text(p, column.title, size=size, bold=True)
        groups = [r.group for r in t.rows]
        for i, spec in enumerate(t.rows):
            row = table.rows[i + header]
            _row_props(row)
            cells = row.cells
            if spec.span:
                merged = cells[0].merge(cells[-1])
                cells = [merged]
                specs: list[tuple[Cell, Align, Any]] = [
                    (spec.cells[0], Align.LEFT, Cm(TEXT_WIDTH_CM))
                ]
            else:
                specs = [
                    (c, col.align, w) for c, col, w in zip(spec.cells, columns, widths, strict=True)
                ]
            keep = spec.group != 0 and i + 1 < len(groups) and groups[i + 1] == spec.group
            for cell, (content, align, width) in zip(cells, specs, strict=False):
                cell.width = width
                if content.fill:
                    _shade(cell, content.fill)
                p = cell.paragraphs[0]
                p.alignment = _ALIGN[content.align or align]
                p.paragraph_format.space_after = Pt(0)
                p.paragraph_format.line_spacing = 1.0
                p.paragraph_format.keep_with_next = keep or None
                _text(p, content.text, size=size, bold=content.bold, colour=content.ink)
        self.doc.add_paragraph().paragraph_format.space_after = Pt(2)

    def figure(self, figure: KpiFigure | GradeCountFigure) -> None:
        png, _height_cm = self.renderer.png(figure)
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.keep_with_next = True
        p.paragraph_format.space_after = Pt(0)
        p.add_run().add_picture(io.BytesIO(png), width=Cm(TEXT_WIDTH_CM))
        self.paragraph(Paragraph(figure.caption, TextStyle.CAPTION))


def _header_footer(section: Any, title: str) -> None:
    """The document's title at the top right and "- n -" at the foot of every page but the
    cover (as the PDF has them)."""
    section.different_first_page_header_footer = True
    head = section.header.paragraphs[0]
    head.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _text(head, title, size=8.0, colour="#404040")
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("- ").font.size = Pt(9)
    _field(p, "PAGE", "")
    p.add_run(" -").font.size = Pt(9)


def docx_bytes(
    document: Document,
    renderer: FigureRenderer,
    pages: Mapping[str, int] | None = None,
    state: TaskState | None = None,
) -> bytes:
    """The report as .docx bytes. `pages` gives the contents' cached page numbers."""
    doc = new_docx()
    _styles(doc)
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.2)
    section.footer_distance = Cm(1.0)
    _header_footer(section, document.title)
    props = doc.core_properties
    props.title, props.subject, props.author = document.title, document.subject, document.author
    props.keywords = "、".join(document.keywords)
    settings = doc.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)

    writer = _Writer(doc, renderer, pages or {})
    headings = document.headings
    writer.bookmarks = {h.anchor: f"_Toc{i:06d}" for i, h in enumerate(headings, start=1)}
    figures = len(document.figures)
    drawn = 0
    actions: dict[type, Callable[[Any], None]] = {
        Cover: writer.cover,
        Heading: writer.heading,
        Paragraph: writer.paragraph,
        Table: writer.table,
    }
    for block in document.blocks:
        if isinstance(block, Contents):
            writer.contents(block, headings)
        elif isinstance(block, PageBreak):
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif isinstance(block, KpiFigure | GradeCountFigure):
            if state is not None:
                state.check()
                state.report(drawn, figures, f"Word: 図 {drawn + 1}/{figures}")
            writer.figure(block)
            drawn += 1
        else:
            actions[type(block)](block)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def write_docx(path: Path, data: bytes) -> Path:
    write_bytes_atomically(path, data)
    return path
