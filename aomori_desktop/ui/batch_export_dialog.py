"""Batch export of KPI charts: choose KPIs, folder, format and size; progress bar and cancel.

The export runs on the GUI thread in steps driven by a zero-interval QTimer: one chart per
step, so the progress bar moves and the Cancel button is honoured between charts. No worker
thread touches Qt painting. The main window opens it with the plan's KPIs and a loader:

    dialog = BatchExportDialog(kpis, reader.kpi_detail, parent, selected=codes_in_tree)
    prompts.run_dialog(dialog)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QSettings, QStandardPaths, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from aomori_desktop.charts.batch import BatchResult, KpiChartBatch
from aomori_desktop.charts.export import (
    DPI_CHOICES,
    PRESETS,
    ExportFormat,
    ExportSettings,
    Preset,
)
from aomori_desktop.charts.kpi_chart import KpiChartOptions
from aomori_desktop.charts.style import AxisLabelMode
from aomori_desktop.domain.errors import UserError
from aomori_desktop.services.dto import KpiDetail
from aomori_desktop.ui.chart_panel import QtExportPrompts

__all__ = ["BatchExportDialog", "BatchPrompts"]


class BatchPrompts(Protocol):
    """What the dialog asks the user (tests pass a scripted object)."""

    def directory(self, parent: QWidget | None, caption: str, start: str) -> str | None: ...

    def error(self, parent: QWidget | None, message: str) -> None: ...


class BatchExportDialog(QDialog):
    """Export the charts of the checked KPIs into one folder."""

    export_finished = Signal(object)  # BatchResult

    def __init__(
        self,
        kpis: Sequence[tuple[str, str]],
        load: Callable[[str], KpiDetail],
        parent: QWidget | None = None,
        *,
        selected: Iterable[str] | None = None,
        prompts: BatchPrompts | None = None,
        as_of: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("グラフの一括書き出し")
        self._load = load
        self._prompts: BatchPrompts = prompts or QtExportPrompts()
        self._as_of = as_of
        self._batch: KpiChartBatch | None = None
        self._result: BatchResult | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._step)
        settings = QSettings()

        chosen = set(selected) if selected is not None else None
        self.kpi_list = QListWidget(self)
        for code, name in kpis:
            item = QListWidgetItem(f"{code} {name}", self.kpi_list)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = chosen is None or code in chosen
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        select_all = QPushButton("すべて選択", self)
        select_none = QPushButton("選択を解除", self)
        select_all.clicked.connect(lambda: self._check_all(True))
        select_none.clicked.connect(lambda: self._check_all(False))

        default_dir = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        self.folder_edit = QLineEdit(str(settings.value("charts/batch_dir", default_dir)), self)
        browse = QPushButton("参照…", self)
        browse.clicked.connect(self._browse)
        self.format_combo = QComboBox(self)
        for fmt in ExportFormat:
            self.format_combo.addItem(fmt.filter, fmt.value)
        self.preset_combo = QComboBox(self)
        for preset, spec in PRESETS.items():
            self.preset_combo.addItem(spec.label, preset.value)
        self.dpi_combo = QComboBox(self)
        for dpi in DPI_CHOICES:
            self.dpi_combo.addItem(f"{dpi} dpi", dpi)
        self.dpi_combo.setCurrentIndex(self.dpi_combo.findData(300))
        self.axis_combo = QComboBox(self)
        for mode in AxisLabelMode:
            self.axis_combo.addItem(mode.label, mode.value)
        self.mono_check = QCheckBox("白黒印刷向けの配色", self)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, max(1, len(kpis)))
        self.progress.setValue(0)
        self.status_label = QLabel("", self)
        self.status_label.setWordWrap(True)

        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("書き出し先", folder_row)
        form.addRow("形式", self.format_combo)
        form.addRow("大きさ", self.preset_combo)
        form.addRow("解像度（PNG）", self.dpi_combo)
        form.addRow("年度の表記", self.axis_combo)
        form.addRow("", self.mono_check)
        select_row = QHBoxLayout()
        select_row.addWidget(select_all)
        select_row.addWidget(select_none)
        select_row.addStretch(1)

        self.buttons = QDialogButtonBox(self)
        self.start_button = self.buttons.addButton(
            "書き出し", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.cancel_button.setEnabled(False)
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("書き出すKPI", self))
        layout.addWidget(self.kpi_list, 1)
        layout.addLayout(select_row)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)
        layout.addWidget(self.buttons)
        self.resize(560, 620)

    # -- public

    @property
    def result_summary(self) -> BatchResult | None:
        """The outcome of the last run (None before it finished)."""
        return self._result

    @property
    def running(self) -> bool:
        return self._batch is not None

    def checked_codes(self) -> list[str]:
        return [
            str(item.data(Qt.ItemDataRole.UserRole))
            for item in (self.kpi_list.item(i) for i in range(self.kpi_list.count()))
            if item is not None and item.checkState() == Qt.CheckState.Checked
        ]

    def settings(self) -> ExportSettings:
        return ExportSettings(
            preset=Preset(self.preset_combo.currentData()),
            dpi=int(self.dpi_combo.currentData()),
            monochrome=self.mono_check.isChecked(),
            axis_labels=AxisLabelMode(self.axis_combo.currentData()),
        )

    def start(self) -> bool:
        """Begin exporting; False (with a message) when the choices are incomplete."""
        if self.running:
            return False
        codes = self.checked_codes()
        if not codes:
            self._prompts.error(self, "書き出すKPIを一つ以上選んでください。")
            return False
        folder = self.folder_edit.text().strip()
        if not folder:
            self._prompts.error(self, "書き出し先のフォルダーを指定してください。")
            return False
        try:
            settings = self.settings()
        except UserError as exc:
            self._prompts.error(self, exc.message)
            return False
        QSettings().setValue("charts/batch_dir", folder)
        self._result = None
        self._batch = KpiChartBatch(
            codes,
            self._load,
            Path(folder),
            settings,
            ExportFormat(self.format_combo.currentData()),
            KpiChartOptions(as_of=self._as_of),
        )
        self.progress.setRange(0, len(codes))
        self.progress.setValue(0)
        self.status_label.setText("書き出しています…")
        self._set_running(True)
        self._timer.start()
        return True

    def cancel(self) -> None:
        """Stop after the chart being written."""
        if self._batch is not None:
            self._batch.cancel()
            self.status_label.setText("中止しています…")

    def reject(self) -> None:
        if self.running:  # Esc or the window's close button while exporting: cancel first
            self.cancel()
            return
        super().reject()

    # -- internals

    def _step(self) -> None:
        batch = self._batch
        if batch is None:
            return
        if batch.finished:
            self._finish()
            return
        code = batch.next_code or ""
        self.status_label.setText(f"{code} を書き出しています（{batch.done + 1}/{batch.total}）…")
        try:
            batch.step()
        except UserError as exc:
            batch.cancel()
            self._finish()
            self._prompts.error(self, exc.message)
            return
        self.progress.setValue(batch.done)
        self._timer.start()

    def _finish(self) -> None:
        batch = self._batch
        if batch is None:
            return
        batch.close()
        self._result = batch.result()
        self._batch = None
        self._set_running(False)
        text = self._result.summary
        if self._result.failed:
            text += "\n" + "\n".join(f"{code}: {message}" for code, message in self._result.failed)
        self.status_label.setText(text)
        self.export_finished.emit(self._result)

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.close_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        for widget in (
            self.kpi_list,
            self.folder_edit,
            self.format_combo,
            self.preset_combo,
            self.dpi_combo,
            self.axis_combo,
            self.mono_check,
        ):
            widget.setEnabled(not running)

    def _check_all(self, checked: bool) -> None:
        state = Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked
        for i in range(self.kpi_list.count()):
            item = self.kpi_list.item(i)
            if item is not None:
                item.setCheckState(state)

    def _browse(self) -> None:
        chosen = self._prompts.directory(self, "書き出し先のフォルダー", self.folder_edit.text())
        if chosen:
            self.folder_edit.setText(chosen)
