"""The chart beside the KPI page: a KpiChart with a toolbar and a context menu for export.

The main window embeds a `ChartPanel` and calls `set_kpi(detail, data_source=...)` whenever
the KPI or its values change. Export goes through `charts.export` (PNG with dpi, SVG, PDF,
clipboard); every file dialog and message goes through the `prompts` seam, so tests never
block on a modal dialog. The panel's settings (size preset, dpi, monochrome, year labels,
title) are kept in QSettings under "charts/".
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QEvent, QMargins, QObject, QSettings, QStandardPaths, Qt, Signal
from PySide6.QtGui import QAction, QContextMenuEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QMenu,
    QMessageBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from aomori_desktop.charts.base import ChartView
from aomori_desktop.charts.export import (
    DPI_CHOICES,
    PRESETS,
    ExportFormat,
    ExportSettings,
    Preset,
    copy_to_clipboard,
    export_chart,
    safe_filename,
)
from aomori_desktop.charts.kpi_chart import KpiChart, KpiChartOptions
from aomori_desktop.charts.style import AxisLabelMode, ChartStyle
from aomori_desktop.domain.errors import UserError
from aomori_desktop.services.dto import KpiDetail
from aomori_desktop.ui.flow_layout import flow_row

__all__ = ["ChartPanel", "ExportPrompts", "QtExportPrompts"]

_SETTINGS_GROUP = "charts"


class ExportPrompts(Protocol):
    """What the panel asks the user (ui/prompts.Prompts fits; tests pass a scripted one)."""

    def save_path(
        self, parent: QWidget | None, caption: str, suggested: str, filters: str
    ) -> str | None: ...

    def error(self, parent: QWidget | None, message: str) -> None: ...


class QtExportPrompts:
    """Qt's standard dialogs (the default outside tests)."""

    def save_path(
        self, parent: QWidget | None, caption: str, suggested: str, filters: str
    ) -> str | None:
        path, _ = QFileDialog.getSaveFileName(parent, caption, suggested, filters)
        return path or None

    def directory(self, parent: QWidget | None, caption: str, start: str) -> str | None:
        path = QFileDialog.getExistingDirectory(parent, caption, start)
        return path or None

    def error(self, parent: QWidget | None, message: str) -> None:
        QMessageBox.critical(parent, "エラー", message)


def _documents_dir() -> str:
    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)


