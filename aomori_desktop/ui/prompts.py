"""The one seam through which the window asks the user things (message boxes, file dialogs).

Tests pass a scripted replacement, so no modal dialog ever blocks a test run.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget


class Prompts:
    """Modal questions and notices, with Qt's standard dialogs."""

    def error(self, parent: QWidget | None, message: str) -> None:
        QMessageBox.critical(parent, "エラー", message)

    def info(self, parent: QWidget | None, message: str) -> None:
        QMessageBox.information(parent, "お知らせ", message)

    def confirm(self, parent: QWidget | None, message: str) -> bool:
        answer = QMessageBox.question(
            parent,
            "確認",
            message,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def ask_text(
        self, parent: QWidget | None, title: str, label: str, text: str = ""
    ) -> str | None:
        value, ok = QInputDialog.getText(parent, title, label, text=text)
        return value if ok else None

    def ask_password(self, parent: QWidget | None, server: str, message: str) -> str | None:
        """A database server's password (not shown as it is typed); None when cancelled."""
        value, ok = QInputDialog.getText(
            parent,
            "データベースサーバーへの接続",
            f"{message}\n{server} のパスワード:",
            QLineEdit.EchoMode.Password,
        )
        return value if ok else None

    def open_path(self, parent: QWidget | None, caption: str, filters: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(parent, caption, "", filters)
        return path or None

    def open_paths(self, parent: QWidget | None, caption: str, filters: str) -> list[str]:
        """Several files chosen at once (the import of one workbook per 担当課)."""
        paths, _ = QFileDialog.getOpenFileNames(parent, caption, "", filters)
        return list(paths)

    def save_path(
        self, parent: QWidget | None, caption: str, suggested: str, filters: str
    ) -> str | None:
        path, _ = QFileDialog.getSaveFileName(parent, caption, suggested, filters)
        return path or None

    def directory(self, parent: QWidget | None, caption: str, start: str) -> str | None:
        path = QFileDialog.getExistingDirectory(parent, caption, start)
        return path or None

    def run_dialog(self, dialog: QDialog) -> bool:
        """Show a dialog of the application modally; True when the user accepted it."""
        return dialog.exec() == QDialog.DialogCode.Accepted
