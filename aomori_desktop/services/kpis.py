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
from aomori_desktop.services.changes import Changes
from aomori_desktop.services.errors import Conflict, ValidationError
from aomori_desktop.services.ordering import insert_at, moved, next_code, reposition
from aomori_desktop.services.snapshot_io import kpi_row_from_value
from aomori_desktop.services.transaction import PlanAccess
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

    def add_kpi(self, draft: KpiDraft) -> tuple[str, Changes]:
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
            problems = kpi_field_problems(candidate)
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
        return code, Changes(kpis=frozenset({code}), structure=True)

    def remove_kpi(self, kpi: str) -> Changes:
        with self._access.transaction() as tx:
            row = tx.kpi(kpi)
            tx.audit("kpi", kpi, "name", row.name, None, action="delete")
            tx.s.delete(row)
        return Changes(kpis=frozenset({kpi}), structure=True)

    def restore_kpi(self, kpi: Kpi, position: int) -> Changes:
        """Put back a removed KPI exactly as it was read, at index `position` (0 = first)
        of the plan's KPI order."""
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
        return Changes(kpis=frozenset({kpi.id}), structure=True)

    def set_kpi_measures(self, kpi: str, measures: Sequence[str]) -> Changes:
        """The measures a KPI serves, in order (a KPI may serve two measures)."""
        if not measures:
            raise ValidationError([f"KPI {kpi}: 共創施策を1つ以上指定してください。"])
        if len(set(measures)) != len(measures):
            raise ValidationError([f"KPI {kpi}: 同じ共創施策が二重に指定されています。"])
        with self._access.transaction() as tx:
            row = tx.kpi(kpi)
            rows = [tx.measure(m) for m in measures]
            old = ",".join(link.measure.code for link in row.measure_links)
            if old == ",".join(measures):
                return Changes()
            row.measure_links.clear()
            tx.s.flush()
            row.measure_links.extend(
                KpiMeasureRow(measure=m, position=i) for i, m in enumerate(rows)
            )
            tx.audit("kpi", kpi, "measures", old, ",".join(measures))
        return Changes(kpis=frozenset({kpi}), structure=True)

    def move_kpi(self, kpi: str, delta: int) -> Changes:
        """Move a KPI `delta` places in the plan's KPI order (its code stays)."""
        with self._access.transaction() as tx:
            plan = tx.plan()
            row = tx.kpi(kpi)
            if delta == 0:
                return Changes()
            siblings = sorted(plan.kpis, key=lambda k: (k.position, k.id))
            index = siblings.index(row)
            reposition(moved(siblings, index, delta, f"KPI {kpi}"))
            tx.audit("kpi", kpi, "order", index + 1, index + delta + 1, action="move")
        return Changes(structure=True)