class ChartPanel(QWidget):
    """A chart (a KpiChart unless another ChartView is given) with export controls."""

    exported = Signal(str)  # path of a written file, for the status bar
    copied = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        prompts: ExportPrompts | None = None,
        chart: ChartView | None = None,
    ) -> None:
        super().__init__(parent)
        self._prompts: ExportPrompts = prompts or QtExportPrompts()
        self._settings = QSettings()
        self._detail: KpiDetail | None = None
        self._data_source: str | None = None
        self._as_of: int | None = None
        self._last_dir = str(self._settings.value(f"{_SETTINGS_GROUP}/last_dir", _documents_dir()))
        self.chart: ChartView = chart if chart is not None else KpiChart()

        self.export_png_action = QAction("PNG 画像で書き出す…", self)
        self.export_svg_action = QAction("SVG（ベクター）で書き出す…", self)
        self.export_pdf_action = QAction("PDF で書き出す…", self)
        self.copy_action = QAction("画像をコピー", self)
        self.copy_action.setToolTip(
            "グラフを画像としてクリップボードにコピーします（Word・PowerPoint に貼り付け）"
        )
        self.mono_action = QAction("白黒", self)
        self.mono_action.setCheckable(True)
        self.mono_action.setToolTip("白黒印刷でも読める配色（灰色と斜線）にします")
        self.title_action = QAction("タイトル", self)
        self.title_action.setCheckable(True)
        self.title_action.setToolTip(
            "グラフの上にKPI名を入れます（文書側に図表番号と題名がある場合は外します）"
        )

        self.export_button = QToolButton(self)
        self.export_button.setText("書き出し")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        export_menu = QMenu(self.export_button)
        export_menu.addActions(
            [self.export_png_action, self.export_svg_action, self.export_pdf_action]
        )
        self.export_button.setMenu(export_menu)

        self.preset_combo = QComboBox(self)
        for preset, spec in PRESETS.items():
            self.preset_combo.addItem(spec.label, preset.value)
        self.preset_combo.setToolTip("書き出す大きさ（文書に貼ったときの実寸）")
        self.dpi_combo = QComboBox(self)
        for dpi in DPI_CHOICES:
            self.dpi_combo.addItem(f"{dpi} dpi", dpi)
        self.dpi_combo.setToolTip("PNG 画像と画像コピーの解像度（印刷には 300 dpi 以上）")
        self.axis_combo = QComboBox(self)
        for mode in AxisLabelMode:
            self.axis_combo.addItem(f"年度 {mode.label}", mode.value)
        self.axis_combo.setToolTip("横軸の年度の表記")

        for combo in (self.preset_combo, self.dpi_combo, self.axis_combo):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        # a row that wraps rather than a QToolBar, which hid タイトル and 年度 behind "»":
        # three groups (export, size, look), each kept together on one line
        self.toolbar, row = flow_row(self, spacing=12)
        self.toolbar.setObjectName("chartToolbar")
        row.setContentsMargins(QMargins(4, 2, 4, 2))
        self.export_button.setAutoRaise(True)
        for group in (
            [self.export_button, self._tool_button(self.copy_action)],
            [self.preset_combo, self.dpi_combo],
            [
                self._tool_button(self.mono_action),
                self._tool_button(self.title_action),
                self.axis_combo,
            ],
        ):
            row.addWidget(_group(group, self.toolbar))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.chart, 1)

        # right-click on the chart: the same actions. The view's viewport receives the event
        # and QGraphicsView would hand it to the scene, so the panel filters it out first.
        self.context_menu = QMenu(self)
        self.context_menu.addActions(
            [
                self.export_png_action,
                self.export_svg_action,
                self.export_pdf_action,
                self.copy_action,
            ]
        )
        self.context_menu.addSeparator()
        self.context_menu.addActions([self.mono_action, self.title_action])
        self.chart.viewport().installEventFilter(self)

        self._restore_settings()
        self.export_png_action.triggered.connect(lambda: self.export(ExportFormat.PNG))
        self.export_svg_action.triggered.connect(lambda: self.export(ExportFormat.SVG))
        self.export_pdf_action.triggered.connect(lambda: self.export(ExportFormat.PDF))
        self.copy_action.triggered.connect(self.copy_image)
        self.mono_action.toggled.connect(self._style_changed)
        self.axis_combo.currentIndexChanged.connect(self._style_changed)
        self.title_action.toggled.connect(self._options_changed)
        self.preset_combo.currentIndexChanged.connect(self._save_settings)
        self.dpi_combo.currentIndexChanged.connect(self._save_settings)
        self._apply_screen_style()
        self._update_enabled()

    def _tool_button(self, action: QAction) -> QToolButton:
        button = QToolButton(self)
        button.setDefaultAction(action)
        button.setAutoRaise(True)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        return button

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ContextMenu and watched is self.chart.viewport():
            assert isinstance(event, QContextMenuEvent)
            self.context_menu.popup(event.globalPos())
            return True
        return super().eventFilter(watched, event)

    # -- what the main window calls

    def set_kpi(
        self,
        detail: KpiDetail | None,
        *,
        data_source: str | None = None,
        as_of: int | None = None,
    ) -> None:
        """Show a KPI (None clears); call again whenever its values change.

        data_source overrides the KPI's own 出典 for the source line ("" hides it).
        as_of is the selected fiscal year: the chart grades the latest value up to it and
        shades its column; every entered value is drawn, later years' too.
        """
        if not isinstance(self.chart, KpiChart):
            raise TypeError("set_kpi needs a ChartPanel that hosts a KpiChart")
        self._detail = detail
        self._data_source = data_source
        self._as_of = as_of
        self.chart.set_data(detail, self._kpi_options())
        self._update_enabled()

    def menu_actions(self) -> list[QAction]:
        """Actions for the main window's File menu (書き出し submenu)."""
        return [
            self.export_png_action,
            self.export_svg_action,
            self.export_pdf_action,
            self.copy_action,
        ]

    def export_settings(self) -> ExportSettings:
        return ExportSettings(
            preset=Preset(self.preset_combo.currentData()),
            dpi=int(self.dpi_combo.currentData()),
            monochrome=self.mono_action.isChecked(),
            axis_labels=AxisLabelMode(self.axis_combo.currentData()),
        )

    def refresh(self) -> None:
        """Redraw after the chart's data was changed through `chart.set_data` directly."""
        self._update_enabled()

    # -- actions

    def export(self, fmt: ExportFormat) -> Path | None:
        """Ask for a file name and write the chart; returns the path, None if cancelled/failed."""
        if not self.chart.has_data():
            self._prompts.error(self, "書き出すグラフがありません。KPIを選んでください。")
            return None
        suggested = str(Path(self._last_dir) / safe_filename(self.chart.export_name, fmt.suffix))
        answer = self._prompts.save_path(self, "グラフを書き出す", suggested, fmt.filter)
        if not answer:
            return None
        target = Path(answer)
        if target.suffix.lower() != fmt.suffix:
            target = target.with_name(target.name + fmt.suffix)
        title = self._detail.name if self._detail is not None else self.chart.export_name
        try:
            export_chart(self.chart, target, self.export_settings(), fmt, title=title)
        except UserError as exc:
            self._prompts.error(self, exc.message)
            return None
        self._last_dir = str(target.parent)
        self._settings.setValue(f"{_SETTINGS_GROUP}/last_dir", self._last_dir)
        self.exported.emit(str(target))
        return target

    def copy_image(self) -> bool:
        if not self.chart.has_data():
            self._prompts.error(self, "コピーするグラフがありません。KPIを選んでください。")
            return False
        try:
            copy_to_clipboard(self.chart, self.export_settings())
        except UserError as exc:
            self._prompts.error(self, exc.message)
            return False
        self.copied.emit()
        return True

    # -- internals

    def _kpi_options(self) -> KpiChartOptions:
        return KpiChartOptions(
            title=None if self.title_action.isChecked() else "",
            source=self._data_source,
            as_of=self._as_of,
        )

    def _screen_style(self) -> ChartStyle:
        return ChartStyle(
            monochrome=self.mono_action.isChecked(),
            axis_labels=AxisLabelMode(self.axis_combo.currentData()),
        )

    def _apply_screen_style(self) -> None:
        style = self._screen_style()
        if style != self.chart.chart_style:
            self.chart.set_chart_style(style)

    def _style_changed(self) -> None:
        self._apply_screen_style()
        self._save_settings()

    def _options_changed(self) -> None:
        if isinstance(self.chart, KpiChart):
            self.chart.set_options(self._kpi_options())
        self._save_settings()

    def _update_enabled(self) -> None:
        has_data = self.chart.has_data()
        for action in self.menu_actions():
            action.setEnabled(has_data)
        self.export_button.setEnabled(has_data)

    def _restore_settings(self) -> None:
        s = self._settings
        g = _SETTINGS_GROUP
        defaults = ExportSettings()
        preset = str(s.value(f"{g}/preset", defaults.preset.value))
        dpi = _int(s.value(f"{g}/dpi", defaults.dpi), defaults.dpi)
        axis = str(s.value(f"{g}/axis_labels", defaults.axis_labels.value))
        _select(self.preset_combo, preset)
        _select(self.dpi_combo, dpi)
        _select(self.axis_combo, axis)
        self.mono_action.setChecked(_bool(s.value(f"{g}/monochrome", False)))
        self.title_action.setChecked(_bool(s.value(f"{g}/title", True)))

    def _save_settings(self) -> None:
        settings = self.export_settings()
        g = _SETTINGS_GROUP
        self._settings.setValue(f"{g}/preset", settings.preset.value)
        self._settings.setValue(f"{g}/dpi", settings.dpi)
        self._settings.setValue(f"{g}/axis_labels", settings.axis_labels.value)
        self._settings.setValue(f"{g}/monochrome", settings.monochrome)
        self._settings.setValue(f"{g}/title", self.title_action.isChecked())


