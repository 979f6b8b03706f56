from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from aomori_desktop.domain.errors import UserError
from aomori_desktop.fileio import write_bytes_atomically, write_text_atomically


def test_written_file_has_the_usual_permissions_and_no_leftovers(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        target = tmp_path / "計画.json"
        write_text_atomically(target, "青森\n")
    finally:
        os.umask(old)
    assert target.read_bytes() == "青森\n".encode()
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # readable by colleagues, like a saved file
    assert sorted(p.name for p in tmp_path.iterdir()) == ["計画.json"]


def test_a_failed_write_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")

    def broken_replace(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(
        UserError, match=r"「.*out.bin」に書き込めませんでした（No space left on device）。"
    ):
        write_bytes_atomically(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


def test_folder_and_missing_parent_are_refused_in_japanese(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="はフォルダーです"):
        write_text_atomically(tmp_path, "x")
    with pytest.raises(UserError, match=r"書き出し先のフォルダー「.*」がありません"):
        write_text_atomically(tmp_path / "nope" / "a.json", "x")
