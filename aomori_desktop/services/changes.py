"""What a service call changed, and how to take it back.

Every write in `services/` returns an `Applied`: the typed change record (`Changes`, the ids of
what changed, so each view refreshes only what it shows) and `undo`, a call that puts back what
this write changed. Running `undo` returns another `Applied` whose `undo` redoes the write, so
one pair of calls serves undo and redo, built by the service that knows the state before.

Threading: `undo` is run on the same database worker as the write (see `ui/operations.py`);
it touches no widget.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True, slots=True)
class Changes:
    kpis: frozenset[str] = frozenset()  # KPI ids whose fields or yearly values changed
    projects: frozenset[str] = frozenset()  # project ids whose fields or years changed
    structure: bool = False  # the tree changed shape or labels (pillars, measures, placements)
    # measure codes whose evaluation (施策評価) or panel opinions changed; "plan" for opinions
    # on the whole plan (services/evaluation.py)
    evaluations: frozenset[str] = frozenset()
    # the KPIs named are graded anew but their figures are as they were (a new grade scheme):
    # what is held of their values (services/figures.py) stays good
    grades_only: bool = False

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            kpis=self.kpis | other.kpis,
            projects=self.projects | other.projects,
            structure=self.structure or other.structure,
            evaluations=self.evaluations | other.evaluations,
            # only when every side naming KPIs only regrades them
            grades_only=bool(self.kpis or other.kpis)
            and (self.grades_only or not self.kpis)
            and (other.grades_only or not other.kpis),
        )

    @property
    def empty(self) -> bool:
        return not (self.kpis or self.projects or self.structure or self.evaluations)


NO_CHANGES = Changes()


class Replay(Enum):
    """What a write is when it takes back (or repeats) an earlier one: its audit entries say
    so in their reason, and the history shows 元に戻す / やり直し."""

    UNDO = "元に戻す"
    REDO = "やり直し"


_REPLAYING: ContextVar[Replay | None] = ContextVar("aomori_replaying", default=None)


def replaying() -> Replay | None:
    """Whether the write running now (on this thread) is an undo, a redo or neither."""
    return _REPLAYING.get()


def replayed_reason(reason: str) -> str:
    """The audit reason of a write: marked 「元に戻す」/「やり直し」 while an undo or redo runs
    (「元に戻す: 見直しの取り消し（…）」 when the write has a reason of its own)."""
    kind = _REPLAYING.get()
    if kind is None:
        return reason
    return f"{kind.value}: {reason}" if reason else kind.value


class _Replay[T]:
    """An undo (or redo) step that marks the writes it makes, wherever it was built and on
    whichever thread it runs."""

    __slots__ = ("kind", "step")

    def __init__(self, step: Callable[[], Applied[T]], kind: Replay) -> None:
        self.step = step
        self.kind = kind

    def __call__(self) -> Applied[T]:
        token = _REPLAYING.set(self.kind)
        try:
            return self.step()
        finally:
            _REPLAYING.reset(token)


@dataclass(frozen=True, slots=True)
class Applied[T]:
    """The outcome of one write: what changed, how to undo it, and an optional result
    (the code of a created item, a count...).

    The `undo` given is marked as what it is: an undo, or, for an `Applied` built while an
    undo runs (the inverse of the inverse), a redo. Its writes are then audited with the
    reason 「元に戻す」 or 「やり直し」 (`replayed_reason`); no service has to do anything for it.
    """

    changes: Changes = NO_CHANGES
    undo: Callable[[], Applied[T]] | None = None
    value: T | None = None

    def __post_init__(self) -> None:
        if self.undo is not None and not isinstance(self.undo, _Replay):
            kind = Replay.REDO if _REPLAYING.get() is Replay.UNDO else Replay.UNDO
            object.__setattr__(self, "undo", _Replay(self.undo, kind))

    @property
    def empty(self) -> bool:
        return self.changes.empty


def combined[T](first: Applied[T], then: Applied[T]) -> Applied[T]:
    """Two writes taken back as one step (the later one first)."""
    undo_first, undo_then = first.undo, then.undo
    if undo_first is None or undo_then is None:
        return Applied(first.changes | then.changes, None, then.value)

    def undo() -> Applied[T]:
        back_then = undo_then()
        back_first = undo_first()
        return combined(back_first, back_then)

    return Applied(first.changes | then.changes, undo, then.value)
