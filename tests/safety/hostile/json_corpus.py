"""Bad files for `aomori-desktop import json`, made fresh for each run (nothing committed).

Each case changes a valid plan (the strategy with figures) in one way a file from another
department, a broken disk or a hostile hand could: bytes, syntax, types, numbers, sizes, the
plan's own rules, characters nobody sees, and things that are not files at all.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.safety.hostile.cases import Case

MB = 1024 * 1024


def build(folder: Path, base: str) -> list[Case]:
    """Write every case into `folder` (which must exist) and return them."""
    doc = json.loads(base)
    cases: list[Case] = []

    def raw(name: str, data: bytes, phrase: str = "") -> None:
        path = folder / f"{len(cases):02d}-{name}.json"
        path.write_bytes(data)
        cases.append(Case(name, path, phrase))

    def text(name: str, body: str, phrase: str = "") -> None:
        raw(name, body.encode("utf-8"), phrase)

    def edited(name: str, change: Callable[[dict[str, Any]], object], phrase: str = "") -> None:
        d = copy.deepcopy(doc)
        change(d)
        text(name, json.dumps(d, ensure_ascii=False, allow_nan=True), phrase)

    def special(name: str, make: Callable[[Path], object], phrase: str) -> None:
        path = folder / f"{len(cases):02d}-{name}.json"
        make(path)
        cases.append(Case(name, path, phrase))

    data = base.encode("utf-8")
    kpi0 = doc["kpis"][0]

    # ---- bytes and syntax
    raw("empty", b"")
    raw("bom-only", b"\xef\xbb\xbf")
    raw("spaces-only", b"   \n\t  \n")
    for share in (1, 10, 50, 90):
        raw(f"truncated-{share}pc", data[: max(1, len(data) * share // 100)])
    raw("truncated-last-byte", data[:-2])
    raw("invalid-utf8", data.replace("青森".encode(), b"\xff\xfe\x80", 1), "UTF-8")
    raw("utf16", base.encode("utf-16"), "UTF-8")
    raw("shift-jis", base.encode("shift_jis", errors="replace"), "UTF-8")
    raw("nul-between-tokens", data.replace(b'"version"', b'\x00"version"', 1))
    text("lone-surrogate", base.replace('"name": "', '"name": "\\ud800', 1), "サロゲート")
    text("deep-array", "[" * 200_000 + "]" * 200_000)
    text("deep-object", '{"a":' * 50_000 + "1" + "}" * 50_000)
    text(
        "deep-in-field",
        base.replace('"name": ', '"name": ' + '{"x": ' * 5000 + "1" + "}" * 5000 + ', "n2": ', 1),
    )

    # ---- sizes
    edited("10mb-kpi-name", lambda d: d["kpis"][0].update(name="青" * (10 * MB // 3)), "長すぎます")
    edited(
        "10mb-comment",
        lambda d: d["kpis"][1]["years"].append(
            {**_year(d), "fiscal_year": 2031, "comment": "x" * (10 * MB)}
        ),
        "長すぎます",
    )
    text(
        "million-numbers",
        '{"format": "aomori-desktop/plan", "version": 1, "kpis": ['
        + ",".join(["1"] * 1_000_000)
        + "]}",
    )
    edited(  # 5,000 KPIs (12 MB), the last one twice
        "5000-kpis",
        lambda d: d.update(
            kpis=[dict(kpi0, id=f"X{n}") for n in range(5000)] + [dict(kpi0, id="X0")]
        ),
        "重複",
    )
    special("too-large-sparse", lambda p: os.truncate(_touch(p), 250 * 1000 * 1000), "大きすぎます")

    # ---- numbers
    text(
        "huge-int-year",
        base.replace('"first_fiscal_year": 2024', '"first_fiscal_year": ' + "9" * 5000, 1),
        "桁数",
    )
    text(
        "huge-exponent",
        base.replace('"first_fiscal_year": 2024', '"first_fiscal_year": 1e999999', 1),
    )
    text("nan-literal", base.replace('"first_fiscal_year": 2024', '"first_fiscal_year": NaN', 1))
    text(
        "infinity-literal",
        base.replace('"last_fiscal_year": 2033', '"last_fiscal_year": Infinity', 1),
    )
    text(
        "minus-infinity",
        base.replace('"first_fiscal_year": 2024', '"first_fiscal_year": -Infinity', 1),
    )
    edited("nan-string", lambda d: d["kpis"][0]["baseline"].update(value="NaN"))
    edited("infinity-string", lambda d: d["kpis"][0]["target"].update(value="Infinity"))
    edited("exponent-string", lambda d: d["kpis"][0]["target"].update(value="1e400"))
    edited("30-digit-value", lambda d: d["kpis"][0]["target"].update(value="9" * 30), "桁数")
    edited("negative-zero-year", lambda d: d["kpis"][0]["target"].update(fiscal_year=-0))
    edited("negative-zero-float", lambda d: d["kpis"][0]["baseline"].update(value=-0.0))
    edited("float-value", lambda d: d["kpis"][0]["target"].update(value=3.0))

    # ---- types and structure
    text("top-array", "[]")
    text("top-string", '"aomori-desktop/plan"')
    text("top-null", "null")
    text("top-number", "2024")
    edited("format-other", lambda d: d.update(format="excel/workbook"))
    edited("version-99", lambda d: d.update(version=99), "バージョン")
    edited("version-string", lambda d: d.update(version="1"))
    edited("name-number", lambda d: d["plan"].update(name=2024))
    edited("kpis-object", lambda d: d.update(kpis={"K01": kpi0}))
    edited("baseline-list", lambda d: d["kpis"][0].update(baseline=[0, 2023]))
    edited("year-string", lambda d: d["plan"].update(first_fiscal_year="2024"))
    edited("years-dict", lambda d: d["kpis"][0].update(years={"2024": "1"}))
    edited("cumulative-string", lambda d: d["kpis"][0].update(cumulative="true"))
    edited("missing-plan", lambda d: d.pop("plan"))
    edited("missing-unit", lambda d: d["kpis"][0].pop("unit"))
    text("duplicate-key", base.rstrip()[:-1] + ', "kpis": []}', "重複")

    # ---- the plan's own rules (a wrong plan)
    edited("duplicate-kpi-id", lambda d: d["kpis"].append(copy.deepcopy(d["kpis"][0])), "重複")
    edited(
        "unknown-project",
        lambda d: d["pillars"][0]["measures"][0]["placements"][0].update(project="PJ99"),
        "見つかりません",
    )
    edited("unknown-measure", lambda d: d["kpis"][0].update(measures=["9-9"]), "見つかりません")
    edited(
        "period-reversed",
        lambda d: d["plan"].update(first_fiscal_year=2033, last_fiscal_year=2024),
        "後になっています",
    )
    edited("maintain-target-moved", lambda d: d["kpis"][2]["target"].update(value="99"), "維持")
    edited(
        "target-year-2100", lambda d: d["kpis"][0]["target"].update(fiscal_year=2100), "計画期間"
    )
    edited(
        "record-in-2100",
        lambda d: d["kpis"][0]["years"].append({**_year(d), "fiscal_year": 2100}),
        "計画期間",
    )

    # ---- characters nobody sees
    edited("bell-in-name", lambda d: d["kpis"][0].update(name="洋上\x07風力"), "制御文字")
    edited("escape-in-title", lambda d: d["projects"][0].update(title="\x1b[31m脱炭素"), "制御文字")
    edited("rtl-override", lambda d: d["kpis"][0].update(name="K01_\u202egnp.exe"), "向きを変える")
    edited(
        "rtl-isolate-in-comment",
        lambda d: d["kpis"][1]["years"].append(
            {**_year(d), "fiscal_year": 2030, "comment": "確定\u2067値"}
        ),
        "向きを変える",
    )
    edited("newline-in-kpi-id", lambda d: _rename_kpi(d, "K0\n1"), "改行")
    edited("tab-in-unit", lambda d: d["kpis"][0].update(unit="件\t"), "改行やタブ")
    edited(
        "c1-control-in-section",
        lambda d: d["kpis"][0].update(responsible_section="経済\x85部"),
        "制御文字",
    )

    # ---- not files
    special("folder", lambda p: p.mkdir(), "フォルダー")
    special("dev-zero", lambda p: p.symlink_to("/dev/zero"), "通常のファイルではありません")
    special("dev-urandom", lambda p: p.symlink_to("/dev/urandom"), "通常のファイルではありません")
    special("fifo-without-writer", lambda p: os.mkfifo(p), "通常のファイルではありません")
    special("dangling-symlink", lambda p: p.symlink_to(folder / "gone.json"), "見つかりません")
    special("unreadable", lambda p: (p.write_bytes(data), p.chmod(0)), "権限がありません")
    return cases


def _touch(path: Path) -> Path:
    path.write_bytes(b"{")
    return path


def _year(d: dict[str, Any]) -> dict[str, Any]:
    """A yearly record shaped like the file's own."""
    for kpi in d["kpis"]:
        if kpi["years"]:
            return dict(kpi["years"][0])
    raise AssertionError("the base plan needs a yearly record")


def _rename_kpi(d: dict[str, Any], new_id: str) -> None:
    old = d["kpis"][0]["id"]
    d["kpis"][0]["id"] = new_id
    for entry in d.get("audit", []):
        if entry.get("entity_key", "").startswith(old):
            entry["entity_key"] = new_id + entry["entity_key"][len(old) :]
