from __future__ import annotations

from aomori_desktop.store import migrate


def test_schema_head_constant_is_the_newest_migration() -> None:
    # opening a current database skips Alembic by comparing with this constant
    assert migrate.head_revision() == migrate.SCHEMA_HEAD
