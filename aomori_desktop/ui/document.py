"""The open plan as the window sees it: services, the selected fiscal year and the undo stack.

Every edit is an undo command whose redo/undo call services (never widgets or the ORM); after
each, `changed` broadcasts a `Changes` value and each view refreshes what it shows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from aomori_desktop.domain.errors import UserError
from aomori_desktop.services.changes import NO_CHANGES, Applied, Changes
from aomori_desktop.services.errors import Conflict
from aomori_desktop.services.kpi_values import KpiYearEdit
from aomori_desktop.services.plan_services import PlanServices
from aomori_desktop.services.tasks import TaskState
from aomori_desktop.services.workspace import Database
from aomori_desktop.ui.prompts import Prompts

log = logging.getLogger(__name__)

Action = Callable[[], Changes]


class ServiceCommand(QUndoCommand):
    """An edit already applied once through a service; redo/undo re-apply through services.

    When re-applying fails (the database is locked, another user changed the value), the
    command stays on the stack and the stack's index is put back, so the user can retry.
    """

    def __init__(
        self, document: PlanDocument, text: str, do: Action, undo: Action, changes: Changes
    ) -> None:
        super().__init__(text)
        self._document = document
        self._do = do
        self._undo = undo
        self.changes = changes  # what the edit touched: refreshed when a retry is needed
        self._skip = True  # the first redo (on push) must not apply again
        self.failed = False

    def redo(self) -> None:
        if self._skip:
            self._skip = False
            return
        self.failed = not self._document._run_from_stack(self, self._do)

    def undo(self) -> None:
        if self._skip:
            self._skip = False
            return
        self.failed = not self._document._run_from_stack(self, self._undo)

    def skip_next(self) -> None:
        """The next redo/undo only moves the stack's index back (nothing is re-applied)."""
        self._skip = True


class AppliedCommand(QUndoCommand):
    """One user action on the undo stack; undo runs the write's own inverse, whose own
    inverse is the redo. A failed undo/redo stays on the stack (see `PlanDocument.undo`)."""

    def __init__(self, document: PlanDocument, label: str, applied: Applied[object]) -> None:
        super().__init__(label)
        self._document = document
        self._pending = applied.undo  # the next undo (or redo) to run
        self.changes = applied.changes
        self._skip = True  # the first redo (on push) must not apply again
        self.failed = False

    def _flip(self) -> None:
        if self._skip:
            self._skip = False
            return
        step = self._pending
        if step is None:
            self.failed = True
            return
        outcome = self._document._run_step(self, step)
        if outcome is None:
            self.failed = True
        else:
            self._pending = outcome.undo

    def redo(self) -> None:
        self._flip()

    def undo(self) -> None:
        self._flip()

    def skip_next(self) -> None:
        """The next redo/undo only moves the stack's index back (nothing is re-applied)."""
        self._skip = True


