"""The seed reader accepts a well-formed plan and refuses malformed ones with a clear message."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from aomori_desktop.domain.grading import SCHEME_ABCD
from aomori_desktop.domain.plan import Direction, Placement, PlanStatus
from aomori_desktop.exchange.seed_toml import SeedError, load_seed

VALID = """\
[plan]
name = "テスト計画"
status = "draft"
description = "一行目\\n二行目"
first_fiscal_year = 2024
last_fiscal_year = 2033

[[pillars]]
number = 1
lead = "リード"
name = "柱"

[[pillars.measures]]
code = "1-1"
title = "施策A"
placements = [
  { code = "1-1-1", project = "PJ01" },
  { code = "1-1-2", project = "PJ02" },
]

[[pillars.measures]]
code = "1-2"
title = "施策B"
placements = [
  { code = "1-2-1", project = "PJ02", relisting = true },
]

[[projects]]
id = "PJ01"
title = "事業1"
description = "内容1"

[[projects]]
id = "PJ02"
title = "事業2"

[[kpis]]
id = "K01"
name = "指標(累計)"
unit = "件"
baseline = "0"
baseline_fiscal_year = 2023
target = "3"
target_fiscal_year = 2033
direction = "increase"
cumulative = true
measures = ["1-1", "1-2"]
"""

EXTRA_PROJECT = """
[[projects]]
id = "PJ03"
title = "事業3"
"""

EXTRA_KPI = """
[[kpis]]
id = "K01"
name = "別の指標"
unit = "%"
baseline = "8.4"
baseline_fiscal_year = 2023
target = "8.8"
target_fiscal_year = 2033
direction = "increase"
cumulative = false
measures = ["1-2"]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "seed.toml"
    path.write_text(text, encoding="utf-8")
    return path


def variant(*replacements: tuple[str, str], append: str = "") -> str:
    text = VALID
    for old, new in replacements:
        assert text.count(old) == 1, f"{old!r} must occur exactly once in VALID"
        text = text.replace(old, new)
    return text + append


def test_valid_seed_loads(tmp_path: Path) -> None:
    snapshot = load_seed(write(tmp_path, VALID))

    assert snapshot.plan.name == "テスト計画"
    assert snapshot.plan.status is PlanStatus.DRAFT
    assert snapshot.plan.description == "一行目\n二行目"
    assert snapshot.plan.grade_scheme == SCHEME_ABCD
    assert list(snapshot.fiscal_years) == list(range(2024, 2034))
    [pillar] = snapshot.pillars
    assert (pillar.number, pillar.lead, pillar.name, pillar.title) == (
        1,
        "リード",
        "柱",
        "リード 柱",
    )
    assert [m.code for m in pillar.measures] == ["1-1", "1-2"]
    assert pillar.measures[1].placements == (Placement("1-2-1", "PJ02", relisting=True),)
    assert pillar.measures[0].placements[1] == Placement("1-1-2", "PJ02", relisting=False)
    assert [(p.id, p.title, p.description) for p in snapshot.projects] == [
        ("PJ01", "事業1", "内容1"),
        ("PJ02", "事業2", ""),
    ]
    [kpi] = snapshot.kpis
    assert (kpi.baseline, kpi.target) == (Decimal("0"), Decimal("3"))
    assert kpi.direction is Direction.INCREASE
    assert kpi.cumulative is True
    assert kpi.measures == ("1-1", "1-2")
    assert (kpi.baseline_fiscal_year, kpi.target_fiscal_year) == (2023, 2033)
    assert kpi.baseline_fiscal_year_confirmed is False


def test_decimals_keep_their_written_precision(tmp_path: Path) -> None:
    text = variant(('baseline = "0"', 'baseline = "0.50"'), ('target = "3"', 'target = "1109980"'))
    [kpi] = load_seed(write(tmp_path, text)).kpis
    assert str(kpi.baseline) == "0.50"
    assert str(kpi.target) == "1109980"


