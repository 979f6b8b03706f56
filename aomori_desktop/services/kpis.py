"""KPIs as items of the plan: adding, removing and restoring one, the measures it serves,
and its place in the plan's KPI order.

A removal is undone by putting back exactly what was read before it (the same code, values,
yearly records, revisions and links), not by creating something new: the audit trail of the
code continues, and an export after remove + restore equals one before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from aomori_desktop.domain.plan import Direction, Kpi
from aomori_desktop.domain.validation import (
    kpi_field_problems,
    kpi_record_problems,
    period_problems,
)
from aomori_desktop.services.changes import Applied, Changes
from aomori_desktop.services.errors import Conflict, ValidationError
from aomori_desktop.services.ordering import insert_at, moved, next_code, reposition
from aomori_desktop.services.snapshot_io import kpi_from_row, kpi_row_from_value
from aomori_desktop.services.transaction import PlanAccess, Transaction, changed_meanwhile
from aomori_desktop.store.models import KpiMeasureRow, KpiRow

__all__ = ["KpiDraft", "KpiLifecycle"]


@dataclass(frozen=True, slots=True)
class KpiDraft:
    """A new KPI as the user fills it in (its code is given by `add_kpi`)."""

    name: str
    unit: str
    baseline: Decimal
    baseline_fiscal_year: int
    target: Decimal
    target_fiscal_year: int
    direction: Direction
    measures: tuple[str, ...]
    cumulative: bool = False
    data_source: str = ""
    responsible_section: str = ""
    definition: str = ""


class KpiLifecycle:
    """Adds, removes, restores, links and orders one plan's KPIs."""

    def __init__(self, access: PlanAccess) -> None:
        self._access = access

    def add_kpi(self, draft: KpiDraft) -> Applied[str]:
        """A new KPI under the draft's measures; `value` is its code (K17). Undo removes it
        (and the redo restores it exactly, with whatever was entered meanwhile)."""
        with self._access.transaction() as tx:
            plan = tx.plan()
            codes = list(tx.s.scalars(select(KpiRow.code).where(KpiRow.plan_id == tx.plan_id)))
            code = next_code("K", codes)
            candidate = Kpi(
                id=code,
                name=draft.name.strip(),
                unit=draft.unit.strip(),
                baseline=draft.baseline,
                baseline_fiscal_year=draft.baseline_fiscal_year,
                baseline_fiscal_year_confirmed=True,  # typed by a user, not 要確認
                target=draft.target,
                target_fiscal_year=draft.target_fiscal_year,
                direction=draft.direction,
                cumulative=draft.cumulative,
                measures=draft.measures,
                data_source=draft.data_source.strip(),
                responsible_section=draft.responsible_section.strip(),
                definition=draft.definition.strip(),
            )
            # the same rules as `restore_kpi`: a KPI that could be added can be restored
            problems = kpi_field_problems(candidate, period=tx.period())
            if not draft.measures:
                problems.append(f"KPI {code}: 共創施策を1つ以上指定してください。")
            if problems:
                raise ValidationError(problems)
            measures = [tx.measure(m) for m in draft.measures]
            position = (
                tx.s.scalar(select(func.max(KpiRow.position)).where(KpiRow.plan_id == tx.plan_id))
                or 0
            ) + 1
            row = kpi_row_from_value(candidate, measures, position)
            row.plan_id = plan.id
            tx.s.add(row)
            tx.audit("kpi", code, "name", None, candidate.name, action="create")
            tx.audit("kpi", code, "measures", None, ",".join(draft.measures), action="create")
        return Applied(_kpi_changes(code), lambda: self.remove_kpi(code), code)

    def remove_kpi(self, kpi: str) -> Applied[str]:
        """Remove a KPI with its yearly records, target revisions and links (its audit
        entries stay). The undo restores it from what was read here, before the removal."""
        with self._access.transaction() as tx:
            row = tx.kpi(kpi)
            kept = kpi_from_row(row)
            position = _index_in_order(tx, row)
            tx.audit("kpi", kpi, "name", row.name, None, action="delete")
            tx.s.delete(row)
        return Applied(_kpi_changes(kpi), lambda: self.restore_kpi(kept, position), kpi)

    def restore_kpi(self, kpi: Kpi, position: int) -> Applied[str]:
        """Put back a removed KPI exactly as it was read, at index `position` (0 = first)
        of the plan's KPI order. The undo removes it again."""
        where = f"KPI {kpi.id}"
        with self._access.transaction() as tx:
            plan = tx.plan()
            if any(k.code == kpi.id for k in plan.kpis):
                raise Conflict(f"{where} は既にあるため、復元できません。")
            # the rules of `add_kpi` and of an import, so what those let in comes back
            problems = kpi_field_problems(kpi)
            problems.extend(kpi_record_problems(kpi))
            if not kpi.measures:
                problems.append(f"{where}: 共創施策を1つ以上指定してください。")
            problems.extend(period_problems(where, (y.fiscal_year for y in kpi.years), tx.period()))
            if problems:
                raise ValidationError(problems)
            measures = [tx.measure(m) for m in kpi.measures]
            row = kpi_row_from_value(kpi, measures, position=0)
            row.plan_id = plan.id
            insert_at(sorted(plan.kpis, key=lambda k: (k.position, k.id)), row, position)
            tx.s.add(row)
            tx.audit("kpi", kpi.id, "name", None, kpi.name, action="restore")
            tx.audit("kpi", kpi.id, "measures", None, ",".join(kpi.measures), action="restore")
        return Applied(_kpi_changes(kpi.id), lambda: self.remove_kpi(kpi.id), kpi.id)

    def set_kpi_measures(
        self, kpi: str, measures: Sequence[str], *, expected: Sequence[str] | None = None
    ) -> Applied[None]:
        """The measures a KPI serves, in order (a KPI may serve two measures). With
        `expected`, nothing changes if the KPI no longer serves exactly those."""
        if not measures:
            raise ValidationError([f"KPI {kpi}: 共創施策を1つ以上指定してください。"])
        if len(set(measures)) != len(measures):
            raise ValidationError([f"KPI {kpi}: 同じ共創施策が二重に指定されています。"])
        with self._access.transaction() as tx:
            row = tx.kpi(kpi)
            rows = [tx.measure(m) for m in measures]
            old = [link.measure.code for link in row.measure_links]
            if expected is not None and old != list(expected):
                raise changed_meanwhile([f"KPI {kpi}の共創施策（現在: {'、'.join(old)}）"])
            if old == list(measures):
                return Applied()
            row.measure_links.clear()
            tx.s.flush()
            row.measure_links.extend(
                KpiMeasureRow(measure=m, position=i) for i, m in enumerate(rows)
            )
            tx.audit("kpi", kpi, "measures", ",".join(old), ",".join(measures))
        done = list(measures)
        return Applied(_kpi_changes(kpi), lambda: self.set_kpi_measures(kpi, old, expected=done))

    def move_kpi(self, kpi: str, delta: int) -> Applied[None]:
        """Move a KPI `delta` places in the plan's KPI order (its code stays). The undo
        moves it back, if it still stands where this move put it."""
        return self._move(kpi, delta, at=None)

    def _move(self, kpi: str, delta: int, *, at: int | None) -> Applied[None]:
        with self._access.transaction() as tx:
            plan = tx.plan()
            row = tx.kpi(kpi)
            if delta == 0:
                return Applied()
            siblings = sorted(plan.kpis, key=lambda k: (k.position, k.id))
            index = siblings.index(row)
            if at is not None and index != at:
                raise changed_meanwhile([f"KPI {kpi}の並び順（現在: {index + 1}番目）"], "操作")
            reposition(moved(siblings, index, delta, f"KPI {kpi}"))
            tx.audit("kpi", kpi, "order", index + 1, index + delta + 1, action="move")
        return Applied(Changes(structure=True), lambda: self._move(kpi, -delta, at=index + delta))


def _index_in_order(tx: Transaction, row: KpiRow) -> int:
    """The KPI's index in the plan's KPI order (by position, then id), counted in SQL: a plan
    may hold thousands of KPIs."""
    before = (KpiRow.position < row.position) | (
        (KpiRow.position == row.position) & (KpiRow.id < row.id)
    )
    query = select(func.count()).select_from(KpiRow).where(KpiRow.plan_id == tx.plan_id, before)
    return tx.s.scalar(query) or 0


def _kpi_changes(kpi: str) -> Changes:
    return Changes(kpis=frozenset({kpi}), structure=True)
