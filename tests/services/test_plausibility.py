"""Every service write refuses a value the KPI cannot take, with one sentence, storing nothing."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from aomori_desktop.services.errors import ValidationError
from aomori_desktop.services.kpi_fields import KpiFieldsEdit
from aomori_desktop.services.kpi_values import KpiYearEdit
from aomori_desktop.services.plan_services import PlanServices
from tests.services.helpers import dump

HINT = "ほかの範囲を使うKPIは、定義・備考に「値の範囲: −50〜200」のような行を書いてください"


@pytest.mark.parametrize(
    ("write", "expected"),
    [
        pytest.param(
            lambda s: s.values.record_actual("K03", 2025, Decimal("-4")),
            f"KPI K03 令和7(2025)年度: 実績値「-4」は範囲外です（単位が「件」のKPIは0以上です。{HINT}）。",
            id="negative-count",
        ),
        pytest.param(
            lambda s: s.kpi_fields.update_kpi("K10", KpiFieldsEdit(baseline=Decimal("-100"))),
            f"KPI K10: 基準値「-100」は範囲外です（単位が「人泊」のKPIは0以上です。{HINT}）。",
            id="negative-baseline",
        ),
        pytest.param(
            lambda s: s.values.set_kpi_years(
                [
                    KpiYearEdit("K16", 2024, actual=Decimal("8.5")),
                    KpiYearEdit("K16", 2025, actual=Decimal("1100")),
                ]
            ),
            f"KPI K16 令和7(2025)年度: 実績値「1,100」は範囲外です（単位が「%」のKPIは0〜100です。{HINT}）。",
            id="percentage-over-100-in-a-paste",
        ),
        pytest.param(
            lambda s: s.values.set_interim_target("K16", 2026, Decimal("101")),
            f"KPI K16 令和8(2026)年度: 年度目標「101」は範囲外です（単位が「%」のKPIは0〜100です。{HINT}）。",
            id="interim-target",
        ),
        pytest.param(
            lambda s: s.kpi_fields.revise_target("K16", Decimal("110"), 2033, "上方修正"),
            f"KPI K16: 目標値「110」は範囲外です（単位が「%」のKPIは0〜100です。{HINT}）。",
            id="revised-target",
        ),
        pytest.param(
            lambda s: s.kpi_fields.update_kpi(
                "K16", KpiFieldsEdit(definition="値の範囲: 8.5〜200")
            ),
            "KPI K16: 基準値「8.4」は範囲外です（定義・備考の「値の範囲: 8.5〜200」の外です）。",
            id="a-range-that-excludes-the-baseline",
        ),
    ],
)
def test_implausible_values_are_refused_and_nothing_is_stored(
    services: PlanServices,
    db_path: Path,
    write: Callable[[PlanServices], object],
    expected: str,
) -> None:
    before = dump(db_path)
    with pytest.raises(ValidationError) as info:
        write(services)
    assert info.value.problems == [expected]
    assert dump(db_path) == before


def test_a_kpi_that_states_its_range_takes_values_beyond_the_unit_default(
    services: PlanServices, db_path: Path
) -> None:
    services.kpi_fields.update_kpi("K16", KpiFieldsEdit(definition="前年度比。\n値の範囲: 0〜2000"))
    services.values.record_actual("K16", 2025, Decimal("1100"))
    assert services.queries.kpi("K16").years[0].actual == Decimal("1100")
    # taking the range away again would leave the stored figure implausible: refused
    before = dump(db_path)
    with pytest.raises(ValidationError) as info:
        services.kpi_fields.update_kpi("K16", KpiFieldsEdit(definition="前年度比。"))
    assert info.value.problems == [
        f"KPI K16 令和7(2025)年度: 実績値「1,100」は範囲外です（単位が「%」のKPIは0〜100です。{HINT}）。"
    ]
    assert dump(db_path) == before
    # and a unit change is checked against the stored figures the same way
    services.kpi_fields.update_kpi("K03", KpiFieldsEdit(unit="社"))
    assert services.queries.kpi("K03").unit == "社"
