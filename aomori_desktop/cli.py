"""The `aomori-desktop` command: the GUI by default, and headless subcommands.

    aomori-desktop [--db PATH]                     open the application window
    aomori-desktop init --db PATH                  create and seed a new database
    aomori-desktop export json [--db PATH] -o FILE write the plan as JSON
    aomori-desktop import json FILE [--db PATH]    load a JSON plan into a new/empty database
    aomori-desktop check [--db PATH]               integrity check and schema version

Every failure prints one Japanese sentence on stderr and exits non-zero; details go to the log.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
from collections.abc import Sequence
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import NoReturn

from aomori_desktop import APP_TITLE_JA, __version__
from aomori_desktop.domain.errors import UserError
from aomori_desktop.paths import default_database_path, user_data_dir

log = logging.getLogger("aomori_desktop")

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


class _JapaneseArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"コマンドの指定に誤りがあります: {message}\n")


def _build_parser() -> argparse.ArgumentParser:
    db_parent = _JapaneseArgumentParser(add_help=False)
    db_parent.add_argument(
        "--db",
        metavar="PATH",
        help="データベースファイル（省略時は利用者のデータフォルダーの既定のファイル）",
    )
    parser = _JapaneseArgumentParser(
        prog="aomori-desktop",
        description=f"{APP_TITLE_JA}（{__version__}）",
        parents=[db_parent],
    )
    parser.add_argument("--version", action="version", version=f"aomori-desktop {__version__}")
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

    p_import = sub.add_parser("import", help="読み込み")
    import_sub = p_import.add_subparsers(
        dest="format", required=True, parser_class=_JapaneseArgumentParser
    )
    p_import_json = import_sub.add_parser(
        "json", parents=[db_parent], help="JSONの計画を新しいデータベースに読み込む"
    )
    p_import_json.add_argument("file", metavar="FILE")
    p_import_json.set_defaults(handler=_cmd_import_json)

    p_check = sub.add_parser(
        "check", parents=[db_parent], help="データベースの整合性とデータ形式を確認する"
    )
    p_check.set_defaults(handler=_cmd_check)
    return parser


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
    from aomori_desktop.services.workspace import open_or_create
    from aomori_desktop.store.database import open_database

    if args.db:
        return open_database(args.db)
    return open_or_create(default_database_path())


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


def write_text_atomically(path: Path, text: str) -> None:
    """Write next to the target and rename, so a failure never leaves half a file."""
    if path.is_dir():
        raise UserError(f"「{path}」はフォルダーです。書き出すファイル名を指定してください。")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UserError(f"書き出し先のフォルダー「{parent}」がありません。")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except PermissionError as exc:
        raise UserError(f"「{path}」に書き込む権限がありません。") from exc
    except OSError as exc:
        raise UserError(f"「{path}」に書き込めませんでした（{exc.strerror}）。") from exc


def _read_text_file(path: Path) -> str:
    if not path.exists():
        raise UserError(f"ファイル「{path}」が見つかりません。")
    if path.is_dir():
        raise UserError(f"「{path}」はフォルダーです。ファイルを指定してください。")
    try:
        data = path.read_bytes()
    except PermissionError as exc:
        raise UserError(f"ファイル「{path}」を読み取る権限がありません。") from exc
    except OSError as exc:
        raise UserError(f"ファイル「{path}」を読み取れません（{exc.strerror}）。") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(
            f"ファイル「{path}」は UTF-8 の文字として読み取れません（{exc.start}バイト目）。"
        ) from exc


def _cmd_import_json(args: argparse.Namespace) -> int:
    from aomori_desktop.exchange.json_format import load_plan
    from aomori_desktop.services.workspace import import_plan
    from aomori_desktop.store.database import create_database, open_database

    snapshot = load_plan(_read_text_file(Path(args.file)))
    target = _db_target(args)
    created = False
    # The default database too is created empty: seeding it first (open_or_create) made every
    # import without --db fail with "already holds a plan" after creating the file.
    if _is_file_target(target) and not Path(target).expanduser().exists():
        db = create_database(target)
        created = True
    else:
        db = open_database(target)
    try:
        import_plan(db, snapshot)
    except BaseException:
        db.close()
        if created:
            _remove_database_file(Path(target).expanduser())
        raise
    db.log_event("imported", f"{args.file}")
    db.close()
    print(
        f"「{args.file}」から「{snapshot.plan.name}」をデータベース「{db.location}」に読み込みました"
        f"（KPI {len(snapshot.kpis)}、共創プロジェクト {len(snapshot.projects)}）。"
    )
    return EXIT_OK


def _remove_database_file(path: Path) -> None:
    for candidate in (path, path.with_name(path.name + "-journal")):
        candidate.unlink(missing_ok=True)


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
        result: int = handler(args)
        return result
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
