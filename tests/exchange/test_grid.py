"""The one grid parser: clipboard text as Excel writes it, sheet values, and every accepted and
refused cell form, with the cell's address in the message."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aomori_desktop.domain.errors import InvalidInput
from aomori_desktop.domain.numbers import (
    MAX_FRACTION_DIGITS,
    MAX_INTEGER_DIGITS,
    format_decimal,
)
from aomori_desktop.domain.plan import FigureStatus, ProjectStatus
from aomori_desktop.exchange.grid import (
    CellKind,
    CellProblem,
    ColumnSpec,
    GridCell,
    cell_text,
    column_letters,
    join_clipboard,
    line_address,
    read_cells,
    read_grid,
    read_value,
    refusal_message,
    sheet_address,
    split_clipboard,
)

COUNT = ColumnSpec(CellKind.DECIMAL, unit="件")
PERCENT = ColumnSpec(CellKind.DECIMAL, unit="%")
STATUS = ColumnSpec(CellKind.FIGURE_STATUS)
TEXT = ColumnSpec(CellKind.TEXT, max_length=20)
PROJECT = ColumnSpec(CellKind.PROJECT_STATUS)


def _same(actual: object, expected: Decimal) -> None:
    """Equal in value and in the scale typed (Decimal == ignores the scale)."""
    assert isinstance(actual, Decimal)
    assert actual == expected
    assert actual.as_tuple() == expected.as_tuple()


def _refusal(spec: ColumnSpec, raw: object) -> str:
    with pytest.raises(InvalidInput) as info:
        read_value(spec, raw)
    return info.value.message


# ------------------------------------------------------------------ clipboard text


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        ("", [[""]]),
        ("7", [["7"]]),
        ("7\r\n", [["7"]]),  # Excel ends the last row with CRLF: no extra row
        ("7\n8\n9", [["7"], ["8"], ["9"]]),
        ("7\r\n8\r\n9\r\n", [["7"], ["8"], ["9"]]),
        ("7\r8\r", [["7"], ["8"]]),  # old Mac line ends
        ("1\t2\t3\r\n4\t5\t6\r\n", [["1", "2", "3"], ["4", "5", "6"]]),
        ("1\t\t3\r\n", [["1", "", "3"]]),
        ("1\t\r\n", [["1", ""]]),  # an empty last cell is kept
        ("a\r\n\r\nb\r\n", [["a"], [""], ["b"]]),  # an empty row in the middle
        ("\r\n", [[""]]),
        ('"市の補助で\n創業が増加"\t確定\r\n', [["市の補助で\n創業が増加", "確定"]]),
        ('"a\tb"\tc\r\n', [["a\tb", "c"]]),  # a tab inside a quoted cell
        ('"彼は""確定""と言った\n"\r\n', [['彼は"確定"と言った\n']]),
        ('"\r\n"\r\n', [["\r\n"]]),
        ('"a"b\tc\r\n', [['"a"b', "c"]]),  # text after the closing quote: not a quoted cell
        ('a"b"\r\n', [['a"b"']]),  # a quote inside a cell that does not start with one
        ('"never closed\tx\r\n', [['"never closed', "x"]]),
        ('""\t1\r\n', [["", "1"]]),
    ],
)
def test_split_clipboard_reads_what_excel_copies(text: str, rows: list[list[str]]) -> None:
    assert split_clipboard(text) == rows


def test_split_clipboard_takes_a_huge_unbalanced_quote_as_one_cell() -> None:
    text = '"' + "x" * 200_000 + "\r\n"
    assert split_clipboard(text) == [['"' + "x" * 200_000]]


def test_join_clipboard_writes_excel_text() -> None:
    assert join_clipboard([["1", "2"], ["", "a\nb"]]) == '1\t2\r\n\t"a\nb"\r\n'
    assert join_clipboard([['"quoted" start', 'mid"dle']]) == '"""quoted"" start"\tmid"dle\r\n'


_cell_chars = st.sampled_from(["a", "1", "確", " ", "\t", "\n", "\r", '"', ",", "－"])
_cells = st.lists(_cell_chars, max_size=6).map("".join)


@given(st.lists(st.lists(_cells, min_size=1, max_size=4), min_size=1, max_size=5))
def test_join_then_split_gives_back_the_rows(rows: list[list[str]]) -> None:
    assert split_clipboard(join_clipboard(rows)) == rows


