"""Revision 0002 (the yearly evaluation) on a database made by the previous release (0001):
backed up first, upgraded, the plan's A–D limits kept as its thresholds, nothing else lost."""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine

from aomori_desktop.domain.grading import SCHEME_ABCD
from aomori_desktop.services.workspace import export_plan
from aomori_desktop.store import migrate
from aomori_desktop.store.database import open_database
from tests.store.helpers import dump

ROWS = [
    "INSERT INTO plan VALUES (1, '青森市しごと創造戦略', 'draft', '', 2024, 2033, '95', '0.60',"
    " '2026-04-01 00:00:00')",
    "INSERT INTO pillar VALUES (1, 1, 1, '地域経済に活力を生み出す', '新産業の創出', 0)",
    "INSERT INTO measure VALUES (1, 1, 1, 'GX関連産業参入・脱炭素経営の推進', 0)",
    "INSERT INTO project VALUES (1, 1, 'PJ01', '洋上風力', '', '', 0)",
    "INSERT INTO placement VALUES (1, 1, 1, 1, 0)",
    "INSERT INTO kpi VALUES (1, 1, 'K01', '事業者数(累計)', '件', '0', 2023, 0, '3', 2033,"
    " 'increase', 1, '', '', '', 0)",
    "INSERT INTO kpi_measure VALUES (1, 1, 0)",
    "INSERT INTO kpi_year VALUES (1, 1, 2024, '1', NULL, 'final', 'コメント', 'tanaka',"
    " '2026-05-01 00:00:00')",
]


def _database_of_release_0001(path: Path) -> None:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as conn:
            cfg = migrate._config()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0001")
            for sql in ROWS:
                conn.exec_driver_sql(sql)
    finally:
        engine.dispose()


def test_a_0001_database_is_backed_up_and_keeps_its_limits(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    _database_of_release_0001(path)
    before = dump(path)

    db = open_database(path)
    try:
        assert db.report.upgraded_from == "0001"
        assert db.schema_revision() == migrate.SCHEMA_HEAD == "0002"
        snapshot = export_plan(db)
    finally:
        db.close()

    scheme = snapshot.plan.grade_scheme
    assert scheme.key is SCHEME_ABCD.key
    assert [str(v) for v in scheme.thresholds] == ["95", "1", "0.60"]  # as typed
    kpi = snapshot.kpis[0]
    assert (kpi.id, kpi.years[0].actual, kpi.years[0].comment) == ("K01", Decimal("1"), "コメント")
    assert snapshot.evaluation.empty
    backup = db.report.backup_path
    assert backup is not None and dump(backup) == before
    con = sqlite3.connect(path)
    try:
        columns = [r[1] for r in con.execute("PRAGMA table_info(plan)")]
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        con.close()
    assert "achieved_threshold" not in columns and "grade_scheme" in columns
    assert {"measure_evaluation", "project_evaluation", "panel_opinion"} <= tables


def test_default_limits_leave_no_threshold_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    _database_of_release_0001(path)
    con = sqlite3.connect(path)
    con.execute("UPDATE plan SET achieved_threshold = '100', delayed_factor = '0.5'")
    con.commit()
    con.close()
    db = open_database(path)
    try:
        assert export_plan(db).plan.grade_scheme == SCHEME_ABCD
    finally:
        db.close()
    con = sqlite3.connect(path)
    try:
        assert con.execute("SELECT count(*) FROM grade_threshold").fetchone() == (0,)
    finally:
        con.close()
