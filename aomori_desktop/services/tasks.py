"""Progress and cancellation for long work (imports, exports, reports, backups).

A `TaskState` is handed to a long service call; the call reports progress and asks at safe
points whether it should stop. Thread-safe: the work runs on a worker thread, the window reads
the progress on the GUI thread. Headless commands use it too (without anyone cancelling).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from aomori_desktop.domain.errors import UserError


class Cancelled(UserError):
    """The user stopped the work; nothing was written."""

    def __init__(self, message: str = "操作を取り消しました。何も変更していません。") -> None:
        super().__init__(message)


ProgressCallback = Callable[[int, int, str], None]


class TaskState:
    """Progress (done of total, with a line of text) and a cancel request."""

    def __init__(self, on_progress: ProgressCallback | None = None) -> None:
        self._cancel = threading.Event()
        self._on_progress = on_progress
        self._lock = threading.Lock()
        self.done = 0
        self.total = 0
        self.text = ""

    def report(self, done: int, total: int, text: str = "") -> None:
        with self._lock:
            self.done, self.total, self.text = done, total, text
        if self._on_progress is not None:
            self._on_progress(done, total, text)

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
