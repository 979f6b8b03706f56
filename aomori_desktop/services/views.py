"""Read models for the window: plain, immutable rows computed from the database.

Queries select only the columns a view shows, so a plan of thousands of KPIs stays quick;
nothing here returns ORM objects.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import func, select

from aomori_desktop.domain.plan import (
    Direction,
    FigureStatus,
    PlanInfo,
    PlanStatus,
    ProjectStatus,
    Thresholds,
)
from aomori_desktop.domain.progress import (
    GradeCounts,
    KpiTerms,
    YearProgress,
    count_grades,
    evaluate_year,
)
from aomori_desktop.services.dto import (
    BulkRow,
    KpiDetail,
    KpiSummaryRow,
    KpiYearView,
    NodeKind,
    Overview,
    PlacementRef,
    PlanHeader,
    ProjectDetail,
    ProjectSummaryRow,
    ProjectYearView,
    RevisionView,
    TreeNode,
    circled,
)
from aomori_desktop.services.errors import NotFound
from aomori_desktop.store.database import Database
from aomori_desktop.store.models import (
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


class PlanReader:
    """Read-only views of one plan."""

    def __init__(self, db: Database, plan_id: int) -> None:
        self._db = db
        self.plan_id = plan_id

    def header(self) -> PlanHeader:
        with self._db.read_session() as s:
            row = s.get(PlanRow, self.plan_id)
            if row is None:
                raise NotFound("計画が見つかりません。")
            return PlanHeader(
                id=row.id,
                info=PlanInfo(
                    name=row.name,
                    first_fiscal_year=row.first_fiscal_year,
                    last_fiscal_year=row.last_fiscal_year,
                    status=PlanStatus(row.status),
                    description=row.description,
                    thresholds=Thresholds(row.achieved_threshold, row.delayed_factor),
                ),
            )

    # ------------------------------------------------------------ tree

    def tree(self) -> TreeNode:
        with self._db.read_session() as s:
            plan = s.get(PlanRow, self.plan_id)
            if plan is None:
                raise NotFound("計画が見つかりません。")
            pillars = s.execute(
                select(PillarRow.id, PillarRow.number, PillarRow.lead, PillarRow.name)
                .where(PillarRow.plan_id == self.plan_id)
                .order_by(PillarRow.position, PillarRow.number)
            ).all()
            measures = s.execute(
                select(MeasureRow.id, MeasureRow.pillar_id, MeasureRow.number, MeasureRow.title)
                .join(PillarRow)
                .where(PillarRow.plan_id == self.plan_id)
                .order_by(MeasureRow.position, MeasureRow.number)
            ).all()
            placements = s.execute(
                select(
                    PlacementRow.measure_id,
                    PlacementRow.number,
                    PlacementRow.relisting,
                    ProjectRow.code,
                    ProjectRow.title,
                    ProjectRow.description,
                )
                .join(ProjectRow, PlacementRow.project_id == ProjectRow.id)
                .where(ProjectRow.plan_id == self.plan_id)
                .order_by(PlacementRow.number)
            ).all()
            links = s.execute(
                select(KpiMeasureRow.measure_id, KpiRow.code, KpiRow.name, KpiRow.definition)
                .join(KpiRow, KpiMeasureRow.kpi_id == KpiRow.id)
                .where(KpiRow.plan_id == self.plan_id)
                .order_by(KpiRow.position)
            ).all()
            plan_name = plan.name
        measure_code: dict[int, str] = {}
        pillar_number = {p.id: p.number for p in pillars}
        for m in measures:
            measure_code[m.id] = f"{pillar_number[m.pillar_id]}-{m.number}"
        homes: dict[str, str] = {}
        for pl in placements:
            if not pl.relisting:
                homes[pl.code] = f"{measure_code[pl.measure_id]}-{pl.number}"
        by_measure_pl: dict[int, list[TreeNode]] = defaultdict(list)
        for pl in placements:
            key = f"{measure_code[pl.measure_id]}-{pl.number}"
            by_measure_pl[pl.measure_id].append(
                TreeNode(
                    kind=NodeKind.PROJECT,
                    key=key,
                    code=circled(pl.number),
                    title=pl.title,
                    ref=pl.code,
                    relisting=pl.relisting,
                    home=homes.get(pl.code, "") if pl.relisting else "",
                    detail=pl.description,
                )
            )
        by_measure_kpi: dict[int, list[TreeNode]] = defaultdict(list)
        for link in links:
            mcode = measure_code[link.measure_id]
            by_measure_kpi[link.measure_id].append(
                TreeNode(
                    kind=NodeKind.KPI,
                    key=f"{link.code}@{mcode}",
                    code=link.code,
                    title=link.name,
                    ref=link.code,
                    detail=link.definition,
                )
            )
        by_pillar: dict[int, list[TreeNode]] = defaultdict(list)
        for m in measures:
            code = measure_code[m.id]
            by_pillar[m.pillar_id].append(
                TreeNode(
                    kind=NodeKind.MEASURE,
                    key=code,
                    code=code,
                    title=m.title,
                    ref=code,
                    children=tuple(by_measure_pl[m.id]) + tuple(by_measure_kpi[m.id]),
                )
            )
        pillar_nodes = tuple(
            TreeNode(
                kind=NodeKind.PILLAR,
                key=str(p.number),
                code=str(p.number),
                title=f"{p.lead} {p.name}".strip(),
                ref=str(p.number),
                children=tuple(by_pillar[p.id]),
            )
            for p in pillars
        )
        return TreeNode(
            kind=NodeKind.PLAN, key="plan", code="", title=plan_name, children=pillar_nodes
        )

    # ------------------------------------------------------------ progress

    def year_progress(self, fiscal_year: int) -> dict[str, YearProgress]:
        """Every KPI's progress for one fiscal year (drives the tree badges)."""
        thresholds = self.header().info.thresholds
        with self._db.read_session() as s:
            kpis = s.execute(
                select(
                    KpiRow.id,
                    KpiRow.code,
                    KpiRow.baseline,
                    KpiRow.baseline_fiscal_year,
                    KpiRow.target,
                    KpiRow.target_fiscal_year,
                    KpiRow.direction,
                ).where(KpiRow.plan_id == self.plan_id)
            ).all()
            years = {
                row.kpi_id: row
                for row in s.execute(
                    select(KpiYearRow.kpi_id, KpiYearRow.actual, KpiYearRow.interim_target)
                    .join(KpiRow, KpiYearRow.kpi_id == KpiRow.id)
                    .where(KpiRow.plan_id == self.plan_id, KpiYearRow.fiscal_year == fiscal_year)
                )
            }
        result: dict[str, YearProgress] = {}
        for k in kpis:
            terms = KpiTerms(
                k.baseline,
                k.baseline_fiscal_year,
                k.target,
                k.target_fiscal_year,
                Direction(k.direction),
            )
            y = years.get(k.id)
            result[k.code] = evaluate_year(
                terms,
                fiscal_year,
                y.actual if y else None,
                y.interim_target if y else None,
                thresholds,
            )
        return result

    # ------------------------------------------------------------ details

    def kpi_detail(self, code: str) -> KpiDetail:
        header = self.header()
        with self._db.read_session() as s:
            k = s.scalar(select(KpiRow).where(KpiRow.plan_id == self.plan_id, KpiRow.code == code))
            if k is None:
                raise NotFound(f"KPI {code} が見つかりません。")
            stored = {
                y.fiscal_year: y
                for y in s.scalars(select(KpiYearRow).where(KpiYearRow.kpi_id == k.id))
            }
            measures = s.execute(
                select(PillarRow.number, MeasureRow.number, MeasureRow.title)
                .join(MeasureRow, MeasureRow.pillar_id == PillarRow.id)
                .join(KpiMeasureRow, KpiMeasureRow.measure_id == MeasureRow.id)
                .where(KpiMeasureRow.kpi_id == k.id)
                .order_by(PillarRow.position, MeasureRow.position)
            ).all()
            revisions = s.scalars(
                select(TargetRevisionRow)
                .where(TargetRevisionRow.kpi_id == k.id)
                .order_by(TargetRevisionRow.id)
            ).all()
            terms = KpiTerms(
                k.baseline,
                k.baseline_fiscal_year,
                k.target,
                k.target_fiscal_year,
                Direction(k.direction),
            )
            years = []
            for fy in header.fiscal_years:
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
                            header.info.thresholds,
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
                direction=Direction(k.direction),
                cumulative=k.cumulative,
                data_source=k.data_source,
                responsible_section=k.responsible_section,
                definition=k.definition,
                measures=tuple((f"{p}-{m}", t) for p, m, t in measures),
                years=tuple(years),
                revisions=tuple(
                    RevisionView(
                        r.old_value,
                        r.old_fiscal_year,
                        r.new_value,
                        r.new_fiscal_year,
                        r.reason,
                        r.revised_by,
                        r.revised_at,
                    )
                    for r in revisions
                ),
            )

    def project_detail(self, code: str) -> ProjectDetail:
        with self._db.read_session() as s:
            p = s.scalar(
                select(ProjectRow).where(
                    ProjectRow.plan_id == self.plan_id, ProjectRow.code == code
                )
            )
            if p is None:
                raise NotFound(f"共創プロジェクト {code} が見つかりません。")
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
                    PlacementRef(f"{pn}-{mn}-{n}", f"{pn}-{mn}", mt, rel)
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

    def overview(self, scope: str, fiscal_year: int) -> Overview:
        """KPIs and projects under the plan ("plan"), a pillar ("1") or a measure ("1-2")."""
        header = self.header()
        thresholds = header.info.thresholds
        with self._db.read_session() as s:
            q = (
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
                .where(KpiRow.plan_id == self.plan_id)
                .order_by(KpiRow.position)
            )
            q = self._scope_filter(q, scope)
            kpi_rows = s.execute(q).all()
            this_year: dict[int, tuple[Decimal | None, Decimal | None]] = {
                kpi_id: (actual, interim)
                for kpi_id, actual, interim in s.execute(
                    select(KpiYearRow.kpi_id, KpiYearRow.actual, KpiYearRow.interim_target)
                    .join(KpiRow, KpiYearRow.kpi_id == KpiRow.id)
                    .where(KpiRow.plan_id == self.plan_id, KpiYearRow.fiscal_year == fiscal_year)
                )
            }
            # the latest year up to the chosen one that has an actual, per KPI
            latest_year = (
                select(KpiYearRow.kpi_id, func.max(KpiYearRow.fiscal_year).label("fy"))
                .join(KpiRow, KpiYearRow.kpi_id == KpiRow.id)
                .where(
                    KpiRow.plan_id == self.plan_id,
                    KpiYearRow.fiscal_year <= fiscal_year,
                    KpiYearRow.actual.is_not(None),
                )
                .group_by(KpiYearRow.kpi_id)
                .subquery()
            )
            latest: dict[int, tuple[int, Decimal | None]] = {
                kpi_id: (fy, actual)
                for kpi_id, fy, actual in s.execute(
                    select(KpiYearRow.kpi_id, KpiYearRow.fiscal_year, KpiYearRow.actual).join(
                        latest_year,
                        (KpiYearRow.kpi_id == latest_year.c.kpi_id)
                        & (KpiYearRow.fiscal_year == latest_year.c.fy),
                    )
                )
            }
            pq = (
                select(
                    PillarRow.number,
                    MeasureRow.number,
                    PlacementRow.number,
                    ProjectRow.id,
                    ProjectRow.code,
                    ProjectRow.title,
                    PlacementRow.relisting,
                )
                .join(MeasureRow, PlacementRow.measure_id == MeasureRow.id)
                .join(PillarRow, MeasureRow.pillar_id == PillarRow.id)
                .join(ProjectRow, PlacementRow.project_id == ProjectRow.id)
                .where(PillarRow.plan_id == self.plan_id)
                .order_by(PillarRow.position, MeasureRow.position, PlacementRow.number)
            )
            pq = self._scope_filter(pq, scope)
            project_rows = s.execute(pq).all()
            statuses = dict(
                s.execute(
                    select(ProjectYearRow.project_id, ProjectYearRow.status)
                    .join(ProjectRow, ProjectYearRow.project_id == ProjectRow.id)
                    .where(
                        ProjectRow.plan_id == self.plan_id,
                        ProjectYearRow.fiscal_year == fiscal_year,
                    )
                ).all()
            )
            title = self._scope_title(s, scope, header.info.name)
        summaries: dict[str, KpiSummaryRow] = {}
        measures_of: dict[str, list[str]] = defaultdict(list)
        for r in kpi_rows:
            measures_of[r[1]].append(f"{r[9]}-{r[10]}")
        for r in kpi_rows:
            code = r[1]
            if code in summaries:
                continue
            terms = KpiTerms(r[4], r[5], r[6], r[7], Direction(r[8]))
            actual, interim = this_year.get(r[0], (None, None))
            latest_fy, latest_actual = latest.get(r[0], (None, None))
            summaries[code] = KpiSummaryRow(
                code=code,
                name=r[2],
                unit=r[3],
                baseline=r[4],
                target=r[6],
                latest_year=latest_fy,
                latest_actual=latest_actual,
                progress=evaluate_year(terms, fiscal_year, actual, interim, thresholds),
                measures=tuple(measures_of[code]),
            )
        # each KPI once: a KPI serving two measures counts in each measure's own roll-up,
        # and once in its pillar's and the plan's (the table lists it once)
        grades = [row.progress.grade for row in summaries.values()]
        projects = tuple(
            ProjectSummaryRow(
                key=f"{r[0]}-{r[1]}-{r[2]}",
                code=r[4],
                title=r[5],
                relisting=r[6],
                status=_project_status(statuses.get(r[3])),
            )
            for r in project_rows
        )
        return Overview(
            title=title,
            kpis=tuple(summaries.values()),
            projects=projects,
            counts=count_grades(grades),
        )

    @staticmethod
    def _scope_filter(q, scope: str):  # type: ignore[no-untyped-def]
        if scope == "plan":
            return q
        parts = scope.split("-")
        q = q.where(PillarRow.number == int(parts[0]))
        if len(parts) > 1:
            q = q.where(MeasureRow.number == int(parts[1]))
        return q

    def _scope_title(self, s, scope: str, plan_name: str) -> str:  # type: ignore[no-untyped-def]
        if scope == "plan":
            return plan_name
        parts = scope.split("-")
        pillar = s.execute(
            select(PillarRow.id, PillarRow.lead, PillarRow.name).where(
                PillarRow.plan_id == self.plan_id, PillarRow.number == int(parts[0])
            )
        ).first()
        if pillar is None:
            raise NotFound(f"{scope} が見つかりません。")
        if len(parts) == 1:
            return f"{parts[0]} {pillar.lead} {pillar.name}".strip()
        title = s.scalar(
            select(MeasureRow.title).where(
                MeasureRow.pillar_id == pillar.id, MeasureRow.number == int(parts[1])
            )
        )
        if title is None:
            raise NotFound(f"{scope} が見つかりません。")
        return f"{scope} {title}"

    # ------------------------------------------------------------ bulk entry

    def bulk_rows(self, fiscal_year: int) -> list[BulkRow]:
        """All KPI listings for one year, in plan order (a KPI serving two measures appears
        under both; editing either edits the one KPI)."""
        header = self.header()
        with self._db.read_session() as s:
            rows = s.execute(
                select(
                    PillarRow.number,
                    PillarRow.lead,
                    PillarRow.name,
                    MeasureRow.number,
                    MeasureRow.title,
                    KpiRow.id,
                    KpiRow.code,
                    KpiRow.name,
                    KpiRow.unit,
                    KpiRow.baseline,
                    KpiRow.baseline_fiscal_year,
                    KpiRow.target,
                    KpiRow.target_fiscal_year,
                    KpiRow.direction,
                )
                .join(MeasureRow, MeasureRow.pillar_id == PillarRow.id)
                .join(KpiMeasureRow, KpiMeasureRow.measure_id == MeasureRow.id)
                .join(KpiRow, KpiMeasureRow.kpi_id == KpiRow.id)
                .where(PillarRow.plan_id == self.plan_id)
                .order_by(PillarRow.position, MeasureRow.position, KpiRow.position)
            ).all()
            years = {
                y.kpi_id: y
                for y in s.execute(
                    select(
                        KpiYearRow.kpi_id,
                        KpiYearRow.actual,
                        KpiYearRow.interim_target,
                        KpiYearRow.status,
                        KpiYearRow.comment,
                    )
                    .join(KpiRow, KpiYearRow.kpi_id == KpiRow.id)
                    .where(KpiRow.plan_id == self.plan_id, KpiYearRow.fiscal_year == fiscal_year)
                )
            }
        result = []
        for r in rows:
            y = years.get(r[5])
            terms = KpiTerms(r[9], r[10], r[11], r[12], Direction(r[13]))
            result.append(
                BulkRow(
                    pillar=f"{r[0]} {r[1]} {r[2]}".strip(),
                    measure_code=f"{r[0]}-{r[3]}",
                    measure_title=r[4],
                    kpi=r[6],
                    name=r[7],
                    unit=r[8],
                    baseline=r[9],
                    target=r[11],
                    actual=y.actual if y else None,
                    interim_target=y.interim_target if y else None,
                    status=FigureStatus(y.status) if y and y.status else None,
                    comment=y.comment if y else "",
                    progress=evaluate_year(
                        terms,
                        fiscal_year,
                        y.actual if y else None,
                        y.interim_target if y else None,
                        header.info.thresholds,
                    ),
                )
            )
        return result


def _project_status(value: str | None) -> ProjectStatus | None:
    return ProjectStatus(value) if value else None


def grade_counts_by_group(
    tree: TreeNode, overview: Overview, scope: str
) -> list[tuple[str, GradeCounts]]:
    """Counts per grade for each pillar (plan scope) or each measure (pillar or measure scope).

    A KPI serving two measures counts in each measure, and once in a pillar (domain rule).
    """
    by_code = {row.code: row for row in overview.kpis}
    groups: list[tuple[str, list[str]]] = []
    for pillar in tree.children:
        if scope == "plan":
            codes = {k.ref for m in pillar.children for k in m.children if k.kind is NodeKind.KPI}
            groups.append((f"{pillar.code} {pillar.title.split(' ')[-1]}", sorted(codes)))
            continue
        for measure in pillar.children:
            if measure.key == scope or pillar.key == scope:
                codes = {k.ref for k in measure.children if k.kind is NodeKind.KPI}
                groups.append((f"{measure.code} {measure.title}", sorted(codes)))
    return [
        (label, count_grades(by_code[c].progress.grade for c in codes if c in by_code))
        for label, codes in groups
    ]
