"""Database files as whole files: consistent copies, checks, and files that appear only complete.

A new database (init, import, restore) is built in a temporary file beside its target and put
in place by one rename once it is complete and checked, so a crash or power cut leaves either
no file or the whole file at the target, never half of one. Helpers for SQLite files that are
not open through SQLAlchemy (backups, the file being restored) live here too.
"""

from __future__ import annotations

import errno
import getpass
import hashlib
import os
import secrets
import socket
import sqlite3
import sys
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from aomori_desktop.store.errors import StoreError

#: A temporary file beside its target: ".plan.sqlite3.<host>-<pid>.<random>.part".
PART_SUFFIX = ".part"
#: Leftovers of a build that ended without cleaning up are removed after this long even when
#: their process cannot be asked about (another PC).
LEFTOVER_AGE_S = 24 * 3600

PageProgress = Callable[[int, int], None]  # (pages copied, pages in all)


def os_user() -> str:
    """The OS login name, recorded as 'who' in the audit log and the writer lock."""
    try:
        return getpass.getuser() or "unknown"
    except (KeyError, OSError, ImportError):
        return "unknown"


def this_machine() -> str:
    """The computer's name as other PCs see it (COMPUTERNAME on Windows)."""
    name = os.environ.get("COMPUTERNAME") if sys.platform == "win32" else None
    return (name or socket.gethostname() or "unknown")[:100]


def _machine_tag() -> str:
    return hashlib.sha1(this_machine().encode("utf-8")).hexdigest()[:6]


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this computer (a zombie counts as gone)."""
    if pid <= 0:
        return False
    if sys.platform == "win32":
        return _windows_pid_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    with suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        if stat.rsplit(")", 1)[-1].split()[0] in ("Z", "X"):
            return False
    return True


def process_started(pid: int) -> str:
    """When the process `pid` of this computer started, as an opaque text ("" if unknown).

    Process ids are reused (quickly on Windows, after 32,768 on Linux): a lock names its
    process by id and start, so a new process that got the same id is not taken for it.
    """
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return _windows_process_started(pid)
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return ""
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else ""  # starttime, in clock ticks since boot


def _windows_process_started(pid: int) -> str:  # pragma: no cover - Windows only
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)
    if not handle:
        return ""
    try:
        times = [ctypes.c_ulonglong() for _ in range(4)]
        if not kernel32.GetProcessTimes(handle, *(ctypes.byref(t) for t in times)):
            return ""
        return str(times[0].value)  # creation time
    finally:
        kernel32.CloseHandle(handle)


def _windows_pid_alive(pid: int) -> bool:  # pragma: no cover - Windows only
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    process_query_limited_information = 0x1000
    still_active = 259
    handle = kernel32.OpenProcess(process_query_limited_information, False, pid)
    if not handle:
        return bool(kernel32.GetLastError() == 5)  # access denied: it exists
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == still_active
    finally:
        kernel32.CloseHandle(handle)


def sqlite_uri(path: Path, mode: str) -> str:
    """A file: URI for sqlite3.connect(uri=True). as_uri() percent-encodes '#', '?' and '%'
    (spliced in raw, a folder named "課#1" cut the URI short and SQLite opened another file)."""
    return f"{path.resolve().as_uri()}?mode={mode}"


def connect_file(path: Path, mode: str) -> sqlite3.Connection:
    """A plain sqlite3 connection to an existing file (`mode` "ro", "rw")."""
    return sqlite3.connect(sqlite_uri(path, mode), uri=True, isolation_level=None, timeout=5.0)


def integrity_problems(connection: sqlite3.Connection, *, quick: bool = False) -> list[str]:
    """PRAGMA integrity_check (or quick_check): the lines it reports, empty when sound."""
    pragma = "quick_check" if quick else "integrity_check"
    rows = [str(row[0]) for row in connection.execute(f"PRAGMA {pragma}")]
    return [] if rows == ["ok"] else rows


def file_integrity_problems(path: Path) -> list[str]:
    """`integrity_problems` of a file that nobody writes (a backup, a file being built).

    A file that SQLite cannot read at all answers with one line saying so.
    """
    try:
        con = sqlite3.connect(f"{sqlite_uri(path, 'ro')}&immutable=1", uri=True)
        try:
            return integrity_problems(con)
        finally:
            con.close()
    except sqlite3.Error as exc:
        return [str(exc)]


def copy_database(
    source: sqlite3.Connection,
    target: Path,
    *,
    progress: PageProgress | None = None,
    pages_per_step: int = 256,
) -> None:
    """Copy a live database page by page into a new file (SQLite's online backup API: a
    consistent copy even while another connection writes), then sync it to disk."""
    dst = sqlite3.connect(target, isolation_level=None)
    try:

        def on_step(_status: int, remaining: int, total: int) -> None:
            if progress is not None:
                progress(total - remaining, total)

        source.backup(dst, pages=pages_per_step, progress=on_step)
        # The copy keeps the source's journal mode; make sure it is a plain rollback file
        # (a database may sit on a shared drive, where WAL does not work).
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        dst.close()
    fsync_file(target)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (POSIX); Windows has no directory handles for it."""
    if sys.platform == "win32":  # pragma: no cover
        return
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def temp_beside(target: Path, purpose: str = "") -> Path:
    """A fresh temporary name in the target's folder (a rename within a folder is atomic)."""
    tag = f"{_machine_tag()}-{os.getpid()}.{secrets.token_hex(3)}"
    extra = f".{purpose}" if purpose else ""
    return target.with_name(f".{target.name}.{tag}{extra}{PART_SUFFIX}")


