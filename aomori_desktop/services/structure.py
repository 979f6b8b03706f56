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
from aomori_desktop.services.changes import Applied, Changes
from aomori_desktop.services.errors import Conflict, ValidationError
from aomori_desktop.services.kept_rows import NOTHING_KEPT, KeptRows, keep_measure_rows, put_back
from aomori_desktop.services.ordering import moved, next_number, renumber, renumbered, reposition
from aomori_desktop.services.transaction import PlanAccess, changed_meanwhile
from aomori_desktop.store.models import MeasureRow, PillarRow

__all__ = ["PlanStructure"]

STRUCTURE = Changes(structure=True)


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

    def add_pillar(self, lead: str, name: str) -> Applied[int]:
        """A new pillar after the last; `value` is its number. Undo removes it."""
        lead, name = _pillar_title("戦略の柱", lead, name)
        with self._access.transaction() as tx:
            plan = tx.plan()
            number = next_number(plan.pillars, "戦略の柱")
            plan.pillars.append(PillarRow(number=number, lead=lead, name=name, position=number))
            tx.audit("pillar", str(number), "name", None, f"{lead} {name}".strip(), action="create")
        return Applied(STRUCTURE, lambda: self.remove_pillar(number), number)

    def rename_pillar(
        self, number: int, lead: str, name: str, *, expected: tuple[str, str] | None = None
    ) -> Applied[None]:
        """A pillar's lead phrase and name; with `expected` (lead, name), nothing changes if
        another user renamed it since. The undo renames it back."""
        where = f"戦略の柱 {number}"
        lead, name = _pillar_title(where, lead, name)
        with self._access.transaction() as tx:
            row = tx.pillar(number)
            old = (row.lead, row.name)
            if expected is not None and old != expected:
                raise changed_meanwhile([f"{where}の名称（現在: {' '.join(old).strip()}）"])
            if old == (lead, name):
                return Applied()
            for field, before, new in (("lead", old[0], lead), ("name", old[1], name)):
                if before != new:
                    setattr(row, field, new)
                    tx.audit("pillar", str(number), field, before, new)
        return Applied(STRUCTURE, lambda: self.rename_pillar(number, *old, expected=(lead, name)))

    def remove_pillar(self, number: int) -> Applied[int]:
        """Remove an empty pillar; the undo puts it back under its number and title."""
        with self._access.transaction() as tx:
            row = tx.pillar(number)
            if row.measures:
                raise Conflict(
                    f"戦略の柱 {number} には共創施策があります。先に共創施策を削除してください。"
                )
            lead, name = row.lead, row.name
            tx.audit("pillar", str(number), "name", row.name, None, action="delete")
            tx.s.delete(row)
        return Applied(STRUCTURE, lambda: self.restore_pillar(number, lead, name), number)

    def restore_pillar(self, number: int, lead: str, name: str) -> Applied[int]:
        """Put back a removed (empty) pillar under its number and title; undo removes it."""
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
        return Applied(STRUCTURE, lambda: self.remove_pillar(number), number)

    def move_pillar(self, number: int, delta: int) -> Applied[int]:
        """Move a pillar `delta` places (negative: up); `value` is its new number. The undo
        moves it back, if the same pillar still stands at the new number."""
        return self._move_pillar(number, delta, holding=None)

    def _move_pillar(
        self, number: int, delta: int, *, holding: tuple[str, str] | None
    ) -> Applied[int]:
        with self._access.transaction() as tx:
            plan = tx.plan()
            row = tx.pillar(number)
            title = (row.lead, row.name)
            if holding is not None and title != holding:
                raise changed_meanwhile(
                    [f"戦略の柱 {number}（現在: {' '.join(title).strip()}）"], "操作"
                )
            if delta == 0:
                return Applied(value=number)
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
        return Applied(
            changes, lambda: self._move_pillar(new_number, -delta, holding=title), new_number
        )

    # ------------------------------------------------------------ measures

    def add_measure(self, pillar: int, title: str) -> Applied[str]:
        """A new measure at the end of a pillar; `value` is its code (P-M). Undo removes it."""
        title = _measure_title("共創施策", title)
        with self._access.transaction() as tx:
            pillar_row = tx.pillar(pillar)
            number = next_number(pillar_row.measures, f"戦略の柱 {pillar} の共創施策")
            pillar_row.measures.append(MeasureRow(number=number, title=title, position=number))
            code = f"{pillar}-{number}"
            tx.audit("measure", code, "title", None, title, action="create")
        return Applied(STRUCTURE, lambda: self.remove_measure(code), code)

    def rename_measure(
        self, measure: str, title: str, *, expected: str | None = None
    ) -> Applied[None]:
        """A measure's title; with `expected`, nothing changes if another user renamed it
        since. The undo renames it back."""
        where = f"共創施策 {measure}"
        title = _measure_title(where, title)
        with self._access.transaction() as tx:
            row = tx.measure(measure)
            old = row.title
            if expected is not None and old != expected:
                raise changed_meanwhile([f"{where}の名称（現在: {old}）"])
            if old == title:
                return Applied()
            tx.audit("measure", measure, "title", old, title)
            row.title = title
        return Applied(STRUCTURE, lambda: self.rename_measure(measure, old, expected=title))

    def remove_measure(self, measure: str) -> Applied[str]:
        """Remove an empty measure (no projects, no KPIs); the undo puts it back under its
        code and title with its 施策評価 and the panel opinions on it."""
        with self._access.transaction() as tx:
            row = tx.measure(measure)
            if row.placements or row.kpi_links:
                raise Conflict(
                    f"共創施策 {measure} には共創プロジェクトまたはKPIがあります。先にそれらを削除または移動してください。"
                )
            title = row.title
            kept = keep_measure_rows(tx, row)
            tx.audit("measure", measure, "title", row.title, None, action="delete")
            tx.s.delete(row)
        return Applied(STRUCTURE, lambda: self.restore_measure(measure, title, kept), measure)

    def restore_measure(
        self, measure: str, title: str, kept: KeptRows = NOTHING_KEPT
    ) -> Applied[str]:
        """Put back a removed (empty) measure under its code (P-M) and title, with the
        evaluations and opinions its removal read (`kept`); undo removes it again."""
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
            put_back(tx, kept, measure=row)
            tx.audit("measure", measure, "title", None, title, action="restore")
        return Applied(STRUCTURE, lambda: self.remove_measure(measure), measure)

    def move_measure(self, measure: str, delta: int) -> Applied[str]:
        """Move a measure `delta` places within its pillar; `value` is its new code. The
        undo moves it back, if the same measure still stands at the new code."""
        return self._move_measure(measure, delta, holding=None)

    def _move_measure(self, measure: str, delta: int, *, holding: str | None) -> Applied[str]:
        with self._access.transaction() as tx:
            row = tx.measure(measure)
            title = row.title
            if holding is not None and title != holding:
                raise changed_meanwhile([f"共創施策 {measure}（現在: {title}）"], "操作")
            if delta == 0:
                return Applied(value=measure)
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
        return Applied(changes, lambda: self._move_measure(code, -delta, holding=title), code)
