"""Read a plan from a seed file (TOML) into a `PlanSnapshot`.

The bundled seed `db/seed/aomori_shigoto_senryaku.toml` is the transcription of the strategy
document that a fresh database starts from. The reader is strict: a seed with an unknown key, a
placement naming an unknown project, a project without exactly one home placement, a KPI naming
an unknown measure, a duplicate id or code, or a code that does not fit its pillar/measure is
refused with a `SeedError` (a `ValueError`) whose message says where and what, instead of
turning into a half-loaded plan.

Decimal values are TOML strings ("8.4", "1109980") so that they keep the precision they were
written with; TOML floats are refused. Seed KPIs get `baseline_fiscal_year_confirmed = False`:
the document does not state the baseline year (domain rule: FY2023, shown as 要確認).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

from aomori_desktop.domain.errors import InvalidInput
from aomori_desktop.domain.grading import SCHEME_ABCD
from aomori_desktop.domain.numbers import decimal_from_text
from aomori_desktop.domain.plan import (
    Direction,
    Kpi,
    Measure,
    Partner,
    Pillar,
    Placement,
    PlanInfo,
    PlanSnapshot,
    PlanStatus,
    Project,
    Sector,
)
from aomori_desktop.paths import default_seed_file

__all__ = ["SeedError", "load_default_seed", "load_seed", "snapshot_from_seed_data"]

_MEASURE_CODE = re.compile(r"(?P<pillar>[1-9][0-9]*)-(?P<measure>[1-9][0-9]*)")
_PLACEMENT_CODE = re.compile(
    r"(?P<pillar>[1-9][0-9]*)-(?P<measure>[1-9][0-9]*)-(?P<number>[1-9][0-9]*)"
)
_MIN_FISCAL_YEAR = 1900
_MAX_FISCAL_YEAR = 2999


class SeedError(ValueError):
    """The seed file is not a well-formed plan; the message names the place and the problem."""


def load_default_seed() -> PlanSnapshot:
    """The bundled plan 青森市しごと創造戦略 (works from the source tree and a frozen bundle)."""
    return load_seed(default_seed_file())


def load_seed(path: Path) -> PlanSnapshot:
    """Read and validate the seed file at `path`.

    Raises `SeedError` (a `ValueError`) on a malformed seed, `OSError` if it cannot be read.
    """
    raw = path.read_bytes()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise SeedError(f"{path}: not UTF-8 text ({error})") from error
    except tomllib.TOMLDecodeError as error:
        raise SeedError(f"{path}: not valid TOML: {error}") from error
    try:
        return snapshot_from_seed_data(data)
    except SeedError as error:
        raise SeedError(f"{path}: {error}") from error


def snapshot_from_seed_data(data: Mapping[str, object]) -> PlanSnapshot:
    """Validate parsed TOML (`tomllib.loads` output) and build the snapshot."""
    root = _Table(data, "seed file")
    root.only_keys({"plan", "pillars", "projects", "kpis"})
    plan = _read_plan(root.table("plan"))
    projects = tuple(_read_project(t) for t in root.tables("projects"))
    pillars = tuple(_read_pillar(t) for t in root.tables("pillars"))
    kpis = tuple(_read_kpi(t, plan) for t in root.tables("kpis"))

    _check_unique(("pillar number", str(p.number)) for p in pillars)
    measures = [m for p in pillars for m in p.measures]
    _check_unique(("measure code", m.code) for m in measures)
    placements = [pl for m in measures for pl in m.placements]
    _check_unique(("placement code", pl.code) for pl in placements)
    _check_unique(("project id", p.id) for p in projects)
    _check_unique(("KPI id", k.id) for k in kpis)
    _check_placements(measures, projects)
    _check_kpi_measures(kpis, {m.code for m in measures})
    return PlanSnapshot(plan=plan, pillars=pillars, projects=projects, kpis=kpis)


# ── sections ───────────────────────────────────────────────────────────────────────────────


def _read_plan(table: _Table) -> PlanInfo:
    table.only_keys(
        {"name", "status", "description", "first_fiscal_year", "last_fiscal_year", "thresholds"}
    )
    first = table.fiscal_year("first_fiscal_year")
    last = table.fiscal_year("last_fiscal_year")
    if last < first:
        raise SeedError(
            f"{table.where}: last_fiscal_year {last} is before first_fiscal_year {first}"
        )
    scheme = SCHEME_ABCD
    if "thresholds" in table.data:  # the A–D rule's limits: A (達成率 %) and C (× 期待進捗率)
        limits = table.table("thresholds")
        limits.only_keys({"achieved", "delayed_factor"})
        achieved, on_track, delayed = SCHEME_ABCD.thresholds
        scheme = SCHEME_ABCD.with_thresholds(
            (
                limits.decimal("achieved", default=achieved),
                on_track,
                limits.decimal("delayed_factor", default=delayed),
            )
        )
    return PlanInfo(
        name=table.text("name"),
        first_fiscal_year=first,
        last_fiscal_year=last,
        status=table.choice("status", PlanStatus),
        description=table.optional_text("description"),
        grade_scheme=scheme,
    )


def _read_pillar(table: _Table) -> Pillar:
    number = table.positive_int("number")
    table.where = f"pillar {number}"
    table.only_keys({"number", "lead", "name", "measures"})
    measures = tuple(_read_measure(t, number) for t in table.tables("measures"))
    return Pillar(
        number=number,
        lead=table.optional_text("lead"),
        name=table.text("name"),
        measures=measures,
    )


def _read_measure(table: _Table, pillar: int) -> Measure:
    code = table.text("code")
    table.where = f"measure {code}"
    table.only_keys({"code", "title", "placements"})
    match = _MEASURE_CODE.fullmatch(code)
    if match is None:
        raise SeedError(f"{table.where}: code must look like P-M (e.g. '1-2'), got {code!r}")
    if int(match["pillar"]) != pillar:
        raise SeedError(
            f"{table.where}: code {code!r} does not start with its pillar number {pillar}"
        )
    placements = tuple(_read_placement(t, code) for t in table.tables("placements"))
    return Measure(code=code, title=table.text("title"), placements=placements)


def _read_placement(table: _Table, measure_code: str) -> Placement:
    code = table.text("code")
    table.where = f"placement {code}"
    table.only_keys({"code", "project", "relisting"})
    match = _PLACEMENT_CODE.fullmatch(code)
    if match is None:
        raise SeedError(f"{table.where}: code must look like P-M-N (e.g. '1-2-3'), got {code!r}")
    if f"{match['pillar']}-{match['measure']}" != measure_code:
        raise SeedError(
            f"{table.where}: code {code!r} does not start with its measure code {measure_code!r}"
        )
    return Placement(
        code=code,
        project=table.text("project"),
        relisting=table.boolean("relisting", default=False),
    )


def _read_project(table: _Table) -> Project:
    project_id = table.text("id")
    table.where = f"project {project_id}"
    table.only_keys({"id", "title", "description", "responsible_section", "partners"})
    partners: list[Partner] = []
    if "partners" in table.data:
        for partner in table.tables("partners"):
            partner.only_keys({"sector", "name"})
            partners.append(
                Partner(sector=partner.choice("sector", Sector), name=partner.text("name"))
            )
    return Project(
        id=project_id,
        title=table.text("title"),
        description=table.optional_text("description"),
        responsible_section=table.optional_text("responsible_section"),
        partners=tuple(partners),
    )


def _read_kpi(table: _Table, plan: PlanInfo) -> Kpi:
    kpi_id = table.text("id")
    table.where = f"KPI {kpi_id}"
    table.only_keys(
        {
            "id",
            "name",
            "unit",
            "baseline",
            "baseline_fiscal_year",
            "target",
            "target_fiscal_year",
            "direction",
            "cumulative",
            "measures",
            "data_source",
            "responsible_section",
            "definition",
        }
    )
    baseline = table.decimal("baseline")
    target = table.decimal("target")
    baseline_year = table.fiscal_year("baseline_fiscal_year")
    target_year = table.fiscal_year("target_fiscal_year")
    direction = table.choice("direction", Direction)
    if not baseline_year < target_year:
        raise SeedError(
            f"{table.where}: baseline_fiscal_year {baseline_year} must be before "
            f"target_fiscal_year {target_year}"
        )
    if not plan.first_fiscal_year <= target_year <= plan.last_fiscal_year:
        raise SeedError(
            f"{table.where}: target_fiscal_year {target_year} is outside the plan period "
            f"{plan.first_fiscal_year}–{plan.last_fiscal_year}"
        )
    _check_direction(table.where, direction, baseline, target)
    return Kpi(
        id=kpi_id,
        name=table.text("name"),
        unit=table.text("unit"),
        baseline=baseline,
        baseline_fiscal_year=baseline_year,
        target=target,
        target_fiscal_year=target_year,
        direction=direction,
        cumulative=table.boolean("cumulative"),
        measures=table.text_list("measures"),
        baseline_fiscal_year_confirmed=False,
        data_source=table.optional_text("data_source"),
        responsible_section=table.optional_text("responsible_section"),
        definition=table.optional_text("definition"),
    )


# ── cross-checks ───────────────────────────────────────────────────────────────────────────


def _check_unique(items: Iterable[tuple[str, str]]) -> None:
    seen: set[tuple[str, str]] = set()
    for kind, key in items:
        if (kind, key) in seen:
            raise SeedError(f"duplicate {kind} {key!r}")
        seen.add((kind, key))


def _check_placements(measures: list[Measure], projects: tuple[Project, ...]) -> None:
    homes: dict[str, list[str]] = {p.id: [] for p in projects}
    for measure in measures:
        placed_here: set[str] = set()
        for placement in measure.placements:
            if placement.project not in homes:
                raise SeedError(
                    f"placement {placement.code}: unknown project id {placement.project!r} "
                    "(not listed under [[projects]])"
                )
            if placement.project in placed_here:
                raise SeedError(
                    f"placement {placement.code}: project {placement.project} is placed twice "
                    f"under measure {measure.code}"
                )
            placed_here.add(placement.project)
            if not placement.relisting:
                homes[placement.project].append(placement.code)
    for project_id, codes in homes.items():
        if not codes:
            raise SeedError(
                f"project {project_id} has no home placement (exactly one placement without "
                "relisting = true is needed)"
            )
        if len(codes) > 1:
            raise SeedError(
                f"project {project_id} has {len(codes)} home placements ({', '.join(codes)}); "
                "mark every placement but one with relisting = true"
            )


def _check_kpi_measures(kpis: tuple[Kpi, ...], measure_codes: set[str]) -> None:
    for kpi in kpis:
        if not kpi.measures:
            raise SeedError(f"KPI {kpi.id}: measures must name at least one measure")
        for code in kpi.measures:
            if code not in measure_codes:
                raise SeedError(f"KPI {kpi.id}: unknown measure {code!r} in measures")
        if len(set(kpi.measures)) != len(kpi.measures):
            raise SeedError(f"KPI {kpi.id}: a measure is named twice in measures")


def _check_direction(where: str, direction: Direction, baseline: Decimal, target: Decimal) -> None:
    if direction is Direction.MAINTAIN and target != baseline:
        raise SeedError(
            f"{where}: direction 'maintain' needs target == baseline "
            f"(baseline {baseline}, target {target})"
        )
    if direction is Direction.INCREASE and target < baseline:
        raise SeedError(
            f"{where}: direction 'increase' but target {target} is below baseline {baseline}"
        )
    if direction is Direction.DECREASE and target > baseline:
        raise SeedError(
            f"{where}: direction 'decrease' but target {target} is above baseline {baseline}"
        )


# ── typed access to one TOML table ─────────────────────────────────────────────────────────


class _Table:
    """One TOML table plus a human-readable location for error messages."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, dict):
            raise SeedError(f"{where}: expected a table, got {_kind(data)}")
        self.data: dict[str, object] = data
        self.where = where

    def only_keys(self, allowed: set[str]) -> None:
        unknown = sorted(set(self.data) - allowed)
        if unknown:
            raise SeedError(
                f"{self.where}: unknown key(s) {', '.join(unknown)} "
                f"(allowed: {', '.join(sorted(allowed))})"
            )

    def _required(self, key: str) -> object:
        if key not in self.data:
            raise SeedError(f"{self.where}: missing key {key!r}")
        return self.data[key]

    def table(self, key: str) -> _Table:
        value = self._required(key)
        if not isinstance(value, dict):
            raise SeedError(f"{self.where}: {key} must be a table, got {_kind(value)}")
        return _Table(value, f"[{key}]" if self.where == "seed file" else f"{self.where}.{key}")

    def tables(self, key: str) -> list[_Table]:
        value = self._required(key)
        if not isinstance(value, list) or not value:
            raise SeedError(f"{self.where}: {key} must be a non-empty array of tables")
        prefix = "" if self.where == "seed file" else f"{self.where}, "
        return [_Table(item, f"{prefix}{key}[{i}]") for i, item in enumerate(value)]

    def text(self, key: str) -> str:
        value = self._required(key)
        if not isinstance(value, str):
            raise SeedError(f"{self.where}: {key} must be a string, got {_kind(value)}")
        if not value.strip():
            raise SeedError(f"{self.where}: {key} must not be empty")
        if value != value.strip():
            raise SeedError(f"{self.where}: {key} has leading or trailing whitespace: {value!r}")
        return value

    def optional_text(self, key: str) -> str:
        if key not in self.data:
            return ""
        value = self.data[key]
        if not isinstance(value, str):
            raise SeedError(f"{self.where}: {key} must be a string, got {_kind(value)}")
        return value

    def text_list(self, key: str) -> tuple[str, ...]:
        value = self._required(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise SeedError(f"{self.where}: {key} must be an array of strings")
        return tuple(str(v) for v in value)

    def boolean(self, key: str, *, default: bool | None = None) -> bool:
        if key not in self.data and default is not None:
            return default
        value = self._required(key)
        if not isinstance(value, bool):
            raise SeedError(f"{self.where}: {key} must be true or false, got {_kind(value)}")
        return value

    def positive_int(self, key: str) -> int:
        value = self._required(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise SeedError(f"{self.where}: {key} must be a positive integer, got {value!r}")
        return value

    def fiscal_year(self, key: str) -> int:
        value = self._required(key)
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not _MIN_FISCAL_YEAR <= value <= _MAX_FISCAL_YEAR
        ):
            raise SeedError(
                f"{self.where}: {key} must be a fiscal year such as 2024, got {value!r}"
            )
        return value

    def decimal(self, key: str, *, default: Decimal | None = None) -> Decimal:
        if key not in self.data and default is not None:
            return default
        value = self._required(key)
        if not isinstance(value, str):
            raise SeedError(
                f'{self.where}: {key} must be a decimal written as a string (e.g. "8.4") '
                f"to keep its precision, got {_kind(value)} {value!r}"
            )
        try:
            return decimal_from_text(value)
        except InvalidInput as error:
            raise SeedError(
                f"{self.where}: {key} {value!r} is not a plain decimal number "
                f"(digits, optional '-' and '.', no thousands separators): {error.message}"
            ) from error

    def choice[E: StrEnum](self, key: str, enum: type[E]) -> E:
        value = self._required(key)
        allowed = [member.value for member in enum]
        if not isinstance(value, str) or value not in allowed:
            raise SeedError(
                f"{self.where}: {key} must be one of {', '.join(allowed)}, got {value!r}"
            )
        return enum(value)


def _kind(value: object) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a float",
        str: "a string",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)
