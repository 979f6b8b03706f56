"""Shared test setup.

Qt runs on the offscreen platform (no display, no Xvfb). The variable is set at import time,
before any test module imports Qt; a value already in the environment wins.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication


@pytest.fixture(scope="session")
def qapp(qapp: QApplication, tmp_path_factory: pytest.TempPathFactory) -> QApplication:
    """pytest-qt's ``qapp``, configured like the real application (font, Qt's Japanese, locale).

    Overrides the plugin's fixture of the same name, so ``qtbot`` and every widget test get the
    bundled Japanese font instead of tofu boxes. QSettings are redirected to a temporary folder,
    since the application name is now the real one and tests must not touch the user's settings.
    """
    from PySide6.QtCore import QSettings

    from aomori_desktop.ui.qt_setup import configure_application

    settings_dir = str(tmp_path_factory.mktemp("qsettings"))
    for settings_format in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(settings_format, scope, settings_dir)
    configure_application(qapp)
    return qapp


@pytest.fixture(autouse=True)
def _thawed_heap() -> object:
    """A window that is not closed (a test that drops it) leaves the heap frozen
    (ui/heap.py); the next test starts with everything collectable again."""
    yield None
    import gc

    gc.unfreeze()
