"""Start-up: the plan tree painted before SQLAlchemy loads, the full opening right after.

For a local database file in the usual state (services/first_look.py says which), the window
shows the tree with the badges of the fiscal year it will show, read read-only with the
standard library's `sqlite3`, and is painted. Then, in the first turn of the event loop after
that paint, the database is opened as always (`MainWindow.open_or_create_database`: the writer
lock, the day's backup, the integrity check, SQLAlchemy and the services); the tree read then
is merged into the one shown (selection and expanded rows stay). Until that is done nothing
can be edited: no page is shown (「開いています…」) and the file actions are disabled.

Anything unusual (a server, a new, locked, older, newer or damaged file) opens the normal way
before the window is painted, with the same sentences as always.

This module and what it imports keep SQLAlchemy, Alembic, openpyxl, pyqtgraph and numpy out
of the first paint (tests/ui/test_startup_imports.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QWidget

from aomori_desktop import APP_TITLE_JA
from aomori_desktop.domain.fiscal import fy_label
from aomori_desktop.services.dto import TreeKey
from aomori_desktop.services.first_look import FirstLook, first_look

if TYPE_CHECKING:
    from aomori_desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)

OPENING_TEXT = "データベースを開いています…"
NO_PAINT_MS = 2000  # the window was not painted (minimised?): open anyway


def saved_fiscal_year(settings: QSettings, fiscal_years: range) -> int:
    """The fiscal year the window shows for a plan: the one last chosen, if the plan has it,
    else the plan's first (as `MainWindow` chooses it once the database is open)."""
    saved = settings.value("view/fiscal_year")
    try:
        year = int(saved) if saved is not None else None
    except (TypeError, ValueError):
        year = None
    return year if year is not None and year in fiscal_years else fiscal_years.start


def show_and_open(
    window: MainWindow, target: str, on_ready: Callable[[bool], None] | None = None
) -> bool:
    """Show `window` on the database `target` (created if missing). True when the tree was
    painted from a first look and the opening follows; `on_ready(opened)` is called once the
    window accepts edits (or the opening failed, with its sentence shown)."""
    look = first_look(target, lambda years: saved_fiscal_year(window.settings, years))
    if look is None:
        window.show()
        opened = window.open_or_create_database(target)
        if on_ready is not None:
            on_ready(opened)
        return False
    restore = _show_first(window, look)
    window.show()

    def finish() -> None:
        opened = False
        try:
            if window.isVisible():  # closed before the first turn: nothing to open
                opened = window.open_or_create_database(target)
        finally:
            restore()
            if not opened:
                _forget_first(window)
        if on_ready is not None:
            on_ready(opened)

    _AfterFirstPaint(window.tree.viewport(), finish)
    return True


def _show_first(window: MainWindow, look: FirstLook) -> Callable[[], None]:
    """Fill the window from the first look; returns what undoes the waiting state."""
    window.tree_model.set_tree(look.tree, look.progress)
    window.first_tree_path = look.path
    window.tree.expandToDepth(1)
    window.select_key(TreeKey.plan())  # shown as the plan overview once the opening is done
    window.year_combo.blockSignals(True)
    window.year_combo.clear()
    for fy in look.fiscal_years:
        window.year_combo.addItem(fy_label(fy), fy)
    window.year_combo.setCurrentIndex(look.fiscal_years.index(look.fiscal_year))
    window.year_combo.blockSignals(False)
    window.year_label.setText(f"評価年度: {fy_label(look.fiscal_year)}")
    window.db_label.setText(f"データベース: {look.path}")
    window.setWindowTitle(f"{APP_TITLE_JA} — {look.path.name}")
    opening = QLabel(OPENING_TEXT)
    opening.setObjectName("openingPage")
    opening.setAlignment(Qt.AlignmentFlag.AlignCenter)
    window.stack.addWidget(opening)
    window.stack.setCurrentWidget(opening)
    waiting: list[QAction | QWidget] = [
        window.act_new,
        window.act_open,
        window.act_connect,
        window.act_refresh,
        window.recent_menu.menuAction(),
        window.export_menu.menuAction(),
        window.year_combo,
    ]
    was_enabled = [(w, w.isEnabled()) for w in waiting]
    for w, _enabled in was_enabled:
        w.setEnabled(False)

    def restore() -> None:
        for w, enabled in was_enabled:
            w.setEnabled(enabled)
        if window.stack.currentWidget() is opening:
            window.stack.setCurrentWidget(window.empty_page)
        window.stack.removeWidget(opening)
        opening.deleteLater()

    return restore


def _forget_first(window: MainWindow) -> None:
    """The opening failed (its sentence was shown): no tree of a file that is not open."""
    if window.document is not None:
        return
    window.first_tree_path = None
    window.tree_model.set_tree_empty()
    window.year_combo.clear()
    window.year_label.clear()
    window.db_label.clear()
    window.setWindowTitle(APP_TITLE_JA)
    window.stack.setCurrentWidget(window.empty_page)


class _AfterFirstPaint(QObject):
    """Calls `then` once, two turns of the event loop after `widget`'s first paint (the turn
    that painted finishes and what it queued is handled first), or after NO_PAINT_MS if
    `widget` is not painted."""

    def __init__(self, widget: QWidget, then: Callable[[], None]) -> None:
        super().__init__(widget)
        self._widget = widget
        self._then: Callable[[], None] | None = then
        self._painted = False
        widget.installEventFilter(self)
        QTimer.singleShot(NO_PAINT_MS, self, self._run)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self._then is not None and not self._painted:
            self._painted = True
            QTimer.singleShot(0, self, lambda: QTimer.singleShot(0, self, self._run))
        return False

    def _run(self) -> None:
        then, self._then = self._then, None
        self._widget.removeEventFilter(self)
        if then is not None:
            then()
