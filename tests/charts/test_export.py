"""Exported files, read back the way a document program reads them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from aomori_desktop.charts.export import (
    PRESETS,
    ChartExportError,
    ExportFormat,
    ExportSettings,
    Preset,
    copy_to_clipboard,
    export_chart,
    pixel_size,
    safe_filename,
)
from aomori_desktop.charts.kpi_chart import KpiChart
from aomori_desktop.charts.style import AxisLabelMode
from aomori_desktop.domain.errors import UserError
from tests.charts.helpers import SAMPLE, ink, rgb_array, saturation

SVG_NS = "{http://www.w3.org/2000/svg}"
YEARS = [str(y) for y in range(2023, 2034)]


@pytest.fixture
def chart(qapp: QApplication) -> Iterator[KpiChart]:
    c = KpiChart()
    c.set_data(SAMPLE)
    yield c
    c.close()


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is missing: .ci/run installs poppler-utils")
        pytest.skip(f"{tool} (poppler-utils) is not installed")
    return path


# ---------------------------------------------------------------- PNG


def test_preset_pixel_sizes() -> None:
    assert pixel_size(16.0, 10.0, 300) == QSize(1890, 1181)
    assert pixel_size(16.0, 10.0, 150) == QSize(945, 591)
    assert pixel_size(16.0, 10.0, 600) == QSize(3780, 2362)
    assert pixel_size(8.0, 7.0, 300) == QSize(945, 827)
    slide = PRESETS[Preset.SLIDE]
    assert pixel_size(slide.width_cm, slide.height_cm, 300) == QSize(4000, 2250)
    assert pixel_size(slide.width_cm, slide.height_cm, 600) == QSize(8000, 4500)


@pytest.mark.parametrize(
    ("preset", "dpi"),
    [
        (Preset.WORD_FULL, 150),
        (Preset.WORD_FULL, 300),
        (Preset.WORD_FULL, 600),
        (Preset.WORD_HALF, 150),
        (Preset.WORD_HALF, 300),
        (Preset.WORD_HALF, 600),
        (Preset.SLIDE, 150),
        (Preset.SLIDE, 300),
    ],
)
def test_png_has_the_preset_size_and_its_dpi(
    chart: KpiChart, tmp_path: Path, preset: Preset, dpi: int
) -> None:
    path = export_chart(chart, tmp_path / "k01.png", ExportSettings(preset=preset, dpi=dpi))
    image = QImage(str(path))
    spec = PRESETS[preset]
    assert image.size() == pixel_size(spec.width_cm, spec.height_cm, dpi)
    assert round(image.dotsPerMeterX() * 0.0254) == dpi
    assert round(image.dotsPerMeterY() * 0.0254) == dpi
    # the size Word will place it at, from pixels and dpi
    assert image.width() / (image.dotsPerMeterX() / 100) == pytest.approx(spec.width_cm, abs=0.01)
    assert ink(image).sum() > 1000


def test_png_reads_the_same_at_150_and_300_dpi(chart: KpiChart, tmp_path: Path) -> None:
    """Fonts, legend, lines and markers scale with the dpi: halving the 300-dpi picture gives
    (nearly) the 150-dpi one. Scaling only the canvas would leave 1-px lines and a small
    legend, and the ink would differ a lot."""
    low = QImage(str(export_chart(chart, tmp_path / "a.png", ExportSettings(dpi=150))))
    high = QImage(str(export_chart(chart, tmp_path / "b.png", ExportSettings(dpi=300))))
    a = rgb_array(low).mean(axis=2)
    b = rgb_array(high).mean(axis=2)
    h, w = min(a.shape[0], b.shape[0] // 2), min(a.shape[1], b.shape[1] // 2)
    b2 = b[: 2 * h, : 2 * w].reshape(h, 2, w, 2).mean(axis=(1, 3))
    a = a[:h, :w]
    assert abs((a < 128).mean() - (b2 < 128).mean()) < 0.2 * (a < 128).mean()
    assert np.abs(a - b2).mean() < 12


def test_monochrome_png_has_no_colour(chart: KpiChart, tmp_path: Path) -> None:
    colour = QImage(str(export_chart(chart, tmp_path / "c.png", ExportSettings(dpi=150))))
    mono = QImage(
        str(export_chart(chart, tmp_path / "m.png", ExportSettings(dpi=150, monochrome=True)))
    )
    assert (saturation(colour) > 60).sum() > 500
    assert saturation(mono).max() <= 8


# ---------------------------------------------------------------- SVG


def _svg_text(path: Path) -> str:
    root = ET.parse(path).getroot()
    return "".join("".join(t.itertext()) for t in root.iter(f"{SVG_NS}text"))


def test_svg_is_vector_text_that_an_svg_renderer_draws(chart: KpiChart, tmp_path: Path) -> None:
    path = export_chart(chart, tmp_path / "k01.svg", ExportSettings())
    root = ET.parse(path).getroot()
    assert root.get("width") == "160.073mm"  # 605 CSS px: placed at the preset's width
    assert not list(root.iter(f"{SVG_NS}image")), "an SVG must not hide a bitmap"
    text = re.sub(r"\s+", "", _svg_text(path))
    assert SAMPLE.name in text
    assert all(year in text for year in YEARS)
    assert "出典：青森市経済部調べ" in text
    families = {t.get("font-family") for t in root.iter(f"{SVG_NS}text")}
    assert all(
        f and f.startswith("'BIZ UDPGothic',") and f.endswith("sans-serif") for f in families
    )

    renderer = QSvgRenderer(str(path))
    assert renderer.isValid()
    image = QImage(QSize(1210, 756), QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    assert ink(image).sum() > 5000
    assert (saturation(image) > 60).sum() > 500  # the coloured data made it through


def test_svg_in_era_mode_carries_era_labels(qapp: QApplication, tmp_path: Path) -> None:
    chart = KpiChart()
    chart.set_data(SAMPLE)
    path = export_chart(chart, tmp_path / "era.svg", ExportSettings(axis_labels=AxisLabelMode.ERA))
    chart.close()
    text = re.sub(r"\s+", "", _svg_text(path))
    assert "令和6年度" in text and "令和15年度" in text


# ---------------------------------------------------------------- PDF


def test_pdf_text_is_extractable_with_the_font_embedded(chart: KpiChart, tmp_path: Path) -> None:
    path = export_chart(chart, tmp_path / "k01.pdf", ExportSettings())
    text = subprocess.run(
        [_poppler("pdftotext"), "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    flat = re.sub(r"\s+", "", text)
    assert SAMPLE.name in flat
    assert all(year in text for year in YEARS)
    assert "達成率66.7%" in flat
    fonts = subprocess.run(
        [_poppler("pdffonts"), str(path)], capture_output=True, text=True, check=True
    ).stdout
    line = next(line for line in fonts.splitlines() if "BIZUDPGothic" in line)
    assert re.search(r"\byes\b", line), fonts  # embedded
    info = subprocess.run(
        [_poppler("pdfinfo"), str(path)], capture_output=True, text=True, check=True
    ).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert width / 72 * 2.54 == pytest.approx(16.0, abs=0.02)
    assert height / 72 * 2.54 == pytest.approx(10.0, abs=0.02)


def test_pdf_is_vector(chart: KpiChart, tmp_path: Path) -> None:
    path = export_chart(chart, tmp_path / "k01.pdf", ExportSettings())
    images = (
        subprocess.run(
            [_poppler("pdfimages"), "-list", str(path)], capture_output=True, text=True, check=True
        )
        .stdout.strip()
        .splitlines()
    )
    assert len(images) == 2, images  # the header lines only: no embedded bitmap


# ---------------------------------------------------------------- clipboard, names, errors


def test_copy_puts_the_preset_sized_image_on_the_clipboard(chart: KpiChart) -> None:
    copy_to_clipboard(chart, ExportSettings(dpi=150))
    clipboard = QGuiApplication.clipboard()
    assert clipboard is not None
    assert clipboard.image().size() == QSize(945, 591)


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ('K01_a\\b/c:d*e?f"g<h>i|j', "K01_a_b_c_d_e_f_g_h_i_j.png"),
        ("K09_AoMoLink～赤坂～売上額", "K09_AoMoLink～赤坂～売上額.png"),
        ("CON", "_CON.png"),
        ("name. ", "name.png"),
        ("", "chart.png"),
    ],
)
def test_safe_filename(stem: str, expected: str) -> None:
    assert safe_filename(stem, ".png") == expected


def test_safe_filename_limits_length() -> None:
    name = safe_filename("K16_" + "青森市が継続的に働ける場" * 10, ".png", max_length=60)
    assert len(name) == 60 and name.endswith(".png")


def test_export_into_a_missing_folder_says_so(chart: KpiChart, tmp_path: Path) -> None:
    with pytest.raises(UserError, match="書き出し先のフォルダー"):
        export_chart(chart, tmp_path / "missing" / "k01.png", ExportSettings())


def test_unknown_suffix_is_refused(chart: KpiChart, tmp_path: Path) -> None:
    with pytest.raises(ChartExportError, match="拡張子"):
        export_chart(chart, tmp_path / "k01.bmp", ExportSettings())


def test_dpi_out_of_range_is_refused() -> None:
    with pytest.raises(ChartExportError, match="dpi"):
        ExportSettings(dpi=2400)


def test_export_replaces_an_existing_file_and_leaves_no_temporary(
    chart: KpiChart, tmp_path: Path
) -> None:
    target = tmp_path / "k01.png"
    target.write_bytes(b"old")
    export_chart(chart, target, ExportSettings(dpi=150), ExportFormat.PNG)
    assert QImage(str(target)).width() == 945
    assert [p.name for p in tmp_path.iterdir()] == ["k01.png"]


def test_exported_file_gets_ordinary_permissions(chart: KpiChart, tmp_path: Path) -> None:
    path = export_chart(chart, tmp_path / "k01.svg", ExportSettings())
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask
