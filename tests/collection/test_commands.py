"""`template xlsx`, `export xlsx` and `import xlsx` through the command line."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from aomori_desktop.services.transaction import PlanAccess
from tests.cli.helpers import assert_one_japanese_message
from tests.collection.helpers import fill, kpi_year, sha


def test_template_per_section_and_import_two_files(
    cli, access: PlanAccess, db_path: Path, tmp_path: Path
) -> None:
    access.db.close()
    folder = tmp_path / "forms"
    made = cli(
        "template", "xlsx", "--db", str(db_path), "-o", str(folder), "--year", "R6", "--per-section"
    )
    assert made.code == 0, made.err
    assert made.err == "令和6(2024)年度の調査票を 3件作成しました。\n"
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "調査票_令和6年度_担当課未設定.xlsx",
        "調査票_令和6年度_経済政策課.xlsx",
        "調査票_令和6年度_観光課.xlsx",
    ]
    economy, tourism = folder / names[1], folder / names[2]
    fill(economy, "KPI", {("K01", "M"): 1, ("K01", "N"): "速報"})
    fill(tourism, "共創プロジェクト", {("PJ16", "H"): "実施中", ("PJ16", "I"): "=寄港3回"})

    before = sha(db_path)
    refused = cli("import", "xlsx", str(economy), str(tourism), "--db", str(db_path), "--dry-run")
    # openpyxl typed "=寄港3回" as a formula without a result: refused, named by its cell
    assert refused.code == 1
    assert "共創プロジェクト!I6: 数式の計算結果が保存されていません。" in refused.out
    assert sha(db_path) == before

    fill(tourism, "共創プロジェクト", {("PJ16", "I"): "寄港3回"})
    dry = cli("import", "xlsx", str(economy), str(tourism), "--db", str(db_path), "--dry-run")
    assert dry.code == 0, dry.err
    assert sha(db_path) == before
    expected = (
        f"「{economy.name}」 令和6(2024)年度 担当課: 経済政策課\n"
        "  調査票の作成後、データベースのこの調査票の値は変更されていません。\n"
        "  変更 2件\n"
        "    K01 青森港を利用する洋上風力発電事業者数(累計) 令和6(2024)年度 実績値: 空欄 → 1（KPI!M5）\n"
        "    K01 青森港を利用する洋上風力発電事業者数(累計) 令和6(2024)年度 速報/確定: 空欄 → 速報（KPI!N5）\n"
        "  変更なし 5行\n"
    )
    assert dry.out.startswith(expected)
    assert dry.out.endswith("合計（2ファイル）: 変更 4件、競合 0件\n")
    done = cli("import", "xlsx", str(economy), str(tourism), "--db", str(db_path))
    assert done.code == 0, done.err
    assert done.err == (
        f"「{economy.name}」、「{tourism.name}」から 4件の値を取り込みました"
        "（KPI 1件、共創プロジェクト 1件）。\n"
    )
    assert kpi_year(db_path, "K01", 2024)[:2] == ("1", "preliminary")


def test_dry_run_with_a_refused_cell_fails_and_changes_nothing(
    cli, access: PlanAccess, db_path: Path, tmp_path: Path
) -> None:
    access.db.close()
    form = tmp_path / "form.xlsx"
    assert (
        cli(
            "template",
            "xlsx",
            "--db",
            str(db_path),
            "-o",
            str(form),
            "--year",
            "2024",
            "--section",
            "観光課",
        ).code
        == 0
    )
    fill(form, "KPI", {("K11", "M"): "約100"})
    before = sha(db_path)
    result = cli("import", "xlsx", str(form), "--db", str(db_path), "--dry-run")
    assert result.code == 1
    assert_one_japanese_message(result.err)
    assert sha(db_path) == before


def test_conflict_choice_on_the_command_line(
    cli, access: PlanAccess, db_path: Path, tmp_path: Path
) -> None:
    from decimal import Decimal

    from tests.collection.conftest import other_user

    form = tmp_path / "form.xlsx"
    access.db.close()
    assert (
        cli(
            "template",
            "xlsx",
            "--db",
            str(db_path),
            "-o",
            str(form),
            "--year",
            "2024",
            "--pillar",
            "4",
        ).code
        == 0
    )
    fill(form, "KPI", {("K12", "M"): 4700})
    from aomori_desktop.store.database import open_database

    db = open_database(db_path)
    try:
        from aomori_desktop.services.workspace import default_plan_id

        other_user(db, default_plan_id(db)).values.record_actual("K12", 2024, Decimal("4650"))
    finally:
        db.close()
    kept = cli("import", "xlsx", str(form), "--db", str(db_path))
    assert kept.code == 0
    assert "→ データベースの値を残します" in kept.out
    assert kept.err == "取り込む変更はありませんでした。\n"
    assert kpi_year(db_path, "K12", 2024)[0] == "4650"
    taken = cli("import", "xlsx", str(form), "--db", str(db_path), "--conflicts", "workbook")
    assert "→ 調査票の値で上書きします" in taken.out
    assert kpi_year(db_path, "K12", 2024)[0] == "4700"


def test_export_xlsx(cli, access: PlanAccess, db_path: Path, tmp_path: Path) -> None:
    access.db.close()
    out = tmp_path / "plan.xlsx"
    result = cli("export", "xlsx", "--db", str(db_path), "-o", str(out), "--year", "2024")
    assert (result.code, result.err) == (
        0,
        f"「{out}」に書き出しました（評価年度: 令和6(2024)年度）。\n",
    )
    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb.sheetnames[-1] == "KPI年度別"
    wb.close()


@pytest.mark.sqlite_only  # refused while reading the file
def test_wrong_kind_of_file_for_the_command(
    cli, access: PlanAccess, db_path: Path, tmp_path: Path
) -> None:
    access.db.close()
    result = cli("import", "xlsx", str(tmp_path / "a.csv"), "--db", str(db_path))
    assert result.code == 1
    assert (
        result.err
        == "「a.csv」は csv のファイルです。aomori-desktop import csv で取り込んでください。\n"
    )
