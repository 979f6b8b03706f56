"""The evaluation page, its dialogs and the report preview, in the real window; and one grade
scheme change seen the same everywhere (tree, page, chart, report)."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QDialog

from aomori_desktop.domain.grading import SCHEME_MARKS, SCHEME_SABCD
from aomori_desktop.domain.plan import FigureStatus
from aomori_desktop.reports.annual import annual_document
from aomori_desktop.reports.annual_report import ReportFormat
from aomori_desktop.reports.model import KpiFigure, Table
from aomori_desktop.ui.evaluation_dialogs import GradeSchemeDialog, OpinionDialog
from aomori_desktop.ui.evaluation_page import EvaluationController
from aomori_desktop.ui.report_dialog import ReportDialog
from aomori_desktop.ui.tree_model import GRADE_ROLE

SHOTS = Path(os.environ.get("AOMORI_SHOTS", "")) if os.environ.get("AOMORI_SHOTS") else None


def _shot(widget: Any, name: str) -> None:
    for _ in range(3):
        QApplication.processEvents()
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(SHOTS / name))


def _open(window: Any, code: str = "1-1") -> EvaluationController:
    document = window.document
    document.services.values.record_actual("K01", 2024, Decimal("1"), status=FigureStatus.FINAL)
    document.services.values.record_actual("K01", 2025, Decimal("2"))
    window.year_combo.setCurrentIndex(1)  # 令和7(2025)年度
    window.select_key(code)
    controller = document.findChild(EvaluationController)
    assert controller is not None
    controller.open_current()
    assert window.stack.currentWidget() is controller.page
    return controller


def test_the_page_stores_texts_override_and_direction(make_window, prompts) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    page = _open(window).page
    assert page.heading.text().startswith("1-1 GX関連産業参入・脱炭素経営の推進")
    assert page.proposed_label.text() == "B 順調（KPI 1件（B 1件）の評価の平均から）"
    page.texts["achievements"].setPlainText("事業者1者が青森港の利用を開始")
    page.texts["achievements"].editingFinished.emit()
    page.course.setCurrentIndex(page.course.findText("拡充"))
    page.course.activated.emit(page.course.currentIndex())
    # an override without a reason is refused on the page, nothing stored
    page.override_combo.setCurrentIndex(page.override_combo.findText("A 達成"))
    page.override_combo.activated.emit(page.override_combo.currentIndex())
    assert "理由を入力" in page.message.text()
    page.reason.setPlainText("誘致が確定したため")
    page.override_combo.activated.emit(page.override_combo.currentIndex())
    assert page.grade_label.text() == "A 達成" and page.message.text() == ""
    view = window.document.services.evaluation_queries.measure("1-1", 2025)
    assert view.record is not None
    assert (view.record.achievements, view.record.course.label, view.record.override) == (
        "事業者1者が青森港の利用を開始",
        "拡充",
        "A",
    )
    assert [page.kpi_table.item(0, c).text() for c in (0, 5)] == [
        "K01 青森港を利用する洋上風力発電事業者数(累計)",
        "B 順調",
    ]
    # one undo step per edit: the override goes first
    page.kpi_table.setFocus()  # leave the reason field (the refusal above put the cursor there)
    assert window.document.undo_stack.count() >= 3
    window.document.undo()
    assert window.document.services.evaluation_queries.measure("1-1", 2025).grade.text == "B 順調"
    QApplication.processEvents()
    assert page.grade_label.text() == "B 順調" and page.reason.toPlainText() == ""
    window.document.redo()
    QApplication.processEvents()
    assert page.grade_label.text() == "A 達成"
    _shot(window, "evaluation_page.png")


def test_opinions_and_the_scheme_dialog(make_window, prompts) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    controller = _open(window)

    def write(dialog: QDialog) -> bool:
        assert isinstance(dialog, OpinionDialog)
        dialog.text.setPlainText("地元企業の参入を支援すべき。")
        dialog.response.setPlainText("支援の枠組みを立ち上げる。")
        _shot(dialog, "opinion_dialog.png")
        dialog.store()
        return dialog.result() == QDialog.DialogCode.Accepted

    prompts.dialog_scripts.append(write)
    controller.page.add_opinion_button.click()
    assert controller.page.opinion_table.item(0, 1).text() == "地元企業の参入を支援すべき。"

    def choose_marks(dialog: QDialog) -> bool:
        assert isinstance(dialog, GradeSchemeDialog)
        dialog.preset.setCurrentIndex(dialog.preset.findData("marks"))
        assert dialog.rules.text().splitlines()[0] == "◎ 順調: 達成率が期待進捗率以上"
        dialog.fields[1].setText("0.5x")
        dialog.store()
        assert "「0.5x」は数値として読み取れません" in dialog.message.text()
        dialog.fields[1].setText("0.8")
        _shot(dialog, "grade_scheme_dialog.png")
        dialog.store()
        return True

    prompts.dialog_scripts.append(choose_marks)
    controller.open_scheme()
    assert window.document.services.evaluation_queries.grade_scheme() == SCHEME_MARKS


def test_switching_the_scheme_regrades_tree_page_chart_and_report(make_window, prompts) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    controller = _open(window)
    document = window.document

    def seen() -> tuple[str, str, str, str, str]:
        QApplication.processEvents()
        tree = window.tree_model.index_for_key("K01@1-1").data(GRADE_ROLE)
        controller.page.refresh()
        page = controller.page.kpi_table.item(0, 5).text()
        window.select_key("K01@1-1")
        chart = window.kpi_page.chart_panel.chart
        status = chart.status_block.text
        data = document.services.evaluation_queries.annual_report(2025)
        report = annual_document(data)
        figure = next(b for b in report.figures if isinstance(b, KpiFigure))
        kpi_table = next(b for b in report.blocks if isinstance(b, Table) and b.rows[0].span)
        cell = kpi_table.rows[1].cells[-1].text
        window.select_key("1-1")
        controller.open_current()
        return tree, page, status.split("　")[0], cell, figure.detail.year(2025).progress.grade.text

    assert seen() == ("B", "B 順調", "順調", "B 順調", "B 順調")
    document.apply(
        "評価基準の変更", lambda: document.services.evaluation.set_grade_scheme(SCHEME_SABCD)
    )
    assert seen() == ("A", "A 順調", "順調", "A 順調", "A 順調")
    document.apply(
        "評価基準の変更", lambda: document.services.evaluation.set_grade_scheme(SCHEME_MARKS)
    )
    assert seen() == ("◎", "◎ 順調", "順調", "◎ 順調", "◎ 順調")
    badge = window.tree_model.index_for_key("1-1").data(GRADE_ROLE)
    assert badge == "◎"
    document.undo()  # back to S–D in one step
    assert seen()[0] == "A"


def test_the_report_dialog_previews_the_pages(make_window, prompts, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    _open(window)
    dialog = ReportDialog(window.document, window)
    dialog.department.setText("青森市 経済部")
    dialog.preview()
    qtbot.waitUntil(lambda: len(dialog.pages) > 10, timeout=60000)
    assert "年次進捗報告書" in dialog.status.text()
    dialog.resize(760, 1000)
    _shot(dialog, "report_preview.png")
    target = tmp_path / "報告書.pdf"
    prompts.paths.append(str(target))
    dialog_format = ReportFormat.PDF
    dialog.save(dialog_format)
    qtbot.waitUntil(target.exists, timeout=60000)
    assert target.read_bytes().startswith(b"%PDF-") and dialog_format.value == "pdf"
    assert dialog.status.text() == f"保存しました: {target}"
    dialog.close()
