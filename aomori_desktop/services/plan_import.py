"""The import of a plan read part by part (`exchange.json_stream`): each batch is checked by
the plan's rules and inserted as it is read, in one transaction, so a plan of 5,000 KPIs is
never in memory whole.

A batch with a problem ends the writing (what was written is rolled back at the end); the
rest is still read and checked, so every problem is listed, as `validate_snapshot` lists them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from aomori_desktop.domain.evaluation import EvaluationRecords
from aomori_desktop.domain.validation import PlanChecker
from aomori_desktop.exchange.json_stream import AuditBatch, KpiBatch, PlanHead, PlanPart
from aomori_desktop.services.errors import ValidationError
from aomori_desktop.services.snapshot_io import SnapshotWriter
from aomori_desktop.services.workspace import write_plan_whole
from aomori_desktop.store.database import Clock, Database, create_database, utc_now


@dataclass(frozen=True, slots=True)
class ImportedPlan:
    """What the import wrote (for the sentence that says so)."""

    plan_id: int
    name: str
    kpis: int
    projects: int


def import_plan_parts(
    db: Database, parts: Iterator[PlanPart], *, clock: Clock = utc_now, source: str = ""
) -> ImportedPlan:
    """Write the plan in `parts` into a database that holds none. All or nothing: raises
    `ValidationError` listing every problem (nothing written), or whatever reading `parts`
    raises (`NotStreamable`: nothing written)."""
    found: list[ImportedPlan] = []

    def write(session: Session) -> int:
        found.append(_write_parts(session, parts, clock))
        return found[0].plan_id

    write_plan_whole(db, write, clock, "imported", source)
    return found[0]


def create_with_plan_parts(
    target: str | Path, parts: Iterator[PlanPart], *, source: str, clock: Clock = utc_now
) -> tuple[Database, ImportedPlan]:
    """A new database holding the plan in `parts`: the file appears only when the whole plan
    is in it (a refused or interrupted import leaves no file)."""
    found: list[ImportedPlan] = []
    db = create_database(
        target,
        fill=lambda building: found.append(
            import_plan_parts(building, parts, clock=clock, source=source)
        ),
    )
    return db, found[0]


def _write_parts(session: Session, parts: Iterator[PlanPart], clock: Clock) -> ImportedPlan:
    checker: PlanChecker | None = None
    writer: SnapshotWriter | None = None
    name, kpis, projects = "", 0, 0
    evaluated = False
    for part in parts:
        if isinstance(part, PlanHead):
            checker = PlanChecker(part.info, part.pillars, part.projects)
            name, projects = part.info.name, len(part.projects)
            if not checker.failed:
                writer = SnapshotWriter(
                    session, part.info, part.pillars, part.projects, created_at=clock()
                )
            continue
        assert checker is not None  # the head comes first (json_stream)
        if isinstance(part, KpiBatch):
            checker.kpis(part.kpis)
            kpis += len(part.kpis)
        elif isinstance(part, AuditBatch):
            checker.audit(part.entries)
        else:
            checker.evaluation(part)
            evaluated = True
        if checker.failed:
            writer = None  # nothing more is written; the transaction is rolled back
        elif writer is not None:
            if isinstance(part, KpiBatch):
                writer.kpis(part.kpis)
            elif isinstance(part, AuditBatch):
                writer.audit(part.entries)
            else:
                writer.evaluation(part)
    assert checker is not None
    if not evaluated:
        checker.evaluation(EvaluationRecords())  # a version 1 file: no records
    if checker.failed:
        raise ValidationError(checker.problems())
    assert writer is not None
    return ImportedPlan(writer.plan_id, name, kpis, projects)
