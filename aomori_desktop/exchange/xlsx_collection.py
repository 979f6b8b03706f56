"""The collection workbook (調査票) a department fills in: layout and writing.

Sheets, in order: 記入方法 (instructions), KPI (one row per KPI), 共創プロジェクト (one row per
project), and a very hidden sheet with the form's identity: the plan, the fiscal year, what the
database held for each row when the form was made, and its fingerprint.

Known fields are shown and locked (sheet protection without a password, so nobody is locked
out); only the yellow input cells are editable, with Excel data validation (a decimal within
sane bounds, a list for 速報/確定 and for a project's status). Column A of each sheet holds a
hidden identifier (``kpi:K01``), so rows are matched however the department sorts, filters or
hides them. The reader is `xlsx_returned`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Final

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.protection import SheetProtection

from aomori_desktop.domain.fiscal import fy_label, fy_label_era
from aomori_desktop.domain.numbers import MAX_INTEGER_DIGITS, decimal_to_text
from aomori_desktop.domain.plan import FigureStatus, ProjectStatus
from aomori_desktop.exchange.collection_form import (
    FORMAT,
    VERSION,
    CollectionForm,
    FormKpi,
    FormProject,
)
from aomori_desktop.exchange.xlsx_style import (
    CENTER_LOOK,
    HEADER_LOOK,
    INPUT_FILL,
    NOTE_LOOK,
    TEXT_LOOK,
    TITLE_LOOK,
    WRAP_LOOK,
    Look,
    SheetOut,
    Styler,
    number_look,
    print_setup,
)

INSTRUCTIONS_SHEET: Final = "記入方法"
KPI_SHEET: Final = "KPI"
PROJECT_SHEET: Final = "共創プロジェクト"
META_SHEET: Final = "調査票情報"
HEADER_ROW: Final = 4
FIRST_ROW: Final = HEADER_ROW + 1
ID_COLUMN: Final = 1

INPUT_LOOK: Final = Look(fill=INPUT_FILL, locked=False, wrap=True)
INPUT_CENTER: Final = Look(fill=INPUT_FILL, locked=False, horizontal="center")
_LIMIT: Final = "9" * MAX_INTEGER_DIGITS


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    heading: str
    width: float
    input: bool = False


def kpi_columns(fiscal_year: int) -> tuple[Column, ...]:
    """The KPI sheet's columns (their headings are checked on import)."""
    return (
        Column("id", "識別情報", 4),
        Column("code", "ID", 6),
        Column("measures", "共創施策", 9),
        Column("name", "KPI", 34),
        Column("section", "担当課", 12),
        Column("unit", "単位", 6),
        Column("baseline", "基準値", 11),
        Column("baseline_year", "基準年度", 10),
        Column("target", "目標値", 11),
        Column("target_year", "目標年度", 10),
        Column("interim", f"年度目標\n{fy_label_era(fiscal_year)}", 11),
        Column("previous", f"前年度実績\n{fy_label_era(fiscal_year - 1)}", 11),
        Column("actual", f"実績値\n{fy_label_era(fiscal_year)}", 13, input=True),
        Column("status", "速報/\n確定", 7, input=True),
        Column("comment", "要因分析・コメント", 44, input=True),
    )


def project_columns(fiscal_year: int) -> tuple[Column, ...]:
    return (
        Column("id", "識別情報", 4),
        Column("code", "ID", 7),
        Column("placements", "掲載", 12),
        Column("title", "共創プロジェクト", 30),
        Column("section", "担当課", 12),
        Column("description", "取組内容", 40),
        Column("previous", f"前年度の状況\n{fy_label_era(fiscal_year - 1)}", 12),
        Column("status", f"状況\n{fy_label_era(fiscal_year)}", 10, input=True),
        Column("note", "取組状況・メモ", 40, input=True),
    )


def column_index(columns: tuple[Column, ...], key: str) -> int:
    return next(i for i, c in enumerate(columns, start=1) if c.key == key)


def kpi_identifier(code: str) -> str:
    return f"kpi:{code}"


def project_identifier(code: str) -> str:
    return f"project:{code}"


#: Keys of the hidden sheet's first rows, in order.
META_KEYS: Final = (
    "format",
    "version",
    "plan_key",
    "plan_name",
    "fiscal_year",
    "scope",
    "created_at",
    "created_by",
    "fingerprint",
    "kpis",
    "projects",
)


