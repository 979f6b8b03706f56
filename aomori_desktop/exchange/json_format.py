"""The JSON interchange format (documented in docs/interchange.md).

`dump_plan` writes a `PlanSnapshot` with the computed progress of every KPI year;
`load_plan` reads one back, checking every field and listing every problem with its location.
Decimal values travel as JSON strings exactly as stored ("8.40" stays "8.40").
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, TypeVar

from aomori_desktop.domain.errors import InvalidInput
from aomori_desktop.domain.grading import GradeScheme
from aomori_desktop.domain.numbers import decimal_from_text, decimal_to_text
from aomori_desktop.domain.plan import (
    AuditEntry,
    Direction,
    FigureStatus,
    Kpi,
    KpiYear,
    Measure,
    Partner,
    Pillar,
    Placement,
    PlanInfo,
    PlanSnapshot,
    PlanStatus,
    Project,
    ProjectStatus,
    ProjectYear,
    Sector,
    TargetRevision,
)
from aomori_desktop.domain.progress import KpiTerms, evaluate_year, format_rate
from aomori_desktop.domain.validation import character_problem, shown

FORMAT = "aomori-desktop/plan"
VERSION = 2  # 2: grade schemes and the yearly evaluation (version 1 files still read)

T = TypeVar("T")


class FormatError(InvalidInput):
    """The file is not a valid interchange document; `problems` lists each, with its location."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        head = f"JSONファイルに{len(problems)}件の問題があるため、読み込みを中止しました（何も変更していません）:"
        super().__init__(head + "\n" + "\n".join(f"・{p}" for p in problems[:50]))


# ---------------------------------------------------------------- writing


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else decimal_to_text(value)


