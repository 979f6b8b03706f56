"""Reading a returned collection workbook (調査票) into a `FilledForm`.

The file is checked before openpyxl touches it (`xlsx_guard`) and read in openpyxl's
read-only (streaming) mode within row limits. Problems of the whole file (not a workbook,
another application's file, a renamed sheet, moved columns, merged cells, tampered or removed
identifiers, a sheet of a million rows) refuse the file with one sentence; problems of one cell
(text that is not a number, a formula without a stored result, a value not in a list) are
listed with the cell's address, ``KPI!M7: …``, and the rest of the file is still read so the
preview can show everything at once.

Rows are matched by the hidden identifier in column A, never by position: sorted, filtered
and hidden rows are read like any other.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from openpyxl.utils import get_column_letter, range_boundaries

from aomori_desktop.domain.errors import InvalidInput
from aomori_desktop.domain.numbers import decimal_from_text
from aomori_desktop.domain.plan import FigureStatus, ProjectStatus
from aomori_desktop.domain.validation import shown
from aomori_desktop.exchange.collection_form import (
    FORMAT,
    VERSION,
    Entry,
    Field,
    FilledForm,
    KpiValues,
    ProjectValues,
    Value,
    digest,
    fingerprint,
)
from aomori_desktop.exchange.grid import CellKind, ColumnSpec, cell_text, read_value
from aomori_desktop.exchange.xlsx_collection import (
    FIRST_ROW,
    HEADER_ROW,
    KPI_SHEET,
    META_KEYS,
    META_SHEET,
    PROJECT_SHEET,
    Column,
    kpi_columns,
    project_columns,
)
from aomori_desktop.exchange.xlsx_guard import (
    WorkbookRefused,
    check_file,
    merged_ranges,
    open_read_only,
)
from aomori_desktop.exchange.xlsx_plan import Progress

#: Rows read beyond a sheet's own rows before the sheet is refused as too long.
EXTRA_ROWS: Final = 1_000
MAX_META_ROWS: Final = 200_000
_DECIMALS: Final = re.compile(r"\.([0#?]+)")
_QUOTED: Final = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


@dataclass(slots=True)
class _Raw:
    """One input cell as the file holds it."""

    sheet: str
    address: str
    value: Any
    data_type: str
    number_format: str


@dataclass(slots=True)
class _Row:
    number: int
    identifier: Any
    unit: str = ""  # the KPI's unit as the row shows it (a figure in % may end in 「%」)
    cells: dict[str, _Raw] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Meta:
    plan_key: str
    plan_name: str
    fiscal_year: int
    scope: str
    created_at: datetime | None
    fingerprint: str
    kpis: dict[str, KpiValues]
    projects: dict[str, ProjectValues]


def read_returned_workbook(path: Path, *, progress: Progress | None = None) -> FilledForm:
    """The answers of one returned workbook; `WorkbookRefused` when the file cannot be used."""
    check_file(path)
    name = path.name
    with open_read_only(path, data_only=False) as wb:
        meta = _read_meta(wb, name)
        sheets: list[tuple[str, tuple[Column, ...], str, dict[str, Any], list[_Row]]] = []
        for sheet, columns, kind, base in (
            (KPI_SHEET, kpi_columns(meta.fiscal_year), "kpi", meta.kpis),
            (PROJECT_SHEET, project_columns(meta.fiscal_year), "project", meta.projects),
        ):
            if sheet not in wb.sheetnames:
                raise WorkbookRefused(
                    f"ブック「{name}」にシート「{sheet}」が見つかりません。"
                    "シート名を変更した場合は元に戻してから取り込んでください。"
                )
            ws = wb[sheet]
            _refuse_merged(path, ws, sheet, name)
            rows = _scan(ws, sheet, columns, name, len(base), progress)
            sheets.append((sheet, columns, kind, base, rows))
    formulas = [
        raw
        for *_, rows in sheets
        for row in rows
        for raw in row.cells.values()
        if raw.data_type == "f"
    ]
    if formulas:
        _cached_results(path, formulas)
    entries: list[Entry] = []
    problems: list[str] = []
    answered = 0
    for sheet, _columns, kind, base, rows in sheets:
        found = _entries(sheet, kind, base, rows, meta.fiscal_year, entries, problems)
        answered += found
        if base and found == 0 and not any(p.startswith(f"{sheet}!") for p in problems):
            raise WorkbookRefused(
                f"ブック「{name}」のシート「{sheet}」に行の識別情報（非表示のA列）が見つかりません。"
                "作成したときの調査票に入力し直してください。"
            )
    return FilledForm(
        source=name,
        sheet=f"{KPI_SHEET}・{PROJECT_SHEET}",
        plan_key=meta.plan_key,
        plan_name=meta.plan_name,
        fiscal_years=(meta.fiscal_year,),
        scope=meta.scope,
        created_at=meta.created_at,
        fingerprint=meta.fingerprint,
        entries=tuple(entries),
        problems=tuple(problems),
        rows=answered,
        kpi_codes=tuple(meta.kpis),
        project_codes=tuple(meta.projects),
        base_kpis=meta.kpis,
        base_projects=meta.projects,
    )


# ---------------------------------------------------------------- the hidden sheet


def _not_a_form(name: str) -> WorkbookRefused:
    return WorkbookRefused(
        f"ブック「{name}」はこのアプリケーションで作成した調査票ではありません"
        "（調査票の識別情報がありません）。「調査票を作成」で作ったブックに入力してください。"
    )


def _tampered(name: str) -> WorkbookRefused:
    return WorkbookRefused(
        f"ブック「{name}」の識別情報が書き換えられているため取り込めません。"
        "作成したときの調査票に入力し直してください。"
    )


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _read_meta(wb: Any, name: str) -> _Meta:
    if META_SHEET not in wb.sheetnames:
        raise _not_a_form(name)
    rows = wb[META_SHEET].iter_rows(max_col=5, values_only=True)
    head: dict[str, str] = {}
    for key in META_KEYS:
        row = next(rows, None)
        if row is None or _text(row[0]) != key:
            raise _not_a_form(name) if key == "format" else _tampered(name)
        head[key] = _text(row[1] if len(row) > 1 else None)
    if head["format"] != FORMAT:
        raise _not_a_form(name)
    try:
        version = int(head["version"])
        fiscal_year = int(head["fiscal_year"])
        kpi_count, project_count = int(head["kpis"]), int(head["projects"])
    except ValueError as exc:
        raise _tampered(name) from exc
    if version > VERSION:
        raise WorkbookRefused(
            f"ブック「{name}」は新しいバージョンのアプリケーションで作成された調査票です。"
            "アプリケーションを更新してから取り込んでください。"
        )
    if not 0 <= kpi_count + project_count <= MAX_META_ROWS:
        raise _tampered(name)
    kpis: dict[str, KpiValues] = {}
    projects: dict[str, ProjectValues] = {}
    try:
        for _ in range(kpi_count):
            row = next(rows)
            cells = [_text(c) for c in (*row, None, None, None, None, None)[:5]]
            if cells[0] != "kpi" or not cells[1] or cells[1] in kpis:
                raise _tampered(name)
            kpis[cells[1]] = KpiValues(
                actual=decimal_from_text(cells[2]) if cells[2] else None,
                status=FigureStatus(cells[3]) if cells[3] else None,
                comment=cells[4],
            )
        for _ in range(project_count):
            row = next(rows)
            cells = [_text(c) for c in (*row, None, None, None, None)[:4]]
            if cells[0] != "project" or not cells[1] or cells[1] in projects:
                raise _tampered(name)
            projects[cells[1]] = ProjectValues(
                status=ProjectStatus(cells[2]) if cells[2] else None, note=cells[3]
            )
    except (StopIteration, ValueError, InvalidInput) as exc:
        raise _tampered(name) from exc
    if fingerprint(head["plan_key"], fiscal_year, kpis, projects) != head["fingerprint"]:
        raise _tampered(name)
    try:
        created_at: datetime | None = datetime.fromisoformat(head["created_at"])
    except ValueError:
        created_at = None
    return _Meta(
        plan_key=head["plan_key"],
        plan_name=head["plan_name"],
        fiscal_year=fiscal_year,
        scope=head["scope"],
        created_at=created_at,
        fingerprint=head["fingerprint"],
        kpis=kpis,
        projects=projects,
    )


# ---------------------------------------------------------------- the answer sheets


def _refuse_merged(path: Path, ws: Any, sheet: str, name: str) -> None:
    for cell_range in merged_ranges(path, ws._worksheet_path):
        _, _, _, max_row = range_boundaries(cell_range)
        if max_row is not None and max_row >= HEADER_ROW:
            raise WorkbookRefused(
                f"ブック「{name}」のシート「{sheet}」に結合されたセル（{cell_range}）があるため"
                "取り込めません。セルの結合を解除してから取り込んでください。"
            )


def _heading(value: Any) -> str:
    return _text(value).replace("\r\n", "\n").strip()


def _scan(
    ws: Any,
    sheet: str,
    columns: tuple[Column, ...],
    name: str,
    expected: int,
    progress: Progress | None,
) -> list[_Row]:
    """Header check and the raw input cells of every row that has content."""
    limit = FIRST_ROW + expected + max(expected, EXTRA_ROWS)  # content beyond: refused
    cap = limit + 10 * EXTRA_ROWS  # rows read at most (empty ones included)
    declared = ws.max_row  # the sheet's own <dimension>, read without parsing the rows
    if isinstance(declared, int) and declared > cap:
        raise _too_long(name, sheet, declared)
    inputs = [(i, c) for i, c in enumerate(columns) if c.input]
    unit_index = next((i for i, c in enumerate(columns) if c.key == "unit"), None)
    rows: list[_Row] = []
    header_seen = False
    for number, cells in enumerate(ws.iter_rows(max_col=len(columns), max_row=cap + 1), start=1):
        if number == HEADER_ROW:
            _check_header(cells, columns, sheet, name)
            header_seen = True
            continue
        if number < FIRST_ROW:
            continue
        values = [getattr(c, "value", None) for c in cells]
        empty = all(v is None or (isinstance(v, str) and not v.strip()) for v in values)
        if (number > limit and not empty) or number > cap:
            raise _too_long(name, sheet, number)
        if empty:
            continue
        row = _Row(number, values[0] if values else None)
        if unit_index is not None and unit_index < len(values):
            row.unit = _text(values[unit_index])
        for index, column in inputs:
            cell = cells[index] if index < len(cells) else None
            row.cells[column.key] = _Raw(
                sheet=sheet,
                address=f"{get_column_letter(index + 1)}{number}",
                value=getattr(cell, "value", None),
                data_type=getattr(cell, "data_type", "n") or "n",
                number_format=getattr(cell, "number_format", "General") or "General",
            )
        rows.append(row)
        if progress is not None and len(rows) % 500 == 0:
            progress.check()
            progress.report(len(rows), max(expected, len(rows)), f"{name} {sheet}")
    if not header_seen:
        raise _columns_changed(name, sheet, columns[0], "", HEADER_ROW, 1)
    return rows


def _too_long(name: str, sheet: str, rows: int) -> WorkbookRefused:
    return WorkbookRefused(
        f"ブック「{name}」のシート「{sheet}」は行が多すぎるため取り込めません"
        f"（{rows:,}行目まであります）。調査票に行を追加せずに入力してください。"
    )


def _columns_changed(
    name: str, sheet: str, column: Column, found: str, row: int, index: int
) -> WorkbookRefused:
    expected = column.heading.replace("\n", " ")
    got = found.replace("\n", " ") or "空欄"
    return WorkbookRefused(
        f"ブック「{name}」のシート「{sheet}」の列が作成時と変わっているため取り込めません"
        f"（{get_column_letter(index)}{row} は「{expected}」のはずが「{shown(got, 30)}」です）。"
        "列の移動・削除・挿入をせずに入力してください。"
    )


def _check_header(
    cells: tuple[Any, ...], columns: tuple[Column, ...], sheet: str, name: str
) -> None:
    for index, column in enumerate(columns, start=1):
        cell = cells[index - 1] if index - 1 < len(cells) else None
        found = _heading(getattr(cell, "value", None))
        if found != column.heading:
            raise _columns_changed(name, sheet, column, found, HEADER_ROW, index)


def _cached_results(path: Path, formulas: list[_Raw]) -> None:
    """Replace each formula by the result Excel stored with it; "f-empty" when there is none."""
    wanted: dict[tuple[str, str], _Raw] = {(raw.sheet, raw.address): raw for raw in formulas}
    last_row = {
        sheet: max(int(a.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) for s, a in wanted if s == sheet)
        for sheet in {s for s, _ in wanted}
    }
    with open_read_only(path, data_only=True) as wb:
        for sheet, last in last_row.items():
            for number, cells in enumerate(wb[sheet].iter_rows(max_row=last), start=1):
                for index, cell in enumerate(cells, start=1):
                    raw = wanted.get((sheet, f"{get_column_letter(index)}{number}"))
                    if raw is not None:
                        raw.value = getattr(cell, "value", None)
                        if raw.value is None:
                            raw.data_type = "f-empty"
                        elif getattr(cell, "data_type", "") == "e":
                            raw.data_type = "e"
                        else:
                            raw.data_type = "cached"
    for raw in formulas:
        if raw.data_type == "f":
            raw.data_type = "f-empty"


# ---------------------------------------------------------------- cells → answers


def _format_decimals(number_format: str) -> int:
    section = _QUOTED.sub("", number_format.split(";")[0])
    m = _DECIMALS.search(section)
    return min(len(m.group(1)), 6) if m else 0


def _is_percent(number_format: str) -> bool:
    return "%" in _QUOTED.sub("", number_format.split(";")[0])


_FORMULA_WITHOUT_RESULT: Final = (
    "数式の計算結果が保存されていません。数式ではなく値を入力してください。"
)


def _cell_value(raw: _Raw) -> Any:
    """The value a cell holds, or the reason it holds none that can be read."""
    if raw.data_type == "f-empty":
        raise InvalidInput(_FORMULA_WITHOUT_RESULT)
    if raw.data_type == "e":
        raise InvalidInput(f"エラー値「{shown(raw.value, 20)}」です。値を入力してください。")
    return raw.value


def _number(raw: _Raw, base: Decimal | None, unit: str) -> Decimal | None:
    """A figure, read by the shared grid parser; a number cell as it showed in Excel."""
    value = _cell_value(raw)
    spec = ColumnSpec(CellKind.DECIMAL, unit=unit)
    if isinstance(value, bool) or not isinstance(value, int | float):
        number = read_value(spec, value)
        assert number is None or isinstance(number, Decimal)
        return number
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidInput("数値ではありません。数字を入力してください。")
    if isinstance(value, int) and value.bit_length() > 128:
        return _as_decimal(read_value(spec, value))  # refused: too many digits
    shown_value = Decimal(cell_text(value))  # the 15 digits Excel shows
    if _is_percent(raw.number_format):
        shown_value = shown_value.scaleb(2)  # a cell formatted 12.5% holds 0.125
    if base is not None and float(base) == float(shown_value):
        return base  # the pre-filled value, untouched (a cell cannot carry 8.40's scale)
    number = read_value(spec, shown_value)
    assert isinstance(number, Decimal)
    decimals = _format_decimals(raw.number_format)
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -decimals:
        number = number.quantize(Decimal(1).scaleb(-decimals))  # as the cell showed it
    return number


def _read(kind: CellKind, raw: _Raw) -> Value:
    value = read_value(ColumnSpec(kind), _cell_value(raw))
    assert not isinstance(value, Decimal)
    return value


Converter = Callable[[_Raw, Value, str], Value]


def _converters(kind: str) -> dict[str, tuple[Field, Converter]]:
    if kind == "kpi":
        return {
            "actual": (
                Field.ACTUAL,
                lambda raw, base, unit: _number(raw, _as_decimal(base), unit),
            ),
            "status": (Field.STATUS, lambda raw, base, unit: _read(CellKind.FIGURE_STATUS, raw)),
            "comment": (Field.COMMENT, lambda raw, base, unit: _read(CellKind.TEXT, raw)),
        }
    return {
        "status": (
            Field.PROJECT_STATUS,
            lambda raw, base, unit: _read(CellKind.PROJECT_STATUS, raw),
        ),
        "note": (Field.NOTE, lambda raw, base, unit: _read(CellKind.TEXT, raw)),
    }


def _as_decimal(value: Value) -> Decimal | None:
    return value if isinstance(value, Decimal) else None


def _entries(
    sheet: str,
    kind: str,
    base: dict[str, Any],
    rows: list[_Row],
    fiscal_year: int,
    entries: list[Entry],
    problems: list[str],
) -> int:
    """Entries of the rows of one sheet; returns how many rows had a valid identifier."""
    converters = _converters(kind)
    seen: dict[str, int] = {}
    found = 0
    for row in sorted(rows, key=lambda r: r.number):
        identifier = _text(row.identifier).strip()
        if not identifier:
            filled = next((raw for raw in row.cells.values() if raw.value not in (None, "")), None)
            if filled is not None:
                problems.append(
                    f"{sheet}!{filled.address}: 識別情報のない行に入力があります。"
                    "追加した行は取り込めません。元の行に入力してください。"
                )
            continue
        prefix, _, code = identifier.partition(":")
        if prefix != kind or code not in base:
            problems.append(
                f"{sheet}!A{row.number}: 識別情報「{shown(identifier, 30)}」はこの調査票のものではありません。"
                "他の調査票から行をコピーした場合は削除してください。"
            )
            continue
        if code in seen:
            problems.append(
                f"{sheet}!A{row.number}: {code} の行が重複しています（{seen[code]}行目にもあります）。"
                "コピーした行を削除してください。"
            )
            continue
        seen[code] = row.number
        found += 1
        values = base[code]
        for key, (field_, convert) in converters.items():
            raw = row.cells[key]
            base_value = values.get(field_)
            try:
                value = convert(raw, base_value, row.unit)
            except InvalidInput as exc:
                problems.append(f"{sheet}!{raw.address}: {exc.message}")
                continue
            entries.append(
                Entry(
                    kind=kind,
                    code=code,
                    fiscal_year=fiscal_year,
                    field=field_,
                    value=value,
                    where=f"{sheet}!{raw.address}",
                    base=digest(field_, base_value),
                    base_value=base_value,
                    base_known=True,
                )
            )
    return found
