"""Reading a whole plan out of the database as a `PlanSnapshot`, and writing one in.

Used by the JSON interchange, seeding of new databases and (later) backups and reports.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload

from aomori_desktop.domain.evaluation import EvaluationRecords
from aomori_desktop.domain.plan import (
    AuditEntry,
    Direction,
    FigureStatus,
    Kpi,
    KpiYear,
    Measure,
    Partner,
    Pillar,
    Placement,
    PlanInfo,
    PlanSnapshot,
    PlanStatus,
    Project,
    ProjectStatus,
    ProjectYear,
    Sector,
    TargetRevision,
)
from aomori_desktop.services.evaluation_io import (
    read_evaluation,
    scheme_of,
    set_scheme_rows,
    write_evaluation,
)
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


def read_snapshot(session: Session, plan_id: int) -> PlanSnapshot:
    plan = session.execute(
        select(PlanRow)
        .where(PlanRow.id == plan_id)
        .options(
            selectinload(PlanRow.pillars)
            .selectinload(PillarRow.measures)
            .selectinload(MeasureRow.placements)
            .selectinload(PlacementRow.project),
            selectinload(PlanRow.projects).selectinload(ProjectRow.partners),
            selectinload(PlanRow.projects).selectinload(ProjectRow.years),
            selectinload(PlanRow.kpis).selectinload(KpiRow.measure_links),
            selectinload(PlanRow.kpis).selectinload(KpiRow.years),
            selectinload(PlanRow.kpis).selectinload(KpiRow.target_revisions),
            selectinload(PlanRow.grade_thresholds),
        )
    ).scalar_one()
    measure_codes: dict[int, str] = {}
    pillars = []
    for pillar in plan.pillars:
        measures = []
        for measure in pillar.measures:
            code = f"{pillar.number}-{measure.number}"
            measure_codes[measure.id] = code
            measures.append(measure_from_row(measure, code))
        pillars.append(
            Pillar(
                number=pillar.number, lead=pillar.lead, name=pillar.name, measures=tuple(measures)
            )
        )
    projects = tuple(project_from_row(p) for p in plan.projects)
    kpis = tuple(kpi_from_row(k, measure_codes) for k in plan.kpis)
    audit = tuple(
        audit_entry_from_row(a)
        for a in session.scalars(
            select(AuditRow).where(AuditRow.plan_id == plan_id).order_by(AuditRow.id)
        )
    )
    return PlanSnapshot(
        plan=PlanInfo(
            name=plan.name,
            first_fiscal_year=plan.first_fiscal_year,
            last_fiscal_year=plan.last_fiscal_year,
            status=PlanStatus(plan.status),
            description=plan.description,
            grade_scheme=scheme_of(plan),
        ),
        pillars=tuple(pillars),
        projects=projects,
        kpis=kpis,
        audit=audit,
        evaluation=read_evaluation(session, plan_id),
    )


def audit_entry_from_row(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        at=row.at,
        user=row.user,
        action=row.action,
        entity=row.entity,
        entity_key=row.entity_key,
        field=row.field,
        old=row.old,
        new=row.new,
        reason=row.reason,
    )


def project_from_row(row: ProjectRow) -> Project:
    """A project with its partners and yearly records, as a plain value."""
    return Project(
        id=row.code,
        title=row.title,
        description=row.description,
        responsible_section=row.responsible_section,
        partners=tuple(Partner(sector=Sector(pa.sector), name=pa.name) for pa in row.partners),
        years=tuple(
            ProjectYear(
                fiscal_year=y.fiscal_year,
                status=ProjectStatus(y.status) if y.status else None,
                note=y.note,
                entered_by=y.entered_by,
                entered_at=y.entered_at,
            )
            for y in row.years
        ),
    )


def measure_from_row(row: MeasureRow, code: str | None = None) -> Measure:
    """A measure with its placements (in number order), as a plain value. `code` saves a
    lookup of the pillar when the caller knows it."""
    code = code or row.code
    return Measure(
        code=code,
        title=row.title,
        placements=tuple(
            Placement(code=f"{code}-{pl.number}", project=pl.project.code, relisting=pl.relisting)
            for pl in sorted(row.placements, key=lambda pl: pl.number)
        ),
    )


def placements_of(row: ProjectRow) -> list[Placement]:
    """Where a project is listed, its home placement first, then its re-listings in plan
    order (as `restore_project` needs them)."""
    placements = sorted(
        row.placements,
        key=lambda p: (p.relisting, p.measure.pillar.number, p.measure.number, p.number),
    )
    return [
        Placement(code=f"{p.measure.code}-{p.number}", project=row.code, relisting=p.relisting)
        for p in placements
    ]


def kpi_from_row(k: KpiRow, measure_codes: Mapping[int, str] | None = None) -> Kpi:
    """A KPI with its measures, yearly records and target revisions, as a plain value (the
    export, and what a removal keeps to put the KPI back). `measure_codes` (measure id →
    code) saves a lookup per link when a whole plan is read."""
    return Kpi(
        id=k.code,
        name=k.name,
        unit=k.unit,
        baseline=k.baseline,
        baseline_fiscal_year=k.baseline_fiscal_year,
        baseline_fiscal_year_confirmed=k.baseline_fiscal_year_confirmed,
        target=k.target,
        target_fiscal_year=k.target_fiscal_year,
        direction=Direction(k.direction),
        cumulative=k.cumulative,
        measures=tuple(
            measure_codes[link.measure_id] if measure_codes is not None else link.measure.code
            for link in k.measure_links
        ),
        data_source=k.data_source,
        responsible_section=k.responsible_section,
        definition=k.definition,
        years=tuple(
            KpiYear(
                fiscal_year=y.fiscal_year,
                actual=y.actual,
                interim_target=y.interim_target,
                status=FigureStatus(y.status) if y.status else None,
                comment=y.comment,
                entered_by=y.entered_by,
                entered_at=y.entered_at,
            )
            for y in k.years
        ),
        target_revisions=tuple(
            TargetRevision(
                old_value=r.old_value,
                old_fiscal_year=r.old_fiscal_year,
                new_value=r.new_value,
                new_fiscal_year=r.new_fiscal_year,
                reason=r.reason,
                revised_by=r.revised_by,
                revised_at=r.revised_at,
            )
            for r in k.target_revisions
        ),
    )


_BATCH = 2000  # KPIs (with their records) or audit entries per INSERT batch


def _insert_ids(session: Session, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    """Insert `rows` into `model`'s table at once; their new ids, in the order of `rows`."""
    if not rows:
        return []
    table = model.__table__
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(session.execute(statement, rows).scalars())


