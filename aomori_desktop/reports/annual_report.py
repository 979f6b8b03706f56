"""The annual progress report of a fiscal year, from the database to a .docx or PDF file.

`read_report_data` reads (any thread: it only queries the database); `render_report` draws
and writes (GUI thread: the charts are widgets). Both report progress on a `TaskState` and stop
at its `check()` before anything is written; the file is built in memory and written
atomically, so a cancelled or failed report never leaves half a file. The window and the
headless command (`aomori-desktop report`) share these functions.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtGui import QPdfWriter

from aomori_desktop.domain.errors import UserError
from aomori_desktop.fileio import write_bytes_atomically
from aomori_desktop.reports.annual import ReportOptions, annual_document
from aomori_desktop.reports.docx_writer import docx_bytes
from aomori_desktop.reports.figures import FigureRenderer
from aomori_desktop.reports.model import Document
from aomori_desktop.reports.pdf_writer import DPI, PdfLayout, layout_pages, pdf_bytes
from aomori_desktop.services.evaluation_views import AnnualReportData, EvaluationQueries
from aomori_desktop.services.tasks import TaskState

__all__ = [
    "ReportFormat",
    "ReportTimings",
    "read_report_data",
    "render_report",
    "report_bytes",
]


class ReportFormat(StrEnum):
    DOCX = "docx"
    PDF = "pdf"

    @classmethod
    def from_path(cls, path: Path) -> ReportFormat:
        try:
            return cls(path.suffix.lower().lstrip("."))
        except ValueError:
            raise UserError(
                f"「{path.name}」の形式が分かりません。拡張子を .docx（Word）または .pdf にしてください。"
            ) from None

    @property
    def label(self) -> str:
        return {"docx": "Word 文書 (*.docx)", "pdf": "PDF (*.pdf)"}[self.value]


@dataclass
class ReportTimings:
    """Seconds spent in each part (the benchmark prints them)."""

    parts: dict[str, float] = field(default_factory=dict)

    def add(self, name: str, started: float) -> float:
        now = time.perf_counter()
        self.parts[name] = self.parts.get(name, 0.0) + now - started
        return now


def read_report_data(
    queries: EvaluationQueries, fiscal_year: int, state: TaskState | None = None
) -> AnnualReportData:
    """Everything the report prints for a year (database work only)."""
    return queries.annual_report(fiscal_year, state)


def _layout_device() -> tuple[QPdfWriter, QBuffer]:
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(round(DPI))
    return writer, buffer


def report_bytes(
    document: Document,
    fmt: ReportFormat,
    renderer: FigureRenderer,
    state: TaskState | None = None,
    timings: ReportTimings | None = None,
) -> tuple[bytes, PdfLayout]:
    """The file's bytes. The .docx takes its contents' page numbers from the PDF layout."""
    started = time.perf_counter()
    if fmt is ReportFormat.PDF:
        data, layout = pdf_bytes(document, renderer, state)
        if timings is not None:
            timings.add("PDF（レイアウト・図・書き出し）", started)
        return data, layout
    device, _buffer = _layout_device()
    layout = layout_pages(document, device, renderer)
    if timings is not None:
        started = timings.add("ページ割り（目次のページ番号）", started)
    data = docx_bytes(document, renderer, layout.heading_pages, state)
    if timings is not None:
        timings.add("Word（図のPNG・文書）", started)
    return data, layout


def render_report(
    data: AnnualReportData,
    path: Path,
    options: ReportOptions | None = None,
    state: TaskState | None = None,
    timings: ReportTimings | None = None,
) -> Path:
    """Write the report to `path` (.docx or .pdf by its suffix). GUI thread."""
    fmt = ReportFormat.from_path(path)
    started = time.perf_counter()
    document = annual_document(data, options)
    if timings is not None:
        timings.add("文書の構成", started)
    renderer = FigureRenderer()
    try:
        content, _layout = report_bytes(document, fmt, renderer, state, timings)
    finally:
        renderer.close()
    if state is not None:
        state.check()
    started = time.perf_counter()
    write_bytes_atomically(path, content)
    if timings is not None:
        timings.add("ファイルへの保存", started)
    return path
