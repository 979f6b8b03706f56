"""The unit of work every service write runs in: one session, one transaction, its audit rows.

`PlanAccess` names the database, the plan, the user and the clock a set of services work on;
`PlanAccess.transaction()` opens a `Transaction`, which finds rows of that plan by the codes
users know (K01, PJ02, 1-2), writes the audit entries of the change with the same user and
time, and holds the one check of the plan's period. ORM rows never leave a service module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import Enum

from sqlalchemy import select
from sqlalchemy.orm import Session

from aomori_desktop.domain.numbers import decimal_to_text, format_decimal
from aomori_desktop.domain.validation import MAX_NUMBER, MAX_USER, code_number, outside_period
from aomori_desktop.services.changes import replayed_reason
from aomori_desktop.services.errors import (
    ChangedField,
    ChangedMeanwhile,
    Conflict,
    NotFound,
    ValidationError,
    when_text,
)
from aomori_desktop.store.database import Clock, Database, os_user, utc_now
from aomori_desktop.store.engine import one_writer_at_a_time
from aomori_desktop.store.models import (
    AuditRow,
    KpiRow,
    MeasureRow,
    PillarRow,
    PlacementRow,
    PlanRow,
    ProjectRow,
)
from aomori_desktop.store.notify import announce_write

__all__ = [
    "UNSET",
    "PlanAccess",
    "Restamp",
    "Stamp",
    "Transaction",
    "Unset",
    "audit_text",
    "changed_meanwhile",
    "same",
    "shown_value",
    "stale_fields",
    "stale_lines",
    "when_text",
]


class Unset(Enum):
    """Marks a field the caller leaves as it is."""

    UNSET = 0


UNSET = Unset.UNSET


def same(old: object, new: object) -> bool:
    """Equal, and for Decimals also typed with the same precision ("8.4" differs from "8.40")."""
    if isinstance(old, Decimal) and isinstance(new, Decimal):
        return old == new and old.as_tuple().exponent == new.as_tuple().exponent
    return old == new


def audit_text(value: object) -> str | None:
    """How a value is written into the audit log."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return decimal_to_text(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def changed_field_line(field: ChangedField) -> str:
    """KPI K03 令和6(2024)年度の実績値（現在: 1,200）　2026年4月1日 9:30 青森 花子さんが変更"""
    who = ""
    if field.by and field.at is not None:
        who = f"　{when_text(field.at)} {field.by}さんが変更"
    return f"{field.what}（現在: {field.theirs}）{who}"


def changed_meanwhile(lines: Iterable[str | ChangedField], retry: str = "入力") -> Conflict:
    """Refusal of a write (or an undo) over values someone else changed since they were read:
    storing over them would lose that change. `retry` names what the user does again. Each
    line is a sentence, or a `ChangedField` naming who changed it, to what and when."""
    listed = list(lines)
    fields = [f for f in listed if isinstance(f, ChangedField)]
    texts = [changed_field_line(f) if isinstance(f, ChangedField) else f for f in listed]
    return ChangedMeanwhile(
        "この画面を開いた後に、他の利用者（または別の画面）が次の値を変更しています。"
        "何も保存していません。最新の内容を表示しましたので、確認してからもう一度"
        f"{retry}してください:\n" + "\n".join(f"・{line}" for line in texts[:5]),
        fields,
    )


def shown_value(value: object) -> str:
    """A stored value as a refusal names it: 1,200,000 / 確定 / 空欄."""
    if value is None or value == "":
        return "空欄"
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, bool):
        return "はい" if value else "いいえ"
    label = getattr(value, "label", None)
    return label if isinstance(label, str) else str(value)


def stale_fields(
    tx: Transaction,
    where: str,
    entity: str,
    key: str,
    fields: Iterable[tuple[str, str, object, object]],
) -> list[ChangedField]:
    """For (column, label, stored, expected): each field whose stored value is not the one
    expected, with who stored it and when (the audit log's last entry for it)."""
    return [
        tx.changed_field(f"{where}の{label}", shown_value(stored), entity, key, column, stored)
        for column, label, stored, expected in fields
        if not same(stored, expected)
    ]


def stale_lines(where: str, fields: Iterable[tuple[str, object, object]]) -> list[str]:
    """For (label, stored, expected) triples: a line for each field whose stored value is not
    the one expected ("KPI K03の単位（現在: 人）")."""
    return [
        f"{where}の{label}（現在: {shown_value(stored)}）"
        for label, stored, expected in fields
        if not same(stored, expected)
    ]


#: Who entered a yearly record and when (`entered_by`, `entered_at`); None: no record.
Stamp = tuple[str, datetime | None] | None


@dataclass(frozen=True, slots=True)
class Restamp:
    """How an undo (or redo) of a yearly entry treats who/when: if the record still carries
    `left` (the stamp of the write being taken back), `put_back` returns (None: the record
    goes again when it holds nothing); otherwise someone has entered since, and the undo is
    stamped as a new entry."""

    left: Stamp
    put_back: Stamp


