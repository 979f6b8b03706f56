"""Checks shared by the data-safety tests."""

from __future__ import annotations

import hashlib
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def folder_state(folder: Path) -> dict[str, str]:
    """Every file under a folder with the sha256 of its bytes: "nothing changed" in one value."""
    return {str(p.relative_to(folder)): sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def assert_sentence(message: str) -> None:
    """A sentence for a city officer: Japanese, ends like a sentence, no Python internals."""
    assert JAPANESE.search(message), message
    assert message.rstrip().endswith("。"), message
    for internal in ("Traceback", "sqlite3.", "Error:", "errno", "OperationalError"):
        assert internal not in message, message


def integrity(path: Path) -> str:
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return ";".join(r[0] for r in con.execute("PRAGMA integrity_check"))
    finally:
        con.close()


def actuals(path: Path) -> dict[tuple[str, int], str]:
    """Every stored actual value as text: {(KPI code, fiscal year): "8.40"}."""
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT kpi.code, kpi_year.fiscal_year, kpi_year.actual FROM kpi_year "
            "JOIN kpi ON kpi.id = kpi_year.kpi_id WHERE kpi_year.actual IS NOT NULL"
        ).fetchall()
    finally:
        con.close()
    return {(code, fy): str(value) for code, fy, value in rows}


def dump(path: Path) -> list[str]:
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def record_actuals(db: object, values: dict[tuple[str, int], str], user: str = "青森 太郎") -> None:
    """Store actual values through the service the window uses (one write each)."""
    from decimal import Decimal

    from aomori_desktop.services.plan_services import PlanServices
    from aomori_desktop.services.workspace import Database, default_plan_id

    assert isinstance(db, Database)
    services = PlanServices(db, default_plan_id(db), user=user)
    for (code, fy), value in values.items():
        services.values.record_actual(code, fy, Decimal(value))


REPO = Path(__file__).resolve().parents[2]


def child_env() -> dict[str, str]:
    import os

    return {**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen"}


@contextmanager
def holding_in_another_process(path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another instance of the application with `path` open for editing, until the block ends."""
    code = (
        "import sys\n"
        "from aomori_desktop.services.workspace import open_existing\n"
        f"db = open_existing({str(path)!r})\n"
        "print('ready', flush=True)\n"
        "sys.stdin.read()\n"
        "db.close()\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=child_env(),
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        yield proc
    finally:
        if proc.poll() is None and proc.stdin is not None:
            proc.stdin.close()
        proc.wait(timeout=30)
        for stream in (proc.stdin, proc.stdout):
            if stream is not None and not stream.closed:
                stream.close()
