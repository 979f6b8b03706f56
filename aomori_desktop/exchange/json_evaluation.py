"""The yearly evaluation in the JSON interchange format (docs/interchange.md, version 2):
the plan's grade scheme, measure evaluations, project directions, panel opinions, and each
KPI's outlook (computed, for readers).

Used by `json_format`, which owns the document as a whole and its reader.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from aomori_desktop.domain.errors import InvalidInput
from aomori_desktop.domain.evaluation import (
    Course,
    EvaluationRecords,
    MeasureEvaluation,
    PanelOpinion,
    ProjectEvaluation,
    effective_grade,
)
from aomori_desktop.domain.grading import (
    DEFAULT_SCHEME,
    SCHEME_ABCD,
    GradeScheme,
    SchemeKey,
    preset,
    propose_measure_grade,
)
from aomori_desktop.domain.numbers import decimal_from_text, decimal_to_text
from aomori_desktop.domain.outlook import outlook_for
from aomori_desktop.domain.plan import Kpi, PlanSnapshot
from aomori_desktop.domain.progress import KpiTerms, evaluate_year

T = TypeVar("T")


class _Reader(Protocol):
    """What these readers need of json_format's reader (which collects every problem)."""

    def fail(self, path: str, message: str) -> None: ...
    def obj(self, value: Any, path: str) -> dict[str, Any] | None: ...
    def list_(
        self, parent: dict[str, Any], key: str, path: str, *, required: bool = True
    ) -> list[Any]: ...
    def str_(
        self, parent: dict[str, Any], key: str, path: str, *, default: str | None = None
    ) -> str: ...
    def opt_str(self, parent: dict[str, Any], key: str, path: str) -> str | None: ...
    def int_(self, parent: dict[str, Any], key: str, path: str) -> int: ...
    def opt_decimal(self, parent: dict[str, Any], key: str, path: str) -> Decimal | None: ...
    def enum(
        self,
        enum_type: Callable[[str], T],
        parent: dict[str, Any],
        key: str,
        path: str,
        allowed: str,
    ) -> T | None: ...
    def datetime_(self, parent: dict[str, Any], key: str, path: str) -> datetime | None: ...


COURSE_VALUES = " / ".join(c.value for c in Course)


