"""An independent parser of the strategy document (tests/fixtures/strategy_source.txt).

Tests compare what the application stores (the seed, later a database export) with what this
parser reads from the document itself. It shares no code with the application on purpose: it
works on the raw text with regular expressions, and it is strict — every character of every
table cell must be accounted for, so a change in the document or a slip in the parser fails
loudly instead of silently dropping a project or a KPI.

The document is one header, two intro bullets and a tab-separated table:
    pillar | measure | projects (①…④) | KPIs ("name 1,175億円 → 1,669億円", repeated)
A pillar cell is empty on the rows of its second and later measures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

FIXTURE_PATH = Path(__file__).parent / "fixtures" / "strategy_source.txt"

CIRCLED = "①②③④⑤⑥⑦⑧⑨"
CUMULATIVE_MARK = "(累計)"
SAME_AS_ABOVE = "同 "  # "同 外国人宿泊客数…": 同 stands for the previous KPI's subject

_TITLE = re.compile(r"(?P<name>.+)\((?P<status>案)\)について")
_PERIOD = re.compile(
    r"・対象期間：令和(?P<r1>\d+)\((?P<y1>\d{4})\)年度から令和(?P<r2>\d+)\((?P<y2>\d{4})\)年度"
    r"の(?P<years>\d+)年間"
)
_HEADER = re.compile(
    r"戦略の柱\((?P<pillars>\d+)\)と共創施策\((?P<measures>\d+)\)\t\t"
    r"共創プロジェクト\((?P<listings>\d+) ※再掲(?P<relistings>\d+)を含む\)\t"
    r"KPI\((?P<target_year>\d{4})年度目標\)"
)
_PILLAR = re.compile(r"(?P<number>\d+) (?P<lead>\S+) (?P<name>\S+)")
_MEASURE = re.compile(r"(?P<number>\d+) (?P<title>\S+)")
# A circled number starts a project unless it is part of a "1-2-③" reference.
_PROJECT_START = re.compile(rf"(?<!-)[{CIRCLED}]")
_PROJECT = re.compile(
    rf"(?P<circled>[{CIRCLED}])(?P<title>\S+?)"
    rf"(?:\((?P<ref>\d+-\d+-[{CIRCLED}])(?P<kind>へ再掲|の再掲)\))?"
    r"(?: (?P<description>\S+))?"
)
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_KPI = re.compile(
    rf"(?P<name>\S.*?) (?P<baseline>{_NUMBER})(?P<baseline_unit>[^\s\d]+)"
    rf" → (?P<target>{_NUMBER})(?P<target_unit>[^\s\d]+)(?: |$)"
)


@dataclass(frozen=True, slots=True)
class ParsedListing:
    """One ①②… entry of a projects cell."""

    code: str  # "1-2-3"
    title: str  # without the 再掲 annotation
    description: str  # "" for a re-listing (the document gives it only at home)
    relisted_as: str | None  # "1-2-3" when the entry says "(1-2-③へ再掲)"
    relisting_of: str | None  # "1-1-2" when the entry says "(1-1-②の再掲)"

    @property
    def is_relisting(self) -> bool:
        return self.relisting_of is not None


@dataclass(frozen=True, slots=True)
class ParsedKpiListing:
    """One KPI as written in one measure's KPI cell."""

    measure: str
    written_name: str  # as in the document, e.g. "同 外国人宿泊客数(延べ人数)"
    name: str  # full name (同 expanded)
    unit: str
    baseline_text: str  # as written, e.g. "1,109,980"
    target_text: str


@dataclass(frozen=True, slots=True)
class ParsedKpi:
    """A distinct KPI: its listings merged (same full name, same figures)."""

    name: str
    unit: str
    baseline: Decimal
    target: Decimal
    target_fiscal_year: int
    measures: tuple[str, ...]  # in document order

    @property
    def cumulative(self) -> bool:
        return CUMULATIVE_MARK in self.name


@dataclass(frozen=True, slots=True)
class ParsedMeasure:
    code: str  # "1-2"
    title: str
    listings: tuple[ParsedListing, ...]
    kpi_listings: tuple[ParsedKpiListing, ...]


@dataclass(frozen=True, slots=True)
class ParsedPillar:
    number: int
    lead: str
    name: str
    measures: tuple[ParsedMeasure, ...]


@dataclass(frozen=True, slots=True)
class HeaderCounts:
    """The counts the table header states.

    戦略の柱(5)と共創施策(13) / 共創プロジェクト(29 ※再掲3を含む)
    """

    pillars: int
    measures: int
    listings: int
    relistings: int


