"""The plan tree's item model: Qt's own model tester on the default plan, and the reads the
window makes once per user action (the tree's grades come from the plan overview read in
the same turn of the event loop, and nothing is kept past a change)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aomori_desktop.domain.plan import FigureStatus
from aomori_desktop.services.dto import TreeKey
from aomori_desktop.ui.main_window import MainWindow
from aomori_desktop.ui.tree_model import PlanTreeModel


def test_tree_model_passes_qt_model_tester(make_window: Any, qtmodeltester: Any) -> None:
    window: MainWindow = make_window()
    model = PlanTreeModel()
    assert window.document is not None
    reader = window.document.reader
    model.set_tree(reader.tree(), reader.year_progress(2024))
    qtmodeltester.check(model)
    assert model.rowCount() == 1
    plan = model.index(0, 0)
    assert model.rowCount(plan) == 5  # 戦略の柱 1–5
    assert model.parent(model.index(0, 0, plan)) == plan


def test_reads_are_shared_within_one_turn_and_fresh_after_a_change(
    make_window: Any, qtbot: Any
) -> None:
    window: MainWindow = make_window()
    document = window.document
    assert document is not None
    reader = document.reader
    overview = reader.overview(TreeKey.plan(), 2024)
    assert reader.overview(TreeKey.plan(), 2024) is overview  # same turn: read once
    grades = reader.year_progress(2024)
    assert grades == {row.code: row.progress for row in overview.kpis}
    assert grades == document.services.queries.year_progress(2024)  # as a fresh read says
    document.apply(
        "入力",
        lambda: document.services.values.record_actual(
            "K01", 2024, Decimal("3"), status=FigureStatus.FINAL
        ),
    )
    after = reader.overview(TreeKey.plan(), 2024)
    assert after is not overview  # a change is never answered from before it
    assert next(r for r in after.kpis if r.code == "K01").latest_actual == Decimal("3")
    qtbot.wait(1)  # the next turn forgets what was read
    assert reader.overview(TreeKey.plan(), 2024) is not after
