"""Build a corpus, run it through its importer in a child process, return the outcomes.

Shared by the test (tests/safety/test_hostile_input.py) and the script that writes the figures
into docs/RELIABILITY.md (scripts/hostile_report.py).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.safety.hostile.cases import Case, Importer

REPO = Path(__file__).resolve().parents[3]
#: the peak resident memory an import of any case may reach (the process's own start included)
PEAK_LIMIT_KB = 600 * 1024


def templates(folder: Path) -> tuple[dict[str, str], str]:
    """An empty and a seeded database, and a valid plan with figures as JSON text."""
    from decimal import Decimal

    from aomori_desktop.exchange.json_format import dump_plan
    from aomori_desktop.services.plan_services import PlanServices
    from aomori_desktop.services.workspace import (
        create_seeded_database,
        default_plan_id,
        export_plan,
    )
    from aomori_desktop.store.database import create_database

    folder.mkdir(parents=True, exist_ok=True)
    empty, seeded = folder / "empty.sqlite3", folder / "seeded.sqlite3"
    create_database(empty).close()
    db = create_seeded_database(seeded)
    try:
        values = PlanServices(db, default_plan_id(db), user="青森 太郎").values
        values.record_actual("K16", 2024, Decimal("8.40"), comment="確定値")
        values.record_actual("K10", 2024, Decimal("1109980"))
        base = dump_plan(export_plan(db))
    finally:
        db.close()
    return {"empty": str(empty), "seeded": str(seeded)}, base


def run_corpus(importer: Importer, work: Path) -> tuple[list[Case], list[dict[str, Any]]]:
    work.mkdir(parents=True, exist_ok=True)
    paths, base = templates(work / "templates")
    corpus = work / "corpus"
    corpus.mkdir()
    cases = importer.build(corpus, base)
    manifest = {
        "work": str(work / "targets"),
        "templates": paths,
        "argv": importer.argv(Path("{file}"), Path("{db}")),
        "cases": [{"name": c.name, "path": str(c.path)} for c in cases],
    }
    (work / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    command = [sys.executable, "-m", "tests.safety.hostile.runner", str(work / "manifest.json")]
    if os.geteuid() == 0 and shutil.which("setpriv"):
        # root reads every file: without these two capabilities a file without read
        # permission is unreadable, as for the officer who receives it
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *command]
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "XDG_DATA_HOME": str(work / "xdg"),
        "QT_QPA_PLATFORM": "offscreen",
    }
    done = subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=REPO, timeout=1800, check=False
    )
    results = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or len(results) != 3 * len(cases):
        raise AssertionError(f"the runner stopped: {done.returncode}\n{done.stderr[-3000:]}")
    for case in cases:  # a file without read permission, a folder: leave nothing behind
        if case.path.is_dir() and not case.path.is_symlink():
            case.path.chmod(0o755)
        elif case.path.exists() and not case.path.is_symlink():
            case.path.chmod(0o644)
    return cases, results