def _insert(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(model.__table__), rows)


def write_snapshot(session: Session, snapshot: PlanSnapshot, *, created_at: datetime) -> int:
    """Insert a whole plan (already validated) and return its id. Caller owns the transaction.

    The rows go in with one multi-row INSERT per table and batch (SQLAlchemy Core, ids
    returned in order), not through the ORM's unit of work: a plan of 5,000 KPIs with ten
    years of figures and its audit log is over a hundred thousand rows, and building and
    flushing an ORM object for each took most of an import's time and memory.
    """
    writer = SnapshotWriter(
        session, snapshot.plan, snapshot.pillars, snapshot.projects, created_at=created_at
    )
    for first in range(0, len(snapshot.kpis), _BATCH):
        writer.kpis(snapshot.kpis[first : first + _BATCH])
    writer.evaluation(snapshot.evaluation)
    for first in range(0, len(snapshot.audit), _BATCH * 5):
        writer.audit(snapshot.audit[first : first + _BATCH * 5])
    return writer.plan_id


class SnapshotWriter:
    """`write_snapshot` piece by piece, for a plan read in batches (the streaming JSON
    import): the plan with its pillars, measures and projects when made, then `kpis` and
    `audit` batches in file order and the `evaluation`. Keeps only the ids later rows refer
    to (measure codes and project ids) and the next KPI position."""

    def __init__(
        self,
        session: Session,
        info: PlanInfo,
        pillars: Sequence[Pillar],
        projects: Sequence[Project],
        *,
        created_at: datetime,
    ) -> None:
        self.session = session
        plan = PlanRow(  # one row with its grade scheme: the ORM is quick enough for it
            name=info.name,
            status=info.status.value,
            description=info.description,
            first_fiscal_year=info.first_fiscal_year,
            last_fiscal_year=info.last_fiscal_year,
            created_at=created_at,
        )
        set_scheme_rows(plan, info.grade_scheme)
        self.session.add(plan)
        self.session.flush()
        plan_id = plan.id
        project_ids = dict(
            zip(
                (p.id for p in projects),
                _insert_ids(
                    self.session,
                    ProjectRow,
                    [
                        {
                            "plan_id": plan_id,
                            "code": p.id,
                            "title": p.title,
                            "description": p.description,
                            "responsible_section": p.responsible_section,
                            "position": position,
                        }
                        for position, p in enumerate(projects)
                    ],
                ),
                strict=True,
            )
        )
        _insert(
            self.session,
            PartnerRow,
            [
                {
                    "project_id": project_ids[p.id],
                    "sector": pa.sector.value,
                    "name": pa.name,
                    "position": i,
                }
                for p in projects
                for i, pa in enumerate(p.partners)
            ],
        )
        _insert(
            self.session,
            ProjectYearRow,
            [
                {
                    "project_id": project_ids[p.id],
                    "fiscal_year": y.fiscal_year,
                    "status": y.status.value if y.status else None,
                    "note": y.note,
                    "entered_by": y.entered_by,
                    "entered_at": y.entered_at,
                }
                for p in projects
                for y in p.years
            ],
        )
        pillar_ids = _insert_ids(
            self.session,
            PillarRow,
            [
                {
                    "plan_id": plan_id,
                    "number": pillar.number,
                    "lead": pillar.lead,
                    "name": pillar.name,
                    "position": position,
                }
                for position, pillar in enumerate(pillars)
            ],
        )
        measures = [
            (pillar_id, position, measure)
            for pillar_id, pillar in zip(pillar_ids, pillars, strict=True)
            for position, measure in enumerate(pillar.measures)
        ]
        measure_ids = _insert_ids(
            self.session,
            MeasureRow,
            [
                {
                    "pillar_id": pillar_id,
                    "number": measure.number,
                    "title": measure.title,
                    "position": position,
                }
                for pillar_id, position, measure in measures
            ],
        )
        measure_id = {m.code: mid for mid, (_p, _pos, m) in zip(measure_ids, measures, strict=True)}
        _insert(
            self.session,
            PlacementRow,
            [
                {
                    "measure_id": measure_id[m.code],
                    "project_id": project_ids[pl.project],
                    "number": int(pl.code.rsplit("-", 1)[1]),
                    "relisting": pl.relisting,
                }
                for _p, _pos, m in measures
                for pl in m.placements
            ],
        )

        self.plan_id = plan_id
        self.measure_id = measure_id
        self.project_ids = project_ids
        self._position = 0

    def kpis(self, batch: Sequence[Kpi]) -> None:
        session, measure_id, first = self.session, self.measure_id, self._position
        self._position += len(batch)
        kpi_ids = _insert_ids(
            session,
            KpiRow,
            [_kpi_fields(k, self.plan_id, first + offset) for offset, k in enumerate(batch)],
        )
        pairs = list(zip(kpi_ids, batch, strict=True))
        _insert(
            session,
            KpiMeasureRow,
            [
                {"kpi_id": kid, "measure_id": measure_id[code], "position": i}
                for kid, k in pairs
                for i, code in enumerate(k.measures)
            ],
        )
        _insert(
            session,
            KpiYearRow,
            [
                {
                    "kpi_id": kid,
                    "fiscal_year": y.fiscal_year,
                    "actual": y.actual,
                    "interim_target": y.interim_target,
                    "status": y.status.value if y.status else None,
                    "comment": y.comment,
                    "entered_by": y.entered_by,
                    "entered_at": y.entered_at,
                }
                for kid, k in pairs
                for y in k.years
                if not _year_is_empty(y)
            ],
        )
        _insert(
            session,
            TargetRevisionRow,
            [
                {
                    "kpi_id": kid,
                    "old_value": r.old_value,
                    "old_fiscal_year": r.old_fiscal_year,
                    "new_value": r.new_value,
                    "new_fiscal_year": r.new_fiscal_year,
                    "reason": r.reason,
                    "revised_by": r.revised_by,
                    "revised_at": r.revised_at,
                }
                for kid, k in pairs
                for r in k.target_revisions
            ],
        )

    def evaluation(self, records: EvaluationRecords) -> None:
        write_evaluation(self.session, self.plan_id, records, self.measure_id, self.project_ids)

    def audit(self, batch: Sequence[AuditEntry]) -> None:
        plan_id = self.plan_id
        _insert(
            self.session,
            AuditRow,
            [
                {
                    "plan_id": plan_id,
                    "at": a.at,
                    "user": a.user,
                    "action": a.action,
                    "entity": a.entity,
                    "entity_key": a.entity_key,
                    "field": a.field,
                    "old": a.old,
                    "new": a.new,
                    "reason": a.reason,
                }
                for a in batch
            ],
        )


