"""The About box text: versions and the font licence."""

from __future__ import annotations

import platform
import sys
from importlib.metadata import PackageNotFoundError, version

from aomori_desktop import APP_TITLE_JA, __version__


def _version(distribution: str) -> str:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "?"


def about_text() -> str:
    return (
        f"{APP_TITLE_JA}\nバージョン {__version__}\n\n"
        f"Python {platform.python_version()} / Qt (PySide6) {_version('PySide6-Essentials')} / "
        f"pyqtgraph {_version('pyqtgraph')} / SQLAlchemy {_version('SQLAlchemy')}\n"
        f"{sys.platform}\n\n"
        "表示フォント: BIZ UDPゴシック（BIZ UDPGothic）\n"
        "Copyright 2022 The BIZ UDGothic Project Authors. "
        "SIL Open Font License 1.1 で提供されています（resources/fonts/OFL.txt）。"
    )
