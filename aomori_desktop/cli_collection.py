"""Headless commands of the collection cycle (Excel and CSV):

    aomori-desktop template xlsx [--db PATH] -o FILE|DIR [--year FY]
        [--section NAME | --measure P-M | --pillar N] [--per-section]
                                                  調査票 (collection workbooks)
    aomori-desktop export xlsx [--db PATH] -o FILE [--year FY]       the plan as a workbook
    aomori-desktop export csv [--db PATH] -o FILE [--encoding utf-8|cp932] [--year FY]
    aomori-desktop import xlsx FILE... [--db PATH] [--dry-run] [--year FY]
        [--conflicts keep|workbook]               import returned workbooks (preview first)
    aomori-desktop import csv FILE... [--db PATH] [--dry-run] [--conflicts keep|workbook]

The import prints the same preview as the window's import dialog. It writes nothing when any
file or cell is refused, or with --dry-run; conflicts keep the database's value unless
--conflicts workbook is given.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import Any

from aomori_desktop.domain.errors import UserError
from aomori_desktop.domain.fiscal import fiscal_year_of, fy_label, parse_fiscal_year

EXIT_OK = 0
EXIT_FAILURE = 1


def add_parsers(
    sub: Any, export_sub: Any, import_sub: Any, db_parent: argparse.ArgumentParser
) -> None:
    """The `template`, `export xlsx|csv` and `import xlsx|csv` subcommands."""
    from aomori_desktop.cli_parser import JapaneseArgumentParser

    year_help = "年度（例: 2024、R6、令和6年度。省略時は終わったばかりの年度）"
    p_template = sub.add_parser("template", help="調査票（Excel）の作成")
    template_sub = p_template.add_subparsers(
        dest="format", required=True, parser_class=JapaneseArgumentParser
    )
    p = template_sub.add_parser(
        "xlsx",
        parents=[db_parent],
        help="担当課などに送る調査票（Excel）を作る",
        description="選んだ年度・範囲のKPIと共創プロジェクトの調査票（Excel）を作成します。",
    )
    p.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE|DIR",
        help="書き出し先（--per-section のときはフォルダー）",
    )
    p.add_argument("--year", metavar="FY", help=year_help)
    scope = p.add_mutually_exclusive_group()
    scope.add_argument("--section", metavar="NAME", help="この担当課のKPI・共創プロジェクト")
    scope.add_argument("--measure", metavar="P-M", help="この共創施策（例: 1-2）")
    scope.add_argument("--pillar", metavar="N", help="この戦略の柱（例: 1）")
    p.add_argument("--per-section", action="store_true", help="担当課ごとに1ファイルずつ作る")
    p.set_defaults(handler=_cmd_template)

    p = export_sub.add_parser("xlsx", parents=[db_parent], help="計画全体をExcelで書き出す")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="書き出し先 (.xlsx)")
    p.add_argument("--year", metavar="FY", help=f"評価を表示する{year_help}")
    p.set_defaults(handler=_cmd_export_xlsx)

    p = export_sub.add_parser("csv", parents=[db_parent], help="KPIの年度別の値をCSVで書き出す")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="書き出し先 (.csv)")
    p.add_argument(
        "--encoding",
        choices=["utf-8", "cp932"],
        default="utf-8",
        help="文字コード: utf-8（BOM付き、既定）/ cp932（Shift_JIS）",
    )
    p.add_argument(
        "--year",
        metavar="FY",
        action="append",
        help="この年度だけ（繰り返し指定可。省略時は全年度）",
    )
    p.set_defaults(handler=_cmd_export_csv)

    for fmt, what in (("xlsx", "記入された調査票（Excel）"), ("csv", "CSV")):
        p = import_sub.add_parser(
            fmt,
            parents=[db_parent],
            help=f"{what}を取り込む（変更内容を確認してから）",
            description=f"{what}の値をデータベースに取り込みます。変更・競合・取り込めないセルを一覧にします。",
        )
        p.add_argument(
            "files",
            nargs="+",
            metavar="FILE",
            help="取り込むファイル（担当課ごとの複数のファイルを一度に指定できます）",
        )
        p.add_argument("--dry-run", action="store_true", help="一覧を表示するだけで何も変更しない")
        p.add_argument(
            "--conflicts",
            choices=["keep", "workbook"],
            default="keep",
            help="競合した値: keep = データベースの値を残す（既定）/ workbook = ファイルの値で上書き",
        )
        if fmt == "xlsx":
            p.add_argument(
                "--year", metavar="FY", help="調査票の年度（違う年度の調査票は取り込まない）"
            )
        p.set_defaults(handler=_cmd_import)


def _open(args: argparse.Namespace) -> Any:
    """The database of --db (never created), or the user's default database, as the other
    commands open them."""
    from aomori_desktop.paths import default_database_path
    from aomori_desktop.services.workspace import open_or_create
    from aomori_desktop.store.database import open_database

    if args.db:
        return open_database(args.db)
    return open_or_create(default_database_path())


def _plan(db: Any) -> tuple[Any, range]:
    """The services' access to the database's plan, and the plan's period."""
    from aomori_desktop.services.plan_services import PlanServices
    from aomori_desktop.services.workspace import default_plan_id

    services = PlanServices(db, default_plan_id(db))
    return services.access, services.queries.header().fiscal_years


