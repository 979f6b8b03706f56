"""The command line speaks Japanese: help of every parser, every usage error, exit status 1.

The words a user may still see in Latin letters are the ones the command itself defines (its
name, options, metavars, choices, subcommands) and those in the help texts written for it
(Word, PowerPoint, PNG…); anything else in Latin letters came from argparse and is a defect.
"""

from __future__ import annotations

import argparse
import ast
import inspect
import re
from collections.abc import Iterator

import pytest

from aomori_desktop import cli_parser
from aomori_desktop.cli import _build_parser
from aomori_desktop.cli_parser import JapaneseArgumentParser, display_width, wrap_japanese

LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z']*")

# argparse's sentences about mistakes in the program (raised as ValueError/TypeError while the
# parser is built, never printed as a usage error), and the default error line our error()
# replaces
NOT_SHOWN_TO_USERS = {
    ".__call__() not defined",
    "'required' is an invalid argument for positionals",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r",
    "dest= is required for options like %r",
    "invalid conflict_resolution value: %r",
    "cannot merge actions - two groups are named %r",
    "mutually exclusive arguments must be optional",
    "%(prog)s: error: %(message)s\n",
}


def _argparse_sentences() -> set[str]:
    """Every string literal argparse passes to `_()` or `ngettext()`."""
    tree = ast.parse(inspect.getsource(argparse))
    found: set[str] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"_", "ngettext"}
        ):
            found.update(
                arg.value
                for arg in node.args
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            )
    return found


def test_every_sentence_argparse_can_print_has_a_japanese_translation() -> None:
    sentences = _argparse_sentences()
    assert "the following arguments are required: %s" in sentences  # the scan works
    missing = sentences - set(cli_parser._CATALOG) - NOT_SHOWN_TO_USERS
    assert missing == set(), f"argparse sentences without a translation: {sorted(missing)}"


def _parsers(
    parser: argparse.ArgumentParser,
) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):
                yield from _parsers(sub)


def _own_words(parser: argparse.ArgumentParser) -> set[str]:
    """Latin words the command defines itself or its help texts were written with."""
    texts = [parser.prog, parser.description or "", parser.epilog or ""]
    for action in parser._actions:
        texts += list(action.option_strings)
        texts += [str(action.metavar or ""), str(action.dest)]
        if action.help and action.help is not argparse.SUPPRESS:
            texts.append(action.help)
        if action.choices:
            texts += [str(c) for c in action.choices]
        if isinstance(action, argparse._SubParsersAction):
            texts += [str(a.help or "") for a in action._choices_actions]
    for group in parser._action_groups:
        if group.title not in {"positional arguments", "options"}:
            texts += [group.title or "", group.description or ""]
    words = {w for t in texts for w in LATIN_WORD.findall(t)}
    # argparse's own help lines were passed in English to its constructor: they are not ours
    return words - {"show", "this", "help", "message", "and", "exit", "program's", "version"} | {
        "h",
        "help",
        "version",
    }


def _foreign_words(text: str, allowed: set[str]) -> list[str]:
    return [w for w in LATIN_WORD.findall(text) if w not in allowed]


ALL_PARSERS = list(_parsers(_build_parser()))


@pytest.mark.parametrize("parser", ALL_PARSERS, ids=[p.prog for p in ALL_PARSERS])
def test_help_of_every_parser_and_subparser_is_japanese(
    parser: argparse.ArgumentParser,
) -> None:
    text = parser.format_help()
    assert text.startswith(f"使い方: {parser.prog}")
    assert "オプション:" in text
    assert re.search(r"\n  -h, --help +この説明を表示して終了する\n", text), text
    assert _foreign_words(text, _own_words(parser)) == [], text
    for phrase in ("usage", "options:", "positional arguments", "show this help"):
        assert phrase not in text


def test_the_top_level_help_lists_the_commands_and_the_version_option(cli) -> None:
    result = cli("--help")
    assert (result.code, result.err) == (0, "")
    assert result.out.startswith("使い方: aomori-desktop [-h] [--db PATH] [--version]\n")
    # the continuation of the usage line starts under the first option, on screen
    first, second = result.out.splitlines()[:2]
    assert display_width(first[: first.index("[-h]")]) == len(second) - len(second.lstrip())
    assert "\n引数:\n" in result.out
    assert "  --version             バージョンを表示して終了する\n" in result.out
    assert cli("--version").out == "aomori-desktop 0.1.0\n"


