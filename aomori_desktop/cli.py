"""The `aomori-desktop` command: the GUI by default, and headless subcommands.

    aomori-desktop [--db PATH]                     open the application window
    aomori-desktop init --db PATH                  create and seed a new database
    aomori-desktop export json [--db PATH] -o FILE write the plan as JSON
    aomori-desktop export charts [--db PATH] -o DIR [--format png|svg|pdf]
        [--preset word-full|word-half|slide] [--dpi N] [--year FY] [--mono]
                                                   write every KPI chart (docs/charts.md)
    aomori-desktop import json FILE [--db PATH]    load a JSON plan into a new/empty database
    aomori-desktop check [--db PATH]               integrity check and schema version
    aomori-desktop backup [--db PATH] [-o FILE]    a checked backup (safe while in use)
    aomori-desktop backups [--db PATH]             the list of backups, newest first
    aomori-desktop restore FILE [--db PATH]        restore a backup (the current file is kept)
    aomori-desktop template xlsx / export xlsx|csv / import xlsx|csv
                                                   the collection cycle (cli_collection.py)
    aomori-desktop copy --from A --to B [--replace] copy a whole database (file ⇄ server)

PATH may be a file or a PostgreSQL server: postgresql+psycopg://user@host:port/dbname.

Every failure prints one Japanese sentence on stderr and exits non-zero; details go to the log.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

from aomori_desktop import APP_TITLE_JA, __version__
from aomori_desktop.cli_parser import JapaneseArgumentParser
from aomori_desktop.domain.errors import UserError
from aomori_desktop.fileio import write_text_atomically
from aomori_desktop.paths import default_database_path, user_data_dir

log = logging.getLogger("aomori_desktop")

EXIT_OK = 0
EXIT_FAILURE = 1
# a plan of 5,000 KPIs with ten years of figures and a long audit trail is about 30 MB
MAX_IMPORT_BYTES = 200_000_000


# every parser and subparser speaks Japanese and refuses a wrong command line with status 1
_JapaneseArgumentParser = JapaneseArgumentParser


DB_HELP = (
    "データベースファイル、またはデータベースサーバー（postgresql+psycopg://利用者名@ホスト:ポート/"
    "データベース名）。省略時は利用者のデータフォルダーの既定のファイル"
)


def _build_parser() -> argparse.ArgumentParser:
    # --db may stand before or after the subcommand; the subcommands' copy must not reset a
    # value given before it (argparse would put its default None over it)
    db_parent = _JapaneseArgumentParser(add_help=False)
    db_parent.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS, help=DB_HELP)
    parser = _JapaneseArgumentParser(
        prog="aomori-desktop",
        description=f"{APP_TITLE_JA}（{__version__}）",
    )
    parser.add_argument("--db", metavar="PATH", default=None, help=DB_HELP)
    parser.add_argument(
        "--version",
        action="version",
        version=f"aomori-desktop {__version__}",
        help="バージョンを表示して終了する",
    )
    sub = parser.add_subparsers(dest="command", parser_class=_JapaneseArgumentParser)

    p_init = sub.add_parser(
        "init", parents=[db_parent], help="新しいデータベースを作成し、戦略を登録する"
    )
    p_init.set_defaults(handler=_cmd_init)

    p_export = sub.add_parser("export", help="書き出し")
    export_sub = p_export.add_subparsers(
        dest="format", required=True, parser_class=_JapaneseArgumentParser
    )
    p_export_json = export_sub.add_parser(
        "json", parents=[db_parent], help="計画全体をJSONで書き出す"
    )
    p_export_json.add_argument(
        "-o", "--output", required=True, metavar="FILE", help="書き出し先（- で標準出力）"
    )
    p_export_json.set_defaults(handler=_cmd_export_json)
    _add_export_charts_parser(export_sub, db_parent)

    p_import = sub.add_parser("import", help="読み込み")
    import_sub = p_import.add_subparsers(
        dest="format", required=True, parser_class=_JapaneseArgumentParser
    )
    p_import_json = import_sub.add_parser(
        "json", parents=[db_parent], help="JSONの計画を新しいデータベースに読み込む"
    )
    p_import_json.add_argument("file", metavar="FILE")
    p_import_json.set_defaults(handler=_cmd_import_json)

    from aomori_desktop.cli_collection import add_parsers as add_collection_parsers

    add_collection_parsers(sub, export_sub, import_sub, db_parent)

    p_check = sub.add_parser(
        "check", parents=[db_parent], help="データベースの整合性とデータ形式を確認する"
    )
    p_check.set_defaults(handler=_cmd_check)
    _add_report_parser(sub, db_parent)
    _add_copy_parser(sub)
    _add_backup_parsers(sub, db_parent)
    return parser


# ---------------------------------------------------------------- copy (issue 14)


def _add_copy_parser(sub: Any) -> None:
    p = sub.add_parser(
        "copy",
        help="データベース全体を別のファイルまたはサーバーにコピーする（履歴を含む）",
        description="計画・履歴（監査記録）・目標の見直しを含め、データベース全体をコピーします。"
        "ファイルからサーバーへ、サーバーからファイルへ移すときに使います。",
    )
    p.add_argument("--from", dest="source", required=True, metavar="DB", help="コピー元")
    p.add_argument("--to", dest="target", required=True, metavar="DB", help="コピー先")
    p.add_argument("--replace", action="store_true", help="コピー先に既にあるデータを置き換える")
    p.set_defaults(handler=_cmd_copy, db=None)


def _cmd_copy(args: argparse.Namespace) -> int:
    from aomori_desktop.services.database_copy import copy_database

    report = copy_database(args.source, args.target, replace=args.replace)
    print(
        f"「{report.source}」を「{report.target}」にコピーしました"
        f"（{len(report.rows)}表、{report.total:,}行）。"
    )
    return EXIT_OK


def _with_server_password(handler: Any, args: argparse.Namespace) -> int:
    """Run a command; when a server asks for a password (or refuses the one given) and
    someone is at the terminal, ask for it (not echoed, kept for this run only) and retry."""
    from aomori_desktop.services.connection import PasswordNeeded, remember_password

    for attempt in range(3):
        try:
            result: int = handler(args)
            return result
        except PasswordNeeded as exc:
            if attempt == 2 or not sys.stdin.isatty():
                raise
            import getpass

            print(exc.message, file=sys.stderr)
            password = getpass.getpass(f"{exc.server} のパスワード: ")
            remember_password(exc.server, password, keep=False)
    raise AssertionError("unreachable")


def _add_export_charts_parser(export_sub: Any, db_parent: argparse.ArgumentParser) -> None:
    p = export_sub.add_parser(
        "charts",
        parents=[db_parent],
        help="KPIの進捗グラフをまとめて書き出す（PNG・SVG・PDF）",
        description="計画のすべてのKPI（または --kpi で選んだKPI）の進捗グラフを書き出します。",
    )
    p.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="DIR",
        help="書き出し先のフォルダー（なければ作成）",
    )
    p.add_argument(
        "--format",
        dest="chart_format",
        choices=["png", "svg", "pdf"],
        default="png",
        help="ファイル形式（既定: png）",
    )
    p.add_argument(
        "--preset",
        choices=["word-full", "word-half", "slide"],
        default="word-full",
        help="大きさ: Word 全幅 16 cm / Word 半幅 8 cm / PowerPoint 16:9（既定: word-full）",
    )
    p.add_argument("--dpi", type=int, default=300, metavar="N", help="PNG の解像度（既定: 300）")
    p.add_argument(
        "--year", metavar="FY", help="この年度までの実績で描き、評価する（例: 2025、R7、令和7年度）"
    )
    p.add_argument("--mono", action="store_true", help="白黒印刷向けの配色にする")
    p.add_argument(
        "--axis",
        choices=["western", "short", "era"],
        default="western",
        help="年度の表記: 2024 / R6 / 令和6年度（既定: western）",
    )
    p.add_argument(
        "--kpi", action="append", metavar="CODE", help="書き出すKPIのコード（繰り返し指定可）"
    )
    p.set_defaults(handler=_cmd_export_charts)


# ---------------------------------------------------------------- report (issue 11)


def _add_report_parser(sub: Any, db_parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "report",
        parents=[db_parent],
        help="年次進捗報告書（Word・PDF）を作成する",
        description="指定した年度の年次進捗報告書を Word（.docx）または PDF で作成します。",
    )
    p.add_argument(
        "--year", required=True, metavar="FY", help="報告する年度（例: 2025、R7、令和7年度）"
    )
    p.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="作成するファイル（拡張子 .docx または .pdf で形式を選ぶ）",
    )
    p.add_argument(
        "--department", default="青森市", metavar="TEXT", help="表紙の作成部署（既定: 青森市）"
    )
    p.add_argument("--date", metavar="YYYY-MM-DD", help="表紙の日付（既定: 今日）")
    p.set_defaults(handler=_cmd_report)


def _cmd_report(args: argparse.Namespace) -> int:
    from datetime import date

    from aomori_desktop.domain.fiscal import parse_fiscal_year
    from aomori_desktop.reports.annual import ReportOptions
    from aomori_desktop.reports.annual_report import ReportFormat, read_report_data, render_report
    from aomori_desktop.services.plan_services import PlanServices
    from aomori_desktop.services.tasks import TaskState
    from aomori_desktop.services.workspace import default_plan_id

    out = Path(args.output)
    ReportFormat.from_path(out)  # a wrong suffix is refused before any work
    year = parse_fiscal_year(args.year)
    try:
        issued = date.fromisoformat(args.date) if args.date else None
    except ValueError:
        raise UserError(
            f"日付「{args.date}」を読み取れません。2026-10-01 のように入力してください。"
        ) from None
    state = TaskState(
        (lambda st: _print_progress(st.done, st.total, st.text)) if sys.stderr.isatty() else None
    )
    db = _open_existing_or_default(args)
    try:
        services = PlanServices(db, default_plan_id(db))
        data = read_report_data(services.evaluation_queries, year, state)
    finally:
        db.close()
    _qt_application()
    render_report(data, out, ReportOptions(args.department, issued), state)
    print(f"「{out}」に年次進捗報告書を作成しました。")
    return EXIT_OK


def _db_target(args: argparse.Namespace) -> str:
    return str(args.db) if args.db else str(default_database_path())


def _is_file_target(target: str) -> bool:
    return "://" not in target


# ---------------------------------------------------------------- commands


def _cmd_init(args: argparse.Namespace) -> int:
    from aomori_desktop.services.workspace import create_seeded_database, export_plan

    if not args.db:
        raise UserError("作成するデータベースファイルを --db で指定してください。")
    db = create_seeded_database(args.db)
    try:
        snapshot = export_plan(db)
    finally:
        db.close()
    placements = sum(len(m.placements) for p in snapshot.pillars for m in p.measures)
    print(
        f"データベース「{db.location}」を作成し、「{snapshot.plan.name}」を登録しました"
        f"（戦略の柱 {len(snapshot.pillars)}、共創施策 {sum(len(p.measures) for p in snapshot.pillars)}、"
        f"共創プロジェクト {len(snapshot.projects)}（掲載 {placements}）、KPI {len(snapshot.kpis)}）。"
    )
    return EXIT_OK


def _open_existing_or_default(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from aomori_desktop.services.workspace import create_seeded_database
    from aomori_desktop.store.database import open_database

    if args.db:
        return open_database(args.db)
    default = default_database_path()
    if not default.exists():  # commands that only read take no lock and no daily backup
        create_seeded_database(default).close()
    return open_database(default)


def _cmd_export_json(args: argparse.Namespace) -> int:
    from aomori_desktop.exchange.json_format import dump_plan
    from aomori_desktop.services.workspace import export_plan

    db = _open_existing_or_default(args)
    try:
        text = dump_plan(export_plan(db))
    finally:
        db.close()
    if args.output == "-":
        sys.stdout.write(text)
        return EXIT_OK
    out = Path(args.output)
    write_text_atomically(out, text)
    print(f"「{out}」に書き出しました。", file=sys.stderr)
    return EXIT_OK


def _qt_application() -> Any:
    """The QApplication the charts need, created off-screen when there is no display."""
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from aomori_desktop.ui.qt_setup import FontLoadError, configure_application

    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else "aomori-desktop"])
    elif not isinstance(app, QApplication):
        raise UserError("グラフの描画に必要な画面部品を初期化できませんでした。")
    try:
        configure_application(app)
    except FontLoadError as exc:
        raise UserError(str(exc).replace("\n", "")) from exc
    return app


def _kpi_codes(tree: Any) -> list[str]:
    """KPI codes in plan order, each once (a KPI serving two measures is listed twice)."""
    from aomori_desktop.services.dto import NodeKind

    codes: list[str] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        if node.kind is NodeKind.KPI and node.ref not in codes:
            codes.append(node.ref)
        stack.extend(reversed(node.children))
    return codes


def _print_progress(done: int, total: int, code: str) -> None:
    print(f"\r{done}/{total} {code}", end="\n" if done == total else "", file=sys.stderr)


def _cmd_export_charts(args: argparse.Namespace) -> int:
    from aomori_desktop.charts.batch import KpiChartBatch, ensure_output_dir
    from aomori_desktop.charts.export import ExportFormat, ExportSettings, Preset
    from aomori_desktop.charts.kpi_chart import KpiChartOptions
    from aomori_desktop.charts.style import AxisLabelMode
    from aomori_desktop.domain.fiscal import fy_label, parse_fiscal_year
    from aomori_desktop.services.plan_services import PlanServices
    from aomori_desktop.services.workspace import default_plan_id

    settings = ExportSettings(
        preset=Preset(args.preset),
        dpi=args.dpi,
        monochrome=args.mono,
        axis_labels=AxisLabelMode(args.axis),
    )
    fmt = ExportFormat(args.chart_format)
    year = parse_fiscal_year(args.year) if args.year else None
    db = _open_existing_or_default(args)
    try:
        reader = PlanServices(db, default_plan_id(db)).queries
        years = reader.header().fiscal_years
        if year is not None and year not in years:
            raise UserError(
                f"{fy_label(year)}は計画期間（{fy_label(years[0])}〜{fy_label(years[-1])}）の外です。"
            )
        codes = _kpi_codes(reader.tree())
        if args.kpi:
            unknown = [c for c in args.kpi if c not in codes]
            if unknown:
                raise UserError(f"KPI「{'」「'.join(unknown)}」はこの計画に登録されていません。")
            codes = [c for c in codes if c in args.kpi]
        out_dir = ensure_output_dir(Path(args.output))
        _qt_application()
        batch = KpiChartBatch(
            codes,
            reader.kpi_detail,
            out_dir,
            settings,
            fmt,
            KpiChartOptions(as_of=year, until=year),
        )
        result = batch.run(progress=_print_progress if sys.stderr.isatty() else None)
    finally:
        db.close()
    for code, message in result.failed:
        print(f"{code}: {message}", file=sys.stderr)
    print(f"{result.summary}（書き出し先: {out_dir}）")
    return EXIT_FAILURE if result.failed else EXIT_OK


def _read_text_file(path: Path) -> str:
    from aomori_desktop.fileio import read_import_file

    data = read_import_file(path, MAX_IMPORT_BYTES)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(
            f"ファイル「{path}」は UTF-8 の文字として読み取れません（{exc.start}バイト目）。"
        ) from exc


def _cmd_import_json(args: argparse.Namespace) -> int:
    from aomori_desktop.exchange.json_stream import NotStreamable

    target = _db_target(args)
    try:
        if not _is_file_target(target):
            raise NotStreamable("a server database")  # created only for a valid file
        location, name, kpis, projects = _import_json_streaming(Path(args.file), target)
    except NotStreamable:
        # any other layout, and every file with a problem of form: read whole, as before
        location, name, kpis, projects = _import_json_whole(args, target)
    print(
        f"「{args.file}」から「{name}」をデータベース「{location}」に読み込みました"
        f"（KPI {kpis}、共創プロジェクト {projects}）。"
    )
    return EXIT_OK


def _import_json_streaming(path: Path, target: str) -> tuple[str, str, int, int]:
    """The plan read and written element by element (services.plan_import): a file of
    5,000 KPIs is never in memory whole. Raises `NotStreamable` (nothing written, no backup
    left) for a file it does not take that way."""
    from aomori_desktop.exchange.json_stream import (
        NotStreamable,
        has_escapes,
        read_plan_parts,
        text_chunks,
    )
    from aomori_desktop.fileio import import_file_chunks
    from aomori_desktop.services.plan_import import create_with_plan_parts, import_plan_parts
    from aomori_desktop.services.workspace import (
        backup_before_import,
        discard_backups,
        open_existing,
    )

    escapes = has_escapes(import_file_chunks(path, MAX_IMPORT_BYTES))
    parts = read_plan_parts(
        text_chunks(import_file_chunks(path, MAX_IMPORT_BYTES), escapes=escapes), escapes=escapes
    )
    if not Path(target).expanduser().exists():
        db, imported = create_with_plan_parts(target, parts, source=str(path))
        db.close()
        return db.location, imported.name, imported.kpis, imported.projects
    if _holds_a_plan(target):
        raise NotStreamable("a plan is there")  # the whole reading says what is wrong first
    db = open_existing(target)
    made = [db.report.daily_backup] if db.report.daily_backup else []
    try:
        backup = None if db.read_only else backup_before_import(db)
        made += [backup.path] if backup else []
        imported = import_plan_parts(db, parts, source=str(path))
    except BaseException:
        discard_backups(made)  # the refused file left the database as it was
        raise
    finally:
        db.close()
    return db.location, imported.name, imported.kpis, imported.projects


def _import_json_whole(args: argparse.Namespace, target: str) -> tuple[str, str, int, int]:
    from aomori_desktop.exchange.json_format import load_plan
    from aomori_desktop.services.errors import Conflict as PlanExists
    from aomori_desktop.services.workspace import (
        backup_before_import,
        check_importable,
        create_with_plan,
        import_plan,
        open_existing,
    )

    snapshot = load_plan(_read_text_file(Path(args.file)))
    check_importable(snapshot)  # every problem listed before any file is made or copied
    # A new file is built whole beside the target and appears only when the plan is in it
    # (the default database too: seeding it first made every import without --db fail).
    if _is_file_target(target) and not Path(target).expanduser().exists():
        db = create_with_plan(target, snapshot, source=str(args.file))
        db.close()
    elif not _is_file_target(target):
        db = _empty_server_database(target)
        try:
            import_plan(db, snapshot, source=str(args.file))
        finally:
            db.close()
    else:
        holding = _holds_a_plan(target)  # refused before anything is locked or copied
        if holding is not None:
            raise PlanExists(
                f"データベース「{holding}」には既に計画が登録されているため、"
                "読み込みを中止しました（何も変更していません）。"
                "新しいデータベースファイルを指定してください。"
            )
        db = open_existing(target)
        try:
            if not db.read_only:
                backup_before_import(db)
            import_plan(db, snapshot, source=str(args.file))
        finally:
            db.close()
    return db.location, snapshot.plan.name, len(snapshot.kpis), len(snapshot.projects)


def _holds_a_plan(target: str) -> str | None:
    """The database's location when it holds a plan already (None when it holds none)."""
    from aomori_desktop.services.workspace import list_plans, open_for_reading

    probe = open_for_reading(target)
    try:
        return probe.location if list_plans(probe) else None
    finally:
        probe.close()


