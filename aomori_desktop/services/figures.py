"""The figures every grade is computed from, held in memory for one open plan.

A change of fiscal year or of grade scheme grades every KPI again. What that needs does not
change with the year: each KPI's terms (baseline, target, their fiscal years, direction), the
measures it serves and all its yearly rows. `PlanFigures` reads them once (two queries) and
then builds the KPI part of an overview, or the tree's grades, for any year and scheme from
memory. It holds plain values, never ORM objects.

What is held is kept true by the `Changes` records the window broadcasts (`forget`): a KPI
named there is read again, by itself, the next time it is needed; a change of the tree's
shape, or of a KPI that is not held, reads everything again; a change that only regrades
(`Changes.grades_only`, a new grade scheme) keeps every figure. Each use also looks in the
audit log (one indexed query) for writes no record announced, and treats them the same way,
so a write that bypassed the window's broadcast is never hidden behind old figures.
Not thread-safe: one thread (the GUI's) uses one instance.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from sqlalchemy import String, bindparam, select, type_coerce
from sqlalchemy.engine import Dialect

from aomori_desktop.domain.grading import GradeScheme
from aomori_desktop.domain.plan import Direction, FigureStatus
from aomori_desktop.domain.progress import KpiTerms, YearProgress, evaluate_year
from aomori_desktop.services.changes import Changes
from aomori_desktop.services.dto import KpiSummaryRow, NodeKind, TreeKey
from aomori_desktop.services.transaction import PlanAccess
from aomori_desktop.services.watch import changes_since, last_audit_id
from aomori_desktop.store.models import KpiMeasureRow, KpiRow, KpiYearRow, MeasureRow, PillarRow
from aomori_desktop.store.types import DecimalText

__all__ = ["KpiFigures", "PlanFigures", "YearFigures", "summary_row"]

_FEW_KPIS = 500  # up to this many KPIs are read again by code; more: the whole plan


@dataclass(frozen=True, slots=True)
class YearFigures:
    """One stored yearly row of a KPI."""

    actual: Decimal | None
    interim_target: Decimal | None
    status: FigureStatus | None


_NO_YEAR = YearFigures(None, None, None)
_DECIMAL = DecimalText()
# a yearly row as stored: actual and interim target as their stored text, the status; it
# becomes a `YearFigures` when first used (most rows of a plan are never shown or graded)
_Stored = tuple[str | None, str | None, str | None]


def _decimal(text: str | None) -> Decimal | None:
    """Stored text as the column type reads it (a malformed value is `DatabaseCorrupt`); the
    type reads text the same on every back end, so no dialect is needed."""
    return _DECIMAL.process_result_value(text, cast("Dialect", None))


def _parsed(stored: _Stored) -> YearFigures:
    actual, interim, status = stored
    return YearFigures(
        _decimal(actual), _decimal(interim), FigureStatus(status) if status else None
    )


@dataclass(frozen=True, slots=True)
class KpiFigures:
    """A KPI as the grading needs it, for every fiscal year."""

    code: str
    name: str
    unit: str
    terms: KpiTerms
    measures: tuple[str, ...]  # "1-2", each measure it serves, in listing order
    # stored yearly rows by fiscal year (each read as stored, converted on first use)
    years: dict[int, YearFigures | _Stored]
    with_actual: tuple[int, ...]  # the fiscal years that have an actual value, ascending

    def year(self, fiscal_year: int) -> YearFigures:
        row = self.years.get(fiscal_year)
        if row is None:
            return _NO_YEAR
        if isinstance(row, tuple):
            row = self.years[fiscal_year] = _parsed(row)
        return row

    def latest(self, fiscal_year: int) -> tuple[int, YearFigures] | None:
        """The latest year up to `fiscal_year` that has an actual value, with its row."""
        best = None
        for fy in self.with_actual:
            if fy > fiscal_year:
                break
            best = fy
        return None if best is None else (best, self.year(best))

    def progress(self, fiscal_year: int, scheme: GradeScheme) -> YearProgress:
        row = self.year(fiscal_year)
        return evaluate_year(self.terms, fiscal_year, row.actual, row.interim_target, scheme)


def summary_row(
    figures: KpiFigures,
    measures: tuple[str, ...],
    fiscal_year: int,
    scheme: GradeScheme,
    progress: YearProgress | None = None,
) -> KpiSummaryRow:
    """The overview table's row of a KPI for one fiscal year (`measures`: those in scope);
    `progress`: its grade for that year and scheme when already computed."""
    latest = figures.latest(fiscal_year)
    return KpiSummaryRow(
        code=figures.code,
        name=figures.name,
        unit=figures.unit,
        baseline=figures.terms.baseline,
        target=figures.terms.target,
        latest_year=latest[0] if latest else None,
        latest_actual=latest[1].actual if latest else None,
        progress=progress or figures.progress(fiscal_year, scheme),
        measures=measures,
        latest_status=latest[1].status if latest else None,
    )


def in_scope(measures: tuple[str, ...], scope: TreeKey) -> tuple[str, ...]:
    """The measures ("1-2") of a KPI that lie under the plan, a pillar or a measure."""
    if scope.kind is NodeKind.PLAN:
        return measures
    if scope.kind is NodeKind.PILLAR:
        prefix = f"{scope.pillar_number}-"
        return tuple(m for m in measures if m.startswith(prefix))
    wanted = f"{scope.pillar_number}-{scope.measure_number}"
    return tuple(m for m in measures if m == wanted)


class PlanFigures:
    """Every KPI's figures of one plan, read once and refreshed for what changes name."""

    def __init__(self, access: PlanAccess) -> None:
        self._access = access
        self._kpis: dict[str, KpiFigures] | None = None  # in plan order
        self._stale: set[str] = set()
        self._seen = 0  # the newest audit id reflected in what is held
        self.reads = 0  # how many times the database was read (whole plan or some KPIs)

    # ------------------------------------------------------------ keeping it true

    def forget(self, changes: Changes | None = None) -> None:
        """Drop what `changes` names (None: everything)."""
        if changes is None or changes.structure:
            self._kpis = None
            self._stale.clear()
        elif changes.grades_only:
            # its own audit rows (the scheme) must not read as a change of every figure
            if self._kpis is not None:
                self._seen = last_audit_id(self._access)
        else:
            self._stale |= changes.kpis

    def _catch_up(self) -> None:
        """Writes not announced to `forget` (any write is audited): what they name is read
        again, so the figures never stay behind what is stored."""
        found, self._seen = changes_since(self._access, self._seen)
        if found is not None:
            self.forget(found.changes)

    # ------------------------------------------------------------ reading

    def kpis(self) -> Iterator[KpiFigures]:
        """Every KPI of the plan, in plan order."""
        return iter(self._held().values())

    def of(self, codes: Collection[str]) -> list[KpiFigures]:
        """The KPIs among `codes` (unknown codes are left out)."""
        held = self._held()
        return [held[c] for c in codes if c in held]

    def progress(self, fiscal_year: int, scheme: GradeScheme) -> dict[str, YearProgress]:
        return {k.code: k.progress(fiscal_year, scheme) for k in self._held().values()}

    def _held(self) -> dict[str, KpiFigures]:
        if self._kpis is not None:
            self._catch_up()
        if self._kpis is None:
            self._seen = last_audit_id(self._access)  # before reading: nothing later is missed
            self._kpis = self._read(None)
            self._stale.clear()
        elif self._stale:
            stale, self._stale = self._stale, set()
            if len(stale) > _FEW_KPIS:
                self._kpis = self._read(None)
                return self._kpis
            fresh = self._read(stale)
            if not set(fresh) <= set(self._kpis):  # a KPI not held: its place is unknown
                self._kpis = self._read(None)
                return self._kpis
            for code in stale:
                if code in fresh:
                    self._kpis[code] = fresh[code]
                else:
                    self._kpis.pop(code, None)
        return self._kpis

    def _read(self, codes: Collection[str] | None) -> dict[str, KpiFigures]:
        self.reads += 1
        params: dict[str, object] = {"plan_id": self._access.plan_id}
        kq, yq = KPI_LISTINGS, _YEARS
        if codes is not None:
            kq, yq = _KPIS_OF_CODES, _YEARS_OF_CODES
            params["codes"] = sorted(codes)
        with self._access.reading() as s:
            conn = s.connection()  # the statements are built (and compiled) once
            kpi_rows = conn.execute(kq, params).all()
            year_rows = conn.execute(yq, params).all()
        years: dict[int, dict[int, YearFigures | _Stored]] = defaultdict(dict)
        for kpi_id, fy, actual, interim, status in year_rows:
            years[kpi_id][fy] = (actual, interim, status)
        measures: dict[str, list[str]] = defaultdict(list)
        for r in kpi_rows:
            measures[r[1]].append(f"{r[9]}-{r[10]}")
        held: dict[str, KpiFigures] = {}
        for r in kpi_rows:
            if r[1] in held:
                continue
            held[r[1]] = KpiFigures(
                code=r[1],
                name=r[2],
                unit=r[3],
                terms=KpiTerms(r[4], r[5], r[6], r[7], Direction(r[8])),
                measures=tuple(measures[r[1]]),
                years=(stored := years.get(r[0], {})),
                with_actual=tuple(
                    sorted(fy for fy, row in stored.items() if row[0] is not None)  # type: ignore[index]
                ),
            )
        return held


