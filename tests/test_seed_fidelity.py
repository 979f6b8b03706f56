"""The bundled seed is a faithful transcription of the strategy document.

The document (tests/fixtures/strategy_source.txt, a verbatim copy) is read by the independent
parser in tests/source_document.py; the seed is read by the application's loader. Every number,
name, unit, code, title, description and link must agree, so a typo in the seed fails here.

The `check_*` helpers hold the comparisons; `test_a_changed_seed_is_caught` makes sure they
stay sharp by feeding them deliberately altered snapshots.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from decimal import Decimal

import pytest

from aomori_desktop.domain.plan import Direction, Kpi, PlanSnapshot, PlanStatus
from aomori_desktop.exchange.seed_toml import load_default_seed
from tests.source_document import (
    FIXTURE_PATH,
    ParsedKpiListing,
    ParsedStrategy,
    circled_number,
    parse_fixture,
)

# sha256 of /work/shared/source/000_f15447bf51e7f7f8.txt when it was copied: the fixture must
# stay a verbatim copy of the document.
FIXTURE_SHA256 = "c538d8e9133fbd574361140291dbfd53546e5de7feb2d212cd2cd4e2fe892669"
SOURCE_UNITS = {"件", "人", "億円", "千円", "人泊", "千人", "%"}


@pytest.fixture(scope="module")
def parsed() -> ParsedStrategy:
    return parse_fixture()


@pytest.fixture(scope="module")
def seed() -> PlanSnapshot:
    return load_default_seed()


def project_id(position: int) -> str:
    """Seed id of the n-th (1-based) distinct project in document order."""
    return f"PJ{position:02d}"


def kpi_id(position: int) -> str:
    return f"K{position:02d}"


def expected_placements(parsed: ParsedStrategy) -> list[tuple[str, str, str, bool]]:
    """(measure code, placement code, project id, relisting) for every listing of the document."""
    home_ids = {entry.code: project_id(i) for i, entry in enumerate(parsed.home_listings, 1)}
    rows = []
    for measure in parsed.measures:
        for entry in measure.listings:
            home = entry.relisting_of or entry.code
            rows.append((measure.code, entry.code, home_ids[home], entry.is_relisting))
    return rows


# ── the comparisons ────────────────────────────────────────────────────────────────────────


def check_plan(seed: PlanSnapshot, parsed: ParsedStrategy) -> None:
    assert seed.plan.name == parsed.plan_name == "青森市しごと創造戦略"
    assert parsed.is_draft
    assert seed.plan.status is PlanStatus.DRAFT
    assert seed.plan.description == "\n".join(parsed.intro)
    assert (seed.plan.first_fiscal_year, seed.plan.last_fiscal_year) == (
        parsed.first_fiscal_year,
        parsed.last_fiscal_year,
    )
    assert list(seed.fiscal_years) == list(range(2024, 2034))


def check_counts(seed: PlanSnapshot, parsed: ParsedStrategy) -> None:
    header = parsed.header
    measures = [m for p in seed.pillars for m in p.measures]
    placements = [pl for m in measures for pl in m.placements]
    assert len(seed.pillars) == header.pillars == 5
    assert len(measures) == header.measures == 13
    assert len(placements) == header.listings == 29
    assert sum(pl.relisting for pl in placements) == header.relistings == 3
    assert len(seed.projects) == header.listings - header.relistings == 26
    assert len(seed.kpis) == len(parsed.kpis) == 16
    assert sum(len(k.measures) for k in seed.kpis) == len(parsed.kpi_listings) == 17


def check_pillars_and_measures(seed: PlanSnapshot, parsed: ParsedStrategy) -> None:
    assert [(p.number, p.lead, p.name) for p in seed.pillars] == [
        (p.number, p.lead, p.name) for p in parsed.pillars
    ]
    assert [(p.number, m.code, m.title) for p in seed.pillars for m in p.measures] == [
        (p.number, m.code, m.title) for p in parsed.pillars for m in p.measures
    ]


def check_placements(seed: PlanSnapshot, parsed: ParsedStrategy) -> None:
    actual = [
        (m.code, pl.code, pl.project, pl.relisting)
        for p in seed.pillars
        for m in p.measures
        for pl in m.placements
    ]
    assert actual == expected_placements(parsed)
    # What each placement shows (title, description) is the document's entry there.
    projects = {pj.id: pj for pj in seed.projects}
    homes = {entry.code: entry for entry in parsed.home_listings}
    seed_placements = {pl.code: pl for p in seed.pillars for m in p.measures for pl in m.placements}
    for entry in parsed.listings:
        shown = projects[seed_placements[entry.code].project]
        assert shown.title == entry.title, entry.code
        assert shown.description == homes[entry.relisting_of or entry.code].description


def check_projects(seed: PlanSnapshot, parsed: ParsedStrategy) -> None:
    assert [(pj.id, pj.title, pj.description) for pj in seed.projects] == [
        (project_id(i), entry.title, entry.description)
        for i, entry in enumerate(parsed.home_listings, 1)
    ]
    for pj in seed.projects:
        assert "再掲" not in pj.title
        assert (pj.responsible_section, pj.partners, pj.years) == ("", (), ())


def check_kpis(seed: PlanSnapshot, parsed: ParsedStrategy) -> None:
    assert [(k.id, k.name, k.unit, k.measures) for k in seed.kpis] == [
        (kpi_id(i), k.name, k.unit, k.measures) for i, k in enumerate(parsed.kpis, 1)
    ]
    assert [(k.baseline, k.target, k.target_fiscal_year) for k in seed.kpis] == [
        (k.baseline, k.target, k.target_fiscal_year) for k in parsed.kpis
    ]
    # Same precision as written ("8.4", not "8.40"), no separators.
    first_listing: dict[str, ParsedKpiListing] = {}
    for listing in parsed.kpi_listings:
        first_listing.setdefault(listing.name, listing)
    assert len(seed.kpis) == len(parsed.kpis)
    for k, source in zip(seed.kpis, parsed.kpis, strict=True):
        written = first_listing[source.name]
        assert str(k.baseline) == written.baseline_text.replace(",", ""), k.id
        assert str(k.target) == written.target_text.replace(",", ""), k.id
    # KPI ↔ measure links, seen from each measure, in document order.
    for measure in parsed.measures:
        assert [k.name for k in seed.kpis if measure.code in k.measures] == [
            listing.name for listing in measure.kpi_listings
        ], measure.code
    for k in seed.kpis:
        assert k.baseline_fiscal_year == parsed.first_fiscal_year - 1 == 2023
        assert k.baseline_fiscal_year_confirmed is False
        assert k.unit in SOURCE_UNITS
        assert (k.data_source, k.responsible_section, k.definition) == ("", "", "")
        assert (k.years, k.target_revisions) == ((), ())


def check_kpi_flags(seed: PlanSnapshot, parsed: ParsedStrategy) -> None:
    assert len(seed.kpis) == len(parsed.kpis)
    for k, source in zip(seed.kpis, parsed.kpis, strict=True):
        assert k.cumulative is source.cumulative, k.id
        if source.target == source.baseline:
            assert k.direction is Direction.MAINTAIN, k.id
        else:
            assert source.target > source.baseline  # the document has no decrease KPI
            assert k.direction is Direction.INCREASE, k.id


ALL_CHECKS: tuple[Callable[[PlanSnapshot, ParsedStrategy], None], ...] = (
    check_plan,
    check_counts,
    check_pillars_and_measures,
    check_placements,
    check_projects,
    check_kpis,
    check_kpi_flags,
)


# ── tests ──────────────────────────────────────────────────────────────────────────────────


def test_fixture_is_the_verbatim_document() -> None:
    assert hashlib.sha256(FIXTURE_PATH.read_bytes()).hexdigest() == FIXTURE_SHA256


def test_document_header_counts(parsed: ParsedStrategy) -> None:
    # 戦略の柱(5)と共創施策(13) / 共創プロジェクト(29 ※再掲3を含む) / KPI(2033年度目標)
    assert (parsed.header.pillars, parsed.header.measures) == (5, 13)
    assert (parsed.header.listings, parsed.header.relistings) == (29, 3)
    assert parsed.kpi_target_fiscal_year == 2033
    # ... and the table body agrees with its header.
    assert len(parsed.pillars) == parsed.header.pillars
    assert len(parsed.measures) == parsed.header.measures
    assert len(parsed.listings) == parsed.header.listings
    assert len(parsed.listings) - len(parsed.home_listings) == parsed.header.relistings
    assert len(parsed.kpi_listings) == 17
    assert len(parsed.kpis) == 16


def test_document_relistings_are_the_known_three(parsed: ParsedStrategy) -> None:
    relistings = {(e.code, e.relisting_of) for e in parsed.listings if e.is_relisting}
    assert relistings == {("1-2-3", "1-1-2"), ("3-2-3", "2-2-1"), ("3-1-1", "2-2-2")}
    assert circled_number("③") == 3


def test_plan(seed: PlanSnapshot, parsed: ParsedStrategy) -> None:
    check_plan(seed, parsed)


def test_counts(seed: PlanSnapshot, parsed: ParsedStrategy) -> None:
    check_counts(seed, parsed)


def test_pillars_and_measures(seed: PlanSnapshot, parsed: ParsedStrategy) -> None:
    check_pillars_and_measures(seed, parsed)


def test_placements(seed: PlanSnapshot, parsed: ParsedStrategy) -> None:
    check_placements(seed, parsed)


def test_projects(seed: PlanSnapshot, parsed: ParsedStrategy) -> None:
    check_projects(seed, parsed)


def test_kpis(seed: PlanSnapshot, parsed: ParsedStrategy) -> None:
    check_kpis(seed, parsed)


def test_kpi_flags(seed: PlanSnapshot, parsed: ParsedStrategy) -> None:
    check_kpi_flags(seed, parsed)


def test_relistings_point_to_their_home_project(seed: PlanSnapshot) -> None:
    placements = {pl.code: pl for p in seed.pillars for m in p.measures for pl in m.placements}
    pairs = {"1-2-3": "1-1-2", "3-2-3": "2-2-1", "3-1-1": "2-2-2"}
    assert {code for code, pl in placements.items() if pl.relisting} == set(pairs)
    for relisting, home in pairs.items():
        assert placements[relisting].project == placements[home].project
        assert placements[home].relisting is False
    assert [placements[code].project for code in pairs] == ["PJ02", "PJ10", "PJ11"]


def test_same_as_above_kpi_has_its_full_name(seed: PlanSnapshot, parsed: ParsedStrategy) -> None:
    written = [k for k in parsed.kpi_listings if k.written_name.startswith("同 ")]
    assert [k.written_name for k in written] == ["同 外国人宿泊客数(延べ人数)"]
    full_name = "主要宿泊施設外国人宿泊客数(延べ人数)"
    assert written[0].name == full_name
    kpi = _kpi(seed, "K11")
    assert kpi.name == full_name
    assert not any(k.name.startswith("同") for k in seed.kpis)


def test_cumulative_exactly_for_the_two_ruikei_kpis(seed: PlanSnapshot) -> None:
    cumulative = [(k.id, k.name) for k in seed.kpis if k.cumulative]
    assert cumulative == [
        ("K01", "青森港を利用する洋上風力発電事業者数(累計)"),
        ("K04", "ITツール等導入事業者数(累計)"),
    ]


def test_maintain_exactly_where_target_equals_baseline(seed: PlanSnapshot) -> None:
    maintain = {k.id for k in seed.kpis if k.direction is Direction.MAINTAIN}
    assert maintain == {k.id for k in seed.kpis if k.target == k.baseline}
    assert maintain == {"K02", "K03", "K06", "K07", "K14"}


def test_offshore_wind_kpi_serves_two_measures(seed: PlanSnapshot) -> None:
    assert _kpi(seed, "K01").measures == ("1-1", "1-2")
    assert [k.id for k in seed.kpis if len(k.measures) > 1] == ["K01"]


def test_values_keep_the_documents_figures(seed: PlanSnapshot) -> None:
    # A few figures spelled out, independent of the parser.
    assert (_kpi(seed, "K10").baseline, _kpi(seed, "K10").target) == (
        Decimal("1109980"),
        Decimal("1490000"),
    )
    assert (_kpi(seed, "K16").baseline, _kpi(seed, "K16").target) == (
        Decimal("8.4"),
        Decimal("8.8"),
    )
    assert _kpi(seed, "K16").target - _kpi(seed, "K16").baseline == Decimal("0.4")
    assert _kpi(seed, "K09").name == "AoMoLink～赤坂～売上額"
    assert _kpi(seed, "K07").name == "AOMORI STARTUP CENTER相談者数"


def _kpi(seed: PlanSnapshot, kpi_id_: str) -> Kpi:
    return next(k for k in seed.kpis if k.id == kpi_id_)


# ── the comparisons catch a changed seed ───────────────────────────────────────────────────


def _replace_kpi(seed: PlanSnapshot, index: int, **changes: object) -> PlanSnapshot:
    kpis = list(seed.kpis)
    kpis[index] = dataclasses.replace(kpis[index], **changes)  # type: ignore[arg-type]
    return dataclasses.replace(seed, kpis=tuple(kpis))


def _replace_project(seed: PlanSnapshot, index: int, **changes: object) -> PlanSnapshot:
    projects = list(seed.projects)
    projects[index] = dataclasses.replace(projects[index], **changes)  # type: ignore[arg-type]
    return dataclasses.replace(seed, projects=tuple(projects))


def _flip_relisting(seed: PlanSnapshot, code: str) -> PlanSnapshot:
    pillars = []
    for pillar in seed.pillars:
        measures = []
        for measure in pillar.measures:
            placements = tuple(
                dataclasses.replace(pl, relisting=not pl.relisting) if pl.code == code else pl
                for pl in measure.placements
            )
            measures.append(dataclasses.replace(measure, placements=placements))
        pillars.append(dataclasses.replace(pillar, measures=tuple(measures)))
    return dataclasses.replace(seed, pillars=tuple(pillars))


def _rename_measure(seed: PlanSnapshot, code: str, title: str) -> PlanSnapshot:
    pillars = tuple(
        dataclasses.replace(
            pillar,
            measures=tuple(
                dataclasses.replace(m, title=title) if m.code == code else m
                for m in pillar.measures
            ),
        )
        for pillar in seed.pillars
    )
    return dataclasses.replace(seed, pillars=pillars)


MUTATIONS: dict[str, Callable[[PlanSnapshot], PlanSnapshot]] = {
    "baseline digit": lambda s: _replace_kpi(s, 9, baseline=Decimal("1109989")),
    "target precision": lambda s: _replace_kpi(s, 15, target=Decimal("8.80")),
    "unit": lambda s: _replace_kpi(s, 11, unit="人"),
    "kpi name": lambda s: _replace_kpi(s, 8, name="AoMoLink~赤坂~売上額"),
    "kpi measure link": lambda s: _replace_kpi(s, 0, measures=("1-1",)),
    "cumulative flag": lambda s: _replace_kpi(s, 4, cumulative=True),
    "direction": lambda s: _replace_kpi(s, 1, direction=Direction.INCREASE),
    "baseline year": lambda s: _replace_kpi(s, 2, baseline_fiscal_year=2024),
    "project description": lambda s: _replace_project(
        s, 5, description=s.projects[5].description.replace("ICT", "IT")
    ),
    "project title": lambda s: _replace_project(s, 19, title="MICE誘致 "),
    "relisting flag": lambda s: _flip_relisting(s, "3-1-1"),
    "measure title": lambda s: _rename_measure(s, "4-2", "魅力を高める観光資源の創出 "),
    "plan description": lambda s: dataclasses.replace(
        s, plan=dataclasses.replace(s.plan, description=s.plan.description.replace("\n", ""))
    ),
    "projects reordered": lambda s: dataclasses.replace(
        s, projects=(s.projects[1], s.projects[0], *s.projects[2:])
    ),
}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
def test_a_changed_seed_is_caught(
    mutation: str, seed: PlanSnapshot, parsed: ParsedStrategy
) -> None:
    changed = MUTATIONS[mutation](seed)
    assert repr(changed) != repr(seed)
    failures = []
    for check in ALL_CHECKS:
        try:
            check(changed, parsed)
        except AssertionError:
            failures.append(check.__name__)
    assert failures, f"no check noticed the {mutation!r} change"
