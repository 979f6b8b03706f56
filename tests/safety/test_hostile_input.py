"""Hostile files for every importer (tests/safety/hostile): each is refused with a Japanese
sentence, no traceback, the databases byte-identical, in bounded time and memory.

Every case runs against a new file (which must not appear), an empty database and a database
holding a plan (both must keep every byte; no backup is made for a refused file).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.safety.hostile import CORPORA
from tests.safety.hostile.cases import Case, Importer
from tests.safety.hostile.run import PEAK_LIMIT_KB, run_corpus

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.fixture(scope="module", params=CORPORA, ids=[c.name for c in CORPORA])
def outcome(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Importer, list[Case], list[dict[str, Any]]]:
    importer: Importer = request.param
    cases, results = run_corpus(importer, tmp_path_factory.mktemp(f"hostile-{importer.name}"))
    return importer, cases, results


def _problems(importer: Importer, case: Case, result: dict[str, Any]) -> list[str]:
    err: str = result["err"]
    first = err.splitlines()[0] if err else ""
    problems = []
    if result["hung"]:
        problems.append("did not finish (hung)")
    if result["code"] != 1:
        problems.append(f"exit status {result['code']} (out: {result['out'][:80]!r})")
    if result["out"] and not importer.prints_summary:
        problems.append("printed on stdout")
    if not JAPANESE.search(first) or not first.rstrip().endswith(("。", ":")):
        problems.append(f"no Japanese sentence: {first[:100]!r}")
    if "Traceback" in err or 'File "' in err or "予期しないエラー" in err:
        problems.append("a traceback or an unexpected error")
    # an importer that merges into a plan first refuses a new or empty database (its sentence
    # says so); what it says about the file shows with a database that holds a plan
    about_the_file = result["kind"] == "seeded" or not importer.opens_first
    if case.phrase and about_the_file and case.phrase not in err:
        problems.append(f"the sentence does not say {case.phrase!r}: {first[:120]!r}")
    if not result["db_unchanged"]:
        problems.append("the database file changed")
    if not result["unchanged"] and not importer.opens_first:
        problems.append("the database folder changed")
    if result["peak_kb"] > PEAK_LIMIT_KB:
        problems.append(f"peak memory {result['peak_kb'] // 1024} MB")
    return problems


def test_every_bad_file_is_refused_with_a_sentence_and_changes_nothing(outcome) -> None:
    importer, cases, results = outcome
    assert len(cases) >= importer.min_cases, f"the {importer.name} corpus has {len(cases)} files"
    by_name = {c.name: c for c in cases}
    failures = []
    for result in results:
        for problem in _problems(importer, by_name[result["case"]], result):
            failures.append(f"{result['case']} into {result['kind']}: {problem}")
    assert failures == [], "\n".join(failures)


def test_files_that_never_end_or_never_open_are_refused_at_once(outcome) -> None:
    _importer, _cases, results = outcome
    quick = {"dev-zero", "dev-urandom", "fifo-without-writer", "too-large-sparse", "folder"}
    slow = [r for r in results if r["case"] in quick and r["seconds"] > 2.0]
    assert slow == [] and {r["case"] for r in results} >= quick
    assert all(r["peak_kb"] < 200 * 1024 for r in results if r["case"] in quick)


def test_the_corpus_leaves_nothing_but_itself(outcome, tmp_path: Path) -> None:
    _importer, cases, _results = outcome
    folders = {c.path.parent for c in cases}
    assert len(folders) == 1
    (corpus,) = folders
    assert sorted(p.name for p in corpus.iterdir()) == sorted(c.path.name for c in cases)
