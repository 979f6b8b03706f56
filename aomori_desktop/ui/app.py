"""Starting the window: `aomori-desktop [--db PATH]`."""

from __future__ import annotations

import sys

from aomori_desktop.domain.errors import UserError


def run_gui(target: str) -> int:
    # the first paint comes before SQLAlchemy loads (ui/first_paint.py)
    from aomori_desktop.ui.first_paint import show_and_open
    from aomori_desktop.ui.main_window import MainWindow
    from aomori_desktop.ui.prompts import Prompts
    from aomori_desktop.ui.qt_setup import create_application

    try:
        app = create_application(sys.argv[:1])
    except UserError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    window = MainWindow(Prompts())
    show_and_open(window, target)
    return int(app.exec())
