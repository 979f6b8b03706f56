"""What the annual progress report (年次進捗報告書) of a fiscal year says, in reading order:

cover → contents → 評価の概要 (the grade scheme, grades per pillar with the chart, every
measure's grade and direction) → per pillar and measure: the evaluation (grade, how it was
proposed, the override and its reason, 成果・課題・今後の方向性, direction), the KPI table
(baseline, target, interim target, actual, 速報/確定, rates, grade, outlook, comment), each
KPI's chart, the projects with their status and direction, the panel's opinions with the
city's responses → the panel's opinions on the whole plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from aomori_desktop.domain.evaluation import MEASURE_TEXT_LABELS
from aomori_desktop.domain.fiscal import fy_label
from aomori_desktop.domain.grading import Grade
from aomori_desktop.domain.numbers import format_decimal
from aomori_desktop.domain.plan import Direction, PlanStatus
from aomori_desktop.domain.progress import format_rate
from aomori_desktop.reports.model import (
    Align,
    Block,
    Cell,
    Column,
    Contents,
    Cover,
    Document,
    GradeCountFigure,
    Heading,
    KpiFigure,
    PageBreak,
    Paragraph,
    Row,
    Table,
    TextStyle,
)
from aomori_desktop.services.evaluation_views import (
    AnnualReportData,
    KpiEvaluationRow,
    MeasureEvaluationView,
    report_date_text,
)

__all__ = ["ReportOptions", "annual_document", "outlook_text"]

NONE_WRITTEN = "（記入なし）"


@dataclass(frozen=True, slots=True)
class ReportOptions:
    """What the cover says besides the plan: the issuing department and the date."""

    department: str = "青森市"
    issued: date | None = None  # None: today


def _grade_cell(grade: Grade) -> Cell:
    return Cell(grade.text, bold=True, fill=grade.look.fill, ink=grade.look.ink, align=Align.CENTER)


def _value(value: object, unit: str) -> str:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return f"{format_decimal(value)}{unit}"
    return "−"


def outlook_text(k: KpiEvaluationRow) -> str:
    """'見込み 10件（2033年度、目標 3件を達成する見込み）／目標まで年平均 +0.13件が必要'."""
    o = k.outlook
    if o is None:
        return "見込み: 実績値が2か年度以上になると算出します"
    if o.latest_year >= k.target_fiscal_year:
        return "見込み: 目標年度の実績が入力済みです"
    reach = "目標を達成する見込み" if o.reaches_target else "このままでは目標に届かない見込み"
    text = (
        f"見込み {format_decimal(o.shown(o.projected))}{k.unit}"
        f"（{fy_label(k.target_fiscal_year)}、{reach}）"
    )
    required = o.required_per_year
    if required is not None:
        sign = "+" if required > 0 else ""
        text += (
            f"／目標まで年平均 {sign}{format_decimal(o.shown_change(required))}{k.unit}の変化が必要"
        )
    trend = o.shown_change(o.yearly_trend)
    return text + f"（実績の傾向: 年 {'+' if trend > 0 else ''}{format_decimal(trend)}{k.unit}）"


KPI_COLUMNS = (
    Column("基準値", 0.13, Align.RIGHT),
    Column("目標値", 0.13, Align.RIGHT),
    Column("年度目標", 0.12, Align.RIGHT),
    Column("実績値", 0.14, Align.RIGHT),
    Column("速報\n確定", 0.08, Align.CENTER),
    Column("達成率", 0.10, Align.RIGHT),
    Column("期待\n進捗率", 0.10, Align.RIGHT),
    Column("評価", 0.20, Align.CENTER),
)


def _kpi_table(m: MeasureEvaluationView) -> Table:
    rows: list[Row] = []
    grey = "#eef1f5"
    for i, k in enumerate(m.kpis, start=1):
        unit = k.unit
        name = f"{k.code} {k.name}" + ("（累計）" if k.cumulative and "累計" not in k.name else "")
        if k.direction is Direction.DECREASE:
            name += "（減少目標）"
        if unit:
            name += f"　単位: {unit}"
        rows.append(Row((Cell(name, bold=True, fill=grey),), span=True, group=i))
        rate = format_rate(k.progress.achievement_rate)
        expected = format_rate(k.progress.expected_rate)
        rows.append(
            Row(
                (
                    Cell(f"{_value(k.baseline, '')}\n{k.baseline_fiscal_year}年度"),
                    Cell(f"{_value(k.target, '')}\n{k.target_fiscal_year}年度"),
                    Cell(_value(k.interim_target, "")),
                    Cell(_value(k.actual, "")),
                    Cell(k.status.label if k.status else "−"),
                    Cell(f"{rate}%" if rate is not None else "−"),
                    Cell(f"{expected}%" if expected is not None else "−"),
                    _grade_cell(k.progress.grade),
                ),
                group=i,
            )
        )
        rows.append(Row((Cell(outlook_text(k)),), span=True, group=i))
        comment = k.comment.strip()
        rows.append(Row((Cell(f"コメント: {comment or NONE_WRITTEN}"),), span=True, group=i))
    return Table(KPI_COLUMNS, tuple(rows), font_scale=0.82)


def _evaluation_blocks(m: MeasureEvaluationView) -> list[Block]:
    r = m.record
    rows = [
        Row((Cell("施策の評価", bold=True), _grade_cell(m.grade))),
        Row(
            (
                Cell("評価の提案", bold=True),
                Cell(f"{m.proposed.text}（{m.basis}）"),
            )
        ),
    ]
    if m.override is not None and r is not None:
        rows.append(Row((Cell("評価を変更した理由", bold=True), Cell(r.override_reason.strip()))))
    elif m.stale_override and r is not None:
        rows.append(
            Row(
                (
                    Cell("以前の評価", bold=True),
                    Cell(
                        f"評価基準の変更前に「{r.override}」と評価（理由: {r.override_reason.strip()}）。"
                        "現在の評価基準で見直してください。"
                    ),
                )
            )
        )
    course = r.course.label if r is not None and r.course is not None else "未設定"
    rows.append(Row((Cell("今後の方向性（区分）", bold=True), Cell(course, bold=True))))
    blocks: list[Block] = [
        Table((Column("項目", 0.26), Column("内容", 0.74)), tuple(rows), header=False)
    ]
    for name, label in MEASURE_TEXT_LABELS.items():
        text = getattr(r, name).strip() if r is not None else ""
        blocks.append(Paragraph(f"【{label}】", TextStyle.LABEL))
        blocks.append(Paragraph(text or NONE_WRITTEN))
    return blocks


def _project_table(m: MeasureEvaluationView) -> Table:
    return Table(
        (
            Column("掲載", 0.09, Align.CENTER),
            Column("共創プロジェクト", 0.43),
            Column("状況", 0.11, Align.CENTER),
            Column("方向性", 0.15, Align.CENTER),
            Column("メモ", 0.22),
        ),
        tuple(
            Row(
                (
                    Cell(p.mark),
                    Cell(p.title + ("（再掲）" if p.relisting else "")),
                    Cell(p.status.label if p.status else "未設定"),
                    Cell(p.course.label if p.course else "未設定"),
                    Cell(p.note.strip()),
                )
            )
            for p in m.projects
        ),
        font_scale=0.85,
    )


def _opinion_table(opinions: tuple[object, ...]) -> Table:
    from aomori_desktop.domain.evaluation import PanelOpinion

    rows = []
    for o in opinions:
        assert isinstance(o, PanelOpinion)
        rows.append(
            Row(
                (
                    Cell(str(o.number)),
                    Cell(o.opinion.strip()),
                    Cell(o.response.strip() or "（対応方針は未記入）"),
                )
            )
        )
    return Table(
        (Column("No.", 0.07, Align.CENTER), Column("意見", 0.48), Column("対応方針", 0.45)),
        tuple(rows),
        font_scale=0.85,
    )


def _summary(data: AnnualReportData) -> list[Block]:
    scheme = data.scheme
    grades = scheme.all_grades
    blocks: list[Block] = [
        Heading(1, "評価の概要", "summary"),
        Paragraph(
            f"{fy_label(data.fiscal_year)}の実績により、KPI（重要業績評価指標）ごとに達成率と"
            "期待進捗率から評価し、共創施策ごとにKPIの評価から施策の評価を行いました。"
            f"評価基準は{scheme.name}です。"
        ),
        Paragraph("\n".join(scheme.describe()), TextStyle.NOTE),
        Paragraph(
            "達成率 ＝（実績値 − 基準値）÷（目標値 − 基準値）× 100。期待進捗率は、年度目標が"
            "あればその進捗、なければ基準年度から目標年度までの直線的な進捗です。施策の評価は、"
            "評価不能を除くKPIの評価の平均（中間は低い方）を提案とし、担当課が理由を付して"
            "変更した場合はその評価です。",
            TextStyle.NOTE,
        ),
    ]
    columns = (
        Column("戦略の柱", 0.40),
        *(Column(g.letter, 0.6 / len(grades), Align.CENTER) for g in grades),
    )
    rows = []
    for p in data.pillars:
        rows.append(
            Row(
                (
                    Cell(f"{p.number} {p.name}"),
                    *(Cell(str(p.kpi_counts.count(g))) for g in grades),
                )
            )
        )
    rows.append(
        Row(
            (
                Cell("計（KPI）", bold=True),
                *(Cell(str(data.kpi_counts.count(g)), bold=True) for g in grades),
            )
        )
    )
    blocks.append(Paragraph("戦略の柱ごとのKPIの評価（件）", TextStyle.LABEL))
    blocks.append(Table(columns, tuple(rows), font_scale=0.85))
    blocks.append(
        GradeCountFigure(
            data.plan_name,
            data.fiscal_year,
            tuple((f"{p.number} {p.name}", p.kpi_counts) for p in data.pillars),
            f"図 戦略の柱ごとのKPIの評価（{fy_label(data.fiscal_year)}）",
        )
    )
    blocks.append(Paragraph("共創施策の評価と今後の方向性", TextStyle.LABEL))
    blocks.append(
        Table(
            (
                Column("施策", 0.56),
                Column("評価", 0.22, Align.CENTER),
                Column("方向性", 0.22, Align.CENTER),
            ),
            tuple(
                Row(
                    (
                        Cell(f"{m.code} {m.title}"),
                        _grade_cell(m.grade),
                        Cell(
                            m.record.course.label
                            if m.record is not None and m.record.course is not None
                            else "未設定"
                        ),
                    )
                )
                for m in data.measures
            ),
            font_scale=0.85,
        )
    )
    return blocks


def annual_document(data: AnnualReportData, options: ReportOptions | None = None) -> Document:
    """The annual report of `data.fiscal_year` as a document both writers lay out."""
    options = options or ReportOptions()
    year = fy_label(data.fiscal_year)
    note = "（計画は案です）" if data.plan_status is PlanStatus.DRAFT else ""
    blocks: list[Block] = [
        Cover(
            "年次進捗報告書",
            data.plan_name,
            year,
            report_date_text(options.issued or date.today()),
            options.department.strip(),
            note,
        ),
        Contents(),
        *_summary(data),
    ]
    figure = 0
    for p in data.pillars:
        blocks.append(PageBreak())
        blocks.append(Heading(1, f"戦略の柱{p.number} {p.title}", f"pillar-{p.number}"))
        for m in p.measures:
            blocks.append(Heading(2, f"{m.code} {m.title}", f"measure-{m.code}"))
            blocks.extend(_evaluation_blocks(m))
            blocks.append(Heading(3, "KPIの状況", f"measure-{m.code}-kpis"))
            if m.kpis:
                blocks.append(_kpi_table(m))
                for k in m.kpis:
                    figure += 1
                    blocks.append(
                        KpiFigure(
                            data.kpi_details[k.code],
                            data.fiscal_year,
                            f"図{figure} {k.code} {k.name}（{year}まで）",
                        )
                    )
            else:
                blocks.append(Paragraph("この施策にはKPIがありません。"))
            blocks.append(Heading(3, "共創プロジェクト", f"measure-{m.code}-projects"))
            if m.projects:
                blocks.append(_project_table(m))
            else:
                blocks.append(Paragraph("この施策には共創プロジェクトがありません。"))
            blocks.append(Heading(3, "有識者会議の意見と対応方針", f"measure-{m.code}-opinions"))
            if m.opinions:
                blocks.append(_opinion_table(m.opinions))
            else:
                blocks.append(Paragraph("この施策への意見はありません。"))
    blocks.append(PageBreak())
    blocks.append(Heading(1, "有識者会議の意見（計画全体）と対応方針", "plan-opinions"))
    if data.plan_opinions:
        blocks.append(_opinion_table(data.plan_opinions))
    else:
        blocks.append(Paragraph("計画全体への意見はありません。"))
    return Document(
        title=f"{data.plan_name} {year} 年次進捗報告書",
        blocks=tuple(blocks),
        subject=f"{year}の施策評価・KPIの進捗",
        author=options.department.strip(),
        keywords=(data.plan_name, year, "年次進捗報告書"),
    )
