"""Column types: decimals keep the typed scale, datetimes come back aware UTC, through a file."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select
from sqlalchemy.dialects import sqlite as sqlite_dialect

from aomori_desktop.store.types import DecimalText, UtcDateTime

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


def _write_then_read_in_new_engine(path: Path, rows: list[dict[str, object]]) -> list[tuple]:
    engine = create_engine(f"sqlite:///{path}")
    try:
        metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(insert(sample), rows)
    finally:
        engine.dispose()
    engine = create_engine(f"sqlite:///{path}")  # a fresh engine: nothing cached in memory
    try:
        with engine.connect() as conn:
            return [
                tuple(r)
                for r in conn.execute(select(sample.c.value, sample.c.at).order_by(sample.c.id))
            ]
    finally:
        engine.dispose()


def test_decimal_text_round_trip_keeps_the_typed_scale_exactly(tmp_path: Path) -> None:
    path = tmp_path / "types.sqlite3"
    rows = [{"value": Decimal(v), "at": None} for v in VALUES] + [{"value": None, "at": None}]
    read = [value for value, _ in _write_then_read_in_new_engine(path, rows)]

    assert [str(v) if v is not None else None for v in read] == [*VALUES, None]
    assert all(isinstance(v, Decimal) for v in read[:-1])
    # What is in the file is the canonical text, not a float nor a padded NUMERIC.
    con = sqlite3.connect(path)
    try:
        raw = con.execute("SELECT value, typeof(value) FROM sample ORDER BY id").fetchall()
    finally:
        con.close()
    assert raw == [(v, "text") for v in VALUES] + [(None, "null")]


def test_decimal_text_refuses_floats_and_writes_exponents_in_plain_digits() -> None:
    dialect = sqlite_dialect.dialect()
    with pytest.raises(TypeError, match="expects Decimal"):
        DecimalText().process_bind_param(8.4, dialect)  # type: ignore[arg-type]
    assert DecimalText().process_bind_param(Decimal("1.5E+3"), dialect) == "1500"
    assert DecimalText().process_bind_param(Decimal("-0.00"), dialect) == "0.00"


def test_utc_datetime_returns_aware_utc_for_the_same_instant(tmp_path: Path) -> None:
    path = tmp_path / "times.sqlite3"
    jst = datetime(2026, 4, 1, 9, 30, 15, 123456, tzinfo=JST)
    utc = datetime(2025, 12, 31, 23, 59, tzinfo=UTC)
    read = [
        at
        for _, at in _write_then_read_in_new_engine(
            path,
            [{"value": None, "at": jst}, {"value": None, "at": utc}, {"value": None, "at": None}],
        )
    ]

    assert read[0] == jst  # same instant
    assert read[0].tzinfo is UTC
    assert (read[0].hour, read[0].minute, read[0].microsecond) == (0, 30, 123456)
    assert read[1] == utc and read[1].tzinfo is UTC
    assert read[2] is None
    con = sqlite3.connect(path)
    try:
        (raw,) = con.execute("SELECT at FROM sample ORDER BY id LIMIT 1").fetchone()
    finally:
        con.close()
    assert raw.startswith("2026-04-01 00:30:15")  # stored as UTC wall time


def test_utc_datetime_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="naive"):
        UtcDateTime().process_bind_param(datetime(2026, 4, 1, 9, 30), sqlite_dialect.dialect())


def test_orm_writes_a_new_scale_of_an_equal_number(seeded_copy: Path) -> None:
    """8.4 → 8.40 is equal as a number but is a different typed value: it must be written."""
    from aomori_desktop.store.database import open_database
    from aomori_desktop.store.models import KpiRow

    db = open_database(seeded_copy)
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
    con = sqlite3.connect(seeded_copy)
    try:
        assert con.execute("SELECT baseline, target FROM kpi WHERE code = 'K16'").fetchone() == (
            "8.40",
            "8.8",
        )
    finally:
        con.close()
