"""The real entry point in a separate interpreter: `python -m aomori_desktop`."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import aomori_desktop

REPO = Path(aomori_desktop.__file__).resolve().parent.parent


def _run(*argv: str, home: Path) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "XDG_"))}
    env |= {"XDG_DATA_HOME": str(home), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "aomori_desktop", *argv],
        cwd=REPO,
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )


def test_help_and_init_through_the_module_entry_point(tmp_path: Path) -> None:
    home = tmp_path / "home"
    shown = _run("--help", home=home)
    assert shown.returncode == 0, shown.stderr.decode()
    help_text = shown.stdout.decode("utf-8")
    assert help_text.startswith("使い方: aomori-desktop")
    assert "青森市しごと創造戦略 KPI進捗管理" in help_text
    for command in ("init", "export", "import", "check"):
        assert command in help_text

    path = tmp_path / "plan.sqlite3"
    created = _run("init", "--db", str(path), home=home)
    assert created.returncode == 0, created.stderr.decode()
    assert created.stderr == b""
    assert created.stdout.decode("utf-8") == (
        f"データベース「{path}」を作成し、「青森市しごと創造戦略」を登録しました"
        "（戦略の柱 5、共創施策 13、共創プロジェクト 26（掲載 29）、KPI 16）。\n"
    )
    con = sqlite3.connect(path)
    try:
        assert con.execute("SELECT count(*) FROM kpi").fetchone() == (16,)
    finally:
        con.close()

    again = _run("init", "--db", str(path), home=home)
    assert again.returncode == 1 and again.stdout == b""
    err = again.stderr.decode("utf-8")
    assert (
        err == f"「{path}」は既に存在します。上書きはしません。別のファイル名を指定してください。\n"
    )

    usage = _run("frobnicate", home=home)
    assert usage.returncode == 1
    assert "コマンドの指定に誤りがあります" in usage.stderr.decode("utf-8")
    assert b"Traceback" not in usage.stderr
