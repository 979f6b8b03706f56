"""KPI yearly figures as CSV, for Excel and for other tools, and back through the same preview.

One row per KPI and fiscal year. Written as UTF-8 with a BOM (Excel opens it without
mojibake) or, on request, as Shift_JIS (cp932) for older tools; read back from UTF-8 with or
without a BOM and from cp932 (what Japanese Excel writes for 「CSV (コンマ区切り)」), detected
from the bytes.

Text fields that start like a formula (``=``, ``+``, ``-``, ``@``, tab, CR) are written with a
leading apostrophe, which the import removes again. The last column, 照合用, holds the plan's key
and a short digest of each input field as it was exported, so the import can refuse another
plan's file and tell a change made in the file from one made in the database meanwhile.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Final

from aomori_desktop.domain.errors import InvalidInput, UserError
from aomori_desktop.domain.fiscal import fy_label, parse_fiscal_year
from aomori_desktop.domain.numbers import decimal_to_text
from aomori_desktop.domain.plan import KpiYear, PlanSnapshot
from aomori_desktop.domain.progress import Grade, KpiTerms, evaluate_year, format_rate
from aomori_desktop.domain.validation import shown
from aomori_desktop.exchange.collection_form import (
    KPI_FIELDS,
    Entry,
    Field,
    FilledForm,
    KpiValues,
    Value,
    digest,
    starts_like_formula,
)
from aomori_desktop.exchange.grid import CellKind, ColumnSpec, read_value

if TYPE_CHECKING:  # the workbook module loads openpyxl, which the window's start does not need
    from aomori_desktop.exchange.xlsx_plan import Progress

MAX_CSV_BYTES: Final = 50_000_000
MAX_CSV_ROWS: Final = 500_000

HEADER: Final = (
    "KPI ID",
    "KPI",
    "単位",
    "年度",
    "年度目標",
    "実績値",
    "速報/確定",
    "達成率(%)",
    "期待進捗率(%)",
    "評価",
    "要因分析・コメント",
    "照合用（変更しないでください）",
)
_COL = {name: index for index, name in enumerate(HEADER)}


class CsvEncoding(StrEnum):
    UTF8_BOM = "utf-8"  # UTF-8 with BOM (Excel's 「CSV UTF-8」)
    CP932 = "cp932"  # Shift_JIS as Windows writes it


class CsvRefused(UserError):
    """The CSV file cannot be read; nothing was read into the database."""


def neutralised(text: str) -> str:
    """Text as a CSV field that no spreadsheet reads as a formula: a leading apostrophe
    before a formula character, and before an apostrophe (so the import can take one off)."""
    return "'" + text if starts_like_formula(text) or text.startswith("'") else text


def _restored(text: str) -> str:
    return text[1:] if text.startswith("'") else text


def _grade_text(grade: Grade) -> str:
    """'A 達成', '− 評価不能' (a minus sign: no formula character starts the field)."""
    return grade.text


def _check_code(plan_key: str, values: KpiValues) -> str:
    return "-".join([plan_key[:8], *(digest(f, values.get(f)) for f in KPI_FIELDS)])


def write_kpi_csv(
    snapshot: PlanSnapshot,
    plan_key: str,
    *,
    encoding: CsvEncoding = CsvEncoding.UTF8_BOM,
    fiscal_years: Sequence[int] | None = None,
    progress: Progress | None = None,
) -> bytes:
    """The CSV bytes of every KPI's figures for `fiscal_years` (default: the whole period)."""
    years = list(fiscal_years) if fiscal_years else list(snapshot.fiscal_years)
    rows: list[list[str]] = [list(HEADER)]
    where: list[tuple[str, int]] = [("", 0)]
    empty = KpiYear(0)
    for index, kpi in enumerate(snapshot.kpis):
        terms = KpiTerms(
            kpi.baseline,
            kpi.baseline_fiscal_year,
            kpi.target,
            kpi.target_fiscal_year,
            kpi.direction,
        )
        by_year = {y.fiscal_year: y for y in kpi.years}
        for fy in years:
            y = by_year.get(fy, empty)
            evaluation = evaluate_year(
                terms, fy, y.actual, y.interim_target, snapshot.plan.grade_scheme
            )
            values = KpiValues(actual=y.actual, status=y.status, comment=y.comment)
            rows.append(
                [
                    neutralised(kpi.id),
                    neutralised(kpi.name),
                    neutralised(kpi.unit),
                    fy_label(fy),
                    decimal_to_text(y.interim_target) if y.interim_target is not None else "",
                    decimal_to_text(y.actual) if y.actual is not None else "",
                    y.status.label if y.status else "",
                    format_rate(evaluation.achievement_rate) or "",
                    format_rate(evaluation.expected_rate) or "",
                    _grade_text(evaluation.grade),
                    neutralised(y.comment),
                    _check_code(plan_key, values),
                ]
            )
            where.append((kpi.id, fy))
        if progress is not None and index % 200 == 0:
            progress.check()
            progress.report(index, len(snapshot.kpis), kpi.id)
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    text = buffer.getvalue()
    if encoding is CsvEncoding.UTF8_BOM:
        return text.encode("utf-8-sig")
    try:
        return text.encode("cp932")
    except UnicodeEncodeError:
        pass
    for row, (code, fy) in zip(rows, where, strict=True):
        for name, value in zip(HEADER, row, strict=True):
            try:
                value.encode("cp932")
            except UnicodeEncodeError as exc:
                bad = value[exc.start : exc.end]
                at = f"KPI {code} {fy_label(fy)}の" if code else ""
                raise UserError(
                    f"{at}{name}に Shift_JIS（cp932）で表せない文字「{bad}」があるため書き出せません。"
                    "UTF-8 で書き出してください。"
                ) from exc
    raise UserError(
        "Shift_JIS（cp932）で表せない文字があるため書き出せません。UTF-8 で書き出してください。"
    )