# ------------------------------------------------------------------ numbers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("85", "85"),
        ("1,234", "1234"),
        ("１，２３４", "1234"),
        ("１２３４", "1234"),
        ("1,109,980", "1109980"),
        ("8.40", "8.40"),  # the typed precision is kept
        ("８．４", "8.4"),
        ("▲5", "-5"),
        ("△5", "-5"),
        ("▲１，０００．５", "-1000.5"),
        ("-5", "-5"),
        ("－5", "-5"),
        ("−5", "-5"),
        ("+5", "5"),
        (" 12 ", "12"),
        ("\u300012\u3000", "12"),
        (85, "85"),
        (-3, "-3"),
        (8.4, "8.4"),  # a sheet's float, as Excel shows it
        (0.1 + 0.2, "0.3"),  # 15 significant digits, as Excel keeps them
        (1109980.0, "1109980"),
        (-0.0, "0"),
        (Decimal("8.40"), "8.40"),
    ],
)
def test_numbers_as_excel_users_type_them(raw: object, expected: str) -> None:
    _same(read_value(COUNT, raw), Decimal(expected))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("12.5%", "12.5"), ("12.5％", "12.5"), ("１２．５％", "12.5"), ("12.5 %", "12.5"),
     ("▲0.5%", "-0.5"), ("12.5", "12.5"), ("100%", "100")],
)  # fmt: skip
def test_a_percentage_is_accepted_for_a_percent_kpi(raw: str, expected: str) -> None:
    _same(read_value(PERCENT, raw), Decimal(expected))


def test_a_percentage_is_refused_for_other_units_with_a_sentence() -> None:
    assert _refusal(COUNT, "12.5%") == (
        "このKPIの単位は「件」のため「%」は付けられません。数字だけを入力してください（例: 12.5）。"
    )
    assert "「億円」" in _refusal(ColumnSpec(CellKind.DECIMAL, unit="億円"), "3%")


@pytest.mark.parametrize("raw", [None, "", "  ", "\u3000", "-", "－", "ー", "—", "―", "−", "ｰ"])
def test_an_empty_cell_or_a_dash_means_no_figure(raw: object) -> None:
    assert read_value(COUNT, raw) is None
    assert read_value(PERCENT, raw) is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("abc", "「abc」は数値ではありません。数字を入力してください（例: 1,234.5）。"),
        ("なし", "「なし」は数値ではありません。数字を入力してください（例: 1,234.5）。"),
        (
            "3件",
            "「3件」は数値として読み取れません。単位を付けずに数字だけを入力してください（例: 1,234.5）。",
        ),
        (
            "(5)",
            "「(5)」のような括弧付きの数は使えません。マイナスの値は ▲5 または -5 のように入力してください。",
        ),
        ("1,0000", "「1,0000」の桁区切り（,）の位置が正しくありません。3桁ごとに区切るか、区切らずに入力してください。"),
        ("1.2.3", "「1.2.3」には小数点が複数あります。小数点は一つだけにしてください。"),
        ("1e3", "「1e3」のような指数表記は使えません。数字をそのまま入力してください（例: 1000）。"),
        ("--5", "「--5」は数値として読み取れません。符号（+、-、▲）は数字の前に一つだけ付けてください。"),
        ("0.1234567", "「0.1234567」は小数点以下の桁数が多すぎます。小数点以下は6桁まで入力できます。"),
        (1e20, "「100000000000000000000」は桁数が多すぎます。整数部は15桁まで入力できます。"),
        (1e-7, "「0.0000001」は小数点以下の桁数が多すぎます。小数点以下は6桁まで入力できます。"),
        (float("nan"), "「nan」は数値ではありません。数字を入力してください（例: 1,234.5）。"),
        (Decimal("NaN"), "「NaN」は数値ではありません。数字を入力してください（例: 1,234.5）。"),
        (True, "「TRUE」は数値ではありません。数字を入力してください。"),
        (10**200, "桁数が多すぎます。整数部は15桁まで入力できます。"),
    ],
)  # fmt: skip
def test_what_is_not_a_number_is_refused_with_a_sentence(raw: object, message: str) -> None:
    assert _refusal(COUNT, raw) == message


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (datetime(2026, 1, 2), "2026/01/02"),
        (date(2026, 1, 2), "2026/01/02"),
        (datetime(2026, 1, 2, 9, 30), "2026/01/02 09:30"),
        (time(9, 30), "09:30"),
    ],
)
def test_a_date_where_a_number_belongs_is_refused(raw: object, shown: str) -> None:
    assert _refusal(COUNT, raw).startswith(
        f"「{shown}」は日付または時刻です。数値を入力してください"
    )
    assert cell_text(raw) == shown


