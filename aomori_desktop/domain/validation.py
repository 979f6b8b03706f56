"""Consistency rules of a whole plan, checked before anything is written.

Each problem is a Japanese sentence that names its location, so an import can list them all.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from aomori_desktop.domain.fiscal import fy_label
from aomori_desktop.domain.plan import Direction, Kpi, PlanSnapshot

MAX_PLAN_YEARS = 50
MEASURE_CODE = re.compile(r"^(\d+)-(\d+)$")
PLACEMENT_CODE = re.compile(r"^(\d+)-(\d+)-(\d+)$")


def _duplicates(values: Iterable[str]) -> list[str]:
    return [v for v, n in Counter(values).items() if n > 1]


def validate_snapshot(snapshot: PlanSnapshot) -> list[str]:
    problems: list[str] = []
    info = snapshot.plan
    if not info.name.strip():
        problems.append("計画: 名称が空です。")
    if info.first_fiscal_year > info.last_fiscal_year:
        problems.append("計画: 開始年度が終了年度より後になっています。")
    elif info.last_fiscal_year - info.first_fiscal_year + 1 > MAX_PLAN_YEARS:
        problems.append(f"計画: 期間が長すぎます（{MAX_PLAN_YEARS}年度まで）。")
    if info.thresholds.achieved <= 0:
        problems.append("計画: 達成の基準（%）は0より大きくしてください。")
    if not 0 <= info.thresholds.delayed_factor <= 1:
        problems.append("計画: 遅れの判定係数は0以上1以下にしてください。")

    project_ids = [p.id for p in snapshot.projects]
    for dup in _duplicates(project_ids):
        problems.append(f"プロジェクト {dup}: IDが重複しています。")
    known_projects = set(project_ids)
    home_count: Counter[str] = Counter()

    for dup in _duplicates(str(p.number) for p in snapshot.pillars):
        problems.append(f"戦略の柱 {dup}: 番号が重複しています。")
    measure_codes: list[str] = []
    for pillar in snapshot.pillars:
        where = f"戦略の柱 {pillar.number}"
        if pillar.number < 1:
            problems.append(f"{where}: 番号は1以上にしてください。")
        if not pillar.name.strip():
            problems.append(f"{where}: 名称が空です。")
        for measure in pillar.measures:
            m = MEASURE_CODE.match(measure.code)
            if m is None or int(m.group(1)) != pillar.number or int(m.group(2)) < 1:
                problems.append(
                    f"共創施策 {measure.code}: コードは「{pillar.number}-番号」の形にしてください。"
                )
                continue
            measure_codes.append(measure.code)
            if not measure.title.strip():
                problems.append(f"共創施策 {measure.code}: 名称が空です。")
            seen_projects: set[str] = set()
            for pl in measure.placements:
                pm = PLACEMENT_CODE.match(pl.code)
                if pm is None or f"{pm.group(1)}-{pm.group(2)}" != measure.code:
                    problems.append(
                        f"共創プロジェクト {pl.code}: コードは「{measure.code}-番号」の形にしてください。"
                    )
                if pl.project not in known_projects:
                    problems.append(
                        f"共創プロジェクト {pl.code}: プロジェクト {pl.project} が見つかりません。"
                    )
                if pl.project in seen_projects:
                    problems.append(
                        f"共創施策 {measure.code}: プロジェクト {pl.project} が二重に掲載されています。"
                    )
                seen_projects.add(pl.project)
                if not pl.relisting:
                    home_count[pl.project] += 1
            for dup in _duplicates(pl.code for pl in measure.placements):
                problems.append(f"共創プロジェクト {dup}: コードが重複しています。")
    for dup in _duplicates(measure_codes):
        problems.append(f"共創施策 {dup}: コードが重複しています。")

    years = range(info.first_fiscal_year, info.last_fiscal_year + 1)
    for project in snapshot.projects:
        where = f"プロジェクト {project.id}"
        if not project.id.strip():
            problems.append("プロジェクト: IDが空です。")
        if not project.title.strip():
            problems.append(f"{where}: 名称が空です。")
        homes = home_count[project.id]
        if homes == 0:
            problems.append(f"{where}: 本来の掲載先（再掲でない掲載）がありません。")
        elif homes > 1:
            problems.append(
                f"{where}: 再掲でない掲載が{homes}か所あります（1か所にしてください）。"
            )
        for dup in _duplicates(str(y.fiscal_year) for y in project.years):
            problems.append(f"{where}: {dup}年度の記録が重複しています。")
        for y in project.years:
            if y.fiscal_year not in years:
                problems.append(f"{where}: {fy_label(y.fiscal_year)}は計画期間外です。")

    known_measures = set(measure_codes)
    for dup in _duplicates(k.id for k in snapshot.kpis):
        problems.append(f"KPI {dup}: IDが重複しています。")
    for kpi in snapshot.kpis:
        problems.extend(_validate_kpi(kpi, known_measures, years))
    return problems


def kpi_field_problems(kpi: Kpi) -> list[str]:
    """Rules of a single KPI's own fields (also used when a KPI is edited)."""
    where = f"KPI {kpi.id}" if kpi.id else "KPI"
    problems: list[str] = []
    for label, value in (("基準値", kpi.baseline), ("目標値", kpi.target)):
        if not value.is_finite():
            problems.append(f"{where}: {label}「{value}」は数値ではありません。")
    if problems:
        return problems  # the comparisons below need finite numbers
    if not kpi.name.strip():
        problems.append(f"{where}: 名称が空です。")
    if not kpi.unit.strip():
        problems.append(f"{where}: 単位が空です。")
    if kpi.baseline_fiscal_year > kpi.target_fiscal_year:
        problems.append(f"{where}: 基準年度が目標年度より後になっています。")
    if kpi.direction is Direction.MAINTAIN and kpi.baseline != kpi.target:
        problems.append(
            f"{where}: 「維持」のKPIは目標値を基準値と同じにしてください"
            f"（基準値 {kpi.baseline}、目標値 {kpi.target}）。"
        )
    if kpi.direction is Direction.INCREASE and kpi.target < kpi.baseline:
        problems.append(f"{where}: 「増加」のKPIの目標値が基準値より小さくなっています。")
    if kpi.direction is Direction.DECREASE and kpi.target > kpi.baseline:
        problems.append(f"{where}: 「減少」のKPIの目標値が基準値より大きくなっています。")
    return problems


def _validate_kpi(kpi: Kpi, known_measures: set[str], years: range) -> list[str]:
    where = f"KPI {kpi.id}"
    problems = kpi_field_problems(kpi)
    if not kpi.id.strip():
        problems.append("KPI: IDが空です。")
    if not kpi.measures:
        problems.append(f"{where}: 共創施策が指定されていません。")
    for code in kpi.measures:
        if code not in known_measures:
            problems.append(f"{where}: 共創施策 {code} が見つかりません。")
    for dup in _duplicates(kpi.measures):
        problems.append(f"{where}: 共創施策 {dup} が重複しています。")
    for dup in _duplicates(str(y.fiscal_year) for y in kpi.years):
        problems.append(f"{where}: {dup}年度の記録が重複しています。")
    for y in kpi.years:
        if y.fiscal_year not in years:
            problems.append(f"{where}: {fy_label(y.fiscal_year)}は計画期間外です。")
    return problems
