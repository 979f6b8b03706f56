"""Dialogs of the evaluation: a panel opinion and the city's response, the list of a year's
opinions (on measures and on the whole plan), and the plan's grade scheme.

Every change goes through `document.apply` (one undo step, audited by the service).
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from aomori_desktop.domain.errors import InvalidInput, UserError
from aomori_desktop.domain.evaluation import PanelOpinion
from aomori_desktop.domain.fiscal import fy_label
from aomori_desktop.domain.grading import PRESETS, Basis, GradeScheme, SchemeKey
from aomori_desktop.domain.numbers import decimal_to_text, parse_decimal
from aomori_desktop.services.changes import Changes
from aomori_desktop.services.dto import NodeKind
from aomori_desktop.services.evaluation import OpinionEdit
from aomori_desktop.ui.document import PlanDocument

__all__ = ["GradeSchemeDialog", "OpinionDialog", "OpinionsWindow"]

WHOLE_PLAN = "計画全体"


def _measures(document: PlanDocument) -> list[tuple[str, str]]:
    tree = document.reader.tree()
    return [
        (m.ref, f"{m.code} {m.title}")
        for p in tree.children
        for m in p.children
        if m.kind is NodeKind.MEASURE
    ]


class OpinionDialog(QDialog):
    """A new opinion (for the selected year) or an existing one, with its response."""

    def __init__(
        self,
        document: PlanDocument,
        parent: QWidget | None = None,
        *,
        measure: str | None = None,
        opinion: PanelOpinion | None = None,
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.opinion = opinion
        year = opinion.fiscal_year if opinion else document.fiscal_year
        self.fiscal_year = year
        self.setWindowTitle("有識者会議の意見" + (f" {opinion.number}" if opinion else "の追加"))
        self.target = QComboBox()
        self.target.addItem(WHOLE_PLAN, None)
        for code, title in _measures(document):
            self.target.addItem(title, code)
        chosen = opinion.measure if opinion else measure
        self.target.setCurrentIndex(max(0, self.target.findData(chosen)))
        self.text = QPlainTextEdit(opinion.opinion if opinion else "")
        self.response = QPlainTextEdit(opinion.response if opinion else "")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        form = QFormLayout()
        form.addRow("年度:", QLabel(fy_label(year)))
        form.addRow("対象:", self.target)
        form.addRow("意見:", self.text)
        form.addRow("対応方針:", self.response)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.store)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(620, 420)

    def store(self) -> None:
        evaluation = self.document.services.evaluation
        measure = self.target.currentData()
        text, response = self.text.toPlainText(), self.response.toPlainText()
        touched = Changes(evaluations=frozenset({measure or "plan"}))
        try:
            if self.opinion is None:
                year = self.fiscal_year
                self.document.apply(
                    "意見の追加",
                    lambda: evaluation.add_opinion(year, measure, text, response),
                    touches=touched,
                )
            else:
                number = self.opinion.number
                edit = OpinionEdit(opinion=text, response=response, measure=measure)
                self.document.apply(
                    "意見の編集", lambda: evaluation.update_opinion(number, edit), touches=touched
                )
        except UserError as exc:
            self.message.setText(exc.message)  # the dialog stays open with what was typed
            return
        self.accept()


class OpinionsWindow(QMainWindow):
    """Every opinion of the selected year, on measures and on the whole plan."""

    def __init__(self, document: PlanDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["No.", "対象", "意見", "対応方針"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setWordWrap(True)
        self.table.cellDoubleClicked.connect(lambda _r, _c: self.edit())
        self.message = QLabel()
        self.message.setStyleSheet("color: #b00020;")
        add = QPushButton("追加…")
        add.clicked.connect(self.add)
        edit = QPushButton("編集…")
        edit.clicked.connect(self.edit)
        remove = QPushButton("削除")
        remove.clicked.connect(self.remove)
        buttons = QHBoxLayout()
        for button in (add, edit, remove):
            buttons.addWidget(button)
        buttons.addStretch(1)
        body = QWidget()
        layout = QVBoxLayout(body)
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 13pt; font-weight: bold;")
        layout.addWidget(self.heading)
        layout.addWidget(self.table)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.setCentralWidget(body)
        self.resize(980, 560)
        document.changed.connect(lambda _c, _i=None: self.refresh())
        document.fiscalYearChanged.connect(lambda _fy: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        fy = self.document.fiscal_year
        self.setWindowTitle(f"有識者会議の意見と対応方針 — {fy_label(fy)}")
        self.heading.setText(f"有識者会議の意見と対応方針（{fy_label(fy)}）")
        titles = dict(_measures(self.document))
        self.opinions = list(self.document.services.evaluation_queries.opinions(fy))
        self.table.setRowCount(len(self.opinions))
        for row, o in enumerate(self.opinions):
            target = titles.get(o.measure, o.measure) if o.measure else WHOLE_PLAN
            for col, text in enumerate(
                (str(o.number), target, o.opinion, o.response or "（未記入）")
            ):
                self.table.setItem(row, col, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(2, 360)
        self.table.resizeRowsToContents()

    def _selected(self) -> PanelOpinion | None:
        row = self.table.currentRow()
        return self.opinions[row] if 0 <= row < len(self.opinions) else None

    def add(self) -> None:
        self.document.prompts.run_dialog(OpinionDialog(self.document, self))

    def edit(self) -> None:
        opinion = self._selected()
        if opinion is not None:
            self.document.prompts.run_dialog(OpinionDialog(self.document, self, opinion=opinion))

    def remove(self) -> None:
        opinion = self._selected()
        if opinion is None:
            return
        if not self.document.prompts.confirm(
            self, f"有識者会議の意見 {opinion.number} を削除しますか？"
        ):
            return
        evaluation = self.document.services.evaluation
        number = opinion.number
        try:
            self.document.apply("意見の削除", lambda: evaluation.remove_opinion(number))
        except UserError as exc:
            self.message.setText(exc.message)


class GradeSchemeDialog(QDialog):
    """The plan's grade rule: a preset, its thresholds, and what each grade means."""

    def __init__(self, document: PlanDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.setWindowTitle("評価基準")
        current = document.services.evaluation_queries.grade_scheme()
        self.preset = QComboBox()
        for key, scheme in PRESETS.items():
            self.preset.addItem(scheme.name, key.value)
        self.preset.setCurrentIndex(self.preset.findData(current.key.value))
        self.preset.currentIndexChanged.connect(lambda _i: self._fill(PRESETS[self._key()]))
        self.form = QFormLayout()
        self.fields: list[QLineEdit] = []
        self.rules = QLabel()
        self.rules.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        note = QLabel(
            "評価基準を変えると、すべてのKPIと共創施策の評価がこの基準で付け直されます"
            "（ツリー・グラフ・報告書にすぐ反映され、変更履歴に記録されます。元に戻すこともできます）。"
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.store)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        top = QFormLayout()
        top.addRow("評価の段階:", self.preset)
        layout.addLayout(top)
        layout.addLayout(self.form)
        layout.addWidget(self.rules)
        layout.addWidget(note)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self._fill(current)
        self.resize(560, 420)

    def _key(self) -> SchemeKey:
        return SchemeKey(self.preset.currentData())

    def _fill(self, scheme: GradeScheme) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.fields = []
        for grade, rule in zip(scheme.grades, scheme.rules, strict=False):
            field = QLineEdit(decimal_to_text(rule.threshold))
            field.textEdited.connect(lambda _t: self._preview())
            unit = (
                "%（達成率）以上"
                if rule.basis is Basis.TARGET
                else "倍（期待進捗率に対する達成率）以上"
            )
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            line.addWidget(field)
            line.addWidget(QLabel(unit))
            self.form.addRow(f"{grade.text}:", row)
            self.fields.append(field)
        self._preview()

    def scheme(self) -> GradeScheme:
        base = PRESETS[self._key()]
        values: list[Decimal] = []
        for grade, field in zip(base.grades, self.fields, strict=False):
            try:
                values.append(parse_decimal(field.text()))
            except InvalidInput as exc:
                raise InvalidInput(f"{grade.text}の基準: {exc.message}") from exc
        return base.with_thresholds(values)

    def _preview(self) -> None:
        try:
            self.rules.setText("\n".join(self.scheme().describe()))
            self.message.clear()
        except InvalidInput as exc:
            self.rules.setText(exc.message)

    def store(self) -> None:
        evaluation = self.document.services.evaluation
        try:
            scheme = self.scheme()
            self.document.apply("評価基準の変更", lambda: evaluation.set_grade_scheme(scheme))
        except UserError as exc:
            self.message.setText(exc.message)
            return
        self.accept()
