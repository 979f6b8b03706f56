"""The typed tree key: every node's place, its written form and its lineage."""

from __future__ import annotations

import pytest

from aomori_desktop.services.dto import NodeKind, TreeKey


@pytest.mark.parametrize("text", ["plan", "1", "1-2", "1-2-3", "K01@1-2", "K17@10-12"])
def test_written_form_reads_back(text: str) -> None:
    assert str(TreeKey.parse(text)) == text


@pytest.mark.parametrize("text", ["", "K01", "K01@1", "1-2-3-4", "a-b", "K01@1-2-3", "@1-2"])
def test_malformed_keys_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        TreeKey.parse(text)


def test_lineage_and_parts() -> None:
    kpi = TreeKey.kpi("K01", "1-2")
    assert [str(k) for k in kpi.lineage()] == ["K01@1-2", "1-2", "1", "plan"]
    assert (kpi.pillar_number, kpi.measure_code, kpi.measure_number, kpi.number) == (
        1,
        "1-2",
        2,
        None,
    )
    placement = TreeKey.placement("2-3", 4)
    assert placement == TreeKey.parse("2-3-4")
    assert (placement.kind, placement.pillar_number, placement.measure_code) == (
        NodeKind.PROJECT,
        2,
        "2-3",
    )
    assert placement.number == 4
    assert [str(k) for k in placement.lineage()] == ["2-3-4", "2-3", "2", "plan"]
    assert TreeKey.pillar(5).number == 5 and TreeKey.plan().parent() is None
