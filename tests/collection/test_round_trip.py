"""The collection cycle as two departments do it: make their workbooks, fill them in (sorted
rows, a hidden row, full-width digits, a formula with a stored result), import both in one go.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from aomori_desktop.domain.plan import FigureStatus
from aomori_desktop.exchange.collection_form import Field
from aomori_desktop.services.collection import Scope, ScopeKind, write_collection_workbooks
from aomori_desktop.services.collection_apply import apply_import
from aomori_desktop.services.collection_import import preview_import, read_files
from aomori_desktop.services.collection_report import preview_text
from aomori_desktop.services.errors import Conflict
from aomori_desktop.services.transaction import PlanAccess
from aomori_desktop.store.errors import StoreError
from tests import backends
from tests.cli.helpers import assert_one_japanese_message
from tests.collection.conftest import ECONOMY, TOURISM, USER, other_user
from tests.collection.helpers import (
    cache_formula,
    fill,
    hide_row,
    kpi_year,
    project_year,
    reverse_rows,
    row_of,
    rows,
    sha,
)


def _make(access: PlanAccess, folder: Path) -> dict[str, Path]:
    made = write_collection_workbooks(access, 2024, Scope(), folder, per_section=True).value
    assert made is not None
    return {p.stem.rsplit("_", 1)[-1]: p for p in made}


def _department_a(path: Path) -> None:
    """経済政策課 sorts its KPI rows, hides one, types full-width digits and a formula."""
    reverse_rows(path, "KPI")
    fill(
        path,
        "KPI",
        {
            ("K01", "M"): "２",  # full-width digits, as text
            ("K01", "N"): "速報",
            ("K02", "M"): "=1+2",  # replaced below by a formula with its stored result
            ("K03", "M"): 85,
            ("K03", "O"): "前年比+7件\n創業塾の効果",
            ("K04", "M"): 120,
            ("K04", "N"): "確定",
        },
    )
    fill(path, "共創プロジェクト", {("PJ01", "H"): "実施中", ("PJ01", "I"): "補助金の申請を開始"})
    hide_row(path, "KPI", row_of(path, "KPI", "K04"))
    cache_formula(path, 2, f"M{row_of(path, 'KPI', 'K02')}", "1+2", "3")


def _department_b(path: Path) -> None:
    """観光課 confirms a preliminary figure (typed with separators) and answers the rest."""
    fill(
        path,
        "KPI",
        {
            ("K10", "M"): "1,120,500",
            ("K10", "N"): "確定",
            ("K11", "M"): 98765,
            ("K13", "M"): 1650,  # the database gets 1,700 after the form is made: a conflict
        },
    )
    fill(path, "共創プロジェクト", {("PJ15", "H"): "完了"})


def test_two_departments_round_trip(access: PlanAccess, db_path: Path, tmp_path: Path) -> None:
    forms = _make(access, tmp_path)
    assert set(forms) == {ECONOMY, TOURISM, "担当課未設定"}
    _department_a(forms[ECONOMY])
    _department_b(forms[TOURISM])
    # meanwhile, in the database: K13 gets a value, K12 a comment the department never saw
    values = other_user(access.db, access.plan_id).values
    values.record_actual("K13", 2024, Decimal("1700"))
    values.record_actual("K12", 2024, None, comment="庁内で追記")

    files = read_files([forms[ECONOMY], forms[TOURISM]])
    before = sha(db_path)
    preview = preview_import(access, files, fiscal_year=2024)
    assert sha(db_path) == before  # the preview writes nothing
    assert preview.ok, preview.problems
    text = preview_text(preview)
    assert [(c.code, c.field, c.old, c.new) for c in preview.changes] == [
        ("K04", Field.ACTUAL, None, Decimal("120")),
        ("K04", Field.STATUS, None, FigureStatus.FINAL),
        ("K03", Field.ACTUAL, None, Decimal("85")),
        ("K03", Field.COMMENT, "", "前年比+7件\n創業塾の効果"),
        ("K02", Field.ACTUAL, None, Decimal("3")),
        ("K01", Field.ACTUAL, None, Decimal("2")),
        ("K01", Field.STATUS, None, FigureStatus.PRELIMINARY),
        ("PJ01", Field.PROJECT_STATUS, *_statuses("studying", "in_progress")),
        ("PJ01", Field.NOTE, "協議中", "補助金の申請を開始"),
        ("K10", Field.ACTUAL, Decimal("1109980"), Decimal("1120500")),
        ("K10", Field.STATUS, FigureStatus.PRELIMINARY, FigureStatus.FINAL),
        ("K11", Field.ACTUAL, None, Decimal("98765")),
        ("PJ15", Field.PROJECT_STATUS, *_statuses(None, "completed")),
    ]
    [conflict] = preview.conflicts
    assert (conflict.code, conflict.base, conflict.database, conflict.workbook) == (
        "K13",
        None,
        Decimal("1700"),
        Decimal("1650"),
    )
    assert (
        "K13 冬季観光入込客数(延べ人数) 令和6(2024)年度 実績値: 作成時 空欄 ／ データベース 1,700 ／ 調査票 1,650"
        in text
    )
    assert (
        "K10 主要宿泊施設宿泊客数(延べ人数) 令和6(2024)年度 実績値: 1,109,980 → 1,120,500（KPI!M5）"
        in text
    )
    assert (
        "K03 創業件数 令和6(2024)年度 コメント（新規）: 空欄 → 「前年比+7件 創業塾の効果」" in text
    )

    applied = apply_import(access, preview)
    assert applied.value is not None and applied.value.fields == 13
    assert applied.changes.kpis == {"K01", "K02", "K03", "K04", "K10", "K11"}
    assert applied.changes.projects == {"PJ01", "PJ15"}
    assert kpi_year(db_path, "K01", 2024) == ("2", "preliminary", "", USER)
    assert kpi_year(db_path, "K02", 2024)[:2] == ("3", None)
    assert kpi_year(db_path, "K03", 2024)[:3] == ("85", None, "前年比+7件\n創業塾の効果")
    assert kpi_year(db_path, "K04", 2024)[:2] == ("120", "final")
    assert kpi_year(db_path, "K10", 2024)[:3] == ("1120500", "final", "速報値")
    assert kpi_year(db_path, "K11", 2024)[:2] == ("98765", None)
    assert kpi_year(db_path, "K12", 2024)[:3] == (None, None, "庁内で追記")  # kept
    assert kpi_year(db_path, "K13", 2024)[:3] == ("1700", None, "")  # the conflict: not overwritten
    assert project_year(db_path, "PJ01", 2024) == ("in_progress", "補助金の申請を開始")
    assert project_year(db_path, "PJ15", 2024) == ("completed", "")
    audit = rows(
        db_path,
        "SELECT action, entity, entity_key, field, old, new, reason FROM audit_log "
        "WHERE action = 'import' ORDER BY id",
    )
    assert len(audit) == 13
    economy = forms[ECONOMY].name
    k02 = row_of(forms[ECONOMY], "KPI", "K02")
    assert (
        "import",
        "kpi_year",
        "K02/2024",
        "actual",
        None,
        "3",
        f"調査票「{economy}」KPI!M{k02} から取り込み",
    ) in audit
    assert {a[6].split("」")[0] for a in audit} == {
        f"調査票「{forms[ECONOMY].name}",
        f"調査票「{forms[TOURISM].name}",
    }
    assert ("import", "project_year", "PJ15/2024", "status", None, "completed") in [
        a[:6] for a in audit
    ]

    # one undo step takes the whole import back, and its redo applies it again
    assert applied.undo is not None
    undone = applied.undo()
    assert kpi_year(db_path, "K10", 2024)[:3] == ("1109980", "preliminary", "速報値")
    assert kpi_year(db_path, "K01", 2024)[:3] == (None, None, "")
    assert project_year(db_path, "PJ01", 2024) == ("studying", "協議中")
    assert undone.value is not None and undone.value.undone and undone.value.fields == 13
    assert undone.undo is not None
    undone.undo()
    assert kpi_year(db_path, "K10", 2024)[:2] == ("1120500", "final")


def _statuses(old: str | None, new: str) -> tuple[object, object]:
    from aomori_desktop.domain.plan import ProjectStatus

    return (ProjectStatus(old) if old else None, ProjectStatus(new))


def test_conflict_taken_from_the_workbook_when_chosen(
    access: PlanAccess, db_path: Path, tmp_path: Path
) -> None:
    forms = _make(access, tmp_path)
    fill(forms[TOURISM], "KPI", {("K13", "M"): 1650})
    other_user(access.db, access.plan_id).values.record_actual("K13", 2024, Decimal("1700"))
    preview = preview_import(access, read_files([forms[TOURISM]]), fiscal_year=2024)
    [conflict] = preview.conflicts
    applied = apply_import(access, preview, use_workbook={conflict.key})
    assert applied.value is not None and applied.value.fields == 1
    assert kpi_year(db_path, "K13", 2024)[0] == "1650"


def test_a_value_changed_after_the_preview_stops_the_import(
    access: PlanAccess, db_path: Path, tmp_path: Path
) -> None:
    forms = _make(access, tmp_path)
    fill(forms[TOURISM], "KPI", {("K10", "M"): 1200000, ("K11", "M"): 5})
    preview = preview_import(access, read_files([forms[TOURISM]]), fiscal_year=2024)
    assert len(preview.changes) == 2
    other_user(access.db, access.plan_id).values.record_actual("K10", 2024, Decimal("1111111"))
    before = sha(db_path)
    with pytest.raises(Conflict) as refused:
        apply_import(access, preview)
    assert "何も変更していません" in refused.value.message
    assert "KPI K10 令和6(2024)年度の実績値（現在: 1,111,111）" in refused.value.message
    assert sha(db_path) == before


def test_undo_refuses_to_overwrite_a_later_change(
    access: PlanAccess, db_path: Path, tmp_path: Path
) -> None:
    forms = _make(access, tmp_path)
    fill(forms[TOURISM], "KPI", {("K11", "M"): 5})
    preview = preview_import(access, read_files([forms[TOURISM]]), fiscal_year=2024)
    applied = apply_import(access, preview)
    other_user(access.db, access.plan_id).values.record_actual("K11", 2024, Decimal("6"))
    assert applied.undo is not None
    with pytest.raises(Conflict):
        applied.undo()
    assert kpi_year(db_path, "K11", 2024)[0] == "6"


def test_untouched_prefilled_value_keeps_a_later_database_change(
    access: PlanAccess, db_path: Path, tmp_path: Path
) -> None:
    """The department left K10's pre-filled 1,109,980 as it was; the database has a newer
    figure: that is no change and no conflict (the department did not answer it)."""
    forms = _make(access, tmp_path)
    fill(forms[TOURISM], "KPI", {("K11", "M"): 5})
    other_user(access.db, access.plan_id).values.record_actual("K10", 2024, Decimal("1115000"))
    preview = preview_import(access, read_files([forms[TOURISM]]), fiscal_year=2024)
    assert [c.code for c in preview.changes] == ["K11"]
    assert preview.conflicts == ()
    assert preview.files[0].fresh is False
    assert preview.files[0].unchanged == 5  # K10, K12, K13 and the two projects


def test_the_same_field_answered_differently_in_two_files_is_refused(
    access: PlanAccess, db_path: Path, tmp_path: Path
) -> None:
    forms = _make(access, tmp_path)
    whole = tmp_path / "all.xlsx"
    write_collection_workbooks(access, 2024, Scope(ScopeKind.ALL), whole)
    fill(forms[TOURISM], "KPI", {("K11", "M"): 5})
    fill(whole, "KPI", {("K11", "M"): 6})
    preview = preview_import(access, read_files([forms[TOURISM], whole]), fiscal_year=2024)
    assert not preview.ok
    [problem] = preview.problems
    assert problem.startswith(
        f"「all.xlsx」 KPI!M15: K11 令和6(2024)年度の実績値に、「{forms[TOURISM].name}」"
    )
    assert problem.endswith("と異なる値が入力されています。どちらかに揃えてください。")
    before = sha(db_path)
    with pytest.raises(Exception, match="何も変更していません"):
        apply_import(access, preview)
    assert sha(db_path) == before


def test_a_write_the_database_refuses_midway_leaves_every_value_as_it_was(
    access: PlanAccess, db_path: Path, tmp_path: Path
) -> None:
    """The KPI values are written, then the server (or file) refuses a project's record: the
    import is one transaction, so none of the values already sent stays."""
    forms = _make(access, tmp_path)
    _department_a(forms[ECONOMY])
    preview = preview_import(access, read_files([forms[ECONOMY]]), fiscal_year=2024)
    assert {c.code for c in preview.changes} >= {"K01", "PJ01"}
    backends.refuse_inserts(db_path, "audit_log", "audit refused", "NEW.entity = 'project_year'")
    before = sha(db_path)
    with pytest.raises(StoreError) as refused:
        apply_import(access, preview)
    assert "audit refused" in str(refused.value.__cause__)
    assert_one_japanese_message(refused.value.message + "\n")
    assert sha(db_path) == before
    assert kpi_year(db_path, "K01", 2024) is None
    assert project_year(db_path, "PJ01", 2024) == ("studying", "協議中")
