"""Read models for the window: plain, immutable rows and values computed from the database.

Queries select only the columns a view shows, so a plan of thousands of KPIs stays quick;
nothing here returns ORM objects. `kpi`, `project`, `pillar` and `measure` read one item whole
as a plain value of `domain.plan` (what the export holds, and what a removal keeps).
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import String, bindparam, select, text
from sqlalchemy.orm import Session

from aomori_desktop.domain.grading import SchemeKey, scheme_from_setting
from aomori_desktop.domain.plan import (
    AuditEntry,
    Direction,
    FigureStatus,
    Kpi,
    Measure,
    Pillar,
    Placement,
    PlanInfo,
    PlanSnapshot,
    PlanStatus,
    Project,
    ProjectStatus,
)
from aomori_desktop.domain.progress import KpiTerms, YearProgress, evaluate_year
from aomori_desktop.services.dto import (
    BulkRow,
    KpiDetail,
    KpiYearView,
    Overview,
    PlacementRef,
    PlanHeader,
    ProjectDetail,
    ProjectYearView,
    RevisionView,
    TreeKey,
    TreeNode,
)
from aomori_desktop.services.errors import NotFound
from aomori_desktop.services.overviews import read_bulk_rows, read_overview
from aomori_desktop.services.plan_tree import (
    PLAN_SQL,
    PROGRESS_OF_CODES_SQL,
    PROGRESS_SQL,
    TREE_SQL,
    build_progress,
    build_tree,
)
from aomori_desktop.services.snapshot_io import (
    audit_entry_from_row,
    kpi_from_row,
    measure_from_row,
    placements_of,
    project_from_row,
    read_snapshot,
)
from aomori_desktop.services.transaction import (
    PlanAccess,
    find_kpi,
    find_measure,
    find_pillar,
    find_project,
)
from aomori_desktop.store.models import (
    AuditRow,
    GradeThresholdRow,
    KpiMeasureRow,
    KpiRow,
    KpiYearRow,
    MeasureRow,
    PillarRow,
    PlacementRow,
    PlanRow,
    ProjectRow,
    ProjectYearRow,
    TargetRevisionRow,
)

__all__ = ["PlanQueries"]

_FEW_KPIS = 500  # up to this many KPIs are read by code; more: the whole plan (one query)

_PLAN_HEADER = select(
    PlanRow.id,
    PlanRow.name,
    PlanRow.first_fiscal_year,
    PlanRow.last_fiscal_year,
    PlanRow.status,
    PlanRow.description,
    PlanRow.grade_scheme,
).where(PlanRow.id == bindparam("plan_id"))

# the KPI page's read (`PlanQueries.kpi_detail`), built once: selecting a KPI runs these
_KPI_DETAIL = (
    select(
        KpiRow.id,
        KpiRow.code,
        KpiRow.name,
        KpiRow.unit,
        KpiRow.baseline,
        KpiRow.baseline_fiscal_year,
        KpiRow.baseline_fiscal_year_confirmed,
        KpiRow.target,
        KpiRow.target_fiscal_year,
        KpiRow.direction,
        KpiRow.cumulative,
        KpiRow.data_source,
        KpiRow.responsible_section,
        KpiRow.definition,
        PlanRow.first_fiscal_year,
        PlanRow.last_fiscal_year,
        PlanRow.grade_scheme,
    )
    .join(PlanRow, KpiRow.plan_id == PlanRow.id)
    .where(KpiRow.plan_id == bindparam("plan_id"), KpiRow.code == bindparam("code"))
)
_KPI_THRESHOLDS = (
    select(GradeThresholdRow.value)
    .where(GradeThresholdRow.plan_id == bindparam("plan_id"))
    .order_by(GradeThresholdRow.position)
)
_KPI_YEARS = select(
    KpiYearRow.fiscal_year,
    KpiYearRow.actual,
    KpiYearRow.interim_target,
    KpiYearRow.status,
    KpiYearRow.comment,
    KpiYearRow.entered_by,
    KpiYearRow.entered_at,
).where(KpiYearRow.kpi_id == bindparam("kpi_id"))
_KPI_MEASURES = (
    select(PillarRow.number, MeasureRow.number, MeasureRow.title)
    .join(MeasureRow, MeasureRow.pillar_id == PillarRow.id)
    .join(KpiMeasureRow, KpiMeasureRow.measure_id == MeasureRow.id)
    .where(KpiMeasureRow.kpi_id == bindparam("kpi_id"))
    .order_by(PillarRow.position, MeasureRow.position)
)
_KPI_REVISIONS = (
    select(
        TargetRevisionRow.old_value,
        TargetRevisionRow.old_fiscal_year,
        TargetRevisionRow.new_value,
        TargetRevisionRow.new_fiscal_year,
        TargetRevisionRow.reason,
        TargetRevisionRow.revised_by,
        TargetRevisionRow.revised_at,
    )
    .where(TargetRevisionRow.kpi_id == bindparam("kpi_id"))
    .order_by(TargetRevisionRow.id)
)


class PlanQueries:
    """Reads one plan for the window, the reports and the CLI (never writes)."""

    def __init__(self, access: PlanAccess) -> None:
        self._access = access
        self.plan_id = access.plan_id

    def header(self) -> PlanHeader:
        with self._access.reading() as s:
            return self._header(s)

    def _header(self, s: Session) -> PlanHeader:
        # plain rows, statements built once: every turn after an edit reads the header again
        conn = s.connection()
        row = conn.execute(_PLAN_HEADER, {"plan_id": self.plan_id}).one_or_none()
        if row is None:
            raise NotFound("計画が見つかりません。")
        thresholds = conn.execute(_KPI_THRESHOLDS, {"plan_id": self.plan_id}).scalars().all()
        return PlanHeader(
            id=row.id,
            info=PlanInfo(
                name=row.name,
                first_fiscal_year=row.first_fiscal_year,
                last_fiscal_year=row.last_fiscal_year,
                status=PlanStatus(row.status),
                description=row.description,
                grade_scheme=scheme_from_setting(
                    SchemeKey(row.grade_scheme), list(thresholds) or None
                ),
            ),
        )

    # ------------------------------------------------------------ tree

    def tree(self) -> TreeNode:
        """The plan tree (the statement the first paint runs too: services/plan_tree.py)."""
        params = {"plan_id": self.plan_id}
        with self._access.reading() as s:
            plan = s.execute(text(PLAN_SQL), params).one_or_none()
            if plan is None:
                raise NotFound("計画が見つかりません。")
            rows = s.execute(text(TREE_SQL), params).all()
        return build_tree(plan.name, rows)

    # ------------------------------------------------------------ progress

    def year_progress(
        self, fiscal_year: int, codes: Collection[str] | None = None
    ) -> dict[str, YearProgress]:
        """Each KPI's progress for one fiscal year (drives the tree badges): every KPI of the
        plan, or only those in `codes` (one edited KPI costs one row, not the whole plan)."""
        scheme = self.header().info.grade_scheme
        params: dict[str, object] = {"plan_id": self.plan_id, "fiscal_year": fiscal_year}
        query = text(PROGRESS_SQL)
        if codes is not None and len(codes) <= _FEW_KPIS:
            query = text(PROGRESS_OF_CODES_SQL).bindparams(
                bindparam("codes", expanding=True, type_=String())
            )
            params["codes"] = sorted(codes)
        with self._access.reading() as s:
            rows = s.execute(query, params).all()
        return build_progress(rows, fiscal_year, scheme)

    # ------------------------------------------------------------ details

    def kpi_detail(self, code: str) -> KpiDetail:
        """The KPI page's whole read: one session, plain column rows (no ORM objects): the
        plan's period and grade scheme with the KPI's fields, its years, measures and target
        revisions. The statements are built once (below) and run on the session's connection:
        one KPI selected costs five cached executes, not five statements built and compiled."""
        with self._access.reading() as s:
            conn = s.connection()
            k = conn.execute(_KPI_DETAIL, {"plan_id": self.plan_id, "code": code}).one_or_none()
            if k is None:
                self._header(s)  # 計画が見つかりません when the plan itself is gone
                raise NotFound(f"KPI {code} が見つかりません。")
            thresholds = conn.execute(_KPI_THRESHOLDS, {"plan_id": self.plan_id}).scalars().all()
            of_kpi = {"kpi_id": k.id}
            stored = {y.fiscal_year: y for y in conn.execute(_KPI_YEARS, of_kpi)}
            measures = conn.execute(_KPI_MEASURES, of_kpi).all()
            revisions = conn.execute(_KPI_REVISIONS, of_kpi).all()
        scheme = scheme_from_setting(SchemeKey(k.grade_scheme), list(thresholds) or None)
        direction = Direction(k.direction)
        terms = KpiTerms(
            k.baseline, k.baseline_fiscal_year, k.target, k.target_fiscal_year, direction
        )
        years = []
        for fy in range(k.first_fiscal_year, k.last_fiscal_year + 1):
            y = stored.get(fy)
            years.append(
                KpiYearView(
                    fiscal_year=fy,
                    actual=y.actual if y else None,
                    interim_target=y.interim_target if y else None,
                    status=FigureStatus(y.status) if y and y.status else None,
                    comment=y.comment if y else "",
                    entered_by=y.entered_by if y else "",
                    entered_at=y.entered_at if y else None,
                    progress=evaluate_year(
                        terms,
                        fy,
                        y.actual if y else None,
                        y.interim_target if y else None,
                        scheme,
                    ),
                )
            )
        return KpiDetail(
            code=k.code,
            name=k.name,
            unit=k.unit,
            baseline=k.baseline,
            baseline_fiscal_year=k.baseline_fiscal_year,
            baseline_fiscal_year_confirmed=k.baseline_fiscal_year_confirmed,
            target=k.target,
            target_fiscal_year=k.target_fiscal_year,
            direction=direction,
            cumulative=k.cumulative,
            data_source=k.data_source,
            responsible_section=k.responsible_section,
            definition=k.definition,
            measures=tuple((f"{p}-{m}", t) for p, m, t in measures),
            years=tuple(years),
            revisions=tuple(RevisionView(*r) for r in revisions),
        )

    def project_detail(self, code: str) -> ProjectDetail:
        with self._access.reading() as s:
            p = find_project(s, self.plan_id, code)
            placements = s.execute(
                select(
                    PillarRow.number,
                    MeasureRow.number,
                    MeasureRow.title,
                    PlacementRow.number,
                    PlacementRow.relisting,
                )
                .join(MeasureRow, PlacementRow.measure_id == MeasureRow.id)
                .join(PillarRow, MeasureRow.pillar_id == PillarRow.id)
                .where(PlacementRow.project_id == p.id)
                .order_by(PlacementRow.relisting, PillarRow.position, MeasureRow.position)
            ).all()
            years = s.scalars(
                select(ProjectYearRow)
                .where(ProjectYearRow.project_id == p.id)
                .order_by(ProjectYearRow.fiscal_year)
            ).all()
            return ProjectDetail(
                code=p.code,
                title=p.title,
                description=p.description,
                responsible_section=p.responsible_section,
                partners=tuple((pa.sector, pa.name) for pa in p.partners),
                placements=tuple(
                    PlacementRef(TreeKey.placement(f"{pn}-{mn}", n), f"{pn}-{mn}", mt, rel)
                    for pn, mn, mt, n, rel in placements
                ),
                years=tuple(
                    ProjectYearView(
                        y.fiscal_year,
                        ProjectStatus(y.status) if y.status else None,
                        y.note,
                        y.entered_by,
                        y.entered_at,
                    )
                    for y in years
                ),
            )

    # ------------------------------------------------------------ overviews

    # ------------------------------------------------------------ tables

    def overview(self, scope: TreeKey, fiscal_year: int) -> Overview:
        """KPIs and projects under the plan, a pillar or a measure."""
        return read_overview(self._access, self.header(), scope, fiscal_year)

    def bulk_rows(self, fiscal_year: int) -> list[BulkRow]:
        """All KPI listings for one year, in plan order (a KPI serving two measures appears
        under both; editing either edits the one KPI)."""
        return read_bulk_rows(self._access, self.header(), fiscal_year)

    # ------------------------------------------------------------ history

    def history(self, entity: str, key: str) -> list[AuditEntry]:
        """Audit entries of one KPI or project (including its yearly records), oldest first."""
        entities = {
            "kpi": ("kpi", "kpi_year", "kpi_target"),
            "project": ("project", "project_year"),
        }
        with self._access.reading() as s:
            rows = s.scalars(
                select(AuditRow)
                .where(
                    AuditRow.plan_id == self.plan_id,
                    AuditRow.entity.in_(entities.get(entity, (entity,))),
                    (AuditRow.entity_key == key) | AuditRow.entity_key.startswith(f"{key}/"),
                )
                .order_by(AuditRow.id)
            )
            return [audit_entry_from_row(r) for r in rows]

    # ------------------------------------------------------------ whole items as values

    def plan_snapshot(self) -> PlanSnapshot:
        """The whole plan as the interchange value (what the JSON export writes)."""
        with self._access.reading() as s:
            return read_snapshot(s, self.plan_id)

    def kpi(self, code: str) -> Kpi:
        """One KPI whole: fields, measures, yearly records and target revisions."""
        with self._access.reading() as s:
            return kpi_from_row(find_kpi(s, self.plan_id, code))

    def project(self, code: str) -> Project:
        """One project whole: fields, partners and yearly records."""
        with self._access.reading() as s:
            return project_from_row(find_project(s, self.plan_id, code))

    def placements(self, project: str) -> list[Placement]:
        """Where a project is listed: its home placement first, then its re-listings."""
        with self._access.reading() as s:
            return placements_of(find_project(s, self.plan_id, project))

    def pillar(self, number: int) -> Pillar:
        """A pillar with its lead, name and measures (codes, titles, placements)."""
        with self._access.reading() as s:
            row = find_pillar(s, self.plan_id, number)
            return Pillar(
                number=row.number,
                lead=row.lead,
                name=row.name,
                measures=tuple(
                    measure_from_row(m)
                    for m in sorted(row.measures, key=lambda m: (m.position, m.number))
                ),
            )

    def measure(self, code: str) -> Measure:
        with self._access.reading() as s:
            return measure_from_row(find_measure(s, self.plan_id, code))

    def kpi_order(self) -> list[str]:
        """KPI codes in the plan's order (the order KPIs are listed under each measure)."""
        with self._access.reading() as s:
            return list(
                s.scalars(
                    select(KpiRow.code)
                    .where(KpiRow.plan_id == self.plan_id)
                    .order_by(KpiRow.position, KpiRow.id)
                )
            )

    def project_order(self) -> list[str]:
        """Project codes in the plan's order (the order of the JSON export)."""
        with self._access.reading() as s:
            return list(
                s.scalars(
                    select(ProjectRow.code)
                    .where(ProjectRow.plan_id == self.plan_id)
                    .order_by(ProjectRow.position, ProjectRow.id)
                )
            )
