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

from aomori_desktop.domain.fiscal import fy_label, fy_label_era
from aomori_desktop.domain.grading import NOT_GRADED, GradeScheme
from aomori_desktop.domain.outlook import outlook_for
from aomori_desktop.domain.plan import Kpi, KpiYear, PlanSnapshot, Project
from aomori_desktop.domain.progress import (
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
    HEADER_LOOK,
    NOTE_LOOK,
    RATE_LOOK,
    TEXT_LOOK,
    TITLE_LOOK,
    WRAP_LOOK,
    Look,
    SheetOut,
    Styler,
    number_look,
    print_setup,
    year_heading,
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


class _Out(SheetOut):
    """A table sheet of the plan workbook: a header row repeated on every printed page,
    frozen panes, an autofilter over the table."""

    def __init__(
        self,
        wb: Any,
        styler: Styler,
        title: str,
        columns: Sequence[_Column],
        *,
        freeze: str | None = "C2",
        header: bool = True,
    ) -> None:
        super().__init__(wb, styler, title, [c.width for c in columns])
        if freeze:
            self.ws.freeze_panes = freeze
        print_setup(self.ws, title_rows="1:1" if header else None)
        if header:
            self.append([(c.heading, HEADER_LOOK) for c in columns])

    def finish(self, *, grades: tuple[str, GradeScheme] | None = None) -> None:
        """Autofilter over the table; the grade column's cells coloured by conditional
        formatting (`grades`: the column and the plan's scheme)."""
        last = get_column_letter(len(self.widths))
        self.ws.auto_filter.ref = f"A1:{last}{max(self.rows, 2)}"
        if grades is not None and self.rows > 1:
            column, scheme = grades
            _grade_rules(self.ws, f"{column}2:{column}{self.rows}", scheme)


def _local(at: datetime | None) -> datetime | None:
    """Excel has no time zones: local wall-clock time, as the window shows it."""
    return at.astimezone().replace(tzinfo=None) if at is not None else None


def _grade_rules(ws: Any, cell_range: str, scheme: GradeScheme) -> None:
    """Each grade of the plan's scheme in its own colours (the window's and the report's);
    the symbol is always written, so colour is never alone."""
    for grade in scheme.all_grades:
        fill, ink = grade.look.fill.lstrip("#").upper(), grade.look.ink.lstrip("#").upper()
        ws.conditional_formatting.add(
            cell_range,
            CellIsRule(
                operator="equal",
                formula=[f'"{grade.value}"'],
                fill=PatternFill("solid", start_color=fill, end_color=fill),
                font=Font(name=FONT_NAME, color=ink, bold=True),
            ),
        )


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


def write_plan_workbook(
    snapshot: PlanSnapshot,
    fiscal_year: int,
    *,
    exported_at: datetime,
    progress: Progress | None = None,
) -> bytes:
    """The .xlsx bytes of the whole plan; `fiscal_year` is the year 概要 and KPI evaluate."""
    wb = Workbook(write_only=True)
    styler = Styler(wb)
    years = list(snapshot.fiscal_years)
    scheme = snapshot.plan.grade_scheme
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
                scheme,
            )
            for fy in years
        }
    total = len(snapshot.kpis) * (len(years) + 2) + len(snapshot.projects)
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
        _projects_sheet(wb, styler, snapshot, fiscal_year)
        step(len(snapshot.projects), "共創プロジェクト")
        _kpi_sheet(wb, styler, snapshot, fiscal_year, evaluations, step)
        _actuals_sheet(wb, styler, snapshot, years, step)
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
    columns = [_Column("", 30), *(_Column("", 11) for _ in range(6))]
    out = _Out(wb, styler, "概要", columns, freeze=None, header=False)
    info = snapshot.plan
    scheme = info.grade_scheme
    out.append([(f"{info.name}（{info.status.label}）", TITLE_LOOK)], height=24)
    out.append([])
    measures = sum(len(p.measures) for p in snapshot.pillars)
    for label, value in (
        ("計画期間", f"{fy_label(info.first_fiscal_year)}〜{fy_label(info.last_fiscal_year)}"),
        ("評価年度", fy_label(fiscal_year)),
        ("書き出し日時", f"{_local(exported_at):%Y年%m月%d日 %H:%M}"),
        (
            "件数",
            f"戦略の柱 {len(snapshot.pillars)}、共創施策 {measures}、"
            f"共創プロジェクト {len(snapshot.projects)}、KPI {len(snapshot.kpis)}",
        ),
    ):
        out.append([(label, HEADER_LOOK), (value, NOTE_LOOK)])
    out.append([])
    out.append([(f"{fy_label(fiscal_year)}の評価（KPI数）", TITLE_LOOK)])
    out.append(
        [("戦略の柱", HEADER_LOOK)]
        + [(g.text, HEADER_LOOK) for g in scheme.all_grades]
        + [("計", HEADER_LOOK)]
    )
    kpis_of_measure: dict[str, list[str]] = {}
    for kpi in snapshot.kpis:
        for code in kpi.measures:
            kpis_of_measure.setdefault(code, []).append(kpi.id)
    for pillar in snapshot.pillars:
        codes = {k for m in pillar.measures for k in kpis_of_measure.get(m.code, [])}
        counts = count_grades((evaluations[c][fiscal_year].grade for c in codes), scheme)
        out.append(
            [(f"{pillar.number} {pillar.name}", TEXT_LOOK)]
            + [(n, CENTER_LOOK) for n in counts.as_dict().values()]
            + [(counts.total, CENTER_LOOK)]
        )
    everything = count_grades((e[fiscal_year].grade for e in evaluations.values()), scheme)
    out.append(
        [("計画全体", HEADER_LOOK)]
        + [(n, CENTER_LOOK) for n in everything.as_dict().values()]
        + [(everything.total, CENTER_LOOK)]
    )
    out.append([])
    out.append([(f"評価基準: {scheme.name}", NOTE_LOOK)])
    for line in scheme.describe():
        out.append([(line, NOTE_LOOK)])
    out.append([(f"{NOT_GRADED.text}: 実績値がない、または達成率を計算できない", NOTE_LOOK)])
    out.append([("KPIが複数の施策に属する場合も、柱・計画全体では1件と数えます。", NOTE_LOOK)])