def write_collection_workbook(form: CollectionForm) -> bytes:
    """The .xlsx bytes of one collection workbook (rows streamed: a form for thousands of
    KPIs is written in seconds)."""
    wb = Workbook(write_only=True)
    styler = Styler(wb)
    _instructions(SheetOut(wb, styler, INSTRUCTIONS_SHEET, [16, 96]), form)
    _kpi_sheet(
        SheetOut(wb, styler, KPI_SHEET, [c.width for c in kpi_columns(form.fiscal_year)]), form
    )
    _project_sheet(
        SheetOut(wb, styler, PROJECT_SHEET, [c.width for c in project_columns(form.fiscal_year)]),
        form,
    )
    _meta_sheet(SheetOut(wb, styler, META_SHEET, [12, 40, 20, 12, 40]), form)
    # sheets cannot be renamed, removed or unhidden (no password: Excel's 保護の解除 works)
    wb.security = WorkbookProtection(lockStructure=True)
    wb.active = 0
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _protect(ws: Any) -> None:
    """Locked cells stay as they are; rows may be hidden, filtered and sorted, columns
    resized. No password, so nobody is ever locked out of the file."""
    ws.protection = SheetProtection(
        sheet=True,
        formatColumns=False,
        formatRows=False,
        sort=False,
        autoFilter=False,
        selectLockedCells=False,
        selectUnlockedCells=False,
    )


def _instructions(out: SheetOut, form: CollectionForm) -> None:
    ws = out.ws
    print_setup(ws, title_rows=None)
    ws.page_setup.orientation = "portrait"
    label = fy_label(form.fiscal_year)
    out.append([(f"{form.plan_name} {label} 実績調査票", TITLE_LOOK)], height=24)
    out.append([])
    facts = (
        ("対象", form.scope),
        ("年度", label),
        ("作成", f"{form.created_at.astimezone():%Y年%m月%d日 %H:%M}（{form.created_by}）"),
        ("件数", f"KPI {len(form.kpis)}件、共創プロジェクト {len(form.projects)}件"),
    )
    for key, value in facts:
        out.append([(key, HEADER_LOOK), (value, WRAP_LOOK)])
    out.append([])
    out.append([("記入方法", TITLE_LOOK)], height=20)
    steps = (
        f"「{KPI_SHEET}」シートの黄色のセル（実績値・速報/確定・要因分析・コメント）に入力してください。",
        "実績値は単位を付けずに数値で入力してください（例: 1,234　8.4）。マイナスは -5 または △5 と入力します。"
        "まだ分からない場合は空欄のままにしてください。",
        "速報/確定はリストから選んでください。統計の公表前の値は「速報」、公表後の値は「確定」です。",
        f"「{PROJECT_SHEET}」シートの黄色のセルに、{label}の状況（未着手・検討中・実施中・完了・中止）と"
        "取組状況を入力してください。",
        "すでに入っている値は、この調査票を作成した時点で登録されている値です。変更がなければそのままにしてください。",
        "行の並べ替え・絞り込み・非表示はかまいません。行や列の追加・削除、セルの結合、シート名の変更は"
        "しないでください（取り込めなくなります）。",
        "黄色以外のセルは保護されています（パスワードはありません）。記載内容に誤りがあれば、"
        "コメント欄にお書きください。",
        "入力が終わったら上書き保存し、ファイル名を変えずに返送してください。",
    )
    for number, text in enumerate(steps, start=1):
        out.append(
            [
                (f"{number}.", Look(horizontal="right", border=False)),
                (text, Look(wrap=True, border=False)),
            ]
        )
    ws.protection = SheetProtection(sheet=True, selectLockedCells=False)


