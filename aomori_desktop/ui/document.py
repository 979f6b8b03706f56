"""The open plan as the window sees it: services, the selected fiscal year, the operation
layer (`ui/operations.py`) and the undo stack built from the change records.

Every write from the window goes through `apply` (an edit) or `run_task` (long work). Both run
the service call on the database worker, turn its `Applied` into one undo step (the service's
own inverse; the inverse of that is the redo) and broadcast `changed(changes, initiator)` on the
GUI thread; each view refreshes only what the record names and may skip the edit it made itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Sequence
from functools import partial
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QApplication, QWidget

from aomori_desktop.domain.errors import Interrupted, UserError
from aomori_desktop.domain.progress import YearProgress
from aomori_desktop.services import kpi_fields, kpi_values, projects
from aomori_desktop.services.changes import NO_CHANGES, Applied, Changes
from aomori_desktop.services.dto import KpiDetail, Overview, PlanHeader, TreeKey, TreeNode
from aomori_desktop.services.errors import ChangedField, ChangedMeanwhile, Conflict
from aomori_desktop.services.figures import PlanFigures
from aomori_desktop.services.kpi_fields import KpiFieldsEdit
from aomori_desktop.services.kpi_values import KpiYearEdit
from aomori_desktop.services.overviews import overview_from_figures
from aomori_desktop.services.plan_services import PlanServices
from aomori_desktop.services.projects import ProjectFieldsEdit
from aomori_desktop.services.queries import PlanQueries
from aomori_desktop.services.tasks import Cancelled, TaskState
from aomori_desktop.services.watch import OthersChanged
from aomori_desktop.services.workspace import Database
from aomori_desktop.ui.conflict_dialog import KeptTheirs, ask_write_over, overwrite_label
from aomori_desktop.ui.operations import Job, Operations
from aomori_desktop.ui.others_watch import OthersWatch
from aomori_desktop.ui.prompts import Prompts

log = logging.getLogger(__name__)


class NothingStored:
    """The initiator of a change record sent after a write that stored nothing (refused, cut
    off, given up, an undo that could not run): the views it names read again what is
    stored, and no view says that anything was saved."""

    def __repr__(self) -> str:
        return "NOTHING_STORED"


NOTHING_STORED = NothingStored()


class AppliedCommand(QUndoCommand):
    """One user action on the undo stack. Undo runs the write's own inverse, whose own inverse
    is the redo. When running it fails (the database is locked, another user changed the value
    since), the command stays where it was on the stack so the user can try again."""

    def __init__(self, document: PlanDocument, label: str, applied: Applied[Any]) -> None:
        super().__init__(label)
        self._document = document
        self._pending = applied.undo  # the next undo (or redo) to run
        self.changes = applied.changes
        self._skip = True  # the first redo (on push) must not apply again
        self.failed = False

    def _flip(self, direction: str) -> None:
        if self._skip:
            self._skip = False
            return
        step = self._pending
        outcome = None if step is None else self._document._run_step(self, direction, step)
        if outcome is None:
            self.failed = True
        else:
            self._pending = outcome.undo

    def redo(self) -> None:
        self._flip("やり直す")

    def undo(self) -> None:
        self._flip("元に戻す")

    def skip_next(self) -> None:
        """The next redo/undo only moves the stack's index back (nothing is re-applied)."""
        self._skip = True


_FEW_KPIS = 500  # more KPIs named: the whole plan is graded once and kept for the turn


