"""Editing a KPI's own fields, adding and removing KPIs, and linking them to measures."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from aomori_desktop.domain.plan import Direction
from aomori_desktop.services.changes import Changes
from aomori_desktop.services.errors import NotFound, ValidationError
from aomori_desktop.services.kpi_fields import KpiFieldsEdit
from aomori_desktop.services.kpis import KpiDraft
from aomori_desktop.services.plan_services import PlanServices
from tests.services.conftest import USER
from tests.services.helpers import audit, dump, rows

AT = "2026-04-01 00:30:00.000000"


def entry(action: str, key: str, field: str, old: str | None, new: str | None):
    return (USER, AT, action, "kpi", key, field, old, new, "")


def test_update_kpi_audits_each_changed_field_as_text(
    services: PlanServices, db_path: Path
) -> None:
    applied = services.kpi_fields.update_kpi(
        "K16",
        KpiFieldsEdit(
            name="  働く場が確保されていると感じる市民の割合  ",
            unit="%",  # unchanged: not audited
            baseline=Decimal("8.40"),  # same number, new scale: a change
            baseline_fiscal_year=2022,
            baseline_fiscal_year_confirmed=True,
            data_source="市民意識調査",
        ),
    )

    assert applied.changes == Changes(kpis=frozenset({"K16"}), structure=True)  # the name shows
    assert audit(db_path) == [
        entry(
            "update",
            "K16",
            "name",
            "青森市が継続的に働ける場が確保されている点で住みやすいと思う市民の割合",
            "働く場が確保されていると感じる市民の割合",
        ),
        entry("update", "K16", "baseline", "8.4", "8.40"),
        entry("update", "K16", "baseline_fiscal_year", "2023", "2022"),
        entry("update", "K16", "baseline_fiscal_year_confirmed", "false", "true"),
        entry("update", "K16", "data_source", "", "市民意識調査"),
    ]
    assert rows(
        db_path,
        "SELECT name, baseline, baseline_fiscal_year, baseline_fiscal_year_confirmed, data_source "
        "FROM kpi WHERE code = 'K16'",
    ) == [("働く場が確保されていると感じる市民の割合", "8.40", 2022, 1, "市民意識調査")]


def test_update_kpi_without_a_new_name_is_not_a_structure_change(services: PlanServices) -> None:
    applied = services.kpi_fields.update_kpi("K08", KpiFieldsEdit(responsible_section="経済政策課"))
    assert applied.changes == Changes(kpis=frozenset({"K08"}))
    assert services.queries.kpi("K08").responsible_section == "経済政策課"


@pytest.mark.parametrize(
    ("kpi", "edit", "expected"),
    [
        pytest.param(
            "K05",
            KpiFieldsEdit(direction=Direction.MAINTAIN),
            [
                "KPI K05: 「維持」のKPIは目標値を基準値と同じにしてください（基準値 10、目標値 30）。"
            ],
            id="maintain-with-target-not-baseline",
        ),
        pytest.param(
            "K02",
            KpiFieldsEdit(baseline=Decimal("4")),
            ["KPI K02: 「維持」のKPIは目標値を基準値と同じにしてください（基準値 4、目標値 3）。"],
            id="maintain-baseline-moved",
        ),
        pytest.param(
            "K16", KpiFieldsEdit(name="　 "), ["KPI K16: 名称が空です。"], id="empty-name"
        ),
        pytest.param(
            "K16",
            KpiFieldsEdit(name="", unit=""),
            ["KPI K16: 名称が空です。", "KPI K16: 単位が空です。"],
            id="empty-name-and-unit",
        ),
        pytest.param(
            "K05",
            KpiFieldsEdit(direction=Direction.DECREASE),
            ["KPI K05: 「減少」のKPIの目標値が基準値より大きくなっています。"],
            id="decrease-upwards",
        ),
        pytest.param(
            "K05",
            KpiFieldsEdit(name="あ" * 301),
            ["KPI K05: 名称が長すぎます（300文字まで）。"],
            id="name-too-long",
        ),
    ],
)
def test_update_kpi_refuses_invalid_fields_and_writes_nothing(
    services: PlanServices, db_path: Path, kpi: str, edit: KpiFieldsEdit, expected: list[str]
) -> None:
    before = dump(db_path)
    with pytest.raises(ValidationError) as info:
        services.kpi_fields.update_kpi(kpi, edit)
    assert info.value.problems == expected
    assert dump(db_path) == before


def test_add_kpi_creates_the_kpi_with_its_measures(services: PlanServices, db_path: Path) -> None:
    added = services.kpis.add_kpi(
        KpiDraft(
            name=" 待機児童数 ",
            unit="人",
            baseline=Decimal("25"),
            baseline_fiscal_year=2023,
            target=Decimal("0"),
            target_fiscal_year=2033,
            direction=Direction.DECREASE,
            measures=("5-3", "1-1"),
            data_source="こども支援課調べ",
        )
    )

    assert (added.value, added.changes) == ("K17", Changes(kpis=frozenset({"K17"}), structure=True))
    kpi = services.queries.kpi("K17")
    assert (kpi.name, kpi.direction, kpi.measures) == (
        "待機児童数",
        Direction.DECREASE,
        ("5-3", "1-1"),
    )
    assert kpi.baseline_fiscal_year_confirmed  # typed by a user, not 要確認
    assert audit(db_path) == [
        entry("create", "K17", "name", None, "待機児童数"),
        entry("create", "K17", "measures", None, "5-3,1-1"),
    ]
    assert rows(db_path, "SELECT count(*) FROM kpi") == [(17,)]


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        (
            {"target": Decimal("30")},
            ValidationError,
            "KPI K17: 「減少」のKPIの目標値が基準値より大きくなっています。",
        ),
        ({"measures": ()}, ValidationError, "KPI K17: 共創施策を1つ以上指定してください。"),
        ({"measures": ("5-3", "9-9")}, NotFound, "共創施策 9-9 が見つかりません。"),
        ({"name": " "}, ValidationError, "KPI K17: 名称が空です。"),
    ],
)
def test_add_kpi_refuses_an_invalid_draft_and_writes_nothing(
    services: PlanServices, db_path: Path, changes: dict, error: type, message: str
) -> None:
    fields = {
        "name": "待機児童数",
        "unit": "人",
        "baseline": Decimal("25"),
        "baseline_fiscal_year": 2023,
        "target": Decimal("0"),
        "target_fiscal_year": 2033,
        "direction": Direction.DECREASE,
        "measures": ("5-3",),
    }
    before = dump(db_path)
    with pytest.raises(error) as info:
        services.kpis.add_kpi(KpiDraft(**(fields | changes)))
    assert info.value.message == message
    assert dump(db_path) == before


def test_remove_kpi_removes_its_years_and_links_and_keeps_the_audit(
    services: PlanServices, db_path: Path
) -> None:
    services.values.record_actual("K01", 2024, Decimal("1"))
    services.kpi_fields.revise_target("K01", Decimal("4"), 2033, "誘致の進展")

    assert services.kpis.remove_kpi("K01").changes == Changes(
        kpis=frozenset({"K01"}), structure=True
    )

    assert rows(db_path, "SELECT count(*) FROM kpi WHERE code = 'K01'") == [(0,)]
    for table in ("kpi_year", "target_revision"):
        assert rows(db_path, f"SELECT count(*) FROM {table}") == [(0,)]
    assert rows(db_path, "SELECT count(*) FROM kpi_measure") == [(15,)]  # K01 served 1-1 and 1-2
    assert audit(db_path)[-1] == entry(
        "delete", "K01", "name", "青森港を利用する洋上風力発電事業者数(累計)", None
    )
    assert len(services.queries.history("kpi", "K01")) == 3  # actual, target, deletion stay visible
    with pytest.raises(NotFound, match="KPI K01 が見つかりません。"):
        services.kpis.remove_kpi("K01")


def test_set_kpi_measures_replaces_the_links_in_order(
    services: PlanServices, db_path: Path
) -> None:
    assert services.kpis.set_kpi_measures("K01", ["1-2", "3-1"]).changes == Changes(
        kpis=frozenset({"K01"}), structure=True
    )
    assert services.queries.kpi("K01").measures == ("1-2", "3-1")
    assert audit(db_path) == [entry("update", "K01", "measures", "1-1,1-2", "1-2,3-1")]


@pytest.mark.parametrize(
    ("measures", "error", "message"),
    [
        ([], ValidationError, "KPI K01: 共創施策を1つ以上指定してください。"),
        (["1-1", "1-1"], ValidationError, "KPI K01: 同じ共創施策が二重に指定されています。"),
        (["1-1", "7-1"], NotFound, "共創施策 7-1 が見つかりません。"),
        (["abc"], NotFound, "共創施策 abc が見つかりません。"),
    ],
)
def test_set_kpi_measures_refuses_invalid_lists(
    services: PlanServices, db_path: Path, measures: list[str], error: type, message: str
) -> None:
    before = dump(db_path)
    with pytest.raises(error) as info:
        services.kpis.set_kpi_measures("K01", measures)
    assert info.value.message == message
    assert dump(db_path) == before
    assert services.queries.kpi("K01").measures == ("1-1", "1-2")
