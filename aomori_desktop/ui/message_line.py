"""Small pieces every page and dialog uses: the message line under a form or table, the
style of a refused field, and a heading that never pushes the form off the screen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

ERROR_STYLE = "QLineEdit, QPlainTextEdit { background: #ffd6d6; }"
HEADING_CHARS = 90  # about two lines at the page's width; the whole name is in the tooltip


def heading_text(text: str) -> str:
    """A page heading that never pushes the form off the screen (a KPI name may be long)."""
    return text if len(text) <= HEADING_CHARS else text[:HEADING_CHARS] + "…"


class MessageLine(QLabel):
    """A line under a form or table for what went wrong (or right), in Japanese."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_error(self, text: str) -> None:
        self.setStyleSheet(
            "color: #a00000; background: #fff0f0; padding: 4px; border: 1px solid #e0a0a0;"
        )
        self.setText(text)
        self.show()

    def show_info(self, text: str) -> None:
        self.setStyleSheet("color: #1b5e20; padding: 4px;")
        self.setText(text)
        self.show()

    def clear_message(self) -> None:
        self.setText("")
        self.hide()
