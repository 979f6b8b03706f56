"""Rules of the yearly evaluation records, applied by every path into the database (the JSON
import through `validate_snapshot`, and each evaluation service for the one record it stores).

Each problem is a Japanese sentence naming its location.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Final

from aomori_desktop.domain.evaluation import (
    EvaluationRecords,
    MeasureEvaluation,
    PanelOpinion,
    ProjectEvaluation,
)
from aomori_desktop.domain.grading import PRESETS, SchemeKey
from aomori_desktop.domain.validation import (
    MAX_TEXT,
    MAX_USER,
    TextField,
    fiscal_year_problem,
    shown,
    text_problems,
    year_where,
)

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


def _duplicates(keys: Iterable[str]) -> list[str]:
    return [k for k, n in Counter(keys).items() if n > 1]


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
