"""The window hears of others' writes (another PC on the same file, an import from the command
line, another user on the same server) and shows them without the user moving.

On a server a listener (services/watch.py → store/notify.py, LISTEN/NOTIFY) wakes the window
at once after each write; on a file, and on a server while listening is not in force, a timer
on the GUI thread looks every `POLL_MS` (one indexed query of the audit log when nothing was
written). When the server drops the listener's connection, the listener tries again by
itself (2 s, 4 s, … then every 30 s); once it listens again the window looks once for what it
missed and goes back to `LISTENING_POLL_MS`. What others changed goes to `deliver` (`PlanDocument.others_changed`), which broadcasts it as
`changed(changes, OthersChanged)`; this window's own writes are left out (they were shown).

Threading: the listener's thread only emits `heard` (queued to the GUI thread); everything
else runs on the GUI thread. No look is taken while the database worker is writing for this
window (its write would otherwise be seen before it is known to be its own).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from aomori_desktop.domain.errors import UserError
from aomori_desktop.services.transaction import PlanAccess
from aomori_desktop.services.watch import OthersChanged, PlanWatch
from aomori_desktop.ui.operations import Operations

log = logging.getLogger(__name__)

POLL_MS = 2000  # a file (or a server not listened to): look this often
LISTENING_POLL_MS = 30000  # a server that is listened to: a look now and then all the same


class OthersWatch(QObject):
    heard = Signal()  # a write on the server (emitted on the listener's thread)
    lost = Signal()  # listening failed (emitted on the listener's thread)
    listening_again = Signal()  # LISTEN is in force (emitted on the listener's thread)

    def __init__(
        self,
        access: PlanAccess,
        operations: Operations,
        deliver: Callable[[OthersChanged], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._operations = operations
        self._deliver = deliver
        self._watch = PlanWatch(access)
        self._wanted = False  # a look was put off while the worker was busy
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.look)
        self.heard.connect(self.look, Qt.ConnectionType.QueuedConnection)
        self.lost.connect(self._on_lost, Qt.ConnectionType.QueuedConnection)
        self.listening_again.connect(self._on_listening, Qt.ConnectionType.QueuedConnection)
        operations.busyChanged.connect(self._on_busy)
        self._listener = self._watch.listen(
            self.heard.emit, self.lost.emit, on_listening=self.listening_again.emit
        )
        if self._listener is not None:
            self._timer.setInterval(LISTENING_POLL_MS)
        self._timer.start()

    @property
    def listening(self) -> bool:
        return self._listener is not None and self._listener.listening

    def look(self) -> None:
        """Show what others wrote since the last look (nothing to do when nothing was)."""
        if self._operations.busy:
            self._wanted = True
            return
        self._wanted = False
        try:
            found = self._watch.check()
        except UserError as exc:  # the file or server is out of reach for now: look again later
            log.info("looking for others' writes failed: %s", exc.message)
            return
        if found is not None:
            self._deliver(found)

    def _on_busy(self, busy: bool) -> None:
        if not busy and self._wanted:
            QTimer.singleShot(0, self.look)

    def _on_lost(self) -> None:
        if self._listener is None:  # stopped meanwhile
            return
        self._timer.setInterval(POLL_MS)  # polling until the listener listens again
        self.look()

    def _on_listening(self) -> None:
        if self._listener is None:  # stopped meanwhile
            return
        self._timer.setInterval(LISTENING_POLL_MS)
        self.look()  # what was written while nobody listened

    def stop(self) -> None:
        self._timer.stop()
        if self._listener is not None:
            self._listener.stop()
            self._listener = None
        self._watch.close()
