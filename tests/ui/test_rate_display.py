"""A rate far out of range is shown whole in the bulk-entry table (not cut to 「272900…」)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication, QWidget

from aomori_desktop.services.workspace import create_seeded_database, default_plan_id
from aomori_desktop.ui.bulk_entry import open_bulk_entry
from aomori_desktop.ui.bulk_table import COL_RATE, COLUMN_WIDTHS
from aomori_desktop.ui.document import PlanDocument
from tests.ui.conftest import ScriptedPrompts


@pytest.fixture
def document(
    qapp: QApplication, tmp_path: Path, prompts: ScriptedPrompts
) -> Iterator[PlanDocument]:
    db = create_seeded_database(tmp_path / "plan.sqlite3")
    doc = PlanDocument(db, default_plan_id(db), prompts)
    yield doc
    doc.undo_stack.clear()
    db.close()


def test_bulk_entry_widens_the_rate_column_for_a_rate_far_out_of_range(
    qtbot, document: PlanDocument
) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    window = open_bulk_entry(host, document)
    try:
        window.resize(1400, 900)
        QApplication.processEvents()
        assert window.table.columnWidth(COL_RATE) == COLUMN_WIDTHS[COL_RATE]
        # 創業件数 keeps 80 a year: 2,183,200 (a count, plausible) is 2,729,000 % of it
        document.changed.emit(
            document.services.values.record_actual("K03", 2024, Decimal("2183200")).changes, None
        )
        QApplication.processEvents()
        model = window.model
        row = model.line_of("K03", None)
        text = model.data(model.index(row, COL_RATE))
        assert text == "2729000.0"
        needed = window.table.fontMetrics().horizontalAdvance(text)
        assert window.table.columnWidth(COL_RATE) >= needed + 8
    finally:
        window.close()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
