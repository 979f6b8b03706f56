"""Alembic environment for aomori-desktop.

Run through `aomori_desktop.store.migrate`, which passes an open connection in
`config.attributes["connection"]`; SQLite needs batch mode (table copies) for ALTERs.
"""

from __future__ import annotations

from alembic import context

from aomori_desktop.store.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("migrations are run by aomori_desktop.store.migrate with a connection")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline (SQL script) migrations are not supported")
run_migrations_online()
