"""The operation layer: every write and every long read runs on one database worker thread.

The window hands a unit of work (a call of a service) to `Operations`; the worker runs it away
from the GUI thread, waiting patiently while another user holds the database's write lock; the
outcome comes back on the GUI thread. One worker keeps writes in the order the user made them
(SQLite has one writer at a time) and owns no widget.

Two ways in:
- `call(label, work)` for an edit whose caller needs the answer to decide what to show next to
  the field. It returns when the work is done; meanwhile the event loop keeps turning (timers,
  painting) while user input waits, and after `SHOW_AFTER_MS` a modal dialog says what is
  happening (and, while waiting for another user's lock, offers to stop waiting).
- `start(label, work, done)` for long work (imports, exports, reports, backups): returns at once;
  a progress dialog with a cancel button appears after `SHOW_AFTER_MS`; `done` runs on the GUI
  thread with the finished job.

Threading rules: `work` runs on the worker thread. It may call services (each owns its own
session and transaction) and read its `TaskState`; it must never touch a widget or a QObject.
Everything else in this module runs on the GUI thread.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from aomori_desktop.domain.errors import UserError
from aomori_desktop.services.tasks import TaskState, run_patiently

log = logging.getLogger(__name__)

SHOW_AFTER_MS = 300  # work that takes longer shows a dialog
JOIN_TIMEOUT_S = 10.0


@dataclass(eq=False)
class Job:
    """One unit of work and, once `finished` is set, its result or its error."""

    label: str
    work: Callable[[TaskState], Any]
    cancellable: bool
    id: int = 0
    state: TaskState = field(default_factory=TaskState)
    result: Any = None
    error: UserError | None = None
    finished: threading.Event = field(default_factory=threading.Event)
    seconds: float = 0.0

    def outcome(self) -> Any:
        """The result, or the error raised as it was (a `UserError` with its sentence)."""
        if self.error is not None:
            raise self.error
        return self.result


class _Bridge(QObject):
    """Carries the worker's news to the GUI thread (queued: emitted on the worker thread)."""

    finished = Signal(object)  # Job
    progressed = Signal(object)  # Job


class DatabaseWorker:
    """One thread that runs jobs one after another, in the order they were submitted."""

    def __init__(self, bridge: _Bridge) -> None:
        self._bridge = bridge
        self._queue: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="aomori-database", daemon=True)
        self._thread.start()

    def submit(self, job: Job) -> None:
        self._queue.put(job)

    def stop(self, timeout: float = JOIN_TIMEOUT_S) -> bool:
        """Finish the queued jobs, then end the thread; False if it did not end in time."""
        self._queue.put(None)
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        while (job := self._queue.get()) is not None:
            started = time.perf_counter()
            try:
                job.result = run_patiently(job.work, job.state)
            except UserError as exc:
                job.error = exc
            except BaseException:  # a defect: logged whole, told as a sentence
                log.exception("unexpected error in %s", job.label)
                job.error = UserError(
                    f"予期しない問題が起きたため「{job.label}」を完了できませんでした"
                    "（この操作による変更は保存していません）。"
                    "もう一度お試しいただき、繰り返す場合はログを添えて担当者に連絡してください。"
                )
            job.seconds = time.perf_counter() - started
            job.finished.set()
            self._bridge.finished.emit(job)


