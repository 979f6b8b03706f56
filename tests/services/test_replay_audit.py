"""Undo and redo are audited as such: the reason says 元に戻す / やり直し, whoever built the undo
(a service or the window's legacy pair) and on whichever thread it runs."""

from __future__ import annotations

import threading
from decimal import Decimal
from pathlib import Path

from aomori_desktop.services.changes import Replay, combined, replaying
from aomori_desktop.services.plan_services import PlanServices
from tests.services.helpers import audit


def _actual(services: PlanServices, kpi: str, new: Decimal | None):
    """A write with the undo its service built (from the state it replaced)."""
    return services.values.record_actual(kpi, 2025, new)


def _reasons(db_path: Path) -> list[tuple[str, str, str | None, str]]:
    return [
        (key, field, new, reason) for _u, _at, _a, _e, key, field, _o, new, reason in audit(db_path)
    ]


def test_undo_and_redo_are_marked_in_the_audit_log(services: PlanServices, db_path: Path) -> None:
    done = _actual(services, "K03", Decimal("78"))
    assert done.undo is not None
    undone = done.undo()
    assert undone.undo is not None
    redone = undone.undo()
    assert redone.undo is not None
    redone.undo()  # undo again
    assert _reasons(db_path) == [
        ("K03/2025", "actual", "78", ""),
        ("K03/2025", "actual", None, "元に戻す"),
        ("K03/2025", "actual", "78", "やり直し"),
        ("K03/2025", "actual", None, "元に戻す"),
    ]
    assert replaying() is None  # nothing leaks out of a step


def test_a_step_run_on_another_thread_is_marked_and_leaves_other_writes_alone(
    services: PlanServices, db_path: Path
) -> None:
    done = _actual(services, "K03", Decimal("78"))
    assert done.undo is not None
    worker = threading.Thread(target=done.undo)
    worker.start()
    worker.join()
    services.values.record_actual("K04", 2025, Decimal("150"))  # an ordinary edit after it
    assert [r[3] for r in _reasons(db_path)] == ["", "元に戻す", ""]


def test_two_writes_taken_back_as_one_step_are_both_marked(
    services: PlanServices, db_path: Path
) -> None:
    step = combined(
        _actual(services, "K03", Decimal("78")),
        _actual(services, "K04", Decimal("150")),
    )
    assert step.undo is not None
    back = step.undo()
    assert back.undo is not None
    back.undo()
    assert [(r[0], r[3]) for r in _reasons(db_path)] == [
        ("K03/2025", ""),
        ("K04/2025", ""),
        ("K04/2025", "元に戻す"),
        ("K03/2025", "元に戻す"),
        ("K04/2025", "やり直し"),  # `combined` takes back (and redoes) the later write first
        ("K03/2025", "やり直し"),
    ]


def test_an_undone_target_revision_keeps_its_own_reason_after_the_mark(
    services: PlanServices, db_path: Path
) -> None:
    reason = "国の補助制度の拡充"

    def revise(value: str, why: str):
        return services.kpi_fields.revise_target("K05", Decimal(value), 2033, why)

    done = revise("35", reason)
    assert done.undo is not None
    done.undo()
    assert [r[3] for r in _reasons(db_path)] == [
        reason,
        f"{Replay.UNDO.value}: 見直しの取り消し（元の理由: {reason}）",
    ]
