"""The preview of an import in words: the same lines in the window and on the command line."""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal

from aomori_desktop.domain.fiscal import fy_label
from aomori_desktop.domain.numbers import format_decimal
from aomori_desktop.domain.plan import FigureStatus, ProjectStatus
from aomori_desktop.exchange.collection_form import Field, Value
from aomori_desktop.services.collection_import import (
    Change,
    Conflict,
    FilePreview,
    ImportPreview,
)

EMPTY = "空欄"


def value_text(value: Value, *, limit: int = 40) -> str:
    """A value as the preview shows it: 1,234.5 / 速報 / 「コメント…」 / 空欄."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, FigureStatus | ProjectStatus):
        return value.label
    text = " ".join(str(value).split())
    return f"「{text[:limit]}…」" if len(text) > limit else f"「{text}」"


def what(item: Change | Conflict) -> str:
    """K01 青森港を利用する…(累計) 令和6(2024)年度 実績値."""
    name = item.name if len(item.name) <= 30 else item.name[:30] + "…"
    label = item.field.label
    if item.field in (Field.COMMENT, Field.NOTE) and isinstance(item, Change):
        label += "（新規）" if item.old in (None, "") else "（変更）"
    return f"{item.code} {name} {fy_label(item.fiscal_year)} {label}"


def change_line(change: Change) -> str:
    return f"{what(change)}: {value_text(change.old)} → {value_text(change.new)}（{change.where}）"


def conflict_line(conflict: Conflict, *, use_workbook: bool) -> str:
    base = value_text(conflict.base) if conflict.base_known else "不明"
    choice = "調査票の値で上書きします" if use_workbook else "データベースの値を残します"
    return (
        f"{what(conflict)}: 作成時 {base} ／ データベース {value_text(conflict.database)} ／ "
        f"調査票 {value_text(conflict.workbook)}（{conflict.where}） → {choice}"
    )


def file_heading(file: FilePreview) -> str:
    years = "・".join(fy_label(fy) for fy in file.fiscal_years[:3])
    if len(file.fiscal_years) > 3:
        years += f" ほか（{len(file.fiscal_years)}年度分）"
    parts = [p for p in (years, file.scope) if p]
    return f"「{file.source}」" + (f" {' '.join(parts)}" if parts else "")


def file_lines(file: FilePreview, use_workbook: Collection[str] = ()) -> list[str]:
    lines = [file_heading(file)]
    if file.refused:
        lines.append(f"  取り込めません: {file.refused}")
        return lines
    if file.fresh is True:
        lines.append("  調査票の作成後、データベースのこの調査票の値は変更されていません。")
    elif file.fresh is False:
        lines.append("  調査票の作成後にデータベースの値が変更されています（競合を確認しました）。")
    lines.append(f"  変更 {len(file.changes)}件")
    lines.extend(f"    {change_line(c)}" for c in file.changes)
    if file.conflicts:
        lines.append(
            f"  競合 {len(file.conflicts)}件（調査票の作成後にデータベースで変更された値）"
        )
        lines.extend(
            f"    {conflict_line(c, use_workbook=c.key in use_workbook)}" for c in file.conflicts
        )
    if file.problems:
        lines.append(f"  取り込めないセル {len(file.problems)}件")
        lines.extend(f"    {p}" for p in file.problems)
    lines.append(f"  変更なし {file.unchanged}行")
    return lines


def summary_line(preview: ImportPreview, use_workbook: Collection[str] = ()) -> str:
    conflicts = preview.conflicts
    taken = sum(c.key in use_workbook for c in conflicts)
    refused_files = sum(f.refused is not None for f in preview.files)
    refused_cells = sum(len(f.problems) for f in preview.files if f.refused is None)
    parts = [f"変更 {len(preview.changes)}件", f"競合 {len(conflicts)}件"]
    if conflicts:
        parts[-1] += f"（調査票の値を採用 {taken}件）"
    if refused_cells:
        parts.append(f"取り込めないセル {refused_cells}件")
    if refused_files:
        parts.append(f"取り込めないファイル {refused_files}件")
    return f"合計（{len(preview.files)}ファイル）: " + "、".join(parts)


def preview_text(preview: ImportPreview, use_workbook: Collection[str] = ()) -> str:
    """Every file's changes, conflicts, refused cells and unchanged rows, then the total."""
    lines: list[str] = []
    for file in preview.files:
        lines.extend(file_lines(file, use_workbook))
        lines.append("")
    lines.append(summary_line(preview, use_workbook))
    return "\n".join(lines) + "\n"
