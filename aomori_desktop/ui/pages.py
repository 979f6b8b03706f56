"""The overview page (plan / pillar / measure) and the project page."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from aomori_desktop.domain.errors import UserError
from aomori_desktop.domain.fiscal import fy_label
from aomori_desktop.domain.numbers import format_decimal
from aomori_desktop.domain.plan import ProjectStatus, Sector
from aomori_desktop.domain.progress import Grade, format_rate
from aomori_desktop.services.changes import Changes
from aomori_desktop.services.dto import Overview, ProjectDetail
from aomori_desktop.services.plan_service import UNSET, ProjectFieldsEdit
from aomori_desktop.ui.document import PlanDocument
from aomori_desktop.ui.grades import GRADE_COLOURS, grade_text
from aomori_desktop.ui.kpi_page import ERROR_STYLE, MessageLine

KEY_ROLE = Qt.ItemDataRole.UserRole + 10

KPI_HEADERS = [
    "コード",
    "KPI",
    "基準値",
    "目標値",
    "最新実績",
    "達成率(%)",
    "期待進捗率(%)",
    "評価",
]
PROJECT_HEADERS = ["掲載", "共創プロジェクト", "再掲", "状況"]
PROJECT_STATUSES: list[ProjectStatus | None] = [None, *ProjectStatus]


def _item(text: str, *, align_right: bool = False, key: str | None = None) -> QStandardItem:
    item = QStandardItem(text)
    item.setEditable(False)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if key is not None:
        item.setData(key, KEY_ROLE)
    return item


class OverviewPage(QWidget):
    """KPIs and projects under the plan, a pillar or a measure, for the selected year."""

    navigate = Signal(str)

    def __init__(self, document: PlanDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.scope = "plan"
        self.overview: Overview | None = None
        self._measure_for_kpis = ""
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.counts_label = QLabel()
        self.kpi_model = QStandardItemModel(0, len(KPI_HEADERS), self)
        self.kpi_model.setHorizontalHeaderLabels(KPI_HEADERS)
        self.kpi_view = QTableView()
        self.kpi_view.setModel(self.kpi_model)
        self.kpi_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.kpi_view.verticalHeader().hide()
        self.kpi_view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.kpi_view.doubleClicked.connect(self._open_kpi)
        self.project_model = QStandardItemModel(0, len(PROJECT_HEADERS), self)
        self.project_model.setHorizontalHeaderLabels(PROJECT_HEADERS)
        self.project_view = QTableView()
        self.project_view.setModel(self.project_model)
        self.project_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.project_view.verticalHeader().hide()
        self.project_view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.project_view.doubleClicked.connect(self._open_project)
        kpi_box = QGroupBox("KPIの進捗")
        QVBoxLayout(kpi_box).addWidget(self.kpi_view)
        project_box = QGroupBox("共創プロジェクト")
        QVBoxLayout(project_box).addWidget(self.project_view)
        self.chart_host = QWidget()
        chart_layout = QVBoxLayout(self.chart_host)
        chart_layout.setContentsMargins(0, 0, 0, 0)
        self.chart_host.hide()
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(kpi_box)
        splitter.addWidget(self.chart_host)
        splitter.addWidget(project_box)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.counts_label)
        layout.addWidget(splitter, 1)
        document.changed.connect(self._on_changes)
        document.fiscalYearChanged.connect(lambda _fy: self.refresh())

    def show_scope(self, scope: str) -> None:
        self.scope = scope
        self.refresh()

    def refresh(self) -> None:
        fy = self.document.fiscal_year
        overview = self.document.reader.overview(self.scope, fy)
        self.overview = overview
        kind = {"plan": "計画", 1: "戦略の柱", 2: "共創施策"}
        label = kind["plan"] if self.scope == "plan" else kind[len(self.scope.split("-"))]
        self.heading.setText(f"{overview.title}　— {label}の概要（{fy_label(fy)}）")
        c = overview.counts
        self.counts_label.setText(
            f"KPI {c.total}件: A 達成 {c.a}　B 順調 {c.b}　C 遅れ {c.c}　D 停滞 {c.d}　− 評価不能 {c.none}"
        )
        self.kpi_model.removeRows(0, self.kpi_model.rowCount())
        for row in overview.kpis:
            p = row.progress
            latest = (
                f"{format_decimal(row.latest_actual)}（{fy_label(row.latest_year)}）"
                if row.latest_actual is not None and row.latest_year is not None
                else "未入力"
            )
            grade_item = _item(grade_text(p.grade) if p.grade is not Grade.NONE else "−")
            background, foreground = GRADE_COLOURS[p.grade]
            grade_item.setBackground(QBrush(QColor(background)))
            grade_item.setForeground(QBrush(QColor(foreground)))
            key = f"{row.code}@{row.measures[0]}" if row.measures else row.code
            self.kpi_model.appendRow(
                [
                    _item(row.code, key=key),
                    _item(row.name, key=key),
                    _item(f"{format_decimal(row.baseline)} {row.unit}", align_right=True),
                    _item(f"{format_decimal(row.target)} {row.unit}", align_right=True),
                    _item(latest, align_right=True),
                    _item(format_rate(p.achievement_rate) or "−", align_right=True),
                    _item(format_rate(p.expected_rate) or "−", align_right=True),
                    grade_item,
                ]
            )
        self.kpi_view.resizeColumnsToContents()
        self.kpi_view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.project_model.removeRows(0, self.project_model.rowCount())
        for pr in overview.projects:
            mcode, _, number = pr.key.rpartition("-")
            from aomori_desktop.services.dto import circled

            self.project_model.appendRow(
                [
                    _item(f"{mcode} {circled(int(number))}", key=pr.key),
                    _item(pr.title, key=pr.key),
                    _item("再掲" if pr.relisting else ""),
                    _item(pr.status.label if pr.status else "未設定"),
                ]
            )
        self.project_view.resizeColumnsToContents()
        self.project_view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)

    def _on_changes(self, changes: Changes) -> None:
        if self.isVisible() and not changes.empty:
            self.refresh()

    def _open_kpi(self, index: Any) -> None:
        key = self.kpi_model.item(index.row(), 0).data(KEY_ROLE)
        if key:
            self.navigate.emit(str(key))

    def _open_project(self, index: Any) -> None:
        key = self.project_model.item(index.row(), 0).data(KEY_ROLE)
        if key:
            self.navigate.emit(str(key))


class ProjectPage(QWidget):
    """A project: title, description, section, partners (産学金官), where it is listed, and its
    yearly status and note. A re-listed project is the same project wherever it is shown."""

    navigate = Signal(str)

    def __init__(self, document: PlanDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.detail: ProjectDetail | None = None
        self.placement_key = ""
        self._loading = False
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.relisting_label = QLabel()
        self.relisting_label.setWordWrap(True)
        self.home_button = QPushButton("掲載元へ移動")
        self.home_button.clicked.connect(self._go_home)
        self.title_edit = QLineEdit()
        self.description_edit = QPlainTextEdit()
        self.description_edit.setMaximumHeight(90)
        self.section_edit = QLineEdit()
        self.partners_label = QLabel()
        self.partners_label.setWordWrap(True)
        self.message = MessageLine()
        relisting_row = QHBoxLayout()
        relisting_row.addWidget(self.relisting_label, 1)
        relisting_row.addWidget(self.home_button)
        form = QFormLayout()
        form.addRow("名称", self.title_edit)
        form.addRow("取組内容", self.description_edit)
        form.addRow("担当課", self.section_edit)
        form.addRow("連携先（産学金官）", self.partners_label)
        box = QGroupBox("共創プロジェクト")
        box_layout = QVBoxLayout(box)
        box_layout.addLayout(form)
        box_layout.addWidget(self.message)
        self.years = QTableWidget(0, 2)
        self.years.setHorizontalHeaderLabels(["状況", "メモ"])
        self.years.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.years.itemChanged.connect(self._note_changed)
        years_box = QGroupBox("年度別の状況")
        QVBoxLayout(years_box).addWidget(self.years)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(relisting_row)
        layout.addWidget(box)
        layout.addWidget(years_box, 1)
        self.title_edit.editingFinished.connect(
            lambda: self._commit("title", self.title_edit.text(), "名称")
        )
        self.section_edit.editingFinished.connect(
            lambda: self._commit("responsible_section", self.section_edit.text(), "担当課")
        )
        self.description_edit.installEventFilter(self)
        document.changed.connect(self._on_changes)

    def show_project(self, code: str, placement_key: str) -> None:
        self.placement_key = placement_key
        self.message.clear_message()
        self._load(self.document.reader.project_detail(code))

    def _load(self, detail: ProjectDetail) -> None:
        self._loading = True
        try:
            self.detail = detail
            here = next((p for p in detail.placements if p.key == self.placement_key), detail.home)
            number = f"{here.key}" if here else ""
            self.heading.setText(f"{number}　{detail.title}")
            listing = "、".join(
                f"{p.key}（{p.measure_code} {p.measure_title}）"
                + ("〔再掲〕" if p.relisting else "〔掲載元〕")
                for p in detail.placements
            )
            is_relisting = here is not None and here.relisting
            prefix = (
                "このページは再掲です。内容は掲載元と共通です（どちらで編集しても同じプロジェクトが変わります）。"
                if is_relisting
                else ""
            )
            self.relisting_label.setText(f"{prefix}掲載先: {listing}")
            self.home_button.setVisible(is_relisting)
            if self.title_edit.property("invalid") is not True:
                self.title_edit.setText(detail.title)
            self.description_edit.setPlainText(detail.description)
            self.section_edit.setText(detail.responsible_section)
            self.partners_label.setText(
                "、".join(f"{Sector(s).label}: {n}" for s, n in detail.partners) or "（未登録）"
            )
            self._fill_years(detail)
        finally:
            self._loading = False

    def _fill_years(self, detail: ProjectDetail) -> None:
        stored = {y.fiscal_year: y for y in detail.years}
        years = list(self.document.fiscal_years)
        self.years.blockSignals(True)
        self.years.setRowCount(len(years))
        self.years.setVerticalHeaderLabels([fy_label(fy) for fy in years])
        for row, fy in enumerate(years):
            y = stored.get(fy)
            combo = QComboBox()
            for status in PROJECT_STATUSES:
                combo.addItem(status.label if status else "未設定", status.value if status else "")
            combo.setCurrentIndex(PROJECT_STATUSES.index(y.status if y else None))
            combo.activated.connect(lambda i, fy=fy: self._status_changed(fy, i))
            self.years.setCellWidget(row, 0, combo)
            self.years.setItem(row, 1, QTableWidgetItem(y.note if y else ""))
        self.years.resizeColumnToContents(0)
        self.years.blockSignals(False)

    def _on_changes(self, changes: Changes) -> None:
        if self.detail is not None and self.detail.code in changes.projects:
            try:
                self._load(self.document.reader.project_detail(self.detail.code))
            except UserError:
                self.detail = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.description_edit and event.type() == QEvent.Type.FocusOut:
            self._commit("description", self.description_edit.toPlainText(), "取組内容")
        return super().eventFilter(watched, event)

    def _commit(self, field: str, text: str, label: str) -> None:
        detail = self.detail
        if self._loading or detail is None or getattr(detail, field) == text.strip():
            return
        code = detail.code
        new = ProjectFieldsEdit(**{field: text})
        old = ProjectFieldsEdit(**{field: getattr(detail, field)})
        try:
            self.document.apply(
                f"{code} {label}の変更",
                lambda: self.document.service.update_project(code, new),
                lambda: self.document.service.update_project(code, old),
            )
        except UserError as exc:
            self.message.show_error(f"{label}: {exc.message}")
            if field == "title":
                self.title_edit.setProperty("invalid", True)
                self.title_edit.setStyleSheet(ERROR_STYLE)
            return
        self.title_edit.setProperty("invalid", False)
        self.title_edit.setStyleSheet("")
        self.message.clear_message()

    def _status_changed(self, fiscal_year: int, index: int) -> None:
        detail = self.detail
        if detail is None:
            return
        new = PROJECT_STATUSES[index]
        old = next((y.status for y in detail.years if y.fiscal_year == fiscal_year), None)
        if new == old:
            return
        code = detail.code
        svc = self.document.service
        try:
            self.document.apply(
                f"{code} {fy_label(fiscal_year)}の状況",
                lambda: svc.set_project_year(code, fiscal_year, status=new),
                lambda: svc.set_project_year(code, fiscal_year, status=old),
            )
        except UserError as exc:
            self.message.show_error(exc.message)

    def _note_changed(self, item: QTableWidgetItem) -> None:
        detail = self.detail
        if self._loading or detail is None or item.column() != 1:
            return
        fiscal_year = list(self.document.fiscal_years)[item.row()]
        old = next((y.note for y in detail.years if y.fiscal_year == fiscal_year), "")
        new = item.text()
        if new == old:
            return
        code = detail.code
        svc = self.document.service
        try:
            self.document.apply(
                f"{code} {fy_label(fiscal_year)}のメモ",
                lambda: svc.set_project_year(code, fiscal_year, note=new, status=UNSET),
                lambda: svc.set_project_year(code, fiscal_year, note=old, status=UNSET),
            )
        except UserError as exc:
            self.message.show_error(exc.message)

    def _go_home(self) -> None:
        if self.detail and self.detail.home:
            self.navigate.emit(self.detail.home.key)
