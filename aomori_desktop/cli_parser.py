"""An argparse that speaks Japanese: help, usage and every usage error.

argparse marks each sentence it prints for translation with `gettext` (its module-level `_`
and `ngettext`), which is the hook its documentation names for localising it. A translation
catalog bound through `gettext` would apply to the whole process and, on Windows, only when
the environment names a Japanese locale; so `JapaneseArgumentParser` swaps argparse's two
functions for `_CATALOG` while one of its own methods runs (building, parsing, formatting,
reporting an error) and puts the originals back afterwards. Subparsers inherit the class, so
every parser and subparser, present and future, speaks Japanese; a sentence argparse adds in a
later Python version and the catalog does not know stays English, which
tests/cli/test_usage_wording.py catches.

`JapaneseHelpFormatter` wraps help text by display width (a kanji takes two columns, and
Japanese has no spaces to break at) and writes the usage line as 「使い方:」. A usage error
prints the usage and one sentence on stderr and exits with status 1, like every other refusal
of the command line.
"""

from __future__ import annotations

import argparse
import functools
import re
import sys
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

EXIT_USAGE = 1

_CATALOG: dict[str, str] = {
    # help
    "usage: ": "使い方: ",
    "positional arguments": "引数",
    "options": "オプション",
    "subcommands": "コマンド",
    "show this help message and exit": "この説明を表示して終了する",
    "show program's version number and exit": "バージョンを表示して終了する",
    # usage errors
    "argument %(argument_name)s: %(message)s": "%(argument_name)s: %(message)s",
    "the following arguments are required: %s": "次の指定がありません: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "%(value)rは指定できません（指定できるのは%(choices)s）"
    ),
    "invalid %(type)s value: %(value)r": "%(value)rは%(type)sとして読み取れません",
    "unrecognized arguments: %s": "解釈できない指定があります: %s",
    "expected one argument": "値を1つ指定してください",
    "expected at most one argument": "値は1つまでです",
    "expected at least one argument": "値を1つ以上指定してください",
    "expected %s argument": "値を%s個指定してください",
    "expected %s arguments": "値を%s個指定してください",
    "ambiguous option: %(option)s could match %(matches)s": (
        "%(option)s は %(matches)s のどれを指すのか決められません"
    ),
    "not allowed with argument %s": "%s と同時には指定できません",
    "ignored explicit argument %r": "このオプションは値をとりません（%r）",
    "one of the arguments %s is required": "%s のどれかを指定してください",
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "コマンド%(parser_name)rはありません（あるのは %(choices)s）"
    ),
    "unexpected option string: %s": "予期しないオプションです: %s",
    "can't open '%(filename)s': %(error)s": "ファイル「%(filename)s」を開けません（%(error)s）",
    'argument "-" with mode %r': "「-」はモード %r では使えません",
    # mistakes in the program itself, not the user's (still never English on screen)
    "%r is not callable": "%r は呼び出せません",
    "cannot have multiple subparser arguments": "コマンドの指定は1か所にしかおけません",
    "conflicting subparser: %s": "コマンド %s が重複しています",
    "conflicting subparser alias: %s": "コマンドの別名 %s が重複しています",
    "conflicting option string: %s": "オプション %s が重複しています",
    "conflicting option strings: %s": "オプション %s が重複しています",
}

# the names argparse gives to a value's type in "invalid %(type)s value"
_TYPE_NAMES = {"int": "整数", "float": "数値", "complex": "数値"}
_QUOTED = re.compile(r"'([^'\s]*)'")


class _Japanese(str):
    """A translated argparse template: `%` fills it in and writes quoted values 「so」."""

    def __mod__(self, args: Any) -> str:
        if isinstance(args, dict) and "type" in args:
            args = {**args, "type": _TYPE_NAMES.get(str(args["type"]), "正しい値")}
        return _QUOTED.sub(r"「\1」", str.__mod__(self, args)).replace("」, 「", "」「")


def _translate(message: str) -> str:
    japanese = _CATALOG.get(message)
    return message if japanese is None else _Japanese(japanese)


def _ntranslate(singular: str, plural: str, n: int) -> str:
    return _translate(singular if n == 1 else plural)


@contextmanager
def _speaking_japanese() -> Iterator[None]:
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = _translate, _ntranslate  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


