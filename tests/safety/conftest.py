"""Fixtures of the data-safety tests: seeded databases, folders that cannot be written, a tiny
disk that fills up, and a private user data folder (where backups fall back to)."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from aomori_desktop.services.workspace import create_seeded_database


@pytest.fixture(autouse=True)
def data_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """The user's data folder (platformdirs honours XDG_DATA_HOME): never the real one."""
    home = tmp_path_factory.mktemp("xdg-data")
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    yield home
    logger = logging.getLogger("aomori_desktop")  # main() logs into the data folder
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """The headless commands run in this process: exit code, stdout and stderr."""
    from aomori_desktop.cli import main

    def run(*argv: str) -> Result:
        capsys.readouterr()
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("safety-template") / "template.sqlite3"
    create_seeded_database(path).close()
    return path


@pytest.fixture
def seeded_copy(seeded_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "plan.sqlite3"
    shutil.copy(seeded_template, path)
    return path


def _run(*args: str) -> bool:
    return subprocess.run(list(args), capture_output=True, check=False).returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Callable[[int], Path]]:
    """A tmpfs of the given size in KiB (root only): a real disk that fills up."""
    mounted: list[Path] = []

    def make(kib: int) -> Path:
        point = tmp_path / f"disk{len(mounted)}"
        point.mkdir()
        if os.geteuid() != 0 or not _run(
            "mount", "-t", "tmpfs", "-o", f"size={kib}k", "tmpfs", str(point)
        ):
            pytest.skip("a tmpfs cannot be mounted here (needs root and mount rights)")
        mounted.append(point)
        return point

    yield make
    for point in reversed(mounted):
        _run("umount", "-l", str(point))


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Callable[[list[Path]], Path]]:
    """A folder holding copies of the given files in which nothing can be written, not even by
    root: a tmpfs remounted read-only (root), or chmod for ordinary users."""
    mounted: list[Path] = []
    chmodded: list[Path] = []

    def make(files: list[Path]) -> Path:
        folder = tmp_path / "共有フォルダー 読み取り専用"
        folder.mkdir()
        if os.geteuid() == 0:
            if not _run("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(folder)):
                pytest.skip("a read-only folder cannot be made here (root without mount rights)")
            mounted.append(folder)
            for f in files:
                shutil.copy(f, folder / f.name)
            if not _run("mount", "-o", "remount,ro", str(folder)):
                pytest.skip("tmpfs cannot be remounted read-only here")
        else:
            for f in files:
                shutil.copy(f, folder / f.name)
                (folder / f.name).chmod(0o444)
            folder.chmod(0o555)
            chmodded.append(folder)
        return folder

    yield make
    for folder in mounted:
        _run("umount", "-l", str(folder))
    for folder in chmodded:
        folder.chmod(0o755)
        for f in folder.iterdir():
            f.chmod(0o644)
