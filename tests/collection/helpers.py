"""What a department does to a collection workbook, done with openpyxl, and the checks."""

from __future__ import annotations

import hashlib
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl

from aomori_desktop.exchange.xlsx_collection import FIRST_ROW
from tests import backends
from tests.backends import Target, rows

__all__ = ["rows"]


def sha(target: Target) -> str:
    """A file's bytes, or a server database's content (every row), as one digest."""
    if backends.is_postgres(target):
        return hashlib.sha256("\n".join(backends.dump(target)).encode("utf-8")).hexdigest()
    assert isinstance(target, Path)
    return hashlib.sha256(target.read_bytes()).hexdigest()


def kpi_year(path: Target, code: str, fy: int) -> tuple[Any, ...] | None:
    found = rows(
        path,
        "SELECT y.actual, y.status, y.comment, y.entered_by FROM kpi_year y "
        "JOIN kpi k ON k.id = y.kpi_id WHERE k.code = ? AND y.fiscal_year = ?",
        code,
        fy,
    )
    return found[0] if found else None


def project_year(path: Target, code: str, fy: int) -> tuple[Any, ...] | None:
    found = rows(
        path,
        "SELECT y.status, y.note FROM project_year y "
        "JOIN project p ON p.id = y.project_id WHERE p.code = ? AND y.fiscal_year = ?",
        code,
        fy,
    )
    return found[0] if found else None


def row_of(path: Path, sheet: str, code: str) -> int:
    """The row that holds a KPI's or project's identifier (wherever sorting moved it)."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    prefix = "kpi" if sheet == "KPI" else "project"
    for row in range(FIRST_ROW, ws.max_row + 1):
        if ws.cell(row=row, column=1).value == f"{prefix}:{code}":
            return row
    raise AssertionError(f"{code} not in {sheet}")


def fill(path: Path, sheet: str, values: dict[tuple[str, str], object]) -> None:
    """Type answers as a department would: {(code, column letter): value}."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    prefix = "kpi" if sheet == "KPI" else "project"
    where = {ws.cell(row=r, column=1).value: r for r in range(FIRST_ROW, ws.max_row + 1)}
    for (code, column), value in values.items():
        ws[f"{column}{where[f'{prefix}:{code}']}"] = value
    wb.save(path)


def edit(path: Path, change: Any) -> None:
    """Any other change to the workbook: `change(workbook)`, then save."""
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)


def reverse_rows(path: Path, sheet: str) -> None:
    """Sort the data rows the other way round (values move with their hidden identifier)."""

    def change(wb: Any) -> None:
        ws = wb[sheet]
        data = [
            [ws.cell(row=r, column=c).value for c in range(1, ws.max_column + 1)]
            for r in range(FIRST_ROW, ws.max_row + 1)
        ]
        for offset, values in enumerate(reversed(data)):
            for c, value in enumerate(values, start=1):
                ws.cell(row=FIRST_ROW + offset, column=c).value = value

    edit(path, change)


def hide_row(path: Path, sheet: str, row: int) -> None:
    edit(path, lambda wb: setattr(wb[sheet].row_dimensions[row], "hidden", True))


def cache_formula(
    path: Path, sheet_index: int, cell: str, formula: str, cached: str | None
) -> None:
    """Put a formula into a cell with the result Excel stores beside it (or none), as Excel
    and LibreOffice save formulas (openpyxl itself never writes a result)."""
    part = f"xl/worksheets/sheet{sheet_index}.xml"
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    xml = parts[part].decode("utf-8")
    pattern = re.compile(rf'<c r="{cell}"( s="\d+")?( t="\w+")?(/>|>.*?</c>)', re.S)
    match = pattern.search(xml)
    assert match, f"{cell} not found"
    style = match.group(1) or ""
    value = f"<v>{cached}</v>" if cached is not None else ""
    xml = (
        xml[: match.start()]
        + f'<c r="{cell}"{style}><f>{formula}</f>{value}</c>'
        + xml[match.end() :]
    )
    parts[part] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
