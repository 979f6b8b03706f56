"""The whole plan as an Excel workbook people read, filter and print.

Sheets: 概要 (the plan and its grade counts for the chosen year), 戦略の柱・共創施策,
共創プロジェクト (every listing; re-listings marked 再掲), KPI (definitions, the chosen year's
progress and every year's actual across), KPI年度別 (one row per KPI and fiscal year with every
figure, for filtering). Japanese headers, 令和6(2024)年度 headings, each KPI's own decimals with
thousands separators, frozen header rows, autofilters, grade cells coloured by conditional
formatting, A4 landscape printing with the header row on every page.

Written with openpyxl's write-only sheets (rows streamed), so 50,000 yearly rows stay quick.
Reading only: nothing in this workbook is imported back (the 調査票 is for that).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from aomori_desktop.domain.fiscal import fy_label
from aomori_desktop.domain.plan import Kpi, KpiYear, PlanSnapshot, Project
from aomori_desktop.domain.progress import (
    Grade,
    KpiTerms,
    YearProgress,
    count_grades,
    evaluate_year,
    format_rate,
)
from aomori_desktop.exchange.collection_form import decimals_of
from aomori_desktop.exchange.xlsx_style import (
    CENTER_LOOK,
    FONT_NAME,
    GRADE_FILLS,
    HEADER_LOOK,
    NOTE_LOOK,
    RATE_LOOK,
    TEXT_LOOK,
    TITLE_LOOK,
    WRAP_LOOK,
    Look,
    Styler,
    number_look,
    print_setup,
    set_widths,
)

DATETIME_LOOK = Look(number_format="yyyy/mm/dd hh:mm", horizontal="center")


class Progress(Protocol):
    """Where a long export reports how far it got and learns that the user cancelled
    (`services.tasks.TaskState` is one)."""

    def report(self, done: int, total: int, text: str = "") -> None: ...

    def check(self) -> None: ...


@dataclass(frozen=True, slots=True)
class _Column:
    heading: str
    width: float


def _local(at: datetime | None) -> datetime | None:
    """Excel has no time zones: local wall-clock time, as the window shows it."""
    return at.astimezone().replace(tzinfo=None) if at is not None else None


def _grade_rules(ws: Any, cell_range: str) -> None:
    for grade, (fill, colour) in GRADE_FILLS.items():
        ws.conditional_formatting.add(
            cell_range,
            CellIsRule(
                operator="equal",
                formula=[f'"{grade.value}"'],
                fill=PatternFill("solid", start_color=fill, end_color=fill),
                font=Font(name=FONT_NAME, color=colour, bold=True),
            ),
        )


def _sheet(wb: Any, title: str, columns: Sequence[_Column], styler: Styler, freeze: str) -> Any:
    ws = wb.create_sheet(title)
    set_widths(ws, [c.width for c in columns])
    ws.freeze_panes = freeze
    print_setup(ws, title_rows="1:1")
    ws.append([styler.new(ws, c.heading, HEADER_LOOK) for c in columns])
    return ws


def _finish(ws: Any, columns: int, rows: int) -> None:
    ws.auto_filter.ref = f"A1:{get_column_letter(columns)}{max(rows, 1) + 1}"


def _kpi_decimals(kpi: Kpi) -> int:
    return decimals_of(
        [kpi.baseline, kpi.target]
        + [y.actual for y in kpi.years]
        + [y.interim_target for y in kpi.years]
    )


def _terms(kpi: Kpi) -> KpiTerms:
    return KpiTerms(
        kpi.baseline, kpi.baseline_fiscal_year, kpi.target, kpi.target_fiscal_year, kpi.direction
    )


def _rate(value: Decimal | None) -> Decimal | None:
    """A rate as the window shows it: one decimal, rounded half up."""
    text = format_rate(value)
    return Decimal(text) if text is not None else None


def _grade_text(grade: Grade) -> str:
    return grade.value


def write_plan_workbook(
    snapshot: PlanSnapshot,
    fiscal_year: int,
    *,
    exported_at: datetime,
    progress: Progress | None = None,
) -> bytes:
    """The .xlsx bytes of the whole plan; grades and rates of `fiscal_year` on 概要 and KPI."""
    wb = Workbook(write_only=True)
    styler = Styler(wb)
    years = list(snapshot.fiscal_years)
    thresholds = snapshot.plan.thresholds
    evaluations: dict[str, dict[int, YearProgress]] = {}
    for kpi in snapshot.kpis:
        by_year = {y.fiscal_year: y for y in kpi.years}
        terms = _terms(kpi)
        evaluations[kpi.id] = {
            fy: evaluate_year(
                terms,
                fy,
                by_year[fy].actual if fy in by_year else None,
                by_year[fy].interim_target if fy in by_year else None,
                thresholds,
            )
            for fy in years
        }
    total = len(snapshot.kpis) * (len(years) + 1) + len(snapshot.projects) + 1
    done = 0

    def step(count: int, text: str) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress.check()
            progress.report(done, total, text)

    try:
        _summary_sheet(wb, styler, snapshot, fiscal_year, exported_at, evaluations)
        _structure_sheet(wb, styler, snapshot)
        _projects_sheet(wb, styler, snapshot, years)
        step(len(snapshot.projects) + 1, "共創プロジェクト")
        _kpi_sheet(wb, styler, snapshot, years, fiscal_year, evaluations, step)
        _kpi_years_sheet(wb, styler, snapshot, years, evaluations, step)
        buffer = io.BytesIO()
        wb.save(buffer)
    except BaseException:
        _discard(wb)
        raise
    return buffer.getvalue()


def _discard(wb: Any) -> None:
    """Close the half-written sheets of a stopped export and remove their temporary files
    (openpyxl streams each write-only sheet through one)."""
    for ws in wb.worksheets:
        with suppress(Exception):
            if not ws.closed:
                ws.close()
        writer = getattr(ws, "_writer", None)
        if writer is not None:
            with suppress(Exception):
                writer.cleanup()


def _summary_sheet(
    wb: Any,
    styler: Styler,
    snapshot: PlanSnapshot,
    fiscal_year: int,
    exported_at: datetime,
    evaluations: dict[str, dict[int, YearProgress]],
) -> None:
    ws = wb.create_sheet("概要")
    set_widths(ws, [34, 10, 10, 10, 10, 10, 10])
    print_setup(ws, title_rows=None)
    info = snapshot.plan
    ws.append([styler.new(ws, f"{info.name}（{info.status.label}）", TITLE_LOOK)])
    ws.append([])
    for label, value in (
        ("計画期間", f"{fy_label(info.first_fiscal_year)}〜{fy_label(info.last_fiscal_year)}"),
        ("評価年度", fy_label(fiscal_year)),
        ("書き出し日時", f"{_local(exported_at):%Y年%m月%d日 %H:%M}"),
        (
            "件数",
            f"戦略の柱 {len(snapshot.pillars)}、共創施策 "
            f"{sum(len(p.measures) for p in snapshot.pillars)}、共創プロジェクト "
            f"{len(snapshot.projects)}、KPI {len(snapshot.kpis)}",
        ),
    ):
        ws.append([styler.new(ws, label, HEADER_LOOK), styler.new(ws, value, NOTE_LOOK)])
    ws.append([])
    ws.append([styler.new(ws, f"{fy_label(fiscal_year)}の評価（KPI数）", TITLE_LOOK)])
    headings = ["戦略の柱", *(f"{g.value} {g.label}" for g in Grade), "計"]
    ws.append([styler.new(ws, h, HEADER_LOOK) for h in headings])
    kpis_of_measure: dict[str, list[str]] = {}
    for kpi in snapshot.kpis:
        for code in kpi.measures:
            kpis_of_measure.setdefault(code, []).append(kpi.id)
    for pillar in snapshot.pillars:
        codes = {k for m in pillar.measures for k in kpis_of_measure.get(m.code, [])}
        counts = count_grades(
            evaluations[c][fiscal_year].grade for c in codes if fiscal_year in evaluations[c]
        )
        ws.append(
            [
                styler.new(ws, f"{pillar.number} {pillar.name}", TEXT_LOOK),
                *(styler.new(ws, n, CENTER_LOOK) for n in counts.as_dict().values()),
                styler.new(ws, counts.total, CENTER_LOOK),
            ]
        )
    everything = count_grades(
        e[fiscal_year].grade for e in evaluations.values() if fiscal_year in e
    )
    ws.append(
        [
            styler.new(ws, "計画全体", HEADER_LOOK),
            *(styler.new(ws, n, CENTER_LOOK) for n in everything.as_dict().values()),
            styler.new(ws, everything.total, CENTER_LOOK),
        ]
    )
    ws.append([])
    ws.append(
        [
            styler.new(
                ws,
                "評価: A 達成（達成率100%以上）、B 順調（期待進捗率以上）、C 遅れ（期待進捗率の半分以上）、"
                "D 停滞、− 評価不能（実績値なし）。KPIが複数の施策に属する場合も柱・計画全体では1件と数えます。",
                NOTE_LOOK,
            )
        ]
    )


def _structure_sheet(wb: Any, styler: Styler, snapshot: PlanSnapshot) -> None:
    columns = [
        _Column("柱", 6),
        _Column("戦略の柱", 44),
        _Column("施策コード", 9),
        _Column("共創施策", 40),
        _Column("共創プロジェクト数", 10),
        _Column("KPI数", 8),
    ]
    ws = _sheet(wb, "戦略の柱・共創施策", columns, styler, "C2")
    kpi_count: dict[str, int] = {}
    for kpi in snapshot.kpis:
        for code in kpi.measures:
            kpi_count[code] = kpi_count.get(code, 0) + 1
    rows = 0
    for pillar in snapshot.pillars:
        for measure in pillar.measures:
            ws.append(
                [
                    styler.new(ws, pillar.number, CENTER_LOOK),
                    styler.new(ws, pillar.title, WRAP_LOOK),
                    styler.new(ws, measure.code, CENTER_LOOK),
                    styler.new(ws, measure.title, WRAP_LOOK),
                    styler.new(ws, len(measure.placements), CENTER_LOOK),
                    styler.new(ws, kpi_count.get(measure.code, 0), CENTER_LOOK),
                ]
            )
            rows += 1
    _finish(ws, len(columns), rows)


def _projects_sheet(wb: Any, styler: Styler, snapshot: PlanSnapshot, years: list[int]) -> None:
    columns = [
        _Column("掲載コード", 9),
        _Column("共創施策", 28),
        _Column("ID", 8),
        _Column("共創プロジェクト", 34),
        _Column("再掲", 14),
        _Column("取組内容", 50),
        _Column("担当課", 14),
        _Column("連携先（産学金官）", 24),
        *(_Column(f"{fy_label(fy)} 状況", 10) for fy in years),
    ]
    ws = _sheet(wb, "共創プロジェクト", columns, styler, "E2")
    projects: dict[str, Project] = {p.id: p for p in snapshot.projects}
    home: dict[str, str] = {}
    for pillar in snapshot.pillars:
        for measure in pillar.measures:
            for pl in measure.placements:
                if not pl.relisting:
                    home[pl.project] = pl.code
    rows = 0
    for pillar in snapshot.pillars:
        for measure in pillar.measures:
            for pl in measure.placements:
                project = projects[pl.project]
                status = {y.fiscal_year: y.status for y in project.years}
                partners = "、".join(f"{p.sector.label}: {p.name}" for p in project.partners)
                relisting = f"再掲（{home.get(pl.project, '')}）" if pl.relisting else ""
                ws.append(
                    [
                        styler.new(ws, pl.code, CENTER_LOOK),
                        styler.new(ws, f"{measure.code} {measure.title}", WRAP_LOOK),
                        styler.new(ws, project.id, CENTER_LOOK),
                        styler.new(ws, project.title, WRAP_LOOK),
                        styler.new(ws, relisting, CENTER_LOOK),
                        styler.new(ws, project.description, WRAP_LOOK),
                        styler.new(ws, project.responsible_section, WRAP_LOOK),
                        styler.new(ws, partners, WRAP_LOOK),
                        *(
                            styler.new(ws, s.label if (s := status.get(fy)) else "", CENTER_LOOK)
                            for fy in years
                        ),
                    ]
                )
                rows += 1
    _finish(ws, len(columns), rows)


def _kpi_sheet(
    wb: Any,
    styler: Styler,
    snapshot: PlanSnapshot,
    years: list[int],
    fiscal_year: int,
    evaluations: dict[str, dict[int, YearProgress]],
    step: Callable[[int, str], None],
) -> None:
    label = fy_label(fiscal_year)
    columns = [
        _Column("ID", 7),
        _Column("KPI", 36),
        _Column("単位", 6),
        _Column("共創施策", 9),
        _Column("担当課", 12),
        _Column("方向", 6),
        _Column("累計", 5),
        _Column("基準値", 11),
        _Column("基準年度", 15),
        _Column("目標値", 11),
        _Column("目標年度", 15),
        _Column(f"達成率(%)\n{label}", 10),
        _Column(f"期待進捗率(%)\n{label}", 10),
        _Column(f"評価\n{label}", 9),
        *(_Column(f"実績値\n{fy_label(fy)}", 12) for fy in years),
        _Column("出典", 20),
    ]
    ws = _sheet(wb, "KPI", columns, styler, "C2")
    grade_column = get_column_letter(14)
    for kpi in snapshot.kpis:
        number = number_look(_kpi_decimals(kpi))
        actual = {y.fiscal_year: y.actual for y in kpi.years}
        evaluation = evaluations[kpi.id].get(fiscal_year)
        baseline_year = fy_label(kpi.baseline_fiscal_year) + (
            "" if kpi.baseline_fiscal_year_confirmed else "（要確認）"
        )
        ws.append(
            [
                styler.new(ws, kpi.id, CENTER_LOOK),
                styler.new(ws, kpi.name, WRAP_LOOK),
                styler.new(ws, kpi.unit, CENTER_LOOK),
                styler.new(ws, ", ".join(kpi.measures), CENTER_LOOK),
                styler.new(ws, kpi.responsible_section, WRAP_LOOK),
                styler.new(ws, kpi.direction.label, CENTER_LOOK),
                styler.new(ws, "累計" if kpi.cumulative else "", CENTER_LOOK),
                styler.new(ws, kpi.baseline, number),
                styler.new(ws, baseline_year, CENTER_LOOK),
                styler.new(ws, kpi.target, number),
                styler.new(ws, fy_label(kpi.target_fiscal_year), CENTER_LOOK),
                styler.new(
                    ws, _rate(evaluation.achievement_rate) if evaluation else None, RATE_LOOK
                ),
                styler.new(ws, _rate(evaluation.expected_rate) if evaluation else None, RATE_LOOK),
                styler.new(ws, _grade_text(evaluation.grade) if evaluation else "", CENTER_LOOK),
                *(styler.new(ws, actual.get(fy), number) for fy in years),
                styler.new(ws, kpi.data_source, WRAP_LOOK),
            ]
        )
        step(1, kpi.id)
    rows = len(snapshot.kpis)
    _grade_rules(ws, f"{grade_column}2:{grade_column}{rows + 1}")
    _finish(ws, len(columns), rows)


def _kpi_years_sheet(
    wb: Any,
    styler: Styler,
    snapshot: PlanSnapshot,
    years: list[int],
    evaluations: dict[str, dict[int, YearProgress]],
    step: Callable[[int, str], None],
) -> None:
    columns = [
        _Column("ID", 7),
        _Column("KPI", 34),
        _Column("単位", 6),
        _Column("年度", 15),
        _Column("年度目標", 11),
        _Column("実績値", 12),
        _Column("速報/確定", 8),
        _Column("達成率(%)", 9),
        _Column("期待進捗率(%)", 10),
        _Column("評価", 6),
        _Column("評価区分", 8),
        _Column("要因分析・コメント", 44),
        _Column("入力者", 12),
        _Column("入力日時", 16),
    ]
    ws = _sheet(wb, "KPI年度別", columns, styler, "C2")
    rows = 0
    empty = KpiYear(0)
    for kpi in snapshot.kpis:
        number = number_look(_kpi_decimals(kpi))
        by_year = {y.fiscal_year: y for y in kpi.years}
        for fy in years:
            y = by_year.get(fy, empty)
            evaluation = evaluations[kpi.id][fy]
            ws.append(
                [
                    styler.new(ws, kpi.id, CENTER_LOOK),
                    styler.new(ws, kpi.name, TEXT_LOOK),
                    styler.new(ws, kpi.unit, CENTER_LOOK),
                    styler.new(ws, fy_label(fy), CENTER_LOOK),
                    styler.new(ws, y.interim_target, number),
                    styler.new(ws, y.actual, number),
                    styler.new(ws, y.status.label if y.status else "", CENTER_LOOK),
                    styler.new(ws, _rate(evaluation.achievement_rate), RATE_LOOK),
                    styler.new(ws, _rate(evaluation.expected_rate), RATE_LOOK),
                    styler.new(ws, _grade_text(evaluation.grade), CENTER_LOOK),
                    styler.new(ws, evaluation.grade.label, CENTER_LOOK),
                    styler.new(ws, y.comment, WRAP_LOOK),
                    styler.new(ws, y.entered_by, TEXT_LOOK),
                    styler.new(ws, _local(y.entered_at), DATETIME_LOOK),
                ]
            )
            rows += 1
        step(len(years), kpi.id)
    _grade_rules(ws, f"J2:J{rows + 1}")
    _finish(ws, len(columns), rows)