def remove_database_file(path: Path) -> None:
    """A database file and its rollback journal (a half-built temporary file)."""
    for candidate in (path, path.with_name(path.name + "-journal")):
        with suppress(OSError):
            candidate.unlink(missing_ok=True)


def remove_leftovers(target: Path) -> list[Path]:
    """Temporary files of builds of `target` whose process has ended without cleaning up
    (killed, powered off): those of this PC whose process is gone, and any older than a day."""
    removed: list[Path] = []
    prefix = f".{target.name}."
    mine = _machine_tag()
    try:
        candidates = [p for p in target.parent.iterdir() if p.name.startswith(prefix)]
    except OSError:
        return removed
    now = time.time()
    for path in candidates:
        name = path.name
        if not (name.endswith(PART_SUFFIX) or name.endswith(PART_SUFFIX + "-journal")):
            continue
        tag = name[len(prefix) :].split(".", 1)[0]
        host, _, pid_text = tag.partition("-")
        gone = host == mine and pid_text.isdigit() and not pid_alive(int(pid_text))
        try:
            old = now - path.stat().st_mtime > LEFTOVER_AGE_S
        except OSError:
            continue
        if gone or old:
            with suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed


def place_new(built: Path, target: Path) -> None:
    """Move a complete file to `target`, which must not exist: never overwrites.

    POSIX: a hard link fails if the target exists (then the temporary name is dropped);
    Windows: rename fails if the target exists. Where hard links are not supported (some
    network drives), an existence check and a rename are the fallback.
    """
    if sys.platform == "win32":  # pragma: no cover
        os.rename(built, target)
        return
    try:
        os.link(built, target)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        if target.exists():
            raise FileExistsError(errno.EEXIST, "exists", str(target)) from exc
        os.rename(built, target)
    else:
        built.unlink()
    fsync_dir(target.parent)


def replace_with(built: Path, target: Path) -> None:
    """Put a complete file in place of `target` in one step (the old file is gone after)."""
    os.replace(built, target)
    fsync_dir(target.parent)


def describe_os_error(exc: OSError) -> str:
    """A short Japanese reason for a file error (for the parentheses of a sentence)."""
    if exc.errno == errno.ENOSPC:
        return "ディスクの空き容量が足りません"
    if isinstance(exc, PermissionError):
        return "書き込む権限がないか、他のプログラムが使用中です"
    if isinstance(exc, FileNotFoundError):
        return "フォルダーが見つかりません"
    return exc.strerror or type(exc).__name__


def is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return True
    text = str(exc).lower()
    return "disk is full" in text or "database or disk is full" in text


class FileProblem(StoreError):
    """A database file could not be written or moved."""