# ------------------------------------------------------------------ statuses and text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("速報", FigureStatus.PRELIMINARY),
        ("速報値", FigureStatus.PRELIMINARY),
        (" 速 報 ", FigureStatus.PRELIMINARY),
        ("Preliminary", FigureStatus.PRELIMINARY),
        ("確定", FigureStatus.FINAL),
        ("確定値", FigureStatus.FINAL),
        ("ＦＩＮＡＬ", FigureStatus.FINAL),
        ("", None),
        (None, None),
        ("-", None),
        ("ー", None),
    ],
)
def test_figure_status_words(raw: object, expected: FigureStatus | None) -> None:
    assert read_value(STATUS, raw) is expected


def test_an_unknown_figure_status_is_refused() -> None:
    assert _refusal(STATUS, " 見込み ") == (
        "「見込み」は速報/確定として読み取れません。「速報」「確定」または空欄にしてください。"
    )
    assert "速報/確定として読み取れません" in _refusal(STATUS, 1)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("未着手", ProjectStatus.NOT_STARTED),
        ("検討中", ProjectStatus.STUDYING),
        ("実施中", ProjectStatus.IN_PROGRESS),
        (" 完了 ", ProjectStatus.COMPLETED),
        ("中止", ProjectStatus.CANCELLED),
        ("in_progress", ProjectStatus.IN_PROGRESS),
        ("", None),
        ("-", None),
    ],
)
def test_project_status_words(raw: str, expected: ProjectStatus | None) -> None:
    assert read_value(PROJECT, raw) is expected


def test_an_unknown_project_status_is_refused_listing_the_words() -> None:
    assert _refusal(PROJECT, "実施済") == (
        "「実施済」は進捗状況として読み取れません。"
        "「未着手」「検討中」「実施中」「完了」「中止」のいずれか、または空欄にしてください。"
    )


def test_free_text_is_trimmed_with_line_breaks_kept_and_a_length_limit() -> None:
    assert read_value(TEXT, "  市の補助で\r\n創業が増加\u3000") == "市の補助で\n創業が増加"
    assert read_value(TEXT, None) == ""
    assert read_value(TEXT, 1234) == "1234"
    assert read_value(TEXT, 8.4) == "8.4"
    assert read_value(TEXT, "-") == "-"  # in a comment a dash is text
    assert _refusal(TEXT, "あ" * 21) == "文字数が多すぎます（20文字まで、入力は21文字）。"
    assert read_value(ColumnSpec(CellKind.TEXT), "あ" * 4000) == "あ" * 4000  # MAX_TEXT


# ------------------------------------------------------------------ grids and addresses

TITLES = ["実績値", "速報/確定", "要因分析・コメント"]
SPECS = [COUNT, STATUS, ColumnSpec(CellKind.TEXT)]


def _spec(row: int, column: int) -> ColumnSpec | None:
    return SPECS[column] if column < len(SPECS) else None  # a computed 4th column is skipped


def test_a_grid_gives_typed_cells_and_a_problem_per_cell_with_its_address() -> None:
    rows = split_clipboard("72\t確定\t好調\t90.0\r\nabc\t見込み\t\t\r\n-\t\t\t\r\n")
    reading = read_grid(rows, _spec, lambda r, c: line_address(r, TITLES[c]))

    assert not reading.ok
    assert reading.cells == (
        GridCell(0, 0, "72", Decimal("72")),
        GridCell(0, 1, "確定", FigureStatus.FINAL),
        GridCell(0, 2, "好調", "好調"),
        GridCell(1, 2, "", ""),
        GridCell(2, 0, "-", None),
        GridCell(2, 1, "", None),
        GridCell(2, 2, "", ""),
    )
    assert reading.problems == (
        CellProblem(
            1,
            0,
            "2行目・実績値",
            "abc",
            "「abc」は数値ではありません。数字を入力してください（例: 1,234.5）。",
        ),
        CellProblem(
            1,
            1,
            "2行目・速報/確定",
            "見込み",
            "「見込み」は速報/確定として読み取れません。「速報」「確定」または空欄にしてください。",
        ),
    )
    assert reading.read_count == 9  # the computed 4th column is not read
    assert reading.problems[0].sentence == (
        "2行目・実績値「abc」: 「abc」は数値ではありません。数字を入力してください（例: 1,234.5）。"
    )