# `PlanFigures._read`: every KPI of the plan, or those of some codes (one edited KPI)
#: each KPI once per measure it serves, in the plan's order: its terms and the measure's
#: numbers (what grading and the overviews need of it); also read by services/overviews.py
KPI_LISTINGS = (
    select(
        KpiRow.id,
        KpiRow.code,
        KpiRow.name,
        KpiRow.unit,
        KpiRow.baseline,
        KpiRow.baseline_fiscal_year,
        KpiRow.target,
        KpiRow.target_fiscal_year,
        KpiRow.direction,
        PillarRow.number,
        MeasureRow.number,
    )
    .join(KpiMeasureRow, KpiMeasureRow.kpi_id == KpiRow.id)
    .join(MeasureRow, KpiMeasureRow.measure_id == MeasureRow.id)
    .join(PillarRow, MeasureRow.pillar_id == PillarRow.id)
    .where(KpiRow.plan_id == bindparam("plan_id"))
    .order_by(KpiRow.position)
)
_YEARS = (
    select(
        KpiYearRow.kpi_id,
        KpiYearRow.fiscal_year,
        type_coerce(KpiYearRow.actual, String),  # as stored: read when first used
        type_coerce(KpiYearRow.interim_target, String),
        KpiYearRow.status,
    )
    .join(KpiRow, KpiYearRow.kpi_id == KpiRow.id)
    .where(KpiRow.plan_id == bindparam("plan_id"))
)
_CODES = KpiRow.code.in_(bindparam("codes", expanding=True))
_KPIS_OF_CODES = KPI_LISTINGS.where(_CODES)
_YEARS_OF_CODES = _YEARS.where(_CODES)
