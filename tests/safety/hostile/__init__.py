"""Hostile input for every importer: corpora of bad files and the importers that read them.

`CORPORA` is the hook for each importer. An entry names the importer, builds its bad files into
a folder (`build(folder, base) -> list[Case]`) and says how the command line imports one file
into a database (`argv(file, db) -> list[str]`). `tests/safety/test_hostile_input.py` runs every
case against a new file, an empty database and a database that holds a plan, and checks the
sentence, that the database is byte-identical, that no traceback appears, and the peak memory.

The Excel and CSV importers (branch `excel`) join by adding their own module here, e.g.
`xlsx_corpus.py` with zip bombs, XML bombs (billion laughs, external entities), formulas,
wrong sheets, ... and one `Importer("xlsx", xlsx_corpus.build, lambda f, db: [...])` entry
below. The runner, the checks and the memory bound then apply to them unchanged.
"""

from __future__ import annotations

from tests.safety.hostile import json_corpus, special_files
from tests.safety.hostile.cases import Importer

CORPORA: list[Importer] = [
    Importer(
        "json",
        json_corpus.build,
        lambda file, db: ["import", "json", str(file), "--db", str(db)],
    ),
    # the Excel and CSV importers (branch excel): their corpus of bad contents is
    # tests/collection/test_hostile_files.py; here, the files that are not files
    Importer(
        "csv",
        special_files.builder(".csv"),
        lambda file, db: ["import", "csv", str(file), "--db", str(db)],
        min_cases=8,
        opens_first=True,
        prints_summary=True,
    ),
    Importer(
        "xlsx",
        special_files.builder(".xlsx"),
        lambda file, db: ["import", "xlsx", str(file), "--db", str(db)],
        min_cases=8,
        opens_first=True,
        prints_summary=True,
    ),
]
