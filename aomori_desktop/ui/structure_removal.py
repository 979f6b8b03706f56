"""What removing a tree item asks the user, and the service write that removes it.

The question names what goes with the item (yearly records, target revisions, re-listings);
the write reads what it removes inside its transaction, and its undo restores exactly that.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aomori_desktop.domain.plan import KpiYear
from aomori_desktop.services.changes import Applied, Changes
from aomori_desktop.services.dto import NodeKind, TreeNode
from aomori_desktop.services.plan_services import PlanServices

STRUCTURE = Changes(structure=True)


@dataclass(frozen=True, slots=True)
class Removal:
    question: str  # for the confirmation: names what goes, and what goes with it
    label: str  # the undo step's name
    action: Callable[[], Applied[object]]  # the service write (its undo restores)
    touches: Changes  # what to show again if the removal is refused


def meaningful_years(years: tuple[KpiYear, ...]) -> int:
    """Yearly records that hold something the user entered (a value, a status, a comment)."""
    return sum(
        1
        for y in years
        if y.actual is not None or y.interim_target is not None or y.status or y.comment
    )


def removal_of(services: PlanServices, node: TreeNode) -> Removal | None:
    """What removing `node` asks (naming what goes with it) and the service write that
    removes it; the service reads what it removes and its undo puts that back."""
    queries = services.queries
    if node.kind is NodeKind.KPI:
        kpi = queries.kpi(node.ref)
        lines = [
            f"KPI「{kpi.id} {kpi.name}」を削除しますか？",
            f"年度別の記録 {meaningful_years(kpi.years)}件（実績値・年度目標・コメント）"
            f"と目標値の見直し {len(kpi.target_revisions)}件も削除されます。",
        ]
        if len(kpi.measures) > 1:
            lines.append(f"このKPIは共創施策 {'、'.join(kpi.measures)} のすべてから削除されます。")
        return Removal(
            "\n".join(lines),
            f"KPI {kpi.id} の削除",
            lambda: services.kpis.remove_kpi(kpi.id),
            Changes(kpis=frozenset({kpi.id}), structure=True),
        )
    if node.kind is NodeKind.PROJECT and node.relisting:
        code = node.key.code
        return Removal(
            f"再掲「{measure_of(node)} {node.code} {node.title}」を削除しますか？\n"
            f"共創プロジェクト本体と年度別の記録は、掲載元 {node.home} に残ります。",
            f"再掲「{node.title}」（{code}）の削除",
            lambda: services.placements.remove_placement(code),
            Changes(projects=frozenset({node.ref}), structure=True),
        )
    if node.kind is NodeKind.PROJECT:
        project = queries.project(node.ref)
        records = sum(1 for y in project.years if y.status or y.note)
        lines = [
            f"共創プロジェクト「{node.code} {project.title}」（{node.key}）を削除しますか？",
            f"年度別の記録 {records}件（状況・メモ）も削除されます。",
        ]
        relistings = [p.code for p in queries.placements(project.id) if p.relisting]
        if relistings:
            lines.append(f"再掲 {'、'.join(relistings)} も削除されます。")
        return Removal(
            "\n".join(lines),
            f"共創プロジェクト「{project.title}」の削除",
            lambda: services.placements.remove_project(project.id),
            Changes(projects=frozenset({project.id}), structure=True),
        )
    if node.kind is NodeKind.MEASURE:
        code, title = node.key.code, node.title
        return Removal(
            f"共創施策「{code} {title}」を削除しますか？",
            f"共創施策「{title}」の削除",
            lambda: services.structure.remove_measure(code),
            STRUCTURE,
        )
    if node.kind is NodeKind.PILLAR:
        pillar = queries.pillar(int(node.key.code))
        return Removal(
            f"戦略の柱「{pillar.number} {pillar.title}」を削除しますか？",
            f"戦略の柱「{pillar.name}」の削除",
            lambda: services.structure.remove_pillar(pillar.number),
            STRUCTURE,
        )
    return None


def measure_of(node: TreeNode) -> str:
    """The measure code of a measure, placement ("1-2-3") or KPI listing ("K01@1-2") node."""
    return node.key.measure_code or node.key.code
