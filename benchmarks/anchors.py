"""The JSON import's anchor: a parsed interchange document written with SQLAlchemy Core.

`bulk_insert_plan(engine, document)` inserts every row of the document (plan, pillars,
measures, projects with partners and yearly records, placements, KPIs with their measures,
yearly records and target revisions, the audit log) with one `executemany` per table in one
transaction, ids assigned here. No validation, no duplicate-key check, no undo: the least
work that puts the same rows into the same schema, which is what the import is compared with.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, insert

from aomori_desktop.store.models import (
    AuditRow,
    KpiMeasureRow,
    KpiRow,
    KpiYearRow,
    MeasureRow,
    PartnerRow,
    PillarRow,
    PlacementRow,
    PlanRow,
    ProjectRow,
    ProjectYearRow,
    TargetRevisionRow,
)


def _dec(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _dt(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).astimezone(UTC)


def bulk_insert_plan(engine: Engine, doc: dict[str, Any]) -> None:
    info = doc["plan"]
    thresholds = info.get("thresholds") or {}
    plan_id = 1
    pillars, measures, placements = [], [], []
    projects, partners, project_years = [], [], []
    kpis, kpi_measures, kpi_years, revisions, audit = [], [], [], [], []
    measure_ids: dict[str, int] = {}
    project_ids: dict[str, int] = {}
    for position, p in enumerate(doc["projects"]):
        pid = position + 1
        project_ids[p["id"]] = pid
        projects.append(
            {
                "id": pid,
                "plan_id": plan_id,
                "code": p["id"],
                "title": p["title"],
                "description": p.get("description", ""),
                "responsible_section": p.get("responsible_section", ""),
                "position": position,
            }
        )
        for i, pa in enumerate(p.get("partners", ())):
            partners.append(
                {"project_id": pid, "sector": pa["sector"], "name": pa["name"], "position": i}
            )
        for y in p.get("years", ()):
            project_years.append(
                {
                    "project_id": pid,
                    "fiscal_year": y["fiscal_year"],
                    "status": y.get("status"),
                    "note": y.get("note", ""),
                    "entered_by": y.get("entered_by", ""),
                    "entered_at": _dt(y.get("entered_at")),
                }
            )
    for pillar_pos, pillar in enumerate(doc["pillars"]):
        pillar_id = pillar_pos + 1
        pillars.append(
            {
                "id": pillar_id,
                "plan_id": plan_id,
                "number": pillar["number"],
                "lead": pillar.get("lead", ""),
                "name": pillar["name"],
                "position": pillar_pos,
            }
        )
        for measure_pos, m in enumerate(pillar["measures"]):
            measure_id = len(measures) + 1
            measure_ids[m["code"]] = measure_id
            measures.append(
                {
                    "id": measure_id,
                    "pillar_id": pillar_id,
                    "number": int(m["code"].split("-")[1]),
                    "title": m["title"],
                    "position": measure_pos,
                }
            )
            for pl in m.get("placements", ()):
                placements.append(
                    {
                        "measure_id": measure_id,
                        "project_id": project_ids[pl["project"]],
                        "number": int(pl["code"].rsplit("-", 1)[1]),
                        "relisting": pl["relisting"],
                    }
                )
    for position, k in enumerate(doc["kpis"]):
        kid = position + 1
        kpis.append(
            {
                "id": kid,
                "plan_id": plan_id,
                "code": k["id"],
                "name": k["name"],
                "unit": k["unit"],
                "baseline": _dec(k["baseline"]["value"]),
                "baseline_fiscal_year": k["baseline"]["fiscal_year"],
                "baseline_fiscal_year_confirmed": k["baseline"].get("fiscal_year_confirmed", False),
                "target": _dec(k["target"]["value"]),
                "target_fiscal_year": k["target"]["fiscal_year"],
                "direction": k["direction"],
                "cumulative": k.get("cumulative", False),
                "data_source": k.get("data_source", ""),
                "responsible_section": k.get("responsible_section", ""),
                "definition": k.get("definition", ""),
                "position": position,
            }
        )
        for i, code in enumerate(k["measures"]):
            kpi_measures.append({"kpi_id": kid, "measure_id": measure_ids[code], "position": i})
        for y in k.get("years", ()):
            if not any(
                y.get(name)
                for name in (
                    "actual",
                    "interim_target",
                    "status",
                    "comment",
                    "entered_by",
                    "entered_at",
                )
            ):
                continue  # an empty year is not stored (as the import does)
            kpi_years.append(
                {
                    "kpi_id": kid,
                    "fiscal_year": y["fiscal_year"],
                    "actual": _dec(y.get("actual")),
                    "interim_target": _dec(y.get("interim_target")),
                    "status": y.get("status"),
                    "comment": y.get("comment", ""),
                    "entered_by": y.get("entered_by", ""),
                    "entered_at": _dt(y.get("entered_at")),
                }
            )
        for r in k.get("target_revisions", ()):
            revisions.append(
                {
                    "kpi_id": kid,
                    "old_value": _dec(r["old"]["value"]),
                    "old_fiscal_year": r["old"]["fiscal_year"],
                    "new_value": _dec(r["new"]["value"]),
                    "new_fiscal_year": r["new"]["fiscal_year"],
                    "reason": r["reason"],
                    "revised_by": r.get("revised_by", ""),
                    "revised_at": _dt(r["revised_at"]),
                }
            )
    for a in doc.get("audit", ()):
        audit.append(
            {
                "plan_id": plan_id,
                "at": _dt(a["at"]),
                "user": a["user"],
                "action": a["action"],
                "entity": a["entity"],
                "entity_key": a["entity_key"],
                "field": a["field"],
                "old": a.get("old"),
                "new": a.get("new"),
                "reason": a.get("reason", ""),
            }
        )
    plan = {
        "id": plan_id,
        "name": info["name"],
        "status": info.get("status", "draft"),
        "description": info.get("description", ""),
        "first_fiscal_year": info["first_fiscal_year"],
        "last_fiscal_year": info["last_fiscal_year"],
        "achieved_threshold": _dec(thresholds.get("achieved", "100")),
        "delayed_factor": _dec(thresholds.get("delayed_factor", "0.5")),
        "created_at": datetime.now(UTC),
    }
    with engine.begin() as conn:
        conn.execute(insert(PlanRow.__table__), [plan])
        for model, rows in (
            (PillarRow, pillars),
            (MeasureRow, measures),
            (ProjectRow, projects),
            (PartnerRow, partners),
            (ProjectYearRow, project_years),
            (PlacementRow, placements),
            (KpiRow, kpis),
            (KpiMeasureRow, kpi_measures),
            (KpiYearRow, kpi_years),
            (TargetRevisionRow, revisions),
            (AuditRow, audit),
        ):
            if rows:
                conn.execute(insert(model.__table__), rows)  # type: ignore[arg-type]
