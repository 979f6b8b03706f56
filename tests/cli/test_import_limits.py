"""`import json` applies the limits of interactive entry: every hostile file ends in Japanese
sentences naming where (never 「予期しないエラー」) and leaves nothing behind; `check` finds
such values in a database that already holds them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests import backends
from tests.backends import Target
from tests.cli.helpers import assert_one_japanese_message, files


def _set(path: tuple[Any, ...], value: Any) -> Callable[[str], str]:
    """A change of the exported text: one value replaced in the parsed document."""

    def change(text: str) -> str:
        doc = json.loads(text)
        target = doc
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
        return json.dumps(doc, ensure_ascii=False)

    return change


# (name, change of the exported text, a line the message must hold)
CASES: list[tuple[str, Callable[[str], str], str]] = [
    (
        "5000-digit target",
        _set(("kpis", 0, "target", "value"), "9" * 5000),
        "KPI K01: 目標値は桁数が多すぎます（整数部は15桁まで）。",
    ),
    (
        "7 decimals",
        _set(("kpis", 0, "years", 0, "actual"), "0.1234567"),
        "KPI K01 令和6(2024)年度: 実績値は小数点以下の桁数が多すぎます（6桁まで）。",
    ),
    (
        "baseline year 1800",
        _set(("kpis", 0, "baseline", "fiscal_year"), 1800),
        "KPI K01: 基準年度「1800」は範囲外です（1926〜2100年度の間にしてください）。",
    ),
    (
        "record year 10**19",
        _set(("kpis", 0, "years", 0, "fiscal_year"), 10**19),
        "KPI K01: 年度「10000000000000000000」は範囲外です（1926〜2100年度の間にしてください）。",
    ),
    (
        "100,000-character name",
        _set(("kpis", 0, "name"), "長" * 100_000),
        "KPI K01: 名称が長すぎます（300文字まで）。",
    ),
    (
        "41-character unit",
        _set(("kpis", 0, "unit"), "単" * 41),
        "KPI K01: 単位が長すぎます（40文字まで）。",
    ),
    (
        "25-digit placement number",
        _set(("pillars", 0, "measures", 0, "placements", 0, "code"), "1-1-" + "9" * 25),
        "共創プロジェクト 1-1-9999999999999999999999999: コードは「1-1-番号」の形にしてください"
        "（番号は1〜999）。",
    ),
    (
        "101-digit threshold",
        _set(("plan", "grading", "thresholds", 0), "1" + "0" * 100),
        "計画: 評価基準（A 達成）は桁数が多すぎます（整数部は15桁まで）。",
    ),
    (
        "version 0",
        _set(("version",), 0),
        "・$.version: 形式のバージョン「0」は正しくありません（1以上の整数）。",
    ),
    (
        "5000-digit version",
        lambda text: text.replace('"version": 2,', '"version": ' + "1" * 5000 + ",", 1),
        "・$.version: 形式のバージョン「5000桁の整数」は正しくありません（1以上の整数）。",
    ),
    (
        "second kpis key",
        lambda text: text.rstrip()[:-1] + ', "kpis": []}',
        "・$: 項目「kpis」が重複しています（同じ項目は1回だけ書いてください）。",
    ),
    (
        "lone surrogate",
        lambda text: text.replace('"name": "青森市', '"name": "\\ud800青森市', 1),
        "・plan.name: 文字列に文字として扱えないデータ（対になっていないサロゲート）が含まれています。",
    ),
]


@pytest.mark.parametrize(("change", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_hostile_files_are_refused_with_a_sentence_and_leave_nothing(
    cli, seeded_db: Path, tmp_path: Path, change: Callable[[str], str], expected: str
) -> None:
    exported = tmp_path / "plan.json"
    assert cli("export", "json", "--db", str(seeded_db), "-o", str(exported)).code == 0
    text = exported.read_text(encoding="utf-8")
    hostile = change(text)
    assert hostile != text
    bad = tmp_path / "bad.json"
    bad.write_text(hostile, encoding="utf-8")
    target = tmp_path / "new.sqlite3"
    before = files(tmp_path)

    result = cli("import", "json", str(bad), "--db", str(target))

    assert (result.code, result.out) == (1, "")
    assert_one_japanese_message(result.err, lines=None)
    assert "予期しないエラー" not in result.err
    assert expected in result.err.splitlines(), result.err
    assert files(tmp_path) == before  # no database, no journal


def test_check_reports_a_baseline_year_no_page_can_show(cli, data_target: Target) -> None:
    # such a value came in through older imports; check said nothing and the KPI page failed
    backends.execute(data_target, "UPDATE kpi SET baseline_fiscal_year = 1800 WHERE code = 'K01'")
    on_server = backends.is_postgres(data_target)
    if not on_server:  # a server refuses a name longer than its column (varchar(300)) itself
        backends.execute(data_target, f"UPDATE kpi SET name = '{'名' * 301}' WHERE code = 'K02'")

    result = cli("check", "--db", str(data_target))

    assert result.code == 1
    assert (
        "計画「青森市しごと創造戦略」: KPI K01: 基準年度「1800」は範囲外です"
        "（1926〜2100年度の間にしてください）。"
    ) in result.out + result.err
    assert (
        on_server
        or "計画「青森市しごと創造戦略」: KPI K02: 名称が長すぎます（300文字まで）。"
        in (result.out + result.err)
    )
