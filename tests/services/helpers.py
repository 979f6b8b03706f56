"""Reading what a services call left in the database (a file or a server database), with the
plain driver (tests/backends.py)."""

from __future__ import annotations

from typing import Any

from aomori_desktop.domain.plan import Placement, Project
from aomori_desktop.services.changes import Applied, Changes
from aomori_desktop.services.plan_services import PlanServices
from tests.backends import Target, dump, refuse_inserts, rows

__all__ = ["audit", "dump", "outcome", "refuse_inserts", "rows", "whole_project"]


def audit(path: Target) -> list[tuple[Any, ...]]:
    """(user, at, action, entity, entity_key, field, old, new, reason) of every audit row."""
    return rows(
        path,
        'SELECT "user", at, action, entity, entity_key, field, old, new, reason '
        "FROM audit_log ORDER BY id",
    )


def whole_project(services: PlanServices, code: str) -> tuple[Project, list[Placement]]:
    """A project and where it is listed (home first): what a removal keeps to restore it."""
    return services.queries.project(code), services.queries.placements(code)


def outcome(applied: Applied[Any]) -> tuple[Any, Changes]:
    """(value, changes) of a service write: what it created or where it moved, what changed."""
    return applied.value, applied.changes