def test_sheet_values_read_with_excel_addresses() -> None:
    rows: list[list[object]] = [[1109980, "確定", None], [8.4, None, "要因"], ["１２．５％", "", 3]]
    specs = [PERCENT, STATUS, ColumnSpec(CellKind.TEXT)]
    reading = read_grid(
        rows, lambda r, c: specs[c], lambda r, c: sheet_address("KPI", r + 4, c + 4)
    )
    assert [c.value for c in reading.cells] == [
        Decimal("1109980"), FigureStatus.FINAL, "", Decimal("8.4"), None, "要因",
        Decimal("12.5"), None, "3",
    ]  # fmt: skip
    assert reading.ok
    bad = read_grid([["x"]], lambda r, c: COUNT, lambda r, c: sheet_address("KPI", r + 6, c + 4))
    assert bad.problems[0].sentence.startswith("KPI!E7「x」: 「x」は数値ではありません。")


def test_read_cells_takes_scattered_cells() -> None:
    reading = read_cells([(7, 1, "85"), (2, 6, "")], lambda r, c: COUNT, lambda r, c: f"{r}-{c}")
    assert [(c.row, c.column, c.value) for c in reading.cells] == [
        (7, 1, Decimal("85")),
        (2, 6, None),
    ]


def test_column_letters_and_addresses() -> None:
    assert [column_letters(i) for i in (0, 4, 25, 26, 27, 51, 52, 701, 702)] == [
        "A", "E", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA",
    ]  # fmt: skip
    assert sheet_address("KPI", 6, 4) == "KPI!E7"
    assert line_address(2, "実績値") == "3行目・実績値"
    with pytest.raises(ValueError, match="negative"):
        column_letters(-1)


def test_refusal_message_lists_five_then_counts() -> None:
    assert refusal_message(["A"], typed=True) == "A"
    assert refusal_message(["A"]) == "1件の値を読み取れないため、何も保存していません。\nA"
    text = refusal_message([f"セル{n}" for n in range(8)])
    assert text.splitlines() == [
        "8件の値を読み取れないため、何も保存していません。",
        "セル0", "セル1", "セル2", "セル3", "セル4", "…ほか3件",
    ]  # fmt: skip


# ------------------------------------------------------------------ round trip


@st.composite
def shown_decimals(draw: st.DrawFn) -> Decimal:
    """Any Decimal the app can store: ≤ 15 integer digits, ≤ 6 decimal places, scale kept."""
    scale = draw(st.integers(min_value=0, max_value=MAX_FRACTION_DIGITS))
    bound = 10 ** (MAX_INTEGER_DIGITS + scale) - 1
    return Decimal(f"{draw(st.integers(min_value=-bound, max_value=bound))}E-{scale}")


@given(shown_decimals(), st.sampled_from(["件", "%", "億円", ""]))
def test_a_decimal_as_the_app_shows_it_reads_back_the_same(value: Decimal, unit: str) -> None:
    spec = ColumnSpec(CellKind.DECIMAL, unit=unit)
    _same(read_value(spec, format_decimal(value)), value.copy_abs() if value.is_zero() else value)


@given(st.lists(shown_decimals(), min_size=1, max_size=10))
def test_a_copied_column_pastes_back_the_same_decimals(values: list[Decimal]) -> None:
    text = join_clipboard([[format_decimal(v)] for v in values])
    reading = read_grid(split_clipboard(text), lambda r, c: COUNT, lambda r, c: "")
    assert reading.ok
    for cell, value in zip(reading.cells, values, strict=True):
        _same(cell.value, value.copy_abs() if value.is_zero() else value)