def _year(text: str | None, period: range) -> int:
    """The fiscal year given, or the one that ended last (what departments report on)."""
    first, last = period.start, period.stop - 1
    if text:
        fy = parse_fiscal_year(text)
        if not first <= fy <= last:
            raise UserError(
                f"{fy_label(fy)}は計画期間（{fy_label(first)}〜{fy_label(last)}）の外です。"
            )
        return fy
    return min(max(fiscal_year_of(date.today()) - 1, first), last)


def _cmd_template(args: argparse.Namespace) -> int:
    from aomori_desktop.services.collection import (
        Scope,
        ScopeKind,
        write_collection_workbooks,
    )

    if args.section is not None:
        scope = Scope(ScopeKind.SECTION, args.section.strip())
    elif args.measure:
        scope = Scope(ScopeKind.MEASURE, args.measure.strip())
    elif args.pillar:
        scope = Scope(ScopeKind.PILLAR, args.pillar.strip())
    else:
        scope = Scope()
    db = _open(args)
    try:
        access, period = _plan(db)
        fy = _year(args.year, period)
        output = Path(args.output)
        if args.per_section:
            output.mkdir(parents=True, exist_ok=True)
        written = write_collection_workbooks(
            access, fy, scope, output, per_section=args.per_section
        ).value
    finally:
        db.close()
    for path in written or []:
        print(f"「{path}」")
    print(f"{fy_label(fy)}の調査票を {len(written or [])}件作成しました。", file=sys.stderr)
    return EXIT_OK


def _cmd_export_xlsx(args: argparse.Namespace) -> int:
    from aomori_desktop.services.collection import export_plan_workbook

    db = _open(args)
    try:
        access, period = _plan(db)
        fy = _year(args.year, period)
        export_plan_workbook(access, Path(args.output), fy)
    finally:
        db.close()
    print(f"「{args.output}」に書き出しました（評価年度: {fy_label(fy)}）。", file=sys.stderr)
    return EXIT_OK


def _cmd_export_csv(args: argparse.Namespace) -> int:
    from aomori_desktop.exchange.csv_collection import CsvEncoding
    from aomori_desktop.services.collection import export_kpi_csv

    db = _open(args)
    try:
        access, period = _plan(db)
        years = [_year(y, period) for y in args.year or []]
        export_kpi_csv(
            access, Path(args.output), encoding=CsvEncoding(args.encoding), fiscal_years=years
        )
    finally:
        db.close()
    label = "UTF-8（BOM付き）" if args.encoding == "utf-8" else "Shift_JIS（cp932）"
    print(f"「{args.output}」に {label} で書き出しました。", file=sys.stderr)
    return EXIT_OK


def _cmd_import(args: argparse.Namespace) -> int:
    from aomori_desktop.services.collection_apply import apply_import
    from aomori_desktop.services.collection_import import preview_import, read_files
    from aomori_desktop.services.collection_report import preview_text

    paths = [Path(f) for f in args.files]
    wrong = [p for p in paths if p.suffix.lower() == (".csv" if args.format == "xlsx" else ".xlsx")]
    if wrong:
        other = "csv" if args.format == "xlsx" else "xlsx"
        raise UserError(
            f"「{wrong[0].name}」は {other} のファイルです。aomori-desktop import {other} で取り込んでください。"
        )
    db = _open(args)
    try:
        access, period = _plan(db)
        year = getattr(args, "year", None)
        fy = _year(year, period) if year else None
        preview = preview_import(access, read_files(paths), fiscal_year=fy)
        take = {c.key for c in preview.conflicts} if args.conflicts == "workbook" else set()
        sys.stdout.write(preview_text(preview, take))
        problems = preview.problems
        if problems:
            if len(problems) == 1:
                raise UserError(f"{problems[0]}何も変更していません。")
            raise UserError(
                f"取り込めないファイルまたはセルが {len(problems)}件あるため、何も変更していません"
                "（内容は上の一覧のとおりです）。"
            )
        if args.dry_run:
            print("確認のみのため、何も変更していません（--dry-run）。", file=sys.stderr)
            return EXIT_OK
        applied = apply_import(access, preview, use_workbook=take)
    finally:
        db.close()
    if applied.value is None:
        print("取り込む変更はありませんでした。", file=sys.stderr)
    else:
        print(applied.value.summary, file=sys.stderr)
    return EXIT_OK