class Transaction:
    """One transaction's session, the plan it works on, and its audit writer."""

    def __init__(self, session: Session, plan_id: int, user: str, now: datetime) -> None:
        self.s = session
        self.plan_id = plan_id
        self.user = user
        self.now = now
        self.audited: list[AuditRow] = []  # this write's audit rows (ids once flushed)

    def audit(
        self,
        entity: str,
        key: str,
        field: str,
        old: object,
        new: object,
        *,
        action: str = "update",
        reason: str = "",
    ) -> None:
        row = AuditRow(
            plan_id=self.plan_id,
            at=self.now,
            user=self.user,
            action=action,
            entity=entity,
            entity_key=key,
            field=field,
            old=audit_text(old),
            new=audit_text(new),
            reason=replayed_reason(reason),  # 元に戻す / やり直し while an undo or redo runs
        )
        self.s.add(row)
        self.audited.append(row)

    def changed_field(
        self, what: str, theirs: str, entity: str, key: str, field: str, stored: object
    ) -> ChangedField:
        """A value found changed (`stored` is its raw value now), with who last stored it and
        when (from the audit log)."""
        last = self.s.execute(
            select(AuditRow.user, AuditRow.at)
            .where(
                AuditRow.plan_id == self.plan_id,
                AuditRow.entity == entity,
                AuditRow.entity_key == key,
                AuditRow.field == field,
            )
            .order_by(AuditRow.id.desc())
            .limit(1)
        ).first()
        by, at = (last[0], last[1]) if last else (None, None)
        return ChangedField(what, theirs, by, at, entity, key, field, stored)

    # ------------------------------------------------------------ rows by code

    def plan(self) -> PlanRow:
        return find_plan(self.s, self.plan_id)

    def kpi(self, code: str) -> KpiRow:
        return find_kpi(self.s, self.plan_id, code)

    def project(self, code: str) -> ProjectRow:
        return find_project(self.s, self.plan_id, code)

    def pillar(self, number: int) -> PillarRow:
        return find_pillar(self.s, self.plan_id, number)

    def measure(self, code: str) -> MeasureRow:
        return find_measure(self.s, self.plan_id, code)

    def placement(self, code: str) -> tuple[MeasureRow, PlacementRow]:
        """A placement (P-M-N) and the measure it stands under."""
        measure, _, number = code.rpartition("-")
        measure_row = self.measure(measure)
        row = next((p for p in measure_row.placements if str(p.number) == number), None)
        if row is None:
            raise NotFound(f"掲載 {code} が見つかりません。")
        return measure_row, row

    # ------------------------------------------------------------ the plan's period

    def period(self) -> range:
        plan = self.plan()
        return range(plan.first_fiscal_year, plan.last_fiscal_year + 1)

    def check_period(self, where: str, fiscal_year: int) -> None:
        """Refuse a fiscal year outside the plan's period, naming the period."""
        problem = outside_period(where, fiscal_year, self.period())
        if problem:
            raise ValidationError([problem])


class PlanAccess:
    """The database, the plan, the user and the clock that a set of services share."""

    def __init__(
        self, db: Database, plan_id: int, *, user: str | None = None, clock: Clock = utc_now
    ) -> None:
        self.db = db
        self.plan_id = plan_id
        # the audit log's and the records' `user` columns hold MAX_USER characters
        self.user = (user or os_user())[:MAX_USER]
        self.clock = clock
        # called (on the writing thread) with the audit ids of each committed write: a
        # watcher of others' writes (services/watch.py) tells its own writes apart
        self.committed: list[Callable[[list[int]], None]] = []

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """A write: committed when the block ends, rolled back (nothing written) on an error.
        On a server, listeners hear of it at commit (store/notify.py)."""
        with self.db.session() as s:
            one_writer_at_a_time(s, self.plan_id)
            tx = Transaction(s, self.plan_id, self.user, self.clock())
            yield tx
            if tx.audited:
                announce_write(s, self.plan_id)  # flushes: the audit rows get their ids
        if tx.audited:
            ids = [row.id for row in tx.audited]
            for hook in self.committed:
                hook(ids)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self.db.read_session() as s:
            yield s


# ------------------------------------------------------------ lookups (any session)


def find_plan(s: Session, plan_id: int) -> PlanRow:
    plan = s.get(PlanRow, plan_id)
    if plan is None:
        raise NotFound(
            "計画が見つかりません。データベースが他の利用者によって変更された可能性があります。"
        )
    return plan


def find_kpi(s: Session, plan_id: int, code: str) -> KpiRow:
    row = s.scalar(select(KpiRow).where(KpiRow.plan_id == plan_id, KpiRow.code == code))
    if row is None:
        raise NotFound(f"KPI {code} が見つかりません。")
    return row


def find_project(s: Session, plan_id: int, code: str) -> ProjectRow:
    row = s.scalar(select(ProjectRow).where(ProjectRow.plan_id == plan_id, ProjectRow.code == code))
    if row is None:
        raise NotFound(f"共創プロジェクト {code} が見つかりません。")
    return row


def find_pillar(s: Session, plan_id: int, number: int) -> PillarRow:
    # a number out of range has no row (and one beyond 64 bits cannot even be queried)
    row = (
        s.scalar(select(PillarRow).where(PillarRow.plan_id == plan_id, PillarRow.number == number))
        if 1 <= number <= MAX_NUMBER
        else None
    )
    if row is None:
        raise NotFound(f"戦略の柱 {number} が見つかりません。")
    return row


def find_measure(s: Session, plan_id: int, code: str) -> MeasureRow:
    pillar, _, number = code.partition("-")
    p, m = code_number(pillar), code_number(number)
    row = (
        s.scalar(
            select(MeasureRow)
            .join(PillarRow)
            .where(PillarRow.plan_id == plan_id, PillarRow.number == p, MeasureRow.number == m)
        )
        if p is not None and m is not None  # no row has such a code (nor could a query hold it)
        else None
    )
    if row is None:
        raise NotFound(f"共創施策 {code} が見つかりません。")
    return row
