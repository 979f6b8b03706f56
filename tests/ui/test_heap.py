"""The opened plan is kept out of the garbage collector's full collections (ui/heap.py),
and a closed plan is given back to it."""

from __future__ import annotations

import gc
import shutil
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication


def test_the_open_plan_is_frozen_and_thawed_when_another_is_opened(
    make_window: Any, db_file: Path, tmp_path: Path, prompts: Any
) -> None:
    gc.unfreeze()
    window = make_window()
    QApplication.processEvents()  # the settling runs once the plan is on screen
    assert gc.get_freeze_count() > 10_000  # the tree, the held figures, the pages
    first = window.document

    other = tmp_path / "other.sqlite3"
    shutil.copy(db_file, other)
    assert window.open_database(other), prompts.errors
    assert window.document is not first
    QApplication.processEvents()
    assert gc.get_freeze_count() > 10_000  # the second plan, settled in its turn
    window.close()
    assert gc.get_freeze_count() == 0  # closing the window gives everything back