def _dt(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _kpi_to_json(kpi: Kpi, fiscal_years: range, scheme: GradeScheme) -> dict[str, Any]:
    from aomori_desktop.exchange.json_evaluation import outlook_to_json

    terms = KpiTerms(
        baseline=kpi.baseline,
        baseline_fiscal_year=kpi.baseline_fiscal_year,
        target=kpi.target,
        target_fiscal_year=kpi.target_fiscal_year,
        direction=kpi.direction,
    )
    stored = {y.fiscal_year: y for y in kpi.years}
    years = []
    for fy in fiscal_years:
        y = stored.get(fy, KpiYear(fiscal_year=fy))
        progress = evaluate_year(terms, fy, y.actual, y.interim_target, scheme)
        years.append(
            {
                "fiscal_year": fy,
                "actual": _dec(y.actual),
                "interim_target": _dec(y.interim_target),
                "status": y.status.value if y.status else None,
                "comment": y.comment,
                "entered_by": y.entered_by,
                "entered_at": _dt(y.entered_at),
                "achievement_rate": format_rate(progress.achievement_rate),
                "expected_rate": format_rate(progress.expected_rate),
                "grade": progress.grade.value,
            }
        )
    return {
        "id": kpi.id,
        "name": kpi.name,
        "unit": kpi.unit,
        "baseline": {
            "value": _dec(kpi.baseline),
            "fiscal_year": kpi.baseline_fiscal_year,
            "fiscal_year_confirmed": kpi.baseline_fiscal_year_confirmed,
        },
        "target": {"value": _dec(kpi.target), "fiscal_year": kpi.target_fiscal_year},
        "direction": kpi.direction.value,
        "cumulative": kpi.cumulative,
        "measures": list(kpi.measures),
        "data_source": kpi.data_source,
        "responsible_section": kpi.responsible_section,
        "definition": kpi.definition,
        "years": years,
        "target_revisions": [
            {
                "old": {"value": _dec(r.old_value), "fiscal_year": r.old_fiscal_year},
                "new": {"value": _dec(r.new_value), "fiscal_year": r.new_fiscal_year},
                "reason": r.reason,
                "revised_by": r.revised_by,
                "revised_at": _dt(r.revised_at),
            }
            for r in kpi.target_revisions
        ],
        "outlook": outlook_to_json(kpi),
    }


def plan_to_dict(snapshot: PlanSnapshot) -> dict[str, Any]:
    from aomori_desktop.exchange.json_evaluation import evaluation_to_json, grading_to_json

    info = snapshot.plan
    return {
        "format": FORMAT,
        "version": VERSION,
        "plan": {
            "name": info.name,
            "status": info.status.value,
            "description": info.description,
            "first_fiscal_year": info.first_fiscal_year,
            "last_fiscal_year": info.last_fiscal_year,
            "grading": grading_to_json(info.grade_scheme),
        },
        "pillars": [
            {
                "number": p.number,
                "title": p.title,
                "lead": p.lead,
                "name": p.name,
                "measures": [
                    {
                        "code": m.code,
                        "title": m.title,
                        "placements": [
                            {"code": pl.code, "project": pl.project, "relisting": pl.relisting}
                            for pl in m.placements
                        ],
                    }
                    for m in p.measures
                ],
            }
            for p in snapshot.pillars
        ],
        "projects": [
            {
                "id": p.id,
                "title": p.title,
                "description": p.description,
                "responsible_section": p.responsible_section,
                "partners": [{"sector": pa.sector.value, "name": pa.name} for pa in p.partners],
                "years": [
                    {
                        "fiscal_year": y.fiscal_year,
                        "status": y.status.value if y.status else None,
                        "note": y.note,
                        "entered_by": y.entered_by,
                        "entered_at": _dt(y.entered_at),
                    }
                    for y in p.years
                ],
            }
            for p in snapshot.projects
        ],
        "kpis": [_kpi_to_json(k, snapshot.fiscal_years, info.grade_scheme) for k in snapshot.kpis],
        "evaluations": evaluation_to_json(snapshot),
        "audit": [
            {
                "at": _dt(a.at),
                "user": a.user,
                "action": a.action,
                "entity": a.entity,
                "entity_key": a.entity_key,
                "field": a.field,
                "old": a.old,
                "new": a.new,
                "reason": a.reason,
            }
            for a in snapshot.audit
        ],
    }


def dump_plan(snapshot: PlanSnapshot) -> str:
    """The document as UTF-8 JSON text: stable key order and layout, so equal plans give
    byte-identical files."""
    return json.dumps(plan_to_dict(snapshot), ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------- reading
#
# Only the format is checked here (JSON syntax, types, one value per key, storable strings);
# the limits of the values themselves (lengths, digits, fiscal years, codes) are the plan's
# rules in `domain.validation`, which an import applies like every other way in.

#: Longer integer literals are no value of this format (and from 4,301 digits on, Python's
#: int() refuses them with a ValueError that escaped as an unexpected error).
_MAX_INT_DIGITS = 30


class _HugeInt:
    """An integer literal too long to be read as a number; reported where a number is read."""

    __slots__ = ("digits",)

    def __init__(self, digits: int) -> None:
        self.digits = digits

    def __repr__(self) -> str:
        return f"{self.digits}桁の整数"


def _parse_int(text: str) -> int | _HugeInt:
    digits = len(text.lstrip("-"))
    return _HugeInt(digits) if digits > _MAX_INT_DIGITS else int(text)


class _Object(dict[str, Any]):
    """A JSON object in which some key is written more than once (`duplicates`)."""

    duplicates: list[str]


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """`object_pairs_hook`: json.loads would keep only the last of a repeated key (a second
    "kpis": [] silently dropped every KPI), so repeats are kept to be reported."""
    result = dict(pairs)
    if len(result) == len(pairs):
        return result
    marked = _Object(result)
    seen: set[str] = set()
    marked.duplicates = []
    for key, _value in pairs:
        if key in seen and key not in marked.duplicates:
            marked.duplicates.append(key)
        seen.add(key)
    return marked


def _child(path: str, key: str) -> str:
    return key if path == "$" else f"{path}.{key}"


def _scan(root: Any) -> list[str]:
    """Problems of the document as a whole, each with its path: keys written twice in one
    object and strings that no database can store (a lone surrogate such as "\\ud800", NUL).
    Iterative, so any depth json.loads accepted is walked."""
    problems: list[str] = []
    stack: list[tuple[str, Any]] = [("$", root)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            problem = character_problem(path, "文字列", value)
            if problem:
                problems.append(problem)
        elif isinstance(value, dict):
            for key in getattr(value, "duplicates", ()):
                problems.append(
                    f"{path}: 項目「{shown(key)}」が重複しています（同じ項目は1回だけ書いてください）。"
                )
            children = []
            for key, item in value.items():
                where = _child(path, shown(key))
                problem = character_problem(where, "項目名", key)
                if problem:
                    problems.append(problem)
                children.append((where, item))
            stack.extend(reversed(children))
        elif isinstance(value, list):
            stack.extend(reversed([(f"{path}[{i}]", item) for i, item in enumerate(value)]))
    return problems


_SURROGATE = re.compile("[\ud800-\udfff]")


def _may_hold_unstorable_text(text: str) -> bool:
    """Whether a string of the parsed document can hold a lone surrogate or NUL at all.

    A JSON string holds one only through a `\\u` escape (a raw NUL is a syntax error there)
    or when the text itself carries a surrogate; without either, walking every value of a
    plan of 5,000 KPIs (a third of an import's time) can find nothing.
    """
    return "\\u" in text or _SURROGATE.search(text) is not None


class _Reader:
    """Walks the parsed JSON, collecting every problem with its path instead of stopping."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def obj(self, value: Any, path: str) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.fail(path, "オブジェクト（{…}）が必要です。")
            return None
        return value

    def list_(
        self, parent: dict[str, Any], key: str, path: str, *, required: bool = True
    ) -> list[Any]:
        if key not in parent:
            if required:
                self.fail(f"{path}.{key}", "項目がありません。")
            return []
        value = parent[key]
        if not isinstance(value, list):
            self.fail(f"{path}.{key}", "配列（[…]）が必要です。")
            return []
        return value

    def str_(
        self, parent: dict[str, Any], key: str, path: str, *, default: str | None = None
    ) -> str:
        if key not in parent:
            if default is not None:
                return default
            self.fail(f"{path}.{key}", "項目がありません。")
            return ""
        value = parent[key]
        if not isinstance(value, str):
            self.fail(f"{path}.{key}", "文字列が必要です。")
            return ""
        return value

    def opt_str(self, parent: dict[str, Any], key: str, path: str) -> str | None:
        value = parent.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(f"{path}.{key}", "文字列または null が必要です。")
            return None
        return value

    def int_(self, parent: dict[str, Any], key: str, path: str) -> int:
        value = parent.get(key)
        if isinstance(value, _HugeInt):
            self.fail(f"{path}.{key}", f"整数の桁数が多すぎます（{value!r}）。")
            return 0
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(f"{path}.{key}", "整数が必要です。")
            return 0
        return value

    def bool_(
        self, parent: dict[str, Any], key: str, path: str, *, default: bool | None = None
    ) -> bool:
        if key not in parent and default is not None:
            return default
        value = parent.get(key)
        if not isinstance(value, bool):
            self.fail(f"{path}.{key}", "true または false が必要です。")
            return False
        return value

    def decimal(self, parent: dict[str, Any], key: str, path: str) -> Decimal:
        value = self.opt_decimal(parent, key, path)
        if value is None:
            if key in parent and parent[key] is None:
                self.fail(f"{path}.{key}", "値が必要です。")
            elif key not in parent:
                self.fail(f"{path}.{key}", "項目がありません。")
            return Decimal(0)
        return value

    def opt_decimal(self, parent: dict[str, Any], key: str, path: str) -> Decimal | None:
        value = parent.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(f"{path}.{key}", '数値は文字列（例: "1234.5"）で記録してください。')
            return None
        try:
            return decimal_from_text(value)
        except InvalidInput:
            self.fail(f"{path}.{key}", f"「{shown(value)}」は数値として読み取れません。")
            return None

    def enum(
        self,
        enum_type: Callable[[str], T],
        parent: dict[str, Any],
        key: str,
        path: str,
        allowed: str,
    ) -> T | None:
        value = parent.get(key)
        if value is None:
            return None
        try:
            return enum_type(value)
        except ValueError:
            self.fail(f"{path}.{key}", f"「{shown(value)}」は使えません（{allowed}）。")
            return None

    def datetime_(self, parent: dict[str, Any], key: str, path: str) -> datetime | None:
        value = parent.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.fail(f"{path}.{key}", "日時は文字列（ISO 8601）で記録してください。")
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            self.fail(f"{path}.{key}", f"「{shown(value)}」は日時として読み取れません。")
            return None
        if parsed.tzinfo is None:
            self.fail(f"{path}.{key}", "日時にはタイムゾーン（例: +00:00）が必要です。")
            return None
        try:
            parsed.astimezone(UTC)  # how it is stored (0001-01-01T00:00+09:00 has no UTC)
        except OverflowError:
            self.fail(f"{path}.{key}", f"「{shown(value)}」は扱える日時の範囲外です。")
            return None
        return parsed


def _read_plan_info(r: _Reader, raw: Any) -> PlanInfo:
    from aomori_desktop.exchange.json_evaluation import read_grading

    plan = r.obj(raw, "plan") or {}
    name = r.str_(plan, "name", "plan")
    status = r.enum(PlanStatus, plan, "status", "plan", "draft / adopted")
    description = r.str_(plan, "description", "plan", default="")
    first_fiscal_year = r.int_(plan, "first_fiscal_year", "plan")
    last_fiscal_year = r.int_(plan, "last_fiscal_year", "plan")
    return PlanInfo(
        name=name,
        status=status or PlanStatus.DRAFT,
        description=description,
        first_fiscal_year=first_fiscal_year,
        last_fiscal_year=last_fiscal_year,
        grade_scheme=read_grading(r, plan),
    )


def _read_pillars(r: _Reader, doc: dict[str, Any]) -> tuple[Pillar, ...]:
    pillars = []
    for i, raw in enumerate(r.list_(doc, "pillars", "$")):
        path = f"pillars[{i}]"
        p = r.obj(raw, path)
        if p is None:
            continue
        measures = []
        for j, raw_m in enumerate(r.list_(p, "measures", path)):
            mpath = f"{path}.measures[{j}]"
            m = r.obj(raw_m, mpath)
            if m is None:
                continue
            placements = []
            for k, raw_pl in enumerate(r.list_(m, "placements", mpath)):
                plpath = f"{mpath}.placements[{k}]"
                pl = r.obj(raw_pl, plpath)
                if pl is None:
                    continue
                placements.append(
                    Placement(
                        code=r.str_(pl, "code", plpath),
                        project=r.str_(pl, "project", plpath),
                        relisting=r.bool_(pl, "relisting", plpath),
                    )
                )
            measures.append(
                Measure(
                    code=r.str_(m, "code", mpath),
                    title=r.str_(m, "title", mpath),
                    placements=tuple(placements),
                )
            )
        lead = r.str_(p, "lead", path, default="")
        name = r.str_(p, "name", path, default="")
        title = r.str_(p, "title", path, default="")
        if not name and title:  # a hand-written file may give only the title
            lead, _, name = title.rpartition(" ")
        pillars.append(
            Pillar(number=r.int_(p, "number", path), lead=lead, name=name, measures=tuple(measures))
        )
    return tuple(pillars)


def _read_projects(r: _Reader, doc: dict[str, Any]) -> tuple[Project, ...]:
    projects = []
    for i, raw in enumerate(r.list_(doc, "projects", "$")):
        path = f"projects[{i}]"
        p = r.obj(raw, path)
        if p is None:
            continue
        partners = []
        for j, raw_pa in enumerate(r.list_(p, "partners", path, required=False)):
            papath = f"{path}.partners[{j}]"
            pa = r.obj(raw_pa, papath)
            if pa is None:
                continue
            sector = r.enum(
                Sector, pa, "sector", papath, "industry / academia / finance / government"
            )
            if sector is None and pa.get("sector") is None:
                r.fail(f"{papath}.sector", "項目がありません。")
            partners.append(
                Partner(sector=sector or Sector.INDUSTRY, name=r.str_(pa, "name", papath))
            )
        years = []
        for j, raw_y in enumerate(r.list_(p, "years", path, required=False)):
            ypath = f"{path}.years[{j}]"
            y = r.obj(raw_y, ypath)
            if y is None:
                continue
            years.append(
                ProjectYear(
                    fiscal_year=r.int_(y, "fiscal_year", ypath),
                    status=r.enum(
                        ProjectStatus,
                        y,
                        "status",
                        ypath,
                        "not_started / studying / in_progress / completed / cancelled",
                    ),
                    note=r.str_(y, "note", ypath, default=""),
                    entered_by=r.str_(y, "entered_by", ypath, default=""),
                    entered_at=r.datetime_(y, "entered_at", ypath),
                )
            )
        projects.append(
            Project(
                id=r.str_(p, "id", path),
                title=r.str_(p, "title", path),
                description=r.str_(p, "description", path, default=""),
                responsible_section=r.str_(p, "responsible_section", path, default=""),
                partners=tuple(partners),
                years=tuple(years),
            )
        )
    return tuple(projects)


def _read_kpis(r: _Reader, doc: dict[str, Any]) -> tuple[Kpi, ...]:
    kpis = (read_kpi(r, raw, i) for i, raw in enumerate(r.list_(doc, "kpis", "$")))
    return tuple(k for k in kpis if k is not None)


def read_kpi(r: _Reader, raw: Any, i: int) -> Kpi | None:
    """`kpis[i]` of the document (None when it is no object: `r` says so)."""
    path = f"kpis[{i}]"
    k = r.obj(raw, path)
    if k is None:
        return None
    baseline = r.obj(k.get("baseline"), f"{path}.baseline") or {}
    target = r.obj(k.get("target"), f"{path}.target") or {}
    direction = r.enum(Direction, k, "direction", path, "increase / decrease / maintain")
    if direction is None and k.get("direction") is None:
        r.fail(f"{path}.direction", "項目がありません。")
    measures = r.list_(k, "measures", path)
    for j, code in enumerate(measures):
        if not isinstance(code, str):
            r.fail(f"{path}.measures[{j}]", '施策コード（例: "1-2"）の文字列が必要です。')
    years = []
    for j, raw_y in enumerate(r.list_(k, "years", path, required=False)):
        ypath = f"{path}.years[{j}]"
        y = r.obj(raw_y, ypath)
        if y is None:
            continue
        years.append(
            KpiYear(
                fiscal_year=r.int_(y, "fiscal_year", ypath),
                actual=r.opt_decimal(y, "actual", ypath),
                interim_target=r.opt_decimal(y, "interim_target", ypath),
                status=r.enum(FigureStatus, y, "status", ypath, "preliminary / final"),
                comment=r.str_(y, "comment", ypath, default=""),
                entered_by=r.str_(y, "entered_by", ypath, default=""),
                entered_at=r.datetime_(y, "entered_at", ypath),
            )
        )
    revisions = []
    for j, raw_rev in enumerate(r.list_(k, "target_revisions", path, required=False)):
        rpath = f"{path}.target_revisions[{j}]"
        rev = r.obj(raw_rev, rpath)
        if rev is None:
            continue
        old = r.obj(rev.get("old"), f"{rpath}.old") or {}
        new = r.obj(rev.get("new"), f"{rpath}.new") or {}
        revised_at = r.datetime_(rev, "revised_at", rpath)
        if revised_at is None and rev.get("revised_at") is None:
            r.fail(f"{rpath}.revised_at", "項目がありません。")
        revisions.append(
            TargetRevision(
                old_value=r.decimal(old, "value", f"{rpath}.old"),
                old_fiscal_year=r.int_(old, "fiscal_year", f"{rpath}.old"),
                new_value=r.decimal(new, "value", f"{rpath}.new"),
                new_fiscal_year=r.int_(new, "fiscal_year", f"{rpath}.new"),
                reason=r.str_(rev, "reason", rpath),
                revised_by=r.str_(rev, "revised_by", rpath, default=""),
                revised_at=revised_at or datetime.fromisoformat("1970-01-01T00:00:00+00:00"),
            )
        )
    return Kpi(
        id=r.str_(k, "id", path),
        name=r.str_(k, "name", path),
        unit=r.str_(k, "unit", path),
        baseline=r.decimal(baseline, "value", f"{path}.baseline"),
        baseline_fiscal_year=r.int_(baseline, "fiscal_year", f"{path}.baseline"),
        baseline_fiscal_year_confirmed=r.bool_(
            baseline, "fiscal_year_confirmed", f"{path}.baseline", default=False
        ),
        target=r.decimal(target, "value", f"{path}.target"),
        target_fiscal_year=r.int_(target, "fiscal_year", f"{path}.target"),
        direction=direction or Direction.INCREASE,
        cumulative=r.bool_(k, "cumulative", path, default=False),
        measures=tuple(c for c in measures if isinstance(c, str)),
        data_source=r.str_(k, "data_source", path, default=""),
        responsible_section=r.str_(k, "responsible_section", path, default=""),
        definition=r.str_(k, "definition", path, default=""),
        years=tuple(years),
        target_revisions=tuple(revisions),
    )


def _read_audit(r: _Reader, doc: dict[str, Any]) -> tuple[AuditEntry, ...]:
    entries = (
        read_audit_entry(r, raw, i)
        for i, raw in enumerate(r.list_(doc, "audit", "$", required=False))
    )
    return tuple(a for a in entries if a is not None)


def read_audit_entry(r: _Reader, raw: Any, i: int) -> AuditEntry | None:
    """`audit[i]` of the document (None when it is no object: `r` says so)."""
    path = f"audit[{i}]"
    a = r.obj(raw, path)
    if a is None:
        return None
    at = r.datetime_(a, "at", path)
    if at is None and a.get("at") is None:
        r.fail(f"{path}.at", "項目がありません。")
    return AuditEntry(
        at=at or datetime.fromisoformat("1970-01-01T00:00:00+00:00"),
        user=r.str_(a, "user", path),
        action=r.str_(a, "action", path),
        entity=r.str_(a, "entity", path),
        entity_key=r.str_(a, "entity_key", path),
        field=r.str_(a, "field", path),
        old=r.opt_str(a, "old", path),
        new=r.opt_str(a, "new", path),
        reason=r.str_(a, "reason", path, default=""),
    )


# what the json module says (its messages are English), most specific first
_JSON_PROBLEMS = (
    ("Expecting value", "ここに値がありません"),
    ("Expecting property name", '「"」で囲んだ項目名がありません'),
    ("Expecting ':'", "「:」がありません"),
    ("Expecting ','", "「,」がありません"),
    ("Illegal trailing comma", "最後の要素の後に「,」があります"),
    ("Extra data", "データの終わりの後に余分な文字があります"),
    ("Unterminated string", '文字列が「"」で閉じられていません'),
    ("Invalid control character", "文字列の中に改行などの制御文字があります"),
    ("Invalid \\uXXXX", "「\\u」の後に16進数4桁がありません"),
    ("Invalid \\escape", "文字列の中の「\\」の使い方が正しくありません"),
)


def _json_problem(exc: json.JSONDecodeError) -> str:
    """The json module's reason in Japanese: what is wrong at the line and column named."""
    if not exc.doc.strip():
        return "ファイルが空です"
    if exc.msg == "Expecting value" and not exc.doc[: exc.pos].strip():
        return "JSONのファイルではないようです"
    for english, japanese in _JSON_PROBLEMS:
        if exc.msg.startswith(english):
            return japanese
    return "書き方に誤りがあります"


def load_plan(text: str) -> PlanSnapshot:
    """Parse and check an interchange document. Raises `FormatError` listing every problem."""
    from aomori_desktop.exchange.json_evaluation import read_evaluation

    repeated: list[bool] = []

    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = _object(pairs)
        if isinstance(result, _Object) and not repeated:
            repeated.append(True)
        return result

    try:
        raw = json.loads(text, object_pairs_hook=pairs_hook, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        raise FormatError(
            [f"{exc.lineno}行{exc.colno}列: JSONとして読み取れません（{_json_problem(exc)}）。"]
        ) from exc
    except RecursionError as exc:
        raise FormatError(["JSONの入れ子が深すぎます。"]) from exc
    r = _Reader()
    doc = r.obj(raw, "$")
    if doc is None:
        raise FormatError(r.problems)
    check_kind(doc)
    if repeated or _may_hold_unstorable_text(text):
        r.problems.extend(_scan(doc))  # the walk names where; most documents need none
    snapshot = PlanSnapshot(
        plan=_read_plan_info(r, doc.get("plan")),
        pillars=_read_pillars(r, doc),
        projects=_read_projects(r, doc),
        kpis=_read_kpis(r, doc),
        audit=_read_audit(r, doc),
        evaluation=read_evaluation(r, doc),
    )
    if r.problems:
        raise FormatError(r.problems)
    return snapshot


def check_kind(doc: dict[str, Any]) -> None:
    """Raise `FormatError` unless the document says it is this format, in a version read here."""
    if doc.get("format") != FORMAT:
        raise FormatError(
            [
                f"$.format: このファイルは {FORMAT} 形式ではありません"
                f"（{shown(repr(doc.get('format')))}）。"
            ]
        )
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int | _HugeInt):
        raise FormatError(["$.version: 形式のバージョン（整数）がありません。"])
    if isinstance(version, _HugeInt) or version < 1:
        raise FormatError(
            [f"$.version: 形式のバージョン「{shown(version)}」は正しくありません（1以上の整数）。"]
        )
    if version > VERSION:
        raise FormatError(
            [
                f"$.version: このファイルは新しい形式（バージョン {version}）です。"
                f"このアプリケーションはバージョン {VERSION} までを読み込めます。"
            ]
        )
