"""Column types: decimals keep the typed scale, datetimes come back aware UTC, through a file
and through a PostgreSQL database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select
from sqlalchemy.dialects import sqlite as sqlite_dialect

from aomori_desktop.store.types import DecimalText, UtcDateTime
from tests import backends
from tests.backends import Target

VALUES = ["8.40", "1109980", "12345678901234.123456", "8.4", "0.000001", "-0.5", "0"]
JST = timezone(timedelta(hours=9))

metadata = MetaData()
sample = Table(
    "sample",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("value", DecimalText),
    Column("at", UtcDateTime),
)


def _url(target: Target) -> str:
    return target if isinstance(target, str) else f"sqlite:///{target}"


def _write_then_read_in_new_engine(target: Target, rows: list[dict[str, object]]) -> list[tuple]:
    engine = create_engine(_url(target))
    try:
        metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(insert(sample), rows)
    finally:
        engine.dispose()
    engine = create_engine(_url(target))  # a fresh engine: nothing cached in memory
    try:
        with engine.connect() as conn:
            return [
                tuple(r)
                for r in conn.execute(select(sample.c.value, sample.c.at).order_by(sample.c.id))
            ]
    finally:
        engine.dispose()


def test_decimal_text_round_trip_keeps_the_typed_scale_exactly(target: Target) -> None:
    rows = [{"value": Decimal(v), "at": None} for v in VALUES] + [{"value": None, "at": None}]
    read = [value for value, _ in _write_then_read_in_new_engine(target, rows)]

    assert [str(v) if v is not None else None for v in read] == [*VALUES, None]
    assert all(isinstance(v, Decimal) for v in read[:-1])
    # What is stored is the canonical text, not a float nor a padded NUMERIC.
    if backends.is_postgres(target):
        raw = backends.rows(target, "SELECT value, pg_typeof(value)::text FROM sample ORDER BY id")
        assert raw == [(v, "character varying") for v in [*VALUES, None]]
    else:
        raw = backends.rows(target, "SELECT value, typeof(value) FROM sample ORDER BY id")
        assert raw == [(v, "text") for v in VALUES] + [(None, "null")]


def test_decimal_text_refuses_floats_and_writes_exponents_in_plain_digits() -> None:
    dialect = sqlite_dialect.dialect()
    with pytest.raises(TypeError, match="expects Decimal"):
        DecimalText().process_bind_param(8.4, dialect)  # type: ignore[arg-type]
    assert DecimalText().process_bind_param(Decimal("1.5E+3"), dialect) == "1500"
    assert DecimalText().process_bind_param(Decimal("-0.00"), dialect) == "0.00"


def test_utc_datetime_returns_aware_utc_for_the_same_instant(target: Target) -> None:
    jst = datetime(2026, 4, 1, 9, 30, 15, 123456, tzinfo=JST)
    utc = datetime(2025, 12, 31, 23, 59, tzinfo=UTC)
    read = [
        at
        for _, at in _write_then_read_in_new_engine(
            target,
            [{"value": None, "at": jst}, {"value": None, "at": utc}, {"value": None, "at": None}],
        )
    ]

    assert read[0] == jst  # same instant
    assert read[0].tzinfo is UTC
    assert (read[0].hour, read[0].minute, read[0].microsecond) == (0, 30, 123456)
    assert read[1] == utc and read[1].tzinfo is UTC
    assert read[2] is None
    cast = "at::text" if backends.is_postgres(target) else "at"
    [(raw,)] = backends.rows(target, f"SELECT {cast} FROM sample ORDER BY id LIMIT 1")
    assert raw.startswith("2026-04-01 00:30:15.123456")  # stored as UTC wall time


def test_utc_datetime_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="naive"):
        UtcDateTime().process_bind_param(datetime(2026, 4, 1, 9, 30), sqlite_dialect.dialect())


def test_orm_writes_a_new_scale_of_an_equal_number(seeded_target: Target) -> None:
    """8.4 → 8.40 is equal as a number but is a different typed value: it must be written."""
    from aomori_desktop.store.database import open_database
    from aomori_desktop.store.models import KpiRow

    db = open_database(seeded_target)
    try:
        with db.session() as s:
            row = s.scalars(select(KpiRow).where(KpiRow.code == "K16")).one()
            assert str(row.baseline) == "8.4"
            row.baseline = Decimal("8.40")
        with db.session() as s:
            row = s.scalars(select(KpiRow).where(KpiRow.code == "K16")).one()
            row.target = Decimal("8.8")  # the same number and scale: nothing to write
            assert not s.dirty or not s.is_modified(row)
    finally:
        db.close()
    assert backends.rows(seeded_target, "SELECT baseline, target FROM kpi WHERE code = 'K16'") == [
        ("8.40", "8.8")
    ]
