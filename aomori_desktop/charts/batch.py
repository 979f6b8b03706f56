"""Export many KPI charts at once: stepwise, with progress and cancellation.

`KpiChartBatch.step()` exports one chart, so the batch dialog can drive it from a QTimer (the
GUI stays responsive and the Cancel button works between charts) and the headless command from
a plain loop (`run`). One off-screen `KpiChart` is reused for every KPI: updating a chart is
much cheaper than creating one.

Data comes through `load(code) -> KpiDetail` supplied by the caller (e.g. `PlanQueries.kpi_detail`):
the charts layer does not read the database.

Threading: GUI thread only (the chart is a widget, and Qt painting is not thread-safe here).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from aomori_desktop.charts.export import (
    ChartExportError,
    ExportFormat,
    ExportSettings,
    safe_filename,
    write_chart,
)
from aomori_desktop.charts.kpi_chart import KpiChart, KpiChartOptions
from aomori_desktop.domain.errors import UserError
from aomori_desktop.fileio import path_in_folder
from aomori_desktop.services.dto import KpiDetail

__all__ = ["BatchResult", "KpiChartBatch", "ensure_output_dir", "kpi_file_name"]

ProgressCallback = Callable[[int, int, str], None]
"""progress(done, total, what) — called after each chart."""


@dataclass(frozen=True, slots=True)
class BatchResult:
    written: tuple[Path, ...]
    failed: tuple[tuple[str, str], ...]  # (KPI code, Japanese message)
    cancelled: bool
    total: int

    @property
    def summary(self) -> str:
        """One Japanese sentence for the status bar or the terminal."""
        text = f"{len(self.written)}件のグラフを書き出しました"
        if self.cancelled:
            text += f"（{self.total}件中、途中で中止しました）"
        if self.failed:
            text += f"。{len(self.failed)}件は書き出せませんでした"
        return text + "。"


def ensure_output_dir(path: Path) -> Path:
    """Create the output folder (and its parents) or say in one sentence why it cannot be."""
    if path.exists() and not path.is_dir():
        raise ChartExportError(f"書き出し先「{path}」はフォルダーではありません。")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except PermissionError as exc:
        raise ChartExportError(
            f"書き出し先のフォルダー「{path}」を作成する権限がありません。"
        ) from exc
    except OSError as exc:
        raise ChartExportError(
            f"書き出し先のフォルダー「{path}」を作成できません（{exc.strerror}）。"
        ) from exc
    if not os.access(path, os.W_OK):
        raise ChartExportError(f"書き出し先のフォルダー「{path}」に書き込む権限がありません。")
    return path


def kpi_file_name(code: str, name: str, fmt: ExportFormat, tag: str = "") -> str:
    """'K01_青森港を利用する洋上風力発電事業者数(累計).png', safe on Windows, length-limited."""
    stem = f"{code}_{name}"
    suffix = (f"_{tag}" if tag else "") + fmt.suffix
    return safe_filename(stem, suffix)


class KpiChartBatch:
    """Exports the charts of `codes` into `out_dir`, one per `step()` call."""

    def __init__(
        self,
        codes: Sequence[str],
        load: Callable[[str], KpiDetail],
        out_dir: Path,
        settings: ExportSettings,
        fmt: ExportFormat = ExportFormat.PNG,
        options: KpiChartOptions | None = None,
        tag: str = "",
    ) -> None:
        self._codes = list(codes)
        self._load = load
        self._out_dir = out_dir
        self._settings = settings
        self._fmt = fmt
        self._options = options or KpiChartOptions()
        self._tag = tag
        self._chart: KpiChart | None = None
        self._index = 0
        self._written: list[Path] = []
        self._failed: list[tuple[str, str]] = []
        self._cancelled = False

    @property
    def total(self) -> int:
        return len(self._codes)

    @property
    def done(self) -> int:
        return self._index

    @property
    def finished(self) -> bool:
        return self._cancelled or self._index >= len(self._codes)

    @property
    def next_code(self) -> str | None:
        return None if self.finished else self._codes[self._index]

    def cancel(self) -> None:
        """Stop before the next chart (the chart being written is finished first)."""
        self._cancelled = True

    def _chart_for_run(self) -> KpiChart:
        if self._chart is None:
            ensure_output_dir(self._out_dir)
            self._chart = KpiChart(self._settings.style(self._fmt))
        return self._chart

    def step(self) -> Path | None:
        """Export the next chart; returns its path, or None if that KPI could not be read.

        Raises ChartExportError when a file cannot be written (the folder is then unusable
        for the rest of the batch too).
        """
        if self.finished:
            return None
        code = self._codes[self._index]
        chart = self._chart_for_run()
        self._index += 1
        try:
            detail = self._load(code)
        except UserError as exc:
            self._failed.append((code, exc.message))
            return None
        try:  # the name comes from the data: it may never point outside the folder
            path = path_in_folder(
                self._out_dir, kpi_file_name(detail.code, detail.name, self._fmt, self._tag)
            )
        except UserError as exc:
            self._failed.append((code, exc.message))
            return None
        chart.set_data(detail, self._options)
        write_chart(chart, path, self._fmt, self._settings.size_for(chart), detail.name)
        self._written.append(path)
        return path

    def run(
        self,
        progress: ProgressCallback | None = None,
        should_cancel: Callable[[], bool] | None = None,
    ) -> BatchResult:
        """Export everything (headless use); `should_cancel` is asked before each chart."""
        try:
            while not self.finished:
                if should_cancel is not None and should_cancel():
                    self.cancel()
                    break
                code = self.next_code or ""
                self.step()
                if progress is not None:
                    progress(self.done, self.total, code)
        finally:
            self.close()
        return self.result()

    def result(self) -> BatchResult:
        return BatchResult(
            written=tuple(self._written),
            failed=tuple(self._failed),
            cancelled=self._cancelled and self._index < len(self._codes),
            total=len(self._codes),
        )

    def close(self) -> None:
        """Release the off-screen chart."""
        if self._chart is not None:
            self._chart.close()
            self._chart.deleteLater()
            self._chart = None