def _empty_server_database(target: str):  # type: ignore[no-untyped-def]
    """A server database: its tables are created when it is still empty."""
    from aomori_desktop.store.database import create_database, open_database
    from aomori_desktop.store.errors import DatabaseAlreadyExists

    try:
        return create_database(target)
    except DatabaseAlreadyExists:
        return open_database(target)


def _cmd_check(args: argparse.Namespace) -> int:
    from aomori_desktop.services.workspace import check_database
    from aomori_desktop.store.database import open_database

    target = _db_target(args)
    if not args.db and not Path(target).exists():
        raise UserError(
            f"既定のデータベース「{target}」はまだ作成されていません（アプリケーションを一度起動すると作成されます）。"
        )
    db = open_database(target)
    try:
        report = check_database(db)
    finally:
        db.close()
    print(f"データベース: {report.location}")
    print(
        f"データ形式: {report.schema_revision}（このアプリケーションの最新: {report.schema_head}）"
    )
    for label, count in report.counts.items():
        print(f"  {label}: {count:,}")
    if report.ok:
        print("整合性: 問題は見つかりませんでした。")
        return EXIT_OK
    print(f"整合性: {len(report.problems)}件の問題が見つかりました。", file=sys.stderr)
    for problem in report.problems:
        print(f"・{problem}", file=sys.stderr)
    return EXIT_FAILURE


