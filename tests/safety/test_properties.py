"""Property-based tests (hypothesis) over what the services and the importer accept.

For any input: either it is stored and reads back exactly as given (the same digits, the same
text), or it is refused with a Japanese sentence and the database holds the same rows as
before. Never a traceback, never half a change.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aomori_desktop.domain.errors import UserError
from aomori_desktop.domain.numbers import parse_decimal
from aomori_desktop.exchange.json_format import FormatError, dump_plan, load_plan
from aomori_desktop.services.kpi_fields import KpiFieldsEdit
from aomori_desktop.services.kpi_values import KpiYearEdit
from aomori_desktop.services.plan_services import PlanServices
from aomori_desktop.services.workspace import Database, default_plan_id, export_plan
from aomori_desktop.store.database import open_database

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
KPIS = [f"K{n:02d}" for n in range(1, 17)]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    from aomori_desktop.services.workspace import create_seeded_database

    path = tmp_path_factory.mktemp("properties") / "plan.sqlite3"
    create_seeded_database(path).close()
    database = open_database(path)
    yield database
    database.close()


def rows(db: Database) -> list[str]:
    assert db.path is not None
    con = sqlite3.connect(db.path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def refused_cleanly(exc: UserError, before: list[str], db: Database) -> None:
    assert JAPANESE.search(exc.message), exc.message
    assert "Traceback" not in exc.message
    assert rows(db) == before


def same_digits(stored: Decimal, given: Decimal) -> bool:
    """The precision the user typed is kept (8.40 stays 8.40); -0 may come back as 0."""
    return stored.as_tuple()[1:] == given.as_tuple()[1:]


decimals = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(min_value=-(10**20), max_value=10**20, places=8),
    st.sampled_from([Decimal("-0"), Decimal("0E-30"), Decimal("1E+30"), Decimal("8.40")]),
)
years = st.one_of(st.integers(min_value=2020, max_value=2040), st.integers())
texts = st.text(st.characters(codec="utf-8"), max_size=60) | st.text(max_size=5000)


@SETTINGS
@given(kpi=st.sampled_from(KPIS), fy=years, actual=decimals, comment=texts)
def test_any_yearly_value_is_stored_exactly_or_refused_cleanly(
    db: Database, kpi: str, fy: int, actual: Decimal, comment: str
) -> None:
    services = PlanServices(db, default_plan_id(db), user="hypothesis")
    before = rows(db)
    try:
        services.values.set_kpi_years([KpiYearEdit(kpi, fy, actual=actual, comment=comment)])
    except UserError as exc:
        refused_cleanly(exc, before, db)
        return
    year = services.queries.kpi_detail(kpi).year(fy)
    assert year is not None
    assert year.actual is not None and year.actual == actual
    assert same_digits(year.actual, actual)
    assert year.comment == comment


@SETTINGS
@given(
    name=texts,
    unit=texts,
    baseline=decimals,
    baseline_year=years,
    definition=texts,
)
def test_any_kpi_field_edit_is_stored_exactly_or_refused_cleanly(
    db: Database, name: str, unit: str, baseline: Decimal, baseline_year: int, definition: str
) -> None:
    services = PlanServices(db, default_plan_id(db), user="hypothesis")
    before = rows(db)
    edit = KpiFieldsEdit(
        name=name,
        unit=unit,
        baseline=baseline,
        baseline_fiscal_year=baseline_year,
        definition=definition,
    )
    try:
        services.kpi_fields.update_kpi("K05", edit)
    except UserError as exc:
        refused_cleanly(exc, before, db)
        return
    kpi = services.queries.kpi("K05")
    # text fields are kept as typed, without the spaces around them (a name typed " 観光客数")
    assert (kpi.name, kpi.unit, kpi.definition) == (name.strip(), unit.strip(), definition.strip())
    assert kpi.baseline == baseline and same_digits(kpi.baseline, baseline)
    assert kpi.baseline_fiscal_year == baseline_year


@SETTINGS
@given(text=st.text(max_size=40), unit=st.sampled_from(["", "%", "件", "億円"]))
def test_any_typed_text_reads_as_a_number_or_a_sentence(text: str, unit: str) -> None:
    try:
        value = parse_decimal(text, unit=unit)
    except UserError as exc:
        assert JAPANESE.search(exc.message), exc.message
        return
    assert value.is_finite()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=30,
)


@pytest.fixture(scope="module")
def plan_document(db: Database) -> dict[str, Any]:
    return json.loads(dump_plan(export_plan(db)))


@SETTINGS
@given(
    path=st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=4), value=json_values
)
def test_any_json_value_anywhere_in_a_plan_is_read_or_refused_with_sentences(
    plan_document: dict[str, Any], path: list[int], value: Any, tmp_path: Path
) -> None:
    doc = json.loads(json.dumps(plan_document))
    _replace_somewhere(doc, path, value)
    try:
        text = json.dumps(doc, ensure_ascii=False)
    except (ValueError, RecursionError):
        return
    try:
        snapshot = load_plan(text)
    except FormatError as exc:
        assert exc.problems and all(JAPANESE.search(p) for p in exc.problems), exc.problems
        return
    from aomori_desktop.services.errors import ValidationError
    from aomori_desktop.services.workspace import create_with_plan

    target = tmp_path / f"{abs(hash((tuple(path), repr(value)))) % 10**9}.sqlite3"
    try:
        create_with_plan(target, snapshot, source="hypothesis").close()
    except ValidationError as exc:
        assert all(JAPANESE.search(p) for p in exc.problems)
        assert not target.exists()  # refused before any file appears
        return
    shutil.rmtree(target.parent / "backups", ignore_errors=True)
    target.unlink()


def _replace_somewhere(doc: Any, path: list[int], value: Any) -> None:
    """Walk `path` (indexes into dict items or list elements) and replace what is found."""
    node = doc
    for step in path[:-1]:
        children = (
            list(node.items())
            if isinstance(node, dict)
            else list(enumerate(node))
            if isinstance(node, list)
            else []
        )
        if not children:
            break
        key, child = children[step % len(children)]
        if not isinstance(child, dict | list) or not child:
            break
        node = child
    if isinstance(node, dict) and node:
        key = list(node)[path[-1] % len(node)]
        node[key] = value
    elif isinstance(node, list) and node:
        node[path[-1] % len(node)] = value
