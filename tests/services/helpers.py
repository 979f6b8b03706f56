"""Reading what a services call left in the database file, with plain sqlite3."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from aomori_desktop.domain.plan import Placement, Project
from aomori_desktop.services.changes import Applied, Changes
from aomori_desktop.services.plan_services import PlanServices


def rows(path: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def audit(path: Path) -> list[tuple[Any, ...]]:
    """(user, at, action, entity, entity_key, field, old, new, reason) of every audit row."""
    return rows(
        path,
        'SELECT "user", at, action, entity, entity_key, field, old, new, reason '
        "FROM audit_log ORDER BY id",
    )


def dump(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def whole_project(services: PlanServices, code: str) -> tuple[Project, list[Placement]]:
    """A project and where it is listed (home first): what a removal keeps to restore it."""
    return services.queries.project(code), services.queries.placements(code)


def outcome(applied: Applied[Any]) -> tuple[Any, Changes]:
    """(value, changes) of a service write: what it created or where it moved, what changed."""
    return applied.value, applied.changes
