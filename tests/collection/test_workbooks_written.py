"""What the written workbooks hold: the plan export people read and print, and the 調査票 a
department fills in (locks, validation, hidden identifiers), read back with openpyxl."""

from __future__ import annotations

import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from aomori_desktop.exchange.xlsx_collection import META_SHEET
from aomori_desktop.services.collection import (
    Scope,
    ScopeKind,
    export_plan_workbook,
    write_collection_workbooks,
)
from aomori_desktop.services.tasks import Cancelled, TaskState
from aomori_desktop.services.transaction import PlanAccess
from tests.collection.conftest import ECONOMY, TOURISM, other_user

HOSTILE = ['=HYPERLINK("http://example.invalid","x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.fixture
def plan_book(access: PlanAccess, tmp_path: Path) -> Path:
    values = other_user(access.db, access.plan_id).values
    values.record_actual("K16", 2024, Decimal("8.4"), comment=HOSTILE[0])
    values.record_actual("K16", 2025, Decimal("8.40"))
    values.record_actual("K05", 2024, Decimal("12"), comment="#N/A")
    path = tmp_path / "plan.xlsx"
    export_plan_workbook(access, path, 2024)
    return path


def test_plan_export_sheets_headers_and_values(plan_book: Path) -> None:
    wb = openpyxl.load_workbook(plan_book)
    assert wb.sheetnames == [
        "概要",
        "戦略の柱・共創施策",
        "共創プロジェクト",
        "KPI",
        "実績値の推移",
        "KPI年度別",
    ]
    kpi = wb["KPI"]
    headers = [c.value for c in kpi[1]]
    assert headers == [
        "ID",
        "KPI",
        "単位",
        "共創施策",
        "担当課",
        "方向",
        "累計",
        "基準値",
        "基準年度",
        "目標値",
        "目標年度",
        "年度目標\n令和6年度",
        "実績値\n令和6年度",
        "速報/\n確定",
        "達成率\n(%)\n令和6年度",
        "期待\n進捗率\n(%)",
        "評価\n令和6年度",
        "見込み値\n(目標年度)",
        "見込み",
        "目標まで\n必要な\n年平均変化",
        "出典",
    ]
    k10 = next(r for r in kpi.iter_rows(min_row=2) if r[0].value == "K10")
    assert [c.value for c in k10[7:17]] == [
        1109980,
        "令和5年度 要確認",
        1490000,
        "令和15年度",
        None,
        1109980,
        "速報",
        0,
        10,
        "D",
    ]
    assert k10[7].number_format == "#,##0" and k10[4].value == TOURISM
    assert [c.value for c in k10[17:20]] == [None, "算出不可", None]  # one year of figures
    assert kpi.freeze_panes == "C2" and kpi.auto_filter.ref == "A1:U17"
    assert kpi.print_title_rows == "$1:$1"
    assert kpi.page_setup.orientation == "landscape" and kpi.page_setup.paperSize == 9
    assert kpi.page_setup.fitToWidth == 1 and kpi.sheet_properties.pageSetUpPr.fitToPage
    rules = {r.formula[0] for cf in kpi.conditional_formatting for r in cf.rules}
    assert rules == {'"A"', '"B"', '"C"', '"D"', '"-"'}
    assert [str(cf.sqref) for cf in kpi.conditional_formatting] == ["Q2:Q17"]
    assert kpi["B2"].font.name == "BIZ UDPゴシック"

    actuals = wb["実績値の推移"]
    assert [c.value for c in actuals[1]][4] == "実績値\n令和6年度\n(2024)"
    k16 = next(r for r in actuals.iter_rows(min_row=2) if r[0].value == "K16")
    assert [c.value for c in k16[3:6]] == [8.4, 8.4, 8.4]
    assert k16[4].number_format == "#,##0.00"  # the KPI's own decimals (8.40 was typed)

    years = wb["KPI年度別"]
    assert years.max_row == 1 + 16 * 10
    row = next(
        r for r in years.iter_rows(min_row=2) if r[0].value == "K10" and "2024" in r[3].value
    )
    assert [c.value for c in row[3:11]] == [
        "令和6(2024)年度",
        None,
        1109980,
        "速報",
        0,  # the baseline itself: no progress yet
        10,
        "D",
        "停滞",
    ]
    projects = wb["共創プロジェクト"]
    relisted = [r for r in projects.iter_rows(min_row=2, values_only=True) if r[4]]
    assert [(r[0], r[2], r[4]) for r in relisted] == [
        ("1-2-3", "PJ02", "再掲（1-1-2）"),
        ("3-1-1", "PJ11", "再掲（2-2-2）"),
        ("3-2-3", "PJ10", "再掲（2-2-1）"),
    ]


def test_text_that_looks_like_a_formula_is_written_as_text(plan_book: Path) -> None:
    with zipfile.ZipFile(plan_book) as archive:
        xml = b"".join(
            archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")
        )
    assert b"<f>" not in xml  # no formula anywhere in the workbook
    wb = openpyxl.load_workbook(plan_book)
    years = wb["KPI年度別"]
    cells = {(r[0].value, r[3].value): r for r in years.iter_rows(min_row=2)}
    comment = cells["K16", "令和6(2024)年度"][11]
    assert (comment.value, comment.data_type, comment.quotePrefix) == (HOSTILE[0], "s", True)
    error_like = cells["K05", "令和6(2024)年度"][11]
    assert (error_like.value, error_like.data_type) == ("#N/A", "s")


@pytest.mark.parametrize("text", HOSTILE)
def test_every_formula_trigger_is_neutralised_in_a_collection_workbook(
    access: PlanAccess, tmp_path: Path, text: str
) -> None:
    other_user(access.db, access.plan_id).values.record_actual("K01", 2024, None, comment=text)
    path = tmp_path / "form.xlsx"
    write_collection_workbooks(access, 2024, Scope(ScopeKind.SECTION, ECONOMY), path)
    with zipfile.ZipFile(path) as archive:
        xml = b"".join(
            archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")
        )
    assert b"<f>" not in xml
    cell = openpyxl.load_workbook(path)["KPI"]["O5"]
    assert (cell.data_type, cell.quotePrefix) == ("s", True)
    assert cell.value == text.replace("\r", "\n") or cell.value == text


def test_collection_workbook_locks_known_fields_and_validates_inputs(
    access: PlanAccess, tmp_path: Path
) -> None:
    path = tmp_path / "form.xlsx"
    write_collection_workbooks(access, 2024, Scope(ScopeKind.SECTION, TOURISM), path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["記入方法", "KPI", "共創プロジェクト", META_SHEET]
    assert wb[META_SHEET].sheet_state == "veryHidden"
    assert wb.security.lockStructure and wb.security.workbookPassword is None
    ws = wb["KPI"]
    assert ws.protection.sheet and ws.protection.password is None
    assert not ws.protection.sort and not ws.protection.autoFilter and not ws.protection.formatRows
    assert ws.column_dimensions["A"].hidden
    assert ws.freeze_panes == "E5" and ws.print_title_rows == "$4:$4"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert [ws.cell(row=r, column=1).value for r in range(5, 9)] == [
        "kpi:K10",
        "kpi:K11",
        "kpi:K12",
        "kpi:K13",
    ]
    # K10's current values are pre-filled; only the three input cells are unlocked
    assert [ws[f"{c}5"].value for c in "BDMNO"] == [
        "K10",
        "主要宿泊施設宿泊客数(延べ人数)",
        1109980,
        "速報",
        "速報値",
    ]
    assert [ws[f"{c}5"].protection.locked for c in "BCDEFGHIJKLMNO"] == [True] * 11 + [False] * 3
    assert ws["M5"].fill.fgColor.rgb == "00FFF2CC"
    validations = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert validations["M5:M8"].type == "decimal"
    assert (validations["M5:M8"].formula1, validations["M5:M8"].formula2) == (
        "-999999999999999",
        "999999999999999",
    )
    assert validations["N5:N8"].type == "list" and validations["N5:N8"].formula1 == '"速報,確定"'
    projects = wb["共創プロジェクト"]
    assert [projects[f"{c}5"].value for c in "ABCD"] == [
        "project:PJ15",
        "PJ15",
        "3-2-1",
        "本市の魅力の情報発信強化",
    ]
    pv = {str(dv.sqref): dv for dv in projects.data_validations.dataValidation}
    assert pv["H5:H6"].formula1 == '"未着手,検討中,実施中,完了,中止"'
    assert wb["記入方法"]["A1"].value == "青森市しごと創造戦略 令和6(2024)年度 実績調査票"


def test_relisted_project_shows_both_placements(access: PlanAccess, tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    write_collection_workbooks(access, 2024, Scope(ScopeKind.SECTION, ECONOMY), path)
    ws = openpyxl.load_workbook(path)["共創プロジェクト"]
    assert ws["C6"].value == "1-1-2\n1-2-3（再掲）"
    assert (ws["G6"].value, ws["H6"].value) == (None, None)
    assert (ws["H5"].value, ws["I5"].value) == ("検討中", "協議中")


def test_scopes_measure_and_pillar(access: PlanAccess, tmp_path: Path) -> None:
    def codes(scope: Scope) -> list[str]:
        path = tmp_path / f"{scope.kind}.xlsx"
        write_collection_workbooks(access, 2024, scope, path)
        ws = openpyxl.load_workbook(path)["KPI"]
        return [ws.cell(row=r, column=2).value for r in range(5, ws.max_row + 1)]

    assert codes(Scope(ScopeKind.MEASURE, "1-2")) == ["K01", "K02"]  # K01 serves 1-1 and 1-2
    assert codes(Scope(ScopeKind.PILLAR, "4")) == ["K10", "K11", "K12", "K13"]
    assert len(codes(Scope(ScopeKind.ALL))) == 16


def test_unknown_scope_and_year_outside_the_plan_are_refused(
    access: PlanAccess, tmp_path: Path
) -> None:
    from aomori_desktop.domain.errors import UserError

    path = tmp_path / "x.xlsx"
    with pytest.raises(UserError, match="共創施策 9-9 が見つかりません。"):
        write_collection_workbooks(access, 2024, Scope(ScopeKind.MEASURE, "9-9"), path)
    with pytest.raises(UserError, match=r"令和16\(2034\)年度は計画期間"):
        write_collection_workbooks(access, 2034, Scope(), path)
    with pytest.raises(
        UserError, match="担当課: 農政課には、調査票に載せるKPIも共創プロジェクトもありません。"
    ):
        write_collection_workbooks(access, 2024, Scope(ScopeKind.SECTION, "農政課"), path)
    assert not path.exists()


def test_cancelled_export_writes_no_file(access: PlanAccess, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    path = folder / "plan.xlsx"

    def stop_halfway(s: TaskState) -> None:
        if s.total and s.done > s.total // 2:
            s.cancel()

    state = TaskState(listener=stop_halfway)
    with pytest.raises(Cancelled):
        export_plan_workbook(access, path, 2024, state=state)
    assert list(folder.iterdir()) == []


def test_plan_export_grades_with_the_plans_scheme(access: PlanAccess, tmp_path: Path) -> None:
    from aomori_desktop.domain.grading import SCHEME_MARKS
    from aomori_desktop.services.plan_services import PlanServices

    services = PlanServices(access.db, access.plan_id)
    services.evaluation.set_grade_scheme(SCHEME_MARKS)
    # K04: 91 → 631; 150 is 10.9 % of the way, the expected progress for FY2024 is 10 %: ◎
    services.values.record_actual("K04", 2024, Decimal("150"))
    path = tmp_path / "marks.xlsx"
    export_plan_workbook(access, path, 2024)
    wb = openpyxl.load_workbook(path)
    summary = [[c.value for c in row] for row in wb["概要"].iter_rows()]
    assert ["戦略の柱", "◎ 順調", "○ 概ね順調", "△ 遅れ", "− 評価不能", "計"] in summary
    assert ["評価基準: ◎・○・△（3段階）"] in [row[:1] for row in summary]
    kpi = wb["KPI"]
    k04 = next(r for r in kpi.iter_rows(min_row=2) if r[0].value == "K04")
    assert (k04[14].value, k04[15].value, k04[16].value) == (10.9, 10, "◎")
    rules = {r.formula[0] for cf in kpi.conditional_formatting for r in cf.rules}
    assert rules == {'"◎"', '"○"', '"△"', '"-"'}


def test_plan_export_carries_the_outlook_of_each_kpi(access: PlanAccess, tmp_path: Path) -> None:
    values = other_user(access.db, access.plan_id).values
    values.record_actual("K01", 2024, Decimal("1"))  # 洋上風力発電事業者数(累計) 0 → 3 (2033)
    values.record_actual("K01", 2025, Decimal("1"))
    values.record_actual("K01", 2026, Decimal("2"))  # after the chosen year: not in its trend
    path = tmp_path / "plan.xlsx"
    export_plan_workbook(access, path, 2025)
    kpi = openpyxl.load_workbook(path)["KPI"]
    k01 = next(r for r in kpi.iter_rows(min_row=2) if r[0].value == "K01")
    # the trend of 2024–2025 stays at 1 件: short of the 3 件 target; (3 − 1) / 8 years a year
    assert [c.value for c in k01[17:20]] == [1, "未達の見込み", 0.25]
    assert k01[19].number_format == "#,##0.00"
