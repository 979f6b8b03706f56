"""Yearly KPI values and target revisions: what is stored, what the audit log says, what is refused."""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from pathlib import Path

import pytest

from aomori_desktop.domain.plan import FigureStatus
from aomori_desktop.services.changes import Changes
from aomori_desktop.services.errors import ValidationError
from aomori_desktop.services.kpi_values import KpiYearEdit
from aomori_desktop.services.plan_services import PlanServices
from aomori_desktop.store.errors import StoreError
from tests.services.conftest import NOW, USER
from tests.services.helpers import audit, dump, refuse_inserts, rows

AT = "2026-04-01 00:30:00.000000"


def entry(entity: str, key: str, field: str, old: str | None, new: str | None, reason: str = ""):
    return (USER, AT, "update", entity, key, field, old, new, reason)


def kpi_years(path: Path, code: str) -> list[tuple]:
    return rows(
        path,
        "SELECT y.fiscal_year, y.actual, y.interim_target, y.status, y.comment, y.entered_by, "
        "y.entered_at FROM kpi_year y JOIN kpi k ON k.id = y.kpi_id WHERE k.code = ? "
        "ORDER BY y.fiscal_year",
        code,
    )


def test_record_actual_stores_the_typed_value_and_audits_each_field(
    services: PlanServices, db_path: Path
) -> None:
    comment = '県の統計（確定値）\n「前年比」+0.4pt "速報"より上方修正 🎉'
    applied = services.values.record_actual(
        "K16", 2024, Decimal("8.40"), status=FigureStatus.FINAL, comment=comment
    )

    assert applied.changes == Changes(kpis=frozenset({"K16"}))
    assert kpi_years(db_path, "K16") == [(2024, "8.40", None, "final", comment, USER, AT)]
    assert audit(db_path) == [
        entry("kpi_year", "K16/2024", "actual", None, "8.40"),
        entry("kpi_year", "K16/2024", "status", None, "final"),
        entry("kpi_year", "K16/2024", "comment", "", comment),
    ]
    (year,) = services.queries.kpi("K16").years
    assert str(year.actual) == "8.40"
    assert year.entered_at == NOW and year.entered_at.tzinfo is UTC
    assert year.entered_by == USER


def test_recording_the_same_value_writes_nothing_but_a_new_scale_is_a_change(
    services: PlanServices, db_path: Path
) -> None:
    services.values.record_actual("K10", 2024, Decimal("1109980"))
    before = dump(db_path)

    assert services.values.record_actual("K10", 2024, Decimal("1109980")).empty
    assert dump(db_path) == before

    services.values.record_actual("K16", 2024, Decimal("8.4"))
    services.values.record_actual("K16", 2024, Decimal("8.40"))
    assert audit(db_path)[-1] == entry("kpi_year", "K16/2024", "actual", "8.4", "8.40")
    assert kpi_years(db_path, "K16")[0][1] == "8.40"


def test_clear_actual_removes_value_and_status_and_keeps_the_comment(
    services: PlanServices, db_path: Path
) -> None:
    services.values.record_actual(
        "K16", 2025, Decimal("8.6"), status=FigureStatus.PRELIMINARY, comment="速報"
    )
    before = len(audit(db_path))

    assert services.values.clear_actual("K16", 2025).changes == Changes(kpis=frozenset({"K16"}))

    assert kpi_years(db_path, "K16") == [(2025, None, None, None, "速報", USER, AT)]
    assert audit(db_path)[before:] == [
        entry("kpi_year", "K16/2025", "actual", "8.6", None),
        entry("kpi_year", "K16/2025", "status", "preliminary", None),
    ]
    history = services.queries.history("kpi", "K16")
    assert [(h.field, h.old, h.new) for h in history][-2:] == [
        ("actual", "8.6", None),
        ("status", "preliminary", None),
    ]


def test_interim_target_is_stored_and_audited(services: PlanServices, db_path: Path) -> None:
    assert services.values.set_interim_target("K05", 2025, Decimal("16.0")).changes == Changes(
        kpis=frozenset({"K05"})
    )
    assert kpi_years(db_path, "K05") == [(2025, None, "16.0", None, "", USER, AT)]
    assert audit(db_path) == [entry("kpi_year", "K05/2025", "interim_target", None, "16.0")]
    services.values.set_interim_target("K05", 2025, None)
    assert audit(db_path)[-1] == entry("kpi_year", "K05/2025", "interim_target", "16.0", None)


def test_bulk_entry_stores_every_edit(services: PlanServices, db_path: Path) -> None:
    applied = services.values.set_kpi_years(
        [
            KpiYearEdit("K01", 2024, actual=Decimal("1")),
            KpiYearEdit("K01", 2025, actual=Decimal("2"), status=FigureStatus.PRELIMINARY),
            KpiYearEdit("K10", 2024, actual=Decimal("1109980")),
        ]
    )
    assert applied.changes == Changes(kpis=frozenset({"K01", "K10"}))
    assert [r[:2] for r in kpi_years(db_path, "K01")] == [(2024, "1"), (2025, "2")]
    assert kpi_years(db_path, "K10")[0][1] == "1109980"
    assert len(audit(db_path)) == 4


def test_bulk_entry_with_one_invalid_edit_stores_none(
    services: PlanServices, db_path: Path
) -> None:
    before = dump(db_path)
    with pytest.raises(ValidationError) as info:
        services.values.set_kpi_years(
            [
                KpiYearEdit("K01", 2024, actual=Decimal("1")),
                KpiYearEdit("K05", 2034, actual=Decimal("12")),
                KpiYearEdit("K10", 2024, actual=Decimal("1109980")),
            ]
        )
    assert info.value.problems == [
        "KPI K05: 令和16(2034)年度は計画期間（令和6(2024)年度〜令和15(2033)年度）外です。"
    ]
    assert info.value.message == info.value.problems[0]
    assert dump(db_path) == before


