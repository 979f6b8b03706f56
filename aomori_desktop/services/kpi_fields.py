"""A KPI's own fields (name, unit, baseline, direction, 出典…) and revisions of its target.

A target is never overwritten silently: each revision keeps the old target, the new one and
the reason in the KPI's history, and an undo is one more revision (`undo_reason`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from aomori_desktop.domain.fiscal import fy_label
from aomori_desktop.domain.numbers import format_decimal
from aomori_desktop.domain.plan import Direction
from aomori_desktop.domain.validation import (
    MAX_TEXT,
    REVISION_TEXT,
    kpi_field_problems,
    text_problems,
    year_value_problems,
)
from aomori_desktop.services.changes import Applied, Changes
from aomori_desktop.services.errors import ChangedField, ValidationError
from aomori_desktop.services.snapshot_io import kpi_from_row
from aomori_desktop.services.transaction import (
    UNSET,
    PlanAccess,
    Unset,
    changed_meanwhile,
    same,
    stale_fields,
)
from aomori_desktop.store.models import TargetRevisionRow

__all__ = [
    "KpiFields",
    "KpiFieldsEdit",
    "entered_value",
    "expecting_theirs",
    "set_fields",
    "undo_reason",
]

_UNDO_PREFIX = "見直しの取り消し（元の理由: "
_UNDO_SUFFIX = "）"


def undo_reason(reason: str) -> str:
    """The reason recorded when a target revision is undone: 見直しの取り消し（元の理由: …）.

    The quoted original reason is shortened with 「…」 so that the whole stays within the
    limit of a reason (`MAX_TEXT`): an undo must never be refused for its own reason.
    """
    original = reason.strip()
    room = MAX_TEXT - len(_UNDO_PREFIX) - len(_UNDO_SUFFIX)
    if len(original) > room:
        original = original[: room - 1].rstrip() + "…"
    return f"{_UNDO_PREFIX}{original}{_UNDO_SUFFIX}"


@dataclass(frozen=True, slots=True)
class KpiFieldsEdit:
    """Editable fields of a KPI (the target is changed only by `revise_target`)."""

    name: str | Unset = UNSET
    unit: str | Unset = UNSET
    baseline: Decimal | Unset = UNSET
    baseline_fiscal_year: int | Unset = UNSET
    baseline_fiscal_year_confirmed: bool | Unset = UNSET
    direction: Direction | Unset = UNSET
    cumulative: bool | Unset = UNSET
    data_source: str | Unset = UNSET
    responsible_section: str | Unset = UNSET
    definition: str | Unset = UNSET


_TEXT_FIELDS = ("name", "unit", "data_source", "responsible_section", "definition")


_LABELS = {
    "name": "KPI名",
    "unit": "単位",
    "baseline": "基準値",
    "baseline_fiscal_year": "基準年度",
    "baseline_fiscal_year_confirmed": "基準年度の確認",
    "direction": "方向",
    "cumulative": "累計",
    "data_source": "出典",
    "responsible_section": "担当課",
    "definition": "定義・備考",
}

Target = tuple[Decimal, int]  # a target value and its fiscal year


class KpiFields:
    """Edits the fields and the target of one plan's KPIs."""

    def __init__(self, access: PlanAccess) -> None:
        self._access = access

    def update_kpi(
        self, kpi: str, edit: KpiFieldsEdit, *, expected: KpiFieldsEdit | None = None
    ) -> Applied[None]:
        """Change the fields `edit` sets. With `expected` (what the screen showed, or what
        the write being undone stored), nothing is stored if another user changed one since.
        The undo puts back the changed fields, expecting what this call stored."""
        with self._access.transaction() as tx:
            row = tx.kpi(kpi)
            if expected is not None:
                stale = stale_fields(
                    tx,
                    f"KPI {kpi}",
                    "kpi",
                    kpi,
                    (
                        (name, _LABELS[name], getattr(row, name), value)
                        for name, value in set_fields(expected).items()
                    ),
                )
                if stale:
                    raise changed_meanwhile(stale)
            updates = set_fields(edit)
            for name in _TEXT_FIELDS:
                if name in updates:
                    updates[name] = str(updates[name]).strip()
            candidate = replace(kpi_from_row(row), **updates)
            problems = kpi_field_problems(candidate, changed=updates)
            if {"unit", "definition"} & updates.keys():  # the stored figures must still fit
                problems.extend(year_value_problems(candidate, row.years))
            if problems:
                raise ValidationError(problems)
            before: dict[str, object] = {}
            after: dict[str, object] = {}
            for name, value in updates.items():
                old = getattr(row, name)
                stored = value.value if isinstance(value, Direction) else value
                if same(old, stored):
                    continue
                setattr(row, name, stored)
                tx.audit("kpi", kpi, name, old, stored)
                before[name] = Direction(old) if name == "direction" else old
                after[name] = value
        if not after:
            return Applied()
        undo, done = KpiFieldsEdit(**before), KpiFieldsEdit(**after)  # type: ignore[arg-type]
        return Applied(
            Changes(kpis=frozenset({kpi}), structure="name" in after),  # the tree shows names
            lambda: self.update_kpi(kpi, undo, expected=done),
        )

    def revise_target(
        self,
        kpi: str,
        new_value: Decimal,
        new_fiscal_year: int,
        reason: str,
        *,
        expected: Target | None = None,
    ) -> Applied[None]:
        """Change the KPI's target; the old target and the reason stay in its history.

        The undo is another revision back to the old target, with the reason
        `undo_reason(reason)`: the history keeps every revision, the undone one too. With
        `expected` (the target and its year as the screen showed them), nothing is stored if
        another user revised the target since.
        """
        reason = reason.strip()
        return self._revise(
            kpi,
            (new_value, new_fiscal_year),
            reason,
            expected=expected,
            undo_with=undo_reason(reason),
        )

    def _revise(
        self, kpi: str, target: Target, reason: str, *, expected: Target | None, undo_with: str
    ) -> Applied[None]:
        """One revision to `target`; its undo revises back with the reason `undo_with` (and
        the redo with this `reason` again)."""
        new_value, new_fiscal_year = target
        with self._access.transaction() as tx:
            row = tx.kpi(kpi)
            old: Target = (row.target, row.target_fiscal_year)
            if expected is not None and not (same(old[0], expected[0]) and old[1] == expected[1]):
                raise changed_meanwhile(
                    [f"KPI {kpi}の目標値（現在: {format_decimal(old[0])}、{fy_label(old[1])}）"]
                )
            problems = []
            if not reason:
                problems.append(f"KPI {kpi}: 目標値を見直す理由を入力してください。")
            problems.extend(text_problems(f"KPI {kpi}", REVISION_TEXT, {"reason": reason}))
            if new_value == row.target and new_fiscal_year == row.target_fiscal_year:
                problems.append(f"KPI {kpi}: 目標値と目標年度が現在と同じです。")
            candidate = replace(
                kpi_from_row(row), target=new_value, target_fiscal_year=new_fiscal_year
            )
            changed = ("target", "target_fiscal_year")
            problems.extend(kpi_field_problems(candidate, changed=changed, period=tx.period()))
            if problems:
                raise ValidationError(problems)
            tx.s.add(
                TargetRevisionRow(
                    kpi_id=row.id,
                    old_value=row.target,
                    old_fiscal_year=row.target_fiscal_year,
                    new_value=new_value,
                    new_fiscal_year=new_fiscal_year,
                    reason=reason,
                    revised_by=tx.user,
                    revised_at=tx.now,
                )
            )
            if new_value != row.target:
                tx.audit("kpi_target", kpi, "target", row.target, new_value, reason=reason)
                row.target = new_value
            if new_fiscal_year != row.target_fiscal_year:
                tx.audit(
                    "kpi_target",
                    kpi,
                    "target_fiscal_year",
                    row.target_fiscal_year,
                    new_fiscal_year,
                    reason=reason,
                )
                row.target_fiscal_year = new_fiscal_year
        return Applied(
            Changes(kpis=frozenset({kpi})),
            lambda: self._revise(kpi, old, undo_with, expected=target, undo_with=reason),
        )


