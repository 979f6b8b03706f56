"""Overview charts: achievement bars per KPI and grade counts per pillar."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from aomori_desktop.charts.export import ExportFormat, ExportSettings, export_chart
from aomori_desktop.charts.items import Label, Rect, VSegment
from aomori_desktop.charts.overview_chart import (
    AchievementChart,
    AchievementData,
    GradeCountChart,
    GradeCountData,
)
from aomori_desktop.domain.progress import Grade
from aomori_desktop.services.dto import TreeKey
from aomori_desktop.services.queries import PlanQueries
from tests.charts.helpers import drawn_tick_texts, ink, saturation


@pytest.fixture
def achievement(qapp: QApplication, reader: PlanQueries) -> Iterator[AchievementChart]:
    chart = AchievementChart()
    chart.set_data(AchievementData.from_overview(reader.overview(TreeKey.plan(), 2024), 2024))
    yield chart
    chart.close()


@pytest.fixture
def counts(qapp: QApplication, reader: PlanQueries) -> Iterator[GradeCountChart]:
    pillars = reader.tree().children
    pairs = [
        (f"{p.code} {p.title.split(' ')[-1]}", reader.overview(p.key, 2024).counts) for p in pillars
    ]
    chart = GradeCountChart()
    chart.set_data(GradeCountData.from_pairs("青森市しごと創造戦略", 2024, pairs))
    yield chart
    chart.close()


def test_one_bar_per_kpi_with_grade_label_and_expected_mark(achievement: AchievementChart) -> None:
    data = achievement.data
    assert data is not None and len(data.rows) == 16
    achievement.render_image(QSize(945, 700))
    ops = achievement.layer.ops
    bars = [op for op in ops if isinstance(op, Rect)]
    graded = [r for r in data.rows if r.achievement is not None]
    assert len(bars) == len(graded) == 4  # K01, K03, K10, K16 have 2024 values
    labels = [op.text for op in ops if isinstance(op, Label)]
    assert "A 100.0%" not in labels
    k01 = next(r for r in data.rows if r.code == "K01")
    assert f"{k01.grade.value} 33.3%" in labels
    assert labels.count("− 評価不能") == 12
    marks = [op for op in ops if isinstance(op, VSegment) and op.y0 > -0.5]
    assert len(marks) == 16  # an expected-rate mark on every row
    assert achievement.row_axis.labels[0].startswith("K01 青森港")


def test_achievement_chart_asks_for_room_for_its_rows(achievement: AchievementChart) -> None:
    wanted = achievement.preferred_height(605)
    assert wanted is not None and wanted > 378  # taller than the word-full preset
    settings = ExportSettings(dpi=150)
    twin = achievement.copy(settings.style(ExportFormat.PNG))
    assert settings.size_for(twin).height() > 591
    twin.close()


def test_monochrome_overview_export_is_grey_with_hatching(
    achievement: AchievementChart, tmp_path: Path
) -> None:
    path = export_chart(achievement, tmp_path / "a.png", ExportSettings(dpi=150, monochrome=True))
    image = QImage(str(path))
    assert saturation(image).max() <= 8
    assert ink(image).sum() > 5000


def test_grade_counts_stack_per_pillar(counts: GradeCountChart) -> None:
    data = counts.data
    assert data is not None and len(data.rows) == 5
    total = sum(r.counts.total for r in data.rows)
    assert total >= 16  # every KPI in at least one pillar (once per measure it serves)
    counts.render_image(QSize(945, 591))
    labels = [op.text for op in counts.layer.ops if isinstance(op, Label)]
    assert sum(1 for t in labels if t.startswith("計")) == 5
    legend = [e.label for e in counts.legend.entries]
    assert legend == ["A 達成", "B 順調", "C 遅れ", "D 停滞", "− 評価不能"]
    assert counts.value_axis.tick_texts()[0] == "0"
    assert all("." not in t for t in counts.value_axis.tick_texts())


def test_grades_in_counts_match_the_overview(reader: PlanQueries) -> None:
    overview = reader.overview(TreeKey.plan(), 2024)
    data = AchievementData.from_overview(overview, 2024)
    by_code = {r.code: r.grade for r in data.rows}
    assert by_code["K16"] in (Grade.A, Grade.B, Grade.C, Grade.D)
    assert by_code["K02"] is Grade.NONE


def test_every_row_label_is_drawn(achievement: AchievementChart, counts: GradeCountChart) -> None:
    for chart, size in ((achievement, QSize(945, 900)), (counts, QSize(945, 591))):
        chart.render_image(size)
        assert drawn_tick_texts(chart.row_axis) == chart.row_axis.labels
        assert drawn_tick_texts(chart.value_axis) == chart.value_axis.tick_texts()