def _dt(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else decimal_to_text(value)


# ---------------------------------------------------------------- writing


def grading_to_json(scheme: GradeScheme) -> dict[str, Any]:
    return {
        "scheme": scheme.key.value,
        "thresholds": [decimal_to_text(v) for v in scheme.thresholds],
    }


def _terms(kpi: Kpi) -> KpiTerms:
    return KpiTerms(
        kpi.baseline, kpi.baseline_fiscal_year, kpi.target, kpi.target_fiscal_year, kpi.direction
    )


def outlook_to_json(kpi: Kpi) -> dict[str, Any] | None:
    """The outlook from every actual value of the KPI (computed; ignored on import)."""
    outlook = outlook_for(_terms(kpi), {y.fiscal_year: y.actual for y in kpi.years})
    if outlook is None:
        return None
    required = outlook.required_per_year
    return {
        "projected": decimal_to_text(outlook.shown(outlook.projected)),
        "reaches_target": outlook.reaches_target,
        "yearly_trend": decimal_to_text(outlook.shown_change(outlook.yearly_trend)),
        "required_per_year": None
        if required is None
        else decimal_to_text(outlook.shown_change(required)),
        "actual_years": outlook.points,
    }


def _proposed(snapshot: PlanSnapshot, measure: str, fiscal_year: int) -> str:
    scheme = snapshot.plan.grade_scheme
    grades = []
    for kpi in snapshot.kpis:
        if measure in kpi.measures:
            year = next((y for y in kpi.years if y.fiscal_year == fiscal_year), None)
            progress = evaluate_year(
                _terms(kpi),
                fiscal_year,
                year.actual if year else None,
                year.interim_target if year else None,
                scheme,
            )
            grades.append(progress.grade)
    return propose_measure_grade(grades, scheme).value


def evaluation_to_json(snapshot: PlanSnapshot) -> dict[str, Any]:
    scheme = snapshot.plan.grade_scheme
    records = snapshot.evaluation
    measures = []
    for e in records.measures:
        proposed = _proposed(snapshot, e.measure, e.fiscal_year)
        grade = effective_grade(e, scheme.grade_of(proposed), scheme)
        measures.append(
            {
                "measure": e.measure,
                "fiscal_year": e.fiscal_year,
                "proposed_grade": proposed,
                "override_grade": e.override,
                "override_scheme": e.override_scheme,
                "override_reason": e.override_reason,
                "grade": grade.value,
                "achievements": e.achievements,
                "issues": e.issues,
                "next_steps": e.next_steps,
                "direction": e.course.value if e.course else None,
                "entered_by": e.entered_by,
                "entered_at": _dt(e.entered_at),
            }
        )
    return {
        "measures": measures,
        "projects": [
            {
                "project": p.project,
                "fiscal_year": p.fiscal_year,
                "direction": p.course.value if p.course else None,
                "entered_by": p.entered_by,
                "entered_at": _dt(p.entered_at),
            }
            for p in records.projects
        ],
        "opinions": [
            {
                "number": o.number,
                "fiscal_year": o.fiscal_year,
                "measure": o.measure,
                "opinion": o.opinion,
                "response": o.response,
                "entered_by": o.entered_by,
                "entered_at": _dt(o.entered_at),
            }
            for o in records.opinions
        ],
    }


# ---------------------------------------------------------------- reading


def read_grading(r: _Reader, plan: dict[str, Any]) -> GradeScheme:
    """Version 2 `plan.grading`; a version 1 file's `plan.thresholds` (the A–D limits A and C)
    is read as the A–D preset with those values."""
    if "grading" in plan:
        raw = r.obj(plan["grading"], "plan.grading") or {}
        key = r.enum(SchemeKey, raw, "scheme", "plan.grading", "abcd / sabcd / marks")
        if key is None:
            if raw.get("scheme") is None:
                r.fail("plan.grading.scheme", "項目がありません。")
            return DEFAULT_SCHEME
        base = preset(key)
        values = r.list_(raw, "thresholds", "plan.grading", required=False)
        if "thresholds" not in raw:
            return base
        if len(values) != len(base.thresholds):
            r.fail(
                "plan.grading.thresholds",
                f"{base.name}の基準値は{len(base.thresholds)}個です（{len(values)}個あります）。",
            )
            return base
        thresholds = []
        for i, value in enumerate(values):
            where = f"plan.grading.thresholds[{i}]"
            try:
                if not isinstance(value, str):
                    raise InvalidInput("")
                thresholds.append(decimal_from_text(value))
            except InvalidInput:
                r.fail(where, '基準値は数値の文字列（例: "0.5"）で記録してください。')
                thresholds.append(base.thresholds[i])
        return base.with_thresholds(thresholds)
    th = r.obj(plan.get("thresholds", {}), "plan.thresholds") or {}
    achieved_default, on_track, delayed_default = SCHEME_ABCD.thresholds
    # `is None`, not `or`: "0" is a real value (it must reach validation and be refused)
    achieved = r.opt_decimal(th, "achieved", "plan.thresholds")
    delayed = r.opt_decimal(th, "delayed_factor", "plan.thresholds")
    return SCHEME_ABCD.with_thresholds(
        (
            achieved_default if achieved is None else achieved,
            on_track,
            delayed_default if delayed is None else delayed,
        )
    )


def _course(r: _Reader, raw: dict[str, Any], path: str) -> Course | None:
    return r.enum(Course, raw, "direction", path, COURSE_VALUES)


def _items(
    r: _Reader, parent: dict[str, Any], key: str, path: str
) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for i, raw in enumerate(r.list_(parent, key, path, required=False)):
        where = f"{path}.{key}[{i}]"
        item = r.obj(raw, where)
        if item is not None:
            found.append((where, item))
    return found


def read_evaluation(r: _Reader, doc: dict[str, Any]) -> EvaluationRecords:
    """`evaluations` (absent in version 1 files: no records)."""
    if "evaluations" not in doc:
        return EvaluationRecords()
    ev = r.obj(doc["evaluations"], "evaluations") or {}
    path = "evaluations"
    opt: Callable[[dict[str, Any], str, str], str | None] = r.opt_str
    measures = tuple(
        MeasureEvaluation(
            measure=r.str_(m, "measure", where),
            fiscal_year=r.int_(m, "fiscal_year", where),
            override=opt(m, "override_grade", where),
            override_scheme=r.str_(m, "override_scheme", where, default=""),
            override_reason=r.str_(m, "override_reason", where, default=""),
            achievements=r.str_(m, "achievements", where, default=""),
            issues=r.str_(m, "issues", where, default=""),
            next_steps=r.str_(m, "next_steps", where, default=""),
            course=_course(r, m, where),
            entered_by=r.str_(m, "entered_by", where, default=""),
            entered_at=r.datetime_(m, "entered_at", where),
        )
        for where, m in _items(r, ev, "measures", path)
    )
    projects = tuple(
        ProjectEvaluation(
            project=r.str_(p, "project", where),
            fiscal_year=r.int_(p, "fiscal_year", where),
            course=_course(r, p, where),
            entered_by=r.str_(p, "entered_by", where, default=""),
            entered_at=r.datetime_(p, "entered_at", where),
        )
        for where, p in _items(r, ev, "projects", path)
    )
    opinions = tuple(
        PanelOpinion(
            number=r.int_(o, "number", where),
            fiscal_year=r.int_(o, "fiscal_year", where),
            measure=opt(o, "measure", where),
            opinion=r.str_(o, "opinion", where),
            response=r.str_(o, "response", where, default=""),
            entered_by=r.str_(o, "entered_by", where, default=""),
            entered_at=r.datetime_(o, "entered_at", where),
        )
        for where, o in _items(r, ev, "opinions", path)
    )
    return EvaluationRecords(measures=measures, projects=projects, opinions=opinions)
