"""Charts inside the main window: the KPI chart, the overview charts and the export menu."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from aomori_desktop.domain.plan import FigureStatus
from aomori_desktop.domain.progress import Grade


def menu_texts(window) -> list[str]:
    window._fill_export_menu()  # what aboutToShow does
    texts = []
    for action in window.export_menu.actions():
        if action.menu() is not None:
            texts.append(
                action.text() + ": " + ", ".join(a.text() for a in action.menu().actions())
            )
        elif not action.isSeparator():
            texts.append(action.text())
    return texts


def test_kpi_page_chart_follows_the_selection_and_new_values(make_window) -> None:
    window = make_window()
    window.select_key("K10@4-1")
    panel = window.kpi_page.chart_panel
    assert panel is not None and panel.chart.has_data()
    assert "主要宿泊施設宿泊客数" in panel.chart.export_name
    before = panel.chart.render_image(QSize(800, 500))

    window.kpi_page.table.setCurrentIndex(window.kpi_page.table_model.index(0, 1))
    assert window.kpi_page.table.paste("1,150,000\t確定\r\n")
    QApplication.processEvents()
    after = panel.chart.render_image(QSize(800, 500))
    assert before != after  # the new actual is drawn

    window.select_key("K03@1-3")
    assert "創業件数" in panel.chart.export_name


def test_export_menu_offers_the_chart_in_view_and_the_batch(make_window) -> None:
    window = make_window()
    assert menu_texts(window) == [
        "グラフの一括書き出し(&B)…",
        "計画全体をJSONで書き出す(&J)…",
        "調査票（Excel）を作成(&C)…",
        "計画全体をExcelで書き出す(&X)…",
        "KPIの値をCSV（UTF-8）で書き出す(&U)…",
        "KPIの値をCSV（Shift_JIS）で書き出す(&S)…",
    ]
    window.select_key("K01@1-1")
    assert menu_texts(window)[0] == (
        "KPIのグラフ: PNG 画像で書き出す…, SVG（ベクター）で書き出す…, PDF で書き出す…, 画像をコピー"
    )


def test_png_export_from_the_menu_writes_a_document_sized_file(
    make_window, prompts, tmp_path: Path
) -> None:
    window = make_window()
    window.document.services.values.record_actual(
        "K10", 2024, Decimal("1150000"), status=FigureStatus.FINAL
    )
    window.select_key("K10@4-1")
    panel = window.kpi_page.chart_panel
    target = tmp_path / "宿泊客数.png"
    prompts.paths.append(str(target))
    panel.export_png_action.trigger()
    image = QImage(str(target))
    assert not image.isNull()
    settings = panel.export_settings()
    assert (image.width(), round(image.dotsPerMeterX() * 0.0254)) == (
        round(16 / 2.54 * settings.dpi),
        settings.dpi,
    )
    assert window.statusBar().currentMessage() == f"書き出しました: {target}"


def test_overview_chart_tab_draws_achievement_and_grade_counts(make_window) -> None:
    window = make_window()
    window.document.changed.emit(
        window.document.services.values.record_actual("K03", 2024, Decimal("85")).changes, None
    )
    window.select_key("1")
    page = window.overview_page
    assert page.achievement_panel is None  # built only when the tab is opened
    page.tabs.setCurrentWidget(page.charts_tab)
    assert page.achievement_panel is not None and page.grades_panel is not None
    rows = page.achievement_panel.chart._data.rows
    assert [r.code for r in rows] == ["K01", "K02", "K03"]
    assert rows[2].grade.value == "A"
    groups = page.grades_panel.chart._data.rows
    a, none = Grade.A, Grade.NONE
    assert [(g.label, g.counts.count(a), g.counts.count(none)) for g in groups] == [
        ("1-1 GX関連産業参入・脱炭素経営の推進", 0, 1),
        ("1-2 成長分野等の企業立地", 0, 2),
        ("1-3 仕事・新規事業創出の推進", 1, 0),
    ]
    assert menu_texts(window)[:2] == [
        "達成率のグラフ: PNG 画像で書き出す…, SVG（ベクター）で書き出す…, PDF で書き出す…, 画像をコピー",
        "評価の内訳のグラフ: PNG 画像で書き出す…, SVG（ベクター）で書き出す…, PDF で書き出す…, 画像をコピー",
    ]
    window.select_key("plan")
    groups = page.grades_panel.chart._data.rows
    assert [g.label for g in groups] == [
        "1 新産業の創出",
        "2 産業の競争力・基盤強化",
        "3 産業の育成",
        "4 観光の振興",
        "5 産業人材の育成・確保",
    ]
    assert groups[0].counts.total == 3  # K01 serves 1-1 and 1-2: once in its pillar


def test_batch_export_of_a_measure_from_the_menu(make_window, prompts, tmp_path: Path) -> None:
    window = make_window()
    window.select_key("1-2")
    out = tmp_path / "グラフ"

    def run(dialog) -> bool:
        assert dialog.checked_codes() == ["K01", "K02"]  # the KPIs of the selected measure
        dialog.folder_edit.setText(str(out))
        assert dialog.start()
        while dialog.running:
            QApplication.processEvents()
        return True

    prompts.dialog_scripts.append(run)
    window.batch_export()
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 2 and names[0].startswith("K01") and names[1].startswith("K02")
    assert window.statusBar().currentMessage() == "2件のグラフを書き出しました。"


def test_json_export_from_the_menu(make_window, prompts, tmp_path: Path) -> None:
    window = make_window()
    target = tmp_path / "plan.json"
    prompts.paths.append(str(target))
    window.export_json()  # runs on the database worker
    assert window.document.operations.wait_idle()
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["plan"]["name"] == "青森市しごと創造戦略"
    assert len(data["kpis"]) == 16
