"""Consistency rules of a whole plan, checked before anything is written.

Each problem is a Japanese sentence that names its location, so an import can list them all.

The limits here are the ones every path into the database applies (the JSON import, the seed,
and each service that stores a value): text lengths as the schema declares them (a PostgreSQL
server enforces its VARCHAR lengths), the digits a typed value may have (`domain.numbers`), the
fiscal years the application can name (`domain.fiscal`), a sane range for pillar, measure
and placement numbers, and the values a KPI can plausibly take (`domain.value_range`: no
negative counts, percentages within 0–100 unless its 定義・備考 states another range). A value
one path refuses can then never come in through another, and whatever is stored can be
restored (undo of a removal) and imported again.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, Protocol

from aomori_desktop.domain.evaluation import (
    EvaluationRecords,
    MeasureEvaluation,
    PanelOpinion,
    ProjectEvaluation,
)
from aomori_desktop.domain.fiscal import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR, fy_label
from aomori_desktop.domain.grading import PRESETS, GradeScheme, SchemeKey, scheme_problems
from aomori_desktop.domain.numbers import MAX_FRACTION_DIGITS, MAX_INTEGER_DIGITS, format_decimal
from aomori_desktop.domain.plan import (
    AuditEntry,
    Direction,
    Kpi,
    KpiYear,
    Pillar,
    PlanInfo,
    PlanSnapshot,
    Project,
    ProjectYear,
    TargetRevision,
)
from aomori_desktop.domain.value_range import (
    RANGE_EXAMPLE,
    UNBOUNDED,
    ValueRange,
    range_line_problem,
    value_range,
)

MAX_PLAN_YEARS: Final = 50
#: Free text without a column length (comments, notes, definitions, descriptions, reasons).
MAX_TEXT: Final = 4000
#: KPI and project ids (K01, PJ01): `code` columns.
MAX_CODE: Final = 40
#: Who entered or revised something (the OS login name).
MAX_USER: Final = 100
#: Pillar, measure and placement numbers (1-2-3) run from 1 to this.
MAX_NUMBER: Final = 999

_NUMBER = r"([1-9][0-9]*)"
MEASURE_CODE: Final = re.compile(rf"{_NUMBER}-{_NUMBER}", re.ASCII)
PLACEMENT_CODE: Final = re.compile(rf"{_NUMBER}-{_NUMBER}-{_NUMBER}", re.ASCII)


class KpiYearValues(Protocol):
    """A yearly record's numbers (a `KpiYear`, or a stored row)."""

    @property
    def fiscal_year(self) -> int: ...
    @property
    def actual(self) -> Decimal | None: ...
    @property
    def interim_target(self) -> Decimal | None: ...


@dataclass(frozen=True, slots=True)
class TextField:
    """A stored text: the label the user knows it by and its length limit (characters)."""

    label: str
    limit: int


# Lengths as in store/models.py (tests/services/test_text_limits.py keeps the two in step).
PLAN_TEXT: Final = {"name": TextField("名称", 200)}
PILLAR_TEXT: Final = {"lead": TextField("リード文", 200), "name": TextField("名称", 200)}
MEASURE_TEXT: Final = {"title": TextField("名称", 300)}
PROJECT_TEXT: Final = {
    "id": TextField("ID", MAX_CODE),
    "title": TextField("名称", 300),
    "description": TextField("取組内容", MAX_TEXT),
    "responsible_section": TextField("担当課", 200),
}
PARTNER_NAME: Final = TextField("名称", 200)
KPI_TEXT: Final = {
    "id": TextField("ID", MAX_CODE),
    "name": TextField("名称", 300),
    "unit": TextField("単位", 40),
    "data_source": TextField("出典", 300),
    "responsible_section": TextField("担当課", 200),
    "definition": TextField("定義・備考", MAX_TEXT),
}
KPI_YEAR_TEXT: Final = {
    "comment": TextField("コメント", MAX_TEXT),
    "entered_by": TextField("入力者", MAX_USER),
}
PROJECT_YEAR_TEXT: Final = {
    "note": TextField("メモ", MAX_TEXT),
    "entered_by": TextField("入力者", MAX_USER),
}
REVISION_TEXT: Final = {
    "reason": TextField("理由", MAX_TEXT),
    "revised_by": TextField("見直した人", MAX_USER),
}
AUDIT_TEXT: Final = {
    "user": TextField("利用者", MAX_USER),
    "action": TextField("操作", 20),
    "entity": TextField("対象", 40),
    "entity_key": TextField("対象キー", 80),
    "field": TextField("項目", 60),
}


