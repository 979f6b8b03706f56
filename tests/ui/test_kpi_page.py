"""The KPI page as a user sees it: chart toolbar, target revisions, the revision dialog."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
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
    service = window.document.service
    for i in range(revisions):
        service.revise_target(
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
