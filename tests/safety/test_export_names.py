"""Exports are safe to open: file names made from KPI codes and names stay inside the folder the
user chose, and say what they are (no hidden characters that disguise the name)."""

from __future__ import annotations

import dataclasses
import os
import unicodedata
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from aomori_desktop.charts.batch import KpiChartBatch, kpi_file_name
from aomori_desktop.charts.export import ExportFormat, ExportSettings, Preset
from aomori_desktop.domain.errors import UserError
from aomori_desktop.fileio import path_in_folder
from aomori_desktop.services.dto import KpiDetail
from aomori_desktop.services.plan_services import PlanServices
from aomori_desktop.services.workspace import default_plan_id
from aomori_desktop.store.database import open_database

HOSTILE = [
    ("../../outside", "上の階層"),
    ("..", ".."),
    ("K01", "../../../etc/cron.d/x"),
    ("K02", "..\\..\\Windows\\System32\\x"),
    ("K03", "C:\\Users\\Public\\x"),
    ("/abs", "/tmp/absolute"),
    ("K04", "\u202egnp.exe"),
    ("CON", ""),
    ("K05", "名前\x00の後"),
    ("K06", "." * 300),
    ("K07", "NUL.txt"),
    ("K08", "\u200b\ufeff見えない文字"),
]


@pytest.fixture
def detail(seeded_copy: Path) -> KpiDetail:
    db = open_database(seeded_copy)
    try:
        return PlanServices(db, default_plan_id(db)).queries.kpi_detail("K10")
    finally:
        db.close()


def test_every_hostile_name_lands_inside_the_chosen_folder(
    qapp: QApplication, detail: KpiDetail, tmp_path: Path
) -> None:
    out = tmp_path / "書き出し" / "グラフ"
    before = {p for p in tmp_path.rglob("*") if p.is_file()}
    by_code = {code: dataclasses.replace(detail, code=code, name=name) for code, name in HOSTILE}
    batch = KpiChartBatch(
        list(by_code),
        by_code.__getitem__,
        out,
        ExportSettings(preset=Preset.WORD_HALF, dpi=96),
        ExportFormat.SVG,
    )
    result = batch.run()
    written = {p for p in tmp_path.rglob("*") if p.is_file()} - before
    outside = [p for p in written if out not in p.parents] + list(Path("/tmp").glob("absolute*"))
    assert outside == []
    assert result.failed == ()
    assert len(result.written) == len(HOSTILE)
    names = sorted(p.name for p in out.iterdir())
    assert len(set(names)) == len(HOSTILE)
    for path in result.written:
        assert path.parent == out
        name = path.name
        assert not name.startswith(".")
        assert all(unicodedata.category(c) not in ("Cc", "Cf") for c in name), name
        assert not any(c in name for c in '\\/:*?"<>|')
        assert len(name) <= 80


def test_a_name_that_would_point_outside_is_refused_by_the_writer(tmp_path: Path) -> None:
    for name in ("..", "../x.png", "a/b.png", "C:x.png", "/etc/x", "x\\y.png", ""):
        with pytest.raises(UserError) as info:
            path_in_folder(tmp_path, name)
        assert "フォルダーの外" in info.value.message
    assert path_in_folder(tmp_path, "K01_創業件数.png") == tmp_path / "K01_創業件数.png"


def test_the_right_to_left_override_cannot_disguise_an_extension() -> None:
    name = kpi_file_name("K04", "\u202egnp.exe", ExportFormat.PNG)
    assert name == "K04_gnp.exe.png"
    assert os.path.splitext(name)[1] == ".png"
