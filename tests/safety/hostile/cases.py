"""The two shapes every hostile corpus shares (see the package docstring)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Case:
    name: str
    path: Path
    phrase: str = ""  # a part of the sentence the user must read ("" = any Japanese sentence)


@dataclass(frozen=True)
class Importer:
    name: str
    build: Callable[[Path, str], list[Case]]  # (folder, a valid plan as JSON text) -> cases
    argv: Callable[[Path, Path], list[str]]  # (bad file, database) -> command line
    #: a corpus this short is only the files that are not files (the importer's own corpus of
    #: bad contents lives with it)
    min_cases: int = 50
    #: the importer opens the database before it reads the file (the day's first opening makes
    #: a backup beside it): then only the database file itself must keep every byte
    opens_first: bool = False
    prints_summary: bool = False  # the importer lists what it read on stdout
