"""What a service call changed, so each view refreshes only what it shows."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Changes:
    kpis: frozenset[str] = frozenset()  # KPI ids whose fields or yearly values changed
    projects: frozenset[str] = frozenset()  # project ids whose fields or years changed
    structure: bool = (
        False  # the tree changed shape or labels (pillars, measures, placements, links)
    )
    plan: bool = False  # plan-level fields (name, period, thresholds)

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            kpis=self.kpis | other.kpis,
            projects=self.projects | other.projects,
            structure=self.structure or other.structure,
            plan=self.plan or other.plan,
        )

    @property
    def empty(self) -> bool:
        return not (self.kpis or self.projects or self.structure or self.plan)
