"""What others wrote into the open plan since this window last looked: another PC on the same
file, a command-line import, another user on the same server.

Every write appends audit rows in its own transaction (services/transaction.py), so the audit
log says what changed and who changed it. `changes_since(access, last_id)` reads the rows
after `last_id` and turns them into the `Changes` record the views already understand (a KPI's
values → that KPI; a project's years → that project; a pillar, measure or placement → the tree
…); a row it cannot place makes a broad change that refreshes everything. When nothing was
written, it costs one query on the audit log's primary key.

`PlanWatch` keeps the last id for one window and leaves out the window's own writes (the
audit ids of its committed transactions, `PlanAccess.committed`), which the window has
already shown. On a server, `PlanWatch.listen` wakes the window at once on each write
(store/notify.py, LISTEN/NOTIFY); on a file, and on a server while listening fails, the
window polls `PlanWatch.check`.

Threading: `check` runs a read on the calling thread; the own-write hook runs on the writing
thread (the database worker), hence the lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Container
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from aomori_desktop.services.changes import NO_CHANGES, Changes
from aomori_desktop.services.transaction import PlanAccess
from aomori_desktop.store.models import AuditRow, KpiRow, MeasureRow, PillarRow, ProjectRow
from aomori_desktop.store.notify import WriteListener

__all__ = ["OthersChanged", "PlanWatch", "changes_since", "last_audit_id"]

#: more rows than this since the last look (a large import): refresh everything
MAX_ROWS = 2000

_KPI_ENTITIES = {"kpi", "kpi_year", "kpi_target"}
_PROJECT_ENTITIES = {"project", "project_year", "project_evaluation"}
_TREE_FIELDS = {"name", "title", "measures", "order"}  # what the tree shows of a KPI/project


@dataclass(frozen=True, slots=True)
class OthersChanged:
    """Writes by others: what they changed, who, and what the user knows it by (K03, PJ02,
    1-2). Emitted by the window as the `initiator` of `PlanDocument.changed`."""

    changes: Changes
    users: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    everything: bool = False  # rows that could not be placed: everything was refreshed

    def sentence(self) -> str:
        """他の利用者（青森 太郎さん）が K03 を変更しました"""
        who = "他の利用者" + (
            f"（{'、'.join(f'{u}さん' for u in self.users[:3])}）" if self.users else ""
        )
        if self.everything or not self.items:
            return f"{who}が計画を変更しました。表示を更新しました。"
        shown = "、".join(self.items[:5]) + (" ほか" if len(self.items) > 5 else "")
        return f"{who}が {shown} を変更しました"


def last_audit_id(access: PlanAccess) -> int:
    """The id of the plan's newest audit row (0: none)."""
    with access.reading() as s:
        return _last_id(s, access.plan_id)


def _last_id(s: Session, plan_id: int) -> int:
    # newest first on the primary key: stops at the first row of this plan (one plan per
    # database is the rule, so that is the newest row); `+ 0` keeps SQLite off the
    # (plan, entity, key) index, which would read every row of the plan
    found = s.connection().execute(_LAST_ID, {"plan_id": plan_id}).scalar()
    return int(found or 0)


def changes_since(
    access: PlanAccess, last_id: int, *, own: Container[int] = frozenset()
) -> tuple[OthersChanged | None, int]:
    """The changes others made to the plan after audit id `last_id` (leaving out the ids in
    `own`), and the id to look from next time. None when there are none.

    Writes to one plan commit in the order of their audit ids (SQLite has one writer; on a
    server they take turns on the plan's lock, store/engine.py), so nothing committed later
    can carry an id at or below the one returned."""
    with access.reading() as s:
        newest = _last_id(s, access.plan_id)
        if newest <= last_id:
            return None, last_id
        rows = (
            s.connection()
            .execute(_SINCE, {"after": last_id, "newest": newest, "plan_id": access.plan_id})
            .all()
        )
        theirs = [r for r in rows if r.id not in own]
        if not theirs:
            return None, newest
        users = tuple(dict.fromkeys(r.user for r in theirs))
        if len(rows) > MAX_ROWS:
            return OthersChanged(everything_of(s, access.plan_id), users, (), True), newest
        changes, items, placed = NO_CHANGES, list[str](), True
        for r in theirs:
            change = _classify(r.action, r.entity, r.entity_key, r.field, r.old, r.new)
            if change is None:
                placed = False
                continue
            changes |= change[0]
            items.append(change[1])
        if not placed:
            return OthersChanged(everything_of(s, access.plan_id), users, (), True), newest
        return OthersChanged(changes, users, tuple(dict.fromkeys(items))), newest