class TurnReads(PlanQueries):
    """The plan's queries as the window reads them: whole-plan reads done once per turn of
    the event loop, and every grade computed from figures held in memory.

    One user action often makes several views read the same thing: opening a plan or changing
    the fiscal year grades every KPI for the tree and again for the plan overview, and the
    overview's charts read the tree the tree has just read. Here `tree`, `header`, `overview`
    and `year_progress` are kept until the event loop next turns (or a change is broadcast,
    or `forget` is called), and the tree's grades come out of the plan overview when it was
    read in the same turn.

    The overviews and the tree's grades are graded from `figures` (services/figures.py): each
    KPI's terms and yearly rows, read once, so a change of fiscal year or of grade scheme reads
    no KPI from the database. Each broadcast change (`note`) drops what it names; others'
    writes are broadcast too (ui/others_watch.py), and F5 (`forget`) reads everything again.

    Reads from another thread (the database worker) are never kept: they go straight through.
    """

    def __init__(self, services: PlanServices) -> None:
        super().__init__(services.access)
        self._kept: dict[tuple[Any, ...], Any] = {}
        self.figures = PlanFigures(services.access)

    def forget(self) -> None:
        """Read everything afresh from now on, the held figures included."""
        self._kept.clear()
        self.figures.forget()

    def note(self, changes: Changes) -> None:
        """A change was broadcast: nothing kept from before it is shown again."""
        self._kept.clear()
        self.figures.forget(changes)

    def _end_turn(self) -> None:
        self._kept.clear()

    @staticmethod
    def _on_gui_thread() -> bool:
        app = QCoreApplication.instance()
        return app is not None and QThread.currentThread() is app.thread()

    def _keep(self, key: tuple[Any, ...], read: Callable[[], Any]) -> Any:
        if not self._on_gui_thread():
            return read()
        if key not in self._kept:
            if not self._kept:
                QTimer.singleShot(0, self._end_turn)  # the next turn reads afresh
            self._kept[key] = read()
        return self._kept[key]

    def header(self) -> PlanHeader:
        header: PlanHeader = self._keep(("header",), super().header)
        return header

    def tree(self) -> TreeNode:
        tree: TreeNode = self._keep(("tree",), super().tree)
        return tree

    def overview(self, scope: TreeKey, fiscal_year: int) -> Overview:
        overview: Overview = self._keep(
            ("overview", scope, fiscal_year), lambda: self._overview(scope, fiscal_year)
        )
        return overview

    def _overview(self, scope: TreeKey, fiscal_year: int) -> Overview:
        if not self._on_gui_thread():
            return super().overview(scope, fiscal_year)
        return overview_from_figures(
            self.figures,
            self._access,
            self.header(),
            scope,
            fiscal_year,
            self._kept.get(("year_progress", fiscal_year)),  # graded this turn already
        )

    def year_progress(
        self, fiscal_year: int, codes: Collection[str] | None = None
    ) -> dict[str, YearProgress]:
        if not self._on_gui_thread():
            return super().year_progress(fiscal_year, codes)
        whole: dict[str, YearProgress] | None = self._kept.get(("year_progress", fiscal_year))
        plan = self._kept.get(("overview", TreeKey.plan(), fiscal_year))
        if whole is None and isinstance(plan, Overview):
            whole = {row.code: row.progress for row in plan.kpis}
        if whole is not None:
            return whole if codes is None else {c: whole[c] for c in codes if c in whole}
        scheme = self.header().info.grade_scheme
        if codes is not None and len(codes) <= _FEW_KPIS:
            return {k.code: k.progress(fiscal_year, scheme) for k in self.figures.of(codes)}
        # the whole plan (a new grade scheme names every KPI): the overview takes it too
        kept: dict[str, YearProgress] = self._keep(
            ("year_progress", fiscal_year), lambda: self.figures.progress(fiscal_year, scheme)
        )
        return kept if codes is None else {c: kept[c] for c in codes if c in kept}


