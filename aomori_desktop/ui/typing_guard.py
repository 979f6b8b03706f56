"""Keeping what the user is typing while others' writes come in.

A page that refreshes after another user's write would put the stored values back into the
fields it shows, over the text the user is typing (an open cell editor of a table, a field
with unsaved text). `TypingGuard.hold(changes, refresh)` puts such a refresh off while the user
types and runs it, once, with all the changes held meanwhile, when the typing ends (the editor closes, the field loses focus or its
editing finishes), after the user's own entry has been stored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QPlainTextEdit, QWidget

from aomori_desktop.services.changes import Changes


class TypingGuard(QObject):
    def __init__(
        self,
        tables: Sequence[QAbstractItemView],
        fields: Sequence[QWidget],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._tables = list(tables)
        self._fields = list(fields)
        self._held: Changes | None = None
        self._refresh: Callable[[Changes], None] | None = None
        for table in self._tables:
            table.itemDelegate().closeEditor.connect(self._ended)
        for field in self._fields:
            if isinstance(field, QLineEdit):
                field.editingFinished.connect(self._ended)
            field.installEventFilter(self)

    def typing(self) -> bool:
        """An editor is open in a table, or a field being typed in holds unsaved text."""
        if any(t.state() == QAbstractItemView.State.EditingState for t in self._tables):
            return True
        for field in self._fields:
            if not field.hasFocus():
                continue
            if isinstance(field, QLineEdit) and field.isModified():
                return True
            if isinstance(field, QPlainTextEdit) and field.document().isModified():
                return True
        return False

    def hold(self, changes: Changes, refresh: Callable[[Changes], None]) -> bool:
        """If the user is typing, keep `changes` (with those held before) for `refresh` when
        the typing ends and answer True; False: refresh now."""
        if not self.typing():
            return False
        self._held = changes if self._held is None else self._held | changes
        self._refresh = refresh
        return True

    @property
    def holding(self) -> bool:
        return self._held is not None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut and self._held is not None:
            self._ended()
        return super().eventFilter(watched, event)

    def _ended(self, *_args: object) -> None:
        # after the entry that ended the typing has been handled (stored, or refused)
        QTimer.singleShot(0, self._release)

    def _release(self) -> None:
        if self._held is None or self._refresh is None or self.typing():
            return
        changes, refresh = self._held, self._refresh
        self._held = self._refresh = None
        refresh(changes)
