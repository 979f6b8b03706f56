"""The KPI page as a user sees it: chart toolbar, target revisions, the revision dialog."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication, QFormLayout, QToolBar, QWidget


def _settle() -> None:
    for _ in range(3):
        QApplication.processEvents()


def _rect_in(widget: QWidget, ancestor: QWidget) -> QRect:
    return QRect(widget.mapTo(ancestor, widget.rect().topLeft()), widget.size())


def _assert_apart(widgets: Iterable[QWidget], ancestor: QWidget) -> None:
    rects = [(w, _rect_in(w, ancestor)) for w in widgets]
    for i, (a, ra) in enumerate(rects):
        for b, rb in rects[i + 1 :]:
            assert not ra.intersects(rb), f"{a!r} {ra} overlaps {b!r} {rb}"


@pytest.mark.parametrize("width", [1400, 1450, 1500])
def test_every_chart_control_is_on_screen_at_ordinary_window_widths(
    make_window: Callable[..., Any], width: int
) -> None:
    window = make_window()
    window.resize(width, 900)
    window.select_key("K10@4-1")
    _settle()
    panel = window.kpi_page.chart_panel
    assert panel is not None
    assert panel.findChildren(QToolBar) == []  # nothing hides behind "»"
    bar = panel.toolbar
    controls = [
        panel.export_button,
        panel.preset_combo,
        panel.dpi_combo,
        panel.axis_combo,
        *[
            b
            for b in bar.findChildren(QWidget)
            if getattr(b, "defaultAction", lambda: None)()
            in (panel.copy_action, panel.mono_action, panel.title_action)
        ],
    ]
    assert len(controls) == 7
    texts = {c.text() for c in controls if hasattr(c, "text") and not hasattr(c, "currentText")}
    assert {"書き出し", "画像をコピー", "白黒", "タイトル"} <= texts
    visible_area = panel.rect()
    for control in controls:
        assert control.isVisible(), control
        rect = _rect_in(control, panel)
        assert visible_area.contains(rect), (control, rect, visible_area)
    _assert_apart(controls, panel)
    assert _rect_in(bar, panel).bottom() < _rect_in(panel.chart, panel).top()


def _form_widgets(page: Any) -> list[QWidget]:
    """The widgets in the rows of the KPI form, as laid out (labels and fields)."""
    (form,) = [f for f in page.findChildren(QFormLayout) if f.indexOf(page.name_edit) >= 0]
    widgets: list[QWidget] = []
    for i in range(form.count()):
        item = form.itemAt(i)
        if item.widget() is not None and item.widget().isVisible():
            widgets.append(item.widget())
        elif item.layout() is not None:
            lay = item.layout()
            widgets += [
                lay.itemAt(j).widget()
                for j in range(lay.count())
                if lay.itemAt(j).widget() is not None and lay.itemAt(j).widget().isVisible()
            ]
    return widgets


@pytest.mark.parametrize("revisions", [1, 2, 3, 6])
def test_every_target_revision_is_listed_and_nothing_overlaps(
    make_window: Callable[..., Any], revisions: int
) -> None:
    window = make_window()
    services = window.document.services
    for i in range(revisions):
        services.kpi_fields.revise_target(
            "K10",
            Decimal(1_500_000 + 10_000 * i),
            2033,
            f"見直し{i + 1}回目: インバウンド需要の回復見込みを反映して上方修正（観光統計の改定）",
        )
    window.select_key("K10@4-1")
    _settle()
    page = window.kpi_page
    listed = page.revisions_list
    assert page.revisions_title.text() == f"目標値の見直し履歴（{revisions}件、新しい順）:"
    texts = [listed.item(i).text() for i in range(listed.count())]
    assert len(texts) == revisions
    assert f"見直し{revisions}回目" in texts[0] and "見直し1回目" in texts[-1]
    assert "1,490,000 → 1,500,000 人泊（令和15(2033)年度）" in texts[-1]
    # the form's rows never overlap: the list sits between 目標値 and 方向
    widgets = _form_widgets(page)
    assert page.revisions_box in widgets and page.direction_combo in widgets
    _assert_apart(widgets, page)
    box = _rect_in(page.revisions_box, page)
    assert _rect_in(page.revise_button, page).bottom() < box.top()
    assert box.bottom() < _rect_in(page.direction_combo, page).top()
    # and the oldest revision can be scrolled to and read whole
    listed.scrollToItem(listed.item(revisions - 1))
    _settle()
    assert listed.viewport().rect().contains(listed.visualItemRect(listed.item(revisions - 1)))


def test_a_kpi_without_revisions_shows_no_history_row(make_window: Callable[..., Any]) -> None:
    window = make_window()
    window.select_key("K03@1-3")
    _settle()
    assert not window.kpi_page.revisions_box.isVisible()


def test_a_target_year_outside_the_plan_is_refused_naming_the_target_year(
    make_window: Callable[..., Any], prompts: Any
) -> None:
    window = make_window()
    window.select_key("K05@2-1")
    before = window.document.reader.kpi_detail("K05")
    seen: list[str] = []

    def fill(dialog: Any) -> bool:
        dialog.value_edit.setText("35")
        dialog.reason_edit.setPlainText("国の補助制度の拡充")
        for typed in ("令和20年度", "1999"):
            dialog.year_edit.setText(typed)
            dialog._try_accept()
            seen.append(dialog.message.text())
            assert dialog.result() != dialog.DialogCode.Accepted
        return False  # cancelled

    prompts.dialog_scripts.append(fill)
    window.kpi_page.revise_button.click()
    period = "計画期間（令和6(2024)年度〜令和15(2033)年度）外です。"
    assert seen == [
        f"目標年度: 令和20(2038)年度は{period}",
        f"目標年度: 平成11(1999)年度は{period}",
    ]
    after = window.document.reader.kpi_detail("K05")
    assert (after.target, after.target_fiscal_year, after.revisions) == (
        before.target,
        before.target_fiscal_year,
        before.revisions,
    )


HINT = "ほかの範囲を使うKPIは、定義・備考に「値の範囲: −50〜200」のような行を書いてください"


def test_an_implausible_baseline_typed_in_the_form_gets_a_sentence(
    make_window: Callable[..., Any],
) -> None:
    window = make_window()
    window.select_key("K10@4-1")
    page = window.kpi_page
    page.baseline_edit.setText("-100")
    page.baseline_edit.editingFinished.emit()
    assert page.form_message.text() == (
        f"KPI K10: 基準値「-100」は範囲外です（単位が「人泊」のKPIは0以上です。{HINT}）。"
    )
    assert page.baseline_edit.text() == "-100"  # kept, marked, to be corrected
    assert window.document.reader.kpi_detail("K10").baseline == Decimal("1109980")


def test_an_implausible_figure_typed_in_the_table_gets_a_sentence(
    make_window: Callable[..., Any],
) -> None:
    from aomori_desktop.ui.year_table import COL_ACTUAL

    window = make_window()
    window.select_key("K03@1-3")
    page = window.kpi_page
    model = page.table_model
    assert not model.setData(model.index(1, COL_ACTUAL), "-4")
    assert page.table_message.text() == (
        f"KPI K03 令和7(2025)年度: 実績値「-4」は範囲外です（単位が「件」のKPIは0以上です。{HINT}）。"
    )
    assert window.document.reader.kpi_detail("K03").year(2025).actual is None


def test_a_rate_far_out_of_range_is_shown_whole(make_window: Callable[..., Any]) -> None:
    from aomori_desktop.ui.year_table import COL_RATE

    window = make_window()
    # 創業件数 keeps 80 a year; 218,320 is plausible (a count) and gives 272,900 %
    window.document.changed.emit(
        window.document.services.values.record_actual("K03", 2024, Decimal("218320")).changes, None
    )
    window.select_key("K03@1-3")
    _settle()
    page = window.kpi_page
    text = page.table_model.data(page.table_model.index(0, COL_RATE))
    assert text == "272900.0"
    needed = page.table.fontMetrics().horizontalAdvance(text)
    assert page.table.columnWidth(COL_RATE) >= needed + 8
    # an ordinary KPI keeps ordinary widths
    window.select_key("K10@4-1")
    _settle()
    assert page.table.columnWidth(COL_RATE) == page.table.horizontalHeader().defaultSectionSize()


def test_closing_says_why_each_refused_entry_was_not_saved(
    make_window: Callable[..., Any], prompts: Any, db_file: Path
) -> None:
    from aomori_desktop.services.plan_services import PlanServices
    from aomori_desktop.services.workspace import default_plan_id
    from aomori_desktop.store.database import open_database
    from aomori_desktop.ui.year_table import COL_ACTUAL

    window = make_window()
    window.select_key("K03@1-3")
    page = window.kpi_page
    # another PC stores 5,000 while this window still shows an empty cell
    other = open_database(db_file)
    try:
        PlanServices(other, default_plan_id(other), user="別の職員").values.record_actual(
            "K03", 2025, Decimal("5000")
        )
    finally:
        other.close()
    prompts.dialog_scripts.append(lambda _dialog: False)  # keeps theirs: nothing waits
    assert not page.table_model.setData(page.table_model.index(1, COL_ACTUAL), "5100")
    page.baseline_edit.setText("ゼロ")
    page.baseline_edit.editingFinished.emit()

    prompts.confirm_answers.append(False)
    assert not window.close()
    question = prompts.confirms[-1]
    assert "数値として読み取れなかったため" not in question
    assert question.startswith("次の入力は保存されていません（それぞれの理由は次のとおりです）:\n")
    lines = question.splitlines()
    assert not any(line.startswith("・令和7(2025)年度 実績値") for line in lines)
    baseline = next(line for line in lines if line.startswith("・基準値「ゼロ」: "))
    assert "数値" in baseline  # the reason the number field gave
    prompts.confirm_answers.append(True)
    assert window.close()


def test_the_year_selector_shows_whole_labels_when_a_database_is_opened_later(
    make_window: Callable[..., Any], db_file: Path
) -> None:
    from PySide6.QtWidgets import QStyle, QStyleOptionComboBox

    window = make_window(open_db=False)  # as after a failed start
    assert window.open_database(db_file)  # ファイル → 開く
    _settle()
    combo = window.year_combo
    assert combo.count() == 10
    option = QStyleOptionComboBox()
    combo.initStyleOption(option)
    text_rect = combo.style().subControlRect(
        QStyle.ComplexControl.CC_ComboBox, option, QStyle.SubControl.SC_ComboBoxEditField, combo
    )
    widest = max(combo.fontMetrics().horizontalAdvance(combo.itemText(i)) for i in range(10))
    assert text_rect.width() >= widest, (text_rect.width(), widest)


def test_the_kpi_chart_draws_later_years_and_marks_the_selected_one(
    make_window: Callable[..., Any],
) -> None:
    from aomori_desktop.services.kpi_values import KpiYearEdit

    window = make_window()
    values = window.document.services.values
    window.document.changed.emit(
        values.set_kpi_years(
            [
                KpiYearEdit("K10", fy, actual=Decimal(v))
                for fy, v in ((2024, "1150000"), (2025, "1203456"), (2026, "1250000"))
            ]
        ).changes,
        None,
    )
    window.year_combo.setCurrentIndex(0)  # 令和6(2024)年度
    window.select_key("K10@4-1")
    _settle()
    chart = window.kpi_page.chart_panel.chart
    assert [p.fiscal_year for p in chart.series.actuals] == [2024, 2025, 2026]
    assert chart.series.marked_year == 2024
    assert "令和6(2024)年度 実績 1,150,000人泊" in chart.status_block.text
    window.year_combo.setCurrentIndex(1)
    _settle()
    assert chart.series.marked_year == 2025
    assert [p.fiscal_year for p in chart.series.actuals] == [2024, 2025, 2026]