def test_optional_thresholds_and_partners(tmp_path: Path) -> None:
    text = variant(
        (
            "last_fiscal_year = 2033\n",
            'last_fiscal_year = 2033\nthresholds = { achieved = "95", delayed_factor = "0.6" }\n',
        ),
        (
            'description = "内容1"\n',
            'description = "内容1"\npartners = [{ sector = "academia", name = "青森大学" }]\n',
        ),
    )
    snapshot = load_seed(write(tmp_path, text))
    assert snapshot.plan.grade_scheme.thresholds == (Decimal("95"), Decimal("1"), Decimal("0.6"))
    assert [(p.sector.label, p.name) for p in snapshot.projects[0].partners] == [("学", "青森大学")]


MALFORMED: dict[str, tuple[str, str]] = {
    # case: (seed text, fragment the message must contain)
    "unknown project id": (
        variant(('{ code = "1-1-2", project = "PJ02" }', '{ code = "1-1-2", project = "PJ99" }')),
        "placement 1-1-2: unknown project id 'PJ99'",
    ),
    "project without home placement": (
        variant(append=EXTRA_PROJECT),
        "project PJ03 has no home placement",
    ),
    "project only re-listed": (
        variant(
            (
                '{ code = "1-1-2", project = "PJ02" }',
                '{ code = "1-1-2", project = "PJ02", relisting = true }',
            )
        ),
        "project PJ02 has no home placement",
    ),
    "project with two home placements": (
        variant((", relisting = true }", " }")),
        "project PJ02 has 2 home placements (1-1-2, 1-2-1)",
    ),
    "project placed twice under one measure": (
        variant(('project = "PJ02" }', 'project = "PJ01", relisting = true }')),
        "placement 1-1-2: project PJ01 is placed twice under measure 1-1",
    ),
    "KPI naming an unknown measure": (
        variant(('measures = ["1-1", "1-2"]', 'measures = ["1-1", "9-9"]')),
        "KPI K01: unknown measure '9-9'",
    ),
    "KPI naming no measure": (
        variant(('measures = ["1-1", "1-2"]', "measures = []")),
        "KPI K01: measures must name at least one measure",
    ),
    "KPI naming a measure twice": (
        variant(('measures = ["1-1", "1-2"]', 'measures = ["1-1", "1-1"]')),
        "KPI K01: a measure is named twice",
    ),
    "duplicate project id": (
        variant(('id = "PJ02"', 'id = "PJ01"')),
        "duplicate project id 'PJ01'",
    ),
    "duplicate KPI id": (variant(append=EXTRA_KPI), "duplicate KPI id 'K01'"),
    "duplicate placement code": (
        variant(('{ code = "1-1-2", project = "PJ02" }', '{ code = "1-1-1", project = "PJ02" }')),
        "duplicate placement code '1-1-1'",
    ),
    "duplicate measure code": (
        variant(('code = "1-2"\n', 'code = "1-1"\n'), ('code = "1-2-1"', 'code = "1-1-3"')),
        "duplicate measure code '1-1'",
    ),
    "duplicate pillar number": (
        variant(
            append='\n[[pillars]]\nnumber = 1\nname = "二つ目"\n\n[[pillars.measures]]\n'
            'code = "1-3"\ntitle = "施策C"\nplacements = [{ code = "1-3-1", project = "PJ01",'
            " relisting = true }]\n"
        ),
        "duplicate pillar number '1'",
    ),
    "measure code of another pillar": (
        variant(('code = "1-2"\n', 'code = "2-2"\n'), ('code = "1-2-1"', 'code = "2-2-1"')),
        "measure 2-2: code '2-2' does not start with its pillar number 1",
    ),
    "placement code of another measure": (
        variant(('code = "1-2-1"', 'code = "1-3-1"')),
        "placement 1-3-1: code '1-3-1' does not start with its measure code '1-2'",
    ),
    "placement code with a circled number": (
        variant(('code = "1-2-1"', 'code = "1-2-①"')),
        "placement 1-2-①: code must look like P-M-N",
    ),
    "measure code in another form": (
        variant(('code = "1-2"\n', 'code = "1.2"\n')),
        "measure 1.2: code must look like P-M",
    ),
    "decimal written as a float": (
        variant(('target = "3"', "target = 3.0")),
        "KPI K01: target must be a decimal written as a string",
    ),
    "decimal with thousands separators": (
        variant(('target = "3"', 'target = "1,000"')),
        "KPI K01: target '1,000' is not a plain decimal number",
    ),
    "unknown key": (
        variant((", relisting = true }", ", relisitng = true }")),
        "placement 1-2-1: unknown key(s) relisitng",
    ),
    "unknown top-level table": (
        variant(append='\n[meta]\nversion = "1"\n'),
        "seed file: unknown key(s) meta",
    ),
    "missing key": (variant(('unit = "件"\n', "")), "KPI K01: missing key 'unit'"),
    "empty name": (
        variant(('title = "事業1"', 'title = ""')),
        "project PJ01: title must not be empty",
    ),
    "unknown direction": (
        variant(('direction = "increase"', 'direction = "up"')),
        "KPI K01: direction must be one of increase, decrease, maintain, got 'up'",
    ),
    "maintain with a changed target": (
        variant(('direction = "increase"', 'direction = "maintain"')),
        "KPI K01: direction 'maintain' needs target == baseline",
    ),
    "increase with a lower target": (
        variant(('baseline = "0"', 'baseline = "5"')),
        "KPI K01: direction 'increase' but target 3 is below baseline 5",
    ),
    "baseline year not before target year": (
        variant(("baseline_fiscal_year = 2023", "baseline_fiscal_year = 2033")),
        "KPI K01: baseline_fiscal_year 2033 must be before target_fiscal_year 2033",
    ),
    "target year outside the plan": (
        variant(("target_fiscal_year = 2033", "target_fiscal_year = 2040")),
        "KPI K01: target_fiscal_year 2040 is outside the plan period 2024–2033",
    ),
    "plan period reversed": (
        variant(("first_fiscal_year = 2024", "first_fiscal_year = 2034")),
        "[plan]: last_fiscal_year 2033 is before first_fiscal_year 2034",
    ),
    "unknown plan status": (
        variant(('status = "draft"', 'status = "案"')),
        "[plan]: status must be one of draft, adopted, got '案'",
    ),
    "fiscal year as a string": (
        variant(("baseline_fiscal_year = 2023", 'baseline_fiscal_year = "2023"')),
        "KPI K01: baseline_fiscal_year must be a fiscal year such as 2024, got '2023'",
    ),
    "cumulative not a boolean": (
        variant(("cumulative = true", 'cumulative = "yes"')),
        "KPI K01: cumulative must be true or false, got a string",
    ),
    "no projects": (
        variant(
            ('[[projects]]\nid = "PJ01"', '[[old]]\nid = "PJ01"'),
            ('[[projects]]\nid = "PJ02"', '[[old]]\nid = "PJ02"'),
        ),
        "seed file: unknown key(s) old",
    ),
    "not TOML": (VALID + "\nthis is not toml\n", "not valid TOML"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_seed_is_refused(case: str, tmp_path: Path) -> None:
    text, fragment = MALFORMED[case]
    path = write(tmp_path, text)
    with pytest.raises(SeedError, match=re.escape(fragment)) as caught:
        load_seed(path)
    assert isinstance(caught.value, ValueError)
    assert str(caught.value).startswith(f"{path}: ")


def test_missing_section_is_named(tmp_path: Path) -> None:
    text = VALID[: VALID.index("[[kpis]]")]
    with pytest.raises(SeedError, match=re.escape("seed file: missing key 'kpis'")):
        load_seed(write(tmp_path, text))


def test_non_utf8_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "seed.toml"
    path.write_bytes(VALID.encode("cp932"))
    with pytest.raises(SeedError, match="not UTF-8 text"):
        load_seed(path)


def test_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_seed(tmp_path / "nowhere.toml")
