"""The KPI page: the KPI's fields, its target history and the yearly table.

Every field is committed when the user leaves it or presses Enter (no save button to forget);
an unreadable value keeps the user's text, turns the field red and says why underneath.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from aomori_desktop.domain.errors import Interrupted, InvalidInput, UserError
from aomori_desktop.domain.fiscal import fy_label, parse_fiscal_year
from aomori_desktop.domain.numbers import format_decimal, parse_decimal
from aomori_desktop.domain.plan import Direction
from aomori_desktop.services import kpi_fields
from aomori_desktop.services.changes import Changes
from aomori_desktop.services.dto import KpiDetail
from aomori_desktop.services.kpi_fields import KpiFieldsEdit
from aomori_desktop.services.kpi_values import KpiYearEdit
from aomori_desktop.services.transaction import shown_value
from aomori_desktop.services.watch import OthersChanged
from aomori_desktop.ui.cell_input import inverse_edit
from aomori_desktop.ui.conflict_dialog import KeptTheirs
from aomori_desktop.ui.document import PlanDocument
from aomori_desktop.ui.message_line import ERROR_STYLE, MessageLine, heading_text
from aomori_desktop.ui.target_revision import TargetRevisionDialog
from aomori_desktop.ui.typing_guard import TypingGuard
from aomori_desktop.ui.year_table import (
    COL_ACTUAL,
    COL_COMMENT,
    COL_ENTERED,
    COL_EXPECTED,
    COL_INTERIM,
    COL_RATE,
    COLUMNS,
    YEAR_TABLE_HINT,
    KpiYearTableModel,
    PasteTableView,
)

if TYPE_CHECKING:
    from aomori_desktop.ui.chart_panel import ChartPanel

REVISION_BACKGROUND = "#fff3c4"  # as the target revisions in the history window
NUMBER_COLUMNS = (COL_INTERIM, COL_ACTUAL, COL_RATE, COL_EXPECTED)
DIRECTIONS = [Direction.INCREASE, Direction.DECREASE, Direction.MAINTAIN]


TARGET_WIDTH_SAMPLE = "9,999,999.9 千人（令和15(2033)年度）"


class KpiPage(QWidget):
    navigate = Signal(object)  # the TreeKey to select
    chartPanelCreated = Signal(object)  # ChartPanel, for the main window's export menu

    def __init__(self, document: PlanDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.detail: KpiDetail | None = None
        self._loading = False
        self._revisions_shown: tuple[object, ...] | None = None  # what the list now shows

        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.measures_label = QLabel()
        self.measures_label.setWordWrap(True)

        self.name_edit = QLineEdit()
        self.unit_edit = QLineEdit()
        self.unit_edit.setMaximumWidth(120)
        self.baseline_edit = QLineEdit()
        self.baseline_year_edit = QLineEdit()
        self.baseline_year_edit.setFixedWidth(190)
        self.baseline_edit.setFixedWidth(190)
        self.baseline_confirmed = QCheckBox("確認済み")
        self.baseline_flag = QLabel()
        self.baseline_flag.setStyleSheet("color: #a00000; font-weight: bold;")
        self.target_label = QLabel()
        # one width for every KPI's target: a longer figure must not widen the form and so
        # resize the chart beside it (a resize lays the chart out again and repaints the
        # whole page on each selection); the whole text is in the tooltip
        self.target_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.target_label.setMinimumWidth(
            self.target_label.fontMetrics().horizontalAdvance(TARGET_WIDTH_SAMPLE)
        )
        self.revise_button = QPushButton("目標値の見直し…")
        self.direction_combo = QComboBox()
        for d in DIRECTIONS:
            self.direction_combo.addItem(
                {
                    "increase": "増加（高いほど良い）",
                    "decrease": "減少（低いほど良い）",
                    "maintain": "維持（基準値以上を保つ）",
                }[d.value],
                d.value,
            )
        self.cumulative_check = QCheckBox("累計値（基準年度からの積み上げ）")
        self.source_edit = QLineEdit()
        self.section_edit = QLineEdit()
        self.definition_edit = QPlainTextEdit()
        self.definition_edit.setMaximumHeight(70)
        # every target revision, newest first, in a list that scrolls (a label grew over the
        # rows below it after two revisions and cut the third off)
        self.revisions_box = QWidget()
        self.revisions_title = QLabel()
        self.revisions_list = QListWidget()
        self.revisions_list.setWordWrap(True)
        self.revisions_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.revisions_list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.revisions_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.revisions_list.setStyleSheet(
            f"QListWidget {{ background: {REVISION_BACKGROUND}; }}"
            " QListWidget::item { border-bottom: 1px solid #e0c060; padding: 2px; }"
        )
        lines = self.revisions_list.fontMetrics().lineSpacing()
        self.revisions_list.setFixedHeight(lines * 4 + 12)  # about two revisions; the rest scroll
        revisions_layout = QVBoxLayout(self.revisions_box)
        revisions_layout.setContentsMargins(0, 0, 0, 0)
        revisions_layout.setSpacing(2)
        revisions_layout.addWidget(self.revisions_title)
        revisions_layout.addWidget(self.revisions_list)
        self.form_message = MessageLine()

        baseline_row = QHBoxLayout()
        baseline_row.addWidget(self.baseline_edit)
        baseline_row.addStretch(1)
        baseline_year_row = QHBoxLayout()
        baseline_year_row.addWidget(self.baseline_year_edit)
        baseline_year_row.addWidget(self.baseline_confirmed)
        baseline_year_row.addWidget(self.baseline_flag)
        baseline_year_row.addStretch(1)
        target_row = QHBoxLayout()
        target_row.addWidget(self.target_label, 1)
        target_row.addWidget(self.revise_button)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        form.addRow("KPI名", self.name_edit)
        form.addRow("単位", self.unit_edit)
        form.addRow("基準値", baseline_row)
        form.addRow("基準年度", baseline_year_row)
        form.addRow("目標値", target_row)
        form.addRow("", self.revisions_box)
        form.addRow("方向", self.direction_combo)
        form.addRow("", self.cumulative_check)
        form.addRow("出典", self.source_edit)
        form.addRow("担当課", self.section_edit)
        form.addRow("定義・備考", self.definition_edit)
        form_box = QGroupBox("KPIの設定")
        form_layout = QVBoxLayout(form_box)
        form_layout.addLayout(form)
        form_layout.addWidget(self.form_message)
        form_layout.addStretch(1)  # spare height below the fields, not between them

        self.table_model = KpiYearTableModel(self._commit_years, self)
        self.table = PasteTableView()
        self.table.setModel(self.table_model)
        self.table.horizontalHeader().setSectionResizeMode(
            COL_COMMENT, QHeaderView.ResizeMode.Stretch
        )
        self.table.horizontalHeader().setSectionResizeMode(
            COL_ENTERED, QHeaderView.ResizeMode.ResizeToContents
        )
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table_message = MessageLine()
        self.table_model.inputRejected.connect(self.table_message.show_error)
        self.table.messageRequested.connect(self.table_message.show_error)
        table_box = QGroupBox("年度別の実績")
        table_layout = QVBoxLayout(table_box)
        hint = QLabel(YEAR_TABLE_HINT)
        hint.setStyleSheet("color: #555555;")
        table_layout.addWidget(hint)
        table_layout.addWidget(self.table)
        table_layout.addWidget(self.table_message)

        self.chart_host = QWidget()  # the chart panel, created when the first KPI is shown
        chart_layout = QVBoxLayout(self.chart_host)
        chart_layout.setContentsMargins(0, 0, 0, 0)
        self.chart_panel: ChartPanel | None = None

        top = QWidget()
        top_layout = QHBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(form_box, 1)
        top_layout.addWidget(self.chart_host, 1)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(table_box)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.measures_label)
        layout.addWidget(splitter, 1)

        self._line_fields: list[
            tuple[QLineEdit, Callable[[str], KpiFieldsEdit], Callable[[KpiDetail], str], str]
        ] = [
            (self.name_edit, lambda t: KpiFieldsEdit(name=t), lambda d: d.name, "KPI名"),
            (self.unit_edit, lambda t: KpiFieldsEdit(unit=t), lambda d: d.unit, "単位"),
            (
                self.baseline_edit,
                lambda t: KpiFieldsEdit(baseline=parse_decimal(t)),
                lambda d: format_decimal(d.baseline),
                "基準値",
            ),
            (
                self.baseline_year_edit,
                lambda t: KpiFieldsEdit(baseline_fiscal_year=parse_fiscal_year(t)),
                lambda d: fy_label(d.baseline_fiscal_year),
                "基準年度",
            ),
            (
                self.source_edit,
                lambda t: KpiFieldsEdit(data_source=t),
                lambda d: d.data_source,
                "出典",
            ),
            (
                self.section_edit,
                lambda t: KpiFieldsEdit(responsible_section=t),
                lambda d: d.responsible_section,
                "担当課",
            ),
        ]
        for edit, make, current, label in self._line_fields:
            edit.editingFinished.connect(
                lambda e=edit, m=make, c=current, lab=label: self._commit_line(e, m, c, lab)
            )
        self.definition_edit.installEventFilter(self)
        self.baseline_confirmed.toggled.connect(self._commit_confirmed)
        self.direction_combo.activated.connect(self._commit_direction)
        self.cumulative_check.toggled.connect(self._commit_cumulative)
        self.revise_button.clicked.connect(self._revise_target)
        # others' writes wait while the user types here (ui/typing_guard.py)
        self.typing_guard = TypingGuard(
            [self.table], [e for e, *_rest in self._line_fields] + [self.definition_edit], self
        )
        document.changed.connect(self._on_changes)
        document.fiscalYearChanged.connect(self._on_fiscal_year)

    # ------------------------------------------------------------ loading

    def show_kpi(self, code: str) -> None:
        self.form_message.clear_message()
        self.table_message.clear_message()
        if self.detail is None or self.detail.code != code:
            # refused text belongs to the KPI it was typed for: never carry it to another one
            for edit, _make, _current, _label in self._line_fields:
                edit.setProperty("invalid", False)
                if edit.styleSheet():
                    edit.setStyleSheet("")
        self._load(self.document.reader.kpi_detail(code))

    def pending_input(self) -> list[str]:
        """Refused entries still on screen (not stored), each with why it was refused (not a
        number, out of range, changed meanwhile by someone else…), for a question."""
        pending = [
            f"{label}「{edit.text()}」: {short_reason(str(edit.property('refusal') or ''))}"
            for edit, _make, _current, label in self._line_fields
            if edit.property("invalid") is True
        ]
        for (row, col), (text, message) in sorted(self.table_model.invalid_cells().items()):
            year = self.table_model.year_at(row)
            if year is not None:
                column = COLUMNS[col][0] if 0 <= col < len(COLUMNS) else ""
                pending.append(
                    f"{fy_label(year.fiscal_year)} {column}「{text}」: {short_reason(message)}"
                )
        return pending

    def _load(self, detail: KpiDetail) -> None:
        self._loading = True
        try:
            self.detail = detail
            heading = f"{detail.code}　{detail.name}" + (
                "（累計）" if detail.cumulative and "累計" not in detail.name else ""
            )
            self.heading.setText(heading_text(heading))
            self.heading.setToolTip(heading)
            self.measures_label.setText(
                "共創施策: " + "、".join(f"{code} {title}" for code, title in detail.measures)
            )
            # a widget is touched only where its text changes: an equal setText still lays
            # the field out and repaints it, a style sheet set again re-polishes it
            for edit, _make, current, _label in self._line_fields:
                if edit.property("invalid") is not True:
                    _set_line(edit, current(detail))
                    if edit.styleSheet():
                        edit.setStyleSheet("")
            if self.definition_edit.toPlainText() != detail.definition:
                self.definition_edit.setPlainText(detail.definition)
            self.baseline_confirmed.setChecked(detail.baseline_fiscal_year_confirmed)
            self.baseline_flag.setText("" if detail.baseline_fiscal_year_confirmed else "要確認")
            target = f"{format_decimal(detail.target)} {detail.unit}（{fy_label(detail.target_fiscal_year)}）"
            self.target_label.setText(target)
            self.target_label.setToolTip(target)
            self.direction_combo.setCurrentIndex(DIRECTIONS.index(detail.direction))
            self.cumulative_check.setChecked(detail.cumulative)
            self._show_revisions(detail)
            self.table_model.set_detail(detail)
            self._fit_number_columns()
            self._show_chart(detail)
        finally:
            self._loading = False

    def _fit_number_columns(self) -> None:
        """Numbers are never cut off: a rate far out of range (272900.0 %) widens its column;
        the columns keep their ordinary width otherwise (room to type)."""
        header, model = self.table.horizontalHeader(), self.table_model
        metrics = self.table.fontMetrics()  # measured from the texts: a size hint costs 8 ms
        for column in NUMBER_COLUMNS:
            texts = (str(model.data(model.index(r, column)) or "") for r in range(model.rowCount()))
            needed = max((metrics.horizontalAdvance(t) for t in texts), default=0) + 16
            self.table.setColumnWidth(column, max(header.defaultSectionSize(), needed))

    def _show_revisions(self, detail: KpiDetail) -> None:
        shown = (detail.revisions, detail.unit)
        if shown == self._revisions_shown:
            return
        self._revisions_shown = shown
        self.revisions_list.clear()
        self.revisions_box.setVisible(bool(detail.revisions))
        if not detail.revisions:
            return
        self.revisions_title.setText(f"目標値の見直し履歴（{len(detail.revisions)}件、新しい順）:")
        for r in sorted(detail.revisions, key=lambda r: r.revised_at, reverse=True):
            text = (
                f"{r.revised_at.astimezone():%Y-%m-%d} "
                f"{format_decimal(r.old_value)} → {format_decimal(r.new_value)} {detail.unit}"
                f"（{fy_label(r.new_fiscal_year)}）理由: {r.reason}（{r.revised_by}）"
            )
            item = QListWidgetItem(text)
            item.setToolTip(text)
            self.revisions_list.addItem(item)

    def _show_chart(self, detail: KpiDetail) -> None:
        if self.chart_panel is None:
            from aomori_desktop.ui.chart_panel import ChartPanel

            self.chart_panel = ChartPanel(self.chart_host, prompts=self.document.prompts)
            layout = self.chart_host.layout()
            assert layout is not None
            layout.addWidget(self.chart_panel)
            self.chartPanelCreated.emit(self.chart_panel)
        self.chart_panel.set_kpi(detail, as_of=self.document.fiscal_year)

    def _on_fiscal_year(self, _fiscal_year: int) -> None:
        if self.detail is not None:
            self._show_chart(self.detail)

    def _on_changes(self, changes: Changes, initiator: object = None) -> None:
        if self.detail is None or self.detail.code not in changes.kpis:
            return
        if isinstance(initiator, OthersChanged) and self.typing_guard.hold(
            changes, self._on_changes
        ):
            return  # shown once the user is done typing
        try:
            self._load(self.document.reader.kpi_detail(self.detail.code))
        except UserError:
            self.detail = None  # the KPI was removed; the main window moves the selection

    # ------------------------------------------------------------ commits

    def _apply_fields(self, edit: KpiFieldsEdit, label: str) -> bool:
        """Store one field as one undo step (the service's undo puts back what it read)."""
        detail = self.detail
        if detail is None:
            return False
        try:  # expecting what the form shows: a change by another user is asked about
            self.document.apply_kpi_fields(label, detail, edit)
        except KeptTheirs as exc:  # the form shows their value again
            self.form_message.show_info(exc.message)
            return True
        except Interrupted as exc:
            # the connection broke off: the form shows what is stored (the typed text was not
            # at fault) and the sentence keeps what was typed, to copy or to enter again
            typed = "、".join(shown_value(v) for v in kpi_fields.set_fields(edit).values())
            self.form_message.show_error(f"{exc.message}\n保存していない入力（{label}）: {typed}")
            return True
        except UserError as exc:  # the service's sentence names the KPI and the field
            self.form_message.show_error(exc.message)
            return False
        self.form_message.clear_message()
        return True

    def _commit_line(
        self,
        edit: QLineEdit,
        make: Callable[[str], KpiFieldsEdit],
        current: Callable[[KpiDetail], str],
        label: str,
    ) -> None:
        if self._loading or self.detail is None:
            return
        text = edit.text()
        if text == current(self.detail) and edit.property("invalid") is not True:
            return
        try:
            fields = make(text)
        except InvalidInput as exc:
            edit.setProperty("invalid", True)
            edit.setProperty("refusal", exc.message)
            edit.setStyleSheet(ERROR_STYLE)
            self.form_message.show_error(f"{label}: {exc.message}")
            return
        if self._apply_fields(fields, label):
            edit.setProperty("invalid", False)
            edit.setStyleSheet("")
        else:
            edit.setProperty("invalid", True)
            edit.setProperty("refusal", self.form_message.text())  # the service's sentence
            edit.setStyleSheet(ERROR_STYLE)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.definition_edit
            and event.type() == QEvent.Type.FocusOut
            and self.detail is not None
            and not self._loading
        ):
            text = self.definition_edit.toPlainText()
            if text.strip() != self.detail.definition:
                self._apply_fields(KpiFieldsEdit(definition=text), "定義・備考")
        return super().eventFilter(watched, event)

    def _commit_choice(self, edit: KpiFieldsEdit, label: str) -> None:
        """A checkbox or combo: when refused, show the stored value again beside the message."""
        if not self._apply_fields(edit, label) and self.detail is not None:
            self._load(self.detail)

    def _commit_confirmed(self, checked: bool) -> None:
        detail = self.detail
        if not self._loading and detail and checked != detail.baseline_fiscal_year_confirmed:
            self._commit_choice(
                KpiFieldsEdit(baseline_fiscal_year_confirmed=checked), "基準年度の確認"
            )

    def _commit_direction(self, index: int) -> None:
        if not self._loading and self.detail and DIRECTIONS[index] is not self.detail.direction:
            self._commit_choice(KpiFieldsEdit(direction=DIRECTIONS[index]), "方向")

    def _commit_cumulative(self, checked: bool) -> None:
        if not self._loading and self.detail and checked != self.detail.cumulative:
            self._commit_choice(KpiFieldsEdit(cumulative=checked), "累計")

    def _commit_years(self, edits: list[KpiYearEdit], text: str) -> None:
        detail = self.detail
        if detail is None:
            return
        before = [inverse_edit(e, detail.year(e.fiscal_year)) for e in edits]
        self.document.apply_year_edits(text, edits, before)
        self.table_message.clear_message()

    def _revise_target(self) -> None:
        detail = self.detail
        if detail is None:
            return
        code, fields = detail.code, self.document.services.kpi_fields
        shown = (detail.target, detail.target_fiscal_year)  # what the dialog revises from

        def submit(value: Decimal, year: int, reason: str) -> None:
            # the undo is one more revision, back to the old target (history keeps both)
            self.document.apply(
                f"{code} 目標値の見直し",
                lambda: fields.revise_target(code, value, year, reason, expected=shown),
                touches=Changes(kpis=frozenset({code})),
            )

        self.document.prompts.run_dialog(TargetRevisionDialog(detail, submit, self))


def _set_line(edit: QLineEdit, text: str) -> None:
    if edit.text() != text:
        edit.setText(text)


def short_reason(message: str) -> str:
    """Why an entry was refused, in one line: the message's first sentence (a 。 inside
    brackets does not end it), and the first value a conflict names."""
    depth, end = 0, len(message)
    for i, char in enumerate(message):
        if char in "（「(":
            depth += 1
        elif char in "）」)":
            depth = max(0, depth - 1)
        elif char == "。" and depth == 0:
            end = i + 1
            break
    first = " ".join(message[:end].split())
    named = next((line[1:].strip() for line in message.splitlines() if line.startswith("・")), "")
    if named:  # 「…が次の値を変更しています: KPI K03 令和7(2025)年度の実績値（現在: 5,000）」
        first = f"{first.removesuffix('。')}: {named}"
    return first or "保存できませんでした。"
