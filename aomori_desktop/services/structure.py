"""The plan's frame: 戦略の柱 (pillars) and 共創施策 (measures) — adding, renaming, removing,
restoring and moving them.

Only an empty pillar or measure can be removed; its restore puts it back under its number.
Moving renumbers (see `services.ordering`): a moved item and the ones it passes swap numbers,
and the KPIs and projects under a renumbered measure change their tree keys with it.
"""

from __future__ import annotations

from aomori_desktop.domain.validation import (
    MAX_NUMBER,
    MEASURE_TEXT,
    PILLAR_TEXT,
    code_number,
    text_problems,
)
from aomori_desktop.services.changes import Changes
from aomori_desktop.services.errors import Conflict, ValidationError
from aomori_desktop.services.ordering import moved, next_number, renumber, renumbered, reposition
from aomori_desktop.services.transaction import PlanAccess
from aomori_desktop.store.models import MeasureRow, PillarRow

__all__ = ["PlanStructure"]


def _pillar_title(where: str, lead: str, name: str) -> tuple[str, str]:
    """A pillar's lead phrase and name, trimmed; refused when the name is empty or too long."""
    name, lead = name.strip(), lead.strip()
    if not name:
        raise ValidationError([f"{where}: 名称を入力してください。"])
    problems = text_problems(where, PILLAR_TEXT, {"lead": lead, "name": name})
    if problems:
        raise ValidationError(problems)
    return lead, name


def _measure_title(where: str, title: str) -> str:
    title = title.strip()
    if not title:
        raise ValidationError([f"{where}: 名称を入力してください。"])
    problems = text_problems(where, MEASURE_TEXT, {"title": title})
    if problems:
        raise ValidationError(problems)
    return title


