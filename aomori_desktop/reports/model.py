"""A small document model the annual report is written in, and that both writers lay out:
the .docx writer (python-docx, for staff to edit in Word) and the PDF writer (Qt, for the web
site). Plain values, no Qt: what the report says is decided once, here and in `annual.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from aomori_desktop.domain.progress import GradeCounts
from aomori_desktop.services.dto import KpiDetail


class Align(Enum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


class TextStyle(Enum):
    BODY = "body"
    LABEL = "label"  # 【成果】: a bold lead-in before a block of text
    NOTE = "note"  # smaller, muted: how a grade was proposed, where figures come from
    CAPTION = "caption"  # under a figure


@dataclass(frozen=True, slots=True)
class Cover:
    title: str  # 年次進捗報告書
    plan: str  # 青森市しごと創造戦略
    year: str  # 令和7(2025)年度
    date: str  # 令和8年10月1日
    department: str  # 青森市 経済部 …
    note: str = ""  # e.g. 計画は案（策定前）です


@dataclass(frozen=True, slots=True)
class Contents:
    """The contents list: every heading of level 1 and 2, with its page."""

    title: str = "目次"


@dataclass(frozen=True, slots=True)
class Heading:
    level: int  # 1 pillar / summary, 2 measure, 3 part of a measure
    text: str
    anchor: str  # a stable id: bookmark in Word, page lookup for the contents


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    style: TextStyle = TextStyle.BODY


@dataclass(frozen=True, slots=True)
class Cell:
    text: str
    bold: bool = False
    fill: str | None = None  # background, "#rrggbb"
    ink: str | None = None  # text colour
    align: Align | None = None  # None: the column's


@dataclass(frozen=True, slots=True)
class Row:
    """A table row; a `span` row has one cell across every column. Rows of one `group` are kept
    on one page (a KPI's name, values, outlook and comment)."""

    cells: tuple[Cell, ...]
    span: bool = False
    group: int = 0


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    share: float  # of the text width
    align: Align = Align.LEFT


@dataclass(frozen=True, slots=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    font_scale: float = 0.9
    header: bool = True  # the column titles as a first row, repeated on each page


@dataclass(frozen=True, slots=True)
class KpiFigure:
    """A KPI's progress chart up to the report's year, at the full text width."""

    detail: KpiDetail
    as_of: int
    caption: str


@dataclass(frozen=True, slots=True)
class GradeCountFigure:
    """KPIs per grade for each pillar (stacked bars)."""

    title: str
    fiscal_year: int
    rows: tuple[tuple[str, GradeCounts], ...]
    caption: str


@dataclass(frozen=True, slots=True)
class PageBreak:
    pass


Figure = KpiFigure | GradeCountFigure
Block = Cover | Contents | Heading | Paragraph | Table | Figure | PageBreak


@dataclass(frozen=True, slots=True)
class Document:
    title: str  # the file's title (PDF metadata, Word properties)
    blocks: tuple[Block, ...]
    subject: str = ""
    author: str = ""
    keywords: tuple[str, ...] = field(default=())

    @property
    def headings(self) -> list[Heading]:
        return [b for b in self.blocks if isinstance(b, Heading)]

    @property
    def figures(self) -> list[Figure]:
        return [b for b in self.blocks if isinstance(b, KpiFigure | GradeCountFigure)]