# ---------------------------------------------------------------- single values


def shown(value: object, limit: int = 40) -> str:
    """A value as a message may quote it: short, and printable even when it holds a lone
    surrogate (which no console or file could encode)."""
    text = value if isinstance(value, str) else repr(value)
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    if len(text) > limit:
        text = text[:limit] + "…"
    # a line break or a control character quoted raw would break or disguise the sentence
    return _QUOTED_HIDDEN.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _int_text(n: int) -> str:
    # str() of an integer of over 4,300 digits raises ValueError
    return str(n) if n.bit_length() <= 128 else "（桁数の多すぎる数）"


def year_in_range(fy: int) -> bool:
    return MIN_FISCAL_YEAR <= fy <= MAX_FISCAL_YEAR


def year_where(fy: int) -> str:
    """A fiscal year in a location: 令和6(2024)年度, or the bare number when out of range."""
    return fy_label(fy) if year_in_range(fy) else f"{_int_text(fy)}年度"


def _at(where: str) -> str:
    """The location that starts a sentence ("KPI K01: "); none for a form's own field."""
    return f"{where}: " if where else ""


def character_problem(where: str, label: str, value: str) -> str | None:
    """Why a text holds something no database can store (None when it can): a lone surrogate
    (not encodable as UTF-8) or NUL (refused by PostgreSQL)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return f"{_at(where)}{label}に文字として扱えないデータ（対になっていないサロゲート）が含まれています。"
    if "\x00" in value:
        return f"{_at(where)}{label}に保存できない制御文字（NUL）が含まれています。"
    return hidden_character_problem(where, label, value)


#: Characters that change how text around them is shown (bidirectional embeddings, overrides
#: and isolates): "K01_gnp.exe" can be made to read "K01_exe.png", in a name or a file name.
BIDI_CONTROLS: Final = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_BREAKS: Final = frozenset("\t\n\r")


_HIDDEN: Final = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_QUOTED_HIDDEN: Final = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def hidden_character_problem(where: str, label: str, value: str) -> str | None:
    """Why a text holds characters nobody sees (None when it holds none): control characters
    other than tab and line breaks, and the bidirectional controls that disguise text."""
    found = _HIDDEN.search(value)
    if found is not None:
        ch = found.group()
        code = ord(ch)
        if ch in BIDI_CONTROLS:
            return (
                f"{_at(where)}{label}に文字の向きを変える制御文字（U+{code:04X}）が含まれています"
                "（表示やファイル名を偽装するのに使われます）。取り除いてください。"
            )
        return (
            f"{_at(where)}{label}に目に見えない制御文字（U+{code:04X}）が含まれています。"
            "取り除いてください。"
        )
    return None


def text_problem(where: str, label: str, value: str, limit: int) -> str | None:
    """Why a text cannot be stored (None when it can): a character no database can store,
    a line break or tab in a one-line field (names, units, ids: everything shorter than the
    free texts), or more than `limit` characters."""
    problem = character_problem(where, label, value)
    if problem is None and limit < MAX_TEXT and not LINE_BREAKS.isdisjoint(value):
        problem = f"{_at(where)}{label}に改行やタブは使えません（1行で入力してください）。"
    if problem is None and len(value) > limit:
        problem = f"{_at(where)}{label}が長すぎます（{limit:,}文字まで）。"
    return problem


def text_problems(
    where: str, fields: Mapping[str, TextField], values: Mapping[str, object]
) -> list[str]:
    """`text_problem` of each value whose name `fields` knows (other names are skipped)."""
    problems = []
    for name, value in values.items():
        spec = fields.get(name)
        if spec is not None and isinstance(value, str):
            problem = text_problem(where, spec.label, value, spec.limit)
            if problem:
                problems.append(problem)
    return problems


def decimal_digits(value: Decimal) -> tuple[int, int]:
    """(integer digits without leading zeros, fraction digits) of a finite Decimal, as
    `parse_decimal` counts them: 0012.50 → (2, 2), 1E+20 → (21, 0), 0.001 → (0, 3)."""
    _sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite
    fraction = max(0, -exponent)
    integer = 0 if value.is_zero() else max(0, len(digits) + exponent)
    return integer, fraction


def decimal_problem(where: str, label: str, value: Decimal | None) -> str | None:
    """Why a number cannot be stored (None when it can): not finite, or more digits than
    anyone can type (they keep every computation exact and the stored text short)."""
    if value is None:
        return None
    if not value.is_finite():
        return f"{_at(where)}{label}「{value}」は数値ではありません。"
    integer, fraction = decimal_digits(value)
    if integer > MAX_INTEGER_DIGITS:
        return f"{_at(where)}{label}は桁数が多すぎます（整数部は{MAX_INTEGER_DIGITS}桁まで）。"
    if fraction > MAX_FRACTION_DIGITS:
        return f"{_at(where)}{label}は小数点以下の桁数が多すぎます（{MAX_FRACTION_DIGITS}桁まで）。"
    return None


def fiscal_year_problem(where: str, label: str, fy: int) -> str | None:
    if year_in_range(fy):
        return None
    return (
        f"{_at(where)}{label}「{_int_text(fy)}」は範囲外です"
        f"（{MIN_FISCAL_YEAR}〜{MAX_FISCAL_YEAR}年度の間にしてください）。"
    )


def value_problem(
    where: str, label: str, value: Decimal | None, allowed: ValueRange, unit: str
) -> str | None:
    """Why a KPI's value is implausible (None when it is plausible, or not a number at all,
    which `decimal_problem` reports): below or above the range of the KPI (`value_range`)."""
    if value is None or not value.is_finite() or allowed.contains(value):
        return None
    if allowed.stated:
        why = f"定義・備考の「値の範囲: {allowed.text}」の外です"
    else:
        why = (
            f"単位が「{unit}」のKPIは{allowed.text}です。ほかの範囲を使うKPIは、"
            f"定義・備考に「{RANGE_EXAMPLE}」のような行を書いてください"
        )
    return f"{_at(where)}{label}「{format_decimal(value)}」は範囲外です（{why}）。"


def target_year_problem(where: str, fy: int, period: range) -> str | None:
    """Why a target year cannot be set: outside the plan's period (the KPI is evaluated in the
    plan's years; the CLI and the window name only those). `outside_period`'s sentence, with
    the field named."""
    if not year_in_range(fy):
        return None  # out of range altogether: `fiscal_year_problem` says so
    return outside_period(f"{where}: 目標年度" if where else "目標年度", fy, period)


def _some(*problems: str | None) -> list[str]:
    return [p for p in problems if p]


def _duplicates(values: Iterable[str]) -> list[str]:
    return [v for v, n in Counter(values).items() if n > 1]


def code_number(text: str) -> int | None:
    """A number of a code (the 2 of "1-2") in 1..MAX_NUMBER, written plainly; else None."""
    if not text.isascii() or not text.isdigit() or text.startswith("0"):
        return None
    if len(text) > len(str(MAX_NUMBER)) or int(text) > MAX_NUMBER:
        return None
    return int(text)


# ---------------------------------------------------------------- the whole plan


def grade_scheme_problems(scheme: GradeScheme, where: str = "計画") -> list[str]:
    """The digits of each threshold, then the rules of the scheme (domain.grading)."""
    digits = _some(
        *(
            decimal_problem(where, f"評価基準（{grade.text}）", rule.threshold)
            for grade, rule in zip(scheme.grades, scheme.rules, strict=False)
        )
    )
    return digits or scheme_problems(scheme, f"{where} 評価基準")


def validate_snapshot(snapshot: PlanSnapshot) -> list[str]:
    checker = PlanChecker(snapshot.plan, snapshot.pillars, snapshot.projects)
    checker.kpis(snapshot.kpis)
    checker.audit(snapshot.audit)
    checker.evaluation(snapshot.evaluation)
    return checker.problems()


class PlanChecker:
    """`validate_snapshot` for a plan read piece by piece (the streaming JSON import): the
    plan, its pillars and projects first, then the KPIs, the audit log and the evaluation in
    batches. It keeps only what the whole-plan rules need (measure codes, project ids, KPI
    ids) and `problems()` lists every problem in the order `validate_snapshot` does."""

    def __init__(
        self, info: PlanInfo, pillars: Sequence[Pillar], projects: Sequence[Project]
    ) -> None:
        self.head = _head_problems(info, pillars, projects)
        self.known_measures = set(
            m.code for p in pillars for m in p.measures if _measure_code_ok(p, m.code)
        )
        self.known_projects = {p.id for p in projects}
        self.years = range(info.first_fiscal_year, info.last_fiscal_year + 1)
        self._kpi_ids: Counter[str] = Counter()
        self._kpi_problems: list[str] = []
        self._audit_problems: list[str] = []
        self._audit_count = 0
        self._evaluation_problems: list[str] = []
        self.failed = bool(self.head)

    def kpis(self, kpis: Iterable[Kpi]) -> None:
        for kpi in kpis:
            self._kpi_ids[kpi.id] += 1
            if self._kpi_ids[kpi.id] > 1:
                self.failed = True
            found = _validate_kpi(kpi, self.known_measures, self.years)
            if found:
                self.failed = True
                self._kpi_problems.extend(found)

    def audit(self, entries: Iterable[AuditEntry]) -> None:
        for entry in entries:
            self._audit_count += 1
            found = audit_problems(entry, f"変更履歴 {self._audit_count}件目")
            if found:
                self.failed = True
                self._audit_problems.extend(found)

    def evaluation(self, records: EvaluationRecords) -> None:
        found = evaluation_problems(records, self.known_measures, self.known_projects, self.years)
        if found:
            self.failed = True
            self._evaluation_problems.extend(found)

    def problems(self) -> list[str]:
        duplicates = [
            f"KPI {shown(k)}: IDが重複しています。" for k, n in self._kpi_ids.items() if n > 1
        ]
        return [
            *self.head,
            *duplicates,
            *self._kpi_problems,
            *self._audit_problems,
            *self._evaluation_problems,
        ]


def _measure_code_ok(pillar: Pillar, code: str) -> bool:
    m = MEASURE_CODE.fullmatch(code)
    return (
        1 <= pillar.number <= MAX_NUMBER
        and m is not None
        and code_number(m.group(1)) == pillar.number
        and code_number(m.group(2)) is not None
    )


def _head_problems(
    info: PlanInfo, pillars: Sequence[Pillar], projects: Sequence[Project]
) -> list[str]:
    """The rules of the plan, its pillars, measures, placements and projects."""
    problems: list[str] = []
    if not info.name.strip():
        problems.append("計画: 名称が空です。")
    problems.extend(text_problems("計画", PLAN_TEXT, {"name": info.name}))
    year_problems = _some(
        fiscal_year_problem("計画", "開始年度", info.first_fiscal_year),
        fiscal_year_problem("計画", "終了年度", info.last_fiscal_year),
    )
    problems.extend(year_problems)
    if info.first_fiscal_year > info.last_fiscal_year:
        problems.append("計画: 開始年度が終了年度より後になっています。")
    elif info.last_fiscal_year - info.first_fiscal_year + 1 > MAX_PLAN_YEARS:
        problems.append(f"計画: 期間が長すぎます（{MAX_PLAN_YEARS}年度まで）。")
    problems.extend(grade_scheme_problems(info.grade_scheme))

    project_ids = [p.id for p in projects]
    for dup in _duplicates(project_ids):
        problems.append(f"プロジェクト {shown(dup)}: IDが重複しています。")
    known_projects = set(project_ids)
    home_count: Counter[str] = Counter()

    for dup in _duplicates(_int_text(p.number) for p in pillars):
        problems.append(f"戦略の柱 {dup}: 番号が重複しています。")
    measure_codes: list[str] = []
    for pillar in pillars:
        number_ok = 1 <= pillar.number <= MAX_NUMBER
        where = f"戦略の柱 {_int_text(pillar.number)}"
        if not number_ok:
            problems.append(f"{where}: 番号は1〜{MAX_NUMBER}にしてください。")
        if not pillar.name.strip():
            problems.append(f"{where}: 名称が空です。")
        problems.extend(
            text_problems(where, PILLAR_TEXT, {"lead": pillar.lead, "name": pillar.name})
        )
        for measure in pillar.measures:
            mwhere = f"共創施策 {shown(measure.code)}"
            m = MEASURE_CODE.fullmatch(measure.code)
            if (
                not number_ok
                or m is None
                or code_number(m.group(1)) != pillar.number
                or code_number(m.group(2)) is None
            ):
                problems.append(
                    f"{mwhere}: コードは「{_int_text(pillar.number)}-番号」の形にしてください"
                    f"（番号は1〜{MAX_NUMBER}）。"
                )
                continue
            measure_codes.append(measure.code)
            if not measure.title.strip():
                problems.append(f"{mwhere}: 名称が空です。")
            problems.extend(text_problems(mwhere, MEASURE_TEXT, {"title": measure.title}))
            seen_projects: set[str] = set()
            for pl in measure.placements:
                plwhere = f"共創プロジェクト {shown(pl.code)}"
                pm = PLACEMENT_CODE.fullmatch(pl.code)
                if (
                    pm is None
                    or f"{pm.group(1)}-{pm.group(2)}" != measure.code
                    or code_number(pm.group(3)) is None
                ):
                    problems.append(
                        f"{plwhere}: コードは「{measure.code}-番号」の形にしてください"
                        f"（番号は1〜{MAX_NUMBER}）。"
                    )
                if pl.project not in known_projects:
                    problems.append(
                        f"{plwhere}: プロジェクト {shown(pl.project)} が見つかりません。"
                    )
                if pl.project in seen_projects:
                    problems.append(
                        f"{mwhere}: プロジェクト {shown(pl.project)} が二重に掲載されています。"
                    )
                seen_projects.add(pl.project)
                if not pl.relisting:
                    home_count[pl.project] += 1
            for dup in _duplicates(pl.code for pl in measure.placements):
                problems.append(f"共創プロジェクト {shown(dup)}: コードが重複しています。")
    for dup in _duplicates(measure_codes):
        problems.append(f"共創施策 {dup}: コードが重複しています。")

    years = range(info.first_fiscal_year, info.last_fiscal_year + 1)
    for project in projects:
        where = f"プロジェクト {shown(project.id)}"
        if not project.id.strip():
            problems.append("プロジェクト: IDが空です。")
        problems.extend(project_problems(project, where))
        homes = home_count[project.id]
        if homes == 0:
            problems.append(f"{where}: 本来の掲載先（再掲でない掲載）がありません。")
        elif homes > 1:
            problems.append(
                f"{where}: 再掲でない掲載が{homes}か所あります（1か所にしてください）。"
            )
        problems.extend(period_problems(where, (y.fiscal_year for y in project.years), years))

    return problems


def outside_period(where: str, fy: int, period: range) -> str | None:
    """The sentence for a fiscal year outside the plan's period (None inside it): the one
    check of the period, for every record and every path (entry, import, restore)."""
    if fy in period:
        return None
    return (
        f"{_at(where)}{year_where(fy)}は計画期間（{fy_label(period.start)}〜"
        f"{fy_label(period.stop - 1)}）外です。"
    )


def period_problems(where: str, fiscal_years: Iterable[int], period: range) -> list[str]:
    """Yearly records outside the plan's period or recorded twice. Years outside 1926–2100
    are left to the record's own rules (`kpi_year_problems`), which name them already."""
    years = list(fiscal_years)
    problems = [
        f"{where}: {dup}年度の記録が重複しています。" for dup in _duplicates(map(_int_text, years))
    ]
    problems.extend(
        problem
        for fy in years
        if year_in_range(fy) and (problem := outside_period(where, fy, period))
    )
    return problems