def test_bulk_entry_lists_every_problem_at_once(services: PlanServices, db_path: Path) -> None:
    before = dump(db_path)
    with pytest.raises(ValidationError) as info:
        services.values.set_kpi_years(
            [
                KpiYearEdit("K01", 2024, actual=Decimal("1")),
                KpiYearEdit("K99", 2024, actual=Decimal("1")),
                KpiYearEdit("K05", 2023, actual=Decimal("12")),
                KpiYearEdit("K05", 2024, comment="あ" * 4001),
                KpiYearEdit("K16", 2024, actual=Decimal("NaN")),
            ]
        )
    problems = info.value.problems
    assert problems == [
        "KPI K99 が見つかりません。",
        "KPI K05: 令和5(2023)年度は計画期間（令和6(2024)年度〜令和15(2033)年度）外です。",
        "KPI K05 令和6(2024)年度: コメントが長すぎます（4,000文字まで）。",
        "KPI K16 令和6(2024)年度: 実績値「NaN」は数値ではありません。",
    ]
    assert info.value.message.startswith("4件の問題があります:\n・KPI K99")
    assert dump(db_path) == before


def test_bulk_entry_failing_inside_the_database_stores_none(
    services: PlanServices, db_path: Path
) -> None:
    # the third row fails only when it reaches the database
    refuse_inserts(db_path, "kpi_year", "refused", when="NEW.fiscal_year = 2030")
    before = dump(db_path)
    with pytest.raises(StoreError):
        services.values.set_kpi_years(
            [
                KpiYearEdit("K01", 2024, actual=Decimal("1")),
                KpiYearEdit("K05", 2024, actual=Decimal("12")),
                KpiYearEdit("K10", 2030, actual=Decimal("1200000")),
            ]
        )
    assert dump(db_path) == before


def test_revise_target_requires_a_reason(services: PlanServices, db_path: Path) -> None:
    before = dump(db_path)
    for reason in ("", "  　"):
        with pytest.raises(ValidationError) as info:
            services.kpi_fields.revise_target("K05", Decimal("35"), 2033, reason)
        assert info.value.message == "KPI K05: 目標値を見直す理由を入力してください。"
    assert dump(db_path) == before


def test_revise_target_keeps_the_old_target_in_the_history(
    services: PlanServices, db_path: Path
) -> None:
    assert services.kpi_fields.revise_target(
        "K05", Decimal("35"), 2033, "国の補助制度の拡充"
    ).changes == Changes(kpis=frozenset({"K05"}))
    services.kpi_fields.revise_target("K05", Decimal("25"), 2030, "中間見直し（令和11年度）")

    assert rows(db_path, "SELECT target, target_fiscal_year FROM kpi WHERE code = 'K05'") == [
        ("25", 2030)
    ]
    assert rows(
        db_path,
        "SELECT old_value, old_fiscal_year, new_value, new_fiscal_year, reason, revised_by, "
        "revised_at FROM target_revision ORDER BY id",
    ) == [
        ("30", 2033, "35", 2033, "国の補助制度の拡充", USER, AT),
        ("35", 2033, "25", 2030, "中間見直し（令和11年度）", USER, AT),
    ]
    assert audit(db_path) == [
        entry("kpi_target", "K05", "target", "30", "35", "国の補助制度の拡充"),
        entry("kpi_target", "K05", "target", "35", "25", "中間見直し（令和11年度）"),
        entry(
            "kpi_target", "K05", "target_fiscal_year", "2033", "2030", "中間見直し（令和11年度）"
        ),
    ]
    kpi = services.queries.kpi("K05")
    assert (kpi.target, kpi.target_fiscal_year) == (Decimal("25"), 2030)
    assert [(r.old_value, r.new_value, r.reason) for r in kpi.target_revisions] == [
        (Decimal("30"), Decimal("35"), "国の補助制度の拡充"),
        (Decimal("35"), Decimal("25"), "中間見直し（令和11年度）"),
    ]
    history = services.queries.history("kpi", "K05")
    assert (history[0].field, history[0].old, history[0].new, history[0].reason) == (
        "target",
        "30",
        "35",
        "国の補助制度の拡充",
    )


@pytest.mark.parametrize(
    ("kpi", "value", "year", "expected"),
    [
        ("K05", "30", 2033, "KPI K05: 目標値と目標年度が現在と同じです。"),
        ("K05", "5", 2033, "KPI K05: 「増加」のKPIの目標値が基準値より小さくなっています。"),
        (
            "K02",
            "4",
            2033,
            "KPI K02: 「維持」のKPIは目標値を基準値と同じにしてください（基準値 3、目標値 4）。",
        ),
        (
            "K05",
            "35",
            2020,
            "KPI K05: 目標年度: 令和2(2020)年度は計画期間（令和6(2024)年度〜令和15(2033)年度）外です。",
        ),
        (
            "K05",
            "35",
            2038,
            "KPI K05: 目標年度: 令和20(2038)年度は計画期間（令和6(2024)年度〜令和15(2033)年度）外です。",
        ),
    ],
)
def test_revise_target_refuses_invalid_targets(
    services: PlanServices, db_path: Path, kpi: str, value: str, year: int, expected: str
) -> None:
    before = dump(db_path)
    with pytest.raises(ValidationError) as info:
        services.kpi_fields.revise_target(kpi, Decimal(value), year, "見直し")
    assert info.value.problems == [expected]
    assert dump(db_path) == before
