"""Small checks shared by the store tests."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from pathlib import Path

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_japanese_sentence(message: str) -> None:
    """A sentence for a city officer: Japanese, ends like a sentence, no Python internals."""
    assert JAPANESE.search(message), message
    assert message.rstrip().endswith("。"), message
    assert "Traceback" not in message
    assert "sqlite3." not in message, message


def dump(path: Path) -> list[str]:
    """Every schema object and row of a database, as SQL text (content, not bytes)."""
    con = sqlite3.connect(path)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def page_span(path: Path, name: str) -> tuple[int, int]:
    """(offset, length) in the file of the root page of a table or index."""
    con = sqlite3.connect(path)
    try:
        (page,) = con.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", (name,)
        ).fetchone()
        (page_size,) = con.execute("PRAGMA page_size").fetchone()
    finally:
        con.close()
    return (int(page) - 1) * int(page_size), int(page_size)