def kpi_field_problems(
    kpi: Kpi, *, changed: Collection[str] = (), period: range | None = None
) -> list[str]:
    """Rules of a single KPI's own fields (also used when a KPI is added or edited).

    `changed` names the fields the user has just changed, so that a sentence about two fields
    that disagree names the one the user changed; `period` (the plan's years) is given where
    the target year is being set, which must lie in it.
    """
    where = f"KPI {shown(kpi.id)}" if kpi.id else "KPI"
    number_problems = _some(
        decimal_problem(where, "基準値", kpi.baseline),
        decimal_problem(where, "目標値", kpi.target),
    )
    year_problems = _some(
        fiscal_year_problem(where, "基準年度", kpi.baseline_fiscal_year),
        fiscal_year_problem(where, "目標年度", kpi.target_fiscal_year),
    )
    if period is not None and not year_problems:
        year_problems = _some(target_year_problem(where, kpi.target_fiscal_year, period))
    problems = number_problems + year_problems
    if not kpi.name.strip():
        problems.append(f"{where}: 名称が空です。")
    if not kpi.unit.strip():
        problems.append(f"{where}: 単位が空です。")
    problems.extend(
        text_problems(
            where,
            KPI_TEXT,
            {
                "id": kpi.id,
                "name": kpi.name,
                "unit": kpi.unit,
                "data_source": kpi.data_source,
                "responsible_section": kpi.responsible_section,
                "definition": kpi.definition,
            },
        )
    )
    range_problem = range_line_problem(kpi.definition)
    if range_problem:
        problems.append(f"{where}: {range_problem}")
    target_changed = {"target", "target_fiscal_year"} & set(changed)
    baseline_changed = {"baseline", "baseline_fiscal_year"} & set(changed)
    if not year_problems and kpi.baseline_fiscal_year > kpi.target_fiscal_year:
        if target_changed and not baseline_changed:
            problems.append(
                f"{where}: 目標年度（{fy_label(kpi.target_fiscal_year)}）が基準年度"
                f"（{fy_label(kpi.baseline_fiscal_year)}）より前になっています。"
            )
        else:
            problems.append(f"{where}: 基準年度が目標年度より後になっています。")
    if number_problems:
        return problems  # the comparisons below need numbers that can be shown
    allowed = value_range(kpi.unit, kpi.definition)
    problems.extend(
        _some(
            value_problem(where, "基準値", kpi.baseline, allowed, kpi.unit),
            value_problem(where, "目標値", kpi.target, allowed, kpi.unit),
        )
    )
    by_baseline = bool(baseline_changed) and not target_changed
    if kpi.direction is Direction.MAINTAIN and kpi.baseline != kpi.target:
        problems.append(
            f"{where}: 「維持」のKPIは目標値を基準値と同じにしてください"
            f"（基準値 {kpi.baseline}、目標値 {kpi.target}）。"
        )
    if kpi.direction is Direction.INCREASE and kpi.target < kpi.baseline:
        problems.append(
            f"{where}: 「増加」のKPIの基準値が目標値より大きくなっています。"
            if by_baseline
            else f"{where}: 「増加」のKPIの目標値が基準値より小さくなっています。"
        )
    if kpi.direction is Direction.DECREASE and kpi.target > kpi.baseline:
        problems.append(
            f"{where}: 「減少」のKPIの基準値が目標値より小さくなっています。"
            if by_baseline
            else f"{where}: 「減少」のKPIの目標値が基準値より大きくなっています。"
        )
    return problems