class PlanDocument(QObject):
    changed = Signal(object)  # Changes
    fiscalYearChanged = Signal(int)

    def __init__(
        self,
        db: Database,
        plan_id: int,
        prompts: Prompts,
        *,
        user: str | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.services = PlanServices(db, plan_id, user=user)
        self.reader = self.services.queries  # what the views read
        self.header = self.reader.header()
        self.prompts = prompts
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(200)
        self._fiscal_year = self.header.info.first_fiscal_year

    # ------------------------------------------------------------ fiscal year

    @property
    def fiscal_years(self) -> range:
        return self.header.fiscal_years

    @property
    def fiscal_year(self) -> int:
        return self._fiscal_year

    def set_fiscal_year(self, fiscal_year: int) -> None:
        if fiscal_year != self._fiscal_year and fiscal_year in self.fiscal_years:
            self._fiscal_year = fiscal_year
            self.fiscalYearChanged.emit(fiscal_year)

    # ------------------------------------------------------------ edits

    def apply[T](
        self,
        label: str,
        action: Callable[[], Applied[T]],
        *,
        touches: Changes = NO_CHANGES,
        initiator: object | None = None,
    ) -> Applied[T]:
        """Run one service write as one user action named `label` (the undo menu's text).

        Errors propagate as `UserError` for the caller to show next to the field; on failure
        the views named by `touches` re-read what is stored. On success the write's own
        `undo` goes on the undo stack as one step and `changed` broadcasts its change record.
        """
        try:
            applied = action()
        except UserError:
            if not touches.empty:
                self.changed.emit(touches)
            raise
        if applied.empty:
            return applied
        if applied.undo is not None:
            self.undo_stack.push(AppliedCommand(self, label, applied))
        self.changed.emit(applied.changes)
        return applied

    def run_task[T](
        self,
        label: str,
        work: Callable[[TaskState], Applied[T]],
        *,
        on_success: Callable[[Applied[T]], None] | None = None,
        on_failure: Callable[[UserError], None] | None = None,
        cancellable: bool = True,
    ) -> None:
        """Long work (an import, an export, a report, a backup) named `label`.

        `work` runs away from the GUI thread with a `TaskState` to report progress on and to
        check for cancellation at safe points; a progress dialog appears when it takes longer
        than a moment. Its `Applied` result comes back on the GUI thread: a write with an undo
        becomes one undo step, its changes are broadcast, then `on_success` runs. A failure
        (a `UserError`, `Cancelled` included) goes to `on_failure`, or is shown as a message.
        """
        try:
            applied = work(TaskState())
        except UserError as exc:
            if on_failure is not None:
                on_failure(exc)
            else:
                self.prompts.error(None, exc.message)
            return
        if not applied.empty:
            if applied.undo is not None:
                self.undo_stack.push(AppliedCommand(self, label, applied))
            self.changed.emit(applied.changes)
        if on_success is not None:
            on_success(applied)

    def apply_pair(self, text: str, do: Action, undo: Action) -> Changes:
        """Legacy form: `do` and `undo` both given by the caller (being replaced by `apply`)."""
        changes = do()
        if changes.empty:
            return changes
        self.undo_stack.push(ServiceCommand(self, text, do, undo, changes))
        self.changed.emit(changes)
        return changes

    def apply_year_edits(
        self, text: str, edits: list[KpiYearEdit], before: list[KpiYearEdit]
    ) -> Changes:
        """Store yearly values as one undoable step. `before` holds what the screen showed for
        the same fields: if another window or PC has changed them since, nothing is stored
        (`Conflict`), the views are refreshed, and the user decides again. Undo checks the
        same way, so it never wipes out someone else's later value."""
        services = self.services
        try:
            return self.apply_pair(
                text,
                lambda: services.values.set_kpi_years(edits, expected=before),
                lambda: services.values.set_kpi_years(before, expected=edits),
            )
        except Conflict:
            self.changed.emit(Changes(kpis=frozenset(e.kpi for e in edits)))
            raise

    def undo(self) -> None:
        """Undo the last edit; if that fails, the edit stays undoable (nothing is lost)."""
        index = self.undo_stack.index()
        command = self.undo_stack.command(index - 1) if index > 0 else None
        self.undo_stack.undo()
        if isinstance(command, ServiceCommand | AppliedCommand) and command.failed:
            command.failed = False
            command.skip_next()
            self.undo_stack.redo()  # back to where the stack was

    def redo(self) -> None:
        """Redo the next edit; if that fails, it stays redoable."""
        command = self.undo_stack.command(self.undo_stack.index())
        self.undo_stack.redo()
        if isinstance(command, ServiceCommand | AppliedCommand) and command.failed:
            command.failed = False
            command.skip_next()
            self.undo_stack.undo()

    def _run_from_stack(self, command: ServiceCommand, action: Action) -> bool:
        try:
            changes = action()
        except UserError as exc:
            log.warning("undo/redo failed: %s", exc.message)
            self.prompts.error(
                None,
                f"「{command.text()}」を元に戻す／やり直すことができませんでした。"
                f"変更は記録したままです。もう一度お試しください。\n{exc.message}",
            )
            self.changed.emit(command.changes)  # show what is stored now
            return False
        self.changed.emit(changes)
        return True

    def _run_step(
        self, command: AppliedCommand, step: Callable[[], Applied[object]]
    ) -> Applied[object] | None:
        try:
            outcome = step()
        except UserError as exc:
            log.warning("undo/redo failed: %s", exc.message)
            self.prompts.error(
                None,
                f"「{command.text()}」を元に戻す／やり直すことができませんでした。"
                f"変更は記録したままです。もう一度お試しください。\n{exc.message}",
            )
            self.changed.emit(command.changes)  # show what is stored now
            return None
        self.changed.emit(outcome.changes)
        return outcome

    def refresh_header(self) -> None:
        self.header = self.reader.header()
