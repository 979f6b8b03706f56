"""Read models of the yearly evaluation: one measure's evaluation page, and the whole annual
report (年次進捗報告書) for a fiscal year. Plain values, computed from one read of the plan.

Everything graded here uses the plan's current scheme, so the page, the report and the tree
(which reads `PlanQueries.year_progress`) always agree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from aomori_desktop.domain.evaluation import (
    Course,
    MeasureEvaluation,
    PanelOpinion,
    applied_override,
)
from aomori_desktop.domain.grading import (
    NOT_GRADED,
    Grade,
    GradeScheme,
    propose_measure_grade,
)
from aomori_desktop.domain.outlook import Outlook, outlook_for
from aomori_desktop.domain.plan import (
    Direction,
    FigureStatus,
    Kpi,
    KpiYear,
    PlanSnapshot,
    PlanStatus,
    ProjectStatus,
)
from aomori_desktop.domain.progress import (
    GradeCounts,
    KpiTerms,
    YearProgress,
    count_grades,
    evaluate_year,
)
from aomori_desktop.services.dto import KpiDetail, KpiYearView, RevisionView, circled
from aomori_desktop.services.errors import NotFound
from aomori_desktop.services.snapshot_io import read_snapshot
from aomori_desktop.services.tasks import TaskState
from aomori_desktop.services.transaction import PlanAccess

__all__ = [
    "AnnualReportData",
    "EvaluationQueries",
    "KpiEvaluationRow",
    "MeasureEvaluationView",
    "PillarReport",
    "ProjectEvaluationView",
    "kpi_detail_of",
]


@dataclass(frozen=True, slots=True)
class KpiEvaluationRow:
    """One KPI of a measure for the evaluated year."""

    code: str
    name: str
    unit: str
    cumulative: bool
    direction: Direction
    baseline: Decimal
    baseline_fiscal_year: int
    target: Decimal
    target_fiscal_year: int
    interim_target: Decimal | None
    actual: Decimal | None
    status: FigureStatus | None
    progress: YearProgress
    outlook: Outlook | None
    comment: str
    data_source: str


@dataclass(frozen=True, slots=True)
class ProjectEvaluationView:
    """One project listed under a measure, with its record for the year."""

    key: str  # placement "1-1-2"
    mark: str  # "②"
    code: str  # project id
    title: str
    relisting: bool
    status: ProjectStatus | None
    note: str
    course: Course | None


@dataclass(frozen=True, slots=True)
class MeasureEvaluationView:
    """施策評価 of one measure for one fiscal year, as the page and the report show it."""

    code: str
    title: str
    pillar: int
    fiscal_year: int
    scheme: GradeScheme
    kpis: tuple[KpiEvaluationRow, ...]
    proposed: Grade
    record: MeasureEvaluation | None  # what the section wrote (None: nothing yet)
    override: Grade | None  # the override that applies under the current scheme
    projects: tuple[ProjectEvaluationView, ...]
    opinions: tuple[PanelOpinion, ...]

    @property
    def grade(self) -> Grade:
        return self.override if self.override is not None else self.proposed

    @property
    def stale_override(self) -> bool:
        """An override chosen under another scheme: kept, but not applied (shown to review)."""
        return (
            self.record is not None and self.record.override is not None and self.override is None
        )

    @property
    def basis(self) -> str:
        """How the proposal was made, in one line: 'KPI 3件（A 1件、B 1件、− 1件）の平均から'."""
        counts = count_grades((k.progress.grade for k in self.kpis), self.scheme)
        parts = "、".join(f"{g.letter} {n}件" for g, n in counts.counts if n)
        if not self.kpis:
            return "この施策にはKPIがありません"
        graded = counts.total - counts.count(NOT_GRADED)
        if not graded:
            return f"KPI {counts.total}件（{parts}）: 実績値がないため評価できません"
        return f"KPI {counts.total}件（{parts}）の評価の平均から"


@dataclass(frozen=True, slots=True)
class PillarReport:
    number: int
    lead: str
    name: str
    measures: tuple[MeasureEvaluationView, ...]
    kpi_counts: GradeCounts  # each KPI once
    measure_counts: GradeCounts

    @property
    def title(self) -> str:
        return f"{self.lead} {self.name}".strip()


@dataclass(frozen=True, slots=True)
class AnnualReportData:
    """Everything the annual report prints (reports/ lays it out)."""

    plan_name: str
    plan_status: PlanStatus
    fiscal_year: int
    scheme: GradeScheme
    pillars: tuple[PillarReport, ...]
    plan_opinions: tuple[PanelOpinion, ...]
    kpi_details: dict[str, KpiDetail]  # for the charts, each KPI once
    kpi_counts: GradeCounts  # the plan's KPIs, each once

    @property
    def measures(self) -> tuple[MeasureEvaluationView, ...]:
        return tuple(m for p in self.pillars for m in p.measures)


def _terms(kpi: Kpi) -> KpiTerms:
    return KpiTerms(
        kpi.baseline, kpi.baseline_fiscal_year, kpi.target, kpi.target_fiscal_year, kpi.direction
    )


def kpi_detail_of(kpi: Kpi, snapshot: PlanSnapshot) -> KpiDetail:
    """The chart's input for a KPI, from a snapshot (the same values `kpi_detail` reads)."""
    scheme = snapshot.plan.grade_scheme
    terms = _terms(kpi)
    stored = {y.fiscal_year: y for y in kpi.years}
    titles = {m.code: m.title for p in snapshot.pillars for m in p.measures}
    years = []
    for fy in snapshot.fiscal_years:
        y = stored.get(fy, KpiYear(fy))
        years.append(
            KpiYearView(
                fiscal_year=fy,
                actual=y.actual,
                interim_target=y.interim_target,
                status=y.status,
                comment=y.comment,
                entered_by=y.entered_by,
                entered_at=y.entered_at,
                progress=evaluate_year(terms, fy, y.actual, y.interim_target, scheme),
            )
        )
    return KpiDetail(
        code=kpi.id,
        name=kpi.name,
        unit=kpi.unit,
        baseline=kpi.baseline,
        baseline_fiscal_year=kpi.baseline_fiscal_year,
        baseline_fiscal_year_confirmed=kpi.baseline_fiscal_year_confirmed,
        target=kpi.target,
        target_fiscal_year=kpi.target_fiscal_year,
        direction=kpi.direction,
        cumulative=kpi.cumulative,
        data_source=kpi.data_source,
        responsible_section=kpi.responsible_section,
        definition=kpi.definition,
        measures=tuple((c, titles.get(c, "")) for c in kpi.measures),
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
            for r in kpi.target_revisions
        ),
    )