def kpi_year_problems(
    year: KpiYear, where: str, allowed: ValueRange = UNBOUNDED, unit: str = ""
) -> list[str]:
    """Rules of one yearly record of a KPI; `where` names the KPI, `allowed` is its
    `value_range` (and `unit` its unit, for the sentence)."""
    fy_problem = fiscal_year_problem(where, "年度", year.fiscal_year)
    at = f"{where} {year_where(year.fiscal_year)}"
    return [
        *_some(
            fy_problem,
            decimal_problem(at, "実績値", year.actual)
            or value_problem(at, "実績値", year.actual, allowed, unit),
            decimal_problem(at, "年度目標", year.interim_target)
            or value_problem(at, "年度目標", year.interim_target, allowed, unit),
        ),
        *text_problems(at, KPI_YEAR_TEXT, {"comment": year.comment, "entered_by": year.entered_by}),
    ]


def year_value_problems(kpi: Kpi, years: Iterable[KpiYearValues]) -> list[str]:
    """Stored figures of a KPI that its (new) unit or definition would make implausible."""
    where = f"KPI {shown(kpi.id)}"
    allowed = value_range(kpi.unit, kpi.definition)
    problems = []
    for year in years:
        at = f"{where} {year_where(year.fiscal_year)}"
        problems.extend(
            _some(
                value_problem(at, "実績値", year.actual, allowed, kpi.unit),
                value_problem(at, "年度目標", year.interim_target, allowed, kpi.unit),
            )
        )
    return problems


