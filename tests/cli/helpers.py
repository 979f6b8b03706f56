"""Checks shared by the CLI tests."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def files(folder: Path) -> dict[str, str]:
    """Every file under a folder with the sha256 of its bytes: "nothing changed" in one value."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def assert_one_japanese_message(err: str, *, lines: int | None = 1) -> None:
    """One message for the user on stderr: Japanese, no traceback, no blank line inside."""
    assert err.endswith("\n"), repr(err)
    assert "Traceback" not in err and 'File "' not in err, err
    assert "\n\n" not in err, err
    assert JAPANESE.search(err.splitlines()[0]), err
    if lines is not None:
        assert len(err.splitlines()) == lines, err
        assert err.rstrip().endswith("。"), err
