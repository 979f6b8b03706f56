"""Files that are not files, for any importer: they must be refused at once, never read.

A FIFO without a writer waits for ever, /dev/zero and /dev/urandom never end, a sparse file
claims 250 MB; a folder, a dangling link, an empty file and a file without read permission.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from tests.safety.hostile.cases import Case


def builder(suffix: str) -> Callable[[Path, str], list[Case]]:
    def build(folder: Path, _base: str) -> list[Case]:
        cases: list[Case] = []

        def make(name: str, create: Callable[[Path], object], phrase: str) -> None:
            path = folder / f"{len(cases):02d}-{name}{suffix}"
            create(path)
            cases.append(Case(name, path, phrase))

        make("folder", lambda p: p.mkdir(), "フォルダー")
        make("dev-zero", lambda p: p.symlink_to("/dev/zero"), "通常のファイルではありません")
        make("dev-urandom", lambda p: p.symlink_to("/dev/urandom"), "通常のファイルではありません")
        make("fifo-without-writer", lambda p: os.mkfifo(p), "通常のファイルではありません")
        make("dangling-symlink", lambda p: p.symlink_to(folder / "gone"), "見つかりません")
        make("empty", lambda p: p.write_bytes(b""), "")
        make("too-large-sparse", lambda p: os.truncate(_touch(p), 250 * 1000 * 1000), "大きすぎ")
        make(
            "unreadable", lambda p: (p.write_bytes(b"PK\x03\x04" + bytes(100)), p.chmod(0)), "権限"
        )
        return cases

    return build


def _touch(path: Path) -> Path:
    path.write_bytes(b"x")
    return path
