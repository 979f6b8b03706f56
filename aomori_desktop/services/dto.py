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
class TreeKey:
    """Where a node stands in the plan tree; unique in the tree.

    The plan; a pillar ("1"); a measure ("1-2"); a project placement ("1-2-3": the third
    listing under measure 1-2); a KPI listed under a measure (K01 under 1-2). `str(key)` is
    its written form ("plan", "1", "1-2", "1-2-3", "K01@1-2"), kept in settings and tests;
    `TreeKey.parse` reads it back. Nothing else splits the written form.
    """

    kind: NodeKind
    code: str = ""  # "1", "1-2", "1-2-3" or the KPI id
    measure: str = ""  # a KPI's measure

    # -- making keys

    @staticmethod
    def plan() -> TreeKey:
        return TreeKey(NodeKind.PLAN)

    @staticmethod
    def pillar(number: int) -> TreeKey:
        return TreeKey(NodeKind.PILLAR, str(number))

    @staticmethod
    def of_measure(code: str) -> TreeKey:
        return TreeKey(NodeKind.MEASURE, code)

    @staticmethod
    def placement(measure: str, number: int) -> TreeKey:
        return TreeKey(NodeKind.PROJECT, f"{measure}-{number}")

    @staticmethod
    def kpi(code: str, measure: str) -> TreeKey:
        return TreeKey(NodeKind.KPI, code, measure)

    @staticmethod
    def parse(text: str) -> TreeKey:
        """The key written as `str(key)`; a `ValueError` for anything else."""
        if text == "plan":
            return TreeKey.plan()
        if "@" in text:
            code, _, measure = text.partition("@")
            if code and measure.count("-") == 1:
                return TreeKey.kpi(code, measure)
            raise ValueError(f"not a tree key: {text!r}")
        parts = text.split("-")
        if not all(part.isdigit() for part in parts) or len(parts) > 3:
            raise ValueError(f"not a tree key: {text!r}")
        kinds = (NodeKind.PILLAR, NodeKind.MEASURE, NodeKind.PROJECT)
        return TreeKey(kinds[len(parts) - 1], text)

    # -- reading keys

    def __str__(self) -> str:
        if self.kind is NodeKind.PLAN:
            return "plan"
        if self.kind is NodeKind.KPI:
            return f"{self.code}@{self.measure}"
        return self.code

    @property
    def pillar_number(self) -> int | None:
        """The pillar the node stands under (or is)."""
        if self.kind is NodeKind.PLAN:
            return None
        code = self.measure if self.kind is NodeKind.KPI else self.code
        return int(code.split("-")[0])

    @property
    def measure_code(self) -> str | None:
        """The measure the node stands under (or is): "1-2"."""
        if self.kind is NodeKind.KPI:
            return self.measure
        if self.kind is NodeKind.MEASURE:
            return self.code
        if self.kind is NodeKind.PROJECT:
            return self.code.rsplit("-", 1)[0]
        return None

    @property
    def measure_number(self) -> int | None:
        """The M of the measure P-M the node stands under (or is)."""
        measure = self.measure_code
        return int(measure.split("-")[1]) if measure else None

    @property
    def number(self) -> int | None:
        """A pillar's number, or a placement's listing number (the N of 1-2-N)."""
        if self.kind is NodeKind.PILLAR:
            return int(self.code)
        if self.kind is NodeKind.PROJECT:
            return int(self.code.rsplit("-", 1)[1])
        return None

    def parent(self) -> TreeKey | None:
        if self.kind is NodeKind.PLAN:
            return None
        if self.kind is NodeKind.PILLAR:
            return TreeKey.plan()
        if self.kind is NodeKind.MEASURE:
            return TreeKey.pillar(int(self.code.split("-")[0]))
        measure = self.measure_code
        assert measure is not None
        return TreeKey.of_measure(measure)

    def lineage(self) -> list[TreeKey]:
        """This key, its parent, …, the plan."""
        keys: list[TreeKey] = [self]
        while (up := keys[-1].parent()) is not None:
            keys.append(up)
        return keys


@dataclass(frozen=True, slots=True)
class TreeNode:
    kind: NodeKind
    key: TreeKey  # unique in the tree
    code: str  # shown numbering: "1", "1-2", "③", "K01"
    title: str
    ref: str = ""  # project or KPI id for PROJECT/KPI nodes, measure code for MEASURE
    relisting: bool = False
    home: TreeKey | None = None  # for a re-listing: the key of the home placement
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
    key: TreeKey  # the placement, e.g. 1-2-3
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
    latest_status: FigureStatus | None = None  # 速報 or 確定 of the latest actual


@dataclass(frozen=True, slots=True)
class ProjectSummaryRow:
    key: TreeKey  # the placement, e.g. 1-2-3
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
