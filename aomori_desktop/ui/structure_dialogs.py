"""The dialogs of structure editing: a pillar (lead phrase and name), a project, a re-listing
(再掲) and a KPI. Each checks what it can before asking the service and, when refused, names
the field at fault under the form and stays open with everything the user typed.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import NoReturn

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from aomori_desktop.domain.errors import InvalidInput, UserError
from aomori_desktop.domain.fiscal import fy_label, parse_fiscal_year
from aomori_desktop.domain.numbers import parse_decimal
from aomori_desktop.domain.plan import Direction, Kpi
from aomori_desktop.domain.validation import (
    KPI_TEXT,
    PILLAR_TEXT,
    PROJECT_TEXT,
    TextField,
    kpi_field_problems,
    text_problem,
)
from aomori_desktop.services.kpis import KpiDraft
from aomori_desktop.ui.message_line import ERROR_STYLE, MessageLine

UNITS = ["件", "人", "億円", "千円", "人泊", "千人", "%"]
DIRECTION_TEXTS = {
    Direction.INCREASE: "増加（高いほど良い）",
    Direction.DECREASE: "減少（低いほど良い）",
    Direction.MAINTAIN: "維持（基準値以上を保つ）",
}
MEASURE_ROLE = Qt.ItemDataRole.UserRole + 20
CHECKED, UNCHECKED = Qt.CheckState.Checked, Qt.CheckState.Unchecked


class _FormDialog(QDialog):
    """A form whose OK runs `_submit`; a refusal (UserError) is shown under the form and the
    dialog stays open with everything the user typed."""

    def __init__(self, title: str, ok_text: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.message = MessageLine()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text)
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def try_accept(self) -> None:
        for edit in self.findChildren(QLineEdit):
            edit.setStyleSheet("")
        try:
            self._submit()
        except UserError as exc:
            self.message.show_error(exc.message)
            return
        self.accept()

    def _submit(self) -> None:
        raise NotImplementedError

    def _refuse(self, edit: QWidget, message: str) -> NoReturn:
        """Mark the field, put the cursor there and stop with `message`."""
        if isinstance(edit, QLineEdit):
            edit.setStyleSheet(ERROR_STYLE)
        edit.setFocus()
        raise InvalidInput(message)

    def _check_text(self, edit: QLineEdit | QPlainTextEdit, label: str, field: TextField) -> None:
        """Refuse, at the field, a text the service would refuse (too long, unstorable): the
        limits are the ones of `domain.validation`, the same for adding and restoring."""
        text = edit.text() if isinstance(edit, QLineEdit) else edit.toPlainText()
        problem = text_problem("", label, text.strip(), field.limit)
        if problem:
            self._refuse(edit, problem)


class PillarDialog(_FormDialog):
    """戦略の柱: a lead phrase and a name (地域経済に活力を生み出す / 新産業の創出)."""

    def __init__(
        self,
        title: str,
        ok_text: str,
        submit: Callable[[str, str], None],
        *,
        lead: str = "",
        name: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, ok_text, parent)
        self._submit_fields = submit
        self.lead_edit = QLineEdit(lead)
        self.lead_edit.setPlaceholderText("例: 地域経済に活力を生み出す")
        self.name_edit = QLineEdit(name)
        self.name_edit.setPlaceholderText("例: 新産業の創出")
        self.form.addRow("リード文", self.lead_edit)
        self.form.addRow("柱の名称", self.name_edit)
        self.resize(560, 180)

    def _submit(self) -> None:
        if not self.name_edit.text().strip():
            self._refuse(self.name_edit, "柱の名称を入力してください。")
        self._check_text(self.lead_edit, "リード文", PILLAR_TEXT["lead"])
        self._check_text(self.name_edit, "柱の名称", PILLAR_TEXT["name"])
        self._submit_fields(self.lead_edit.text(), self.name_edit.text())


class ProjectDialog(_FormDialog):
    """A new 共創プロジェクト: its title and what it does (取組内容)."""

    def __init__(
        self, measure: str, submit: Callable[[str, str], None], parent: QWidget | None = None
    ) -> None:
        super().__init__("共創プロジェクトを追加", "追加", parent)
        self._submit_fields = submit
        self.title_edit = QLineEdit()
        self.description_edit = QPlainTextEdit()
        self.description_edit.setPlaceholderText("取組の内容（後から編集できます）")
        self.description_edit.setMaximumHeight(90)
        self.form.addRow("共創施策", QLabel(measure))
        self.form.addRow("名称", self.title_edit)
        self.form.addRow("取組内容", self.description_edit)
        self.resize(600, 260)

    def _submit(self) -> None:
        if not self.title_edit.text().strip():
            self._refuse(self.title_edit, "共創プロジェクトの名称を入力してください。")
        self._check_text(self.title_edit, "名称", PROJECT_TEXT["title"])
        self._check_text(self.description_edit, "取組内容", PROJECT_TEXT["description"])
        self._submit_fields(self.title_edit.text(), self.description_edit.toPlainText())


class RelistingDialog(_FormDialog):
    """再掲: list a project again under another measure."""

    def __init__(
        self,
        project: str,
        measures: list[tuple[str, str]],
        submit: Callable[[str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("再掲を追加", "追加", parent)
        self._submit_measure = submit
        self.measure_combo = QComboBox()
        for code, title in measures:
            self.measure_combo.addItem(f"{code} {title}", code)
        self.form.addRow("共創プロジェクト", QLabel(project))
        self.form.addRow("再掲する共創施策", self.measure_combo)
        self.resize(600, 160)

    def select_measure(self, code: str) -> None:
        self.measure_combo.setCurrentIndex(self.measure_combo.findData(code))

    def _submit(self) -> None:
        code = self.measure_combo.currentData()
        if not isinstance(code, str):
            self._refuse(self.measure_combo, "再掲する共創施策を選んでください。")
        self._submit_measure(str(code))


class KpiDialog(_FormDialog):
    """A new KPI. Checks what it can before asking the service, naming the field at fault."""

    def __init__(
        self,
        measures: list[tuple[str, str]],
        checked: str,
        years: range,
        submit: Callable[[KpiDraft], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("KPIを追加", "追加", parent)
        self._submit_draft = submit
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("例: 創業件数")
        self.unit_combo = QComboBox()
        self.unit_combo.setEditable(True)
        self.unit_combo.addItems(UNITS)
        self.unit_combo.setCurrentText("")
        unit_edit = self.unit_combo.lineEdit()
        assert unit_edit is not None  # an editable combo has one
        self.unit_edit: QLineEdit = unit_edit
        self.unit_edit.setPlaceholderText("件、人、億円、% など")
        self.baseline_edit = QLineEdit()
        self.baseline_year_edit = QLineEdit(fy_label(years.start - 1))
        self.target_edit = QLineEdit()
        self.target_year_edit = QLineEdit(fy_label(years.stop - 1))
        self.direction_combo = QComboBox()
        for direction, text in DIRECTION_TEXTS.items():
            self.direction_combo.addItem(text, direction.value)
        self.cumulative_check = QCheckBox("累計値（基準年度からの積み上げ）")
        self.measure_list = QListWidget()
        for code, title in measures:
            item = QListWidgetItem(f"{code} {title}")
            item.setData(MEASURE_ROLE, code)
            item.setCheckState(CHECKED if code == checked else UNCHECKED)
            self.measure_list.addItem(item)
        self.measure_list.setMinimumHeight(150)

        baseline_row = QHBoxLayout()
        baseline_row.addWidget(self.baseline_edit, 1)
        baseline_row.addWidget(QLabel("基準年度"))
        baseline_row.addWidget(self.baseline_year_edit, 1)
        target_row = QHBoxLayout()
        target_row.addWidget(self.target_edit, 1)
        target_row.addWidget(QLabel("目標年度"))
        target_row.addWidget(self.target_year_edit, 1)
        self.form.addRow("KPI名", self.name_edit)
        self.form.addRow("単位", self.unit_combo)
        self.form.addRow("基準値", baseline_row)
        self.form.addRow("目標値", target_row)
        self.form.addRow("方向", self.direction_combo)
        self.form.addRow("", self.cumulative_check)
        self.form.addRow("共創施策", self.measure_list)
        self.resize(640, 520)

    def checked_measures(self) -> tuple[str, ...]:
        items = (self.measure_list.item(i) for i in range(self.measure_list.count()))
        return tuple(str(i.data(MEASURE_ROLE)) for i in items if i.checkState() == CHECKED)

    def check_measure(self, code: str, checked: bool = True) -> None:
        for i in range(self.measure_list.count()):
            item = self.measure_list.item(i)
            if item.data(MEASURE_ROLE) == code:
                item.setCheckState(CHECKED if checked else UNCHECKED)

    def _number(self, edit: QLineEdit, label: str) -> Decimal:
        try:
            return parse_decimal(edit.text())
        except InvalidInput as exc:
            self._refuse(edit, f"{label}: {exc.message}")

    def _year(self, edit: QLineEdit, label: str) -> int:
        try:
            return parse_fiscal_year(edit.text())
        except InvalidInput as exc:
            self._refuse(edit, f"{label}: {exc.message}")

    def _submit(self) -> None:
        if not self.name_edit.text().strip():
            self._refuse(self.name_edit, "KPI名を入力してください。")
        # the service refuses a name over its limit too, but here the field is marked; a KPI
        # that could be added this way could not be restored after a removal (undo)
        self._check_text(self.name_edit, "KPI名", KPI_TEXT["name"])
        if not self.unit_combo.currentText().strip():
            self._refuse(self.unit_edit, "単位を入力してください（例: 件、人、%）。")
        self._check_text(self.unit_edit, "単位", KPI_TEXT["unit"])
        baseline = self._number(self.baseline_edit, "基準値")
        baseline_year = self._year(self.baseline_year_edit, "基準年度")
        target = self._number(self.target_edit, "目標値")
        target_year = self._year(self.target_year_edit, "目標年度")
        measures = self.checked_measures()
        if not measures:
            self._refuse(self.measure_list, "このKPIで進捗を測る共創施策を1つ以上選んでください。")
        draft = KpiDraft(
            name=self.name_edit.text().strip(),
            unit=self.unit_combo.currentText().strip(),
            baseline=baseline,
            baseline_fiscal_year=baseline_year,
            target=target,
            target_fiscal_year=target_year,
            direction=Direction(self.direction_combo.currentData()),
            cumulative=self.cumulative_check.isChecked(),
            measures=measures,
        )
        problems = kpi_field_problems(
            Kpi(
                id="",
                name=draft.name,
                unit=draft.unit,
                baseline=draft.baseline,
                baseline_fiscal_year=draft.baseline_fiscal_year,
                target=draft.target,
                target_fiscal_year=draft.target_fiscal_year,
                direction=draft.direction,
                cumulative=draft.cumulative,
                measures=draft.measures,
            )
        )
        if problems:
            raise InvalidInput("\n".join(p.removeprefix("KPI: ") for p in problems))
        self._submit_draft(draft)


__all__ = ["KpiDialog", "PillarDialog", "ProjectDialog", "RelistingDialog"]


def _preview(argv: list[str]) -> int:
    """`python -m aomori_desktop.ui.structure_dialogs [--png PATH]`: the KPI dialog, filled in
    and refused once (to show the message under the form), on the seeded plan's measures."""
    import sys
    import tempfile
    from pathlib import Path

    from aomori_desktop.services.plan_services import PlanServices
    from aomori_desktop.services.workspace import create_seeded_database, default_plan_id
    from aomori_desktop.ui.qt_setup import create_application

    app = create_application(argv[:1])
    db = create_seeded_database(Path(tempfile.mkdtemp(prefix="aomori-kpi-")) / "p.sqlite3")
    tree = PlanServices(db, default_plan_id(db)).queries.tree()
    measures = [(m.key.code, m.title) for p in tree.children for m in p.children]
    dialog = KpiDialog(measures, "1-1", range(2024, 2034), lambda draft: None)
    dialog.name_edit.setText("GX関連分野への新規参入事業者数")
    dialog.unit_combo.setCurrentText("社")
    dialog.baseline_edit.setText("0")
    dialog.target_edit.setText("12件")
    dialog.cumulative_check.setChecked(True)
    dialog.show()
    dialog.ok_button.click()  # refused: the target carries a unit
    if "--png" in argv:
        target = Path(argv[argv.index("--png") + 1])
        app.processEvents()
        ok = dialog.grab().save(str(target))
        dialog.close()
        db.close()
        if not ok:
            print(f"{target} に保存できませんでした。", file=sys.stderr)
        return 0 if ok else 1
    code = app.exec()
    db.close()
    return code


if __name__ == "__main__":
    import sys

    sys.exit(_preview(sys.argv))
