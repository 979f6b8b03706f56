"""Plain read models that the window, the charts and the reports consume.

No SQLAlchemy and no Qt here: charts and widgets import these without reaching the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from aomori_desktop.domain.plan import Direction, FigureStatus, PlanInfo, ProjectStatus
from aomori_desktop.domain.progress import GradeCounts, YearProgress


class NodeKind(StrEnum):
    PLAN = "plan"
    PILLAR = "pillar"
    MEASURE = "measure"
    PROJECT = "project"  # a placement of a project under a measure
    KPI = "kpi"  # a KPI listed under a measure


@dataclass(frozen=True, slots=True)
class TreeNode:
    kind: NodeKind
    key: str  # unique in the tree: "plan", "1", "1-2", "1-2-3", "K01@1-2"
    code: str  # shown numbering: "1", "1-2", "③", "K01"
    title: str
    ref: str = ""  # project or KPI id for PROJECT/KPI nodes, measure code for MEASURE
    relisting: bool = False
    home: str = ""  # for a re-listing: the key of the home placement
    detail: str = ""  # searchable extra text (a project's description)
    children: tuple[TreeNode, ...] = ()


CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def circled(n: int) -> str:
    return CIRCLED[n - 1] if 1 <= n <= len(CIRCLED) else f"({n})"


@dataclass(frozen=True, slots=True)
class PlanHeader:
    id: int
    info: PlanInfo

    @property
    def fiscal_years(self) -> range:
        return range(self.info.first_fiscal_year, self.info.last_fiscal_year + 1)


@dataclass(frozen=True, slots=True)
class KpiYearView:
    fiscal_year: int
    actual: Decimal | None
    interim_target: Decimal | None
    status: FigureStatus | None
    comment: str
    entered_by: str
    entered_at: datetime | None
    progress: YearProgress


@dataclass(frozen=True, slots=True)
class RevisionView:
    old_value: Decimal
    old_fiscal_year: int
    new_value: Decimal
    new_fiscal_year: int
    reason: str
    revised_by: str
    revised_at: datetime


@dataclass(frozen=True, slots=True)
class KpiDetail:
    code: str
    name: str
    unit: str
    baseline: Decimal
    baseline_fiscal_year: int
    baseline_fiscal_year_confirmed: bool
    target: Decimal
    target_fiscal_year: int
    direction: Direction
    cumulative: bool
    data_source: str
    responsible_section: str
    definition: str
    measures: tuple[tuple[str, str], ...]  # (code, title)
    years: tuple[KpiYearView, ...]
    revisions: tuple[RevisionView, ...]

    def year(self, fiscal_year: int) -> KpiYearView | None:
        return next((y for y in self.years if y.fiscal_year == fiscal_year), None)


@dataclass(frozen=True, slots=True)
class PlacementRef:
    key: str  # "1-2-3"
    measure_code: str
    measure_title: str
    relisting: bool


@dataclass(frozen=True, slots=True)
class ProjectYearView:
    fiscal_year: int
    status: ProjectStatus | None
    note: str
    entered_by: str
    entered_at: datetime | None


@dataclass(frozen=True, slots=True)
class ProjectDetail:
    code: str
    title: str
    description: str
    responsible_section: str
    partners: tuple[tuple[str, str], ...]  # (sector value, name)
    placements: tuple[PlacementRef, ...]
    years: tuple[ProjectYearView, ...]

    @property
    def home(self) -> PlacementRef | None:
        return next((p for p in self.placements if not p.relisting), None)


@dataclass(frozen=True, slots=True)
class KpiSummaryRow:
    """One KPI in an overview table, for a chosen fiscal year."""

    code: str
    name: str
    unit: str
    baseline: Decimal
    target: Decimal
    latest_year: int | None
    latest_actual: Decimal | None
    progress: YearProgress
    measures: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProjectSummaryRow:
    key: str  # placement key
    code: str  # project id
    title: str
    relisting: bool
    status: ProjectStatus | None


@dataclass(frozen=True, slots=True)
class Overview:
    title: str
    kpis: tuple[KpiSummaryRow, ...]
    projects: tuple[ProjectSummaryRow, ...]
    counts: GradeCounts


@dataclass(frozen=True, slots=True)
class BulkRow:
    """One KPI listing in the yearly bulk-entry table (grouped by pillar and measure)."""

    pillar: str
    measure_code: str
    measure_title: str
    kpi: str
    name: str
    unit: str
    baseline: Decimal
    target: Decimal
    actual: Decimal | None
    interim_target: Decimal | None
    status: FigureStatus | None
    comment: str
    progress: YearProgress
