"""The KPI page as a user sees it: chart toolbar, target revisions, the revision dialog."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication, QToolBar, QWidget


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
