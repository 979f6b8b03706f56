"""目標値の見直し: the dialog that asks for a KPI's new target, its fiscal year and the
reason (required; the old target and the reason stay in the KPI's history)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from aomori_desktop.domain.errors import InvalidInput, UserError
from aomori_desktop.domain.fiscal import fy_label, parse_fiscal_year
from aomori_desktop.domain.numbers import format_decimal, parse_decimal
from aomori_desktop.domain.validation import target_year_problem
from aomori_desktop.services.dto import KpiDetail
from aomori_desktop.ui.message_line import MessageLine


class TargetRevisionDialog(QDialog):
    """Asks for the new target, its fiscal year and the reason (required)."""

    def __init__(
        self,
        detail: KpiDetail,
        submit: Callable[[Decimal, int, str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("目標値の見直し")
        self._submit = submit  # stores the revision; raises UserError (the dialog stays open)
        self.detail = detail
        self.value_edit = QLineEdit(format_decimal(detail.target))
        self.year_edit = QLineEdit(fy_label(detail.target_fiscal_year))
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setPlaceholderText(
            "見直しの理由（必須）: 例）上位計画の改定に合わせて上方修正"
        )
        self.message = MessageLine()
        form = QFormLayout()
        form.addRow(
            "現在の目標",
            QLabel(
                f"{format_decimal(detail.target)} {detail.unit}（{fy_label(detail.target_fiscal_year)}）"
            ),
        )
        form.addRow(f"新しい目標値（{detail.unit}）", self.value_edit)
        form.addRow("目標年度", self.year_edit)
        form.addRow("理由", self.reason_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._try_accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.result_value: tuple[Decimal, int, str] | None = None
        self.resize(520, 320)

    def _try_accept(self) -> None:
        try:
            value = parse_decimal(self.value_edit.text())
        except InvalidInput as exc:
            self.message.show_error(f"新しい目標値: {exc.message}")
            self.value_edit.setFocus()
            return
        try:
            year = parse_fiscal_year(self.year_edit.text())
        except InvalidInput as exc:
            self.message.show_error(f"目標年度: {exc.message}")
            self.year_edit.setFocus()
            return
        plan_years = [y.fiscal_year for y in self.detail.years]  # one per year of the plan
        outside = plan_years and target_year_problem(
            "", year, range(plan_years[0], plan_years[-1] + 1)
        )
        if outside:
            self.message.show_error(outside)
            self.year_edit.setFocus()
            return
        reason = self.reason_edit.toPlainText().strip()
        if not reason:
            self.message.show_error(
                "見直しの理由を入力してください。以前の目標値とともに履歴に残ります。"
            )
            self.reason_edit.setFocus()
            return
        try:
            self._submit(value, year, reason)
        except UserError as exc:  # refused or the database is busy: keep what was typed
            self.message.show_error(exc.message)
            return
        self.result_value = (value, year, reason)
        self.accept()
