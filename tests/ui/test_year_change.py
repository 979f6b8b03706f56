"""A change of fiscal year or of grade scheme: every grade the user sees (tree badges, the plan
overview) is graded anew from the figures the window holds, and those figures follow every
edit. Each expectation is checked against a fresh read of the database (`PlanQueries`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from aomori_desktop.domain.grading import SCHEME_SABCD
from aomori_desktop.domain.progress import Grade
from aomori_desktop.services.dto import TreeKey
from aomori_desktop.services.kpi_values import KpiYearEdit
from aomori_desktop.services.queries import PlanQueries
from aomori_desktop.ui.grades import GRADE_COLOURS, grade_text
from aomori_desktop.ui.tree_model import GRADE_ROLE


def _stored_grades(window: Any, fiscal_year: int) -> dict[str, Grade]:
    """What a fresh read of the database grades each KPI (the window's caches bypassed)."""
    queries = PlanQueries(window.document.services.access)
    return {r.code: r.progress.grade for r in queries.overview(TreeKey.plan(), fiscal_year).kpis}


def _choose_year(window: Any, fiscal_year: int) -> None:
    window.year_combo.setCurrentIndex(window.year_combo.findData(fiscal_year))
    QApplication.processEvents()
    assert window.document.fiscal_year == fiscal_year


def _overview_grades(window: Any) -> dict[str, str]:
    model = window.overview_page.kpi_model
    grade_column = model.columnCount() - 1
    assert model.headerData(grade_column, Qt.Orientation.Horizontal) == "評価"
    return {
        model.data(model.index(r, 0)): model.data(model.index(r, grade_column))
        for r in range(model.rowCount())
    }


def _shown(grade: Grade) -> str:
    return grade_text(grade) if grade.graded else "−"


def _view_index(window: Any, key: str) -> QModelIndex:
    return window.proxy.mapFromSource(window.tree_model.index_for_key(key))


def _badge_colours(window: Any, key: str) -> set[str]:
    """The colours drawn in the badge area (left end) of a row of the tree, as on screen."""
    index = _view_index(window, key)
    rect = window.tree.visualRect(index)
    assert rect.isValid() and rect.height() > 0, f"{key} is not on screen"
    image = window.tree.viewport().grab().toImage()
    colours = set()
    for x in range(rect.left(), rect.left() + 24):
        for y in range(rect.top(), rect.bottom()):
            colours.add(QColor(image.pixel(x, y)).name())
    return colours


def _set_years(window: Any, edits: list[KpiYearEdit]) -> None:
    document = window.document
    document.apply("実績の入力", lambda: document.services.values.set_kpi_years(edits))
    QApplication.processEvents()


def _a_and_d(window: Any, code: str, good: int, poor: int) -> None:
    """`code` reaches its target in `good` and stays at its baseline in `poor`."""
    detail = window.document.services.queries.kpi_detail(code)
    _set_years(
        window,
        [
            KpiYearEdit(code, good, actual=detail.target),
            KpiYearEdit(code, poor, actual=detail.baseline),
        ],
    )


class _Paints(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def test_a_kpi_under_a_collapsed_measure_shows_the_new_years_badge_once_expanded(
    make_window,
) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    _a_and_d(window, "K04", 2024, 2025)
    window.select_key("plan")
    _choose_year(window, 2024)
    measure = _view_index(window, "2-1")
    window.tree.expand(measure)
    QApplication.processEvents()
    a = _stored_grades(window, 2024)["K04"]
    assert a.symbol == "A" and GRADE_COLOURS[a][0] in _badge_colours(window, "K04@2-1")

    window.tree.collapse(measure)  # K04 is not on screen while the year changes
    QApplication.processEvents()
    _choose_year(window, 2025)
    window.tree.expand(measure)
    QApplication.processEvents()

    d = _stored_grades(window, 2025)["K04"]
    assert d != a
    index = _view_index(window, "K04@2-1")
    assert index.data(GRADE_ROLE) == d.symbol
    assert f"評価: {grade_text(d)}" in index.data(Qt.ItemDataRole.ToolTipRole)
    colours = _badge_colours(window, "K04@2-1")
    assert GRADE_COLOURS[d][0] in colours and GRADE_COLOURS[a][0] not in colours
    # its measure's badge (the weakest of its KPIs) is D as well
    assert _view_index(window, "2-1").data(GRADE_ROLE) == d.symbol


def test_the_tree_repaints_the_rows_on_screen_when_the_year_changes(make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    _a_and_d(window, "K01", 2024, 2025)
    window.select_key("plan")
    _choose_year(window, 2024)
    window.tree.expand(_view_index(window, "1-1"))
    QApplication.processEvents()
    paints = _Paints()
    window.tree.viewport().installEventFilter(paints)
    _choose_year(window, 2025)
    window.tree.viewport().removeEventFilter(paints)
    assert paints.count > 0  # the badges on screen are drawn again, not left as they were
    d = _stored_grades(window, 2025)["K01"]
    assert _view_index(window, "K01@1-1").data(GRADE_ROLE) == d.symbol


def test_every_grade_shown_follows_the_year_and_an_edit(make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    _a_and_d(window, "K04", 2024, 2025)
    _a_and_d(window, "K10", 2025, 2024)
    window.select_key("plan")
    figures = window.document.reader.figures
    for fy in (2025, 2024, 2026, 2025):
        _choose_year(window, fy)
        stored = _stored_grades(window, fy)
        assert _overview_grades(window) == {c: _shown(g) for c, g in stored.items()}
        for code, grade in stored.items():
            for key in window.tree_model.kpi_keys(code):
                assert window.tree_model.index_for_key(key).data(GRADE_ROLE) == grade.symbol
    reads = figures.reads
    _choose_year(window, 2024)
    assert figures.reads == reads  # a change of year reads no KPI from the database

    # K04 reaches its target in 2025 too: the held figures of K04 (only) are read again
    detail = window.document.services.queries.kpi_detail("K04")
    _set_years(window, [KpiYearEdit("K04", 2025, actual=detail.target)])
    assert figures.reads == reads + 1
    _choose_year(window, 2025)
    assert _overview_grades(window)["K04"] == _shown(Grade.A)
    assert window.tree_model.index_for_key("K04@2-1").data(GRADE_ROLE) == "A"
    stored = _stored_grades(window, 2025)
    assert _overview_grades(window) == {c: _shown(g) for c, g in stored.items()}


def test_a_write_that_was_not_broadcast_is_not_hidden_by_held_figures(make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    window.select_key("plan")
    _choose_year(window, 2025)
    detail = window.document.services.queries.kpi_detail("K06")
    # straight to the service: no change record reaches the window (the audit log has it)
    window.document.services.values.record_actual("K06", 2025, detail.target)
    _choose_year(window, 2024)
    _choose_year(window, 2025)
    assert _overview_grades(window)["K06"] == _shown(Grade.A)


def test_a_new_grade_scheme_regrades_every_kpi_from_the_held_figures(make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    _a_and_d(window, "K04", 2024, 2025)
    _set_years(window, [KpiYearEdit("K12", 2025, actual=Decimal("1"))])
    window.select_key("plan")
    _choose_year(window, 2025)
    before = _overview_grades(window)
    figures = window.document.reader.figures
    reads = figures.reads
    document = window.document
    document.apply(
        "評価基準の変更", lambda: document.services.evaluation.set_grade_scheme(SCHEME_SABCD)
    )
    QApplication.processEvents()
    assert figures.reads == reads  # only the grades changed: no figure is read again

    stored = _stored_grades(window, 2025)
    assert {g.scheme for g in stored.values() if g.graded} == {"sabcd"}
    shown = _overview_grades(window)
    assert shown == {c: _shown(g) for c, g in stored.items()} and shown != before
    for code, grade in stored.items():
        for key in window.tree_model.kpi_keys(code):
            assert window.tree_model.index_for_key(key).data(GRADE_ROLE) == grade.symbol

    document.undo()
    QApplication.processEvents()
    assert _overview_grades(window) == before


def test_the_overview_keeps_the_selected_row_when_the_year_changes(make_window) -> None:  # type: ignore[no-untyped-def]
    window = make_window()
    window.select_key("plan")
    view = window.overview_page.kpi_view
    view.selectRow(3)
    code = view.currentIndex().data()
    _choose_year(window, 2026)
    assert view.currentIndex().row() == 3 and view.currentIndex().data() == code
    assert [i.row() for i in view.selectionModel().selectedRows()] == [3]
