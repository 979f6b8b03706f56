"""The element-by-element reader of the interchange format (exchange/json_stream): it yields
exactly the plan `load_plan` reads, however the text is cut into chunks, and takes no
document that `load_plan` refuses (those go to `load_plan`, which names the problems)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from aomori_desktop.domain.evaluation import EvaluationRecords, PanelOpinion
from aomori_desktop.domain.plan import AuditEntry, KpiYear, PlanSnapshot
from aomori_desktop.exchange import json_stream
from aomori_desktop.exchange.json_format import FormatError, dump_plan, load_plan
from aomori_desktop.exchange.json_stream import (
    AuditBatch,
    KpiBatch,
    NotStreamable,
    PlanHead,
    has_escapes,
    read_plan_parts,
    text_chunks,
)
from aomori_desktop.exchange.seed_toml import load_default_seed

AT = datetime(2026, 4, 1, 0, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def plan() -> PlanSnapshot:
    seed = load_default_seed()
    kpis = tuple(
        replace(
            k,
            years=(
                KpiYear(2024, Decimal("12345678901234.5"), None, None, "確定\n値 🎉", "青森", AT),
            ),
        )
        for k in seed.kpis
    )
    audit = tuple(
        AuditEntry(AT, "青森 太郎", "update", "kpi_year", f"K01/{n}", "actual", None, str(n))
        for n in range(23)
    )
    opinion = PanelOpinion(1, 2024, None, "意見です", "", "", None)
    return replace(seed, kpis=kpis, audit=audit, evaluation=EvaluationRecords(opinions=(opinion,)))


def _cut(text: str, size: int) -> Iterator[str]:
    return (text[i : i + size] for i in range(0, len(text), size))


def _read(text: str, size: int = 1 << 20) -> PlanSnapshot:
    """The parts read from `text` in chunks of `size` characters, put together."""
    head, kpis, audit, evaluation = None, [], [], EvaluationRecords()
    for part in read_plan_parts(_cut(text, size), escapes="\\u" in text):
        if isinstance(part, PlanHead):
            head = part
        elif isinstance(part, KpiBatch):
            assert part.first == len(kpis)
            kpis.extend(part.kpis)
        elif isinstance(part, AuditBatch):
            audit.extend(part.entries)
        else:
            evaluation = part
    assert head is not None
    return PlanSnapshot(
        head.info, head.pillars, head.projects, tuple(kpis), tuple(audit), evaluation
    )


@pytest.mark.parametrize("size", [1, 7, 1000, 1 << 20])
def test_the_parts_are_the_plan_load_plan_reads_however_the_text_is_cut(
    plan: PlanSnapshot, size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(json_stream, "KPI_BATCH", 5)
    monkeypatch.setattr(json_stream, "AUDIT_BATCH", 10)
    text = dump_plan(plan)
    assert _read(text, size) == load_plan(text)
    compact = json.dumps(json.loads(text), ensure_ascii=True)  # another writer: \u escapes
    assert _read(compact, size) == load_plan(compact)


def test_a_version_1_file_without_evaluations_is_read(plan: PlanSnapshot) -> None:
    doc = json.loads(dump_plan(plan))
    doc["version"] = 1
    del doc["evaluations"], doc["audit"]
    text = json.dumps(doc, ensure_ascii=False)
    assert _read(text, 100) == load_plan(text)


def _changed(plan: PlanSnapshot, change) -> str:  # type: ignore[no-untyped-def]
    doc = json.loads(dump_plan(plan))
    change(doc)
    return json.dumps(doc, ensure_ascii=False)


def _late_duplicate(text: str) -> str:
    head, _, tail = text.rpartition('"user": ')
    return head + '"user": "x", "user": ' + tail


REFUSED = {
    "syntax error at the end": lambda t: t.rstrip()[:-1],
    "extra data": lambda t: t + "{}",
    "trailing comma in kpis": lambda t: t.replace(
        '\n  ],\n  "evaluations"', ',\n  ],\n  "evaluations"'
    ),
    "a key twice in the last audit entry": _late_duplicate,
    "a lone surrogate in the last audit entry": lambda t: (
        t[: t.rindex('"user": "') + 9] + "\\ud800" + t[t.rindex('"user": "') + 9 :]
    ),
    "the last KPI is a string": lambda t: t.replace(
        '\n  ],\n  "evaluations"', ', "K99"\n  ],\n  "evaluations"'
    ),
    "wrong format": lambda t: t.replace('"aomori-desktop/plan"', '"other"', 1),
    "newer version": lambda t: t.replace('"version": 2', '"version": 3', 1),
    "deep nesting in a KPI": lambda t: t.replace(
        '"unit": ', '"x": ' + "[" * 100_000 + "]" * 100_000 + ', "unit": ', 1
    ),
}


@pytest.mark.parametrize("change", list(REFUSED.values()), ids=list(REFUSED))
def test_no_document_load_plan_refuses_is_taken(plan: PlanSnapshot, change) -> None:  # type: ignore[no-untyped-def]
    text = change(dump_plan(plan))
    with pytest.raises(FormatError):
        load_plan(text)
    with pytest.raises(NotStreamable):
        _read(text, 4096)


def test_another_layout_is_left_to_the_whole_reading(plan: PlanSnapshot) -> None:
    doc = json.loads(dump_plan(plan))
    kpis_first = {"kpis": doc.pop("kpis"), **doc}
    text = json.dumps(kpis_first, ensure_ascii=False)
    assert load_plan(text) == load_plan(dump_plan(plan))  # a valid plan, in another order
    with pytest.raises(NotStreamable):
        _read(text)


def test_escapes_are_found_across_chunks_and_a_file_changed_since_is_not_taken() -> None:
    assert has_escapes(iter([b'{"a": "x\\', b'u00e9"}']))
    assert not has_escapes(iter([b'{"a": "x\\', b'n"}', b"u"]))
    with pytest.raises(NotStreamable):
        list(text_chunks(iter([b'"\\', b'u00e9"']), escapes=False))
    with pytest.raises(NotStreamable):
        list(text_chunks(iter(["青森".encode("shift_jis")]), escapes=False))
    bom = b"\xef\xbb\xbf" + "青森".encode()
    assert "".join(text_chunks(iter([bom[:2], bom[2:4], bom[4:]]), escapes=False)) == "青森"


def test_a_number_cut_by_the_end_of_a_chunk_is_read_whole() -> None:
    text = '{"a": 1.5e3, "b": -12345678901234567890, "c": true}'
    for size in range(1, len(text)):
        w = json_stream._Window(_cut(text, size))
        w.take("{")
        values = []
        while w.peek() != "}":
            w.value()
            w.take(":")
            values.append(w.value())
            if w.peek() == ",":
                w.take(",")
        assert values == [1500.0, -12345678901234567890, True], size
