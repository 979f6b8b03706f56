"""`aomori-desktop copy`: a file to a PostgreSQL server and back, lossless (the audit trail,
target revisions and who/when of every figure included); a non-empty target is refused
without --replace; the JSON commands work on the server too."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import backends
from tests.cli.conftest import MEASURE_ACHIEVEMENTS, MEASURE_OPINION, OVERRIDE_REASON, PLAN_OPINION


@pytest.fixture
def server_db() -> Iterator[str]:
    url = backends.new_database("cli")
    yield url
    backends.drop_database(url)


def test_file_to_server_and_back_gives_the_same_json_export(
    cli, data_db: Path, server_db: str, tmp_path: Path
) -> None:
    original = tmp_path / "original.json"
    assert cli("export", "json", "--db", str(data_db), "-o", str(original)).code == 0
    doc = json.loads(original.read_text(encoding="utf-8"))
    assert doc["audit"]
    evaluations = doc["evaluations"]
    assert [
        (e["measure"], e["override_grade"], e["override_reason"], e["achievements"], e["direction"])
        for e in evaluations["measures"]
    ] == [("1-1", "C", OVERRIDE_REASON, MEASURE_ACHIEVEMENTS, "improve")]
    assert [(p["project"], p["direction"]) for p in evaluations["projects"]] == [("PJ02", "expand")]
    assert [(o["measure"], o["opinion"]) for o in evaluations["opinions"]] == [
        (None, PLAN_OPINION),
        ("1-1", MEASURE_OPINION),
    ]

    to_server = cli("copy", "--from", str(data_db), "--to", server_db)
    assert to_server.code == 0, to_server.err
    assert "コピーしました" in to_server.out
    back = tmp_path / "back.sqlite3"
    assert cli("copy", "--from", server_db, "--to", str(back)).code == 0

    on_server, round_trip = tmp_path / "server.json", tmp_path / "round_trip.json"
    assert cli("export", "json", "--db", server_db, "-o", str(on_server)).code == 0
    assert cli("export", "json", "--db", str(back), "-o", str(round_trip)).code == 0
    assert on_server.read_bytes() == original.read_bytes()
    assert round_trip.read_bytes() == original.read_bytes()
    assert backends.rows(server_db, "SELECT actual FROM kpi_year ORDER BY id") == backends.rows(
        data_db, "SELECT actual FROM kpi_year ORDER BY id"
    )


def test_a_target_with_data_is_refused_without_replace(
    cli, data_db: Path, seeded_db: Path, server_db: str, tmp_path: Path
) -> None:
    assert cli("copy", "--from", str(seeded_db), "--to", server_db).code == 0
    before = backends.dump(server_db)
    refused = cli("copy", "--from", str(data_db), "--to", server_db)
    assert refused.code == 1
    assert "既にデータがあります" in refused.err and "--replace" in refused.err
    assert backends.dump(server_db) == before

    replaced = cli("copy", "--from", str(data_db), "--to", server_db, "--replace")
    assert replaced.code == 0, replaced.err
    out, expected = tmp_path / "out.json", tmp_path / "expected.json"
    cli("export", "json", "--db", server_db, "-o", str(out))
    cli("export", "json", "--db", str(data_db), "-o", str(expected))
    assert out.read_bytes() == expected.read_bytes()
    # ids continue after the copied rows: a new edit on the server gets a fresh audit id
    from decimal import Decimal

    from aomori_desktop.services.plan_services import PlanServices
    from aomori_desktop.services.workspace import default_plan_id
    from aomori_desktop.store.database import open_database

    db = open_database(server_db)
    try:
        PlanServices(db, default_plan_id(db), user="青森 太郎").values.record_actual(
            "K01", 2025, Decimal("3")
        )
    finally:
        db.close()


def test_json_import_into_an_empty_server_database(
    cli, data_db: Path, server_db: str, tmp_path: Path
) -> None:
    exported = tmp_path / "plan.json"
    cli("export", "json", "--db", str(data_db), "-o", str(exported))
    imported = cli("import", "json", str(exported), "--db", server_db)
    assert imported.code == 0, imported.err
    again = tmp_path / "again.json"
    cli("export", "json", "--db", server_db, "-o", str(again))
    assert again.read_bytes() == exported.read_bytes()
