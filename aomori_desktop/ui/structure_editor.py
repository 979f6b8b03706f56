"""Editing the plan's structure: add, rename, move and remove pillars, measures, projects,
re-listings (再掲) and KPIs, from the 構成 menu and the tree's context menu.

Every action is one `document.apply_pair(text, do, undo)` step whose do/undo call services, so
Ctrl+Z undoes it; a removal is undone by restoring what a snapshot read just before it (the
KPI with all its yearly values, the project with its placements). Questions go through
`document.prompts` (ask_text, confirm, run_dialog), so tests script them.

Moving renumbers: pillars, measures and placements keep their numbers 1..n top to bottom,
so a moved item and the one it passes swap numbers (see `services.ordering`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import NoReturn

from PySide6.QtCore import QModelIndex, QObject, Qt
from PySide6.QtGui import QAction
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
    QMenu,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from aomori_desktop.domain.errors import InvalidInput, UserError
from aomori_desktop.domain.fiscal import fy_label, parse_fiscal_year
from aomori_desktop.domain.numbers import parse_decimal
from aomori_desktop.domain.plan import Direction, Kpi, KpiYear, Placement
from aomori_desktop.domain.validation import (
    KPI_TEXT,
    PILLAR_TEXT,
    PROJECT_TEXT,
    TextField,
    kpi_field_problems,
    text_problem,
)
from aomori_desktop.services.changes import Changes
from aomori_desktop.services.dto import NodeKind, TreeNode
from aomori_desktop.services.kpi_fields import KpiFieldsEdit
from aomori_desktop.services.kpis import KpiDraft
from aomori_desktop.services.projects import ProjectFieldsEdit
from aomori_desktop.ui.document import PlanDocument
from aomori_desktop.ui.kpi_page import ERROR_STYLE, MessageLine
from aomori_desktop.ui.plan_window import PlanWindow

UNITS = ["件", "人", "億円", "千円", "人泊", "千人", "%"]
DIRECTION_TEXTS = {
    Direction.INCREASE: "増加（高いほど良い）",
    Direction.DECREASE: "減少（低いほど良い）",
    Direction.MAINTAIN: "維持（基準値以上を保つ）",
}
MEASURE_ROLE = Qt.ItemDataRole.UserRole + 20
CHECKED, UNCHECKED = Qt.CheckState.Checked, Qt.CheckState.Unchecked
UNDO_HINT = "削除は「編集」→「元に戻す」（Ctrl+Z）で取り消せます。"


# ------------------------------------------------------------ dialogs


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


# ------------------------------------------------------------ the editor


@dataclass(frozen=True, slots=True)
class _Place:
    """Where a tree node sits: its parent's key and its siblings of the same kind."""

    parent: str
    siblings: tuple[TreeNode, ...]
    index: int


@dataclass(frozen=True, slots=True)
class _Removal:
    question: str  # for the confirmation: names what goes, and what goes with it
    text: str  # the undo stack's text
    do: Callable[[], Changes]
    undo: Callable[[], Changes]


def meaningful_years(years: tuple[KpiYear, ...]) -> int:
    """Yearly records that hold something the user entered (a value, a status, a comment)."""
    return sum(
        1
        for y in years
        if y.actual is not None or y.interim_target is not None or y.status or y.comment
    )


