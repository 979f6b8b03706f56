"""Evaluation services: 施策評価 with override and reason, texts and direction, project
directions, panel opinions, the grade scheme; each write audited and undone exactly."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from aomori_desktop.domain.evaluation import Course
from aomori_desktop.domain.grading import SCHEME_ABCD, SCHEME_MARKS, SCHEME_SABCD, Grade
from aomori_desktop.services.changes import Changes
from aomori_desktop.services.errors import Conflict, NotFound, ValidationError
from aomori_desktop.services.evaluation import MeasureEvaluationEdit, OpinionEdit
from aomori_desktop.services.plan_services import PlanServices
from aomori_desktop.services.workspace import export_plan
from aomori_desktop.store.database import Database
from tests.services.conftest import USER
from tests.services.helpers import audit, dump, rows

E = MeasureEvaluationEdit


def _values(services: PlanServices) -> None:
    # 1-1 has K01 (cumulative 0 → 3) and K02; 2025 expects 20 %
    services.values.record_actual("K01", 2024, Decimal("1"))
    services.values.record_actual("K01", 2025, Decimal("1"))  # 33.3 % ≥ 20 %: B


def test_a_measure_evaluation_is_stored_audited_and_undone(
    services: PlanServices, db_path: Path
) -> None:
    _values(services)
    before = dump(db_path)
    applied = services.evaluation.set_measure_evaluation(
        "1-1",
        2025,
        E(achievements="成果\n2行目", issues="課題", next_steps="次", course=Course.IMPROVE),
    )
    assert applied.changes == Changes(evaluations=frozenset({"1-1"}))
    assert rows(
        db_path,
        "SELECT fiscal_year, achievements, issues, next_steps, course, entered_by "
        "FROM measure_evaluation",
    ) == [(2025, "成果\n2行目", "課題", "次", "improve", USER)]
    assert [a[3:8] for a in audit(db_path)[-4:]] == [
        ("measure_evaluation", "1-1/2025", "achievements", None, "成果\n2行目"),
        ("measure_evaluation", "1-1/2025", "issues", None, "課題"),
        ("measure_evaluation", "1-1/2025", "next_steps", None, "次"),
        ("measure_evaluation", "1-1/2025", "course", None, "improve"),
    ]
    view = services.evaluation_queries.measure("1-1", 2025)
    assert view.proposed == Grade.B and view.grade == Grade.B and view.override is None
    assert view.record is not None and view.record.course is Course.IMPROVE

    assert applied.undo is not None
    redo = applied.undo()
    assert rows(db_path, "SELECT count(*) FROM measure_evaluation") == [(0,)]
    assert redo.undo is not None
    redo.undo()
    assert rows(db_path, "SELECT achievements, entered_by FROM measure_evaluation") == [
        ("成果\n2行目", USER)
    ]
    assert dump(db_path) != before


def test_an_override_needs_a_reason_and_a_grade_of_the_plan_scheme(
    services: PlanServices, db_path: Path
) -> None:
    _values(services)
    with pytest.raises(ValidationError) as info:
        services.evaluation.set_measure_evaluation("1-1", 2025, E(override="A"))
    assert info.value.message == (
        "共創施策 1-1 令和7(2025)年度の施策評価: 評価を変更する理由を入力してください。"
    )
    with pytest.raises(ValidationError) as info:
        services.evaluation.set_measure_evaluation(
            "1-1", 2025, E(override="S", override_reason="理由")
        )
    assert "評価「S」はこの評価基準にありません（A・B・C・D）。" in info.value.message
    assert rows(db_path, "SELECT count(*) FROM measure_evaluation") == [(0,)]

    services.evaluation.set_measure_evaluation(
        "1-1", 2025, E(override="A", override_reason="洋上風力の誘致が確定したため")
    )
    view = services.evaluation_queries.measure("1-1", 2025)
    assert (view.proposed, view.override, view.grade) == (Grade.B, Grade.A, Grade.A)
    assert view.record is not None and view.record.override_reason.startswith("洋上風力")
    # going back to the proposal clears the reason with it
    services.evaluation.set_measure_evaluation("1-1", 2025, E(override=None))
    assert services.evaluation_queries.measure("1-1", 2025).grade == Grade.B
    assert rows(db_path, "SELECT count(*) FROM measure_evaluation") == [(0,)]


def test_the_same_text_again_stores_nothing(services: PlanServices, db_path: Path) -> None:
    services.evaluation.set_measure_evaluation("1-2", 2024, E(issues="課題"))
    count = len(audit(db_path))
    assert services.evaluation.set_measure_evaluation("1-2", 2024, E(issues="課題")).empty
    assert len(audit(db_path)) == count


def test_outside_the_plan_period_and_unknown_measures_are_refused(services: PlanServices) -> None:
    with pytest.raises(ValidationError) as info:
        services.evaluation.set_measure_evaluation("1-1", 2040, E(issues="x"))
    assert "計画期間" in info.value.message
    with pytest.raises(NotFound):
        services.evaluation.set_measure_evaluation("9-9", 2025, E(issues="x"))


def test_undo_does_not_overwrite_a_later_change_by_someone_else(
    services: PlanServices, db: Database
) -> None:
    mine = services.evaluation.set_measure_evaluation("1-1", 2025, E(issues="私の課題"))
    other = PlanServices(db, services.plan_id, user="他の職員")
    other.evaluation.set_measure_evaluation("1-1", 2025, E(issues="別の人の課題"))
    assert mine.undo is not None
    with pytest.raises(Conflict):
        mine.undo()
    view = services.evaluation_queries.measure("1-1", 2025)
    assert view.record is not None and view.record.issues == "別の人の課題"


def test_project_direction_per_year(services: PlanServices, db_path: Path) -> None:
    applied = services.evaluation.set_project_course("PJ02", 2025, Course.EXPAND)
    assert applied.changes == Changes(projects=frozenset({"PJ02"}))
    # the re-listed project (1-1-2 and 1-2-3) shows the one direction in both places
    for measure in ("1-1", "1-2"):
        placed = services.evaluation_queries.measure(measure, 2025).projects
        assert [p.course for p in placed if p.code == "PJ02"] == [Course.EXPAND]
    assert audit(db_path)[-1][3:8] == ("project_evaluation", "PJ02/2025", "course", None, "expand")
    assert applied.undo is not None
    applied.undo()
    assert rows(db_path, "SELECT count(*) FROM project_evaluation") == [(0,)]


def test_panel_opinions_on_a_measure_and_on_the_plan(services: PlanServices, db_path: Path) -> None:
    first = services.evaluation.add_opinion(2025, None, "計画全体として順調である。")
    second = services.evaluation.add_opinion(
        2025, "1-1", "洋上風力の取組を加速すべき。", "検討する"
    )
    assert (first.value, second.value) == (1, 2)
    assert second.changes.evaluations == frozenset({"1-1"})
    services.evaluation.update_opinion(1, OpinionEdit(response="引き続き進める。"))
    assert [
        (o.number, o.measure, o.response) for o in services.evaluation_queries.opinions(2025)
    ] == [
        (1, None, "引き続き進める。"),
        (2, "1-1", "検討する"),
    ]
    assert services.evaluation_queries.measure("1-1", 2025).opinions[0].opinion.startswith("洋上")
    removed = services.evaluation.remove_opinion(2)
    assert [o.number for o in services.evaluation_queries.opinions(2025)] == [1]
    assert removed.undo is not None
    removed.undo()  # the same number comes back, with who wrote it and when
    back = services.evaluation_queries.opinions(2025)[1]
    assert (back.number, back.measure, back.response, back.entered_by) == (
        2,
        "1-1",
        "検討する",
        USER,
    )
    assert [a[2:6] for a in audit(db_path) if a[3] == "panel_opinion"][-3:] == [
        ("create", "panel_opinion", "2", "measure"),
        ("create", "panel_opinion", "2", "opinion"),
        ("create", "panel_opinion", "2", "response"),
    ]
    with pytest.raises(ValidationError) as info:
        services.evaluation.add_opinion(2025, None, "  ")
    assert info.value.message == "有識者会議の意見 3: 意見が空です。"


def test_changing_the_scheme_regrades_everything_and_is_audited(
    services: PlanServices, db_path: Path
) -> None:
    _values(services)
    services.evaluation.set_measure_evaluation("1-1", 2025, E(override="A", override_reason="理由"))
    applied = services.evaluation.set_grade_scheme(SCHEME_MARKS)
    assert "K01" in applied.changes.kpis and "1-1" in applied.changes.evaluations
    assert services.queries.year_progress(2025)["K01"].grade == SCHEME_MARKS.grade_of("◎")
    view = services.evaluation_queries.measure("1-1", 2025)
    # the A–D override is kept, but does not apply under ◎○△
    assert view.grade == SCHEME_MARKS.grade_of("◎") and view.stale_override
    assert audit(db_path)[-1][3:8] == (
        "plan",
        "plan",
        "grade_scheme",
        "A・B・C・D（4段階）: 100 / 1 / 0.5",
        "◎・○・△（3段階）: 1 / 0.8",
    )
    assert export_plan(services.access.db).plan.grade_scheme == SCHEME_MARKS
    assert applied.undo is not None
    applied.undo()
    assert services.queries.year_progress(2025)["K01"].grade == Grade.B
    assert services.evaluation_queries.measure("1-1", 2025).grade == Grade.A  # applies again


def test_custom_thresholds_are_checked_and_kept_as_typed(
    services: PlanServices, db_path: Path
) -> None:
    with pytest.raises(ValidationError) as info:
        services.evaluation.set_grade_scheme(
            SCHEME_SABCD.with_thresholds((Decimal(100), Decimal(1), Decimal("1.5"), Decimal("0.5")))
        )
    assert "一つ上の評価の基準（1 倍）より小さくしてください" in info.value.message
    custom = SCHEME_ABCD.with_thresholds((Decimal("90"), Decimal("1"), Decimal("0.60")))
    services.evaluation.set_grade_scheme(custom)
    assert rows(db_path, "SELECT position, value FROM grade_threshold ORDER BY position") == [
        (0, "90"),
        (1, "1"),
        (2, "0.60"),
    ]
    assert services.evaluation.set_grade_scheme(custom).empty