def expecting_theirs(
    kpi: str, expected: KpiFieldsEdit, fields: Sequence[ChangedField]
) -> KpiFieldsEdit:
    """What to expect when the user writes their own fields of `kpi` over the changes a
    refusal (`ChangedMeanwhile.fields`) named: each changed field as it is stored now, the
    others as the screen showed them. A change made after the refusal is refused again."""
    now: dict[str, Any] = {
        f.field: f.stored
        for f in fields
        if f.entity == "kpi" and f.key == kpi and f.field in _LABELS
    }
    if isinstance(now.get("direction"), str):
        now["direction"] = Direction(now["direction"])
    return replace(expected, **{k: v for k, v in now.items() if k in set_fields(expected)})


def entered_value(kpi: str, edit: KpiFieldsEdit, field: ChangedField) -> object:
    """The value the user entered for the field a refusal names (UNSET: not in `edit`)."""
    if field.entity != "kpi" or field.key != kpi or field.field not in _LABELS:
        return UNSET
    return getattr(edit, field.field)


def set_fields(edit: KpiFieldsEdit) -> dict[str, Any]:
    """The fields an edit sets (those not left UNSET)."""
    return {
        name: value
        for name in KpiFieldsEdit.__dataclass_fields__
        if not isinstance(value := getattr(edit, name), Unset)
    }
