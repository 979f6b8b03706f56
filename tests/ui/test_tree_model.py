"""The plan tree's item model: Qt's own model tester on the default plan, and the reads the
window makes once per user action (the tree's grades come from the plan overview read in
the same turn of the event loop, and nothing is kept past a change)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from aomori_desktop.domain.plan import FigureStatus
from aomori_desktop.domain.progress import Grade, YearProgress
from aomori_desktop.services.dto import NodeKind, TreeKey, TreeNode
from aomori_desktop.ui.main_window import MainWindow
from aomori_desktop.ui.tree_model import GRADE_ROLE, KEY_ROLE, PlanTreeModel


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


def _plan_of(measures: int, kpis: int) -> TreeNode:
    """One pillar with `measures` measures of `kpis` KPIs each."""
    children = []
    for m in range(1, measures + 1):
        code = f"1-{m}"
        rows = tuple(
            TreeNode(NodeKind.KPI, TreeKey.kpi(f"K{m}{k:03}", code), "", f"指標{k}", f"K{m}{k:03}")
            for k in range(kpis)
        )
        children.append(
            TreeNode(NodeKind.MEASURE, TreeKey.parse(code), code, "施策", code, children=rows)
        )
    pillar = TreeNode(NodeKind.PILLAR, TreeKey.pillar(1), "1", "柱", children=tuple(children))
    return TreeNode(NodeKind.PLAN, TreeKey.plan(), "", "計画", children=(pillar,))


def _graded(codes: list[str], grade: Grade) -> dict[str, YearProgress]:
    return {c: YearProgress(2025, Decimal("1"), Decimal("1"), grade) for c in codes}


def test_new_grades_are_announced_for_rows_on_screen_and_read_by_every_row(qapp: Any) -> None:
    model = PlanTreeModel()
    plan = _plan_of(3, 60)
    codes = [k.ref for m in plan.children[0].children for k in m.children]
    model.set_tree(plan, _graded(codes, Grade.D))
    # the view has the plan, the pillar and measure 1-1 expanded; 1-2 and 1-3 are collapsed
    model.children_shown = lambda index: index.data(KEY_ROLE) in {"plan", "1", "1-1"}
    announced: list[tuple[str, int, int]] = []
    model.dataChanged.connect(
        lambda first, last, _roles: announced.append(
            (first.parent().data(KEY_ROLE) or "", first.row(), last.row())
        )
    )
    for named in (None, set(codes)):  # a new year; a new scheme (every KPI named)
        announced.clear()
        grade = Grade.A if named is None else Grade.B
        model.set_progress(_graded(codes, grade), named)
        # one signal per group on screen, none for the rows of collapsed measures
        assert sorted(announced) == [("", 0, 0), ("1", 0, 2), ("1-1", 0, 59), ("plan", 0, 0)]
        for code in codes:  # and every row, expanded later, shows its new grade
            (key,) = model.kpi_keys(code)
            assert model.index_for_key(key).data(GRADE_ROLE) == grade.symbol
        assert model.index_for_key("1-3").data(GRADE_ROLE) == grade.symbol
