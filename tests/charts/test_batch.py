"""Batch export: every KPI chart into a folder, stepwise, cancellable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from aomori_desktop.charts.batch import KpiChartBatch, ensure_output_dir, kpi_file_name
from aomori_desktop.charts.export import ChartExportError, ExportFormat, ExportSettings
from aomori_desktop.services.dto import KpiDetail
from aomori_desktop.services.errors import NotFound
from aomori_desktop.services.queries import PlanQueries
from tests import backends
from tests.charts.helpers import seeded_plan

CODES = [f"K{i:02d}" for i in range(1, 17)]


def test_file_names_carry_code_and_name_and_are_windows_safe() -> None:
    name = kpi_file_name("K07", 'AOMORI STARTUP CENTER: "相談者数"?', ExportFormat.PDF)
    assert name == "K07_AOMORI STARTUP CENTER_ _相談者数_.pdf"
    assert not any(c in name for c in '\\/:*?"<>|')
    long = kpi_file_name(
        "K16",
        "青森市が継続的に働ける場が確保されている点で住みやすいと思う市民の割合" * 3,
        ExportFormat.PNG,
        "word-full",
    )
    assert len(long) <= 80 and long.startswith("K16_青森市") and long.endswith("_word-full.png")


def test_batch_writes_every_chart(qapp: QApplication, reader: PlanQueries, tmp_path: Path) -> None:
    progress: list[tuple[int, int, str]] = []
    batch = KpiChartBatch(CODES, reader.kpi_detail, tmp_path / "out", ExportSettings(dpi=150))
    result = batch.run(progress=lambda done, total, code: progress.append((done, total, code)))
    assert len(result.written) == 16 and not result.failed and not result.cancelled
    assert progress[0] == (1, 16, "K01") and progress[-1] == (16, 16, "K16")
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names[0] == "K01_青森港を利用する洋上風力発電事業者数(累計).png"
    assert all(QImage(str(p)).width() == 945 for p in result.written)
    assert result.summary == "16件のグラフを書き出しました。"


@pytest.fixture(scope="module")
def server_reader() -> Iterator[PlanQueries]:
    """The plan of `reader`, entered into a PostgreSQL database."""
    backends.postgres_url()
    url = backends.new_database("charts")
    try:
        db, plan_reader = seeded_plan(url)
        yield plan_reader
        db.close()
    finally:
        backends.drop_database(url)


def test_batch_from_postgresql_writes_the_files_written_from_sqlite(
    qapp: QApplication, reader: PlanQueries, server_reader: PlanQueries, tmp_path: Path
) -> None:
    written = {}
    for name, source in (("file", reader), ("server", server_reader)):
        batch = KpiChartBatch(
            CODES, source.kpi_detail, tmp_path / name, ExportSettings(dpi=150), ExportFormat.SVG
        )
        result = batch.run()
        assert len(result.written) == 16 and not result.failed
        written[name] = {p.name: p.read_bytes() for p in sorted((tmp_path / name).iterdir())}
    assert len(written["server"]) == 16
    assert written["server"] == written["file"]


def test_cancel_stops_early(qapp: QApplication, reader: PlanQueries, tmp_path: Path) -> None:
    batch = KpiChartBatch(CODES, reader.kpi_detail, tmp_path, ExportSettings(dpi=150))
    asked = 0

    def should_cancel() -> bool:
        nonlocal asked
        asked += 1
        return asked > 3

    result = batch.run(should_cancel=should_cancel)
    assert result.cancelled
    assert len(result.written) == 3
    assert len(list(tmp_path.iterdir())) == 3
    assert "途中で中止しました" in result.summary


def test_stepwise_use_and_unreadable_kpi(
    qapp: QApplication, reader: PlanQueries, tmp_path: Path
) -> None:
    def load(code: str) -> KpiDetail:
        if code == "K99":
            raise NotFound("KPI K99 が見つかりません。")
        return reader.kpi_detail(code)

    batch = KpiChartBatch(
        ["K01", "K99", "K02"], load, tmp_path, ExportSettings(dpi=150), ExportFormat.SVG
    )
    assert batch.step() == tmp_path / "K01_青森港を利用する洋上風力発電事業者数(累計).svg"
    assert batch.step() is None
    assert batch.step() is not None
    assert batch.finished
    batch.close()
    result = batch.result()
    assert result.failed == (("K99", "KPI K99 が見つかりません。"),)
    assert "1件は書き出せませんでした" in result.summary


def test_output_folder_problems_are_sentences(tmp_path: Path) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    with pytest.raises(ChartExportError, match="フォルダーではありません"):
        ensure_output_dir(blocker)
    with pytest.raises(ChartExportError, match="作成できません"):
        ensure_output_dir(blocker / "sub")
    assert ensure_output_dir(tmp_path / "a" / "b").is_dir()
