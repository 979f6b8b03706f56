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
from aomori_desktop.services.changes import Changes
from aomori_desktop.services.plan_service import PlanService
from aomori_desktop.services.views import PlanReader
from aomori_desktop.services.workspace import Database
from aomori_desktop.ui.prompts import Prompts

log = logging.getLogger(__name__)

Action = Callable[[], Changes]


class ServiceCommand(QUndoCommand):
    """An edit already applied once through a service; redo/undo re-apply through services."""

    def __init__(self, document: PlanDocument, text: str, do: Action, undo: Action) -> None:
        super().__init__(text)
        self._document = document
        self._do = do
        self._undo = undo
        self._applied = True  # the first redo (on push) must not apply again

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self._document._run_from_stack(self, self._do)

    def undo(self) -> None:
        self._document._run_from_stack(self, self._undo)


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
        self.service = PlanService(db, plan_id, user=user)
        self.reader = PlanReader(db, plan_id)
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

    def apply(self, text: str, do: Action, undo: Action) -> Changes:
        """Run `do` now (errors propagate as UserError for the caller to show next to the
        field), then record it on the undo stack and broadcast the change."""
        changes = do()
        if changes.empty:
            return changes
        self.undo_stack.push(ServiceCommand(self, text, do, undo))
        self.changed.emit(changes)
        return changes

    def _run_from_stack(self, command: ServiceCommand, action: Action) -> None:
        try:
            changes = action()
        except UserError as exc:
            log.warning("undo/redo failed: %s", exc.message)
            self.prompts.error(
                None,
                f"「{command.text()}」を元に戻す／やり直すことができませんでした。\n{exc.message}",
            )
            command.setObsolete(True)
            return
        self.changed.emit(changes)

    def refresh_header(self) -> None:
        self.header = self.reader.header()