def _group(widgets: Sequence[QWidget], parent: QWidget) -> QWidget:
    box = QWidget(parent)
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(4)
    for widget in widgets:
        layout.addWidget(widget)
    return box


def _select(combo: QComboBox, value: object) -> None:
    index = combo.findData(value)
    if index >= 0:
        combo.setCurrentIndex(index)


def _int(value: object, default: int) -> int:
    try:
        return int(str(value))
    except ValueError:
        return default


def _bool(value: object) -> bool:
    return value is True or str(value).lower() in ("true", "1")


if __name__ == "__main__":  # preview: python -m aomori_desktop.ui.chart_panel
    import sys
    import tempfile
    from decimal import Decimal

    from aomori_desktop.domain.plan import FigureStatus
    from aomori_desktop.services.plan_services import PlanServices
    from aomori_desktop.services.workspace import create_seeded_database, default_plan_id
    from aomori_desktop.ui.qt_setup import create_application

    app = create_application(sys.argv)
    db = create_seeded_database(Path(tempfile.mkdtemp()) / "preview.sqlite3")
    plan = default_plan_id(db)
    services = PlanServices(db, plan)
    services.values.record_actual("K10", 2024, Decimal("1150000"), status=FigureStatus.FINAL)
    services.values.record_actual("K10", 2025, Decimal("1203456"), status=FigureStatus.PRELIMINARY)
    panel = ChartPanel()
    panel.set_kpi(services.queries.kpi_detail("K10"))
    panel.resize(900, 600)
    panel.show()
    sys.exit(app.exec())