# ---------------------------------------------------------------- backups (docs/RELIABILITY.md)


def _add_backup_parsers(sub: Any, db_parent: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "backup",
        parents=[db_parent],
        help="データベースのバックアップを作成する（使用中でも安全）",
        description="検査済みのバックアップを、データベースと同じ場所の backups フォルダー"
        "（または -o で指定したファイル）に作成します。",
    )
    p.add_argument(
        "-o", "--output", metavar="FILE", help="バックアップの保存先（省略時は backups フォルダー）"
    )
    p.set_defaults(handler=_cmd_backup)
    p = sub.add_parser(
        "backups", parents=[db_parent], help="バックアップの一覧（新しい順）を表示する"
    )
    p.set_defaults(handler=_cmd_backups)
    p = sub.add_parser(
        "restore",
        parents=[db_parent],
        help="バックアップから復元する（復元前のデータベースもバックアップします）",
    )
    p.add_argument("file", metavar="FILE", help="復元するバックアップのファイル")
    p.set_defaults(handler=_cmd_restore)


def _task_state() -> Any:
    from aomori_desktop.services.tasks import TaskState

    def show(state: TaskState) -> None:
        if state.total:
            print(f"\r{state.text} {state.done * 100 // state.total}%", end="", file=sys.stderr)

    return TaskState(show if sys.stderr.isatty() else None)


