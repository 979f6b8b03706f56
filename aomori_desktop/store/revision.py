"""The schema revision this version of the application writes (plain Python, no SQLAlchemy).

`store.migrate` compares a database's `alembic_version` with it; the window's first paint
(services/first_look.py) reads a file with the standard library only when its revision is
this one. A test keeps it equal to the newest migration (tests/store/test_schema_head.py).
"""

from __future__ import annotations

from typing import Final

SCHEMA_HEAD: Final = "0002"
