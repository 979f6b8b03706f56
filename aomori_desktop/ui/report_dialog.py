"""The annual report (年次進捗報告書): choose the year, the department and the date, look at
the pages, then save as Word or PDF.

The plan is read on the database worker (`document.run_task`); the pages and files are drawn
on the GUI thread (the charts are widgets), with a progress dialog whose Cancel stops before
anything is written.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressDialog,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from aomori_desktop.domain.errors import UserError
from aomori_desktop.domain.fiscal import fy_label, fy_label_era
from aomori_desktop.reports.annual import ReportOptions, annual_document
from aomori_desktop.reports.annual_report import (
    ReportFormat,
    _layout_device,
    read_report_data,
    render_report,
)
from aomori_desktop.reports.figures import FigureRenderer
from aomori_desktop.reports.pdf_writer import layout_pages, page_images
from aomori_desktop.services.changes import Applied
from aomori_desktop.services.evaluation_views import AnnualReportData
from aomori_desktop.services.tasks import TaskState
from aomori_desktop.ui.document import PlanDocument

__all__ = ["ReportDialog"]

PREVIEW_SCALE = 0.75


class ReportDialog(QDialog):
    def __init__(self, document: PlanDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.data: AnnualReportData | None = None
        self.pages: list[QPixmap] = []
        self.setWindowTitle("年次進捗報告書")
        self.year = QComboBox()
        for fy in document.fiscal_years:
            self.year.addItem(fy_label(fy), fy)
        self.year.setCurrentIndex(list(document.fiscal_years).index(document.fiscal_year))
        self.department = QLineEdit("青森市")
        self.issued = QDateEdit(QDate.currentDate())
        self.issued.setCalendarPopup(True)
        self.issued.setDisplayFormat("yyyy年M月d日")
        self.preview_button = QPushButton("プレビュー")
        self.preview_button.clicked.connect(self.preview)
        self.docx_button = QPushButton("Word で保存…")
        self.docx_button.clicked.connect(lambda: self.save(ReportFormat.DOCX))
        self.pdf_button = QPushButton("PDF で保存…")
        self.pdf_button.clicked.connect(lambda: self.save(ReportFormat.PDF))
        self.status = QLabel("「プレビュー」で報告書のページを確認できます。")
        self.status.setWordWrap(True)
        self.pages_box = QWidget()
        self.pages_layout = QVBoxLayout(self.pages_box)
        self.pages_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.pages_box)
        scroll.setStyleSheet("QScrollArea { background: #8c8c8c; }")
        form = QFormLayout()
        form.addRow("年度:", self.year)
        form.addRow("作成部署（表紙）:", self.department)
        form.addRow("日付（表紙）:", self.issued)
        buttons = QHBoxLayout()
        for button in (self.preview_button, self.docx_button, self.pdf_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        close = QPushButton("閉じる")
        close.clicked.connect(self.reject)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(scroll, 1)
        self.resize(760, 900)

    def options(self) -> ReportOptions:
        d = self.issued.date()
        return ReportOptions(self.department.text(), date(d.year(), d.month(), d.day()))

    @property
    def fiscal_year(self) -> int:
        return int(self.year.currentData())

    # ------------------------------------------------------------ reading (database worker)

    def _read(self, then: object) -> None:
        queries = self.document.services.evaluation_queries
        fy = self.fiscal_year

        def work(state: TaskState) -> Applied[AnnualReportData]:
            return Applied(value=read_report_data(queries, fy, state))

        def done(applied: Applied[AnnualReportData]) -> None:
            self.data = applied.value
            then()  # type: ignore[operator]

        self.status.setText("計画を読み込んでいます…")
        self.document.run_task("年次進捗報告書", work, on_success=done, on_failure=self._failed)

    def _failed(self, exc: UserError) -> None:
        self.status.setText(exc.message)

    # ------------------------------------------------------------ drawing (GUI thread)

    def _progress(self, title: str) -> tuple[QProgressDialog, TaskState]:
        dialog = QProgressDialog(title, "中止", 0, 0, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(400)
        state = TaskState()

        def listen(st: TaskState) -> None:
            dialog.setMaximum(max(st.total, 1))
            dialog.setValue(st.done)
            dialog.setLabelText(st.text)
            QApplication.processEvents()
            if dialog.wasCanceled():
                st.cancel()

        state = TaskState(listen)
        return dialog, state

    def preview(self) -> None:
        self._read(self._show_preview)

    def _show_preview(self) -> None:
        assert self.data is not None
        document = annual_document(self.data, self.options())
        renderer = FigureRenderer()
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            device, _buffer = _layout_device()
            layout = layout_pages(document, device, renderer)
            images = page_images(layout, document.title, PREVIEW_SCALE)
        finally:
            renderer.close()
            QApplication.restoreOverrideCursor()
        while self.pages_layout.count():
            item = self.pages_layout.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()  # type: ignore[union-attr]
        self.pages = [QPixmap.fromImage(image) for image in images]
        for pixmap in self.pages:
            label = QLabel()
            label.setPixmap(pixmap)
            label.setStyleSheet("background: white; border: 1px solid #555;")
            self.pages_layout.addWidget(label)
        self.status.setText(
            f"{fy_label(self.data.fiscal_year)}の年次進捗報告書（{len(self.pages)}ページ）"
        )

    def save(self, fmt: ReportFormat) -> None:
        era = fy_label_era(self.fiscal_year)
        suggested = f"{self.data.plan_name if self.data else '年次進捗報告書'}_{era}_年次進捗報告書.{fmt.value}"
        path = self.document.prompts.save_path(self, "年次進捗報告書を保存", suggested, fmt.label)
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() != f".{fmt.value}":
            target = target.with_name(target.name + f".{fmt.value}")
        self._read(lambda: self._write(target))

    def _write(self, target: Path) -> None:
        assert self.data is not None
        dialog, state = self._progress("年次進捗報告書を作成しています…")
        try:
            render_report(self.data, target, self.options(), state)
        except UserError as exc:
            self.status.setText(exc.message)
            return
        finally:
            dialog.close()
        self.status.setText(f"保存しました: {target}")