def revision_problems(revision: TargetRevision, where: str) -> list[str]:
    """Rules of one recorded change of a KPI's target; `where` names the revision."""
    return [
        *_some(
            decimal_problem(where, "見直し前の目標値", revision.old_value),
            fiscal_year_problem(where, "見直し前の目標年度", revision.old_fiscal_year),
            decimal_problem(where, "見直し後の目標値", revision.new_value),
            fiscal_year_problem(where, "見直し後の目標年度", revision.new_fiscal_year),
        ),
        *text_problems(
            where, REVISION_TEXT, {"reason": revision.reason, "revised_by": revision.revised_by}
        ),
    ]


def kpi_record_problems(kpi: Kpi) -> list[str]:
    """Rules of a KPI's yearly records and target revisions (not the plan period)."""
    where = f"KPI {shown(kpi.id)}"
    allowed = value_range(kpi.unit, kpi.definition)
    problems = []
    for year in kpi.years:
        problems.extend(kpi_year_problems(year, where, allowed, kpi.unit))
    for i, revision in enumerate(kpi.target_revisions, start=1):
        problems.extend(revision_problems(revision, f"{where} 目標値の見直し {i}件目"))
    return problems


def project_year_problems(year: ProjectYear, where: str) -> list[str]:
    """Rules of one yearly record of a project; `where` names the project."""
    at = f"{where} {year_where(year.fiscal_year)}"
    return [
        *_some(fiscal_year_problem(where, "年度", year.fiscal_year)),
        *text_problems(at, PROJECT_YEAR_TEXT, {"note": year.note, "entered_by": year.entered_by}),
    ]