def _size_text(size: int) -> str:
    return f"{size / 1024:,.0f} KB" if size < 10 * 1024 * 1024 else f"{size / 1048576:,.1f} MB"


def _file_path(target: str) -> Path:
    if not _is_file_target(target):
        raise UserError(
            "共有サーバーのデータベースは、このアプリケーションからはバックアップ・復元できません。"
            "サーバー管理者に依頼してください。"
        )
    return Path(target).expanduser().resolve()


def _cmd_backup(args: argparse.Namespace) -> int:
    from aomori_desktop.services.workspace import backup_now, open_for_reading
    from aomori_desktop.store.database import backup_to

    path = _file_path(_db_target(args))
    open_for_reading(path).close()  # only a database of this application is backed up
    if args.output:
        out = backup_to(path, Path(args.output))
        print(f"バックアップを作成しました: {out}（{_size_text(out.stat().st_size)}、検査済み）")
        return EXIT_OK
    info = backup_now(path, "manual", _task_state())
    print(
        f"バックアップを作成しました: {info.path}（{_size_text(info.size)}、"
        f"実績値 {info.actuals or 0:,}件、検査済み）"
    )
    return EXIT_OK


def _cmd_backups(args: argparse.Namespace) -> int:
    from aomori_desktop.services.workspace import list_database_backups

    path = _file_path(_db_target(args))
    found = list_database_backups(path)
    if not found:
        print(f"データベース「{path}」のバックアップはまだありません。")
        return EXIT_OK
    print(f"データベース「{path}」のバックアップ（新しい順、{len(found)}件）:")
    for b in found:
        actuals = "読み取れません" if b.actuals is None else f"実績値 {b.actuals:,}件"
        print(
            f"  {b.made_at:%Y/%m/%d %H:%M:%S}  {b.reason_label}  {_size_text(b.size)}  {actuals}"
            f"  最新の変更: {b.latest_text}"
        )
        print(f"      {b.path}")
    return EXIT_OK


