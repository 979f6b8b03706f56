"""ファイル → 接続先…: choose the database to work on, a file on this PC or a database on a
PostgreSQL server, or one of the recent targets.

The dialog only chooses: the window opens the chosen target through its usual open path
(`MainWindow.open_database`), which asks for a server's password when the server wants one
(ui/server_login.py) and remembers the target among the recent ones. The recent targets are
file paths and server URLs without a password; a password is never part of what this dialog
gives or shows.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from aomori_desktop.services.connection import (
    is_server,
    server_fields,
    server_name,
    server_target,
)
from aomori_desktop.ui.prompts import Prompts

DEFAULT_PORT = 5432
DB_FILTER = "データベース (*.sqlite3 *.sqlite *.db);;すべてのファイル (*)"
ERROR_STYLE = "color: #b00020;"


def _field_with_message(edit: QLineEdit, extra: QWidget | None = None) -> tuple[QWidget, QLabel]:
    """A field and, beside it, the place of its sentence when the input is refused."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(edit, 1)
    message = QLabel()
    message.setStyleSheet(ERROR_STYLE)
    message.setVisible(False)
    layout.addWidget(message)
    if extra is not None:
        layout.addWidget(extra)
    return row, message


class ConnectDialog(QDialog):
    """The choice of a database; `target` holds the chosen one after 接続."""

    def __init__(
        self,
        recent: list[str],
        prompts: Prompts,
        parent: QWidget | None = None,
        *,
        current: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("接続先")
        self.prompts = prompts
        self.target: str | None = None

        self.file_mode = QRadioButton("このPCのファイル")
        self.server_mode = QRadioButton("サーバー（PostgreSQL）")
        modes = QButtonGroup(self)
        modes.addButton(self.file_mode)
        modes.addButton(self.server_mode)

        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("例: C:\\共有\\aomori-desktop.sqlite3")
        self.browse_button = QPushButton("参照…")
        self.browse_button.clicked.connect(self._browse)
        path_row, self.path_message = _field_with_message(self.path_edit, self.browse_button)
        self.file_box = QGroupBox()
        file_form = QFormLayout(self.file_box)
        file_form.addRow("ファイル:", path_row)

        self.host_edit = QLineEdit()
        self.port_edit = QLineEdit(str(DEFAULT_PORT))
        self.database_edit = QLineEdit()
        self.user_edit = QLineEdit()
        self.server_box = QGroupBox()
        server_form = QFormLayout(self.server_box)
        self.messages: dict[str, QLabel] = {}
        for key, label, edit in (
            ("host", "ホスト:", self.host_edit),
            ("port", "ポート:", self.port_edit),
            ("database", "データベース名:", self.database_edit),
            ("user", "ユーザー名:", self.user_edit),
        ):
            row, self.messages[key] = _field_with_message(edit)
            server_form.addRow(label, row)
        hint = QLabel(
            "パスワードは接続するときに尋ねます（保存する場合はWindowsの資格情報に保存され、"
            "この画面や設定ファイルには残りません）。"
        )
        hint.setWordWrap(True)
        server_form.addRow(hint)

        self.recent_list = QListWidget()
        for target in recent:
            item = QListWidgetItem(self._label(target))
            item.setData(Qt.ItemDataRole.UserRole, target)
            item.setToolTip(target)
            self.recent_list.addItem(item)
        self.recent_list.currentItemChanged.connect(self._recent_chosen)
        self.recent_list.itemDoubleClicked.connect(lambda _item: self.connect_chosen())

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        connect_button = buttons.addButton("接続", QDialogButtonBox.ButtonRole.AcceptRole)
        connect_button.setDefault(True)
        buttons.accepted.connect(self.connect_chosen)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.file_mode)
        layout.addWidget(self.file_box)
        layout.addWidget(self.server_mode)
        layout.addWidget(self.server_box)
        layout.addWidget(QLabel("最近の接続先:"))
        layout.addWidget(self.recent_list, 1)
        layout.addWidget(buttons)

        self.file_mode.toggled.connect(self._mode_changed)
        self.file_mode.setChecked(True)
        self._mode_changed()
        if current:
            self.fill(current)
        self.resize(640, 460)

    # ------------------------------------------------------------ filling

    @staticmethod
    def _label(target: str) -> str:
        if is_server(target):
            return f"サーバー: {server_name(target)}"
        return f"ファイル: {target}"

    def fill(self, target: str) -> None:
        """Show `target` (a path or a server URL) in the fields of its mode."""
        if not is_server(target):
            self.file_mode.setChecked(True)
            self.path_edit.setText(target)
            return
        host, port, database, user = server_fields(target)
        self.server_mode.setChecked(True)
        self.host_edit.setText(host)
        self.port_edit.setText(str(port))
        self.database_edit.setText(database)
        self.user_edit.setText(user)

    def _recent_chosen(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        if item is not None:
            self.fill(str(item.data(Qt.ItemDataRole.UserRole)))

    def _mode_changed(self, _checked: bool = False) -> None:
        server = self.server_mode.isChecked()
        self.server_box.setEnabled(server)
        self.file_box.setEnabled(not server)

    def _browse(self) -> None:
        path = self.prompts.open_path(self, "データベースを開く", DB_FILTER)
        if path:
            self.path_edit.setText(path)

    # ------------------------------------------------------------ choosing

    def _show(self, label: QLabel, message: str) -> None:
        label.setText(message)
        label.setVisible(bool(message))

    def chosen_target(self) -> str | None:
        """The target the fields describe, or None with a sentence beside each refused one."""
        for label in [self.path_message, *self.messages.values()]:
            self._show(label, "")
        if self.file_mode.isChecked():
            path = self.path_edit.text().strip()
            if not path:
                self._show(self.path_message, "ファイルを指定してください。")
                return None
            return path
        host = self.host_edit.text().strip()
        database = self.database_edit.text().strip()
        user = self.user_edit.text().strip()
        port_text = self.port_edit.text().strip() or str(DEFAULT_PORT)
        ok = True
        if not host:
            self._show(self.messages["host"], "ホスト名を入力してください。")
            ok = False
        if not (port_text.isascii() and port_text.isdigit() and 0 < int(port_text) < 65536):
            self._show(self.messages["port"], "ポートは1〜65535の数字で入力してください。")
            ok = False
        if not database:
            self._show(self.messages["database"], "データベース名を入力してください。")
            ok = False
        if not ok:
            return None
        return server_target(host, int(port_text), database, user)

    def connect_chosen(self) -> None:
        target = self.chosen_target()
        if target is not None:
            self.target = target
            self.accept()
