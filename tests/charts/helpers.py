"""Plain KpiDetail values for chart tests (no database), and image checks."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage

from aomori_desktop.domain.plan import Direction, FigureStatus
from aomori_desktop.domain.progress import KpiTerms, evaluate_year
from aomori_desktop.services.dto import KpiDetail, KpiYearView
from aomori_desktop.services.plan_services import PlanServices
from aomori_desktop.services.queries import PlanQueries
from aomori_desktop.services.workspace import create_seeded_database, default_plan_id
from aomori_desktop.store.database import Database

RECORDED = {
    ("K01", 2024): ("1", FigureStatus.FINAL),
    ("K01", 2025): ("2", FigureStatus.PRELIMINARY),
    ("K03", 2024): ("78", FigureStatus.FINAL),
    ("K10", 2024): ("1150000", FigureStatus.FINAL),
    ("K10", 2025): ("1203456", FigureStatus.PRELIMINARY),
    ("K16", 2024): ("8.5", FigureStatus.FINAL),
}


def seeded_plan(path: Path | str) -> tuple[Database, PlanQueries]:
    """The default plan in a new database (a file, or an empty server database's URL), with
    the values in RECORDED."""
    db = create_seeded_database(path)
    plan = default_plan_id(db)
    services = PlanServices(db, plan)
    for (code, year), (value, status) in RECORDED.items():
        services.values.record_actual(code, year, Decimal(value), status=status)
    return db, services.queries


def make_detail(
    *,
    code: str = "K01",
    name: str = "青森港を利用する洋上風力発電事業者数(累計)",
    unit: str = "件",
    baseline: str = "0",
    target: str = "3",
    direction: Direction = Direction.INCREASE,
    cumulative: bool = True,
    data_source: str = "",
    actuals: dict[int, tuple[str, FigureStatus]] | None = None,
    interims: dict[int, str] | None = None,
) -> KpiDetail:
    terms = KpiTerms(Decimal(baseline), 2023, Decimal(target), 2033, direction)
    actuals = actuals or {}
    interims = interims or {}
    years = []
    for fy in range(2024, 2034):
        value = Decimal(actuals[fy][0]) if fy in actuals else None
        interim = Decimal(interims[fy]) if fy in interims else None
        years.append(
            KpiYearView(
                fiscal_year=fy,
                actual=value,
                interim_target=interim,
                status=actuals[fy][1] if fy in actuals else None,
                comment="",
                entered_by="",
                entered_at=None,
                progress=evaluate_year(terms, fy, value, interim),
            )
        )
    return KpiDetail(
        code=code,
        name=name,
        unit=unit,
        baseline=Decimal(baseline),
        baseline_fiscal_year=2023,
        baseline_fiscal_year_confirmed=False,
        target=Decimal(target),
        target_fiscal_year=2033,
        direction=direction,
        cumulative=cumulative,
        data_source=data_source,
        responsible_section="",
        definition="",
        measures=(("1-1", "測定"),),
        years=tuple(years),
        revisions=(),
    )


SAMPLE = make_detail(
    actuals={
        2024: ("1", FigureStatus.FINAL),
        2025: ("2", FigureStatus.PRELIMINARY),
    },
    data_source="青森市経済部調べ",
)


def rgb_array(image: QImage) -> np.ndarray:
    """H × W × 3 uint8 array of an image."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    w, h = rgb.width(), rgb.height()
    data = np.frombuffer(rgb.constBits(), dtype=np.uint8, count=rgb.sizeInBytes())
    return data.reshape(h, rgb.bytesPerLine())[:, : w * 3].reshape(h, w, 3).copy()


def saturation(image: QImage) -> np.ndarray:
    """Per-pixel max(R,G,B) − min(R,G,B): 0 for greys."""
    a = rgb_array(image).astype(np.int16)
    return a.max(axis=2) - a.min(axis=2)


def ink(image: QImage) -> np.ndarray:
    """Boolean mask of dark pixels."""
    return rgb_array(image).mean(axis=2) < 128


def drawn_tick_texts(axis: object) -> list[str]:
    """The tick labels a pyqtgraph axis would actually paint now (it silently drops labels
    that do not fit its current geometry)."""
    from PySide6.QtGui import QPainter

    image = QImage(8, 8, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    try:
        specs = axis.generateDrawSpecs(painter)  # type: ignore[attr-defined]
    finally:
        painter.end()
    return [text for _rect, _flags, text in specs[2] if text] if specs else []