@dataclass(frozen=True, slots=True)
class ParsedStrategy:
    plan_name: str  # "青森市しごと創造戦略"
    is_draft: bool  # "(案)"
    intro: tuple[str, ...]  # the intro bullets without the "・" marker
    first_fiscal_year: int
    last_fiscal_year: int
    header: HeaderCounts
    kpi_target_fiscal_year: int
    pillars: tuple[ParsedPillar, ...]

    @property
    def measures(self) -> tuple[ParsedMeasure, ...]:
        return tuple(m for p in self.pillars for m in p.measures)

    @property
    def listings(self) -> tuple[ParsedListing, ...]:
        return tuple(entry for m in self.measures for entry in m.listings)

    @property
    def home_listings(self) -> tuple[ParsedListing, ...]:
        """The distinct projects, in document order of their home placement."""
        return tuple(entry for entry in self.listings if not entry.is_relisting)

    @property
    def kpi_listings(self) -> tuple[ParsedKpiListing, ...]:
        return tuple(k for m in self.measures for k in m.kpi_listings)

    @property
    def kpis(self) -> tuple[ParsedKpi, ...]:
        """Distinct KPIs in document order of first appearance."""
        merged: dict[str, list[ParsedKpiListing]] = {}
        for listing in self.kpi_listings:
            merged.setdefault(listing.name, []).append(listing)
        result = []
        for name, listings in merged.items():
            first = listings[0]
            for other in listings[1:]:
                if (other.unit, other.baseline_text, other.target_text) != (
                    first.unit,
                    first.baseline_text,
                    first.target_text,
                ):
                    raise ValueError(f"KPI {name!r} is listed twice with different figures")
            result.append(
                ParsedKpi(
                    name=name,
                    unit=first.unit,
                    baseline=source_decimal(first.baseline_text),
                    target=source_decimal(first.target_text),
                    target_fiscal_year=self.kpi_target_fiscal_year,
                    measures=tuple(item.measure for item in listings),
                )
            )
        return tuple(result)


def source_decimal(text: str) -> Decimal:
    """ "1,109,980" → Decimal("1109980"); "8.4" → Decimal("8.4")."""
    return Decimal(text.replace(",", ""))


def circled_number(char: str) -> int:
    return CIRCLED.index(char) + 1


def read_fixture() -> str:
    return FIXTURE_PATH.read_text(encoding="utf-8")


def parse_fixture() -> ParsedStrategy:
    return parse_source(read_fixture())


def parse_source(text: str) -> ParsedStrategy:
    lines = [line for line in text.split("\n") if line.strip()]
    if len(lines) < 5:
        raise ValueError("the document is too short")
    title, *rest = lines
    title_match = _TITLE.fullmatch(title)
    if title_match is None:
        raise ValueError(f"unexpected title line: {title!r}")

    intro = []
    while rest and rest[0].startswith("・"):
        intro.append(rest.pop(0))
    period = _PERIOD.fullmatch(intro[-1]) if intro else None
    if period is None:
        raise ValueError("the last intro bullet is not the 対象期間 line")
    first, last = int(period["y1"]), int(period["y2"])
    if int(period["r1"]) + 2018 != first or int(period["r2"]) + 2018 != last:
        raise ValueError("令和 and Western years of the period disagree")
    if last - first + 1 != int(period["years"]):
        raise ValueError("the period's length disagrees with its years")

    header_line, *rows = rest
    header = _HEADER.fullmatch(header_line)
    if header is None:
        raise ValueError(f"unexpected table header: {header_line!r}")

    pillars: list[ParsedPillar] = []
    pillar: tuple[int, str, str] | None = None
    measures: list[ParsedMeasure] = []
    previous_kpi_name: str | None = None
    for row in rows:
        cells = row.split("\t")
        if len(cells) != 4:
            raise ValueError(f"expected 4 tab-separated cells, got {len(cells)}: {row[:40]!r}")
        pillar_cell, measure_cell, projects_cell, kpi_cell = cells
        if pillar_cell:
            if pillar is not None:
                pillars.append(ParsedPillar(*pillar, measures=tuple(measures)))
            p = _PILLAR.fullmatch(pillar_cell)
            if p is None:
                raise ValueError(f"unexpected pillar cell: {pillar_cell!r}")
            pillar = (int(p["number"]), p["lead"], p["name"])
            if pillar[0] != len(pillars) + 1:
                raise ValueError(f"pillar {pillar[0]} is out of sequence")
            measures = []
        if pillar is None:
            raise ValueError("a measure row before the first pillar")
        m = _MEASURE.fullmatch(measure_cell)
        if m is None:
            raise ValueError(f"unexpected measure cell: {measure_cell!r}")
        if int(m["number"]) != len(measures) + 1:
            raise ValueError(f"measure {measure_cell!r} is out of sequence")
        code = f"{pillar[0]}-{m['number']}"
        kpi_listings = _parse_kpis(code, kpi_cell, previous_kpi_name)
        previous_kpi_name = kpi_listings[-1].name
        measures.append(
            ParsedMeasure(
                code=code,
                title=m["title"],
                listings=_parse_projects(code, projects_cell),
                kpi_listings=kpi_listings,
            )
        )
    if pillar is None:
        raise ValueError("the table has no rows")
    pillars.append(ParsedPillar(*pillar, measures=tuple(measures)))

    strategy = ParsedStrategy(
        plan_name=title_match["name"],
        is_draft=title_match["status"] == "案",
        intro=tuple(line.removeprefix("・") for line in intro),
        first_fiscal_year=first,
        last_fiscal_year=last,
        header=HeaderCounts(
            pillars=int(header["pillars"]),
            measures=int(header["measures"]),
            listings=int(header["listings"]),
            relistings=int(header["relistings"]),
        ),
        kpi_target_fiscal_year=int(header["target_year"]),
        pillars=tuple(pillars),
    )
    _check_relisting_links(strategy)
    return strategy


