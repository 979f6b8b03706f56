"""Writing files so that a failure never leaves half a file behind, in the folder chosen;
reading files sent by others so that no file can hang or flood the reader."""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterator
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


def read_import_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of a file someone sent, refused with a sentence unless it is a plain file of
    at most `max_bytes` that this user may read.

    Opened without blocking and checked on the open handle, so a named pipe with no writer
    (which would wait for ever), a device such as /dev/zero behind a symlink (which never
    ends), or a file swapped between a check and the read cannot hang or flood the import.
    Every importer (JSON, Excel, CSV) reads its file through this or `import_file_chunks`.
    """
    return b"".join(import_file_chunks(path, max_bytes))


def import_file_chunks(path: Path, max_bytes: int) -> Iterator[bytes]:
    """`read_import_file` a megabyte at a time (the streaming JSON import): the same checks,
    made when the first chunk is asked for."""
    if not os.path.lexists(path):
        raise UserError(f"ファイル「{path}」が見つかりません。")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError as exc:
        raise UserError(f"ファイル「{path}」が見つかりません（リンク先がありません）。") from exc
    except PermissionError as exc:
        if path.is_dir():
            raise UserError(f"「{path}」はフォルダーです。ファイルを指定してください。") from exc
        raise UserError(f"ファイル「{path}」を読み取る権限がありません。") from exc
    except OSError as exc:
        raise UserError(f"ファイル「{path}」を開けません（{exc.strerror or exc}）。") from exc
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise UserError(f"「{path}」はフォルダーです。ファイルを指定してください。")
        if not stat.S_ISREG(info.st_mode):
            raise UserError(
                f"「{path}」は通常のファイルではありません（装置やパイプなど）。"
                "読み込むファイルを指定してください。"
            )
        if info.st_size > max_bytes:
            raise UserError(
                f"ファイル「{path}」は大きすぎます（{info.st_size / 1_000_000:,.0f} MB）。"
                f"読み込めるのは {max_bytes // 1_000_000} MB までです。"
            )
        total = 0
        while True:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:  # grew while being read
                raise UserError(
                    f"ファイル「{path}」は大きすぎます。読み込めるのは {max_bytes // 1_000_000} MB までです。"
                )
            yield chunk
    except OSError as exc:
        raise UserError(f"ファイル「{path}」を読み取れません（{exc.strerror or exc}）。") from exc
    finally:
        os.close(fd)


def path_in_folder(folder: Path, name: str) -> Path:
    """`folder / name` for a file name made from data (a KPI's code and name), refused unless
    it names a file directly inside `folder`: no separators, no "..", no drive or absolute
    path, so a name can never write outside the folder the user chose."""
    bad = (
        not name
        or name in (".", "..")
        or "/" in name
        or "\\" in name
        or ":" in name
        or "\x00" in name
        or os.path.isabs(name)
        or Path(name).name != name
    )
    path = folder / name
    if bad or os.path.abspath(path.parent) != os.path.abspath(folder):
        raise UserError(
            f"ファイル名「{name[:60]}」は書き出し先のフォルダーの外を指すため、書き出しませんでした。"
        )
    return path
