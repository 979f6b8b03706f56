"""One writer at a time: a lock file beside the database, readable by everyone who opens it.

SQLite's own locks keep each transaction whole, but they say nothing about who else has the
file open, and two people editing the same plan on a shared drive would keep undoing each
other's work. So the application that opens a database for editing creates
``<database>.lock`` beside it (with O_EXCL: exactly one creator wins, also on a Windows share)
holding the user name, the computer, the process id and since when, and touches it every
`HEARTBEAT_S` seconds. Whoever comes second reads who holds it and may open read-only.

A lock whose holder is gone is taken over without asking anyone to delete files: on the same
computer when its process no longer runs (its id and start time, since ids are reused), from
any computer when it has not been touched for
`STALE_AFTER_S` seconds (a crashed or powered-off PC). Takeover itself is serialised by a
second O_EXCL file, so two PCs finding the same stale lock cannot both win.

Within one process the lock is shared (a second window of the same instance is not a second
writer); it is released when the last user in the process lets go.

Threading: the heartbeat runs on a daemon thread; `WriterLock` methods may be called from any
thread.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar, Final

from aomori_desktop import __version__
from aomori_desktop.store.errors import StoreError
from aomori_desktop.store.files import os_user, pid_alive, process_started, this_machine

LOCK_SUFFIX: Final = ".lock"
HEARTBEAT_S: Final = 10.0
STALE_AFTER_S: Final = 60.0
#: a lock file still empty after this long was left by a writer that died while creating it
UNWRITTEN_AFTER_S: Final = 5.0
#: a takeover guard older than this was left by a process that died while taking over
TAKEOVER_STALE_S: Final = 15.0


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + LOCK_SUFFIX)


@dataclass(frozen=True, slots=True)
class LockHolder:
    """Who holds a database for editing, as read from its lock file."""

    user: str
    machine: str
    pid: int
    since: datetime  # aware
    seen: datetime  # the last heartbeat (the file's modification time), aware
    token: str
    started: str = ""  # when its process started (`files.process_started`), "" if unknown

    @property
    def on_this_machine(self) -> bool:
        return self.machine == this_machine()

    def describe(self) -> str:
        """「青森 太郎さん（パソコン KIKAKU-01）が 2026/11/28 10:32 から」."""
        since = self.since.astimezone().strftime("%Y/%m/%d %H:%M")
        who = f"{self.user}さん" if self.user else "他の利用者"
        where = f"（パソコン {self.machine}）" if self.machine else ""
        return f"{who}{where}が {since} から"


class DatabaseInUse(StoreError):
    """Someone else holds the database for editing; `holder` says who."""

    def __init__(self, message: str, holder: LockHolder) -> None:
        super().__init__(message)
        self.holder = holder


class LockUnavailable(StoreError):
    """No lock file can be made beside the database (a read-only folder or share)."""


class LockLost(StoreError):
    """The lock this instance held was taken over (e.g. after this PC slept for long)."""


def in_use_message(location: str, holder: LockHolder) -> str:
    return (
        f"データベース「{location}」は、{holder.describe()}編集中です。"
        "同時に編集することはできません。読み取り専用で開くか、編集が終わってからもう一度開いてください。"
    )


def read_holder(path: Path) -> LockHolder | None:
    """The holder named in a lock file; None when there is none. A file that cannot be parsed
    (being written, or left empty by a crash) gives a holder with an empty token."""
    try:
        stat = path.stat()
        raw = path.read_bytes()[:4096]
    except FileNotFoundError:
        return None
    except OSError:
        raise
    seen = datetime.fromtimestamp(stat.st_mtime, UTC)
    try:
        data = json.loads(raw.decode("utf-8"))
        return LockHolder(
            user=str(data.get("user", ""))[:100],
            machine=str(data.get("machine", ""))[:100],
            pid=int(data.get("pid", 0)),
            since=datetime.fromisoformat(str(data["since"])),
            seen=seen,
            token=str(data["token"]),
            started=str(data.get("started", "")),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return LockHolder(user="", machine="", pid=0, since=seen, seen=seen, token="")


def is_stale(holder: LockHolder, now: float, stale_after: float = STALE_AFTER_S) -> bool:
    """Whether a holder is gone: its process ended (same PC), or no heartbeat for long."""
    age = now - holder.seen.timestamp()
    if not holder.token:
        return age > UNWRITTEN_AFTER_S
    if holder.on_this_machine:
        if not pid_alive(holder.pid):
            return True
        if holder.started and process_started(holder.pid) != holder.started:
            return True  # its id now belongs to another process (ids are reused)
    return age > stale_after


class WriterLock:
    """The writer lock of one database file held by this process (see module docstring).

    `acquire` returns a handle; each handle's `release` lets go of one use, the file goes
    with the last.
    """

    _held: ClassVar[dict[str, WriterLock]] = {}
    _registry_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, path: Path, token: str, taken_over: LockHolder | None) -> None:
        self.path = path
        self.token = token
        self.taken_over = taken_over  # the stale holder this lock replaced, if any
        self._uses = 0
        self._lost = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ acquiring

    @classmethod
    def acquire(
        cls,
        db_path: Path,
        *,
        location: str | None = None,
        heartbeat_s: float = HEARTBEAT_S,
        stale_after_s: float = STALE_AFTER_S,
    ) -> LockHandle:
        """Take the lock of `db_path` or raise `DatabaseInUse` (who holds it) or
        `LockUnavailable` (no lock file can be made: open read-only)."""
        path = lock_path(db_path)
        key = os.path.normcase(str(path.resolve()))
        with cls._registry_lock:
            lock = cls._held.get(key)
            if lock is not None and not lock.lost:
                lock._uses += 1
                return LockHandle(lock)
            lock = cls._create(path, location or str(db_path), stale_after_s)
            lock._uses = 1
            cls._held[key] = lock
        lock._start_heartbeat(heartbeat_s)
        return LockHandle(lock)

    @classmethod
    def _create(cls, path: Path, location: str, stale_after_s: float) -> WriterLock:
        taken_over: LockHolder | None = None
        for _attempt in range(5):
            token = secrets.token_hex(8)
            if cls._try_create(path, token, location):
                return WriterLock(path, token, taken_over)
            try:
                holder = read_holder(path)
            except OSError as exc:
                raise LockUnavailable(
                    f"データベース「{location}」の編集中の印（{path.name}）を読み取れません"
                    f"（{exc.strerror or exc}）。"
                ) from exc
            if holder is None:
                continue  # released meanwhile: try again
            if not is_stale(holder, time.time(), stale_after_s):
                raise DatabaseInUse(in_use_message(location, holder), holder)
            if cls._take_over(path, holder):
                taken_over = holder
            else:
                time.sleep(0.05)
        holder = read_holder(path)
        if holder is not None:
            raise DatabaseInUse(in_use_message(location, holder), holder)
        raise LockUnavailable(f"データベース「{location}」の編集中の印を作成できませんでした。")

    @staticmethod
    def _content(token: str) -> bytes:
        data = {
            "user": os_user(),
            "machine": this_machine(),
            "pid": os.getpid(),
            "started": process_started(os.getpid()),
            "since": datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
            "token": token,
            "application": f"aomori-desktop {__version__}",
        }
        return json.dumps(data, ensure_ascii=False).encode("utf-8")

    @classmethod
    def _try_create(cls, path: Path, token: str, location: str) -> bool:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(path, flags, 0o644)
        except FileExistsError:
            return False
        except OSError as exc:
            raise LockUnavailable(
                f"データベース「{location}」のフォルダーに書き込めないため、編集用に開けません"
                f"（{exc.strerror or exc}）。"
            ) from exc
        try:
            os.write(fd, cls._content(token))
            os.fsync(fd)
        except OSError as exc:
            os.close(fd)
            path.unlink(missing_ok=True)
            raise LockUnavailable(
                f"データベース「{location}」の編集中の印を書き込めません（{exc.strerror or exc}）。"
            ) from exc
        os.close(fd)
        return True

    @staticmethod
    def _take_over(path: Path, stale: LockHolder) -> bool:
        """Remove a stale lock file, if it is still the one judged stale. One taker at a time."""
        guard = path.with_name(path.name + ".takeover")
        try:
            fd = os.open(guard, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            try:
                if time.time() - guard.stat().st_mtime > TAKEOVER_STALE_S:
                    guard.unlink()
            except OSError:
                pass
            return False
        except OSError:
            return False
        os.close(fd)
        try:
            current = read_holder(path)
            if current is None:
                return True
            if current.token != stale.token or current.seen != stale.seen:
                return False  # renewed or replaced meanwhile
            path.unlink()
            return True
        except OSError:
            return False
        finally:
            guard.unlink(missing_ok=True)

    # ------------------------------------------------------------ holding

    @property
    def lost(self) -> bool:
        return self._lost.is_set()

    def still_held(self) -> bool:
        """Check the file now: True while it still names this lock."""
        if self._lost.is_set():
            return False
        try:
            holder = read_holder(self.path)
        except OSError:
            return True  # unreachable for a moment (network): SQLite will say if writes fail
        if holder is not None and holder.token == self.token:
            return True
        if holder is None and self._try_recreate():
            return True
        self._lost.set()
        return False

    def _try_recreate(self) -> bool:
        """The file was deleted by hand while held: put it back unless someone else has."""
        try:
            return self._try_create(self.path, self.token, str(self.path))
        except StoreError:
            return False

    def _start_heartbeat(self, interval: float) -> None:
        def beat() -> None:
            while not self._stop.wait(interval):
                if not self.still_held():
                    return
                try:
                    os.utime(self.path)
                except OSError:
                    continue

        self._thread = threading.Thread(target=beat, name=f"lock {self.path.name}", daemon=True)
        self._thread.start()

    def _release_one(self) -> None:
        cls = type(self)
        with cls._registry_lock:
            self._uses -= 1
            if self._uses > 0:
                return
            for key, lock in list(cls._held.items()):
                if lock is self:
                    del cls._held[key]
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2)
        if self._lost.is_set():
            return
        try:
            holder = read_holder(self.path)
            if holder is not None and holder.token == self.token:
                self.path.unlink()
        except OSError:
            pass  # a share gone: the lock goes stale and is taken over later


class LockHandle:
    """One use of a `WriterLock` (one open database); `release` once."""

    def __init__(self, lock: WriterLock) -> None:
        self._lock: WriterLock | None = lock
        self.path = lock.path
        self.taken_over = lock.taken_over

    @property
    def lost(self) -> bool:
        return self._lock is None or self._lock.lost

    def still_held(self) -> bool:
        return self._lock is not None and self._lock.still_held()

    def release(self) -> None:
        lock, self._lock = self._lock, None
        if lock is not None:
            lock._release_one()