def _structure_sheet(wb: Any, styler: Styler, snapshot: PlanSnapshot) -> None:
    columns = [
        _Column("柱", 5),
        _Column("戦略の柱", 40),
        _Column("施策\nコード", 7),
        _Column("共創施策", 40),
        _Column("共創\nプロジェクト数", 12),
        _Column("KPI数", 7),
    ]
    out = _Out(wb, styler, "戦略の柱・共創施策", columns)
    kpi_count: dict[str, int] = {}
    for kpi in snapshot.kpis:
        for code in kpi.measures:
            kpi_count[code] = kpi_count.get(code, 0) + 1
    for pillar in snapshot.pillars:
        for measure in pillar.measures:
            out.append(
                [
                    (pillar.number, CENTER_LOOK),
                    (pillar.title, WRAP_LOOK),
                    (measure.code, CENTER_LOOK),
                    (measure.title, WRAP_LOOK),
                    (len(measure.placements), CENTER_LOOK),
                    (kpi_count.get(measure.code, 0), CENTER_LOOK),
                ]
            )
    out.finish()


def _projects_sheet(wb: Any, styler: Styler, snapshot: PlanSnapshot, fiscal_year: int) -> None:
    era = fy_label_era(fiscal_year)
    columns = [
        _Column("掲載\nコード", 7),
        _Column("共創施策", 22),
        _Column("ID", 6),
        _Column("共創プロジェクト", 28),
        _Column("再掲", 11),
        _Column("取組内容", 44),
        _Column("担当課", 11),
        _Column("連携先（産学金官）", 18),
        _Column(f"状況\n{era}", 9),
        _Column(f"取組状況・メモ\n{era}", 30),
    ]
    out = _Out(wb, styler, "共創プロジェクト", columns, freeze="E2")
    projects: dict[str, Project] = {p.id: p for p in snapshot.projects}
    home: dict[str, str] = {}
    for pillar in snapshot.pillars:
        for measure in pillar.measures:
            for pl in measure.placements:
                if not pl.relisting:
                    home[pl.project] = pl.code
    for pillar in snapshot.pillars:
        for measure in pillar.measures:
            for pl in measure.placements:
                project = projects[pl.project]
                year = next((y for y in project.years if y.fiscal_year == fiscal_year), None)
                partners = "、".join(f"{p.sector.label}: {p.name}" for p in project.partners)
                relisting = f"再掲（{home.get(pl.project, '')}）" if pl.relisting else ""
                out.append(
                    [
                        (pl.code, CENTER_LOOK),
                        (f"{measure.code} {measure.title}", WRAP_LOOK),
                        (project.id, CENTER_LOOK),
                        (project.title, WRAP_LOOK),
                        (relisting, CENTER_LOOK),
                        (project.description, WRAP_LOOK),
                        (project.responsible_section, WRAP_LOOK),
                        (partners, WRAP_LOOK),
                        (year.status.label if year and year.status else "", CENTER_LOOK),
                        (year.note if year else "", WRAP_LOOK),
                    ]
                )
    out.finish()