def _in_japanese[F: Callable[..., Any]](method: F) -> F:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _speaking_japanese():
            return method(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def display_width(text: str) -> int:
    """Columns a terminal gives `text`: two for wide (kanji, kana, full-width) characters."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


_TOKENS = re.compile(r"[\x21-\x7e]+|\s+|.")
_NO_LINE_START = set("、。，．・：；？！）」』】〕ー…%")
_NO_LINE_END = set("（「『【〔")


def wrap_japanese(text: str, width: int) -> list[str]:
    """Lines of at most `width` columns: breaks between kanji, at spaces, never inside an
    ASCII word, never before closing punctuation or after an opening bracket."""
    text = " ".join(text.split())
    lines: list[str] = []
    line = ""
    for token in _TOKENS.findall(text):
        if token.isspace():
            if line:
                line += " "
            continue
        fits = display_width(line.rstrip() + token) <= width
        if fits or not line.strip() or token[0] in _NO_LINE_START:
            line += token
            continue
        carried = ""
        while line and line[-1] in _NO_LINE_END:
            carried, line = line[-1] + carried, line[:-1]
        if line.strip():
            lines.append(line.rstrip())
        line = carried + token
    if line.strip():
        lines.append(line.rstrip())
    return lines


class JapaneseHelpFormatter(argparse.HelpFormatter):
    """Help in Japanese: 「使い方:」, wrapped by display width, argparse's own help lines
    translated even where argparse does not mark them (the version option before 3.13)."""

    def add_usage(
        self,
        usage: str | None,
        actions: Any,
        groups: Any,
        prefix: str | None = None,
    ) -> None:
        super().add_usage(usage, actions, groups, _CATALOG["usage: "] if prefix is None else prefix)

    def _format_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None) -> str:
        # argparse indents the continuation lines by len(prefix); 「使い方: 」 is wider on screen
        text: str = super()._format_usage(usage, actions, groups, prefix)
        extra = " " * (display_width(prefix or "") - len(prefix or ""))
        first, *rest = text.split("\n")
        return "\n".join([first, *(extra + line if line.strip() else line for line in rest)])

    def _get_help_string(self, action: argparse.Action) -> str | None:
        help_text = super()._get_help_string(action)
        return _CATALOG.get(help_text, help_text) if help_text else help_text

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap_japanese(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in wrap_japanese(text, width - len(indent)))


def _japanese_formatter(formatter_class: type[argparse.HelpFormatter]) -> Any:
    if issubclass(formatter_class, JapaneseHelpFormatter):
        return formatter_class
    # the caller's formatter first (a Raw* formatter keeps its own line handling)
    return type(f"Japanese{formatter_class.__name__}", (formatter_class, JapaneseHelpFormatter), {})


class _Subcommands(argparse._SubParsersAction):  # type: ignore[type-arg]
    """Subcommands named by their choices in usage errors: 「{json,charts}」, not the dest."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._named_by_choices = kwargs.get("metavar") is None

    def add_parser(self, name: str, **kwargs: Any) -> Any:
        parser = super().add_parser(name, **kwargs)
        if self._named_by_choices:
            self.metavar = "{" + ",".join(self.choices) + "}"
        return parser


class JapaneseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose help and usage errors are Japanese; errors exit with status 1."""

    @_in_japanese
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["formatter_class"] = _japanese_formatter(
            kwargs.get("formatter_class", JapaneseHelpFormatter)
        )
        super().__init__(*args, **kwargs)
        self.register("action", "parsers", _Subcommands)

    @_in_japanese
    def add_subparsers(self, **kwargs: Any) -> Any:
        kwargs.setdefault("parser_class", type(self))
        return super().add_subparsers(**kwargs)

    @_in_japanese
    def parse_known_args(self, *args: Any, **kwargs: Any) -> Any:
        return super().parse_known_args(*args, **kwargs)

    @_in_japanese
    def parse_args(self, *args: Any, **kwargs: Any) -> Any:
        return super().parse_args(*args, **kwargs)

    @_in_japanese
    def parse_known_intermixed_args(self, *args: Any, **kwargs: Any) -> Any:
        return super().parse_known_intermixed_args(*args, **kwargs)

    @_in_japanese
    def parse_intermixed_args(self, *args: Any, **kwargs: Any) -> Any:
        return super().parse_intermixed_args(*args, **kwargs)

    @_in_japanese
    def format_usage(self) -> str:
        return super().format_usage()

    @_in_japanese
    def format_help(self) -> str:
        return super().format_help()

    def error(self, message: str) -> NoReturn:
        """The usage, then one sentence naming what was wrong and where to read more."""
        self.print_usage(sys.stderr)
        sentence = message.rstrip("。")
        self.exit(
            EXIT_USAGE,
            f"コマンドの指定に誤りがあります。{sentence}。"
            f"「{self.prog} --help」で使い方を表示します。\n",
        )
