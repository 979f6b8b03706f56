"""The services of one open plan, as one bundle the window, the CLI and the tests share.

`PlanServices(db, plan_id, user=...)` gives one object per use case, all working on the same
database, plan, user (for the audit log) and clock:

- `values`: yearly KPI values (実績値, 年度目標, 速報/確定, コメント)
- `kpi_fields`: a KPI's fields and target revisions
- `kpis`: adding, removing, restoring, linking and ordering KPIs
- `projects`: a project's fields, partners (産学金官) and yearly status and notes
- `placements`: projects and re-listings (再掲) under measures, their order
- `structure`: pillars and measures, their order
- `queries`: everything the window reads (tree, details, overviews, history)
- `evaluation`, `evaluation_queries`: the yearly evaluation (施策評価, directions, the panel's
  opinions, the grade scheme) and what its page and the annual report read
"""

from __future__ import annotations

from aomori_desktop.services.evaluation import PlanEvaluation
from aomori_desktop.services.evaluation_views import EvaluationQueries
from aomori_desktop.services.kpi_fields import KpiFields
from aomori_desktop.services.kpi_values import KpiValues
from aomori_desktop.services.kpis import KpiLifecycle
from aomori_desktop.services.placements import ProjectPlacements
from aomori_desktop.services.projects import ProjectRecords
from aomori_desktop.services.queries import PlanQueries
from aomori_desktop.services.structure import PlanStructure
from aomori_desktop.services.transaction import PlanAccess
from aomori_desktop.store.database import Clock, Database, utc_now

__all__ = ["PlanServices"]


class PlanServices:
    """Every use case of one plan. Cheap to build; holds no connection of its own."""

    def __init__(
        self, db: Database, plan_id: int, *, user: str | None = None, clock: Clock = utc_now
    ) -> None:
        self.access = PlanAccess(db, plan_id, user=user, clock=clock)
        self.plan_id = plan_id
        self.values = KpiValues(self.access)
        self.kpi_fields = KpiFields(self.access)
        self.kpis = KpiLifecycle(self.access)
        self.projects = ProjectRecords(self.access)
        self.placements = ProjectPlacements(self.access)
        self.structure = PlanStructure(self.access)
        self.queries = PlanQueries(self.access)
        self.evaluation = PlanEvaluation(self.access)
        self.evaluation_queries = EvaluationQueries(self.access)
