"""ファイル → 接続先…: a file or a PostgreSQL server, recent targets, no password kept."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication, QDialog
from sqlalchemy.engine import make_url

from aomori_desktop.services.connection import forget_password, server_name
from aomori_desktop.ui.connect_dialog import ConnectDialog


def _bare(url: str) -> tuple[str, str]:
    """The URL without its password, and the password."""
    parsed = make_url(url)
    return parsed._replace(password=None).render_as_string(hide_password=False), str(
        parsed.password
    )


def _visible_messages(dialog: ConnectDialog) -> list[str]:
    labels = [dialog.path_message, *dialog.messages.values()]
    return [label.text() for label in labels if not label.isHidden()]


def test_empty_host_database_and_a_bad_port_are_refused_beside_their_fields(
    qapp: QApplication, prompts
) -> None:
    dialog = ConnectDialog([], prompts)
    dialog.server_mode.setChecked(True)
    dialog.port_edit.setText("５４三二")
    dialog.connect_chosen()
    assert dialog.result() != QDialog.DialogCode.Accepted and dialog.target is None
    assert dialog.messages["host"].text() == "ホスト名を入力してください。"
    assert dialog.messages["database"].text() == "データベース名を入力してください。"
    assert dialog.messages["port"].text() == "ポートは1〜65535の数字で入力してください。"
    assert dialog.messages["user"].isHidden()

    dialog.host_edit.setText("db.city.aomori.local")
    dialog.port_edit.setText("6543")
    dialog.database_edit.setText("aomori")
    dialog.user_edit.setText("kikaku")
    dialog.connect_chosen()
    assert _visible_messages(dialog) == []
    assert dialog.target == "postgresql+psycopg://kikaku@db.city.aomori.local:6543/aomori"

    files = ConnectDialog([], prompts)
    files.connect_chosen()
    assert files.target is None
    assert _visible_messages(files) == ["ファイルを指定してください。"]


def test_a_recent_target_fills_the_fields_of_its_mode(qapp: QApplication, prompts) -> None:
    server = "postgresql+psycopg://kikaku@db.local:5432/aomori"
    dialog = ConnectDialog([server, "C:/共有/plan.sqlite3"], prompts)
    assert [dialog.recent_list.item(i).text() for i in range(2)] == [
        "サーバー: kikaku@db.local:5432/aomori",
        "ファイル: C:/共有/plan.sqlite3",
    ]
    dialog.recent_list.setCurrentRow(0)
    assert dialog.server_mode.isChecked() and dialog.server_box.isEnabled()
    assert (dialog.host_edit.text(), dialog.port_edit.text()) == ("db.local", "5432")
    assert (dialog.database_edit.text(), dialog.user_edit.text()) == ("aomori", "kikaku")
    dialog.recent_list.setCurrentRow(1)
    assert dialog.file_mode.isChecked() and not dialog.server_box.isEnabled()
    assert dialog.path_edit.text() == "C:/共有/plan.sqlite3"


def test_browsing_chooses_a_file_and_the_window_opens_it(
    make_window, prompts, db_file: Path, tmp_path: Path
) -> None:
    window = make_window(open_db=False)
    prompts.paths.append(str(db_file))

    def browse_and_connect(dialog) -> bool:
        assert dialog.file_mode.isChecked()
        dialog.browse_button.click()
        assert dialog.path_edit.text() == str(db_file)
        dialog.connect_chosen()
        return dialog.result() == QDialog.DialogCode.Accepted

    prompts.dialog_scripts.append(browse_and_connect)
    window.connect_dialog()
    assert prompts.errors == []
    assert window.db is not None and window.db.location == str(db_file)
    assert window.tree_model.rowCount() > 0


def test_connecting_to_the_server_asks_the_password_and_keeps_none_in_the_settings(
    make_window, prompts, settings, server_db: str, tmp_path: Path
) -> None:
    bare, password = _bare(server_db)
    host, port, name, user = (
        make_url(bare).host,
        make_url(bare).port,
        make_url(bare).database,
        make_url(bare).username,
    )
    window = make_window(open_db=False)
    prompts.passwords.append(password)

    def fill(dialog) -> bool:
        dialog.server_mode.setChecked(True)
        dialog.host_edit.setText(str(host))
        dialog.port_edit.setText(str(port))
        dialog.database_edit.setText(str(name))
        dialog.user_edit.setText(str(user))
        dialog.connect_chosen()
        return dialog.result() == QDialog.DialogCode.Accepted

    prompts.dialog_scripts.append(fill)
    try:
        window.connect_dialog()
        assert prompts.errors == []
        assert len(prompts.password_requests) == 1
        assert "パスワードが必要です" in prompts.password_requests[0]
        assert window.db is not None and window.db.location == server_name(bare)
        assert window.tree_model.rowCount() > 0
        settings.sync()
        saved = (tmp_path / "settings.ini").read_bytes()
        assert password.encode() not in saved
        assert settings.value("files/recent") == [bare]
        assert settings.value("files/last") == bare

        # the recent target opens it again (the password typed this session is reused)
        def choose_recent(dialog) -> bool:
            assert dialog.server_mode.isChecked()  # the last target is shown first
            assert dialog.database_edit.text() == name
            dialog.recent_list.setCurrentRow(0)
            dialog.connect_chosen()
            return dialog.result() == QDialog.DialogCode.Accepted

        prompts.dialog_scripts.append(choose_recent)
        window.connect_dialog()
        assert prompts.errors == [] and len(prompts.password_requests) == 1
        assert window.db is not None and window.db.location == server_name(bare)
    finally:
        forget_password(server_name(bare))


def test_a_password_in_the_url_given_at_start_is_not_remembered(
    make_window, settings, server_db: str, tmp_path: Path
) -> None:
    bare, password = _bare(server_db)
    window = make_window(open_db=False)
    assert window.open_or_create_database(server_db)
    settings.sync()
    assert password.encode() not in (tmp_path / "settings.ini").read_bytes()
    assert settings.value("files/recent") == [bare]
