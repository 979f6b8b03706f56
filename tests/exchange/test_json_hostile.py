"""Hostile interchange documents: each is refused by `load_plan` with Japanese sentences that
name the JSON location, never with a Python exception (which the CLI showed as
「予期しないエラー」)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from aomori_desktop.exchange.json_format import FormatError, dump_plan, load_plan
from aomori_desktop.exchange.seed_toml import load_default_seed


@pytest.fixture(scope="module")
def text() -> str:
    return dump_plan(load_default_seed())


def problems_of(document: str) -> list[str]:
    with pytest.raises(FormatError) as info:
        load_plan(document)
    message = info.value.message
    message.encode("utf-8")  # printable: the CLI writes it to stderr
    assert message.startswith("JSONファイルに")
    return info.value.problems


def edited(text: str, change: Any) -> str:
    doc = json.loads(text)
    change(doc)
    return json.dumps(doc, ensure_ascii=False)


def test_a_key_written_twice_is_refused_with_its_location(text: str) -> None:
    # json.loads kept the last value: a second "kpis": [] silently dropped all 16 KPIs
    assert problems_of(text.rstrip()[:-1] + ', "kpis": []}') == [
        "$: 項目「kpis」が重複しています（同じ項目は1回だけ書いてください）。"
    ]
    nested = text.replace('"unit": ', '"unit": "人", "unit": ', 1)
    assert problems_of(nested) == [
        "kpis[0]: 項目「unit」が重複しています（同じ項目は1回だけ書いてください）。"
    ]


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("0", "$.version: 形式のバージョン「0」は正しくありません（1以上の整数）。"),
        ("-1", "$.version: 形式のバージョン「-1」は正しくありません（1以上の整数）。"),
        # int() refuses 4,301 digits and more: a ValueError escaped from json.loads
        (
            "1" * 5000,
            "$.version: 形式のバージョン「5000桁の整数」は正しくありません（1以上の整数）。",
        ),
    ],
)
def test_the_version_is_an_integer_from_1(text: str, version: str, expected: str) -> None:
    document = text.replace('"version": 2,', f'"version": {version},', 1)
    assert problems_of(document) == [expected]


def test_an_overlong_integer_anywhere_is_a_sentence_at_its_place(text: str) -> None:
    document = text.replace('"first_fiscal_year": 2024', '"first_fiscal_year": ' + "9" * 5000, 1)
    assert problems_of(document) == [
        "plan.first_fiscal_year: 整数の桁数が多すぎます（5000桁の整数）。"
    ]


def test_a_lone_surrogate_is_refused_where_it_is(text: str) -> None:
    # a JSON escape can spell half a UTF-16 pair; writing it later raised UnicodeEncodeError
    doc = json.loads(text)
    doc["kpis"][2]["name"] = "\ud800創業件数"
    doc["projects"][1]["partners"] = [{"sector": "industry", "name": "A社"}]
    doc["projects"][1]["partners"][0]["\udc00"] = 1
    document = json.dumps(doc, ensure_ascii=True)  # "\ud800" travels as an escape
    assert problems_of(document) == [
        "projects[1].partners[0].\\udc00: 項目名に文字として扱えないデータ"
        "（対になっていないサロゲート）が含まれています。",
        "kpis[2].name: 文字列に文字として扱えないデータ（対になっていないサロゲート）が含まれています。",
    ]


def test_nul_is_refused_where_it_is(text: str) -> None:
    document = edited(text, lambda d: d["audit"].append(_audit(old="a\x00b")))
    assert problems_of(document) == [
        "audit[0].old: 文字列に保存できない制御文字（NUL）が含まれています。"
    ]


def _audit(**changes: Any) -> dict[str, Any]:
    entry = {
        "at": "2026-04-01T00:00:00+00:00",
        "user": "u",
        "action": "update",
        "entity": "kpi",
        "entity_key": "K01",
        "field": "name",
        "old": None,
        "new": None,
    }
    entry.update(changes)
    return entry


def test_a_time_without_a_utc_equivalent_is_refused(text: str) -> None:
    document = edited(text, lambda d: d["audit"].append(_audit(at="0001-01-01T00:00:00+10:00")))
    assert problems_of(document) == [
        "audit[0].at: 「0001-01-01T00:00:00+10:00」は扱える日時の範囲外です。"
    ]


def test_quoted_values_are_short(text: str) -> None:
    document = edited(text, lambda d: d["kpis"][0].update(direction="x" * 100_000))
    assert problems_of(document) == [
        f"kpis[0].direction: 「{'x' * 40}…」は使えません（increase / decrease / maintain）。"
    ]


def test_a_surrogate_in_the_text_itself_is_refused_without_an_escape(text: str) -> None:
    # a document handed over as str (not decoded from a file) can carry the surrogate raw
    doc = json.loads(text)
    doc["kpis"][0]["unit"] = "件\udfff"
    document = json.dumps(doc, ensure_ascii=False)
    assert "\\u" not in document
    assert problems_of(document) == [
        "kpis[0].unit: 文字列に文字として扱えないデータ（対になっていないサロゲート）が含まれています。"
    ]


def test_a_key_written_twice_is_found_in_a_document_without_escapes(text: str) -> None:
    document = text.replace('"unit": "件",', '"unit": "件", "unit": "人",', 1)
    assert "\\u" not in document
    assert problems_of(document) == [
        "kpis[0]: 項目「unit」が重複しています（同じ項目は1回だけ書いてください）。"
    ]
