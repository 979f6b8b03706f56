"""`aomori-desktop export charts`: every KPI chart of the plan, headless."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from tests.backends import Target
from tests.cli.helpers import assert_one_japanese_message


@pytest.fixture(autouse=True)
def _qt(qapp: QApplication) -> None:
    """In-process runs reuse the test session's configured QApplication."""


def test_writes_all_16_kpi_charts(cli, seeded_db: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "charts" / "2025"
    result = cli("export", "charts", "--db", str(seeded_db), "-o", str(out))
    assert result.code == 0, result.err
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 16
    assert names[0] == "K01_青森港を利用する洋上風力発電事業者数(累計).png"
    assert all(re.fullmatch(r"K\d\d_[^\\/:*?\"<>|]+\.png", n) for n in names)
    image = QImage(str(out / names[0]))
    assert (image.width(), image.height()) == (1890, 1181)
    assert round(image.dotsPerMeterX() * 0.0254) == 300
    assert "16件のグラフを書き出しました。" in result.out
    assert result.err == ""


def test_pdf_half_width_for_chosen_kpis(cli, data_db: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli(
        "export", "charts", "--db", str(data_db), "-o", str(tmp_path),
        "--format", "pdf", "--preset", "word-half", "--kpi", "K16", "--kpi", "K10",
    )  # fmt: skip
    assert result.code == 0, result.err
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".pdf") == [
        "K10_主要宿泊施設宿泊客数(延べ人数).pdf",
        "K16_青森市が継続的に働ける場が確保されている点で住みやすいと思う市民の割合.pdf",
    ]
    data = (tmp_path / "K10_主要宿泊施設宿泊客数(延べ人数).pdf").read_bytes()
    assert data.startswith(b"%PDF")
    width_pt = float(re.search(rb"/MediaBox \[0 0 ([\d.]+) ", data).group(1))
    assert width_pt / 72 * 2.54 == pytest.approx(8.0, abs=0.02)


def test_svg_monochrome_era_labels_as_of_a_year(cli, data_target: Target, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli(
        "export", "charts", "--db", str(data_target), "-o", str(tmp_path),
        "--format", "svg", "--mono", "--axis", "era", "--year", "R6", "--kpi", "K16",
    )  # fmt: skip
    assert result.code == 0, result.err
    (svg,) = tmp_path.glob("K16_*.svg")
    root = ET.parse(svg).getroot()
    text = "".join("".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "令和6年度" in text.replace("\n", "")
    assert "令和6(2024)年度 実績 8.40%" in text
    colours = set(re.findall(r'(?:fill|stroke)="#([0-9a-f]{6})"', svg.read_text(encoding="utf-8")))
    assert colours and all(c[0:2] == c[2:4] == c[4:6] for c in colours), colours  # greys only


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--dpi", "2400"], "2400 dpi は指定できません"),
        (["--year", "2040"], "計画期間"),
        (["--year", "来年"], "年度「来年」を読み取れません"),
        (["--kpi", "K99"], "KPI「K99」はこの計画に登録されていません"),
    ],
)
def test_bad_choices_are_one_sentence(
    cli, seeded_db: Path, tmp_path: Path, extra: list[str], message: str
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "out"
    result = cli("export", "charts", "--db", str(seeded_db), "-o", str(out), *extra)
    assert result.code == 1
    assert message in result.err
    assert_one_japanese_message(result.err)
    assert not out.exists()


def test_output_folder_that_cannot_be_created(cli, seeded_db: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    result = cli("export", "charts", "--db", str(seeded_db), "-o", str(blocker / "charts"))
    assert result.code == 1
    assert f"書き出し先のフォルダー「{blocker / 'charts'}」を作成できません" in result.err
    assert_one_japanese_message(result.err)


def test_missing_database_is_reported(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli(
        "export", "charts", "--db", str(tmp_path / "none.sqlite3"), "-o", str(tmp_path / "o")
    )
    assert result.code == 1
    assert_one_japanese_message(result.err)
    assert not (tmp_path / "o").exists()


def test_runs_headless_without_a_display(seeded_db: Path, tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")
    out = tmp_path / "out"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "aomori_desktop",
            "export",
            "charts",
            "--db",
            str(seeded_db),
            "-o",
            str(out),
            "--kpi",
            "K01",
            "--dpi",
            "150",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    (png,) = out.iterdir()
    assert QImage(str(png)).width() == 945
