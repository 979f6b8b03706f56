"""Projects as listed under measures: adding a project (with its home placement), re-listing
it (再掲) under another measure, removing and restoring either, and moving a placement.

A project has one home placement and any number of re-listings; the home goes only with the
project. A removal is undone by putting back what was read before it, under the same codes.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aomori_desktop.domain.plan import Placement, Project
from aomori_desktop.domain.validation import (
    MAX_NUMBER,
    PROJECT_TEXT,
    code_number,
    period_problems,
    project_problems,
    text_problems,
)
from aomori_desktop.services.changes import Applied, Changes
from aomori_desktop.services.errors import Conflict, ValidationError
from aomori_desktop.services.kept_rows import NOTHING_KEPT, KeptRows, keep_project_rows, put_back
from aomori_desktop.services.ordering import insert_at, moved, next_code, next_number, renumber
from aomori_desktop.services.snapshot_io import (
    placements_of,
    project_from_row,
    project_row_from_value,
)
from aomori_desktop.services.transaction import PlanAccess, changed_meanwhile, find_measure
from aomori_desktop.store.models import MeasureRow, PlacementRow, ProjectRow

__all__ = ["ProjectPlacements"]


class ProjectPlacements:
    """Adds, removes, restores and moves the projects and re-listings of one plan."""

    def __init__(self, access: PlanAccess) -> None:
        self._access = access

    def add_project(self, measure: str, title: str, description: str = "") -> Applied[str]:
        """A new project with its home placement under `measure`; `value` is its code (PJ27).
        Undo removes it (the redo restores it exactly)."""
        title, description = title.strip(), description.strip()
        if not title:
            raise ValidationError(["共創プロジェクト: 名称を入力してください。"])
        # the same rules as `restore_project`: a project that could be added can be restored
        problems = text_problems(
            "共創プロジェクト", PROJECT_TEXT, {"title": title, "description": description}
        )
        if problems:
            raise ValidationError(problems)
        with self._access.transaction() as tx:
            measure_row = tx.measure(measure)
            codes = list(
                tx.s.scalars(select(ProjectRow.code).where(ProjectRow.plan_id == tx.plan_id))
            )
            code = next_code("PJ", codes)
            position = (
                tx.s.scalar(
                    select(func.max(ProjectRow.position)).where(ProjectRow.plan_id == tx.plan_id)
                )
                or 0
            ) + 1
            project = ProjectRow(
                plan_id=tx.plan_id,
                code=code,
                title=title,
                description=description,
                responsible_section="",
                position=position,
            )
            tx.s.add(project)
            number = next_number(measure_row.placements, f"共創施策 {measure} の共創プロジェクト")
            measure_row.placements.append(
                PlacementRow(number=number, project=project, relisting=False)
            )
            tx.audit("project", code, "title", None, title, action="create")
            tx.audit("placement", f"{measure}-{number}", "project", None, code, action="create")
        return Applied(_project_changes(code), lambda: self.remove_project(code), code)

    def remove_project(self, project: str) -> Applied[str]:
        """Remove a project with its placements (re-listings too), partners, years and chosen
        directions. The undo restores it from what was read here, before the removal."""
        with self._access.transaction() as tx:
            plan = tx.plan()
            row = tx.project(project)
            kept, listed = project_from_row(row), placements_of(row)
            position = sorted(plan.projects, key=lambda p: (p.position, p.id)).index(row)
            directions = keep_project_rows(tx, row)
            tx.audit("project", project, "title", row.title, None, action="delete")
            tx.s.delete(row)
        return Applied(
            _project_changes(project),
            lambda: self.restore_project(kept, listed, position, directions),
            project,
        )

    def restore_project(
        self,
        project: Project,
        placements: Sequence[Placement],
        position: int,
        kept: KeptRows = NOTHING_KEPT,
    ) -> Applied[str]:
        """Put back a removed project with its partners, yearly records and placements (the
        same numbers under the same measures), at index `position` of the plan's projects.
        The undo removes it again."""
        where = f"共創プロジェクト {project.id}"
        with self._access.transaction() as tx:
            plan = tx.plan()
            if any(p.code == project.id for p in plan.projects):
                raise Conflict(f"{where} は既にあるため、復元できません。")
            # the rules of `add_project`/`update_project` and of an import
            problems = project_problems(project, where)
            if sum(not p.relisting for p in placements) != 1:
                problems.append(f"{where}: 本来の掲載先（再掲でない掲載）が1つ必要です。")
            measures = [p.code.rpartition("-")[0] for p in placements]
            if len(set(measures)) != len(measures):
                problems.append(f"{where}: 同じ共創施策への掲載が重複しています。")
            problems.extend(
                f"{where}: 掲載 {p.code} は別の共創プロジェクト {p.project} のものです。"
                for p in placements
                if p.project != project.id
            )
            problems.extend(
                period_problems(where, (y.fiscal_year for y in project.years), tx.period())
            )
            if problems:
                raise ValidationError(problems)
            targets = [_free_placement(tx.s, tx.plan_id, p) for p in placements]
            row = project_row_from_value(project, position=0)
            row.plan_id = plan.id
            insert_at(sorted(plan.projects, key=lambda p: (p.position, p.id)), row, position)
            tx.s.add(row)
            tx.audit("project", project.id, "title", None, project.title, action="restore")
            for placement, (measure_row, number) in zip(placements, targets, strict=True):
                measure_row.placements.append(
                    PlacementRow(number=number, project=row, relisting=placement.relisting)
                )
                tx.audit("placement", placement.code, "project", None, project.id, action="restore")
            put_back(tx, kept, project=row)
        return Applied(
            _project_changes(project.id), lambda: self.remove_project(project.id), project.id
        )

    def add_relisting(self, project: str, measure: str) -> Applied[str]:
        """List an existing project again (再掲) under another measure; `value` is the new
        placement's code (P-M-N). Undo removes the re-listing."""
        with self._access.transaction() as tx:
            project_row = tx.project(project)
            measure_row = tx.measure(measure)
            if any(p.project_id == project_row.id for p in measure_row.placements):
                raise Conflict(
                    f"共創プロジェクト {project} は既に共創施策 {measure} に掲載されています。"
                )
            number = next_number(measure_row.placements, f"共創施策 {measure} の共創プロジェクト")
            measure_row.placements.append(
                PlacementRow(number=number, project=project_row, relisting=True)
            )
            code = f"{measure}-{number}"
            tx.audit("placement", code, "project", None, project, action="create")
        return Applied(_project_changes(project), lambda: self.remove_placement(code), code)

    def remove_placement(self, placement: str) -> Applied[str]:
        """Remove a re-listing. A home placement goes only with its project (`remove_project`).
        The undo puts the re-listing back under the same number."""
        with self._access.transaction() as tx:
            _measure_row, row = tx.placement(placement)
            if not row.relisting:
                raise Conflict(
                    f"{placement} は共創プロジェクト {row.project.code} の本来の掲載先です。"
                    "プロジェクトごと削除するか、先に再掲を削除してください。"
                )
            tx.audit("placement", placement, "project", row.project.code, None, action="delete")
            code = row.project.code
            tx.s.delete(row)
        kept = Placement(placement, code, relisting=True)
        return Applied(_project_changes(code), lambda: self.restore_placement(kept), placement)

    def restore_placement(self, placement: Placement) -> Applied[str]:
        """Put back a removed re-listing (再掲) under the same number. The undo removes it."""
        if not placement.relisting:
            raise Conflict(
                f"掲載 {placement.code} は再掲ではありません。本来の掲載先は共創プロジェクトごと復元されます。"
            )
        with self._access.transaction() as tx:
            project_row = tx.project(placement.project)
            measure_row, number = _free_placement(tx.s, tx.plan_id, placement)
            if any(p.project_id == project_row.id for p in measure_row.placements):
                raise Conflict(
                    f"共創プロジェクト {placement.project} は既に共創施策 {measure_row.code} に掲載されています。"
                )
            measure_row.placements.append(
                PlacementRow(number=number, project=project_row, relisting=True)
            )
            tx.audit(
                "placement", placement.code, "project", None, placement.project, action="restore"
            )
        return Applied(
            _project_changes(placement.project),
            lambda: self.remove_placement(placement.code),
            placement.code,
        )

    def move_placement(self, placement: str, delta: int) -> Applied[str]:
        """Move a placement (a project listed under a measure, 再掲 or not) `delta` places
        within its measure; `value` is its new code (P-M-N). The undo moves it back, if the
        same project still stands at the new code."""
        return self._move(placement, delta, holding=None)

    def _move(self, placement: str, delta: int, *, holding: str | None) -> Applied[str]:
        measure = placement.rpartition("-")[0]
        with self._access.transaction() as tx:
            measure_row, row = tx.placement(placement)
            project = row.project.code
            if holding is not None and project != holding:
                raise changed_meanwhile(
                    [f"掲載 {placement} の共創プロジェクト（現在: {project}）"], "操作"
                )
            if delta == 0:
                return Applied(value=placement)
            siblings = sorted(measure_row.placements, key=lambda p: p.number)
            order = moved(siblings, siblings.index(row), delta, f"掲載 {placement}")
            projects: set[str] = set()
            for p, old, new in sorted(renumber(tx.s, order), key=lambda m: m[0] is not row):
                assert isinstance(p, PlacementRow)
                projects.add(p.project.code)
                tx.audit(
                    "placement",
                    f"{measure}-{old}",
                    "number",
                    f"{measure}-{old}",
                    f"{measure}-{new}",
                    action="move",
                )
            code = f"{measure}-{row.number}"
        return Applied(
            Changes(projects=frozenset(projects), structure=True),
            lambda: self._move(code, -delta, holding=project),
            code,
        )


def _project_changes(project: str) -> Changes:
    return Changes(projects=frozenset({project}), structure=True)


def _free_placement(s: Session, plan_id: int, placement: Placement) -> tuple[MeasureRow, int]:
    """The measure of a placement code, checking that its number is free there."""
    measure, _, number_text = placement.code.rpartition("-")
    number = code_number(number_text)
    if number is None:
        raise ValidationError(
            [
                f"掲載 {placement.code}: コードは「1-2-3」の形にしてください（番号は1〜{MAX_NUMBER}）。"
            ]
        )
    row = find_measure(s, plan_id, measure)
    if any(p.number == number for p in row.placements):
        raise Conflict(f"掲載 {placement.code} は既に使われているため、復元できません。")
    return row, number
