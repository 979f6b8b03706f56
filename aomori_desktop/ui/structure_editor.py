"""Editing the plan's structure: add, rename, move and remove pillars, measures, projects,
re-listings (再掲) and KPIs, from the 構成 menu and the tree's context menu.

Every action is one `document.apply(label, action, touches=...)` step whose action is one
service write; the service builds the undo from what it read (a removal is undone by restoring
what it read just before removing: the KPI with all its yearly values, the project with its
placements), so Ctrl+Z undoes it. Questions go through `document.prompts` (ask_text, confirm,
run_dialog), so tests script them. The dialogs are in `ui/structure_dialogs.py`.

Moving renumbers: pillars, measures and placements keep their numbers 1..n top to bottom,
so a moved item and the one it passes swap numbers (see `services.ordering`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from aomori_desktop.domain.errors import UserError
from aomori_desktop.services.changes import Applied, Changes
from aomori_desktop.services.dto import NodeKind, TreeKey, TreeNode
from aomori_desktop.services.kpi_fields import KpiFieldsEdit
from aomori_desktop.services.kpis import KpiDraft
from aomori_desktop.services.projects import ProjectFieldsEdit
from aomori_desktop.ui.conflict_dialog import KeptTheirs
from aomori_desktop.ui.document import PlanDocument
from aomori_desktop.ui.plan_window import PlanWindow
from aomori_desktop.ui.structure_dialogs import (
    KpiDialog,
    PillarDialog,
    ProjectDialog,
    RelistingDialog,
)
from aomori_desktop.ui.structure_removal import measure_of, removal_of

UNDO_HINT = "削除は「編集」→「元に戻す」（Ctrl+Z）で取り消せます。"
STRUCTURE = Changes(structure=True)


@dataclass(frozen=True, slots=True)
class _Place:
    """Where a tree node sits: its parent's key and its siblings of the same kind."""

    parent: TreeKey
    siblings: tuple[TreeNode, ...]
    index: int


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

    def _select(self, key: TreeKey | str) -> None:
        self.window.select_key(key)

    def _measures(self) -> list[tuple[str, str]]:
        return [
            (m.key.code, m.title)
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
            except KeptTheirs as kept:  # the tree shows their name; nothing to ask again
                self.document.prompts.info(self.window, kept.message)
                return
            except UserError as exc:
                self.document.prompts.error(self.window, exc.message)
                text = answer

    def _apply[T](
        self, label: str, action: Callable[[], Applied[T]], touches: Changes = STRUCTURE
    ) -> Applied[T]:
        return self.document.apply(label, action, touches=touches)

    # ------------------------------------------------------------ adding

    def add_pillar(self) -> None:
        structure = self.services.structure

        def submit(lead: str, name: str) -> None:
            added = self._apply(
                f"戦略の柱「{name.strip()}」の追加", lambda: structure.add_pillar(lead, name)
            )
            self._select(str(added.value))

        dialog = PillarDialog("戦略の柱を追加", "追加", submit, parent=self.window)
        self.document.prompts.run_dialog(dialog)

    def add_measure(self) -> None:
        node = self._node()
        if node is None or node.kind is NodeKind.PLAN:
            return
        pillar = node.key.pillar_number
        assert pillar is not None
        structure = self.services.structure

        def submit(title: str) -> None:
            added = self._apply(
                f"共創施策「{title.strip()}」の追加", lambda: structure.add_measure(pillar, title)
            )
            self._select(str(added.value))

        self._ask_until_accepted(
            "共創施策を追加", f"戦略の柱 {pillar} に加える共創施策の名称:", "", submit
        )

    def add_project(self) -> None:
        node = self._node()
        if node is None or node.kind not in (NodeKind.MEASURE, NodeKind.PROJECT, NodeKind.KPI):
            return
        measure = measure_of(node)
        placements = self.services.placements

        def submit(title: str, description: str) -> None:
            added = self._apply(
                f"共創プロジェクト「{title.strip()}」の追加",
                lambda: placements.add_project(measure, title, description),
            )
            if added.value is not None:
                self._select(self.services.queries.placements(added.value)[0].code)

        title = dict(self._measures()).get(measure, "")
        dialog = ProjectDialog(f"{measure} {title}", submit, parent=self.window)
        self.document.prompts.run_dialog(dialog)

    def add_kpi(self) -> None:
        node = self._node()
        if node is None or node.kind not in (NodeKind.MEASURE, NodeKind.PROJECT, NodeKind.KPI):
            return
        measure = measure_of(node)
        kpis = self.services.kpis

        def submit(draft: KpiDraft) -> None:
            added = self._apply(f"KPI「{draft.name}」の追加", lambda: kpis.add_kpi(draft))
            shown_under = measure if measure in draft.measures else draft.measures[0]
            self._select(f"{added.value}@{shown_under}")

        dialog = KpiDialog(
            self._measures(), measure, self.document.fiscal_years, submit, parent=self.window
        )
        self.document.prompts.run_dialog(dialog)

    def add_relisting(self) -> None:
        node = self._node()
        if node is None or node.kind is not NodeKind.PROJECT:
            return
        project = node.ref
        listed_at = self.services.queries.placements(project)
        listed = {p.code.rsplit("-", 1)[0] for p in listed_at}
        choices = [(code, title) for code, title in self._measures() if code not in listed]
        if not choices:
            self.document.prompts.info(
                self.window, f"「{node.title}」は既にすべての共創施策に掲載されています。"
            )
            return
        placements = self.services.placements

        def submit(measure: str) -> None:
            added = self._apply(
                f"「{node.title}」の再掲（{measure}）",
                lambda: placements.add_relisting(project, measure),
                Changes(projects=frozenset({project}), structure=True),
            )
            self._select(str(added.value))

        dialog = RelistingDialog(
            f"{project} {node.title}（掲載元 {listed_at[0].code}）",
            choices,
            submit,
            parent=self.window,
        )
        self.document.prompts.run_dialog(dialog)

    # ------------------------------------------------------------ renaming

    def rename(self) -> None:
        """Rename the selected item (a pillar in its dialog, the rest by a question)."""
        node = self._node()
        if node is None:
            return
        if node.kind is NodeKind.PILLAR:
            self._rename_pillar(int(node.key.code))
        elif node.kind is NodeKind.MEASURE:
            code, old = node.key.code, node.title
            structure = self.services.structure

            def rename_measure(title: str) -> None:
                self._apply(
                    f"共創施策 {code} の名前の変更",
                    lambda: structure.rename_measure(code, title),
                )

            self._ask_until_accepted("名前の変更", f"共創施策 {code} の名称:", old, rename_measure)
        elif node.kind is NodeKind.PROJECT:
            project, old = node.ref, node.title

            def rename_project(title: str) -> None:
                self.document.apply_project_fields(
                    f"共創プロジェクト {project} の名前の変更",
                    project,
                    ProjectFieldsEdit(title=old),
                    ProjectFieldsEdit(title=title),
                )

            relisted = node.relisting or len(self.services.queries.placements(project)) > 1
            where = "（再掲先にも反映されます）" if relisted else ""
            self._ask_until_accepted(
                "名前の変更", f"共創プロジェクトの名称{where}:", old, rename_project
            )
        elif node.kind is NodeKind.KPI:
            kpi, old = node.ref, node.title

            def rename_kpi(name: str) -> None:
                self.document.apply_kpi_edit(
                    f"KPI {kpi} の名前の変更",
                    kpi,
                    KpiFieldsEdit(name=old),
                    KpiFieldsEdit(name=name),
                )

            self._ask_until_accepted("名前の変更", f"KPI {kpi} の名称:", old, rename_kpi)

    def _rename_pillar(self, number: int) -> None:
        pillar = self.services.queries.pillar(number)
        structure = self.services.structure

        def submit(lead: str, name: str) -> None:
            self._apply(
                f"戦略の柱 {number} の名前の変更",
                lambda: structure.rename_pillar(number, lead, name),
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
        key = node.key
        code = key.code  # the pillar number, measure code or placement code services know
        if node.kind is NodeKind.KPI:
            order = self.services.queries.kpi_order()
            neighbour = place.siblings[place.index + delta].ref
            steps = order.index(neighbour) - order.index(node.ref)
            kpis, kpi = self.services.kpis, node.ref
            self._apply(f"KPI「{node.title}」を{way}へ移動", lambda: kpis.move_kpi(kpi, steps))
            self._select(key)
            return
        moved: Applied[object]
        if node.kind is NodeKind.PILLAR:
            structure = self.services.structure
            moved = self._apply(
                f"戦略の柱 {key} を{way}へ移動", lambda: structure.move_pillar(int(code), delta)
            )
        elif node.kind is NodeKind.MEASURE:
            structure = self.services.structure
            moved = self._apply(
                f"共創施策 {key} を{way}へ移動", lambda: structure.move_measure(code, delta)
            )
        else:
            placements = self.services.placements
            moved = self._apply(
                f"「{node.title}」を{way}へ移動", lambda: placements.move_placement(code, delta)
            )
        self._select(str(moved.value) if moved.value is not None else key)

    # ------------------------------------------------------------ removing

    def remove(self) -> None:
        node = self._node()
        if node is None:
            return
        removable, why = self._removable(node)
        if not removable:
            self.document.prompts.info(self.window, why)
            return
        removal = removal_of(self.services, node)
        if removal is None:
            return
        if not self.document.prompts.confirm(self.window, f"{removal.question}\n{UNDO_HINT}"):
            return
        place = self._place(node)
        # Leave the node first: the page showing it must not be left on something gone.
        self._select(place.parent if place else TreeKey.plan())
        self._apply(removal.label, removal.action, removal.touches)


__all__ = [
    "KpiDialog",
    "PillarDialog",
    "ProjectDialog",
    "RelistingDialog",
    "StructureEditor",
]
