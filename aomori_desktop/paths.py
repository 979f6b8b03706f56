"""Where the application finds its bundled files and keeps the user's database.

Works from the source tree (editable install) and from a PyInstaller bundle (`sys._MEIPASS`).
"""

from __future__ import annotations

import sys
from pathlib import Path

from platformdirs import user_data_path

from aomori_desktop import APP_NAME

DEFAULT_DB_FILENAME = "aomori-desktop.sqlite3"


def bundle_root() -> Path:
    """The folder that holds `resources/` and `db/`: the bundle when frozen, else the repo."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root is not None:
        return Path(frozen_root)
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    return bundle_root() / "resources"


def fonts_dir() -> Path:
    return resources_dir() / "fonts"


def migrations_dir() -> Path:
    return bundle_root() / "db" / "migrations"


def seed_dir() -> Path:
    return bundle_root() / "db" / "seed"


def default_seed_file() -> Path:
    return seed_dir() / "aomori_shigoto_senryaku.toml"


def user_data_dir() -> Path:
    """Per-user data folder (e.g. %LOCALAPPDATA%\\aomori-desktop on Windows)."""
    return user_data_path(APP_NAME, appauthor=False)


def default_database_path() -> Path:
    return user_data_dir() / DEFAULT_DB_FILENAME