class StructureEditor(QObject):
    """The structure actions of one open document, in the 構成 menu and the tree's menu.

    A child of the document: when another database is opened, it goes (and its actions leave
    the menus) with the old document.
    """

    def __init__(self, window: PlanWindow, document: PlanDocument) -> None:
        super().__init__(document)
        self.window = window
        self.document = document
        self.services = document.services

        def action(text: str, slot: Callable[[], None]) -> QAction:
            act = QAction(text, self)
            act.triggered.connect(lambda _checked=False: self._run(slot))
            return act

        self.act_add_pillar = action("戦略の柱を追加…", self.add_pillar)
        self.act_add_measure = action("共創施策を追加…", self.add_measure)
        self.act_add_project = action("共創プロジェクトを追加…", self.add_project)
        self.act_add_kpi = action("KPIを追加…", self.add_kpi)
        self.act_add_relisting = action("再掲を追加…", self.add_relisting)
        self.act_rename = action("名前の変更…", self.rename)
        self.act_move_up = action("上へ移動", lambda: self.move(-1))
        self.act_move_down = action("下へ移動", lambda: self.move(1))
        self.act_remove = action("削除…", self.remove)
        self.actions_in_order: list[QAction | None] = [
            self.act_add_pillar,
            self.act_add_measure,
            self.act_add_project,
            self.act_add_kpi,
            self.act_add_relisting,
            None,
            self.act_rename,
            self.act_move_up,
            self.act_move_down,
            None,
            self.act_remove,
        ]
        menu = window.menu_structure
        menu.clear()
        menu.setToolTipsVisible(True)
        self._add_to(menu)
        menu.aboutToShow.connect(self.update_actions)
        window.tree.selectionModel().currentChanged.connect(self._current_changed)
        document.changed.connect(self._document_changed)
        self.update_actions()

    # ------------------------------------------------------------ menus

    def _add_to(self, menu: QMenu) -> None:
        for act in self.actions_in_order:
            if act is None:
                menu.addSeparator()
            else:
                menu.addAction(act)

    def fill_menu(self, menu: QMenu, node: TreeNode | None) -> None:
        """The tree's context menu: the actions that apply to `node`."""
        self.update_actions(node)
        menu.setToolTipsVisible(True)
        if not menu.isEmpty():
            menu.addSeparator()
        self._add_to(menu)

    def _current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self.update_actions()

    def _document_changed(self, _changes: Changes) -> None:
        self.update_actions()

    def update_actions(self, node: TreeNode | None = None) -> None:
        """Enable what applies to the selected node, and say why the rest does not."""
        node = node or self.window.current_node()
        kind = node.kind if node else None
        inside_pillar = kind in (NodeKind.PILLAR, NodeKind.MEASURE, NodeKind.PROJECT, NodeKind.KPI)
        inside_measure = kind in (NodeKind.MEASURE, NodeKind.PROJECT, NodeKind.KPI)
        place = self._place(node) if node else None
        self.act_add_pillar.setEnabled(True)
        self._enable(self.act_add_measure, inside_pillar, "戦略の柱を選んでください。")
        self._enable(self.act_add_project, inside_measure, "共創施策を選んでください。")
        self._enable(self.act_add_kpi, inside_measure, "共創施策を選んでください。")
        self._enable(
            self.act_add_relisting,
            kind is NodeKind.PROJECT,
            "再掲する共創プロジェクトを選んでください。",
        )
        self._enable(self.act_rename, inside_pillar, "名前を変える項目を選んでください。")
        self._enable(
            self.act_move_up,
            place is not None and place.index > 0,
            "選んだ項目はこれ以上上へ移動できません。",
        )
        self._enable(
            self.act_move_down,
            place is not None and place.index < len(place.siblings) - 1,
            "選んだ項目はこれ以上下へ移動できません。",
        )
        removable, why = self._removable(node)
        self._enable(self.act_remove, removable, why)

    @staticmethod
    def _enable(action: QAction, enabled: bool, why_not: str) -> None:
        action.setEnabled(enabled)
        action.setToolTip("" if enabled else why_not)

    @staticmethod
    def _removable(node: TreeNode | None) -> tuple[bool, str]:
        if node is None or node.kind is NodeKind.PLAN:
            return False, "削除する項目を選んでください。"
        if node.kind is NodeKind.PILLAR and node.children:
            return False, "共創施策がある戦略の柱は削除できません。先に共創施策を削除してください。"
        if node.kind is NodeKind.MEASURE and node.children:
            return (
                False,
                "共創プロジェクトやKPIがある共創施策は削除できません。先にそれらを削除してください。",
            )
        return True, ""

    def _place(self, node: TreeNode) -> _Place | None:
        """The node's parent key and its same-kind siblings, from the (unfiltered) tree."""
        if node.kind is NodeKind.PLAN:
            return None
        model = self.window.tree_model
        parent_index = model.index_for_key(node.key).parent()
        parent = model.node(parent_index)
        if parent is None:
            return None
        siblings = tuple(c for c in parent.children if c.kind is node.kind)
        keys = [c.key for c in siblings]
        if node.key not in keys:
            return None
        return _Place(parent.key, siblings, keys.index(node.key))

    # ------------------------------------------------------------ running

    def _run(self, slot: Callable[[], None]) -> None:
        """Run an action; a refusal from a service becomes a message box, nothing changes."""
        try:
            slot()
        except UserError as exc:
            self.document.prompts.error(self.window, exc.message)

    def _node(self) -> TreeNode | None:
        return self.window.current_node()

    def _select(self, key: str) -> None:
        self.window.select_key(key)

    def _measures(self) -> list[tuple[str, str]]:
        return [
            (m.key, m.title)
            for pillar in self.document.reader.tree().children
            for m in pillar.children
        ]

    def _ask_until_accepted(
        self, title: str, label: str, text: str, submit: Callable[[str], None]
    ) -> None:
        """ask_text again with the typed text (and the reason shown) until it is accepted."""
        while True:
            answer = self.document.prompts.ask_text(self.window, title, label, text)
            if answer is None:
                return
            try:
                submit(answer)
                return
            except UserError as exc:
                self.document.prompts.error(self.window, exc.message)
                text = answer

    # ------------------------------------------------------------ adding

    def add_pillar(self) -> None:
        def submit(lead: str, name: str) -> None:
            added: list[int] = []

            def do() -> Changes:
                number, changes = self.services.structure.add_pillar(lead, name)
                added[:] = [number]
                return changes

            self.document.apply_pair(
                f"戦略の柱「{name.strip()}」の追加",
                do,
                lambda: self.services.structure.remove_pillar(added[0]),
            )
            self._select(str(added[0]))

        dialog = PillarDialog("戦略の柱を追加", "追加", submit, parent=self.window)
        self.document.prompts.run_dialog(dialog)

    def add_measure(self) -> None:
        node = self._node()
        if node is None or node.kind is NodeKind.PLAN:
            return
        pillar = int(node.key if node.kind is NodeKind.PILLAR else node.key.split("-")[0])

        def submit(title: str) -> None:
            added: list[str] = []

            def do() -> Changes:
                code, changes = self.services.structure.add_measure(pillar, title)
                added[:] = [code]
                return changes

            self.document.apply_pair(
                f"共創施策「{title.strip()}」の追加",
                do,
                lambda: self.services.structure.remove_measure(added[0]),
            )
            self._select(added[0])

        self._ask_until_accepted(
            "共創施策を追加", f"戦略の柱 {pillar} に加える共創施策の名称:", "", submit
        )

    def add_project(self) -> None:
        node = self._node()
        if node is None or node.kind not in (NodeKind.MEASURE, NodeKind.PROJECT, NodeKind.KPI):
            return
        measure = _measure_of(node)

        def submit(title: str, description: str) -> None:
            added: list[str] = []

            def do() -> Changes:
                code, changes = self.services.placements.add_project(measure, title, description)
                added[:] = [code]
                return changes

            self.document.apply_pair(
                f"共創プロジェクト「{title.strip()}」の追加",
                do,
                lambda: self.services.placements.remove_project(added[0]),
            )
            placements = self.services.queries.placements(added[0])
            self._select(placements[0].code)

        title = dict(self._measures()).get(measure, "")
        dialog = ProjectDialog(f"{measure} {title}", submit, parent=self.window)
        self.document.prompts.run_dialog(dialog)

    def add_kpi(self) -> None:
        node = self._node()
        if node is None or node.kind not in (NodeKind.MEASURE, NodeKind.PROJECT, NodeKind.KPI):
            return
        measure = _measure_of(node)

        def submit(draft: KpiDraft) -> None:
            added: list[str] = []

            def do() -> Changes:
                code, changes = self.services.kpis.add_kpi(draft)
                added[:] = [code]
                return changes

            self.document.apply_pair(
                f"KPI「{draft.name}」の追加", do, lambda: self.services.kpis.remove_kpi(added[0])
            )
            self._select(
                f"{added[0]}@{measure if measure in draft.measures else draft.measures[0]}"
            )

        dialog = KpiDialog(
            self._measures(), measure, self.document.fiscal_years, submit, parent=self.window
        )
        self.document.prompts.run_dialog(dialog)

    def add_relisting(self) -> None:
        node = self._node()
        if node is None or node.kind is not NodeKind.PROJECT:
            return
        project = node.ref
        placements = self.services.queries.placements(project)
        listed = {p.code.rsplit("-", 1)[0] for p in placements}
        choices = [(code, title) for code, title in self._measures() if code not in listed]
        if not choices:
            self.document.prompts.info(
                self.window, f"「{node.title}」は既にすべての共創施策に掲載されています。"
            )
            return

        def submit(measure: str) -> None:
            added: list[str] = []

            def do() -> Changes:
                code, changes = self.services.placements.add_relisting(project, measure)
                added[:] = [code]
                return changes

            self.document.apply_pair(
                f"「{node.title}」の再掲（{measure}）",
                do,
                lambda: self.services.placements.remove_placement(added[0]),
            )
            self._select(added[0])

        dialog = RelistingDialog(
            f"{project} {node.title}（掲載元 {placements[0].code}）",
            choices,
            submit,
            parent=self.window,
        )
        self.document.prompts.run_dialog(dialog)

    # ------------------------------------------------------------ renaming

    def rename(self) -> None:
        node = self._node()
        if node is None:
            return
        if node.kind is NodeKind.PILLAR:
            self._rename_pillar(int(node.key))
        elif node.kind is NodeKind.MEASURE:
            code, old = node.key, node.title

            def rename_measure(title: str) -> None:
                if title.strip() != old:
                    self.document.apply_pair(
                        f"共創施策 {code} の名前の変更",
                        lambda: self.services.structure.rename_measure(code, title),
                        lambda: self.services.structure.rename_measure(code, old),
                    )

            self._ask_until_accepted("名前の変更", f"共創施策 {code} の名称:", old, rename_measure)
        elif node.kind is NodeKind.PROJECT:
            project, old = node.ref, node.title

            def rename_project(title: str) -> None:
                if title.strip() != old:
                    self.document.apply_pair(
                        f"共創プロジェクト {project} の名前の変更",
                        lambda: self.services.projects.update_project(
                            project, ProjectFieldsEdit(title=title)
                        ),
                        lambda: self.services.projects.update_project(
                            project, ProjectFieldsEdit(title=old)
                        ),
                    )

            where = (
                "（再掲先にも反映されます）" if node.relisting or self._relisted(project) else ""
            )
            self._ask_until_accepted(
                "名前の変更", f"共創プロジェクトの名称{where}:", old, rename_project
            )
        elif node.kind is NodeKind.KPI:
            kpi, old = node.ref, node.title

            def rename_kpi(name: str) -> None:
                if name.strip() != old:
                    self.document.apply_pair(
                        f"KPI {kpi} の名前の変更",
                        lambda: self.services.kpi_fields.update_kpi(kpi, KpiFieldsEdit(name=name)),
                        lambda: self.services.kpi_fields.update_kpi(kpi, KpiFieldsEdit(name=old)),
                    )

            self._ask_until_accepted("名前の変更", f"KPI {kpi} の名称:", old, rename_kpi)

    def _relisted(self, project: str) -> bool:
        return len(self.services.queries.placements(project)) > 1

    def _rename_pillar(self, number: int) -> None:
        pillar = self.services.queries.pillar(number)

        def submit(lead: str, name: str) -> None:
            if (lead.strip(), name.strip()) != (pillar.lead, pillar.name):
                self.document.apply_pair(
                    f"戦略の柱 {number} の名前の変更",
                    lambda: self.services.structure.rename_pillar(number, lead, name),
                    lambda: self.services.structure.rename_pillar(number, pillar.lead, pillar.name),
                )

        dialog = PillarDialog(
            f"戦略の柱 {number} の名前の変更",
            "変更",
            submit,
            lead=pillar.lead,
            name=pillar.name,
            parent=self.window,
        )
        self.document.prompts.run_dialog(dialog)

    # ------------------------------------------------------------ moving

    def move(self, delta: int) -> None:
        node = self._node()
        place = self._place(node) if node else None
        if node is None or place is None or not 0 <= place.index + delta < len(place.siblings):
            return
        way = "上" if delta < 0 else "下"
        if node.kind is NodeKind.KPI:
            order = self.services.queries.kpi_order()
            neighbour = place.siblings[place.index + delta].ref
            steps = order.index(neighbour) - order.index(node.ref)
            kpi = node.ref
            self.document.apply_pair(
                f"KPI「{node.title}」を{way}へ移動",
                lambda: self.services.kpis.move_kpi(kpi, steps),
                lambda: self.services.kpis.move_kpi(kpi, -steps),
            )
            self._select(node.key)
            return
        mover: Callable[[str, int], tuple[str, Changes]]
        if node.kind is NodeKind.PILLAR:

            def mover(key: str, d: int) -> tuple[str, Changes]:
                number, changes = self.services.structure.move_pillar(int(key), d)
                return str(number), changes

            what = f"戦略の柱 {node.key}"
        elif node.kind is NodeKind.MEASURE:
            mover = self.services.structure.move_measure
            what = f"共創施策 {node.key}"
        else:
            mover = self.services.placements.move_placement
            what = f"「{node.title}」"
        original = node.key
        now_at = [original]  # the key changes with the move; undo starts from the new one

        def do() -> Changes:
            key, changes = mover(original, delta)
            now_at[:] = [key]
            return changes

        def undo() -> Changes:
            return mover(now_at[0], -delta)[1]

        self.document.apply_pair(f"{what}を{way}へ移動", do, undo)
        self._select(now_at[0])

    # ------------------------------------------------------------ removing

    def remove(self) -> None:
        node = self._node()
        if node is None:
            return
        removable, why = self._removable(node)
        if not removable:
            self.document.prompts.info(self.window, why)
            return
        removal = self._removal(node)
        if removal is None:
            return
        if not self.document.prompts.confirm(self.window, f"{removal.question}\n{UNDO_HINT}"):
            return
        place = self._place(node)
        # Leave the node first: the page showing it must not be left on something gone.
        self._select(place.parent if place else "plan")
        self.document.apply_pair(removal.text, removal.do, removal.undo)

    def _removal(self, node: TreeNode) -> _Removal | None:
        """What removing `node` asks, does and how it is undone (from a snapshot read now)."""
        services = self.services
        if node.kind is NodeKind.KPI:
            kpi = node.ref
            snapshot = services.queries.kpi(kpi)
            position = services.queries.kpi_order().index(kpi)
            lines = [
                f"KPI「{kpi} {snapshot.name}」を削除しますか？",
                f"年度別の記録 {meaningful_years(snapshot.years)}件（実績値・年度目標・コメント）"
                f"と目標値の見直し {len(snapshot.target_revisions)}件も削除されます。",
            ]
            if len(snapshot.measures) > 1:
                lines.append(
                    f"このKPIは共創施策 {'、'.join(snapshot.measures)} のすべてから削除されます。"
                )
            return _Removal(
                "\n".join(lines),
                f"KPI「{snapshot.name}」の削除",
                lambda: services.kpis.remove_kpi(kpi),
                lambda: services.kpis.restore_kpi(snapshot, position),
            )
        if node.kind is NodeKind.PROJECT and node.relisting:
            code, relisted = node.key, node.ref
            return _Removal(
                f"再掲「{_measure_of(node)} {node.code} {node.title}」を削除しますか？\n"
                f"共創プロジェクト本体と年度別の記録は、掲載元 {node.home} に残ります。",
                f"再掲「{node.title}」（{code}）の削除",
                lambda: services.placements.remove_placement(code),
                lambda: services.placements.restore_placement(
                    Placement(code, relisted, relisting=True)
                ),
            )
        if node.kind is NodeKind.PROJECT:
            project_code = node.ref
            project = services.queries.project(project_code)
            placements = services.queries.placements(project_code)
            position = services.queries.project_order().index(project_code)
            records = sum(1 for y in project.years if y.status or y.note)
            lines = [
                f"共創プロジェクト「{node.code} {project.title}」（{node.key}）を削除しますか？",
                f"年度別の記録 {records}件（状況・メモ）も削除されます。",
            ]
            relistings = [p.code for p in placements if p.relisting]
            if relistings:
                lines.append(f"再掲 {'、'.join(relistings)} も削除されます。")
            return _Removal(
                "\n".join(lines),
                f"共創プロジェクト「{project.title}」の削除",
                lambda: services.placements.remove_project(project_code),
                lambda: services.placements.restore_project(project, placements, position),
            )
        if node.kind is NodeKind.MEASURE:
            code, title = node.key, node.title
            return _Removal(
                f"共創施策「{code} {title}」を削除しますか？",
                f"共創施策「{title}」の削除",
                lambda: services.structure.remove_measure(code),
                lambda: services.structure.restore_measure(code, title),
            )
        if node.kind is NodeKind.PILLAR:
            pillar = services.queries.pillar(int(node.key))
            return _Removal(
                f"戦略の柱「{pillar.number} {pillar.title}」を削除しますか？",
                f"戦略の柱「{pillar.name}」の削除",
                lambda: services.structure.remove_pillar(pillar.number),
                lambda: services.structure.restore_pillar(pillar.number, pillar.lead, pillar.name),
            )
        return None


def _measure_of(node: TreeNode) -> str:
    """The measure code of a measure, placement ("1-2-3") or KPI listing ("K01@1-2") node."""
    if node.kind is NodeKind.KPI:
        return node.key.split("@", 1)[1]
    if node.kind is NodeKind.PROJECT:
        return node.key.rsplit("-", 1)[0]
    return node.key


__all__ = [
    "KpiDialog",
    "PillarDialog",
    "ProjectDialog",
    "RelistingDialog",
    "StructureEditor",
]


def _preview(argv: list[str]) -> int:
    """`python -m aomori_desktop.ui.structure_editor [--png PATH]`: the KPI dialog, filled in
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
    measures = [(m.key, m.title) for p in tree.children for m in p.children]
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
