"""Value objects describing a whole plan: what the store reads and writes, what files carry.

A `PlanSnapshot` is the complete, database-independent content of one plan. The JSON
interchange format, the seed file and the services all speak it, so there is one definition
of "a plan" in the code base.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from aomori_desktop.domain.evaluation import EvaluationRecords
from aomori_desktop.domain.grading import DEFAULT_SCHEME, GradeScheme


class Direction(StrEnum):
    INCREASE = "increase"  # higher is better
    DECREASE = "decrease"  # lower is better
    MAINTAIN = "maintain"  # keep at least the baseline level

    @property
    def label(self) -> str:
        return {"increase": "増加", "decrease": "減少", "maintain": "維持"}[self.value]


class FigureStatus(StrEnum):
    PRELIMINARY = "preliminary"  # 速報
    FINAL = "final"  # 確定

    @property
    def label(self) -> str:
        return {"preliminary": "速報", "final": "確定"}[self.value]


class ProjectStatus(StrEnum):
    NOT_STARTED = "not_started"
    STUDYING = "studying"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {
            "not_started": "未着手",
            "studying": "検討中",
            "in_progress": "実施中",
            "completed": "完了",
            "cancelled": "中止",
        }[self.value]


class PlanStatus(StrEnum):
    DRAFT = "draft"  # 案
    ADOPTED = "adopted"  # 策定済

    @property
    def label(self) -> str:
        return {"draft": "案", "adopted": "策定済"}[self.value]


class Sector(StrEnum):
    """産学金官: the four kinds of co-creation partner."""

    INDUSTRY = "industry"  # 産
    ACADEMIA = "academia"  # 学
    FINANCE = "finance"  # 金
    GOVERNMENT = "government"  # 官

    @property
    def label(self) -> str:
        return {"industry": "産", "academia": "学", "finance": "金", "government": "官"}[self.value]


@dataclass(frozen=True, slots=True)
class PlanInfo:
    name: str
    first_fiscal_year: int
    last_fiscal_year: int
    status: PlanStatus = PlanStatus.DRAFT
    description: str = ""
    grade_scheme: GradeScheme = DEFAULT_SCHEME  # the grade rule (domain.grading)


@dataclass(frozen=True, slots=True)
class Placement:
    """One listing of a project under a measure; `relisting` marks a 再掲."""

    code: str  # "P-M-N", e.g. "1-2-3"
    project: str  # project id, e.g. "PJ02"
    relisting: bool


@dataclass(frozen=True, slots=True)
class Measure:
    code: str  # "P-M", e.g. "1-2"
    title: str
    placements: tuple[Placement, ...] = ()

    @property
    def number(self) -> int:
        return int(self.code.split("-")[1])


@dataclass(frozen=True, slots=True)
class Pillar:
    number: int
    lead: str  # e.g. 地域経済に活力を生み出す
    name: str  # e.g. 新産業の創出
    measures: tuple[Measure, ...] = ()

    @property
    def title(self) -> str:
        return f"{self.lead} {self.name}" if self.lead else self.name


@dataclass(frozen=True, slots=True)
class Partner:
    sector: Sector
    name: str


@dataclass(frozen=True, slots=True)
class ProjectYear:
    fiscal_year: int
    status: ProjectStatus | None
    note: str = ""
    entered_by: str = ""
    entered_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Project:
    id: str  # stable code, e.g. "PJ01"
    title: str
    description: str = ""
    responsible_section: str = ""
    partners: tuple[Partner, ...] = ()
    years: tuple[ProjectYear, ...] = ()


@dataclass(frozen=True, slots=True)
class KpiYear:
    fiscal_year: int
    actual: Decimal | None = None
    interim_target: Decimal | None = None
    status: FigureStatus | None = None
    comment: str = ""
    entered_by: str = ""
    entered_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class TargetRevision:
    """A change of a KPI's target: the old target stays visible in the history."""

    old_value: Decimal
    old_fiscal_year: int
    new_value: Decimal
    new_fiscal_year: int
    reason: str
    revised_by: str
    revised_at: datetime


@dataclass(frozen=True, slots=True)
class Kpi:
    id: str  # stable code, e.g. "K01"
    name: str
    unit: str
    baseline: Decimal
    baseline_fiscal_year: int
    target: Decimal
    target_fiscal_year: int
    direction: Direction
    cumulative: bool
    measures: tuple[str, ...]  # measure codes, e.g. ("1-1", "1-2")
    baseline_fiscal_year_confirmed: bool = False  # False: shown as 要確認
    data_source: str = ""
    responsible_section: str = ""
    definition: str = ""
    years: tuple[KpiYear, ...] = ()
    target_revisions: tuple[TargetRevision, ...] = ()


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    user: str
    action: str  # "create" | "update" | "delete" | ...
    entity: str  # "kpi", "kpi_year", "project", ...
    entity_key: str  # human-readable key, e.g. "K01" or "K01/2025"
    field: str
    old: str | None
    new: str | None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class PlanSnapshot:
    plan: PlanInfo
    pillars: tuple[Pillar, ...]
    projects: tuple[Project, ...]
    kpis: tuple[Kpi, ...]
    audit: tuple[AuditEntry, ...] = ()
    evaluation: EvaluationRecords = field(default_factory=EvaluationRecords)

    @property
    def fiscal_years(self) -> range:
        return range(self.plan.first_fiscal_year, self.plan.last_fiscal_year + 1)