class PlanDocument(QObject):
    # Changes, initiator (the view that made the edit, None, or OthersChanged: others' writes)
    changed = Signal(object, object)
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
        self.reader = TurnReads(self.services)  # what the views read
        self.header = self.reader.header()
        # first of all slots: no view reads what was kept from before a change
        self.changed.connect(lambda changes, _initiator: self.reader.note(changes))
        self.prompts = prompts
        self.operations = Operations(self, dialog_parent=self._dialog_parent)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(200)
        self._fiscal_year = self.header.info.first_fiscal_year
        # others' writes (another PC, an import, another user on the server) are broadcast too
        self.others = OthersWatch(self.services.access, self.operations, self.others_changed, self)

    def _dialog_parent(self) -> QWidget | None:
        window = QApplication.activeWindow()
        if window is not None:
            return window
        parent = self.parent()
        return parent if isinstance(parent, QWidget) else None

    def close(self) -> None:
        """Finish the work handed to the database worker and stop it (before the database
        closes)."""
        self.others.stop()
        self.operations.shutdown()
        self.reader.forget()  # the held figures of every KPI go now, not with this object

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
        """Run one service write, named `label` (the undo menu's text), on the database worker.

        Returns when it is done (the event loop keeps turning meanwhile). Errors propagate as
        `UserError` for the caller to show next to the field; the views named by `touches` then
        read again what is stored. On success the write's own undo goes on the undo stack as
        one step and `changed` broadcasts its change record.
        """
        try:
            applied: Applied[T] = self.operations.call(label, lambda _state: action())
        except UserError:
            if not touches.empty:
                self.changed.emit(touches, NOTHING_STORED)
            raise
        self._record(label, applied, initiator)
        return applied

    def run_task[T](
        self,
        label: str,
        work: Callable[[TaskState], Applied[T]],
        *,
        on_success: Callable[[Applied[T]], None] | None = None,
        on_failure: Callable[[UserError], None] | None = None,
        cancellable: bool = True,
        initiator: object | None = None,
    ) -> Job:
        """Long work (an import, an export, a report, a backup) named `label`; returns at once.

        `work` runs on the database worker with a `TaskState` to report progress on and to
        check for cancellation at safe points; a progress dialog appears when it takes longer
        than a moment. Its `Applied` result comes back on the GUI thread: a write with an undo
        becomes one undo step, its changes are broadcast, then `on_success` runs. A failure
        (a `UserError`, `Cancelled` included) goes to `on_failure`, or is shown as a message.
        """

        def done(job: Job) -> None:
            if job.error is not None:
                if on_failure is not None:
                    on_failure(job.error)
                else:
                    self.prompts.error(self._dialog_parent(), job.error.message)
                return
            applied: Applied[T] = job.result
            self._record(label, applied, initiator)
            if on_success is not None:
                on_success(applied)

        return self.operations.start(label, work, done, cancellable=cancellable)

    def _record(self, label: str, applied: Applied[Any], initiator: object | None) -> None:
        if applied.empty:
            return
        if applied.undo is not None:
            self.undo_stack.push(AppliedCommand(self, label, applied))
        self.changed.emit(applied.changes, initiator)

    def apply_over_others[E](
        self,
        label: str,
        write: Callable[[E], Applied[Any]],
        expected: E,
        *,
        rebase: Callable[[E, Sequence[ChangedField]], E],
        entered: Callable[[ChangedField], object],
        touches: Changes,
    ) -> Applied[Any]:
        """Run a write that expects what the screen showed (`write(expected)`). When another
        user changed one of those values meanwhile (`ChangedMeanwhile`), the views show what
        is stored now and the user chooses: keep theirs (`KeptTheirs`, nothing written) or
        write their own over it, as its own undo step 「…の上書き」, now expecting the values
        they saw (`rebase`), so a change made in between is refused and asked about again."""
        while True:
            try:
                return self.apply(label, partial(write, expected))
            except (Cancelled, Interrupted):
                # the wait for another user's turn was given up, or the line to the server
                # broke: nothing was stored and the typed text was not at fault, so the views
                # show what is stored (the caller says what was not saved)
                self.changed.emit(touches, NOTHING_STORED)
                raise
            except ChangedMeanwhile as refused:
                self.changed.emit(
                    touches, NOTHING_STORED
                )  # theirs is on screen behind the question
                if not refused.fields:
                    raise
                if not ask_write_over(self.prompts, self._dialog_parent(), refused.fields, entered):
                    raise KeptTheirs() from None
                expected = rebase(expected, refused.fields)
                label = overwrite_label(label)

    def apply_year_edits(
        self, text: str, edits: list[KpiYearEdit], before: list[KpiYearEdit]
    ) -> Changes:
        """Store yearly values as one undoable step. `before` holds what the screen showed for
        the same fields: if another window or PC has changed them since, nothing is stored,
        the views show what is stored and the user chooses to keep it or to write theirs
        (`apply_over_others`). Undo checks the same way, so it never wipes out someone else's
        later value."""
        values = self.services.values
        touched = Changes(kpis=frozenset(e.kpi for e in edits))
        try:
            # the service's undo puts back what it read, expecting what it stored
            return self.apply_over_others(
                text,
                lambda shown: values.set_kpi_years(edits, expected=shown),
                before,
                rebase=kpi_values.expecting_theirs,
                entered=lambda field: kpi_values.entered_value(edits, field),
                touches=touched,
            ).changes
        except KeptTheirs:
            raise  # the views already show theirs
        except Conflict:
            self.changed.emit(touched, NOTHING_STORED)
            raise

    def apply_kpi_fields(self, label: str, detail: KpiDetail, edit: KpiFieldsEdit) -> Changes:
        """Store fields of the KPI form as one undoable step, expecting what `detail` (the
        form) showed: a field another user changed meanwhile is asked about, as for yearly
        values (`apply_over_others`)."""
        shown = KpiFieldsEdit(
            **{name: getattr(detail, name) for name in kpi_fields.set_fields(edit)}
        )
        return self.apply_kpi_edit(f"{detail.code} {label}の変更", detail.code, shown, edit)

    def apply_kpi_edit(
        self, label: str, code: str, shown: KpiFieldsEdit, edit: KpiFieldsEdit
    ) -> Changes:
        """Store fields of KPI `code` as one undoable step named `label`, expecting `shown`
        (what the screen showed for the same fields)."""
        fields = self.services.kpi_fields
        return self.apply_over_others(
            label,
            lambda expected: fields.update_kpi(code, edit, expected=expected),
            shown,
            rebase=lambda expected, changed: kpi_fields.expecting_theirs(code, expected, changed),
            entered=lambda field: kpi_fields.entered_value(code, edit, field),
            # a renamed KPI is renamed in the tree too
            touches=Changes(
                kpis=frozenset({code}), structure="name" in kpi_fields.set_fields(edit)
            ),
        ).changes

    def apply_project_fields(
        self, label: str, code: str, shown: ProjectFieldsEdit, edit: ProjectFieldsEdit
    ) -> Changes:
        """Store fields of a project (its page, or a rename in the tree) as one undoable
        step, expecting `shown`: a field another user changed meanwhile is asked about."""
        projects_ = self.services.projects
        return self.apply_over_others(
            label,
            lambda expected: projects_.update_project(code, edit, expected=expected),
            shown,
            rebase=lambda expected, changed: projects.fields_expecting_theirs(
                code, expected, changed
            ),
            entered=lambda field: projects.entered_field(code, edit, field),
            touches=Changes(projects=frozenset({code}), structure=True),
        ).changes

    def apply_project_year(
        self,
        label: str,
        code: str,
        fiscal_year: int,
        shown: projects.YearFields,
        entered: projects.YearFields,
    ) -> Changes:
        """Store a project's yearly status or note (UNSET for the one not entered) as one
        undoable step, expecting `shown`, as `apply_project_fields` does."""
        projects_ = self.services.projects
        status, note = entered
        return self.apply_over_others(
            label,
            lambda expected: projects_.set_project_year(
                code, fiscal_year, status=status, note=note, expected=expected
            ),
            shown,
            rebase=lambda expected, changed: projects.year_expecting_theirs(
                code, fiscal_year, expected, changed
            ),
            entered=lambda field: projects.entered_year(code, fiscal_year, entered, field),
            touches=Changes(projects=frozenset({code})),
        ).changes

    def others_changed(self, found: OthersChanged) -> None:
        """Writes by others, found by `others` (ui/others_watch.py): every view refreshes what
        they changed, as after an edit here; the initiator is the `OthersChanged` record (who,
        what), so that a view can say so, and keep what the user is typing until it is done.
        The undo stack stays as it is: each step checks, when run, that the values it puts
        back are still the ones it left."""
        self.changed.emit(found.changes, found)

    # ------------------------------------------------------------ undo and redo

    def undo(self) -> None:
        """Undo the last edit; if that fails, the edit stays undoable (nothing is lost)."""
        index = self.undo_stack.index()
        command = self.undo_stack.command(index - 1) if index > 0 else None
        self.undo_stack.undo()
        if isinstance(command, AppliedCommand) and command.failed:
            command.failed = False
            command.skip_next()
            self.undo_stack.redo()  # back to where the stack was

    def redo(self) -> None:
        """Redo the next edit; if that fails, it stays redoable."""
        command = self.undo_stack.command(self.undo_stack.index())
        self.undo_stack.redo()
        if isinstance(command, AppliedCommand) and command.failed:
            command.failed = False
            command.skip_next()
            self.undo_stack.undo()

    def _run_step(
        self, command: AppliedCommand, direction: str, step: Callable[[], Applied[Any]]
    ) -> Applied[Any] | None:
        try:
            outcome: Applied[Any] = self.operations.call(
                f"{command.text()}を{direction}", lambda _state: step()
            )
        except UserError as exc:
            log.warning("undo/redo (%s) failed: %s", direction, exc.message)
            self.prompts.error(
                self._dialog_parent(),
                f"「{command.text()}」を{direction}ことができませんでした。"
                f"変更は記録したままです。もう一度お試しください。\n{exc.message}",
            )
            self.changed.emit(command.changes, NOTHING_STORED)  # show what is stored now
            return None
        self.changed.emit(outcome.changes, None)
        return outcome
