"""When another user changed what the user is about to store: who changed which value, to
what and when, and the user's choice between keeping theirs and writing their own over it.

A write that expects what the screen showed is refused (`ChangedMeanwhile`) when a value
changed under it. `ask_write_over` shows the dialog (through `Prompts.run_dialog`, which
tests script); `PlanDocument.apply_over_others` runs the write again, expecting the values now
stored, when the user chose to write their own, so a change made in between is refused
again and never overwritten unseen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from aomori_desktop.services.errors import ChangedField, when_text
from aomori_desktop.services.tasks import Cancelled
from aomori_desktop.services.transaction import Unset, shown_value
from aomori_desktop.ui.prompts import Prompts

HEADERS = ("項目", "あなたの入力", "現在の値", "変更した人", "日時")

KEEP_TEXT = "相手の値を残す"
OVERWRITE_TEXT = "自分の値で上書き"


class KeptTheirs(Cancelled):
    """The user kept the values another user stored: nothing was written."""

    def __init__(self) -> None:
        super().__init__(
            "他の利用者が変更した値を残しました。あなたの入力は保存していません"
            "（表示は現在の値です）。"
        )


@dataclass(frozen=True, slots=True)
class ConflictLine:
    """One changed value as the dialog lists it."""

    what: str  # KPI K03 令和6(2024)年度の実績値
    yours: str  # 85
    theirs: str  # 84
    by: str  # 青森 花子
    at: str  # 2026年4月1日 9:30 (Japan time)

    def cells(self) -> tuple[str, ...]:
        return (self.what, self.yours, self.theirs, self.by, self.at)


def conflict_lines(
    fields: Sequence[ChangedField], entered: Callable[[ChangedField], object]
) -> list[ConflictLine]:
    """The dialog's lines: each changed value, what the user entered for it and what is
    stored now, who stored it and when (from the audit log)."""
    lines = []
    for f in fields:
        yours = entered(f)
        lines.append(
            ConflictLine(
                f.what,
                "（入力なし）" if isinstance(yours, Unset) else shown_value(yours),
                f.theirs,
                f.by or "（記録なし）",
                when_text(f.at) if f.at is not None else "（記録なし）",
            )
        )
    return lines


def overwrite_label(label: str) -> str:
    """The undo step's name of writing over another user's values: 「K03 令和6(2024)年度
    実績値の上書き」 (from 「…実績値の入力」), 「K03 貼り付け（6セル）の上書き」."""
    for suffix in ("の入力", "の変更", "の上書き"):
        if label.endswith(suffix):
            return label.removesuffix(suffix) + "の上書き"
    return f"{label}の上書き"


class ConflictDialog(QDialog):
    """他の利用者が変更しています: the changed values side by side with the user's own, and
    the choice. Accepted: write the user's own values; rejected (also Esc and the window's
    close button): keep theirs."""

    def __init__(self, lines: Sequence[ConflictLine], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("他の利用者が変更しています")
        self.lines = list(lines)
        intro = QLabel(
            "この画面を開いた後に、他の利用者（または別の画面）が次の値を変更しました。"
            "あなたの入力はまだ保存していません。どちらの値を残すか選んでください。"
        )
        intro.setWordWrap(True)
        self.table = QTableWidget(len(self.lines), len(HEADERS), self)
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setWordWrap(False)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the buttons take the keys
        for row, line in enumerate(self.lines):
            for column, text in enumerate(line.cells()):
                item = QTableWidgetItem(" ".join(text.split()))  # a comment's line breaks
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.resizeColumnsToContents()
        for column in (1, 2):  # long comments: cut, in full in the tooltip
            self.table.setColumnWidth(column, min(self.table.columnWidth(column) + 16, 260))
        note = QLabel(
            f"「{OVERWRITE_TEXT}」を選ぶと、現在の値をあなたの入力で置き換えて保存します。"
            "相手の変更も変更履歴に残り、「元に戻す」（Ctrl+Z）で現在の値に戻せます。"
            f"「{KEEP_TEXT}」を選ぶと、何も保存しません。"
        )
        note.setWordWrap(True)
        self.keep_button = QPushButton(KEEP_TEXT)
        self.keep_button.setDefault(True)  # Enter does not overwrite anyone's value
        self.keep_button.clicked.connect(self.reject)
        self.overwrite_button = QPushButton(OVERWRITE_TEXT)
        self.overwrite_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.keep_button)
        buttons.addWidget(self.overwrite_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(note)
        layout.addLayout(buttons)
        width = sum(self.table.columnWidth(c) for c in range(len(HEADERS))) + 48
        rows = min(len(self.lines), 8)
        header_height = self.table.horizontalHeader().sizeHint().height()
        table_height = header_height + rows * self.table.rowHeight(0) + 6
        self.table.setMinimumHeight(table_height)
        self.resize(max(640, min(width, 1100)), table_height + 150)

    def cell_text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""


def ask_write_over(
    prompts: Prompts,
    parent: QWidget | None,
    fields: Sequence[ChangedField],
    entered: Callable[[ChangedField], object],
) -> bool:
    """Show who changed which value; True when the user chose to write their own over it."""
    dialog = ConflictDialog(conflict_lines(fields, entered), parent)
    try:
        return prompts.run_dialog(dialog)
    finally:
        dialog.deleteLater()