def _parse_projects(measure_code: str, cell: str) -> tuple[ParsedListing, ...]:
    starts = [match.start() for match in _PROJECT_START.finditer(cell)]
    if not starts or starts[0] != 0:
        raise ValueError(f"{measure_code}: projects cell does not start with ①: {cell[:20]!r}")
    chunks = [cell[a:b].strip() for a, b in zip(starts, [*starts[1:], len(cell)], strict=True)]
    if " ".join(chunks) != cell:
        raise ValueError(f"{measure_code}: unexpected spacing in the projects cell")
    listings = []
    for index, chunk in enumerate(chunks, start=1):
        match = _PROJECT.fullmatch(chunk)
        if match is None:
            raise ValueError(f"{measure_code}: cannot read project entry {chunk!r}")
        if circled_number(match["circled"]) != index:
            raise ValueError(f"{measure_code}: project {match['circled']} is out of sequence")
        ref = match["ref"]
        if ref is not None:
            *head, circled = ref.split("-")
            ref = "-".join([*head, str(circled_number(circled))])
        description = match["description"] or ""
        relisting_of = ref if match["kind"] == "の再掲" else None
        if (relisting_of is None) == (description == ""):
            raise ValueError(
                f"{measure_code}-{index}: a description is expected exactly where the entry "
                "is not a re-listing"
            )
        listings.append(
            ParsedListing(
                code=f"{measure_code}-{index}",
                title=match["title"],
                description=description,
                relisted_as=ref if match["kind"] == "へ再掲" else None,
                relisting_of=relisting_of,
            )
        )
    return tuple(listings)


def _parse_kpis(
    measure_code: str, cell: str, previous_name: str | None
) -> tuple[ParsedKpiListing, ...]:
    matches = list(_KPI.finditer(cell))
    if not matches or "".join(m.group(0) for m in matches) != cell:
        raise ValueError(f"{measure_code}: cannot read the KPI cell {cell!r}")
    listings = []
    for match in matches:
        if match["baseline_unit"] != match["target_unit"]:
            raise ValueError(f"{measure_code}: baseline and target units differ in {cell!r}")
        written = match["name"]
        name = written
        if written.startswith(SAME_AS_ABOVE):
            if previous_name is None:
                raise ValueError(f"{measure_code}: 同 without a previous KPI")
            name = expand_same_as_above(previous_name, written.removeprefix(SAME_AS_ABOVE))
        listings.append(
            ParsedKpiListing(
                measure=measure_code,
                written_name=written,
                name=name,
                unit=match["baseline_unit"],
                baseline_text=match["baseline"],
                target_text=match["target"],
            )
        )
        previous_name = name
    return tuple(listings)


def expand_same_as_above(previous: str, rest: str) -> str:
    """同 repeats the previous KPI's subject: the part of its name before the common ending.

    主要宿泊施設宿泊客数(延べ人数) + 同 外国人宿泊客数(延べ人数)
      → common ending 宿泊客数(延べ人数), subject 主要宿泊施設
      → 主要宿泊施設外国人宿泊客数(延べ人数)
    """
    common = 0
    while common < min(len(previous), len(rest)) and previous[-1 - common] == rest[-1 - common]:
        common += 1
    subject = previous[: len(previous) - common]
    if not subject or common == 0:
        raise ValueError(f"cannot expand 同 {rest!r} after {previous!r}")
    return subject + rest


def _check_relisting_links(strategy: ParsedStrategy) -> None:
    """Every "(x へ再掲)" has a matching "(y の再掲)" entry with the same title, and back."""
    by_code = {entry.code: entry for entry in strategy.listings}
    for entry in strategy.listings:
        if entry.relisted_as is not None:
            other = by_code.get(entry.relisted_as)
            if other is None or other.relisting_of != entry.code or other.title != entry.title:
                raise ValueError(f"{entry.code}: re-listing {entry.relisted_as} does not match")
        if entry.relisting_of is not None:
            home = by_code.get(entry.relisting_of)
            if home is None or home.relisted_as != entry.code or home.title != entry.title:
                raise ValueError(
                    f"{entry.code}: home placement {entry.relisting_of} does not match"
                )
