"""Errors raised by services: each carries a Japanese sentence for the user."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from aomori_desktop.domain.errors import UserError

#: problems listed in one message (the rest are counted)
MAX_LISTED = 50


class ServiceError(UserError):
    pass


class NotFound(ServiceError):
    pass


class Conflict(ServiceError):
    """The change contradicts what is stored (e.g. a plan already exists)."""


JST = timezone(timedelta(hours=9))


def when_text(at: datetime) -> str:
    """A time as a refusal names it: 2026年4月1日 9:30 (Japan time)."""
    local = at.astimezone(JST)
    return f"{local.year}年{local.month}月{local.day}日 {local.hour}:{local.minute:02d}"


@dataclass(frozen=True, slots=True)
class ChangedField:
    """A value someone else stored after the user's screen showed it: what it is, what it is
    now (as shown), and who stored it when (from the audit log; None when it has no entry).

    `entity`, `key` and `field` name the value as the audit log does, and `stored` is the
    value as stored now: writing the user's own value over it expects `stored`, so a third
    change made in between is refused again."""

    what: str  # "KPI K03 令和6(2024)年度の実績値"
    theirs: str  # "1,200" / "空欄"
    by: str | None = None
    at: datetime | None = None
    entity: str = ""  # "kpi_year"
    key: str = ""  # "K03/2024"
    field: str = ""  # "actual"
    stored: object = None  # Decimal("1200"), "final", None…


class ChangedMeanwhile(Conflict):
    """A write refused because another user changed the values it would overwrite; `fields`
    names each (the window offers to keep theirs or to write the user's own again)."""

    def __init__(self, message: str, fields: Sequence[ChangedField]) -> None:
        super().__init__(message)
        self.fields = tuple(fields)


class ValidationError(ServiceError):
    """One or more values are invalid; `problems` lists each with its location."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        if len(self.problems) == 1:
            message = self.problems[0]
        else:
            shown = [f"・{p}" for p in self.problems[:MAX_LISTED]]
            if len(self.problems) > MAX_LISTED:  # a hostile file can hold thousands
                shown.append(f"…ほか{len(self.problems) - MAX_LISTED:,}件")
            message = f"{len(self.problems):,}件の問題があります:\n" + "\n".join(shown)
        super().__init__(message)
