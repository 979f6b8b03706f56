"""The overview page of the plan, a pillar or a measure: its KPIs with their grades for the
selected fiscal year, its projects, and two charts.

A change of fiscal year, of grade scheme or of a figure shows the same rows again: their cells
change in place (`RowTableModel.update_rows`), so the selected row and the scroll position stay.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from aomori_desktop.domain.errors import UserError
from aomori_desktop.domain.fiscal import fy_label
from aomori_desktop.domain.numbers import format_decimal
from aomori_desktop.domain.progress import Grade, format_rate
from aomori_desktop.services.changes import Changes
from aomori_desktop.services.dto import (
    KpiSummaryRow,
    NodeKind,
    Overview,
    ProjectSummaryRow,
    TreeKey,
    circled,
)
from aomori_desktop.ui.document import PlanDocument
from aomori_desktop.ui.grades import GRADE_COLOURS, grade_text
from aomori_desktop.ui.row_model import CENTER, RIGHT, Column, RowTableModel

if TYPE_CHECKING:
    from aomori_desktop.ui.chart_panel import ChartPanel


def _latest(row: KpiSummaryRow) -> str:
    if row.latest_actual is None or row.latest_year is None:
        return "未入力"
    status = f"・{row.latest_status.label}" if row.latest_status is not None else ""
    return f"{format_decimal(row.latest_actual)}（{fy_label(row.latest_year)}{status}）"


def _kpi_code(row: KpiSummaryRow) -> str:
    return row.code


def _placement_key(row: ProjectSummaryRow) -> TreeKey:
    return row.key


def _grade(row: KpiSummaryRow) -> str:
    grade = row.progress.grade
    return grade_text(grade) if grade is not Grade.NONE else "−"


KPI_COLUMNS: list[Column[KpiSummaryRow]] = [
    Column("コード", lambda r: r.code),
    Column("KPI", lambda r: r.name),
    Column("基準値", lambda r: f"{format_decimal(r.baseline)} {r.unit}", RIGHT),
    Column("目標値", lambda r: f"{format_decimal(r.target)} {r.unit}", RIGHT),
    Column("最新実績", _latest, RIGHT),
    Column("達成率(%)", lambda r: format_rate(r.progress.achievement_rate) or "−", RIGHT),
    Column("期待進捗率(%)", lambda r: format_rate(r.progress.expected_rate) or "−", RIGHT),
    Column("評価", _grade, CENTER, lambda r: GRADE_COLOURS[r.progress.grade]),
]
PROJECT_COLUMNS: list[Column[ProjectSummaryRow]] = [
    Column("掲載", lambda r: f"{r.key.measure_code} {circled(r.key.number or 0)}"),
    Column("共創プロジェクト", lambda r: r.title),
    Column("再掲", lambda r: "再掲" if r.relisting else "", CENTER),
    Column("状況", lambda r: r.status.label if r.status else "未設定", CENTER),
]


def _table(model: RowTableModel[Any]) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(24)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    # column widths are measured once per load on a sample of rows (see _fit_columns), not
    # continuously on every row: a plan of 5,000 KPIs must appear at once
    view.horizontalHeader().setResizeContentsPrecision(100)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setStretchLastSection(False)
    return view


def _fit_columns(view: QTableView, stretch: int = 1) -> None:
    view.resizeColumnsToContents()
    view.horizontalHeader().setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)


MAX_CHART_BARS = 60


class OverviewPage(QWidget):
    """KPIs and projects under the plan, a pillar or a measure, for the selected year."""

    navigate = Signal(object)  # the TreeKey to select
    chartPanelsCreated = Signal(object)  # list of ChartPanel, for the export menu

    def __init__(self, document: PlanDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.scope = TreeKey.plan()
        self.overview: Overview | None = None
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.counts_label = QLabel()
        self.kpi_model: RowTableModel[KpiSummaryRow] = RowTableModel(
            KPI_COLUMNS,
            lambda r: TreeKey.kpi(r.code, r.measures[0]) if r.measures else None,
            self,
        )
        self.kpi_view = _table(self.kpi_model)
        self.kpi_view.doubleClicked.connect(self._open_kpi)
        self.project_model: RowTableModel[ProjectSummaryRow] = RowTableModel(
            PROJECT_COLUMNS, lambda r: r.key, self
        )
        self.project_view = _table(self.project_model)
        self.project_view.doubleClicked.connect(self._open_project)
        kpi_box = QGroupBox("KPIの進捗（行をダブルクリックで開く）")
        QVBoxLayout(kpi_box).addWidget(self.kpi_view)
        project_box = QGroupBox("共創プロジェクト")
        QVBoxLayout(project_box).addWidget(self.project_view)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(kpi_box)
        splitter.addWidget(project_box)
        self.tabs = QTabWidget()
        self.tabs.addTab(splitter, "一覧")
        self.charts_tab = QWidget()
        self.tabs.addTab(self.charts_tab, "グラフ")
        self.tabs.currentChanged.connect(lambda _i: self._refresh_charts())
        self.achievement_panel: ChartPanel | None = None
        self.grades_panel: ChartPanel | None = None
        self.charts_note = QLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.counts_label)
        layout.addWidget(self.tabs, 1)
        document.changed.connect(self._on_changes)
        document.fiscalYearChanged.connect(lambda _fy: self.refresh())

    def show_scope(self, scope: TreeKey) -> None:
        self.scope = scope
        self.refresh()
        # column widths are measured when a scope is shown, not again on each change of year
        # or figure (measuring 5,000 rows took a fifth of a year change; widths the user set
        # stay)
        _fit_columns(self.kpi_view)
        _fit_columns(self.project_view)

    def refresh(self) -> None:
        fy = self.document.fiscal_year
        overview = self.document.reader.overview(self.scope, fy)
        self.overview = overview
        level = {NodeKind.PLAN: "計画", NodeKind.PILLAR: "戦略の柱"}.get(
            self.scope.kind, "共創施策"
        )
        self.heading.setText(f"{overview.title}　— {level}の概要（{fy_label(fy)}）")
        c = overview.counts
        self.counts_label.setText(
            f"KPI {c.total}件: " + "　".join(f"{g.text} {n}" for g, n in c.counts)
        )
        # the same rows for another year or after an edit: their cells change in place
        self.kpi_model.update_rows(overview.kpis, _kpi_code)
        self.project_model.update_rows(overview.projects, _placement_key)
        self._refresh_charts()

    def _build_charts(self) -> None:
        from aomori_desktop.charts.overview_chart import AchievementChart, GradeCountChart
        from aomori_desktop.ui.chart_panel import ChartPanel

        prompts = self.document.prompts
        self.achievement_panel = ChartPanel(prompts=prompts, chart=AchievementChart())
        self.grades_panel = ChartPanel(prompts=prompts, chart=GradeCountChart())
        self.charts_note.setWordWrap(True)
        self.charts_note.setStyleSheet("color: #555555;")
        charts = QSplitter(Qt.Orientation.Horizontal)
        charts.addWidget(self.achievement_panel)
        charts.addWidget(self.grades_panel)
        charts.setStretchFactor(0, 3)
        charts.setStretchFactor(1, 2)
        layout = QVBoxLayout(self.charts_tab)
        layout.addWidget(self.charts_note)
        layout.addWidget(charts, 1)
        self.chartPanelsCreated.emit([self.achievement_panel, self.grades_panel])

    def _refresh_charts(self) -> None:
        """Draws the charts only while their tab is shown (a large plan's table stays quick)."""
        overview = self.overview
        if overview is None or self.tabs.currentWidget() is not self.charts_tab:
            return
        from aomori_desktop.charts.overview_chart import AchievementData, GradeCountData
        from aomori_desktop.services.overviews import grade_counts_by_group

        if self.achievement_panel is None:
            self._build_charts()
        assert self.achievement_panel is not None and self.grades_panel is not None
        fy = self.document.fiscal_year
        shown = overview
        if len(overview.kpis) > MAX_CHART_BARS:
            shown = replace(overview, kpis=overview.kpis[:MAX_CHART_BARS])
            self.charts_note.setText(
                f"KPIが{len(overview.kpis):,}件あるため、達成率のグラフは先頭の{MAX_CHART_BARS}件です。"
                "戦略の柱か共創施策を選ぶと、その範囲のKPIをすべて表示します。"
            )
        else:
            self.charts_note.setText(
                "グラフは「書き出し」から Word・PowerPoint 用の画像や PDF にできます。"
            )
        self.achievement_panel.chart.set_data(AchievementData.from_overview(shown, fy))
        self.achievement_panel.refresh()
        groups = grade_counts_by_group(self.document.reader.tree(), overview, self.scope)
        title = f"{overview.title}　評価の内訳"
        self.grades_panel.chart.set_data(GradeCountData.from_pairs(title, fy, groups))
        self.grades_panel.refresh()

    def _on_changes(self, changes: Changes) -> None:
        if self.isVisible() and not changes.empty:
            # the scope may have been removed (undo of an add): the main window then
            # selects what remains and this page shows that instead
            with suppress(UserError):
                self.refresh()

    def _open_kpi(self, index: QModelIndex) -> None:
        key = self.kpi_model.data(index, RowTableModel.KEY_ROLE)
        if isinstance(key, TreeKey):
            self.navigate.emit(key)

    def _open_project(self, index: QModelIndex) -> None:
        key = self.project_model.data(index, RowTableModel.KEY_ROLE)
        if isinstance(key, TreeKey):
            self.navigate.emit(key)