def partner_problems(name: str, where: str, number: int) -> list[str]:
    return _some(text_problem(where, f"連携先{number}の名称", name, PARTNER_NAME.limit))


def project_problems(project: Project, where: str) -> list[str]:
    """Rules of a project's own fields, partners and yearly records (not the plan period)."""
    problems = []
    if not project.title.strip():
        problems.append(f"{where}: 名称が空です。")
    problems.extend(
        text_problems(
            where,
            PROJECT_TEXT,
            {
                "id": project.id,
                "title": project.title,
                "description": project.description,
                "responsible_section": project.responsible_section,
            },
        )
    )
    for i, partner in enumerate(project.partners, start=1):
        problems.extend(partner_problems(partner.name, where, i))
    for year in project.years:
        problems.extend(project_year_problems(year, where))
    return problems


def audit_problems(entry: AuditEntry, where: str) -> list[str]:
    problems = text_problems(
        where,
        AUDIT_TEXT,
        {
            "user": entry.user,
            "action": entry.action,
            "entity": entry.entity,
            "entity_key": entry.entity_key,
            "field": entry.field,
        },
    )
    # the old and new values and the reason have no length limit (TEXT columns)
    for label, value in (
        ("変更前の値", entry.old),
        ("変更後の値", entry.new),
        ("理由", entry.reason),
    ):
        if value is not None:
            problems.extend(_some(character_problem(where, label, value)))
    return problems