# ---------------------------------------------------------------- reading


def decode_csv(data: bytes, name: str) -> tuple[str, str]:
    """The text of a CSV file and the encoding found: UTF-8 (with or without BOM) or cp932."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "UTF-8（BOM付き）"
        except UnicodeDecodeError as exc:
            raise CsvRefused(
                f"CSV「{name}」は UTF-8 と書かれていますが、{exc.start + 3:,}バイト目が UTF-8 として読み取れません。"
            ) from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CsvRefused(
            f"CSV「{name}」は UTF-16（Unicode テキスト）で保存されているため読み込めません。"
            "Excel で「CSV UTF-8 (コンマ区切り)」として保存し直してください。"
        )
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932"), "Shift_JIS（cp932）"
    except UnicodeDecodeError as exc:
        raise CsvRefused(
            f"CSV「{name}」の文字コードを判別できません（UTF-8 でも Shift_JIS でもありません。"
            f"{exc.start:,}バイト目）。Excel で「CSV UTF-8 (コンマ区切り)」として保存し直してください。"
        ) from exc


def read_kpi_csv(path: Path, *, progress: Progress | None = None) -> FilledForm:
    """The answers of a CSV file written by `write_kpi_csv` (and edited in Excel)."""
    name = path.name
    if path.exists() and not path.is_dir() and not path.is_file():
        # a pipe would wait for ever, /dev/zero behind a link never ends (docs/RELIABILITY.md)
        raise CsvRefused(
            f"「{name}」は通常のファイルではありません（装置やパイプなど）。CSV ファイルを指定してください。"
        )
    try:
        size = path.stat().st_size
        if size > MAX_CSV_BYTES:
            raise CsvRefused(
                f"CSV「{name}」は大きすぎます（{size / 1_000_000:,.0f} MB）。"
                f"読み込めるのは {MAX_CSV_BYTES // 1_000_000} MB までです。"
            )
        with path.open("rb") as f:
            data = f.read(MAX_CSV_BYTES + 1)  # a file that grows while read stops here
        if len(data) > MAX_CSV_BYTES:
            raise CsvRefused(
                f"CSV「{name}」は大きすぎます。読み込めるのは {MAX_CSV_BYTES // 1_000_000} MB までです。"
            )
    except FileNotFoundError as exc:
        raise CsvRefused(f"ファイル「{name}」が見つかりません。") from exc
    except IsADirectoryError as exc:
        raise CsvRefused(f"「{name}」はフォルダーです。CSV ファイルを指定してください。") from exc
    except PermissionError as exc:
        raise CsvRefused(f"ファイル「{name}」を読み取る権限がありません。") from exc
    except OSError as exc:
        raise CsvRefused(f"ファイル「{name}」を読み取れません（{exc.strerror or exc}）。") from exc
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise CsvRefused(
            f"「{name}」は Excel のブックです。CSV ではなく「Excel の調査票」として取り込んでください。"
        )
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CsvRefused(f"「{name}」は CSV（文字のファイル）ではありません。")
    text, _encoding = decode_csv(data, name)
    sheet = path.stem
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise CsvRefused(f"CSV「{name}」は空です。")
        _check_header(header, name)
        entries: list[Entry] = []
        problems: list[str] = []
        keys: set[str] = set()
        years: set[int] = set()
        seen: dict[tuple[str, int], int] = {}
        count = 0
        for number, row in enumerate(reader, start=2):
            if number > MAX_CSV_ROWS:
                raise CsvRefused(f"CSV「{name}」は行が多すぎます（{MAX_CSV_ROWS:,}行まで）。")
            if not any(cell.strip() for cell in row):
                continue
            count += 1
            _read_row(row, number, sheet, entries, problems, keys, years, seen)
            if progress is not None and count % 2_000 == 0:
                progress.check()
                progress.report(count, count, name)
    except csv.Error as exc:
        raise CsvRefused(
            f"CSV「{name}」の {reader.line_num:,}行目が CSV として読み取れません（{exc}）。"
        ) from exc
    if len(keys) > 1:
        raise CsvRefused(
            f"CSV「{name}」には別々の計画から書き出した行が混ざっているため取り込めません。"
        )
    return FilledForm(
        source=name,
        sheet=sheet,
        plan_key=next(iter(keys)) if keys else None,
        plan_name="",
        fiscal_years=tuple(sorted(years)),
        scope="CSV",
        created_at=None,
        fingerprint=None,
        entries=tuple(entries),
        problems=tuple(problems),
        rows=count,
    )


def _letter(name: str) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[_COL[name]]


def _check_header(header: list[str], name: str) -> None:
    found = [h.strip() for h in header]
    for index, expected in enumerate(HEADER):
        got = found[index] if index < len(found) else ""
        if got != expected:
            raise CsvRefused(
                f"CSV「{name}」の列が書き出し時と変わっているため取り込めません"
                f"（{index + 1}列目は「{expected}」のはずが「{shown(got, 30) or '空欄'}」です）。"
                "列の移動・削除をせずに保存してください。"
            )


def _read_row(
    row: list[str],
    number: int,
    sheet: str,
    entries: list[Entry],
    problems: list[str],
    keys: set[str],
    years: set[int],
    seen: dict[tuple[str, int], int],
) -> None:
    cells = [*row, *[""] * (len(HEADER) - len(row))]

    def at(column: str) -> str:
        return f"{sheet}!{_letter(column)}{number}"

    code = _restored(cells[_COL["KPI ID"]].strip())
    if not code:
        problems.append(f"{at('KPI ID')}: KPI ID が空です。")
        return
    try:
        fiscal_year = parse_fiscal_year(cells[_COL["年度"]])
    except InvalidInput as exc:
        problems.append(f"{at('年度')}: {exc.message}")
        return
    if (code, fiscal_year) in seen:
        problems.append(
            f"{at('KPI ID')}: {code} の{fy_label(fiscal_year)}の行が重複しています"
            f"（{seen[code, fiscal_year]}行目にもあります）。"
        )
        return
    seen[code, fiscal_year] = number
    years.add(fiscal_year)
    check = cells[_COL["照合用（変更しないでください）"]].strip()
    bases: list[str | None] = [None, None, None]
    if check:
        parts = check.split("-")
        if len(parts) != 4 or not all(parts):
            problems.append(
                f"{at('照合用（変更しないでください）')}: 照合用の値が書き換えられています。"
            )
            return
        keys.add(parts[0])
        bases = [parts[1], parts[2], parts[3]]
    raw = {
        Field.ACTUAL: (cells[_COL["実績値"]], "実績値"),
        Field.STATUS: (cells[_COL["速報/確定"]], "速報/確定"),
        Field.COMMENT: (cells[_COL["要因分析・コメント"]], "要因分析・コメント"),
    }
    unit = _restored(cells[_COL["単位"]].strip())
    specs = {
        Field.ACTUAL: ColumnSpec(CellKind.DECIMAL, unit=unit),
        Field.STATUS: ColumnSpec(CellKind.FIGURE_STATUS),
        Field.COMMENT: ColumnSpec(CellKind.TEXT),
    }
    for field_, base in zip(KPI_FIELDS, bases, strict=True):
        text, column = raw[field_]
        try:
            value: Value = read_value(specs[field_], _restored(text))
        except InvalidInput as exc:
            problems.append(f"{at(column)}: {exc.message}")
            continue
        entries.append(
            Entry(
                kind="kpi",
                code=code,
                fiscal_year=fiscal_year,
                field=field_,
                value=value,
                where=at(column),
                base=base,
            )
        )
