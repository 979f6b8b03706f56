"""The evaluation page of a measure (施策評価) for the selected fiscal year, reached from the
measure in the tree (context menu 施策評価, menu 評価 > 施策評価を開く, Ctrl+E).

Shows the proposed grade and how it was proposed, lets the section override it with a required
reason, write 成果・課題・今後の方向性, choose the measure's and each project's direction, and
edit the panel's opinions on the measure. Every edit is stored when the field is left (as on
the KPI page) through `document.apply`, one undo step each.

`install_evaluation(window, document)` adds the page and the menu 評価 (opinions, the grade
scheme, the annual report) to a main window; `EvaluationController.fill_menu` adds the tree's
context-menu entry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFocusEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from aomori_desktop.domain.errors import UserError
from aomori_desktop.domain.evaluation import COURSE_CHOICES, Course
from aomori_desktop.domain.fiscal import fy_label
from aomori_desktop.domain.numbers import format_decimal
from aomori_desktop.domain.progress import format_rate
from aomori_desktop.services.changes import Applied, Changes
from aomori_desktop.services.dto import NodeKind, TreeNode
from aomori_desktop.services.evaluation import MeasureEvaluationEdit
from aomori_desktop.services.evaluation_views import MeasureEvaluationView
from aomori_desktop.ui.document import PlanDocument
from aomori_desktop.ui.grades import grade_badge

__all__ = ["EvaluationController", "EvaluationPage", "install_evaluation"]

UNSET_COURSE = "未設定"


class TextField(QPlainTextEdit):
    """A multi-line text whose edit is stored when the field is left."""

    editingFinished = Signal()

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(placeholder)
        self.setTabChangesFocus(True)
        self.setMinimumHeight(64)
        self.setMaximumHeight(110)

    def focusOutEvent(self, e: QFocusEvent) -> None:
        super().focusOutEvent(e)
        self.editingFinished.emit()


def course_combo() -> QComboBox:
    combo = QComboBox()
    combo.addItem(UNSET_COURSE, None)
    for course in COURSE_CHOICES:
        combo.addItem(course.label, course.value)
    return combo


def _select(combo: QComboBox, value: object) -> None:
    combo.blockSignals(True)
    index = combo.findData(value)
    combo.setCurrentIndex(max(0, index))
    combo.blockSignals(False)


class EvaluationPage(QWidget):
    """施策評価 of one measure (see module doc)."""

    navigate = Signal(str)

    def __init__(self, document: PlanDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.measure = ""
        self.view: MeasureEvaluationView | None = None
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")

        self.proposed_label = QLabel()
        self.proposed_label.setWordWrap(True)
        self.grade_label = QLabel()
        self.grade_label.setStyleSheet("font-weight: bold;")
        self.stale_label = QLabel()
        self.stale_label.setWordWrap(True)
        self.stale_label.setStyleSheet("color: #8a5a00;")
        self.override_combo = QComboBox()
        self.override_combo.setToolTip("提案された評価を変更する場合に選びます（理由が必要です）")
        self.override_combo.activated.connect(self._override_chosen)
        self.reason = TextField("評価を変更した理由（変更する場合は必須）")
        self.reason.editingFinished.connect(self._reason_left)
        self.course = course_combo()
        self.course.activated.connect(lambda _i: self._store(course=self._course_value()))
        grade_box = QGroupBox("施策の評価")
        form = QFormLayout(grade_box)
        form.addRow("評価の提案:", self.proposed_label)
        form.addRow("評価を変更:", self.override_combo)
        form.addRow("変更の理由:", self.reason)
        form.addRow("", self.stale_label)
        form.addRow("施策の評価:", self.grade_label)
        form.addRow("今後の方向性（区分）:", self.course)

        self.texts: dict[str, TextField] = {}
        text_box = QGroupBox("成果・課題・今後の方向性")
        text_form = QFormLayout(text_box)
        for name, label in (
            ("achievements", "成果"),
            ("issues", "課題"),
            ("next_steps", "今後の方向性"),
        ):
            field = TextField(f"{label}を入力")
            field.editingFinished.connect(lambda name=name: self._text_left(name))
            self.texts[name] = field
            text_form.addRow(f"{label}:", field)

        self.kpi_table = self._table(
            ["KPI", "実績値", "速報/確定", "達成率", "期待進捗率", "評価", "見込み"]
        )
        self.kpi_table.cellDoubleClicked.connect(self._open_kpi)
        self.project_table = self._table(["掲載", "共創プロジェクト", "状況", "方向性"])
        self.opinion_table = self._table(["No.", "意見", "対応方針"])
        self.add_opinion_button = QPushButton("意見を追加…")
        self.add_opinion_button.clicked.connect(self._add_opinion)
        self.edit_opinion_button = QPushButton("編集…")
        self.edit_opinion_button.clicked.connect(self._edit_opinion)
        self.remove_opinion_button = QPushButton("削除")
        self.remove_opinion_button.clicked.connect(self._remove_opinion)

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.heading)
        layout.addWidget(self.message)
        layout.addWidget(grade_box)
        layout.addWidget(text_box)
        kpi_box = QGroupBox("KPIの状況（行をダブルクリックでKPIを開く）")
        QVBoxLayout(kpi_box).addWidget(self.kpi_table)
        layout.addWidget(kpi_box)
        project_box = QGroupBox("共創プロジェクトの方向性")
        QVBoxLayout(project_box).addWidget(self.project_table)
        layout.addWidget(project_box)
        opinion_box = QGroupBox("有識者会議の意見と対応方針")
        opinion_layout = QVBoxLayout(opinion_box)
        opinion_layout.addWidget(self.opinion_table)
        buttons = QHBoxLayout()
        for button in (
            self.add_opinion_button,
            self.edit_opinion_button,
            self.remove_opinion_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        opinion_layout.addLayout(buttons)
        layout.addWidget(opinion_box)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        document.changed.connect(self._on_changes)
        document.fiscalYearChanged.connect(lambda _fy: self.refresh())

    @staticmethod
    def _table(headers: list[str]) -> QTableWidget:
        table = QTableWidget(0, len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.verticalHeader().hide()
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        table.setMinimumHeight(120)
        return table

    # ------------------------------------------------------------ showing

    def show_measure(self, code: str) -> None:
        self.measure = code
        self.message.clear()
        self.refresh()

    def refresh(self) -> None:
        if not self.measure:
            return
        fy = self.document.fiscal_year
        view = self.document.services.evaluation_queries.measure(self.measure, fy)
        self.view = view
        self.heading.setText(f"{view.code} {view.title}　— 施策評価（{fy_label(fy)}）")
        self.proposed_label.setText(f"{view.proposed.text}（{view.basis}）")
        self.grade_label.setText(view.grade.text)
        record = view.record
        self.override_combo.blockSignals(True)
        self.override_combo.clear()
        self.override_combo.addItem("提案どおり", None)
        for grade in view.scheme.grades:
            self.override_combo.addItem(grade_badge(grade), grade.text, grade.symbol)
        self.override_combo.setCurrentIndex(
            max(0, self.override_combo.findData(view.override.symbol)) if view.override else 0
        )
        self.override_combo.blockSignals(False)
        if not self.reason.hasFocus():
            self.reason.setPlainText(record.override_reason if record else "")
        self.stale_label.setVisible(view.stale_override)
        if view.stale_override and record is not None:
            self.stale_label.setText(
                f"評価基準の変更前に「{record.override}」と評価されています（理由: "
                f"{record.override_reason}）。現在の評価基準で見直してください。"
            )
        _select(self.course, record.course.value if record and record.course else None)
        for name, field in self.texts.items():
            if not field.hasFocus():
                field.setPlainText(getattr(record, name) if record else "")
        self._fill_kpis(view)
        self._fill_projects(view)
        self._fill_opinions(view)

    def _fill_kpis(self, view: MeasureEvaluationView) -> None:
        from aomori_desktop.reports.annual import outlook_text

        table = self.kpi_table
        table.setRowCount(len(view.kpis))
        for row, k in enumerate(view.kpis):
            rate = format_rate(k.progress.achievement_rate)
            expected = format_rate(k.progress.expected_rate)
            cells = [
                f"{k.code} {k.name}",
                f"{format_decimal(k.actual)}{k.unit}" if k.actual is not None else "未入力",
                k.status.label if k.status else "−",
                f"{rate}%" if rate is not None else "−",
                f"{expected}%",
                k.progress.grade.text,
                outlook_text(k).removeprefix("見込み: ").removeprefix("見込み "),
            ]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, k.code)
                if col == 5:
                    look = k.progress.grade.look
                    item.setBackground(QBrush(QColor(look.fill)))
                    item.setForeground(QBrush(QColor(look.ink)))
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                table.setItem(row, col, item)

    def _fill_projects(self, view: MeasureEvaluationView) -> None:
        table = self.project_table
        table.setRowCount(len(view.projects))
        for row, p in enumerate(view.projects):
            table.setItem(row, 0, QTableWidgetItem(p.mark))
            table.setItem(row, 1, QTableWidgetItem(p.title + ("（再掲）" if p.relisting else "")))
            table.setItem(row, 2, QTableWidgetItem(p.status.label if p.status else "未設定"))
            combo = course_combo()
            _select(combo, p.course.value if p.course else None)
            combo.activated.connect(
                lambda _i, code=p.code, combo=combo: self._project_course(code, combo)
            )
            table.setCellWidget(row, 3, combo)

    def _fill_opinions(self, view: MeasureEvaluationView) -> None:
        table = self.opinion_table
        table.setRowCount(len(view.opinions))
        for row, o in enumerate(view.opinions):
            for col, text in enumerate((str(o.number), o.opinion, o.response or "（未記入）")):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, o.number)
                table.setItem(row, col, item)
        table.resizeRowsToContents()

    # ------------------------------------------------------------ edits

    def _apply(self, label: str, action: Callable[[], Applied[Any]]) -> bool:
        try:
            self.document.apply(
                label,
                action,
                touches=Changes(evaluations=frozenset({self.measure})),
                initiator=self,
            )
        except UserError as exc:
            self.message.setText(exc.message)
            return False
        self.message.clear()
        self.refresh()
        return True

    def _store(self, **fields: Any) -> bool:
        measure, fy = self.measure, self.document.fiscal_year
        evaluation = self.document.services.evaluation
        edit = MeasureEvaluationEdit(**fields)
        return self._apply("施策評価", lambda: evaluation.set_measure_evaluation(measure, fy, edit))

    def _course_value(self) -> Course | None:
        value = self.course.currentData()
        return Course(value) if value else None

    def _override_chosen(self, _index: int) -> None:
        symbol = self.override_combo.currentData()
        reason = self.reason.toPlainText()
        if symbol is None:
            self._store(override=None)
        elif not reason.strip():
            self.message.setText("評価を変更する理由を入力してから、評価を選んでください。")
            self.reason.setFocus()
        else:
            self._store(override=symbol, override_reason=reason)

    def _reason_left(self) -> None:
        view = self.view
        reason = self.reason.toPlainText()
        symbol = self.override_combo.currentData()
        if view is None or (view.record and view.record.override_reason == reason):
            return
        if symbol is not None:
            self._store(override=symbol, override_reason=reason)
        elif reason.strip():
            self.message.setText("理由を保存するには、変更後の評価を選んでください。")

    def _text_left(self, name: str) -> None:
        view = self.view
        text = self.texts[name].toPlainText()
        stored = getattr(view.record, name) if view and view.record else ""
        if view is not None and text != stored:
            self._store(**{name: text})

    def _project_course(self, code: str, combo: QComboBox) -> None:
        value = combo.currentData()
        fy = self.document.fiscal_year
        evaluation = self.document.services.evaluation
        course = Course(value) if value else None
        self._apply("方向性", lambda: evaluation.set_project_course(code, fy, course))

    def _selected_opinion(self) -> int | None:
        row = self.opinion_table.currentRow()
        item = self.opinion_table.item(row, 0) if row >= 0 else None
        return int(item.data(Qt.ItemDataRole.UserRole)) if item else None

    def _add_opinion(self) -> None:
        from aomori_desktop.ui.evaluation_dialogs import OpinionDialog

        dialog = OpinionDialog(self.document, self, measure=self.measure)
        if self.document.prompts.run_dialog(dialog):
            self.refresh()

    def _edit_opinion(self) -> None:
        from aomori_desktop.ui.evaluation_dialogs import OpinionDialog

        number = self._selected_opinion()
        if number is None or self.view is None:
            return
        opinion = next(o for o in self.view.opinions if o.number == number)
        if self.document.prompts.run_dialog(OpinionDialog(self.document, self, opinion=opinion)):
            self.refresh()

    def _remove_opinion(self) -> None:
        number = self._selected_opinion()
        if number is None:
            return
        if not self.document.prompts.confirm(self, f"有識者会議の意見 {number} を削除しますか？"):
            return
        evaluation = self.document.services.evaluation
        self._apply("意見の削除", lambda: evaluation.remove_opinion(number))

    def _open_kpi(self, row: int, _col: int) -> None:
        item = self.kpi_table.item(row, 0)
        if item is not None:
            self.navigate.emit(f"{item.data(Qt.ItemDataRole.UserRole)}@{self.measure}")

    def _on_changes(self, changes: Changes, initiator: object = None) -> None:
        # also after this page's own edits: an undo comes back with the page as initiator
        if not self.measure or not self.isVisible():
            return
        view = self.view
        kpis = {k.code for k in view.kpis} if view else set()
        projects = {p.code for p in view.projects} if view else set()
        if (
            self.measure in changes.evaluations
            or changes.kpis & kpis
            or changes.projects & projects
            or changes.structure
        ):
            try:
                self.refresh()
            except UserError:
                self.measure = ""  # the measure went (undo of an add): the window moves on


class EvaluationController(QObject):
    """The evaluation's menu and page in a main window; a child of the document, so it goes
    when the document closes."""

    def __init__(self, window: Any, document: PlanDocument) -> None:
        super().__init__(document)
        self.window = window
        self.document = document
        self.page = EvaluationPage(document)
        window.stack.addWidget(self.page)
        self.page.navigate.connect(window.select_key)
        document.destroyed.connect(self.page.deleteLater)  # the page goes with its document
        menu = self._menu()
        menu.clear()
        self.act_page = menu.addAction("施策評価を開く(&E)", self.open_current)
        self.act_page.setShortcut(QKeySequence("Ctrl+E"))
        menu.addAction("有識者会議の意見(&O)…", self.open_opinions)
        menu.addAction("評価基準(&G)…", self.open_scheme)
        menu.addSeparator()
        menu.addAction("年次進捗報告書(&R)…", self.open_report)

    def _menu(self) -> QMenu:
        existing = getattr(self.window, "menu_evaluation", None)
        if isinstance(existing, QMenu):
            return existing
        menu: QMenu = self.window.menuBar().addMenu("評価(&V)")
        self.window.menu_evaluation = menu
        return menu

    def close(self) -> None:
        self.window.stack.removeWidget(self.page)
        self.page.deleteLater()

    def show_measure(self, code: str) -> None:
        try:
            self.page.show_measure(code)
        except UserError as exc:
            self.document.prompts.error(self.window, exc.message)
            return
        self.window.stack.setCurrentWidget(self.page)

    def open_current(self) -> None:
        node: TreeNode | None = self.window.current_node()
        if node is not None and node.kind is NodeKind.MEASURE:
            self.show_measure(node.ref)
        else:
            self.document.prompts.info(
                self.window, "ツリーで共創施策を選んでから「施策評価を開く」を選んでください。"
            )

    def fill_menu(self, menu: QMenu, node: TreeNode | None) -> None:
        if node is not None and node.kind is NodeKind.MEASURE:
            menu.addAction("施策評価を開く", lambda: self.show_measure(node.ref))

    def open_opinions(self) -> None:
        from aomori_desktop.ui.evaluation_dialogs import OpinionsWindow

        OpinionsWindow(self.document, self.window).show()

    def open_scheme(self) -> None:
        from aomori_desktop.ui.evaluation_dialogs import GradeSchemeDialog

        self.document.prompts.run_dialog(GradeSchemeDialog(self.document, self.window))

    def open_report(self) -> None:
        from aomori_desktop.ui.report_dialog import ReportDialog

        self.document.prompts.run_dialog(ReportDialog(self.document, self.window))


def install_evaluation(window: Any, document: PlanDocument) -> EvaluationController:
    """Add the evaluation page and the menu 評価 to a main window for an open document."""
    for old in document.findChildren(EvaluationController):
        old.close()
    return EvaluationController(window, document)
