"""Regenerate docs/examples/: one KPI chart per format and size preset, and the overview charts.

    .venv/bin/python scripts/make_chart_examples.py [--out docs/examples]

The data is the default plan with invented sample values for FY2024 (確定) and FY2025 (速報);
the source line says so. Everything is drawn by aomori_desktop.charts, as the application,
the batch export and `aomori-desktop export charts` draw it.
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

SAMPLE_SOURCE = "青森市観光統計（この図の数値は説明用の架空の例）"
VALUES = {  # code: ((2024 value, final), (2025 value, preliminary))
    "K01": ("1", "1"),
    "K02": ("3", "2"),
    "K03": ("78", "85"),
    "K04": ("150", "210"),
    "K05": ("12", "13"),
    "K07": ("341", "330"),
    "K08": ("1180", "1168"),
    "K10": ("1150000", "1203456"),
    "K11": ("118000", "131500"),
    "K12": ("4702", "4620"),
    "K14": ("205", "212"),
    "K16": ("8.5", "8.6"),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "examples")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtWidgets import QApplication

    from aomori_desktop.charts.export import ExportSettings, Preset, export_chart
    from aomori_desktop.charts.kpi_chart import KpiChart, KpiChartOptions
    from aomori_desktop.charts.overview_chart import (
        AchievementChart,
        AchievementData,
        GradeCountChart,
        GradeCountData,
    )
    from aomori_desktop.charts.style import AxisLabelMode
    from aomori_desktop.domain.plan import FigureStatus
    from aomori_desktop.services.dto import TreeKey
    from aomori_desktop.services.plan_services import PlanServices
    from aomori_desktop.services.workspace import create_seeded_database, default_plan_id
    from aomori_desktop.ui.qt_setup import configure_application

    app = QApplication.instance() or QApplication(sys.argv)
    configure_application(app)  # type: ignore[arg-type]
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.*"):
        if old.suffix in (".png", ".svg", ".pdf"):
            old.unlink()

    db = create_seeded_database(Path(tempfile.mkdtemp()) / "examples.sqlite3")
    plan = default_plan_id(db)
    services = PlanServices(db, plan)
    for code, (v2024, v2025) in VALUES.items():
        services.values.record_actual(code, 2024, Decimal(v2024), status=FigureStatus.FINAL)
        services.values.record_actual(code, 2025, Decimal(v2025), status=FigureStatus.PRELIMINARY)
    reader = services.queries
    written: list[Path] = []
    charts = []

    def kpi(code: str) -> KpiChart:
        chart = KpiChart()
        chart.set_data(reader.kpi_detail(code), KpiChartOptions(source=SAMPLE_SOURCE))
        charts.append(chart)
        return chart

    k10 = kpi("K10")
    for preset in Preset:
        for suffix in ("svg", "pdf"):
            written.append(
                export_chart(k10, out / f"kpi_K10_{preset}.{suffix}", ExportSettings(preset=preset))
            )
        dpi = 150 if preset is Preset.SLIDE else 300
        written.append(
            export_chart(
                k10, out / f"kpi_K10_{preset}_{dpi}dpi.png", ExportSettings(preset=preset, dpi=dpi)
            )
        )
    written.append(export_chart(k10, out / "kpi_K10_word-full_600dpi.png", ExportSettings(dpi=600)))
    written.append(
        export_chart(
            kpi("K03"),
            out / "kpi_K03_word-half_300dpi_mono_era.png",
            ExportSettings(preset=Preset.WORD_HALF, monochrome=True, axis_labels=AxisLabelMode.ERA),
        )
    )
    # the README shows this one
    written.append(
        export_chart(kpi("K01"), out / "kpi_K01_word-full_150dpi.png", ExportSettings(dpi=150))
    )

    overview = reader.overview(TreeKey.plan(), 2025)
    achievement = AchievementChart()
    achievement.set_data(AchievementData.from_overview(overview, 2025, source=SAMPLE_SOURCE))
    counts = GradeCountChart()
    pairs = [
        (f"{p.code} {p.title.split(' ')[-1]}", reader.overview(p.key, 2025).counts)
        for p in reader.tree().children
    ]
    counts.set_data(GradeCountData.from_pairs(overview.title, 2025, pairs, SAMPLE_SOURCE))
    charts += [achievement, counts]
    written.append(
        export_chart(
            achievement, out / "overview_achievement_word-full_300dpi.png", ExportSettings()
        )
    )
    written.append(
        export_chart(
            achievement,
            out / "overview_achievement_word-full_mono_300dpi.png",
            ExportSettings(monochrome=True),
        )
    )
    written.append(
        export_chart(achievement, out / "overview_achievement_word-full.pdf", ExportSettings())
    )
    written.append(
        export_chart(counts, out / "overview_grades_word-full_300dpi.png", ExportSettings())
    )
    written.append(export_chart(counts, out / "overview_grades_word-full.svg", ExportSettings()))
    for chart in charts:
        chart.close()
    db.close()
    total = sum(p.stat().st_size for p in written)
    for path in written:
        print(
            f"{path.stat().st_size / 1024:8.0f} KiB  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}"
        )
    print(f"{total / 1024 / 1024:8.2f} MiB  total")
    return 0


if __name__ == "__main__":
    sys.exit(main())