class PlanStructure:
    """Edits the pillars and measures of one plan."""

    def __init__(self, access: PlanAccess) -> None:
        self._access = access

    # ------------------------------------------------------------ pillars

    def add_pillar(self, lead: str, name: str) -> tuple[int, Changes]:
        lead, name = _pillar_title("戦略の柱", lead, name)
        with self._access.transaction() as tx:
            plan = tx.plan()
            number = next_number(plan.pillars, "戦略の柱")
            plan.pillars.append(PillarRow(number=number, lead=lead, name=name, position=number))
            tx.audit("pillar", str(number), "name", None, f"{lead} {name}".strip(), action="create")
        return number, Changes(structure=True)

    def rename_pillar(self, number: int, lead: str, name: str) -> Changes:
        lead, name = _pillar_title(f"戦略の柱 {number}", lead, name)
        with self._access.transaction() as tx:
            row = tx.pillar(number)
            for field, new in (("lead", lead), ("name", name)):
                old = getattr(row, field)
                if old != new:
                    setattr(row, field, new)
                    tx.audit("pillar", str(number), field, old, new)
        return Changes(structure=True)

    def remove_pillar(self, number: int) -> Changes:
        with self._access.transaction() as tx:
            row = tx.pillar(number)
            if row.measures:
                raise Conflict(
                    f"戦略の柱 {number} には共創施策があります。先に共創施策を削除してください。"
                )
            tx.audit("pillar", str(number), "name", row.name, None, action="delete")
            tx.s.delete(row)
        return Changes(structure=True)

    def restore_pillar(self, number: int, lead: str, name: str) -> Changes:
        """Put back a removed (empty) pillar under its number and title."""
        where = f"戦略の柱 {number}"
        if not name.strip():
            raise ValidationError([f"{where}: 名称を入力してください。"])
        if not 1 <= number <= MAX_NUMBER:
            raise ValidationError([f"{where}: 番号は1〜{MAX_NUMBER}にしてください。"])
        lead, name = _pillar_title(where, lead, name)
        with self._access.transaction() as tx:
            plan = tx.plan()
            if any(p.number == number for p in plan.pillars):
                raise Conflict(f"{where} は既にあるため、復元できません。")
            row = PillarRow(number=number, lead=lead, name=name, position=0)
            siblings = sorted(plan.pillars, key=lambda p: (p.position, p.number))
            siblings.insert(sum(p.number < number for p in siblings), row)
            plan.pillars.append(row)
            reposition(siblings)
            tx.audit(
                "pillar", str(number), "name", None, f"{lead} {name}".strip(), action="restore"
            )
        return Changes(structure=True)

    def move_pillar(self, number: int, delta: int) -> tuple[int, Changes]:
        """Move a pillar `delta` places (negative: up); returns its new number."""
        with self._access.transaction() as tx:
            plan = tx.plan()
            row = tx.pillar(number)
            if delta == 0:
                return number, Changes()
            siblings = sorted(plan.pillars, key=lambda p: (p.position, p.number))
            order = moved(siblings, siblings.index(row), delta, f"戦略の柱 {number}")
            measures = [m for p in siblings for m in p.measures]
            before = {m.id: m.code for m in measures}
            changed = renumber(tx.s, order)
            reposition(order)
            for _row, old, new in sorted(changed, key=lambda m: m[0] is not row):
                tx.audit("pillar", str(old), "number", old, new, action="move")
            changes = renumbered([m for m in measures if m.code != before[m.id]])
            new_number = row.number
        return new_number, changes

    # ------------------------------------------------------------ measures

    def add_measure(self, pillar: int, title: str) -> tuple[str, Changes]:
        title = _measure_title("共創施策", title)
        with self._access.transaction() as tx:
            pillar_row = tx.pillar(pillar)
            number = next_number(pillar_row.measures, f"戦略の柱 {pillar} の共創施策")
            pillar_row.measures.append(MeasureRow(number=number, title=title, position=number))
            code = f"{pillar}-{number}"
            tx.audit("measure", code, "title", None, title, action="create")
        return code, Changes(structure=True)

    def rename_measure(self, measure: str, title: str) -> Changes:
        title = _measure_title(f"共創施策 {measure}", title)
        with self._access.transaction() as tx:
            row = tx.measure(measure)
            if row.title != title:
                tx.audit("measure", measure, "title", row.title, title)
                row.title = title
        return Changes(structure=True)

    def remove_measure(self, measure: str) -> Changes:
        with self._access.transaction() as tx:
            row = tx.measure(measure)
            if row.placements or row.kpi_links:
                raise Conflict(
                    f"共創施策 {measure} には共創プロジェクトまたはKPIがあります。先にそれらを削除または移動してください。"
                )
            tx.audit("measure", measure, "title", row.title, None, action="delete")
            tx.s.delete(row)
        return Changes(structure=True)

    def restore_measure(self, measure: str, title: str) -> Changes:
        """Put back a removed (empty) measure under its code (P-M) and title."""
        where = f"共創施策 {measure}"
        if not title.strip():
            raise ValidationError([f"{where}: 名称を入力してください。"])
        pillar, _, number_text = measure.partition("-")
        pillar_number, number = code_number(pillar), code_number(number_text)
        if pillar_number is None or number is None:
            raise ValidationError(
                [f"{where}: コードは「1-2」の形にしてください（番号は1〜{MAX_NUMBER}）。"]
            )
        title = _measure_title(where, title)
        with self._access.transaction() as tx:
            pillar_row = tx.pillar(pillar_number)
            if any(m.number == number for m in pillar_row.measures):
                raise Conflict(f"{where} は既にあるため、復元できません。")
            row = MeasureRow(number=number, title=title, position=0)
            siblings = sorted(pillar_row.measures, key=lambda m: (m.position, m.number))
            siblings.insert(sum(m.number < number for m in siblings), row)
            pillar_row.measures.append(row)
            reposition(siblings)
            tx.audit("measure", measure, "title", None, title, action="restore")
        return Changes(structure=True)

    def move_measure(self, measure: str, delta: int) -> tuple[str, Changes]:
        """Move a measure `delta` places within its pillar; returns its new code."""
        with self._access.transaction() as tx:
            row = tx.measure(measure)
            if delta == 0:
                return measure, Changes()
            siblings = sorted(row.pillar.measures, key=lambda m: (m.position, m.number))
            order = moved(siblings, siblings.index(row), delta, f"共創施策 {measure}")
            before = {m.id: m.code for m in siblings}
            changed = renumber(tx.s, order)
            reposition(order)
            for m, _old, _new in sorted(changed, key=lambda m: m[0] is not row):
                assert isinstance(m, MeasureRow)
                tx.audit("measure", before[m.id], "number", before[m.id], m.code, action="move")
            changes = renumbered([m for m, _old, _new in changed if isinstance(m, MeasureRow)])
            code = row.code
        return code, changes
