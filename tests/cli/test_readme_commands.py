"""The README's headless commands work exactly as written, from the repository folder.

`scripts/run.sh` installs the command into `.venv` only; a README that wrote a bare
`aomori-desktop …` sent a new user to "command not found".
"""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import pytest

import aomori_desktop

REPO = Path(aomori_desktop.__file__).resolve().parent.parent
COMMAND = ".venv/bin/aomori-desktop"


def _headless_commands() -> list[list[str]]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Headless commands", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```bash\n(.*?)```", section, flags=re.S)
    return [shlex.split(line, comments=True) for line in block.splitlines() if line.strip()]


def test_every_headless_command_names_the_program_where_bootstrap_installs_it() -> None:
    commands = _headless_commands()
    assert len(commands) >= 5
    assert {argv[0] for argv in commands} == {COMMAND}
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert scripts["scripts"]["aomori-desktop"] == "aomori_desktop.cli:main"
    bootstrap = (REPO / "scripts" / "bootstrap.sh").read_text(encoding="utf-8")
    assert "VENV=.venv\n" in bootstrap and '"$VENV/bin/python" -m pip install' in bootstrap


def test_the_readme_commands_run_in_order_in_an_empty_folder(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for argv in _headless_commands():
        if "charts" in argv:  # the 16 charts at 300 dpi: two are enough to prove the line
            argv = [*argv, "--kpi", "K01", "--kpi", "K10"]
        result = cli(*argv[1:])
        assert result.code == 0, (argv, result.err)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "backups",  # made by the backup command
        "charts",
        "copy.sqlite3",
        "kpi.csv",  # the KPI figures as CSV
        "plan.json",
        "plan.sqlite3",
        "plan.xlsx",  # the plan as a workbook
        "報告書.docx",  # the annual report
        "調査票.xlsx",  # the collection workbook
    ]
    assert len(list((tmp_path / "charts").glob("*.png"))) == 2
