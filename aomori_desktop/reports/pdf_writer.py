"""The report as PDF, made by the application itself (the office PCs have no converter).

Qt's QPdfWriter with a small page layout of its own: A4 portrait, 25 mm margins, text set with
QTextLayout in the bundled face (embedded as a subset, so the text is searchable), headings kept
with what follows, table rows never split across pages (a KPI's rows stay together, header rows
repeat), charts drawn as vectors at the full text width, page numbers in the footer (not on
the cover), and a contents page with the pages the headings landed on (a first pass lays out
every page, the second paints them).

Everything is in CSS pixels (96 per inch), the resolution at which pyqtgraph's cached axis text
is drawn correctly into a PDF (docs/charts.md). Threading: GUI thread only (charts are widgets).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QImage,
    QPageLayout,
    QPageSize,
    QPaintDevice,
    QPainter,
    QPdfWriter,
    QPen,
    QTextLayout,
    QTextLine,
    QTextOption,
)

from aomori_desktop import APP_NAME, __version__
from aomori_desktop.charts.style import DEFAULT_FONT_FAMILY
from aomori_desktop.domain.errors import UserError
from aomori_desktop.reports.figures import FigureRenderer
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
    Row,
    Table,
    TextStyle,
)
from aomori_desktop.services.tasks import TaskState

__all__ = ["PdfLayout", "layout_pages", "page_images", "paint_page", "pdf_bytes"]

DPI: Final = 96.0
MM: Final = DPI / 25.4
PAGE_W: Final = 210 * MM
PAGE_H: Final = 297 * MM
LEFT: Final = 25 * MM
TOP: Final = 25 * MM
BOTTOM: Final = 22 * MM
TEXT_W: Final = PAGE_W - 2 * LEFT  # 160 mm
BODY_PT: Final = 10.5
CELL_PAD: Final = 1.6 * MM
_TEXT: Final = QColor("#1a1a1a")
_MUTED: Final = QColor("#404040")
_RULE: Final = QColor("#7f7f7f")
_HEAD_FILL: Final = QColor("#dde3ec")
_HEADINGS: Final = {1: (16.0, "#1f3864"), 2: (13.0, "#1f3864"), 3: (11.0, "#333333")}

Op = Callable[[QPainter], None]


def _font(pt: float, *, bold: bool = False) -> QFont:
    font = QFont(DEFAULT_FONT_FAMILY)
    font.setPointSizeF(pt)
    font.setBold(bold)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    font.setStyleHint(QFont.StyleHint.SansSerif)
    return font


@dataclass
class _Lines:
    """A text laid out in lines at a width (QTextLayout keeps the glyphs)."""

    layout: QTextLayout
    lines: list[QTextLine]
    colour: QColor

    @property
    def height(self) -> float:
        if not self.lines:
            return 0.0
        last = self.lines[-1]
        return last.y() + last.height()


@dataclass
class PdfLayout:
    """Pages as lists of drawing steps, and the page each heading starts on (1 = the cover)."""

    pages: list[list[Op]] = field(default_factory=list)
    heading_pages: dict[str, int] = field(default_factory=dict)


class _Flow:
    def __init__(self, device: QPaintDevice, renderer: FigureRenderer, contents_pages: int) -> None:
        self.device = device
        self.renderer = renderer
        self.out = PdfLayout()
        self.y = TOP
        self.page: list[Op] = []
        self.contents_pages = contents_pages

    # ------------------------------------------------------------ pages

    def new_page(self) -> None:
        self.out.pages.append(self.page)
        self.page = []
        self.y = TOP

    def finish(self) -> PdfLayout:
        if self.page:
            self.out.pages.append(self.page)
        return self.out

    @property
    def page_number(self) -> int:
        return len(self.out.pages) + 1

    @property
    def room(self) -> float:
        return PAGE_H - BOTTOM - self.y

    def ensure(self, height: float) -> None:
        """Start a new page unless `height` fits on this one (nothing is split here)."""
        if height > self.room and self.y > TOP + 1:
            self.new_page()

    # ------------------------------------------------------------ text

    def lines(
        self,
        text: str,
        font: QFont,
        width: float,
        colour: QColor = _TEXT,
        align: Align = Align.LEFT,
        spacing: float = 1.25,
    ) -> _Lines:
        layout = QTextLayout(text.replace("\r\n", "\n").replace("\n", "\u2028"), font, self.device)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        option.setAlignment(
            {
                Align.LEFT: Qt.AlignmentFlag.AlignLeft,
                Align.CENTER: Qt.AlignmentFlag.AlignHCenter,
                Align.RIGHT: Qt.AlignmentFlag.AlignRight,
            }[align]
        )
        layout.setTextOption(option)
        leading = QFontMetricsF(font, self.device).height() * (spacing - 1)
        lines = []
        y = 0.0
        layout.beginLayout()
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            line.setPosition(QPointF(0, y))
            y += line.height() + leading
            lines.append(line)
        layout.endLayout()
        return _Lines(layout, lines, colour)

    def draw_lines(
        self, block: _Lines, x: float, y: float, start: int = 0, stop: int | None = None
    ) -> None:
        chosen = block.lines[start:stop]
        if not chosen:
            return
        offset = chosen[0].y()

        def paint(p: QPainter) -> None:
            p.setPen(block.colour)
            for line in chosen:
                line.draw(p, QPointF(x, y - offset))

        self.page.append(paint)

    def text(
        self,
        text: str,
        font: QFont,
        *,
        colour: QColor = _TEXT,
        after: float = 3.0,
        indent: float = 0.0,
    ) -> None:
        """A paragraph; split between pages at line boundaries when it does not fit."""
        block = self.lines(text, font, TEXT_W - indent, colour)
        i = 0
        while i < len(block.lines):
            fit = i
            top = block.lines[i].y()
            while fit < len(block.lines):
                line = block.lines[fit]
                if line.y() + line.height() - top > self.room:
                    break
                fit += 1
            if fit == i:  # not even one line: next page
                self.new_page()
                continue
            self.draw_lines(block, LEFT + indent, self.y, i, fit)
            last = block.lines[fit - 1]
            self.y += last.y() + last.height() - top
            i = fit
            if i < len(block.lines):
                self.new_page()
        self.y += after * MM / 3

    # ------------------------------------------------------------ blocks

    def cover(self, c: Cover) -> None:
        y = TOP + 70 * MM
        for text, pt, bold in (
            (c.plan, 22.0, True),
            (c.year, 18.0, True),
            (c.title, 28.0, True),
            (c.note, 12.0, False),
        ):
            if not text:
                continue
            block = self.lines(text, _font(pt, bold=bold), TEXT_W, _TEXT, Align.CENTER)
            self.draw_lines(block, LEFT, y)
            y += block.height + 8 * MM
        y = PAGE_H - 75 * MM
        for text in (c.date, c.department):
            block = self.lines(text, _font(14.0), TEXT_W, _TEXT, Align.CENTER)
            self.draw_lines(block, LEFT, y)
            y += block.height + 4 * MM
        self.new_page()

    def contents(self, c: Contents, document: Document, pages: dict[str, int]) -> None:
        self.text(c.title, _font(16.0, bold=True), after=12)
        for h in document.headings:
            if h.level > 2:
                continue
            font = _font(BODY_PT, bold=h.level == 1)
            indent = 0.0 if h.level == 1 else 8 * MM
            number = str(pages.get(h.anchor, ""))
            metrics = QFontMetricsF(font, self.device)
            number_w = metrics.horizontalAdvance("0000")
            block = self.lines(h.text, font, TEXT_W - indent - number_w - 4 * MM)
            self.ensure(block.height)
            y = self.y
            self.draw_lines(block, LEFT + indent, y)
            last = block.lines[-1]
            text_end = LEFT + indent + last.naturalTextWidth()
            base = y + last.y() + last.ascent()

            def leader(
                p: QPainter,
                x0: float = text_end,
                base: float = base,
                num: str = number,
                f: QFont = font,
            ) -> None:
                p.setFont(f)
                p.setPen(_MUTED)
                m = QFontMetricsF(f, p.device())
                dot = m.horizontalAdvance("・")
                right = LEFT + TEXT_W - m.horizontalAdvance(num) - 2 * MM
                x = x0 + 2 * MM
                while x + dot <= right:
                    p.drawText(QPointF(x, base), "・")
                    x += dot
                p.setPen(_TEXT)
                p.drawText(QPointF(LEFT + TEXT_W - m.horizontalAdvance(num), base), num)

            self.page.append(leader)
            self.y += block.height + (1.5 if h.level == 2 else 3) * MM

    def heading(self, h: Heading) -> None:
        pt, colour = _HEADINGS[h.level]
        before = {1: 4.0, 2: 6.0, 3: 3.5}[h.level] * MM
        block = self.lines(h.text, _font(pt, bold=True), TEXT_W, QColor(colour))
        # keep with what follows: the heading and about three lines of it
        self.ensure(before + block.height + 18 * MM)
        if self.y > TOP + 1:
            self.y += before
        self.out.heading_pages[h.anchor] = self.page_number
        self.draw_lines(block, LEFT, self.y)
        self.y += block.height
        if h.level == 1:
            y = self.y + 1.2 * MM

            def rule(p: QPainter, y: float = y) -> None:
                p.setPen(QPen(QColor(colour), 1.2))
                p.drawLine(QPointF(LEFT, y), QPointF(LEFT + TEXT_W, y))

            self.page.append(rule)
            self.y += 2.5 * MM
        self.y += 2 * MM

    def paragraph(self, para: Paragraph) -> None:
        if para.style is TextStyle.LABEL:
            block = self.lines(para.text, _font(BODY_PT, bold=True), TEXT_W)
            self.ensure(block.height + 10 * MM)  # with the first line of its text
            self.y += 1 * MM
            self.text(para.text, _font(BODY_PT, bold=True), after=1)
        elif para.style is TextStyle.NOTE:
            self.text(para.text, _font(9.0), colour=_MUTED)
        elif para.style is TextStyle.CAPTION:
            self.text(para.text, _font(9.0), colour=_MUTED, after=6)
        else:
            self.text(para.text, _font(BODY_PT))

    # ------------------------------------------------------------ tables

    def _row_cells(
        self, row: Row, table: Table, widths: list[float], font_pt: float
    ) -> tuple[list[tuple[float, float, Cell, _Lines]], float]:
        if row.span:
            pairs = [(LEFT, TEXT_W, row.cells[0], Align.LEFT)]
        else:
            x = LEFT
            pairs = []
            for cell, column, width in zip(row.cells, table.columns, widths, strict=True):
                pairs.append((x, width, cell, column.align))
                x += width
        laid = []
        height = 0.0
        for x, width, cell, align in pairs:
            ink = QColor(cell.ink) if cell.ink else _TEXT
            block = self.lines(
                cell.text,
                _font(font_pt, bold=cell.bold),
                width - 2 * CELL_PAD,
                ink,
                cell.align or align,
                1.15,
            )
            laid.append((x, width, cell, block))
            height = max(height, block.height + 2 * CELL_PAD)
        return laid, height

    def _draw_row(
        self,
        laid: list[tuple[float, float, Cell, _Lines]],
        height: float,
        y: float,
        fill: QColor | None = None,
    ) -> None:
        for x, width, cell, block in laid:
            rect = QRectF(x, y, width, height)
            colour = QColor(cell.fill) if cell.fill else fill

            def paint(p: QPainter, rect: QRectF = rect, colour: QColor | None = colour) -> None:
                if colour is not None:
                    p.fillRect(rect, colour)
                p.setPen(QPen(_RULE, 0.75))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRect(rect)

            self.page.append(paint)
            self.draw_lines(block, x + CELL_PAD, y + CELL_PAD)

    def table(self, t: Table) -> None:
        widths = [TEXT_W * c.share for c in t.columns]
        font_pt = BODY_PT * t.font_scale
        header: tuple[list[tuple[float, float, Cell, _Lines]], float] | None = None
        if t.header:
            header_row = Row(tuple(Cell(c.title, bold=True, align=Align.CENTER) for c in t.columns))
            header = self._row_cells(header_row, t, widths, font_pt)
        rows = [self._row_cells(r, t, widths, font_pt) for r in t.rows]
        # groups of rows that stay on one page (a row alone when it has no group)
        groups: list[list[int]] = []
        for i, r in enumerate(t.rows):
            if groups and r.group != 0 and t.rows[groups[-1][0]].group == r.group:
                groups[-1].append(i)
            else:
                groups.append([i])
        head_h = header[1] if header else 0.0
        for number, group in enumerate(groups):
            height = sum(rows[i][1] for i in group)
            started = False
            if (head_h if number == 0 else 0.0) + height > self.room and self.y > TOP + 1:
                self.new_page()
                started = True
            if header and (number == 0 or started):
                self._draw_row(header[0], header[1], self.y, _HEAD_FILL)
                self.y += header[1]
            for i in group:
                laid, h = rows[i]
                if h > self.room:  # a group taller than a page: it breaks between rows
                    self.new_page()
                    if header:
                        self._draw_row(header[0], header[1], self.y, _HEAD_FILL)
                        self.y += header[1]
                self._draw_row(laid, h, self.y)
                self.y += h
        self.y += 3 * MM

    # ------------------------------------------------------------ figures

    def figure(self, figure: KpiFigure | GradeCountFigure, on_paint: Callable[[], None]) -> None:
        size = self.renderer.size_px(figure, TEXT_W)
        caption = self.lines(figure.caption, _font(9.0), TEXT_W, _MUTED)
        self.ensure(size.height() + caption.height + 3 * MM)
        x, y = LEFT, self.y
        renderer = self.renderer

        def paint(p: QPainter) -> None:
            on_paint()
            p.save()
            p.translate(x, y)
            renderer.paint(figure, p, size.width(), size.height())
            p.restore()
            p.setPen(QPen(QColor("#bfbfbf"), 0.5))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRect(QRectF(x, y, size.width(), size.height()))

        self.page.append(paint)
        self.y += size.height() + 1.5 * MM
        self.draw_lines(caption, LEFT, self.y)
        self.y += caption.height + 5 * MM


def _layout(
    document: Document,
    device: QPaintDevice,
    renderer: FigureRenderer,
    pages: dict[str, int],
    on_figure: Callable[[], None],
) -> PdfLayout:
    flow = _Flow(device, renderer, 0)
    for block in document.blocks:
        if isinstance(block, Cover):
            flow.cover(block)
        elif isinstance(block, Contents):
            flow.contents(block, document, pages)
            flow.new_page()
        elif isinstance(block, Heading):
            flow.heading(block)
        elif isinstance(block, Paragraph):
            flow.paragraph(block)
        elif isinstance(block, Table):
            flow.table(block)
        elif isinstance(block, PageBreak):
            if flow.y > TOP + 1:
                flow.new_page()
        else:
            flow.figure(block, on_figure)
    return flow.finish()


def layout_pages(
    document: Document,
    device: QPaintDevice,
    renderer: FigureRenderer,
    on_figure: Callable[[], None] = lambda: None,
) -> PdfLayout:
    """Lay the document out twice: the second time the contents carry the pages the first
    found (the contents' own length does not depend on the numbers)."""
    first = _layout(document, device, renderer, {}, lambda: None)
    return _layout(document, device, renderer, first.heading_pages, on_figure)


def paint_page(painter: QPainter, layout: PdfLayout, number: int, title: str) -> None:
    """Paint page `number` (1 = the cover) of a layout: its content, and on every page but
    the cover the title at the top and "- n -" at the foot."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    for op in layout.pages[number - 1]:
        op(painter)
    if number == 1:
        return
    painter.setFont(_font(9.0))
    painter.setPen(_MUTED)
    painter.drawText(
        QRectF(LEFT, PAGE_H - BOTTOM + 6 * MM, TEXT_W, 8 * MM),
        int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
        f"- {number} -",
    )
    painter.setFont(_font(8.0))
    painter.drawText(
        QRectF(LEFT, TOP - 12 * MM, TEXT_W, 6 * MM),
        int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom),
        title,
    )


def page_images(layout: PdfLayout, title: str, scale: float = 1.0) -> list[QImage]:
    """Every page as an image (the window's preview): the same drawing as the PDF."""
    images = []
    for number in range(1, len(layout.pages) + 1):
        image = QImage(round(PAGE_W * scale), round(PAGE_H * scale), QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        try:
            painter.scale(scale, scale)
            paint_page(painter, layout, number, title)
        finally:
            painter.end()
        images.append(image)
    return images


def _check_font() -> None:
    if DEFAULT_FONT_FAMILY not in QFontDatabase.families():
        raise UserError(
            "報告書に使う書体（BIZ UDPゴシック）が読み込まれていません。アプリケーションを"
            "再インストールしてください。"
        )


def pdf_bytes(
    document: Document, renderer: FigureRenderer, state: TaskState | None = None
) -> tuple[bytes, PdfLayout]:
    """The report as PDF bytes (built in memory: a cancelled or failed report writes nothing),
    and its layout (the page of each heading, for the .docx contents)."""
    _check_font()
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(round(DPI))
    writer.setCreator(f"{APP_NAME} {__version__}")
    writer.setTitle(document.title)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0),
        )
    )
    figures = len(document.figures)
    drawn = [0]

    def on_figure() -> None:
        if state is not None:
            state.check()
            state.report(drawn[0], figures, f"PDF: 図 {drawn[0] + 1}/{figures}")
        drawn[0] += 1

    final = layout_pages(document, writer, renderer, on_figure)
    painter = QPainter()
    if not painter.begin(writer):
        raise UserError("PDF を作成できませんでした。")
    try:
        for number in range(1, len(final.pages) + 1):
            if number > 1:
                writer.newPage()
            paint_page(painter, final, number, document.title)
    finally:
        painter.end()
    return bytes(buffer.data().data()), final