class BusyDialog(QDialog):
    """What the window shows while work takes longer than a moment: the work's name, its
    progress when known, the waiting notice, and キャンセル where stopping is safe."""

    def __init__(self, job: Job, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.job = job
        self.setWindowTitle("処理中")
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        self.title_label = QLabel(f"処理中: {job.label}")
        self.title_label.setWordWrap(True)
        self.detail_label = QLabel()
        self.detail_label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy until a total is known
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setText("キャンセル")
        self.cancel_button.clicked.connect(self._cancel)
        for widget in (self.title_label, self.detail_label, self.bar, self.buttons):
            layout.addWidget(widget)
        self.update_from_state()

    def _cancel(self) -> None:
        self.job.state.cancel()
        self.cancel_button.setEnabled(False)
        self.detail_label.setText("取り消しています…（書きかけの変更は保存しません）")

    def update_from_state(self) -> None:
        state = self.job.state
        if state.total > 0:
            self.bar.setRange(0, state.total)
            self.bar.setValue(min(state.done, state.total))
        lines = [line for line in (state.text, state.waiting) if line]
        if self.cancel_button.isEnabled():
            self.detail_label.setText("\n".join(lines))
        # an edit can be given up only while it waits for someone else's lock (it has not
        # started writing); long work is cancellable at its own safe points
        self.cancel_button.setVisible(self.job.cancellable or bool(state.waiting))

    def reject(self) -> None:  # Esc: the same as キャンセル where it is offered
        if self.cancel_button.isVisible() and self.cancel_button.isEnabled():
            self._cancel()

    def closeEvent(self, event: Any) -> None:
        event.ignore()  # it closes when the work ends


class Operations(QObject):
    """The window's side of the database worker (see the module docstring)."""

    busyChanged = Signal(bool)
    jobFinished = Signal(object)  # Job, after its `done` callback ran

    def __init__(
        self, parent: QObject | None = None, *, dialog_parent: Callable[[], QWidget | None]
    ) -> None:
        super().__init__(parent)
        self._dialog_parent = dialog_parent
        self._bridge = _Bridge(self)
        self._bridge.finished.connect(self._on_finished)
        self._bridge.progressed.connect(self._on_progress)
        self._worker = DatabaseWorker(self._bridge)
        self._ids = itertools.count(1)
        self._pending: dict[int, Job] = {}
        self._loops: dict[int, QEventLoop] = {}
        self._dialogs: dict[int, BusyDialog] = {}
        self._callbacks: dict[int, Callable[[Job], None]] = {}
        self._stopped = False
        self.last_dialog_text = ""  # what the last dialog said (for the status line and tests)

    # ------------------------------------------------------------ the two ways in

    def call(self, label: str, work: Callable[[TaskState], Any]) -> Any:
        """Run `work` on the worker and return its result (or raise its `UserError`),
        keeping the event loop turning meanwhile; user input waits until it is done."""
        job = self._submit(label, work, cancellable=False)
        self._wait(job)
        return job.outcome()

    def start(
        self,
        label: str,
        work: Callable[[TaskState], Any],
        done: Callable[[Job], None],
        *,
        cancellable: bool = True,
    ) -> Job:
        """Run `work` on the worker; `done(job)` runs on the GUI thread when it finishes."""
        job = self._submit(label, work, cancellable=cancellable)
        self._callbacks[job.id] = done
        QTimer.singleShot(SHOW_AFTER_MS, lambda: self._show_dialog(job))
        return job

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def wait_idle(self, timeout_s: float = 30.0) -> bool:
        """Turn the event loop until every submitted job has finished (closing, tests)."""
        deadline = time.monotonic() + timeout_s
        while self._pending and time.monotonic() < deadline:
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
            for job in list(self._pending.values()):
                job.finished.wait(0.01)
        return not self._pending

    def shutdown(self) -> None:
        """Stop the worker after the work already handed to it (closing the database)."""
        if self._stopped:
            return
        self._stopped = True
        for job in self._pending.values():
            if job.cancellable:
                job.state.cancel()
        if not self._worker.stop():
            log.warning("the database worker did not stop within %.0f s", JOIN_TIMEOUT_S)
        QApplication.processEvents()  # deliver the last finished jobs
        for job in list(self._pending.values()):
            self._on_finished(job)

    # ------------------------------------------------------------ internals

    def _submit(self, label: str, work: Callable[[TaskState], Any], *, cancellable: bool) -> Job:
        if self._stopped:
            raise UserError("データベースは既に閉じています。もう一度開いてから操作してください。")
        job = Job(label, work, cancellable, id=next(self._ids))
        progressed = self._bridge.progressed

        def tell(_state: TaskState) -> None:  # on the worker thread: only a queued signal
            progressed.emit(job)

        job.state = TaskState(tell)
        was_busy = self.busy
        self._pending[job.id] = job
        self._worker.submit(job)
        if not was_busy:
            self.busyChanged.emit(True)
        return job

    def _wait(self, job: Job) -> None:
        if job.finished.is_set():
            self._on_finished(job)
            return
        loop = QEventLoop()
        self._loops[job.id] = loop
        timer = QTimer()
        timer.setSingleShot(True)

        def show() -> None:
            if self._show_dialog(job):
                loop.exit(1)

        timer.timeout.connect(show)
        timer.start(SHOW_AFTER_MS)
        QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        try:
            shown = loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents) == 1
            if shown and not job.finished.is_set():
                # the modal dialog now takes the user's input (its キャンセル); the rest of
                # the window stays blocked until the work is done
                loop.exec(QEventLoop.ProcessEventsFlag.AllEvents)
        finally:
            timer.stop()
            QApplication.restoreOverrideCursor()
            self._loops.pop(job.id, None)
        if job.id in self._pending:  # finished before the loop could be told
            self._on_finished(job)

    def _show_dialog(self, job: Job) -> bool:
        if job.finished.is_set() or job.id in self._dialogs or job.id not in self._pending:
            return False
        dialog = BusyDialog(job, self._dialog_parent())
        self._dialogs[job.id] = dialog
        self.last_dialog_text = f"{dialog.title_label.text()} {dialog.detail_label.text()}"
        dialog.show()
        return True

    def _on_progress(self, job: Job) -> None:
        dialog = self._dialogs.get(job.id)
        if dialog is not None:
            dialog.update_from_state()
            self.last_dialog_text = f"{dialog.title_label.text()} {dialog.detail_label.text()}"

    def _on_finished(self, job: Job) -> None:
        if self._pending.pop(job.id, None) is None:
            return  # already handled
        dialog = self._dialogs.pop(job.id, None)
        if dialog is not None:
            dialog.hide()
            dialog.deleteLater()
        loop = self._loops.get(job.id)
        if loop is not None:
            loop.exit(0)
        callback = self._callbacks.pop(job.id, None)
        if callback is not None:
            callback(job)
        if not self._pending:
            self.busyChanged.emit(False)
        self.jobFinished.emit(job)