def _kpi_sheet(
    wb: Any,
    styler: Styler,
    snapshot: PlanSnapshot,
    fiscal_year: int,
    evaluations: dict[str, dict[int, YearProgress]],
    step: Callable[[int, str], None],
) -> None:
    era = fy_label_era(fiscal_year)
    columns = [
        _Column("ID", 6),
        _Column("KPI", 32),
        _Column("単位", 6),
        _Column("共創施策", 9),
        _Column("担当課", 11),
        _Column("方向", 5),
        _Column("累計", 5),
        _Column("基準値", 11),
        _Column("基準年度", 13),
        _Column("目標値", 11),
        _Column("目標年度", 10),
        _Column(f"年度目標\n{era}", 11),
        _Column(f"実績値\n{era}", 12),
        _Column("速報/\n確定", 6),
        _Column(f"達成率\n(%)\n{era}", 9),
        _Column("期待\n進捗率\n(%)", 8),
        _Column(f"評価\n{era}", 9),
        _Column("見込み値\n(目標年度)", 11),
        _Column("見込み", 10),
        _Column("目標まで\n必要な\n年平均変化", 11),
        _Column("出典", 16),
    ]
    out = _Out(wb, styler, "KPI", columns)
    for kpi in snapshot.kpis:
        number = number_look(_kpi_decimals(kpi))
        year = next((y for y in kpi.years if y.fiscal_year == fiscal_year), KpiYear(fiscal_year))
        evaluation = evaluations[kpi.id][fiscal_year]
        baseline_year = fy_label_era(kpi.baseline_fiscal_year) + (
            "" if kpi.baseline_fiscal_year_confirmed else " 要確認"
        )
        projected, reach, required = _outlook_cells(kpi, fiscal_year)
        out.append(
            [
                (kpi.id, CENTER_LOOK),
                (kpi.name, WRAP_LOOK),
                (kpi.unit, CENTER_LOOK),
                (", ".join(kpi.measures), CENTER_LOOK),
                (kpi.responsible_section, WRAP_LOOK),
                (kpi.direction.label, CENTER_LOOK),
                ("累計" if kpi.cumulative else "", CENTER_LOOK),
                (kpi.baseline, number),
                (baseline_year, CENTER_LOOK),
                (kpi.target, number),
                (fy_label_era(kpi.target_fiscal_year), CENTER_LOOK),
                (year.interim_target, number),
                (year.actual, number),
                (year.status.label if year.status else "", CENTER_LOOK),
                (_rate(evaluation.achievement_rate), RATE_LOOK),
                (_rate(evaluation.expected_rate), RATE_LOOK),
                (evaluation.grade.value, CENTER_LOOK),
                (projected, number),
                (reach, CENTER_LOOK),
                (required, number_look(_kpi_decimals(kpi) + 2)),
                (kpi.data_source, WRAP_LOOK),
            ]
        )
        step(1, kpi.id)
    out.finish(grades=("Q", snapshot.plan.grade_scheme))


