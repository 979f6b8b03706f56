"""Moving a whole database between a file and a server: `aomori-desktop copy --from A --to B`.

Every table of the application is copied row by row with its ids, so the plan, its history
(audit trail, target revisions) and the file's maintenance log arrive exactly as they were;
decimal values travel as the text they are stored as. The target is written in one
transaction: a failure or a cancel leaves it as it was. A target that already holds data is
refused unless the caller asks to replace it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, func, select, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from aomori_desktop.services.errors import Conflict
from aomori_desktop.services.tasks import TaskState
from aomori_desktop.store.database import Database, create_database, open_database
from aomori_desktop.store.engine import is_sqlite, sqlite_path, to_url
from aomori_desktop.store.errors import DatabaseAlreadyExists, translate_error
from aomori_desktop.store.models import Base, PlanRow

__all__ = ["CopyReport", "copy_database"]

_BATCH = 2000


@dataclass(frozen=True, slots=True)
class CopyReport:
    source: str
    target: str
    rows: dict[str, int]  # table → rows copied
    created: bool  # the target was created by the copy

    @property
    def total(self) -> int:
        return sum(self.rows.values())


@contextmanager
def _target(target: str | Path) -> Iterator[tuple[Database, bool]]:
    """The target database, created (schema only) when it is a new file or an empty server
    database; a file created here is removed again if the copy fails."""
    url = to_url(target)
    created = False
    try:
        db = create_database(target)
        created = True
    except DatabaseAlreadyExists:
        db = open_database(target)
    try:
        yield db, created
    except BaseException:
        db.close()
        if created and is_sqlite(url):
            path = sqlite_path(url)
            for candidate in (path, path.with_name(path.name + "-journal")):
                with suppress(OSError):
                    candidate.unlink(missing_ok=True)
        raise
    db.close()


def _holds_data(conn: Connection) -> bool:
    return bool(conn.scalar(select(func.count()).select_from(PlanRow)))


def copy_database(
    source: str | Path,
    target: str | Path,
    *,
    replace: bool = False,
    state: TaskState | None = None,
) -> CopyReport:
    """Copy everything in `source` into `target` (a file path or a server URL)."""
    state = state or TaskState()
    if str(to_url(source)) == str(to_url(target)):
        raise Conflict("コピー元とコピー先が同じデータベースです。別のコピー先を指定してください。")
    src = open_database(source)
    try:
        with _target(target) as (dst, created):
            rows = _copy_rows(src, dst, replace=replace, state=state)
            dst.log_event("copied", f"from {src.location}")
            return CopyReport(src.location, dst.location, rows, created)
    finally:
        src.close()


def _copy_rows(src: Database, dst: Database, *, replace: bool, state: TaskState) -> dict[str, int]:
    tables = Base.metadata.sorted_tables
    copied: dict[str, int] = {}
    try:
        with src.engine.connect() as read, dst.engine.begin() as write:
            if _holds_data(write) and not replace:
                raise Conflict(
                    f"コピー先「{dst.location}」には既にデータがあります。上書きはしません"
                    "（置き換えるには --replace を指定してください）。何も変更していません。"
                )
            for table in reversed(tables):
                write.execute(table.delete())
            totals = {
                t.name: int(read.scalar(select(func.count()).select_from(t)) or 0) for t in tables
            }
            grand_total = sum(totals.values())
            done = 0
            for table in tables:
                state.check()  # nothing is committed until the last table is in
                result = read.execute(select(table).order_by(*table.primary_key.columns))
                copied[table.name] = 0
                while batch := result.mappings().fetchmany(_BATCH):
                    write.execute(table.insert(), [dict(row) for row in batch])
                    copied[table.name] += len(batch)
                    done += len(batch)
                    state.report(done, grand_total, table.name)
            state.check()
            if not is_sqlite(dst.url):
                _reset_sequences(write)
    except (DBAPIError, SQLAlchemyError) as exc:
        raise translate_error(exc, dst.location) from exc
    return copied


def _reset_sequences(conn: Connection) -> None:
    """Rows came with their ids: the server's id counters continue after the largest."""
    for table in Base.metadata.sorted_tables:
        columns = list(table.primary_key.columns)
        if len(columns) != 1 or not columns[0].autoincrement or columns[0].name != "id":
            continue
        sequence = conn.scalar(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table.name})
        if sequence:
            conn.execute(
                text(
                    f"SELECT setval('{sequence}', COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                )
            )