USAGE_ERRORS = [
    (
        ["export", "charts", "-o", "x", "--format", "jpg"],
        "aomori-desktop export charts",
        "--format: 「jpg」は指定できません（指定できるのは「png」「svg」「pdf」）",
    ),
    (["export"], "aomori-desktop export", "次の指定がありません: {json,charts,xlsx,csv}"),
    (["import", "json"], "aomori-desktop import json", "次の指定がありません: FILE"),
    (
        ["export", "json"],
        "aomori-desktop export json",
        "次の指定がありません: -o/--output",
    ),
    (
        ["export", "charts", "-o", "x", "--dpi", "abc"],
        "aomori-desktop export charts",
        "--dpi: 「abc」は整数として読み取れません",
    ),
    (
        ["export", "charts", "-o", "x", "--dpi"],
        "aomori-desktop export charts",
        "--dpi: 値を1つ指定してください",
    ),
    (["check", "--frob"], "aomori-desktop", "解釈できない指定があります: --frob"),
    (
        ["frobnicate"],
        "aomori-desktop",
        "{init,export,import,template,check,report,copy,backup,backups,restore}: 「frobnicate」は指定できません"
        "（指定できるのは「init」「export」「import」「template」「check」「report」「copy」「backup」「backups」「restore」）",
    ),
    (
        ["export", "charts", "-o", "x", "--d", "1"],
        "aomori-desktop export charts",
        "--d は --db, --dpi のどれを指すのか決められません",
    ),
]


@pytest.mark.parametrize(
    ("argv", "prog", "reason"), USAGE_ERRORS, ids=[" ".join(a) for a, *_ in USAGE_ERRORS]
)
def test_usage_errors_are_one_japanese_sentence_and_exit_1(
    cli, argv: list[str], prog: str, reason: str, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli(*argv)
    assert (result.code, result.out) == (1, "")
    usage, sentence = result.err.split("\nコマンドの指定に誤りがあります。")
    assert usage.startswith(f"使い方: {prog} ")
    assert sentence == f"{reason}。「{prog} --help」で使い方を表示します。\n"
    parser = next(p for p in ALL_PARSERS if p.prog == prog)
    allowed = _own_words(parser) | {w for a in argv for w in LATIN_WORD.findall(a)}
    assert _foreign_words(result.err, allowed) == [], result.err
    assert list(tmp_path.iterdir()) == []


def test_a_parser_added_later_speaks_japanese_too(capsys: pytest.CaptureFixture[str]) -> None:
    """A subcommand another part of the program adds, with its own formatter and a version."""
    parser = JapaneseArgumentParser(prog="aomori-desktop")
    sub = parser.add_subparsers(dest="command")
    report = sub.add_parser(
        "report", formatter_class=argparse.RawDescriptionHelpFormatter, description="年次報告書"
    )
    report.add_argument("--year", type=float, required=True)
    report.add_argument("--version", action="version", version="1")
    group = report.add_mutually_exclusive_group(required=True)
    group.add_argument("--pdf", action="store_true")
    group.add_argument("--docx", action="store_true")

    text = report.format_help()
    assert text.startswith("使い方: aomori-desktop report [-h] --year YEAR [--version]")
    assert "  --version    バージョンを表示して終了する" in text

    for argv, reason in [
        (["report"], "次の指定がありません: --year"),
        (["report", "--year", "x", "--pdf"], "--year: 「x」は数値として読み取れません"),
        (["report", "--year", "7"], "--pdf --docx のどれかを指定してください"),
        (["report", "--year", "7", "--pdf", "--docx"], "--docx: --pdf と同時には指定できません"),
    ]:
        with pytest.raises(SystemExit) as raised:
            parser.parse_args(argv)
        assert raised.value.code == 1
        err = capsys.readouterr().err
        assert err.endswith(
            f"コマンドの指定に誤りがあります。{reason}。"
            "「aomori-desktop report --help」で使い方を表示します。\n"
        ), err


def test_argparse_is_english_again_outside_our_parsers() -> None:
    """The translation is lent to argparse only while one of our parsers works."""
    _build_parser().format_help()
    plain = argparse.ArgumentParser(prog="other")
    assert plain.format_help().startswith("usage: other [-h]")


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        (
            "データベースファイル（省略時は既定のファイル）",
            20,
            ["データベースファイル", "（省略時は既定のファ", "イル）"],
        ),
        (
            "大きさ: Word 全幅 16 cm / PowerPoint 16:9",
            16,
            ["大きさ: Word 全", "幅 16 cm /", "PowerPoint 16:9"],
        ),
        (
            "書き出すKPIのコード（繰り返し指定可）",
            20,
            ["書き出すKPIのコード", "（繰り返し指定可）"],
        ),
    ],
)
def test_help_text_wraps_by_display_width_without_splitting_words(
    text: str, width: int, lines: list[str]
) -> None:
    wrapped = wrap_japanese(text, width)
    assert wrapped == lines
    assert "".join(wrapped).replace(" ", "") == text.replace(" ", "")