def _kpi_row(kpi: Kpi, fiscal_year: int, scheme: GradeScheme) -> KpiEvaluationRow:
    terms = _terms(kpi)
    year = next((y for y in kpi.years if y.fiscal_year == fiscal_year), KpiYear(fiscal_year))
    actuals = {y.fiscal_year: y.actual for y in kpi.years if y.fiscal_year <= fiscal_year}
    return KpiEvaluationRow(
        code=kpi.id,
        name=kpi.name,
        unit=kpi.unit,
        cumulative=kpi.cumulative,
        direction=kpi.direction,
        baseline=kpi.baseline,
        baseline_fiscal_year=kpi.baseline_fiscal_year,
        target=kpi.target,
        target_fiscal_year=kpi.target_fiscal_year,
        interim_target=year.interim_target,
        actual=year.actual,
        status=year.status,
        progress=evaluate_year(terms, fiscal_year, year.actual, year.interim_target, scheme),
        outlook=outlook_for(terms, actuals),
        comment=year.comment,
        data_source=kpi.data_source,
    )


def _measures(snapshot: PlanSnapshot, fiscal_year: int) -> dict[str, MeasureEvaluationView]:
    """Every measure's evaluation view for a year, in plan order."""
    scheme = snapshot.plan.grade_scheme
    rows = {k.id: _kpi_row(k, fiscal_year, scheme) for k in snapshot.kpis}
    kpis_of: dict[str, list[str]] = defaultdict(list)
    for k in snapshot.kpis:
        for code in k.measures:
            kpis_of[code].append(k.id)
    projects = {p.id: p for p in snapshot.projects}
    ev = snapshot.evaluation
    records = {(e.measure, e.fiscal_year): e for e in ev.measures}
    courses = {(p.project, p.fiscal_year): p.course for p in ev.projects}
    opinions: dict[str, list[PanelOpinion]] = defaultdict(list)
    for o in ev.opinions:
        if o.fiscal_year == fiscal_year and o.measure is not None:
            opinions[o.measure].append(o)
    views = {}
    for pillar in snapshot.pillars:
        for m in pillar.measures:
            kpi_rows = tuple(rows[c] for c in kpis_of[m.code])
            record = records.get((m.code, fiscal_year))
            placed = []
            for pl in m.placements:
                p = projects[pl.project]
                year = next((y for y in p.years if y.fiscal_year == fiscal_year), None)
                placed.append(
                    ProjectEvaluationView(
                        key=pl.code,
                        mark=circled(int(pl.code.rsplit("-", 1)[1])),
                        code=p.id,
                        title=p.title,
                        relisting=pl.relisting,
                        status=year.status if year else None,
                        note=year.note if year else "",
                        course=courses.get((p.id, fiscal_year)),
                    )
                )
            views[m.code] = MeasureEvaluationView(
                code=m.code,
                title=m.title,
                pillar=pillar.number,
                fiscal_year=fiscal_year,
                scheme=scheme,
                kpis=kpi_rows,
                proposed=propose_measure_grade((k.progress.grade for k in kpi_rows), scheme),
                record=record,
                override=applied_override(record, scheme),
                projects=tuple(placed),
                opinions=tuple(opinions[m.code]),
            )
    return views


