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
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Changes:
    kpis: frozenset[str] = frozenset()  # KPI ids whose fields or yearly values changed
    projects: frozenset[str] = frozenset()  # project ids whose fields or years changed
    structure: bool = False  # the tree changed shape or labels (pillars, measures, placements)
    # measure codes whose evaluation (施策評価) or panel opinions changed; "plan" for opinions
    # on the whole plan (services/evaluation.py)
    evaluations: frozenset[str] = frozenset()

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            kpis=self.kpis | other.kpis,
            projects=self.projects | other.projects,
            structure=self.structure or other.structure,
            evaluations=self.evaluations | other.evaluations,
        )

    @property
    def empty(self) -> bool:
        return not (self.kpis or self.projects or self.structure or self.evaluations)


NO_CHANGES = Changes()


@dataclass(frozen=True, slots=True)
class Applied[T]:
    """The outcome of one write: what changed, how to undo it, and an optional result
    (the code of a created item, a count...)."""

    changes: Changes = NO_CHANGES
    undo: Callable[[], Applied[T]] | None = None
    value: T | None = None

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
