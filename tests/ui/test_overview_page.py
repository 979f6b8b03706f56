"""The overview tables say whether the latest figure is 速報 or 確定."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt

from aomori_desktop.domain.plan import FigureStatus
from aomori_desktop.services.kpi_values import KpiYearEdit


def test_latest_actual_says_preliminary_or_final(make_window) -> None:
    window = make_window()
    services = window.document.services
    window.document.changed.emit(
        services.values.set_kpi_years(
            [
                KpiYearEdit("K10", 2024, actual=Decimal("1150000"), status=FigureStatus.FINAL),
                KpiYearEdit(
                    "K10", 2025, actual=Decimal("1203456"), status=FigureStatus.PRELIMINARY
                ),
                KpiYearEdit("K04", 2024, actual=Decimal("145")),  # no status chosen
            ]
        ).changes,
        None,
    )
    window.select_key("plan")
    page = window.overview_page
    model = page.kpi_model
    latest_column = [
        model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())
    ].index("最新実績")

    def latest(code: str) -> str:
        rows = [model.data(model.index(r, 0)) for r in range(model.rowCount())]
        return model.data(model.index(rows.index(code), latest_column))

    window.year_combo.setCurrentIndex(1)  # 令和7(2025)年度
    assert latest("K10") == "1,203,456（令和7(2025)年度・速報）"
    assert latest("K04") == "145（令和6(2024)年度）"
    window.year_combo.setCurrentIndex(0)
    assert latest("K10") == "1,150,000（令和6(2024)年度・確定）"
    assert latest("K01") == "未入力"
