"""The yearly evaluation (domain.md, "The yearly evaluation cycle"): what the sections write
about each measure and project, and what the external review panel says.

Plain values shared by the store, the JSON interchange and the reports. The grades themselves
are computed (domain.grading); only a measure's override is stored, with the scheme it was
chosen in, so that changing the plan's scheme never silently reinterprets a human judgement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from aomori_desktop.domain.errors import InvalidInput
from aomori_desktop.domain.grading import Grade, GradeScheme


class Course(StrEnum):
    """今後の方向性: the direction chosen for a measure or a project after a year's evaluation."""

    EXPAND = "expand"
    IMPROVE = "improve"
    CONTINUE = "continue"
    REDUCE = "reduce"
    SUSPEND = "suspend"
    COMPLETE = "complete"

    @property
    def label(self) -> str:
        return {
            "expand": "拡充",
            "improve": "改善して継続",
            "continue": "現状のまま継続",
            "reduce": "縮小",
            "suspend": "休止・廃止",
            "complete": "完了",
        }[self.value]


COURSE_CHOICES: Final = tuple(Course)

#: Labels of the measure's text fields, as the evaluation sheet (施策評価シート) names them.
MEASURE_TEXT_LABELS: Final = {
    "achievements": "成果",
    "issues": "課題",
    "next_steps": "今後の方向性",
}


@dataclass(frozen=True, slots=True)
class MeasureEvaluation:
    """施策評価 of one measure for one fiscal year.

    `override` is the grade symbol the section chose instead of the proposed one, in the scheme
    named by `override_scheme`; `override_reason` is required with it.
    """

    measure: str  # "1-2"
    fiscal_year: int
    override: str | None = None
    override_scheme: str = ""
    override_reason: str = ""
    achievements: str = ""  # 成果
    issues: str = ""  # 課題
    next_steps: str = ""  # 今後の方向性
    course: Course | None = None
    entered_by: str = ""
    entered_at: datetime | None = None

    @property
    def empty(self) -> bool:
        return (
            self.override is None
            and not self.override_reason
            and not (self.achievements or self.issues or self.next_steps)
            and self.course is None
        )


@dataclass(frozen=True, slots=True)
class ProjectEvaluation:
    """The direction chosen for one project for one fiscal year."""

    project: str  # "PJ01"
    fiscal_year: int
    course: Course | None
    entered_by: str = ""
    entered_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PanelOpinion:
    """One opinion of the external review panel (有識者会議) and the city's response (対応方針).

    `measure` is None for an opinion on the whole plan. `number` identifies the opinion in the
    plan (stable across edits, exports and undo).
    """

    number: int
    fiscal_year: int
    measure: str | None
    opinion: str
    response: str = ""
    entered_by: str = ""
    entered_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class EvaluationRecords:
    """Everything the evaluation adds to a plan (part of `PlanSnapshot`)."""

    measures: tuple[MeasureEvaluation, ...] = ()
    projects: tuple[ProjectEvaluation, ...] = ()
    opinions: tuple[PanelOpinion, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.measures or self.projects or self.opinions)


def applied_override(evaluation: MeasureEvaluation | None, scheme: GradeScheme) -> Grade | None:
    """The override that counts under `scheme`: None without one, or when it was chosen in
    another scheme (it is kept, and applies again if the plan returns to that scheme)."""
    if evaluation is None or evaluation.override is None:
        return None
    if evaluation.override_scheme != scheme.key.value:
        return None
    try:
        grade = scheme.grade_of(evaluation.override)
    except InvalidInput:
        return None
    return grade if grade.graded else None


def effective_grade(
    evaluation: MeasureEvaluation | None, proposed: Grade, scheme: GradeScheme
) -> Grade:
    """The measure's grade: the override where one applies, else the proposed grade."""
    override = applied_override(evaluation, scheme)
    return override if override is not None else proposed
