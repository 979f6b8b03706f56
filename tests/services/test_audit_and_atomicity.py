"""Every service write is one transaction: its data and its audit entries commit together.

Each call below is run twice: once normally (audit rows carry the user passed in and the injected
clock, and the returned Applied names what changed and carries its undo), and once with the audit table refusing
inserts (the data change must not be committed either: same transaction).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from aomori_desktop.domain.plan import Direction, ProjectStatus
from aomori_desktop.services.changes import Changes
from aomori_desktop.services.kpi_fields import KpiFieldsEdit
from aomori_desktop.services.kpi_values import KpiYearEdit
from aomori_desktop.services.kpis import KpiDraft
from aomori_desktop.services.plan_services import PlanServices
from aomori_desktop.services.projects import ProjectFieldsEdit
from aomori_desktop.store.errors import StoreError
from tests.services.conftest import USER
from tests.services.helpers import audit, dump, outcome, refuse_inserts

AT = "2026-04-01 00:30:00.000000"  # NOW (09:30 JST) as stored: UTC


@dataclass(frozen=True)
class Call:
    run: Callable[[PlanServices], Any]
    returns: Any
    prepare: Callable[[PlanServices], Any] | None = None


def _kpis(*codes: str, structure: bool = False) -> Changes:
    return Changes(kpis=frozenset(codes), structure=structure)


def _projects(*codes: str, structure: bool = False) -> Changes:
    return Changes(projects=frozenset(codes), structure=structure)


STRUCTURE = Changes(structure=True)

CALLS: dict[str, Call] = {
    "record_actual": Call(
        lambda s: s.values.record_actual("K16", 2024, Decimal("8.5")), _kpis("K16")
    ),
    "clear_actual": Call(
        lambda s: s.values.clear_actual("K16", 2024),
        _kpis("K16"),
        prepare=lambda s: s.values.record_actual("K16", 2024, Decimal("8.5")),
    ),
    "set_interim_target": Call(
        lambda s: s.values.set_interim_target("K05", 2025, Decimal("16")), _kpis("K05")
    ),
    "set_kpi_years": Call(
        lambda s: s.values.set_kpi_years(
            [
                KpiYearEdit("K01", 2024, actual=Decimal("1")),
                KpiYearEdit("K05", 2024, actual=Decimal("12"), comment="速報値"),
            ]
        ),
        _kpis("K01", "K05"),
    ),
    "revise_target": Call(
        lambda s: s.kpi_fields.revise_target("K05", Decimal("35"), 2033, "国の補助制度の拡充"),
        _kpis("K05"),
    ),
    "update_kpi": Call(
        lambda s: s.kpi_fields.update_kpi("K16", KpiFieldsEdit(unit="ポイント")), _kpis("K16")
    ),
    "add_kpi": Call(
        lambda s: s.kpis.add_kpi(
            KpiDraft(
                name="待機児童数",
                unit="人",
                baseline=Decimal("25"),
                baseline_fiscal_year=2023,
                target=Decimal("0"),
                target_fiscal_year=2033,
                direction=Direction.DECREASE,
                measures=("5-3",),
            )
        ),
        ("K17", _kpis("K17", structure=True)),
    ),
    "remove_kpi": Call(lambda s: s.kpis.remove_kpi("K16"), ("K16", _kpis("K16", structure=True))),
    "set_kpi_measures": Call(
        lambda s: s.kpis.set_kpi_measures("K01", ["1-2"]), _kpis("K01", structure=True)
    ),
    "update_project": Call(
        lambda s: s.projects.update_project("PJ02", ProjectFieldsEdit(title="脱炭素経営の推進")),
        _projects("PJ02", structure=True),
    ),
    "set_project_year": Call(
        lambda s: s.projects.set_project_year("PJ01", 2024, status=ProjectStatus.IN_PROGRESS),
        _projects("PJ01"),
    ),
    "add_project": Call(
        lambda s: s.placements.add_project("1-3", "学生起業家の育成"),
        ("PJ27", _projects("PJ27", structure=True)),
    ),
    "add_relisting": Call(
        lambda s: s.placements.add_relisting("PJ05", "2-3"),
        ("2-3-3", _projects("PJ05", structure=True)),
    ),
    "remove_placement": Call(
        lambda s: s.placements.remove_placement("1-2-3"),
        ("1-2-3", _projects("PJ02", structure=True)),
    ),
    "remove_project": Call(
        lambda s: s.placements.remove_project("PJ02"),
        ("PJ02", _projects("PJ02", structure=True)),
    ),
    "add_pillar": Call(
        lambda s: s.structure.add_pillar("未来を拓く", "新分野の開拓"), (6, STRUCTURE)
    ),
    "rename_pillar": Call(
        lambda s: s.structure.rename_pillar(5, "人が輝く", "人材の確保"), STRUCTURE
    ),
    "remove_pillar": Call(
        lambda s: s.structure.remove_pillar(6),
        (6, STRUCTURE),
        prepare=lambda s: s.structure.add_pillar("", "仮の柱"),
    ),
    "add_measure": Call(lambda s: s.structure.add_measure(1, "新たな施策"), ("1-4", STRUCTURE)),
    "rename_measure": Call(
        lambda s: s.structure.rename_measure("1-3", "起業・創業の推進"), STRUCTURE
    ),
    "remove_measure": Call(
        lambda s: s.structure.remove_measure("1-4"),
        ("1-4", STRUCTURE),
        prepare=lambda s: s.structure.add_measure(1, "仮"),
    ),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_call_writes_audit_rows_with_user_and_clock_and_returns_changes(
    name: str, services: PlanServices, db_path: Path
) -> None:
    call = CALLS[name]
    if call.prepare:
        call.prepare(services)
    before = len(audit(db_path))

    applied = call.run(services)
    value_and_changes = call.returns if isinstance(call.returns, tuple) else (None, call.returns)
    assert outcome(applied) == value_and_changes
    assert applied.undo is not None  # every write that changed something can be taken back

    new = audit(db_path)[before:]
    assert new, f"{name} wrote no audit entry"
    for user, at, action, *_ in new:
        assert (user, at) == (USER, AT)
        assert action in {"create", "update", "delete"}


@pytest.mark.parametrize("name", list(CALLS))
def test_call_whose_audit_cannot_be_written_changes_nothing(
    name: str, services: PlanServices, db_path: Path
) -> None:
    call = CALLS[name]
    if call.prepare:
        call.prepare(services)
    refuse_inserts(db_path, "audit_log", "audit refused")
    before = dump(db_path)

    with pytest.raises(StoreError) as info:
        call.run(services)

    assert "audit refused" in str(info.value.__cause__)
    assert dump(db_path) == before