def _outlook_cells(kpi: Kpi, fiscal_year: int) -> tuple[Decimal | None, str, Decimal | None]:
    """見込み (the trend of the actuals up to the chosen year, to the target year): the value it
    reaches, whether that meets the target, and the yearly change still needed. Blank (with
    a word) where fewer than two years have a figure."""
    actuals = {y.fiscal_year: y.actual for y in kpi.years if y.fiscal_year <= fiscal_year}
    outlook = outlook_for(_terms(kpi), actuals)
    if outlook is None:
        return None, "算出不可", None
    required = outlook.required_per_year
    return (
        outlook.shown(outlook.projected),
        "達成見込み" if outlook.reaches_target else "未達の見込み",
        None if required is None else outlook.shown_change(required),
    )


def _actuals_sheet(
    wb: Any,
    styler: Styler,
    snapshot: PlanSnapshot,
    years: list[int],
    step: Callable[[int, str], None],
) -> None:
    columns = [
        _Column("ID", 6),
        _Column("KPI", 32),
        _Column("単位", 6),
        _Column("基準値", 11),
        *(_Column(f"実績値\n{year_heading(fy)}", 11) for fy in years),
        _Column("目標値", 11),
    ]
    out = _Out(wb, styler, "実績値の推移", columns)
    for kpi in snapshot.kpis:
        number = number_look(_kpi_decimals(kpi))
        actual = {y.fiscal_year: y.actual for y in kpi.years}
        out.append(
            [
                (kpi.id, CENTER_LOOK),
                (kpi.name, WRAP_LOOK),
                (kpi.unit, CENTER_LOOK),
                (kpi.baseline, number),
                *((actual.get(fy), number) for fy in years),
                (kpi.target, number),
            ]
        )
        step(1, kpi.id)
    out.finish()


def _kpi_years_sheet(
    wb: Any,
    styler: Styler,
    snapshot: PlanSnapshot,
    years: list[int],
    evaluations: dict[str, dict[int, YearProgress]],
    step: Callable[[int, str], None],
) -> None:
    columns = [
        _Column("ID", 6),
        _Column("KPI", 32),
        _Column("単位", 6),
        _Column("年度", 15),
        _Column("年度目標", 11),
        _Column("実績値", 12),
        _Column("速報/\n確定", 6),
        _Column("達成率\n(%)", 8),
        _Column("期待\n進捗率(%)", 9),
        _Column("評価", 5),
        _Column("評価区分", 8),
        _Column("要因分析・コメント", 40),
        _Column("入力者", 11),
        _Column("入力日時", 17),
    ]
    out = _Out(wb, styler, "KPI年度別", columns)
    empty = KpiYear(0)
    for kpi in snapshot.kpis:
        number = number_look(_kpi_decimals(kpi))
        by_year = {y.fiscal_year: y for y in kpi.years}
        for fy in years:
            y = by_year.get(fy, empty)
            evaluation = evaluations[kpi.id][fy]
            out.append(
                [
                    (kpi.id, CENTER_LOOK),
                    (kpi.name, WRAP_LOOK),
                    (kpi.unit, CENTER_LOOK),
                    (fy_label(fy), CENTER_LOOK),
                    (y.interim_target, number),
                    (y.actual, number),
                    (y.status.label if y.status else "", CENTER_LOOK),
                    (_rate(evaluation.achievement_rate), RATE_LOOK),
                    (_rate(evaluation.expected_rate), RATE_LOOK),
                    (evaluation.grade.value, CENTER_LOOK),
                    (evaluation.grade.label, CENTER_LOOK),
                    (y.comment, WRAP_LOOK),
                    (y.entered_by, TEXT_LOOK),
                    (_local(y.entered_at), DATETIME_LOOK),
                ]
            )
        step(len(years), kpi.id)
    out.finish(grades=("J", snapshot.plan.grade_scheme))