def _validate_kpi(kpi: Kpi, known_measures: set[str], years: range) -> list[str]:
    where = f"KPI {shown(kpi.id)}"
    problems = kpi_field_problems(kpi, period=years)
    if not kpi.id.strip():
        problems.append("KPI: IDが空です。")
    if not kpi.measures:
        problems.append(f"{where}: 共創施策が指定されていません。")
    for code in kpi.measures:
        if code not in known_measures:
            problems.append(f"{where}: 共創施策 {shown(code)} が見つかりません。")
    for dup in _duplicates(kpi.measures):
        problems.append(f"{where}: 共創施策 {shown(dup)} が重複しています。")
    problems.extend(period_problems(where, (y.fiscal_year for y in kpi.years), years))
    problems.extend(kpi_record_problems(kpi))
    return problems


# ---------------------------------------------------------------- the yearly evaluation
#
# Rules of the evaluation records (domain.evaluation), applied by the JSON import through
# `validate_snapshot` and by each evaluation service for the one record it stores.

MEASURE_EVALUATION_TEXT: Final = {
    "override_reason": TextField("評価を変更した理由", MAX_TEXT),
    "achievements": TextField("成果", MAX_TEXT),
    "issues": TextField("課題", MAX_TEXT),
    "next_steps": TextField("今後の方向性", MAX_TEXT),
    "entered_by": TextField("入力者", MAX_USER),
}
OPINION_TEXT: Final = {
    "opinion": TextField("意見", MAX_TEXT),
    "response": TextField("対応方針", MAX_TEXT),
    "entered_by": TextField("入力者", MAX_USER),
}
#: Opinion numbers run from 1 to this.
MAX_OPINION_NUMBER: Final = 999_999


