"""What goes with a removed measure or project and must come back with its undo.

The database removes a measure's 施策評価 and the panel opinions on it, and a project's chosen
directions, with the row they belong to (ON DELETE CASCADE). The removal reads them first, as
plain column values, and the restore writes them back under the restored row: an undone
removal gives back everything the user had written, not just the name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, inspect, select

from aomori_desktop.services.transaction import Transaction
from aomori_desktop.store.models import (
    MeasureEvaluationRow,
    MeasureRow,
    PanelOpinionRow,
    ProjectEvaluationRow,
    ProjectRow,
)

__all__ = ["NOTHING_KEPT", "KeptRows", "keep_measure_rows", "keep_project_rows", "put_back"]

Values = tuple[tuple[str, Any], ...]


@dataclass(frozen=True, slots=True)
class KeptRows:
    """Rows read before a removal, as (column, value) pairs without their ids and owner."""

    measure_evaluations: tuple[Values, ...] = ()
    opinions: tuple[Values, ...] = ()
    project_evaluations: tuple[Values, ...] = ()


NOTHING_KEPT = KeptRows()


def _values(row: object, *skip: str) -> Values:
    mapper = inspect(type(row))
    return tuple(
        (attr.key, getattr(row, attr.key))
        for attr in mapper.column_attrs
        if attr.key not in ("id", *skip)
    )


def keep_measure_rows(tx: Transaction, measure: MeasureRow) -> KeptRows:
    evaluations = tx.s.scalars(
        select(MeasureEvaluationRow)
        .where(MeasureEvaluationRow.measure_id == measure.id)
        .order_by(MeasureEvaluationRow.fiscal_year)
    )
    opinions = tx.s.scalars(
        select(PanelOpinionRow)
        .where(PanelOpinionRow.measure_id == measure.id)
        .order_by(PanelOpinionRow.number)
    )
    return KeptRows(
        measure_evaluations=tuple(_values(r, "measure_id") for r in evaluations),
        opinions=tuple(_values(r, "measure_id", "plan_id") for r in opinions),
    )


def keep_project_rows(tx: Transaction, project: ProjectRow) -> KeptRows:
    evaluations = tx.s.scalars(
        select(ProjectEvaluationRow)
        .where(ProjectEvaluationRow.project_id == project.id)
        .order_by(ProjectEvaluationRow.fiscal_year)
    )
    return KeptRows(project_evaluations=tuple(_values(r, "project_id") for r in evaluations))


def put_back(
    tx: Transaction,
    kept: KeptRows,
    *,
    measure: MeasureRow | None = None,
    project: ProjectRow | None = None,
) -> None:
    """Write the kept rows again under the restored `measure` or `project` (flushed, so it
    has its id). A panel opinion keeps its number unless another opinion took it since: it
    then gets the next free one."""
    tx.s.flush()
    if measure is not None:
        for values in kept.measure_evaluations:
            tx.s.add(MeasureEvaluationRow(measure_id=measure.id, **dict(values)))
        for values in kept.opinions:
            fields = dict(values)
            taken = tx.s.scalar(
                select(func.count())
                .select_from(PanelOpinionRow)
                .where(PanelOpinionRow.plan_id == tx.plan_id)
                .where(PanelOpinionRow.number == fields["number"])
            )
            if taken:
                top = tx.s.scalar(
                    select(func.max(PanelOpinionRow.number)).where(
                        PanelOpinionRow.plan_id == tx.plan_id
                    )
                )
                fields["number"] = (top or 0) + 1
            tx.s.add(PanelOpinionRow(plan_id=tx.plan_id, measure_id=measure.id, **fields))
            tx.s.flush()
    if project is not None:
        for values in kept.project_evaluations:
            tx.s.add(ProjectEvaluationRow(project_id=project.id, **dict(values)))
    tx.s.flush()