def _header(out: SheetOut, columns: tuple[Column, ...], title: str, note: str) -> None:
    ws = out.ws
    # a streamed sheet writes its columns, panes and page fit with its first row: set first
    ws.column_dimensions["A"].hidden = True
    ws.freeze_panes = f"E{FIRST_ROW}"
    print_setup(ws, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    out.append([None, (title, TITLE_LOOK)], height=22)
    out.append([None, (note, NOTE_LOOK)])
    out.append([])
    input_header = Look(bold=True, fill="FFD966", wrap=True, vertical="center")
    out.append([(c.heading, input_header if c.input else HEADER_LOOK) for c in columns])


def _finish(out: SheetOut, columns: tuple[Column, ...], last: int) -> None:
    ws = out.ws
    end = get_column_letter(len(columns))
    ws.auto_filter.ref = f"B{HEADER_ROW}:{end}{last}"
    ws.print_area = f"B1:{end}{last}"
    _protect(ws)


def _kpi_sheet(out: SheetOut, form: CollectionForm) -> None:
    columns = kpi_columns(form.fiscal_year)
    _header(
        out,
        columns,
        f"KPI実績（{fy_label(form.fiscal_year)}） {form.scope}",
        "黄色のセルに入力してください。行の並べ替え・絞り込みはかまいません。",
    )
    for kpi in form.kpis:
        out.append(_kpi_row(kpi))
    last = FIRST_ROW + max(len(form.kpis), 1) - 1
    actual = get_column_letter(column_index(columns, "actual"))
    status = get_column_letter(column_index(columns, "status"))
    out.ws.data_validations.append(
        _validation(
            DataValidation(
                type="decimal",
                operator="between",
                formula1=f"-{_LIMIT}",
                formula2=_LIMIT,
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="実績値",
                error="数値を入力してください（単位や文字は付けません）。",
                showInputMessage=True,
                promptTitle="実績値",
                prompt="単位を付けずに数値で入力してください。",
            ),
            f"{actual}{FIRST_ROW}:{actual}{last}",
        )
    )
    out.ws.data_validations.append(
        _validation(
            DataValidation(
                type="list",
                formula1='"' + ",".join(s.label for s in FigureStatus) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="速報/確定",
                error="「速報」か「確定」をリストから選んでください。",
            ),
            f"{status}{FIRST_ROW}:{status}{last}",
        )
    )
    _finish(out, columns, last)


def _validation(dv: DataValidation, cell_range: str) -> DataValidation:
    dv.add(cell_range)
    return dv


def _kpi_row(kpi: FormKpi) -> list[tuple[object, Look]]:
    number = number_look(kpi.decimals)
    values = kpi.values
    return [
        (kpi_identifier(kpi.code), TEXT_LOOK),
        (kpi.code, CENTER_LOOK),
        (kpi.measures, CENTER_LOOK),
        (kpi.name, WRAP_LOOK),
        (kpi.responsible_section, WRAP_LOOK),
        (kpi.unit, CENTER_LOOK),
        (kpi.baseline, number),
        (fy_label_era(kpi.baseline_fiscal_year), CENTER_LOOK),
        (kpi.target, number),
        (fy_label_era(kpi.target_fiscal_year), CENTER_LOOK),
        (kpi.interim_target, number),
        (kpi.previous_actual, number),
        (values.actual, number_look(kpi.decimals, fill=INPUT_FILL, locked=False)),
        (values.status.label if values.status else None, INPUT_CENTER),
        (values.comment or None, INPUT_LOOK),
    ]


def _project_sheet(out: SheetOut, form: CollectionForm) -> None:
    columns = project_columns(form.fiscal_year)
    _header(
        out,
        columns,
        f"共創プロジェクトの状況（{fy_label(form.fiscal_year)}） {form.scope}",
        "黄色のセルに入力してください。状況はリストから選びます。",
    )
    for project in form.projects:
        out.append(_project_row(project))
    last = FIRST_ROW + max(len(form.projects), 1) - 1
    status = get_column_letter(column_index(columns, "status"))
    out.ws.data_validations.append(
        _validation(
            DataValidation(
                type="list",
                formula1='"' + ",".join(s.label for s in ProjectStatus) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="状況",
                error="状況はリストから選んでください。",
            ),
            f"{status}{FIRST_ROW}:{status}{last}",
        )
    )
    _finish(out, columns, last)


def _project_row(project: FormProject) -> list[tuple[object, Look]]:
    values = project.values
    return [
        (project_identifier(project.code), TEXT_LOOK),
        (project.code, CENTER_LOOK),
        (project.placements, WRAP_LOOK),
        (project.title, WRAP_LOOK),
        (project.responsible_section, WRAP_LOOK),
        (project.description, WRAP_LOOK),
        (project.previous_status.label if project.previous_status else None, CENTER_LOOK),
        (values.status.label if values.status else None, INPUT_CENTER),
        (values.note or None, INPUT_LOOK),
    ]


def _meta_sheet(out: SheetOut, form: CollectionForm) -> None:
    """The form's identity and the values it was made with, as text (never formulas)."""
    out.ws.sheet_state = "veryHidden"
    plain = Look(border=False)
    meta = {
        "format": FORMAT,
        "version": str(VERSION),
        "plan_key": form.plan_key,
        "plan_name": form.plan_name,
        "fiscal_year": str(form.fiscal_year),
        "scope": form.scope,
        "created_at": form.created_at.isoformat(),
        "created_by": form.created_by,
        "fingerprint": form.fingerprint,
        "kpis": str(len(form.kpis)),
        "projects": str(len(form.projects)),
    }
    for key in META_KEYS:
        out.append([(key, plain), (meta[key], plain)], height=15)
    for kpi in form.kpis:
        v = kpi.values
        texts = (
            "kpi",
            kpi.code,
            decimal_to_text(v.actual) if v.actual is not None else "",
            v.status.value if v.status else "",
            v.comment,
        )
        out.append([(text, plain) for text in texts], height=15)
    for project in form.projects:
        pv = project.values
        project_texts = ("project", project.code, pv.status.value if pv.status else "", pv.note)
        out.append([(text, plain) for text in project_texts], height=15)
    out.ws.protection = SheetProtection(sheet=True)
