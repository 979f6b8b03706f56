"""Rows of the yearly evaluation ↔ plain values, for whole-plan snapshots and the services.

The plan's grade scheme is a preset key plus, where the plan changed them, one threshold row
per rule; measure evaluations, project directions and panel opinions are one row each.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from aomori_desktop.domain.evaluation import (
    Course,
    EvaluationRecords,
    MeasureEvaluation,
    PanelOpinion,
    ProjectEvaluation,
)
from aomori_desktop.domain.grading import GradeScheme, SchemeKey, preset, scheme_from_setting
from aomori_desktop.store.models import (
    GradeThresholdRow,
    MeasureEvaluationRow,
    MeasureRow,
    PanelOpinionRow,
    PillarRow,
    PlanRow,
    ProjectEvaluationRow,
    ProjectRow,
)


def scheme_of(plan: PlanRow) -> GradeScheme:
    """The plan's grade scheme (its preset, with the plan's own thresholds if it has any)."""
    rows = plan.grade_thresholds
    return scheme_from_setting(SchemeKey(plan.grade_scheme), [r.value for r in rows] or None)


def set_scheme_rows(plan: PlanRow, scheme: GradeScheme) -> None:
    """Store a scheme on a plan row: threshold rows only where they differ from the preset
    (compared as typed: "0.50" is kept as "0.50")."""
    plan.grade_scheme = scheme.key.value
    base = preset(scheme.key).thresholds
    same = all(
        a == b and a.as_tuple().exponent == b.as_tuple().exponent
        for a, b in zip(scheme.thresholds, base, strict=True)
    )
    plan.grade_thresholds.clear()
    if not same:
        plan.grade_thresholds.extend(
            GradeThresholdRow(position=i, value=v) for i, v in enumerate(scheme.thresholds)
        )


def measure_codes(session: Session, plan_id: int) -> dict[int, str]:
    """Measure row id → code ("1-2") for a plan."""
    return {
        mid: f"{p}-{m}"
        for mid, p, m in session.execute(
            select(MeasureRow.id, PillarRow.number, MeasureRow.number)
            .join(PillarRow)
            .where(PillarRow.plan_id == plan_id)
        )
    }


def measure_evaluation_value(row: MeasureEvaluationRow, code: str) -> MeasureEvaluation:
    return MeasureEvaluation(
        measure=code,
        fiscal_year=row.fiscal_year,
        override=row.override_grade,
        override_scheme=row.override_scheme,
        override_reason=row.override_reason,
        achievements=row.achievements,
        issues=row.issues,
        next_steps=row.next_steps,
        course=Course(row.course) if row.course else None,
        entered_by=row.entered_by,
        entered_at=row.entered_at,
    )


def opinion_value(row: PanelOpinionRow, codes: Mapping[int, str]) -> PanelOpinion:
    return PanelOpinion(
        number=row.number,
        fiscal_year=row.fiscal_year,
        measure=codes[row.measure_id] if row.measure_id is not None else None,
        opinion=row.opinion,
        response=row.response,
        entered_by=row.entered_by,
        entered_at=row.entered_at,
    )


def read_evaluation(session: Session, plan_id: int) -> EvaluationRecords:
    """Every evaluation record of a plan, in plan order (measures, then projects, by year)."""
    codes = measure_codes(session, plan_id)
    measure_rows = session.execute(
        select(MeasureEvaluationRow)
        .join(MeasureRow, MeasureEvaluationRow.measure_id == MeasureRow.id)
        .join(PillarRow, MeasureRow.pillar_id == PillarRow.id)
        .where(PillarRow.plan_id == plan_id)
        .order_by(PillarRow.position, MeasureRow.position, MeasureEvaluationRow.fiscal_year)
    ).scalars()
    project_rows = session.execute(
        select(ProjectEvaluationRow, ProjectRow.code)
        .join(ProjectRow, ProjectEvaluationRow.project_id == ProjectRow.id)
        .where(ProjectRow.plan_id == plan_id)
        .order_by(ProjectRow.position, ProjectEvaluationRow.fiscal_year)
    ).all()
    opinion_rows = session.scalars(
        select(PanelOpinionRow)
        .where(PanelOpinionRow.plan_id == plan_id)
        .order_by(PanelOpinionRow.fiscal_year, PanelOpinionRow.number)
    )
    return EvaluationRecords(
        measures=tuple(measure_evaluation_value(r, codes[r.measure_id]) for r in measure_rows),
        projects=tuple(
            ProjectEvaluation(
                project=code,
                fiscal_year=r.fiscal_year,
                course=Course(r.course) if r.course else None,
                entered_by=r.entered_by,
                entered_at=r.entered_at,
            )
            for r, code in project_rows
        ),
        opinions=tuple(opinion_value(r, codes) for r in opinion_rows),
    )


def measure_evaluation_row(value: MeasureEvaluation, measure_id: int) -> MeasureEvaluationRow:
    return MeasureEvaluationRow(
        measure_id=measure_id,
        fiscal_year=value.fiscal_year,
        override_grade=value.override,
        override_scheme=value.override_scheme,
        override_reason=value.override_reason,
        achievements=value.achievements,
        issues=value.issues,
        next_steps=value.next_steps,
        course=value.course.value if value.course else None,
        entered_by=value.entered_by,
        entered_at=value.entered_at,
    )


def opinion_row(value: PanelOpinion, plan_id: int, measure_id: int | None) -> PanelOpinionRow:
    return PanelOpinionRow(
        plan_id=plan_id,
        number=value.number,
        fiscal_year=value.fiscal_year,
        measure_id=measure_id,
        opinion=value.opinion,
        response=value.response,
        entered_by=value.entered_by,
        entered_at=value.entered_at,
    )


def write_evaluation(
    session: Session,
    plan_id: int,
    records: EvaluationRecords,
    measure_ids: Mapping[str, int],
    project_ids: Mapping[str, int],
) -> None:
    """Insert a plan's evaluation records (already validated), given the new rows' ids of
    its measures (by code) and projects (by id)."""
    for m in records.measures:
        session.add(measure_evaluation_row(m, measure_ids[m.measure]))
    for p in records.projects:
        session.add(
            ProjectEvaluationRow(
                project_id=project_ids[p.project],
                fiscal_year=p.fiscal_year,
                course=p.course.value if p.course else None,
                entered_by=p.entered_by,
                entered_at=p.entered_at,
            )
        )
    for o in records.opinions:
        measure_id = measure_ids[o.measure] if o.measure is not None else None
        session.add(opinion_row(o, plan_id, measure_id))
