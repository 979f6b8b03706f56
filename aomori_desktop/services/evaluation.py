"""Writes of the yearly evaluation: a measure's evaluation (施策評価: override with its reason,
成果・課題・今後の方向性, direction), a project's direction, the external panel's opinions and
the city's responses, and the plan's grade scheme.

Every write is one transaction with its audit entries and returns an `Applied` whose undo puts
back exactly the state read inside the transaction (who entered it and when included). An undo
checks first that the record is still what this write left: if someone else changed it since,
nothing is overwritten (`Conflict`), so an undo never wipes out another user's later text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from typing import Final

from sqlalchemy import func, select

from aomori_desktop.domain.errors import InvalidInput
from aomori_desktop.domain.evaluation import (
    Course,
    MeasureEvaluation,
    PanelOpinion,
    ProjectEvaluation,
)
from aomori_desktop.domain.fiscal import fy_label
from aomori_desktop.domain.grading import GradeScheme
from aomori_desktop.domain.numbers import decimal_to_text
from aomori_desktop.domain.validation import (
    MAX_OPINION_NUMBER,
    grade_scheme_problems,
    measure_evaluation_problems,
    opinion_problems,
)
from aomori_desktop.services.changes import Applied, Changes
from aomori_desktop.services.errors import NotFound, ValidationError
from aomori_desktop.services.evaluation_io import (
    measure_codes,
    measure_evaluation_row,
    measure_evaluation_value,
    opinion_row,
    opinion_value,
    scheme_of,
    set_scheme_rows,
)
from aomori_desktop.services.transaction import (
    UNSET,
    PlanAccess,
    Transaction,
    Unset,
    changed_meanwhile,
)
from aomori_desktop.store.models import (
    KpiRow,
    MeasureEvaluationRow,
    MeasureRow,
    PanelOpinionRow,
    PillarRow,
    ProjectEvaluationRow,
)

__all__ = ["MeasureEvaluationEdit", "OpinionEdit", "PlanEvaluation", "scheme_text"]

_MEASURE_FIELDS: Final = (
    "override",
    "override_scheme",
    "override_reason",
    "achievements",
    "issues",
    "next_steps",
    "course",
)


@dataclass(frozen=True, slots=True)
class MeasureEvaluationEdit:
    """A change to a measure's evaluation; fields left UNSET stay as they are.

    `override` is a grade symbol of the plan's current scheme, or None to go back to the
    proposed grade (which also clears the reason).
    """

    override: str | Unset | None = UNSET
    override_reason: str | Unset = UNSET
    achievements: str | Unset = UNSET
    issues: str | Unset = UNSET
    next_steps: str | Unset = UNSET
    course: Course | Unset | None = UNSET


@dataclass(frozen=True, slots=True)
class OpinionEdit:
    """A change to a panel opinion; fields left UNSET stay as they are. `measure` None attaches
    the opinion to the whole plan."""

    opinion: str | Unset = UNSET
    response: str | Unset = UNSET
    measure: str | Unset | None = UNSET
    fiscal_year: int | Unset = UNSET


def scheme_text(scheme: GradeScheme) -> str:
    """How a scheme is written in the audit log: 'A・B・C・D（4段階）: 100 / 1 / 0.5'."""
    return f"{scheme.name}: " + " / ".join(decimal_to_text(v) for v in scheme.thresholds)


def _content(e: MeasureEvaluation | None) -> MeasureEvaluation | None:
    """What the user wrote, without who and when (an empty record counts as none)."""
    if e is None or e.empty:
        return None
    return replace(e, entered_by="", entered_at=None)


class PlanEvaluation:
    """The evaluation records of one plan (see the module doc)."""

    def __init__(self, access: PlanAccess) -> None:
        self._access = access

    # ------------------------------------------------------------ measures

    def set_measure_evaluation(
        self, measure: str, fiscal_year: int, edit: MeasureEvaluationEdit
    ) -> Applied[None]:
        where = f"共創施策 {measure} {fy_label(fiscal_year)}の施策評価"
        with self._access.transaction() as tx:
            measure_row = tx.measure(measure)
            tx.check_period(where, fiscal_year)
            scheme = scheme_of(tx.plan())
            row = self._measure_row(tx, measure_row.id, fiscal_year)
            old = measure_evaluation_value(row, measure) if row is not None else None
            new = self._edited(old or MeasureEvaluation(measure, fiscal_year), edit, scheme, where)
            problems = measure_evaluation_problems(new, where)
            if problems:
                raise ValidationError(problems)
            if _content(new) == _content(old):
                return Applied()
            new = replace(new, entered_by=tx.user, entered_at=tx.now)
            self._write_measure(tx, measure_row.id, row, old, new)
        return self._measure_applied(measure, fiscal_year, old, new)

    def _edited(
        self,
        base: MeasureEvaluation,
        edit: MeasureEvaluationEdit,
        scheme: GradeScheme,
        where: str,
    ) -> MeasureEvaluation:
        updates: dict[str, object] = {
            f.name: getattr(edit, f.name)
            for f in fields(edit)
            if f.name != "override" and not isinstance(getattr(edit, f.name), Unset)
        }
        new = replace(base, **updates)  # type: ignore[arg-type]
        if isinstance(edit.override, Unset):
            return new
        if edit.override is None:
            reason = "" if isinstance(edit.override_reason, Unset) else edit.override_reason
            return replace(new, override=None, override_scheme="", override_reason=reason)
        try:
            grade = scheme.grade_of(edit.override)
        except InvalidInput as exc:
            raise ValidationError([f"{where}: {exc.message}"]) from exc
        if not grade.graded:
            raise ValidationError([f"{where}: 評価不能には変更できません。"])
        return replace(new, override=grade.symbol, override_scheme=scheme.key.value)

    def _measure_applied(
        self,
        measure: str,
        fiscal_year: int,
        before: MeasureEvaluation | None,
        after: MeasureEvaluation | None,
    ) -> Applied[None]:
        def undo() -> Applied[None]:
            return self._put_measure(measure, fiscal_year, before, expected=after)

        return Applied(Changes(evaluations=frozenset({measure})), undo)

    def _put_measure(
        self,
        measure: str,
        fiscal_year: int,
        state: MeasureEvaluation | None,
        *,
        expected: MeasureEvaluation | None,
    ) -> Applied[None]:
        """Write back an exact state (undo/redo), if the record is still `expected`."""
        with self._access.transaction() as tx:
            measure_row = tx.measure(measure)
            row = self._measure_row(tx, measure_row.id, fiscal_year)
            current = measure_evaluation_value(row, measure) if row is not None else None
            if _content(current) != _content(expected):
                raise changed_meanwhile(
                    [f"共創施策 {measure} {fy_label(fiscal_year)}の施策評価"], "操作"
                )
            self._write_measure(tx, measure_row.id, row, current, state)
        return self._measure_applied(measure, fiscal_year, current, state)

    @staticmethod
    def _measure_row(
        tx: Transaction, measure_id: int, fiscal_year: int
    ) -> MeasureEvaluationRow | None:
        return tx.s.scalar(
            select(MeasureEvaluationRow).where(
                MeasureEvaluationRow.measure_id == measure_id,
                MeasureEvaluationRow.fiscal_year == fiscal_year,
            )
        )

    @staticmethod
    def _write_measure(
        tx: Transaction,
        measure_id: int,
        row: MeasureEvaluationRow | None,
        old: MeasureEvaluation | None,
        new: MeasureEvaluation | None,
    ) -> None:
        some = new or old
        assert some is not None
        key = f"{some.measure}/{some.fiscal_year}"
        blank = MeasureEvaluation(some.measure, some.fiscal_year)
        for name in _MEASURE_FIELDS:
            before = getattr(old or blank, name)
            after = getattr(new or blank, name)
            if before != after:
                tx.audit("measure_evaluation", key, name, before or None, after or None)
        if row is not None:
            tx.s.delete(row)
            tx.s.flush()
        if new is not None and not new.empty:
            tx.s.add(measure_evaluation_row(new, measure_id))

    # ------------------------------------------------------------ projects

    def set_project_course(
        self, project: str, fiscal_year: int, course: Course | None
    ) -> Applied[None]:
        """The direction chosen for a project for a year (None clears it)."""
        with self._access.transaction() as tx:
            project_row = tx.project(project)
            tx.check_period(f"共創プロジェクト {project}", fiscal_year)
            row = self._project_row(tx, project_row.id, fiscal_year)
            old = self._project_value(row, project)
            new = ProjectEvaluation(project, fiscal_year, course, tx.user, tx.now)
            if (old.course if old else None) == course:
                return Applied()
            self._write_project(tx, project_row.id, row, old, new if course else None)
        return self._project_applied(project, fiscal_year, old, new if course else None)

    def _project_applied(
        self,
        project: str,
        fiscal_year: int,
        before: ProjectEvaluation | None,
        after: ProjectEvaluation | None,
    ) -> Applied[None]:
        def undo() -> Applied[None]:
            with self._access.transaction() as tx:
                project_row = tx.project(project)
                row = self._project_row(tx, project_row.id, fiscal_year)
                current = self._project_value(row, project)
                if (current.course if current else None) != (after.course if after else None):
                    raise changed_meanwhile(
                        [f"共創プロジェクト {project} {fy_label(fiscal_year)}の方向性"], "操作"
                    )
                self._write_project(tx, project_row.id, row, current, before)
            return self._project_applied(project, fiscal_year, current, before)

        return Applied(Changes(projects=frozenset({project})), undo)

    @staticmethod
    def _project_row(
        tx: Transaction, project_id: int, fiscal_year: int
    ) -> ProjectEvaluationRow | None:
        return tx.s.scalar(
            select(ProjectEvaluationRow).where(
                ProjectEvaluationRow.project_id == project_id,
                ProjectEvaluationRow.fiscal_year == fiscal_year,
            )
        )

    @staticmethod
    def _project_value(row: ProjectEvaluationRow | None, project: str) -> ProjectEvaluation | None:
        if row is None or row.course is None:
            return None
        return ProjectEvaluation(
            project, row.fiscal_year, Course(row.course), row.entered_by, row.entered_at
        )

    @staticmethod
    def _write_project(
        tx: Transaction,
        project_id: int,
        row: ProjectEvaluationRow | None,
        old: ProjectEvaluation | None,
        new: ProjectEvaluation | None,
    ) -> None:
        some = new or old
        assert some is not None
        tx.audit(
            "project_evaluation",
            f"{some.project}/{some.fiscal_year}",
            "course",
            old.course if old else None,
            new.course if new else None,
        )
        if row is not None:
            tx.s.delete(row)
            tx.s.flush()
        if new is not None and new.course is not None:
            tx.s.add(
                ProjectEvaluationRow(
                    project_id=project_id,
                    fiscal_year=new.fiscal_year,
                    course=new.course.value,
                    entered_by=new.entered_by,
                    entered_at=new.entered_at,
                )
            )

    # ------------------------------------------------------------ panel opinions

    def add_opinion(
        self, fiscal_year: int, measure: str | None, opinion: str, response: str = ""
    ) -> Applied[int]:
        """A new opinion of the panel (with the city's response, if already written); its
        number is the next free one in the plan."""
        with self._access.transaction() as tx:
            number = (
                tx.s.scalar(
                    select(func.max(PanelOpinionRow.number)).where(
                        PanelOpinionRow.plan_id == tx.plan_id
                    )
                )
                or 0
            ) + 1
            if number > MAX_OPINION_NUMBER:
                raise ValidationError(["有識者会議の意見の数が上限に達しています。"])
            new = PanelOpinion(number, fiscal_year, measure, opinion, response, tx.user, tx.now)
            self._check_opinion(tx, new)
            self._write_opinion(tx, None, None, new)
        return self._opinion_applied(number, None, new, number)

    def update_opinion(self, number: int, edit: OpinionEdit) -> Applied[None]:
        with self._access.transaction() as tx:
            row, old = self._opinion(tx, number)
            updates = {
                f.name: getattr(edit, f.name)
                for f in fields(edit)
                if not isinstance(getattr(edit, f.name), Unset)
            }
            new = replace(old, **updates)
            if replace(new, entered_by="", entered_at=None) == replace(
                old, entered_by="", entered_at=None
            ):
                return Applied()
            new = replace(new, entered_by=tx.user, entered_at=tx.now)
            self._check_opinion(tx, new)
            self._write_opinion(tx, row, old, new)
        return self._opinion_applied(number, old, new)

    def remove_opinion(self, number: int) -> Applied[None]:
        with self._access.transaction() as tx:
            row, old = self._opinion(tx, number)
            self._write_opinion(tx, row, old, None)
        return self._opinion_applied(number, old, None)

    def _opinion_applied[T](
        self,
        number: int,
        before: PanelOpinion | None,
        after: PanelOpinion | None,
        value: T | None = None,
    ) -> Applied[T]:
        touched = {o.measure or "plan" for o in (before, after) if o is not None}

        def undo() -> Applied[T]:
            with self._access.transaction() as tx:
                row = self._opinion_row(tx, number)
                current = opinion_value(row, measure_codes(tx.s, tx.plan_id)) if row else None
                if current != after:
                    raise changed_meanwhile([f"有識者会議の意見 {number}"], "操作")
                self._write_opinion(tx, row, current, before)
            return self._opinion_applied(number, current, before, value)

        return Applied(Changes(evaluations=frozenset(touched)), undo, value)

    @staticmethod
    def _opinion_row(tx: Transaction, number: int) -> PanelOpinionRow | None:
        return tx.s.scalar(
            select(PanelOpinionRow).where(
                PanelOpinionRow.plan_id == tx.plan_id, PanelOpinionRow.number == number
            )
        )

    def _opinion(self, tx: Transaction, number: int) -> tuple[PanelOpinionRow, PanelOpinion]:
        row = self._opinion_row(tx, number)
        if row is None:
            raise NotFound(f"有識者会議の意見 {number} が見つかりません。")
        return row, opinion_value(row, measure_codes(tx.s, tx.plan_id))

    @staticmethod
    def _check_opinion(tx: Transaction, opinion: PanelOpinion) -> None:
        where = f"有識者会議の意見 {opinion.number}"
        if opinion.measure is not None:
            tx.measure(opinion.measure)  # NotFound with a sentence
        tx.check_period(where, opinion.fiscal_year)
        problems = opinion_problems(opinion, where)
        if problems:
            raise ValidationError(problems)

    @staticmethod
    def _write_opinion(
        tx: Transaction,
        row: PanelOpinionRow | None,
        old: PanelOpinion | None,
        new: PanelOpinion | None,
    ) -> None:
        some = new or old
        assert some is not None
        key = str(some.number)
        action = "create" if old is None else "delete" if new is None else "update"
        for name in ("fiscal_year", "measure", "opinion", "response"):
            before = getattr(old, name) if old else None
            after = getattr(new, name) if new else None
            if before != after:
                shown_before = (
                    "計画全体" if name == "measure" and old and before is None else before
                )
                shown_after = "計画全体" if name == "measure" and new and after is None else after
                tx.audit("panel_opinion", key, name, shown_before, shown_after, action=action)
        if row is not None:
            tx.s.delete(row)
            tx.s.flush()
        if new is not None:
            measure_id = tx.measure(new.measure).id if new.measure is not None else None
            tx.s.add(opinion_row(new, tx.plan_id, measure_id))

    # ------------------------------------------------------------ the grade scheme

    def set_grade_scheme(self, scheme: GradeScheme) -> Applied[None]:
        """Make `scheme` the plan's grade rule: every KPI and measure is graded by it from now
        on (grades are computed, so nothing else is rewritten). Audited; undo goes back."""
        problems = grade_scheme_problems(scheme, "評価基準")
        if problems:
            raise ValidationError(problems)
        return self._put_scheme(scheme, expected=None)

    def _put_scheme(self, scheme: GradeScheme, *, expected: GradeScheme | None) -> Applied[None]:
        with self._access.transaction() as tx:
            plan = tx.plan()
            old = scheme_of(plan)
            if expected is not None and scheme_text(old) != scheme_text(expected):
                raise changed_meanwhile(["計画の評価基準"], "操作")
            if scheme_text(old) == scheme_text(scheme):
                return Applied()
            set_scheme_rows(plan, scheme)
            tx.audit("plan", "plan", "grade_scheme", scheme_text(old), scheme_text(scheme))
            kpis = frozenset(tx.s.scalars(select(KpiRow.code).where(KpiRow.plan_id == tx.plan_id)))
            measures = frozenset(
                f"{p}-{m}"
                for p, m in tx.s.execute(
                    select(PillarRow.number, MeasureRow.number)
                    .join(PillarRow)
                    .where(PillarRow.plan_id == tx.plan_id)
                )
            )
        changes = Changes(kpis=kpis, evaluations=measures | {"plan"}, grades_only=True)
        back: Callable[[], Applied[None]] = lambda: self._put_scheme(old, expected=scheme)  # noqa: E731
        return Applied(changes, back)