def _kpi_fields(kpi: Kpi, plan_id: int, position: int) -> dict[str, Any]:
    return {
        "plan_id": plan_id,
        "code": kpi.id,
        "name": kpi.name,
        "unit": kpi.unit,
        "baseline": kpi.baseline,
        "baseline_fiscal_year": kpi.baseline_fiscal_year,
        "baseline_fiscal_year_confirmed": kpi.baseline_fiscal_year_confirmed,
        "target": kpi.target,
        "target_fiscal_year": kpi.target_fiscal_year,
        "direction": kpi.direction.value,
        "cumulative": kpi.cumulative,
        "data_source": kpi.data_source,
        "responsible_section": kpi.responsible_section,
        "definition": kpi.definition,
        "position": position,
    }


def project_row_from_value(project: Project, position: int) -> ProjectRow:
    """A new project row (with its partners and yearly records) from a `Project`."""
    return ProjectRow(
        code=project.id,
        title=project.title,
        description=project.description,
        responsible_section=project.responsible_section,
        position=position,
        partners=[
            PartnerRow(sector=pa.sector.value, name=pa.name, position=i)
            for i, pa in enumerate(project.partners)
        ],
        years=[
            ProjectYearRow(
                fiscal_year=y.fiscal_year,
                status=y.status.value if y.status else None,
                note=y.note,
                entered_by=y.entered_by,
                entered_at=y.entered_at,
            )
            for y in project.years
        ],
    )


