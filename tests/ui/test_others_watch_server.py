"""A window on a PostgreSQL server hears of another user's write at once (LISTEN/NOTIFY), and
goes on by polling while listening fails, until it listens again."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from sqlalchemy.engine import make_url

from aomori_desktop.services.changes import Changes
from aomori_desktop.services.kpi_values import KpiYearEdit
from aomori_desktop.services.plan_services import PlanServices
from aomori_desktop.services.watch import OthersChanged
from aomori_desktop.services.workspace import create_seeded_database, default_plan_id
from aomori_desktop.store import notify
from aomori_desktop.store.database import open_database
from aomori_desktop.ui import others_watch
from aomori_desktop.ui.document import PlanDocument
from tests import backends
from tests.ui.conftest import ScriptedPrompts


@pytest.fixture
def server_plan() -> Iterator[str]:
    backends.postgres_url()
    url = backends.new_database("live")
    create_seeded_database(url).close()
    try:
        yield url
    finally:
        backends.drop_database(url)


@pytest.fixture
def document_and_other(
    qapp: QApplication, server_plan: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[tuple[PlanDocument, PlanServices, list[OthersChanged]]]:
    monkeypatch.setattr(others_watch, "POLL_MS", 100)
    mine = open_database(server_plan, busy_timeout=2.0)
    theirs = open_database(server_plan, busy_timeout=2.0)
    document = PlanDocument(mine, default_plan_id(mine), ScriptedPrompts(), user="青森 花子")
    heard: list[OthersChanged] = []
    document.changed.connect(
        lambda _c, initiator: (
            heard.append(initiator) if isinstance(initiator, OthersChanged) else None
        )
    )
    try:
        yield document, PlanServices(theirs, default_plan_id(theirs), user="青森 太郎"), heard
    finally:
        document.close()
        mine.close()
        theirs.close()


def test_another_users_write_is_heard_without_polling(qtbot, document_and_other) -> None:
    document, other, heard = document_and_other
    qtbot.waitUntil(lambda: document.others.listening, timeout=10000)
    assert document.others._timer.interval() == others_watch.LISTENING_POLL_MS  # 30 s

    other.values.set_kpi_years([KpiYearEdit("K03", 2024, actual=Decimal("72"))])

    qtbot.waitUntil(lambda: bool(heard), timeout=10000)  # far sooner than the next poll
    assert heard[0].changes == Changes(kpis=frozenset({"K03"}))
    assert heard[0].users == ("青森 太郎",)
    assert document.reader.kpi_detail("K03").year(2024).actual == Decimal("72")


def _drop_the_listeners_connection(server_plan: str) -> None:
    with backends.admin() as con:  # what a server restart or a network cut does to it
        con.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND query LIKE 'LISTEN%%'",
            (make_url(server_plan).database,),
        )


def test_when_listening_fails_the_window_polls_then_listens_again(
    qtbot, document_and_other, server_plan, monkeypatch
) -> None:
    document, other, heard = document_and_other
    qtbot.waitUntil(lambda: document.others.listening, timeout=10000)
    # the listener's next try waits for the test to let it go (instead of 2 s)
    monkeypatch.setattr(notify, "RELISTEN_FIRST_S", 0.01)
    real_try = notify.WriteListener._listen_until_lost
    line_back = threading.Event()
    tries: list[int] = []

    def try_when_the_line_is_back(listener: notify.WriteListener) -> bool:
        tries.append(1)
        line_back.wait(20)
        return real_try(listener)

    monkeypatch.setattr(notify.WriteListener, "_listen_until_lost", try_when_the_line_is_back)
    try:
        _drop_the_listeners_connection(server_plan)
        qtbot.waitUntil(lambda: not document.others.listening, timeout=10000)
        qtbot.waitUntil(lambda: document.others._timer.interval() == others_watch.POLL_MS)

        other.values.set_kpi_years([KpiYearEdit("K04", 2024, actual=Decimal("100"))])
        qtbot.waitUntil(lambda: bool(heard), timeout=10000)  # by polling
        assert heard[0].changes == Changes(kpis=frozenset({"K04"}))
        qtbot.waitUntil(lambda: bool(tries), timeout=10000)  # it is trying again
        assert not document.others.listening

        line_back.set()
        qtbot.waitUntil(lambda: document.others.listening, timeout=10000)
        qtbot.waitUntil(
            lambda: document.others._timer.interval() == others_watch.LISTENING_POLL_MS,
            timeout=10000,
        )
        heard.clear()
        other.values.set_kpi_years([KpiYearEdit("K05", 2024, actual=Decimal("7"))])
        qtbot.waitUntil(lambda: bool(heard), timeout=10000)  # far sooner than the 30 s look
        assert heard[0].changes == Changes(kpis=frozenset({"K05"}))
        assert len(tries) == 1
    finally:
        line_back.set()


def test_listening_is_tried_again_soon_then_every_30_seconds() -> None:
    assert [notify.retry_delay(n) for n in range(1, 7)] == [2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
