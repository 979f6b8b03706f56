"""Numbers and order of siblings: the next free number or code, and moving one item.

Numbering is the document's: pillars 1..n, measures P-1..P-n, placements ①..ⓝ, shown top to
bottom in ascending order. Moving an item therefore renumbers it and the items it passes
(their codes and tree keys change), and `position` follows the same order. KPI and project
codes (K01, PJ01) are ids, not numbering: moving a KPI changes only its place in the order.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from aomori_desktop.domain.validation import MAX_NUMBER
from aomori_desktop.services.changes import Changes
from aomori_desktop.services.errors import ValidationError
from aomori_desktop.store.models import KpiRow, MeasureRow, PillarRow, PlacementRow, ProjectRow

Numbered = PillarRow | MeasureRow | PlacementRow
Ordered = PillarRow | MeasureRow | KpiRow | ProjectRow


def next_number(siblings: Sequence[Numbered], what: str) -> int:
    """The number after the highest of `siblings`, refused beyond MAX_NUMBER."""
    number = max((r.number for r in siblings), default=0) + 1
    if number > MAX_NUMBER:
        raise ValidationError([f"{what}は{MAX_NUMBER}番までです。これ以上追加できません。"])
    return number


def next_code(prefix: str, existing: Sequence[str]) -> str:
    """K17 after K16 (never reusing a gap, so a removed code stays free for its restore)."""
    numbers = [
        int(c[len(prefix) :])
        for c in existing
        if c.startswith(prefix) and c[len(prefix) :].isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:02d}"


def moved[E](items: Sequence[E], index: int, delta: int, what: str) -> list[E]:
    """`items` with the one at `index` moved `delta` places (negative: towards the top)."""
    target = index + delta
    if not 0 <= target < len(items):
        way = "上" if delta < 0 else "下"
        raise ValidationError([f"{what} はこれ以上{way}へ移動できません。"])
    order = list(items)
    order.insert(target, order.pop(index))
    return order


def renumber(s: Session, order: Sequence[Numbered]) -> list[tuple[Numbered, int, int]]:
    """Give the rows their numbers in ascending order along `order` (the same set of numbers).
    Returns (row, old, new) for the rows whose number changed."""
    numbers = sorted(r.number for r in order)
    changed = [(r, r.number, n) for r, n in zip(order, numbers, strict=True) if r.number != n]
    for r, old, _new in changed:
        r.number = -old  # temporary: each UPDATE must keep (parent, number) unique
    s.flush()
    for r, _old, new in changed:
        r.number = new
    s.flush()
    return changed


def reposition(order: Sequence[Ordered]) -> None:
    for i, row in enumerate(order):
        if row.position != i:
            row.position = i


def insert_at[R: Ordered](siblings: Sequence[R], row: R, index: int) -> None:
    """Put `row` at `index` (clamped) of `siblings` and renumber their positions."""
    order = list(siblings)
    order.insert(max(0, min(index, len(order))), row)
    reposition(order)


def renumbered(measures: Sequence[MeasureRow]) -> Changes:
    """Changes of a renumbering: the KPIs and projects listed under renumbered measures."""
    return Changes(
        kpis=frozenset(link.kpi.code for m in measures for link in m.kpi_links),
        projects=frozenset(p.project.code for m in measures for p in m.placements),
        structure=True,
    )
