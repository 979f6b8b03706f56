"""Starting the window: `aomori-desktop [--db PATH]`."""

from __future__ import annotations

import sys

from aomori_desktop.domain.errors import UserError


def run_gui(target: str) -> int:
    from aomori_desktop.ui.main_window import MainWindow
    from aomori_desktop.ui.prompts import Prompts
    from aomori_desktop.ui.qt_setup import create_application

    try:
        app = create_application(sys.argv[:1])
    except UserError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    window = MainWindow(Prompts())
    window.show()
    window.open_or_create_database(target)
    return int(app.exec())