def measure_evaluation_problems(e: MeasureEvaluation, where: str | None = None) -> list[str]:
    """Rules of one measure evaluation (not whether the measure exists)."""
    at = where or f"共創施策 {shown(e.measure)} {year_where(e.fiscal_year)}の施策評価"
    problems = [p for p in (fiscal_year_problem(at, "年度", e.fiscal_year),) if p]
    problems += text_problems(
        at,
        MEASURE_EVALUATION_TEXT,
        {
            "override_reason": e.override_reason,
            "achievements": e.achievements,
            "issues": e.issues,
            "next_steps": e.next_steps,
            "entered_by": e.entered_by,
        },
    )
    if e.override is None:
        if e.override_reason.strip():
            problems.append(f"{at}: 評価を変更していないのに、変更の理由が入力されています。")
        return problems
    if not e.override_reason.strip():
        problems.append(f"{at}: 評価を変更する理由を入力してください。")
    try:
        scheme = PRESETS[SchemeKey(e.override_scheme)]
    except ValueError:
        problems.append(f"{at}: 評価基準「{shown(e.override_scheme)}」は使えません。")
        return problems
    if e.override not in (g.symbol for g in scheme.grades):
        choices = "・".join(g.symbol for g in scheme.grades)
        problems.append(
            f"{at}: 評価「{shown(e.override)}」は{scheme.name}にありません（{choices}）。"
        )
    return problems


def opinion_problems(o: PanelOpinion, where: str | None = None) -> list[str]:
    at = where or f"有識者会議の意見 {o.number}"
    problems = [p for p in (fiscal_year_problem(at, "年度", o.fiscal_year),) if p]
    if not 1 <= o.number <= MAX_OPINION_NUMBER:
        problems.append(f"{at}: 番号は1〜{MAX_OPINION_NUMBER}にしてください。")
    if not o.opinion.strip():
        problems.append(f"{at}: 意見が空です。")
    problems += text_problems(
        at,
        OPINION_TEXT,
        {"opinion": o.opinion, "response": o.response, "entered_by": o.entered_by},
    )
    return problems


def project_evaluation_problems(p: ProjectEvaluation) -> list[str]:
    at = f"共創プロジェクト {shown(p.project)} {year_where(p.fiscal_year)}の方向性"
    problems = [x for x in (fiscal_year_problem(at, "年度", p.fiscal_year),) if x]
    problems += text_problems(
        at, {"entered_by": TextField("入力者", MAX_USER)}, {"entered_by": p.entered_by}
    )
    return problems


def evaluation_problems(
    records: EvaluationRecords, measures: set[str], projects: set[str], years: range
) -> list[str]:
    """Every rule of a plan's evaluation records, given the plan's measure codes, project ids
    and fiscal years."""
    problems: list[str] = []
    period = f"計画期間（{year_where(years[0])}〜{year_where(years[-1])}）" if years else "計画期間"
    for e in records.measures:
        at = f"共創施策 {shown(e.measure)} {year_where(e.fiscal_year)}の施策評価"
        if e.measure not in measures:
            problems.append(f"{at}: 共創施策 {shown(e.measure)} が見つかりません。")
        if e.fiscal_year not in years:
            problems.append(f"{at}: {period}外の年度です。")
        problems += measure_evaluation_problems(e, at)
    for dup in _duplicates(f"{e.measure} {year_where(e.fiscal_year)}" for e in records.measures):
        problems.append(f"共創施策 {shown(dup)}の施策評価が重複しています。")
    for p in records.projects:
        if p.project not in projects:
            problems.append(f"共創プロジェクト {shown(p.project)} が見つかりません（方向性）。")
        if p.fiscal_year not in years:
            problems.append(
                f"共創プロジェクト {shown(p.project)} {year_where(p.fiscal_year)}の方向性: "
                f"{period}外の年度です。"
            )
        problems += project_evaluation_problems(p)
    for dup in _duplicates(f"{p.project} {year_where(p.fiscal_year)}" for p in records.projects):
        problems.append(f"共創プロジェクト {shown(dup)}の方向性が重複しています。")
    for o in records.opinions:
        at = f"有識者会議の意見 {o.number}"
        if o.measure is not None and o.measure not in measures:
            problems.append(f"{at}: 共創施策 {shown(o.measure)} が見つかりません。")
        if o.fiscal_year not in years:
            problems.append(f"{at}: {period}外の年度です。")
        problems += opinion_problems(o, at)
    for dup in _duplicates(str(o.number) for o in records.opinions):
        problems.append(f"有識者会議の意見 {dup}: 番号が重複しています。")
    return problems
