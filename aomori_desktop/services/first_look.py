"""A first look at a local database file for the window's first paint, before SQLAlchemy loads.

The file is opened read-only with the standard library's `sqlite3` (``file:…?mode=ro``), its
schema revision compared with this application's, and the plan tree with the badges of one
fiscal year read with the statements `PlanQueries` runs (services/plan_tree.py). Whatever is
unusual (a server URL, a missing file, a file someone has open for editing, an older or newer
schema, a damaged file, no plan) gives None: the caller then opens the database the normal way,
whose sentences explain the problem. Nothing here writes, locks or creates anything.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from aomori_desktop.domain.progress import YearProgress
from aomori_desktop.services.dto import TreeNode
from aomori_desktop.services.plan_tree import (
    FIRST_PLAN_SQL,
    PLAN_SQL,
    PROGRESS_SQL,
    THRESHOLDS_SQL,
    TREE_SQL,
    build_progress,
    build_scheme,
    build_tree,
)
from aomori_desktop.store.lock import lock_path
from aomori_desktop.store.revision import SCHEMA_HEAD

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"


@dataclass(frozen=True, slots=True)
class FirstLook:
    """What the first paint shows: the file, the tree, the fiscal year and its badges."""

    path: Path
    tree: TreeNode
    fiscal_years: range
    fiscal_year: int
    progress: dict[str, YearProgress]


def first_look(target: str, choose_year: Callable[[range], int]) -> FirstLook | None:
    """The tree of the database file at `target`, or None when the normal opening must go
    first. `choose_year(fiscal_years)` picks the year whose badges are shown (the one the
    window will show when the full opening is done)."""
    if "://" in target:
        return None  # a server (or a URL): the normal opening
    try:
        path = Path(target).expanduser().resolve()
        if not _plain_file(path):
            return None
        return _read(path, choose_year)
    except Exception as exc:  # anything unexpected: the normal opening says what it is
        log.info("first look at %s skipped: %s", target, exc)
        return None


def _plain_file(path: Path) -> bool:
    """An existing, writable SQLite file that nobody has open for editing, without a journal
    left by an interrupted write (the normal opening deals with each of these)."""
    if not path.is_file() or not os.access(path, os.R_OK | os.W_OK):
        return False
    if lock_path(path).exists() or path.with_name(path.name + "-journal").exists():
        return False
    with path.open("rb") as f:
        return f.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC


def _read(path: Path, choose_year: Callable[[range], int]) -> FirstLook | None:
    uri = f"{path.as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True, timeout=0.5)) as conn:
        versions = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        if versions != [(SCHEMA_HEAD,)]:
            return None  # older (to be upgraded), newer (refused) or unknown
        (plan_id,) = conn.execute(FIRST_PLAN_SQL).fetchone()
        if plan_id is None:
            return None
        params = {"plan_id": plan_id}
        name, first_fy, last_fy, scheme_key = conn.execute(PLAN_SQL, params).fetchone()
        fiscal_years = range(first_fy, last_fy + 1)
        fiscal_year = choose_year(fiscal_years)
        scheme = build_scheme(scheme_key, conn.execute(THRESHOLDS_SQL, params).fetchall())
        tree = build_tree(name, conn.execute(TREE_SQL, params))
        rows = conn.execute(PROGRESS_SQL, {"plan_id": plan_id, "fiscal_year": fiscal_year})
        progress = build_progress(rows, fiscal_year, scheme)
    return FirstLook(path, tree, fiscal_years, fiscal_year, progress)
