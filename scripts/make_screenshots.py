"""Regenerate the window screenshots in docs/screenshots/ (offscreen, bundled font).

    .venv/bin/python scripts/make_screenshots.py [--out docs/screenshots]

The database is the default plan with invented sample values (the same as the chart examples),
entered through the services as a user would.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from make_chart_examples import VALUES  # noqa: E402  (shared sample values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from aomori_desktop.domain.plan import FigureStatus
    from aomori_desktop.services.kpi_values import KpiYearEdit
    from aomori_desktop.services.workspace import create_seeded_database
    from aomori_desktop.ui.history_view import open_history
    from aomori_desktop.ui.main_window import MainWindow
    from aomori_desktop.ui.prompts import Prompts
    from aomori_desktop.ui.qt_setup import create_application

    app = create_application(["screenshots"])
    folder = Path(tempfile.mkdtemp(prefix="aomori-shots-"))
    db_path = folder / "青森市しごと創造戦略.sqlite3"
    create_seeded_database(db_path).close()
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(Prompts(), settings)
    window.resize(1500, 940)
    window.show()
    window.open_database(db_path)
    document = window.document
    assert document is not None
    edits = []
    for code, (v2024, v2025) in VALUES.items():
        edits.append(KpiYearEdit(code, 2024, actual=Decimal(v2024), status=FigureStatus.FINAL))
        edits.append(
            KpiYearEdit(code, 2025, actual=Decimal(v2025), status=FigureStatus.PRELIMINARY)
        )
    edits.append(
        KpiYearEdit(
            "K10", 2025, comment="クルーズ船の寄港増加とインバウンド需要の回復により増加（速報値）"
        )
    )
    document.apply("実績値の入力", lambda: document.services.values.set_kpi_years(edits))
    # a target revision (listed on the KPI form), and an edit undone and redone (the history
    # marks both), through the window's own undo stack
    document.apply(
        "K10 目標値の見直し",
        lambda: document.services.kpi_fields.revise_target(
            "K10", Decimal("1500000"), 2033, "インバウンド需要の回復見込みを反映して上方修正"
        ),
    )
    note = "確定値（青森県観光入込客統計）"
    document.apply_year_edits(
        "K10 コメント",
        [KpiYearEdit("K10", 2024, comment=note)],
        [KpiYearEdit("K10", 2024, comment="")],
    )
    document.undo()
    document.redo()
    window.year_combo.setCurrentIndex(1)  # 令和7(2025)年度
    args.out.mkdir(parents=True, exist_ok=True)

    def shot(name: str) -> None:
        for _ in range(3):
            QApplication.processEvents()
        window.grab().save(str(args.out / name))
        print(args.out / name)

    window.select_key("K10@4-1")
    shot("main_kpi.png")
    window.select_key("1-2")
    shot("main_measure.png")
    window.select_key("plan")
    page = window.overview_page
    assert page is not None
    page.tabs.setCurrentWidget(page.charts_tab)
    shot("main_plan_charts.png")
    page.tabs.setCurrentIndex(0)

    window.select_key("K10@4-1")
    history = open_history(window, document, window.current_node())
    history.resize(1100, 420)
    for _ in range(3):
        QApplication.processEvents()
    history.grab().save(str(args.out / "history.png"))
    print(args.out / "history.png")
    window.close()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