def kpi_row_from_value(kpi: Kpi, measures: list[MeasureRow], position: int) -> KpiRow:
    """A new KPI row (with its yearly records, revisions and measure links) from a `Kpi`."""
    return KpiRow(
        code=kpi.id,
        name=kpi.name,
        unit=kpi.unit,
        baseline=kpi.baseline,
        baseline_fiscal_year=kpi.baseline_fiscal_year,
        baseline_fiscal_year_confirmed=kpi.baseline_fiscal_year_confirmed,
        target=kpi.target,
        target_fiscal_year=kpi.target_fiscal_year,
        direction=kpi.direction.value,
        cumulative=kpi.cumulative,
        data_source=kpi.data_source,
        responsible_section=kpi.responsible_section,
        definition=kpi.definition,
        position=position,
        measure_links=[KpiMeasureRow(measure=m, position=i) for i, m in enumerate(measures)],
        years=[
            KpiYearRow(
                fiscal_year=y.fiscal_year,
                actual=y.actual,
                interim_target=y.interim_target,
                status=y.status.value if y.status else None,
                comment=y.comment,
                entered_by=y.entered_by,
                entered_at=y.entered_at,
            )
            for y in kpi.years
            if not _year_is_empty(y)
        ],
        target_revisions=[
            TargetRevisionRow(
                old_value=r.old_value,
                old_fiscal_year=r.old_fiscal_year,
                new_value=r.new_value,
                new_fiscal_year=r.new_fiscal_year,
                reason=r.reason,
                revised_by=r.revised_by,
                revised_at=r.revised_at,
            )
            for r in kpi.target_revisions
        ],
    )


def _year_is_empty(y: KpiYear) -> bool:
    return (
        y.actual is None
        and y.interim_target is None
        and y.status is None
        and not y.comment
        and not y.entered_by
        and y.entered_at is None
    )
