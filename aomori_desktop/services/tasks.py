"""Progress, cancellation and patience for work that runs on the database worker.

A `TaskState` is handed to every unit of work: long calls (imports, exports, reports, backups)
report progress on it and ask at safe points whether to stop; `run_patiently` waits on it while
another user or program holds the database's write lock. Thread-safe: the work runs on a
worker thread, the window reads the state on the GUI thread. Headless commands use it too.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from aomori_desktop.domain.errors import UserError
from aomori_desktop.store.engine import lock_wait_slice
from aomori_desktop.store.errors import DatabaseLocked

LOCK_WAIT_SLICE_S = 0.25  # how long SQLite waits for a lock before the worker looks up
GIVE_UP_AFTER_S = 60.0  # then the wait is given up with a sentence
WAIT_CANCELLED = (
    "他の利用者がデータベースを使用中のため、待つのをやめました。この操作は保存していません。"
)


class Cancelled(UserError):
    """The user stopped the work; nothing was written."""

    def __init__(self, message: str = "操作を取り消しました。何も変更していません。") -> None:
        super().__init__(message)


class WaitGivenUp(Cancelled):
    """Another user held the database's write lock for too long; nothing was written."""


class TaskState:
    """Progress (done of total, with a line of text), a waiting notice and a cancel request.

    `listener` is called (on the worker thread) after every change of progress or waiting.
    """

    def __init__(self, listener: Callable[[TaskState], None] | None = None) -> None:
        self._cancel = threading.Event()
        self._listener = listener
        self.done = 0
        self.total = 0
        self.text = ""
        self.waiting = ""  # non-empty while waiting for another user's lock

    def report(self, done: int, total: int, text: str = "") -> None:
        self.done, self.total, self.text = done, total, text
        self._notify()

    def set_waiting(self, text: str) -> None:
        if text != self.waiting:
            self.waiting = text
            self._notify()

    def _notify(self) -> None:
        if self._listener is not None:
            self._listener(self)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise `Cancelled` if the user asked to stop. Call only where stopping leaves
        nothing half-written (before the transaction commits)."""
        if self._cancel.is_set():
            raise Cancelled()

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`; True when cancelled meanwhile."""
        return self._cancel.wait(seconds)


def run_patiently[T](
    work: Callable[[TaskState], T],
    state: TaskState,
    *,
    slice_s: float = LOCK_WAIT_SLICE_S,
    give_up_s: float = GIVE_UP_AFTER_S,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Run `work`; while the database is locked by another writer, run it again in short
    slices until it goes through, the user cancels, or `give_up_s` have passed.

    Each attempt is one transaction that was rolled back whole, so trying again is safe and
    giving up leaves nothing written.
    """
    started = clock()
    has_waited = False  # whether another writer's lock has been waited for already
    while True:
        if state.cancelled:
            state.set_waiting("")
            raise Cancelled(WAIT_CANCELLED) if has_waited else Cancelled()
        try:
            with lock_wait_slice(slice_s):
                result = work(state)
        except DatabaseLocked as exc:
            waited = clock() - started
            if waited >= give_up_s:
                state.set_waiting("")
                raise WaitGivenUp(
                    f"他の利用者またはプログラムがデータベースを使用中のため、{int(waited)}秒待ちましたが"
                    "保存できませんでした。何も変更していません。しばらくしてからもう一度操作してください。"
                ) from exc
            state.set_waiting(
                "他の利用者またはプログラムがデータベースを使用中です。"
                f"使用が終わるのを待っています（{int(waited)}秒）…"
            )
            has_waited = True
            if state.wait(min(slice_s, 0.1)):
                state.set_waiting("")
                raise Cancelled(WAIT_CANCELLED) from exc
            continue
        state.set_waiting("")
        return result
