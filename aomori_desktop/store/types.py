"""Column types that keep values exactly as the user typed them, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from aomori_desktop.domain.numbers import decimal_to_text
from aomori_desktop.store.errors import stored_decimal


class DecimalText(TypeDecorator[Decimal]):
    """A Decimal stored as its canonical text ("8.40", "1109980").

    SQLite has no decimal type (Numeric round-trips through binary floats and pads the
    scale), so the typed precision would be lost. Text keeps it on every backend.
    """

    impl = String(40)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"DecimalText expects Decimal, got {type(value).__name__}")
        return decimal_to_text(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else stored_decimal(value)

    def compare_values(self, x: Any, y: Any) -> bool:
        """The ORM's "did it change?" test. 8.4 == 8.40 as numbers, but the user typed a new
        scale: without this the change was audited and never written."""
        if isinstance(x, Decimal) and isinstance(y, Decimal):
            return x == y and x.as_tuple().exponent == y.as_tuple().exponent
        return bool(x == y)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware datetimes stored as naive UTC (portable), returned as aware UTC."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)
