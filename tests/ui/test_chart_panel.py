"""The chart panel beside the KPI page: export through the prompts seam, toggles, menus."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, QSize
from PySide6.QtGui import QContextMenuEvent, QGuiApplication, QImage
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from aomori_desktop.charts.export import ExportFormat, Preset
from aomori_desktop.charts.kpi_chart import KpiChart
from aomori_desktop.charts.overview_chart import AchievementChart
from aomori_desktop.charts.style import AxisLabelMode
from aomori_desktop.ui.chart_panel import ChartPanel
from tests.charts.helpers import SAMPLE, saturation


class ScriptedPrompts:
    """Answers file dialogs from a list; records errors instead of showing message boxes."""

    def __init__(self, answers: list[str | None] | None = None) -> None:
        self.answers = list(answers or [])
        self.asked: list[tuple[str, str, str]] = []
        self.errors: list[str] = []

    def save_path(
        self, parent: QWidget | None, caption: str, suggested: str, filters: str
    ) -> str | None:
        self.asked.append((caption, suggested, filters))
        return self.answers.pop(0) if self.answers else None

    def error(self, parent: QWidget | None, message: str) -> None:
        self.errors.append(message)


@pytest.fixture
def prompts() -> ScriptedPrompts:
    return ScriptedPrompts()


@pytest.fixture
def panel(qtbot: QtBot, prompts: ScriptedPrompts) -> Iterator[ChartPanel]:
    QSettings().remove("charts")
    widget = ChartPanel(prompts=prompts)
    qtbot.addWidget(widget)
    widget.resize(800, 500)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    QSettings().remove("charts")


def test_shows_the_kpi_it_is_given(panel: ChartPanel) -> None:
    panel.set_kpi(SAMPLE)
    assert isinstance(panel.chart, KpiChart)
    assert panel.chart.title_block.text == SAMPLE.name
    assert panel.chart.source_block.text == "出典：青森市経済部調べ"
    assert panel.export_png_action.isEnabled()
    panel.set_kpi(SAMPLE, data_source="総務省「経済センサス」")
    assert panel.chart.source_block.text == "出典：総務省「経済センサス」"
    panel.set_kpi(None)
    assert not panel.export_png_action.isEnabled()


def test_export_png_writes_the_chosen_size_and_dpi(
    panel: ChartPanel, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    panel.set_kpi(SAMPLE)
    panel.preset_combo.setCurrentIndex(panel.preset_combo.findData(Preset.WORD_HALF.value))
    panel.dpi_combo.setCurrentIndex(panel.dpi_combo.findData(150))
    prompts.answers = [str(tmp_path / "chart")]  # no suffix typed: the panel adds .png
    with_signal: list[str] = []
    panel.exported.connect(with_signal.append)
    panel.export_png_action.trigger()
    written = tmp_path / "chart.png"
    image = QImage(str(written))
    assert image.size() == QSize(472, 413)
    assert round(image.dotsPerMeterX() * 0.0254) == 150
    assert with_signal == [str(written)]
    _caption, suggested, filters = prompts.asked[0]
    assert suggested.endswith("K01_青森港を利用する洋上風力発電事業者数(累計).png")
    assert filters == ExportFormat.PNG.filter
    assert prompts.errors == []


def test_export_svg_and_pdf_from_the_menu(
    panel: ChartPanel, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    panel.set_kpi(SAMPLE)
    prompts.answers = [str(tmp_path / "a.svg"), str(tmp_path / "a.pdf")]
    actions = panel.menu_actions()
    actions[1].trigger()
    actions[2].trigger()
    assert (tmp_path / "a.svg").read_text(encoding="utf-8").startswith("<?xml")
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")


def test_cancelled_dialog_writes_nothing(
    panel: ChartPanel, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    panel.set_kpi(SAMPLE)
    assert panel.export(ExportFormat.PNG) is None
    assert list(tmp_path.iterdir()) == []


def test_failure_is_one_sentence_in_the_error_prompt(
    panel: ChartPanel, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    panel.set_kpi(SAMPLE)
    prompts.answers = [str(tmp_path / "missing" / "a.png")]
    assert panel.export(ExportFormat.PNG) is None
    assert prompts.errors == [f"書き出し先のフォルダー「{tmp_path / 'missing'}」がありません。"]


def test_nothing_to_export_says_so(panel: ChartPanel, prompts: ScriptedPrompts) -> None:
    panel.set_kpi(None)
    panel.export(ExportFormat.PDF)
    assert prompts.errors == ["書き出すグラフがありません。KPIを選んでください。"]


def test_copy_puts_an_image_on_the_clipboard(panel: ChartPanel) -> None:
    panel.set_kpi(SAMPLE)
    panel.dpi_combo.setCurrentIndex(panel.dpi_combo.findData(150))
    panel.copy_action.trigger()
    clipboard = QGuiApplication.clipboard()
    assert clipboard is not None
    assert clipboard.image().size() == QSize(945, 591)


def test_monochrome_and_year_labels_change_the_chart_on_screen(
    panel: ChartPanel, qtbot: QtBot
) -> None:
    panel.set_kpi(SAMPLE)
    panel.mono_action.setChecked(True)
    panel.axis_combo.setCurrentIndex(panel.axis_combo.findData(AxisLabelMode.SHORT.value))
    chart = panel.chart
    assert chart.chart_style.monochrome
    assert isinstance(chart, KpiChart)
    assert chart.x_tick_strings()[0] == "R5"
    assert saturation(chart.grab().toImage()).max() <= 8
    assert panel.export_settings().monochrome
    assert QSettings().value("charts/monochrome") in (True, "true")


def test_title_toggle(panel: ChartPanel) -> None:
    panel.set_kpi(SAMPLE)
    assert isinstance(panel.chart, KpiChart)
    panel.title_action.setChecked(False)
    assert panel.chart.title_block.text == ""
    panel.title_action.setChecked(True)
    assert panel.chart.title_block.text == SAMPLE.name


def test_right_click_menu_offers_the_export_actions(panel: ChartPanel, qtbot: QtBot) -> None:
    panel.set_kpi(SAMPLE)
    viewport = panel.chart.viewport()
    at = QPoint(100, 100)
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, at, viewport.mapToGlobal(at))
    QApplication.sendEvent(viewport, event)
    menu = panel.context_menu
    qtbot.waitUntil(menu.isVisible)
    actions = menu.actions()
    for action in panel.menu_actions():
        assert action in actions
    assert panel.mono_action in actions and panel.title_action in actions
    menu.close()


def test_settings_are_remembered(
    qtbot: QtBot, prompts: ScriptedPrompts, qapp: QApplication
) -> None:
    QSettings().remove("charts")
    first = ChartPanel(prompts=prompts)
    qtbot.addWidget(first)
    first.preset_combo.setCurrentIndex(first.preset_combo.findData(Preset.SLIDE.value))
    first.dpi_combo.setCurrentIndex(first.dpi_combo.findData(600))
    second = ChartPanel(prompts=prompts)
    qtbot.addWidget(second)
    assert second.export_settings().preset is Preset.SLIDE
    assert second.export_settings().dpi == 600
    QSettings().remove("charts")


def test_panel_hosts_an_overview_chart_too(
    qtbot: QtBot, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    from decimal import Decimal

    from aomori_desktop.charts.overview_chart import AchievementData, AchievementRow
    from aomori_desktop.domain.progress import Grade

    panel = ChartPanel(prompts=prompts, chart=AchievementChart())
    qtbot.addWidget(panel)
    assert isinstance(panel.chart, AchievementChart)
    panel.chart.set_data(
        AchievementData(
            "計画全体",
            2024,
            (AchievementRow("K01", "事業者数", Decimal("50"), Decimal("10"), Grade.B),),
        )
    )
    panel.refresh()
    prompts.answers = [str(tmp_path / "o.png")]
    assert panel.export(ExportFormat.PNG) == tmp_path / "o.png"
    with pytest.raises(TypeError):
        panel.set_kpi(SAMPLE)
