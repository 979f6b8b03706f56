"""Telling other windows on a PostgreSQL server that a plan was written: NOTIFY / LISTEN.

Every service write on a server calls `announce_write` inside its transaction; PostgreSQL
delivers the notice to every listening connection when (and only if) the transaction commits.
A `WriteListener` holds one connection of its own that LISTENs on the channel and calls a
function with the plan id of each write, from its own thread.

SQLite files have no such thing: windows on a file find others' writes by polling the audit
log (services/watch.py), which is also what a window on a server does while it cannot listen;
the listener meanwhile tries again (soon at first, then every 30 s) and says when it listens.

Threading: `WriteListener` runs its loop on a thread of its own; the function it was given is
called on that thread and must only hand the news on (e.g. emit a queued Qt signal).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import suppress
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

CHANNEL = "aomori_plan_written"
_NOTIFY = text("SELECT pg_notify(:channel, :payload)")
POLL_STOP_S = 0.5  # how often the listening thread looks whether it must stop
RELISTEN_FIRST_S = 2.0  # after listening failed: the first try again, then doubling…
RELISTEN_MAX_S = 30.0  # …up to this, for as long as it fails


def announce_write(session: Session, plan_id: int) -> None:
    """Inside a write's transaction on a server: tell listeners, at commit, that this plan
    was written. Nothing on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_NOTIFY, {"channel": CHANNEL, "payload": str(plan_id)})


def retry_delay(failures: int) -> float:
    """Seconds to wait before trying to listen again after `failures` failed tries in a row
    (1, 2, …): doubling from RELISTEN_FIRST_S up to RELISTEN_MAX_S."""
    return float(min(RELISTEN_FIRST_S * 2 ** max(failures - 1, 0), RELISTEN_MAX_S))


class WriteListener:
    """LISTENs for writes on a PostgreSQL server on its own connection and thread.

    `on_write(plan_id)` is called for each committed write. When listening fails (the server
    went away or dropped the connection, the connection was refused) `on_lost()` is called
    once, and the caller relies on polling; the thread then tries again, after
    `retry_delay(n)` seconds for the n-th failed try in a row (2 s, 4 s, … then every 30 s),
    and calls `on_listening()` each time LISTEN is in force (the first time too), so the
    caller can look once for what it missed and poll seldom again. `stop()` ends the thread
    and closes the connection.
    """

    def __init__(
        self,
        engine: Engine,
        on_write: Callable[[int], None],
        on_lost: Callable[[], None],
        on_listening: Callable[[], None] | None = None,
    ) -> None:
        self._engine = engine
        self._on_write = on_write
        self._on_lost = on_lost
        self._on_listening = on_listening
        self._stop = threading.Event()
        self._ready = threading.Event()
        self.listening = False
        self._thread = threading.Thread(target=self._run, name="aomori-listen", daemon=True)

    def start(self, wait_s: float = 0.0) -> bool:
        """Start listening, waiting up to `wait_s` for LISTEN to be in force; True once it is
        (False: not yet, or the first try failed)."""
        self._thread.start()
        self._ready.wait(wait_s)
        return self.listening

    def stop(self, timeout_s: float = 2.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    def _run(self) -> None:
        failures = 0
        announced = False  # on_lost was called for the present loss
        while not self._stop.is_set():
            if self._listen_until_lost():
                failures, announced = 0, False
            self.listening = False
            self._ready.set()
            if self._stop.is_set():
                return
            failures += 1
            if not announced:
                announced = True
                self._on_lost()  # the window polls from now on
            if self._stop.wait(retry_delay(failures)):
                return

    def _listen_until_lost(self) -> bool:
        """LISTEN on a connection of its own and hand on what is heard, until the connection
        fails or the listener is stopped; True if LISTEN was in force."""
        raw: Any = None
        listened = False
        try:
            raw = self._engine.raw_connection()
            conn = raw.dbapi_connection
            conn.autocommit = True
            conn.execute(f"LISTEN {CHANNEL}")
            listened = self.listening = True
            self._ready.set()
            if self._on_listening is not None and not self._stop.is_set():
                self._on_listening()
            while not self._stop.is_set():
                for notice in conn.notifies(timeout=POLL_STOP_S):
                    if notice.payload.isdigit():
                        self._on_write(int(notice.payload))
                    if self._stop.is_set():
                        break
        except Exception:  # the connection failed: the window goes on by polling meanwhile
            if listened:
                log.warning("listening for other users' writes stopped", exc_info=True)
            else:
                log.info("listening for other users' writes is not possible now", exc_info=True)
        finally:
            if raw is not None:
                with suppress(Exception):
                    raw.invalidate()  # never back into the pool: it is LISTENing
        return listened