def _classify(
    action: str, entity: str, key: str, field: str, old: str | None, new: str | None
) -> tuple[Changes, str] | None:
    """The change one audit row stands for and the item it names; None: not known here."""
    code = key.partition("/")[0]  # "K03/2024" → K03
    shape = action in ("create", "delete", "restore", "move") or field in _TREE_FIELDS
    if entity in _KPI_ENTITIES:
        return Changes(kpis=frozenset({code}), structure=entity == "kpi" and shape), code
    if entity in _PROJECT_ENTITIES:
        return Changes(projects=frozenset({code}), structure=entity == "project" and shape), code
    if entity == "placement":
        projects = frozenset(v for v in (old, new) if v and field == "project")
        return Changes(projects=projects, structure=True), key
    if entity in ("pillar", "measure"):
        return Changes(structure=True), key
    if entity == "measure_evaluation":
        return Changes(evaluations=frozenset({key})), key
    return None  # panel opinions, the grade scheme, anything new: refresh everything


def everything_of(s: Session, plan_id: int) -> Changes:
    """A change naming every KPI, project and measure of the plan, and the tree."""
    kpis = s.scalars(select(KpiRow.code).where(KpiRow.plan_id == plan_id))
    projects = s.scalars(select(ProjectRow.code).where(ProjectRow.plan_id == plan_id))
    measures = s.execute(
        select(PillarRow.number, MeasureRow.number)
        .join(PillarRow)
        .where(PillarRow.plan_id == plan_id)
    )
    return Changes(
        kpis=frozenset(kpis),
        projects=frozenset(projects),
        structure=True,
        evaluations=frozenset({"plan", *(f"{p}-{m}" for p, m in measures)}),
    )


class PlanWatch:
    """Others' writes to one plan, as one window sees them: the last id looked at, and the
    window's own writes left out."""

    def __init__(self, access: PlanAccess) -> None:
        self._access = access
        self._lock = threading.Lock()
        self._own: set[int] = set()
        self.last_id = last_audit_id(access)  # what is on screen now is up to date
        access.committed.append(self._note_own)

    def _note_own(self, ids: list[int]) -> None:
        with self._lock:
            self._own.update(i for i in ids if i > self.last_id)

    def check(self) -> OthersChanged | None:
        """Others' writes since the last check (None: nothing new), on the calling thread."""
        found, last = changes_since(self._access, self.last_id, own=self._own)
        with self._lock:
            self.last_id = max(self.last_id, last)
            self._own = {i for i in self._own if i > self.last_id}
        return found

    def listen(
        self,
        on_write: Callable[[], None],
        on_lost: Callable[[], None],
        *,
        on_listening: Callable[[], None] | None = None,
        wait_s: float = 0.0,
    ) -> WriteListener | None:
        """On a server: a listener calling `on_write` (on its own thread) after each write to
        this plan, whoever made it, `on_lost` if listening fails (poll `check` then, as
        meanwhile while it connects) and `on_listening` whenever LISTEN is in force (at first,
        and again after it tried anew following a failure); it waits up to `wait_s` for LISTEN
        to be in force. None on a file: poll `check`."""
        db = self._access.db
        if db.is_sqlite:
            return None
        plan_id = self._access.plan_id

        def heard(written: int) -> None:
            if written == plan_id:
                on_write()

        listener = WriteListener(db.engine, heard, on_lost, on_listening)
        listener.start(wait_s)
        return listener

    def close(self) -> None:
        if self._note_own in self._access.committed:
            self._access.committed.remove(self._note_own)


# built once: every turn that reads figures, and the watch's poll, run them
_LAST_ID = (
    select(AuditRow.id)
    .where(AuditRow.plan_id + 0 == bindparam("plan_id"))
    .order_by(AuditRow.id.desc())
    .limit(1)
)
_SINCE = (
    select(
        AuditRow.id,
        AuditRow.user,
        AuditRow.action,
        AuditRow.entity,
        AuditRow.entity_key,
        AuditRow.field,
        AuditRow.old,
        AuditRow.new,
    )
    .where(
        AuditRow.id > bindparam("after"),
        AuditRow.id <= bindparam("newest"),
        AuditRow.plan_id + 0 == bindparam("plan_id"),  # by id, not the plan index
    )
    .order_by(AuditRow.id)
    .limit(MAX_ROWS + 1)
)