def annual_report_of(snapshot: PlanSnapshot, fiscal_year: int) -> AnnualReportData:
    scheme = snapshot.plan.grade_scheme
    views = _measures(snapshot, fiscal_year)
    pillars = []
    for pillar in snapshot.pillars:
        measures = tuple(views[m.code] for m in pillar.measures)
        once = {k.code: k.progress.grade for m in measures for k in m.kpis}
        pillars.append(
            PillarReport(
                number=pillar.number,
                lead=pillar.lead,
                name=pillar.name,
                measures=measures,
                kpi_counts=count_grades(once.values(), scheme),
                measure_counts=count_grades((m.grade for m in measures), scheme),
            )
        )
    every = {k.code: k.progress.grade for m in views.values() for k in m.kpis}
    return AnnualReportData(
        plan_name=snapshot.plan.name,
        plan_status=snapshot.plan.status,
        fiscal_year=fiscal_year,
        scheme=scheme,
        pillars=tuple(pillars),
        plan_opinions=tuple(
            o
            for o in snapshot.evaluation.opinions
            if o.fiscal_year == fiscal_year and o.measure is None
        ),
        kpi_details={k.id: kpi_detail_of(k, snapshot) for k in snapshot.kpis},
        kpi_counts=count_grades(every.values(), scheme),
    )


class EvaluationQueries:
    """What the evaluation page and the report read."""

    def __init__(self, access: PlanAccess) -> None:
        self._access = access

    def _snapshot(self) -> PlanSnapshot:
        with self._access.reading() as s:
            return read_snapshot(s, self._access.plan_id)

    def _check_year(self, snapshot: PlanSnapshot, fiscal_year: int) -> None:
        if fiscal_year not in snapshot.fiscal_years:
            from aomori_desktop.domain.fiscal import fy_label

            years = snapshot.fiscal_years
            raise NotFound(
                f"{fy_label(fiscal_year)}は計画期間（{fy_label(years[0])}〜"
                f"{fy_label(years[-1])}）の外です。"
            )

    def grade_scheme(self) -> GradeScheme:
        return self._snapshot().plan.grade_scheme

    def measure(self, code: str, fiscal_year: int) -> MeasureEvaluationView:
        snapshot = self._snapshot()
        self._check_year(snapshot, fiscal_year)
        views = _measures(snapshot, fiscal_year)
        if code not in views:
            raise NotFound(f"共創施策 {code} が見つかりません。")
        return views[code]

    def plan_opinions(self, fiscal_year: int) -> tuple[PanelOpinion, ...]:
        """Opinions on the whole plan for a year, in number order."""
        return tuple(
            o
            for o in self._snapshot().evaluation.opinions
            if o.fiscal_year == fiscal_year and o.measure is None
        )

    def opinions(self, fiscal_year: int) -> tuple[PanelOpinion, ...]:
        """Every opinion of a year (on the plan and on measures), in number order."""
        return tuple(
            o for o in self._snapshot().evaluation.opinions if o.fiscal_year == fiscal_year
        )

    def annual_report(self, fiscal_year: int, state: TaskState | None = None) -> AnnualReportData:
        if state is not None:
            state.report(0, 1, "計画を読み込んでいます")
        snapshot = self._snapshot()
        self._check_year(snapshot, fiscal_year)
        return annual_report_of(snapshot, fiscal_year)


def report_date_text(day: date) -> str:
    """令和7年10月1日 (the cover's date, in the era the city's documents use)."""
    if day < date(2019, 5, 1):
        name, n = "平成", day.year - 1988
    else:
        name, n = "令和", day.year - 2018
    return f"{name}{'元' if n == 1 else n}年{day.month}月{day.day}日"
