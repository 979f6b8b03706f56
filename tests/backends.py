"""The two database back ends the storage, service, copy and concurrency tests run on.

SQLite: a file copied per test from a seeded template file. PostgreSQL: a database created
per test from a seeded template database (CREATE DATABASE … TEMPLATE, a file copy on the
server, much faster than seeding), on the server named by AOMORI_TEST_POSTGRES_URL
(`.ci/run` starts one with scripts/pg_cluster.sh). Without that variable the PostgreSQL
cases are skipped locally, and fail in CI (CI=true), where a skipped back end would hide a
broken one.

The helpers read what a test left in the database with the plain driver (sqlite3 or psycopg),
not through the application, and give PostgreSQL's values as sqlite3 gives them (timestamps
as text, booleans as 0/1) so that one expectation serves both.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

POSTGRES_URL_VAR = "AOMORI_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", "postgresql"]

Target = Path | str


def parametrize_backends(metafunc: pytest.Metafunc) -> None:
    """For a conftest's `pytest_generate_tests`: a test asking for the `backend` fixture runs on
    both back ends, or only on SQLite when marked `sqlite_only` (a test whose failure happens
    before the database is reached: doubling it would test the same code twice). The fixture
    is session-scoped, so each back end's template database is made once."""
    if "backend" not in metafunc.fixturenames:
        return
    only_sqlite = metafunc.definition.get_closest_marker("sqlite_only") is not None
    metafunc.parametrize(
        "backend", ["sqlite"] if only_sqlite else BACKENDS, indirect=True, scope="session"
    )


def postgres_url() -> str:
    """The test server's URL; skips (or, in CI, fails) the test when there is none."""
    url = os.environ.get(POSTGRES_URL_VAR, "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{POSTGRES_URL_VAR} is not set: CI must run the PostgreSQL tests")
        pytest.skip(f"{POSTGRES_URL_VAR} not set (start one: scripts/pg_cluster.sh start)")
    return url


def is_postgres(target: Target) -> bool:
    return isinstance(target, str) and target.startswith("postgresql")


def _conninfo(url: str) -> str:
    u = make_url(url)
    parts = {
        "host": u.host,
        "port": u.port,
        "user": u.username,
        "password": u.password,
        "dbname": u.database,
    }
    return " ".join(f"{k}={v}" for k, v in parts.items() if v)


def url_of(database: str) -> str:
    """The test server's URL for another database on it."""
    return make_url(postgres_url()).set(database=database).render_as_string(hide_password=False)


def admin() -> Any:
    """An autocommit connection to the test server (to create and drop databases)."""
    import psycopg

    return psycopg.connect(_conninfo(postgres_url()), autocommit=True)


def new_database(prefix: str, template: str | None = None) -> str:
    """A new empty database (or a copy of `template`); returns its URL."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin() as con:
        if template:
            con.execute(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(template).database}"')
        else:
            con.execute(f'CREATE DATABASE "{name}"')
    return url_of(name)


def drop_database(url: str) -> None:
    """Drop a test database. An autovacuum worker (the server's own role, which the test role
    may not terminate) can be at work on it for a moment: that is waited out."""
    import time

    import psycopg

    for attempt in range(50):
        try:
            with admin() as con:
                con.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
            return
        except psycopg.errors.InsufficientPrivilege:
            if attempt == 49:
                raise
            time.sleep(0.1)


def seeded_template(backend: str, folder: Path, prefix: str) -> Iterator[Target]:
    """A database holding the bundled plan, never written by a test (a session fixture)."""
    from aomori_desktop.services.workspace import create_seeded_database

    if backend == "sqlite":
        path = folder / "template.sqlite3"
        create_seeded_database(path).close()
        yield path
        return
    postgres_url()
    url = new_database(f"{prefix}_tmpl")
    create_seeded_database(url).close()
    try:
        yield url
    finally:
        drop_database(url)


def fresh_copy(template: Target, folder: Path) -> Iterator[Target]:
    """A private copy of a template database for one test."""
    import shutil

    if isinstance(template, Path):
        path = folder / "plan.sqlite3"
        shutil.copy(template, path)
        yield path
        return
    url = new_database("t", template)
    try:
        yield url
    finally:
        drop_database(url)


# ------------------------------------------------------------ reading what a test left


def connect(target: Target) -> Any:
    if is_postgres(target):
        import psycopg

        return psycopg.connect(_conninfo(str(target)))
    return sqlite3.connect(target)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, bool):
        return int(value)
    return value


def rows(target: Target, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """The rows of a query (sqlite3's `?` placeholders on both back ends)."""
    if is_postgres(target):
        with connect(target) as con:
            cursor = con.execute(sql.replace("?", "%s"), params)
            return [tuple(_plain(v) for v in row) for row in cursor.fetchall()]
    con = sqlite3.connect(target)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def execute(target: Target, sql: str) -> None:
    """Run one statement and commit it."""
    con = connect(target)
    try:
        con.execute(sql)
        con.commit()
    finally:
        con.close()


def dump(target: Target) -> list[str]:
    """Every row of the database (and on SQLite its schema), as text: its content."""
    if not is_postgres(target):
        con = sqlite3.connect(target)
        try:
            return list(con.iterdump())
        finally:
            con.close()
    from aomori_desktop.store.models import Base

    out: list[str] = []
    with connect(target) as con:
        for table in [*Base.metadata.sorted_tables, None]:
            name = "alembic_version" if table is None else table.name
            for row in con.execute(f'SELECT * FROM "{name}" ORDER BY 1'):
                out.append(f"{name}: {tuple(_plain(v) for v in row)!r}")
    return out


def content(target: Target, folder: Path) -> Any:
    """What "nothing changed" compares: on SQLite every file in the database's folder (the
    database, its journal, a backup), on a server the database's tables and rows."""
    if not is_postgres(target):
        import hashlib

        return {
            str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }
    with connect(target) as con:
        tables = [
            name
            for (name,) in con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' ORDER BY 1"
            )
        ]
    return (tables, dump(target) if tables else [])


def refuse_inserts(target: Target, table: str, message: str, when: str = "") -> None:
    """From now on the database refuses an insert into `table` (all, or those where the new
    row matches `when`, e.g. "NEW.fiscal_year = 2030") with `message`: a failure that only
    shows when a write reaches the database."""
    if not is_postgres(target):
        condition = f"WHEN {when} " if when else ""
        execute(
            target,
            f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} {condition}"
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
        )
        return
    test = when or "true"
    execute(
        target,
        f"CREATE FUNCTION refuse_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN IF {test} THEN RAISE EXCEPTION '{message}'; END IF; RETURN NEW; END $$; "
        f"CREATE TRIGGER refuse_{table} BEFORE INSERT ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION refuse_{table}()",
    )
