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
    Styler,
    number_look,
    print_setup,
    row_height,
    set_widths,
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
    """The .xlsx bytes of one collection workbook."""
    wb = Workbook()
    styler = Styler(wb)
    instructions = wb.active
    instructions.title = INSTRUCTIONS_SHEET
    _instructions(instructions, styler, form)
    _kpi_sheet(wb.create_sheet(KPI_SHEET), styler, form)
    _project_sheet(wb.create_sheet(PROJECT_SHEET), styler, form)
    _meta_sheet(wb.create_sheet(META_SHEET), styler, form)
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


def _instructions(ws: Any, styler: Styler, form: CollectionForm) -> None:
    set_widths(ws, [16, 96])
    print_setup(ws, title_rows=None)
    ws.page_setup.orientation = "portrait"
    label = fy_label(form.fiscal_year)
    styler.put(ws, 1, 1, f"{form.plan_name} {label} 実績調査票", TITLE_LOOK)
    ws.row_dimensions[1].height = 24
    facts = (
        ("対象", form.scope),
        ("年度", label),
        (
            "作成",
            f"{form.created_at.astimezone():%Y年%m月%d日 %H:%M}（{form.created_by}）",
        ),
        ("件数", f"KPI {len(form.kpis)}件、共創プロジェクト {len(form.projects)}件"),
    )
    row = 3
    for key, value in facts:
        styler.put(ws, row, 1, key, HEADER_LOOK)
        styler.put(ws, row, 2, value, WRAP_LOOK)
        row += 1
    row += 1
    styler.put(ws, row, 1, "記入方法", TITLE_LOOK)
    row += 1
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
        styler.put(ws, row, 1, f"{number}.", Look(horizontal="right", border=False))
        styler.put(ws, row, 2, text, Look(wrap=True, border=False))
        ws.row_dimensions[row].height = row_height([(text, 96)]) or 15.0
        row += 1
    ws.protection = SheetProtection(sheet=True, selectLockedCells=False)


def _header(ws: Any, styler: Styler, columns: tuple[Column, ...], title: str, note: str) -> None:
    set_widths(ws, [c.width for c in columns])
    ws.column_dimensions["A"].hidden = True
    styler.put(ws, 1, 2, title, TITLE_LOOK)
    ws.row_dimensions[1].height = 22
    styler.put(ws, 2, 2, note, NOTE_LOOK)
    for index, column in enumerate(columns, start=1):
        look = (
            HEADER_LOOK
            if not column.input
            else Look(bold=True, fill="FFD966", wrap=True, vertical="center")
        )
        styler.put(ws, HEADER_ROW, index, column.heading, look)
    ws.row_dimensions[HEADER_ROW].height = row_height((c.heading, c.width) for c in columns)
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=5).coordinate
    print_setup(ws, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")


def _validation(ws: Any, dv: DataValidation, cell_range: str) -> None:
    dv.add(cell_range)
    ws.add_data_validation(dv)


def _kpi_sheet(ws: Any, styler: Styler, form: CollectionForm) -> None:
    columns = kpi_columns(form.fiscal_year)
    _header(
        ws,
        styler,
        columns,
        f"KPI実績（{fy_label(form.fiscal_year)}） {form.scope}",
        "黄色のセルに入力してください。行の並べ替え・絞り込みはかまいません。",
    )
    widths = {c.key: c.width for c in columns}
    for offset, kpi in enumerate(form.kpis):
        row = FIRST_ROW + offset
        _kpi_row(ws, styler, row, kpi)
        ws.row_dimensions[row].height = row_height(
            [(kpi.name, widths["name"]), (kpi.values.comment, widths["comment"])]
        )
    last = FIRST_ROW + max(len(form.kpis), 1) - 1
    actual = get_column_letter(column_index(columns, "actual"))
    status = get_column_letter(column_index(columns, "status"))
    _validation(
        ws,
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
    _validation(
        ws,
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
    ws.auto_filter.ref = f"B{HEADER_ROW}:{get_column_letter(len(columns))}{last}"
    ws.print_area = f"B1:{get_column_letter(len(columns))}{last}"
    _protect(ws)


def _kpi_row(ws: Any, styler: Styler, row: int, kpi: FormKpi) -> None:
    number = number_look(kpi.decimals)
    values = kpi.values
    cells: tuple[tuple[object, Look], ...] = (
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
    )
    for column, (value, look) in enumerate(cells, start=1):
        styler.put(ws, row, column, value, look)


def _project_sheet(ws: Any, styler: Styler, form: CollectionForm) -> None:
    columns = project_columns(form.fiscal_year)
    _header(
        ws,
        styler,
        columns,
        f"共創プロジェクトの状況（{fy_label(form.fiscal_year)}） {form.scope}",
        "黄色のセルに入力してください。状況はリストから選びます。",
    )
    widths = {c.key: c.width for c in columns}
    for offset, project in enumerate(form.projects):
        row = FIRST_ROW + offset
        _project_row(ws, styler, row, project)
        ws.row_dimensions[row].height = row_height(
            [
                (project.title, widths["title"]),
                (project.description, widths["description"]),
                (project.values.note, widths["note"]),
            ]
        )
    last = FIRST_ROW + max(len(form.projects), 1) - 1
    status = get_column_letter(column_index(columns, "status"))
    _validation(
        ws,
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
    ws.auto_filter.ref = f"B{HEADER_ROW}:{get_column_letter(len(columns))}{last}"
    ws.print_area = f"B1:{get_column_letter(len(columns))}{last}"
    _protect(ws)


def _project_row(ws: Any, styler: Styler, row: int, project: FormProject) -> None:
    values = project.values
    cells: tuple[tuple[object, Look], ...] = (
        (project_identifier(project.code), TEXT_LOOK),
        (project.code, CENTER_LOOK),
        (project.placements, WRAP_LOOK),
        (project.title, WRAP_LOOK),
        (project.responsible_section, WRAP_LOOK),
        (project.description, WRAP_LOOK),
        (project.previous_status.label if project.previous_status else None, CENTER_LOOK),
        (values.status.label if values.status else None, INPUT_CENTER),
        (values.note or None, INPUT_LOOK),
    )
    for column, (value, look) in enumerate(cells, start=1):
        styler.put(ws, row, column, value, look)


def _meta_sheet(ws: Any, styler: Styler, form: CollectionForm) -> None:
    """The form's identity and the values it was made with, as text (never formulas)."""
    ws.sheet_state = "veryHidden"
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
    row = 1
    for key in META_KEYS:
        styler.put(ws, row, 1, key, plain)
        styler.put(ws, row, 2, meta[key], plain)
        row += 1
    for kpi in form.kpis:
        v = kpi.values
        for column, text in enumerate(
            (
                "kpi",
                kpi.code,
                decimal_to_text(v.actual) if v.actual is not None else "",
                v.status.value if v.status else "",
                v.comment,
            ),
            start=1,
        ):
            styler.put(ws, row, column, text, plain)
        row += 1
    for project in form.projects:
        pv = project.values
        for column, text in enumerate(
            ("project", project.code, pv.status.value if pv.status else "", pv.note), start=1
        ):
            styler.put(ws, row, column, text, plain)
        row += 1
    ws.protection = SheetProtection(sheet=True)
