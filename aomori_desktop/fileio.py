"""Writing files so that a failure never leaves half a file behind."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from aomori_desktop.domain.errors import UserError


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """Write beside the target, flush to disk, then rename over it.

    The file gets the usual permissions (0666 less the umask), like any file the user saves;
    errors become a Japanese sentence.
    """
    if path.is_dir():
        raise UserError(f"「{path}」はフォルダーです。書き出すファイル名を指定してください。")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UserError(f"書き出し先のフォルダー「{parent}」がありません。")
    tmp = parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except PermissionError as exc:
        raise UserError(f"「{path}」に書き込む権限がありません。") from exc
    except OSError as exc:
        raise UserError(f"「{path}」に書き込めませんでした（{exc.strerror or exc}）。") from exc


def write_text_atomically(path: Path, text: str) -> None:
    """UTF-8 text with \\n line ends, written as `write_bytes_atomically` does."""
    write_bytes_atomically(path, text.encode("utf-8"))