def _cmd_restore(args: argparse.Namespace) -> int:
    from aomori_desktop.services.workspace import restore_database

    path = _file_path(_db_target(args))
    result = restore_database(Path(args.file).expanduser(), path, _task_state())
    kept = (
        f"復元前のデータベースは「{result.safety_copy}」に保存しました。"
        if result.safety_copy
        else ""
    )
    print(f"「{result.restored_from}」からデータベース「{path}」を復元しました。{kept}")
    return EXIT_OK


def _cmd_gui(args: argparse.Namespace) -> int:
    from aomori_desktop.ui.app import run_gui

    return run_gui(_db_target(args))


# ---------------------------------------------------------------- entry point


def _setup_logging() -> Path | None:
    root = logging.getLogger("aomori_desktop")
    for existing in root.handlers:
        # main() ran before in this process: reuse its log file. (A second handler used to be
        # opened and dropped unclosed on every call, and the path shown could be the wrong one.)
        if isinstance(existing, RotatingFileHandler):
            return Path(existing.baseFilename)
    try:
        log_dir = user_data_dir() / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        path = log_dir / "aomori-desktop.log"
        handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path


def main(argv: Sequence[str] | None = None) -> int:
    log_path = _setup_logging()
    parser = _build_parser()
    args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    handler = getattr(args, "handler", _cmd_gui)
    try:
        return _with_server_password(handler, args)
    except UserError as exc:
        log.warning("%s", exc.message, exc_info=exc)
        print(exc.message, file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("中断しました。", file=sys.stderr)
        return 130
    except Exception as exc:  # the last line of defence: never a traceback for the user
        log.exception("unexpected error")
        where = f"詳細はログ「{log_path}」に記録しました。" if log_path else ""
        print(
            f"予期しないエラーのため処理を中止しました（{type(exc).__name__}）。{where}",
            file=sys.stderr,
        )
        return EXIT_FAILURE
