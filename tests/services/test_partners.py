"""Co-creation partners (産学金官) of a project."""

from __future__ import annotations

import pytest

from aomori_desktop.domain.plan import Partner, Sector
from aomori_desktop.services.changes import Changes
from aomori_desktop.services.errors import ValidationError
from aomori_desktop.services.plan_services import PlanServices

from .conftest import USER


def test_partners_are_replaced_in_order_and_audited(services: PlanServices) -> None:
    partners = [
        Partner(Sector.INDUSTRY, " 青森港湾事業協同組合 "),
        Partner(Sector.ACADEMIA, "弘前大学"),
    ]
    assert services.projects.set_partners("PJ01", partners).changes == Changes(
        projects=frozenset({"PJ01"})
    )
    assert services.queries.project("PJ01").partners == (
        Partner(Sector.INDUSTRY, "青森港湾事業協同組合"),
        Partner(Sector.ACADEMIA, "弘前大学"),
    )
    services.projects.set_partners("PJ01", [Partner(Sector.FINANCE, "青森銀行")])
    history = [(h.field, h.old, h.new, h.user) for h in services.queries.history("project", "PJ01")]
    assert history == [
        ("partners", None, "産:青森港湾事業協同組合／学:弘前大学", USER),
        ("partners", "産:青森港湾事業協同組合／学:弘前大学", "金:青森銀行", USER),
    ]


def test_same_list_changes_nothing(services: PlanServices) -> None:
    services.projects.set_partners("PJ01", [Partner(Sector.GOVERNMENT, "青森県")])
    assert services.projects.set_partners("PJ01", [Partner(Sector.GOVERNMENT, "青森県")]).empty
    assert len(services.queries.history("project", "PJ01")) == 1


@pytest.mark.parametrize(
    ("partners", "message"),
    [
        ([Partner(Sector.INDUSTRY, "  ")], "共創プロジェクト PJ01: 連携先1の名称が空です。"),
        (
            [Partner(Sector.INDUSTRY, "A社"), Partner(Sector.INDUSTRY, "A社")],
            "同じ連携先が二重に入力されています",
        ),
        ([Partner(Sector.ACADEMIA, "大" * 201)], "連携先1の名称が長すぎます（200文字まで）。"),
    ],
)
def test_invalid_partners_store_nothing(
    services: PlanServices, partners: list[Partner], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        services.projects.set_partners("PJ01", partners)
    assert services.queries.project("PJ01").partners == ()
    assert services.queries.history("project", "PJ01") == []
