"""Database-level use cases: create and seed, open, import and export whole plans, check."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from aomori_desktop.domain.plan import PlanSnapshot
from aomori_desktop.domain.validation import validate_snapshot
from aomori_desktop.exchange.seed_toml import load_default_seed
from aomori_desktop.services.errors import Conflict, NotFound, ValidationError
from aomori_desktop.services.snapshot_io import read_snapshot, write_snapshot
from aomori_desktop.store import migrate
from aomori_desktop.store.database import (
    Clock,
    Database,
    backup_to,
    create_database,
    open_database,
    sqlite_integrity_problems,
    utc_now,
)
from aomori_desktop.store.errors import StoreError
from aomori_desktop.store.models import (
    KpiRow,
    KpiYearRow,
    MeasureRow,
    PillarRow,
    PlacementRow,
    PlanRow,
    ProjectRow,
)


@dataclass(frozen=True, slots=True)
class PlanSummary:
    id: int
    name: str
    first_fiscal_year: int
    last_fiscal_year: int


def create_seeded_database(target: str | Path, *, clock: Clock = utc_now) -> Database:
    """A new database holding the default plan (青森市しごと創造戦略) from the seed file."""
    seed = load_default_seed()
    db = create_database(target)
    try:
        import_plan(db, seed, clock=clock)
        db.log_event("seeded", f"{seed.plan.name}", clock=clock)
    except BaseException:
        db.close()
        raise
    return db


def open_or_create(target: str | Path, *, clock: Clock = utc_now) -> Database:
    """The database at `target`, created and seeded if the file does not exist yet."""
    is_file = isinstance(target, Path) or "://" not in target
    if is_file and not Path(target).expanduser().exists():
        return create_seeded_database(target, clock=clock)
    return open_database(target, clock=clock)


def backup_database(db: Database, target: Path) -> Path:
    """A consistent copy of the open SQLite database (safe while it is in use)."""
    if db.path is None:
        raise Conflict(
            "共有サーバーのデータベースは、このアプリケーションからはバックアップできません。サーバー管理者に依頼してください。"
        )
    path = backup_to(db.path, target)
    with suppress(StoreError):  # a read-only database cannot record it; the copy is made
        db.log_event("backup", str(path))
    return path


def open_existing(target: str | Path) -> Database:
    """An existing database (never created); see `store.database.open_database`."""
    return open_database(target)


def list_plans(db: Database) -> list[PlanSummary]:
    with db.read_session() as s:
        rows = s.execute(
            select(
                PlanRow.id, PlanRow.name, PlanRow.first_fiscal_year, PlanRow.last_fiscal_year
            ).order_by(PlanRow.id)
        ).all()
    return [PlanSummary(*row) for row in rows]


def default_plan_id(db: Database) -> int:
    plans = list_plans(db)
    if not plans:
        raise NotFound(f"データベース「{db.location}」には計画が登録されていません。")
    return plans[0].id


def import_plan(db: Database, snapshot: PlanSnapshot, *, clock: Clock = utc_now) -> int:
    """Write a whole plan into a database that holds none. All or nothing."""
    problems = validate_snapshot(snapshot)
    if problems:
        raise ValidationError(problems)
    with db.session() as s:
        existing = s.scalar(select(func.count()).select_from(PlanRow))
        if existing:
            raise Conflict(
                f"データベース「{db.location}」には既に計画が登録されているため、"
                "読み込みを中止しました（何も変更していません）。"
                "新しいデータベースファイルを指定してください。"
            )
        return write_snapshot(s, snapshot, created_at=clock())


def export_plan(db: Database, plan_id: int | None = None) -> PlanSnapshot:
    pid = default_plan_id(db) if plan_id is None else plan_id
    with db.read_session() as s:
        return read_snapshot(s, pid)


@dataclass(frozen=True, slots=True)
class CheckReport:
    location: str
    schema_revision: str | None
    schema_head: str
    counts: dict[str, int]
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def check_database(db: Database) -> CheckReport:
    """File integrity (SQLite), schema version and the plan's own consistency rules."""
    problems = sqlite_integrity_problems(db)
    counts: dict[str, int] = {}
    with db.read_session() as s:
        for label, model in (
            ("計画", PlanRow),
            ("戦略の柱", PillarRow),
            ("共創施策", MeasureRow),
            ("共創プロジェクト", ProjectRow),
            ("掲載（再掲を含む）", PlacementRow),
            ("KPI", KpiRow),
            ("KPI年度記録", KpiYearRow),
        ):
            counts[label] = s.scalar(select(func.count()).select_from(model)) or 0
        # Reading a plan assumes sound references (a placement whose project is gone crashed
        # read_snapshot with AttributeError): the plan rules run only on a sound file.
        sound = not problems
        plan_ids = list(s.scalars(select(PlanRow.id).order_by(PlanRow.id))) if sound else []
        for pid in plan_ids:
            snapshot = read_snapshot(s, pid)
            problems.extend(
                f"計画「{snapshot.plan.name}」: {p}" for p in validate_snapshot(snapshot)
            )
    return CheckReport(
        location=db.location,
        schema_revision=db.schema_revision(),
        schema_head=migrate.head_revision(),
        counts=counts,
        problems=problems,
    )


__all__ = [
    "CheckReport",
    "Database",
    "PlanSummary",
    "backup_database",
    "check_database",
    "create_seeded_database",
    "default_plan_id",
    "export_plan",
    "import_plan",
    "list_plans",
    "open_existing",
    "open_or_create",
]
