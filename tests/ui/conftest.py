"""Fixtures for window tests: a seeded database per test, a scripted Prompts, a main window
that is closed on teardown with a check that no top-level window leaked."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from aomori_desktop.ui.prompts import Prompts


class ScriptedPrompts(Prompts):
    """Records every question; answers from queues the test fills (no modal dialog opens)."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.infos: list[str] = []
        self.confirms: list[str] = []
        self.confirm_answers: list[bool] = []
        self.texts: list[str | None] = []
        self.passwords: list[str | None] = []
        self.password_requests: list[str] = []
        self.paths: list[str | None] = []
        self.path_lists: list[list[str]] = []
        self.dialog_scripts: list[Callable[[QDialog], bool]] = []

    def error(self, parent: QWidget | None, message: str) -> None:
        self.errors.append(message)

    def info(self, parent: QWidget | None, message: str) -> None:
        self.infos.append(message)

    def confirm(self, parent: QWidget | None, message: str) -> bool:
        self.confirms.append(message)
        return self.confirm_answers.pop(0) if self.confirm_answers else False

    def ask_text(
        self, parent: QWidget | None, title: str, label: str, text: str = ""
    ) -> str | None:
        return self.texts.pop(0) if self.texts else None

    def ask_password(self, parent: QWidget | None, server: str, message: str) -> str | None:
        self.password_requests.append(f"{message} {server}")
        return self.passwords.pop(0) if self.passwords else None

    def open_path(self, parent: QWidget | None, caption: str, filters: str) -> str | None:
        return self.paths.pop(0) if self.paths else None

    def open_paths(self, parent: QWidget | None, caption: str, filters: str) -> list[str]:
        return self.path_lists.pop(0) if self.path_lists else []

    def save_path(
        self, parent: QWidget | None, caption: str, suggested: str, filters: str
    ) -> str | None:
        return self.paths.pop(0) if self.paths else None

    def directory(self, parent: QWidget | None, caption: str, start: str) -> str | None:
        return self.paths.pop(0) if self.paths else None

    def run_dialog(self, dialog: QDialog) -> bool:
        if not self.dialog_scripts:
            raise AssertionError(f"unexpected dialog: {dialog.windowTitle()}")
        return self.dialog_scripts.pop(0)(dialog)


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from aomori_desktop.services.workspace import create_seeded_database

    path = tmp_path_factory.mktemp("template") / "seeded.sqlite3"
    create_seeded_database(path).close()
    return path


@pytest.fixture
def db_file(seeded_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "plan.sqlite3"
    shutil.copy(seeded_template, path)
    return path


@pytest.fixture
def prompts() -> ScriptedPrompts:
    return ScriptedPrompts()


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_window(
    qapp: QApplication, prompts: ScriptedPrompts, settings: QSettings, db_file: Path
) -> Iterator[Callable[..., Any]]:
    from aomori_desktop.ui.main_window import MainWindow

    before = set(QApplication.topLevelWidgets())
    windows: list[MainWindow] = []

    def make(open_db: bool = True) -> MainWindow:
        window = MainWindow(prompts, settings)
        window.resize(1400, 900)
        window.show()
        if open_db:
            assert window.open_database(db_file), prompts.errors
        QApplication.processEvents()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
        window.deleteLater()
    QApplication.processEvents()
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    leaked = [
        w
        for w in QApplication.topLevelWidgets()
        if w not in before and w.isVisible() and not w.windowTitle().startswith("QMenu")
    ]
    for w in leaked:
        w.close()
    assert not leaked, f"windows left open: {[w.windowTitle() or type(w).__name__ for w in leaked]}"


@pytest.fixture(scope="session")
def server_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A seeded database on the PostgreSQL test server (skipped without one)."""
    from tests import backends

    for target in backends.seeded_template("postgresql", tmp_path_factory.mktemp("pg"), "ui"):
        yield str(target)


@pytest.fixture
def server_db(server_template: str, tmp_path: Path) -> Iterator[str]:
    """A private copy of the seeded server database for one test (its URL, with password)."""
    from tests import backends

    for target in backends.fresh_copy(server_template, tmp_path):
        yield str(target)


@pytest.fixture
def other_pc(db_file: Path) -> Iterator[Callable[[str, datetime], Any]]:
    """Another PC's connection to the same database, as a named user with a fixed clock."""
    from aomori_desktop.services.plan_services import PlanServices
    from aomori_desktop.services.workspace import default_plan_id
    from aomori_desktop.store.database import open_database

    opened = []

    def connect(user: str, at: datetime) -> Any:
        db = open_database(db_file)
        opened.append(db)
        return PlanServices(db, default_plan_id(db), user=user, clock=lambda: at)

    yield connect
    for db in opened:
        db.close()
