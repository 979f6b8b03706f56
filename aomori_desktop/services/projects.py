"""A co-creation project's own record: title, description, section, its partners (産学金官)
and its yearly status (未着手…中止) and note.

A re-listed project (再掲) is one row: editing it under either measure edits the one project.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from aomori_desktop.domain.fiscal import fy_label
from aomori_desktop.domain.plan import Partner, ProjectStatus, Sector
from aomori_desktop.domain.validation import (
    PROJECT_TEXT,
    PROJECT_YEAR_TEXT,
    partner_problems,
    text_problems,
)
from aomori_desktop.services.changes import Applied, Changes
from aomori_desktop.services.errors import ChangedField, ValidationError
from aomori_desktop.services.transaction import (
    UNSET,
    PlanAccess,
    Restamp,
    Stamp,
    Unset,
    changed_meanwhile,
    stale_fields,
)
from aomori_desktop.store.models import PartnerRow, ProjectYearRow

__all__ = ["ProjectFieldsEdit", "ProjectRecords"]


@dataclass(frozen=True, slots=True)
class ProjectFieldsEdit:
    """Editable fields of a project; fields left UNSET stay as they are."""

    title: str | Unset = UNSET
    description: str | Unset = UNSET
    responsible_section: str | Unset = UNSET


def _partners_text(partners: Sequence[Partner]) -> str | None:
    """'産:A社／学:B大学' for the audit log (None when there are none)."""
    return "／".join(f"{p.sector.label}:{p.name}" for p in partners) or None


_LABELS = {"title": "名称", "description": "取組内容", "responsible_section": "担当課"}

YearFields = tuple[ProjectStatus | Unset | None, str | Unset]  # (status, note) of a year


class ProjectRecords:
    """Edits the projects of one plan (their fields, partners and yearly records)."""

    def __init__(self, access: PlanAccess) -> None:
        self._access = access

    def update_project(
        self, project: str, edit: ProjectFieldsEdit, *, expected: ProjectFieldsEdit | None = None
    ) -> Applied[None]:
        """Change the fields `edit` sets; with `expected`, nothing changes if another user
        changed one of those since. The undo puts back the changed fields."""
        where = f"共創プロジェクト {project}"
        with self._access.transaction() as tx:
            row = tx.project(project)
            if expected is not None:
                stale = stale_fields(
                    tx,
                    where,
                    "project",
                    project,
                    (
                        (name, _LABELS[name], getattr(row, name), value)
                        for name, value in _set_fields(expected).items()
                    ),
                )
                if stale:
                    raise changed_meanwhile(stale)
            updates = {name: value.strip() for name, value in _set_fields(edit).items()}
            problems = text_problems(where, PROJECT_TEXT, updates)
            if "title" in updates and not updates["title"]:
                problems.append(f"{where}: 名称が空です。")
            if problems:
                raise ValidationError(problems)
            before: dict[str, str] = {}
            after: dict[str, str] = {}
            for name, value in updates.items():
                old = getattr(row, name)
                if old != value:
                    setattr(row, name, value)
                    tx.audit("project", project, name, old, value)
                    before[name], after[name] = old, value
        if not after:
            return Applied()
        undo, done = ProjectFieldsEdit(**before), ProjectFieldsEdit(**after)
        return Applied(
            # the tree shows titles (of the home placement and every re-listing)
            Changes(projects=frozenset({project}), structure="title" in after),
            lambda: self.update_project(project, undo, expected=done),
        )

    def set_project_year(
        self,
        project: str,
        fiscal_year: int,
        *,
        status: ProjectStatus | Unset | None = UNSET,
        note: str | Unset = UNSET,
        expected: YearFields | None = None,
    ) -> Applied[None]:
        """The project's status (未着手…中止) and note for one fiscal year. With `expected`
        (status, note as the screen showed them; UNSET for one not shown), nothing is stored
        if another user changed one since. The undo puts back what was stored (and who
        entered it), if no one has changed it since."""
        return self._store_year(
            project, fiscal_year, (status, note), expected=expected, restamp=None
        )

    def _store_year(
        self,
        project: str,
        fiscal_year: int,
        fields: YearFields,
        *,
        expected: YearFields | None,
        restamp: Restamp | None,
    ) -> Applied[None]:
        status, note = fields
        where = f"共創プロジェクト {project}"
        with self._access.transaction() as tx:
            row = tx.project(project)
            tx.check_period(where, fiscal_year)
            if not isinstance(note, Unset) and (
                problems := text_problems(where, PROJECT_YEAR_TEXT, {"note": note})
            ):
                raise ValidationError(problems)
            year = next((y for y in row.years if y.fiscal_year == fiscal_year), None)
            new_row = year is None
            if year is None:
                year = ProjectYearRow(fiscal_year=fiscal_year, note="", entered_by="")
            stamp: Stamp = None if new_row else (year.entered_by, year.entered_at)
            if expected is not None:
                stale = stale_fields(
                    tx,
                    f"{where} {fy_label(fiscal_year)}",
                    "project_year",
                    f"{project}/{fiscal_year}",
                    (
                        (column, label, stored, shown)
                        for column, label, stored, shown in (
                            ("status", "状況", _status(year.status), expected[0]),
                            ("note", "メモ", year.note, expected[1]),
                        )
                        if not isinstance(shown, Unset)
                    ),
                )
                if stale:
                    raise changed_meanwhile(stale)
            key = f"{project}/{fiscal_year}"
            old_status: ProjectStatus | Unset | None = UNSET
            old_note: str | Unset = UNSET
            if not isinstance(status, Unset) and _status(year.status) != status:
                old_status = _status(year.status)
                new_status = status.value if status else None
                tx.audit("project_year", key, "status", year.status, new_status)
                year.status = new_status
            if not isinstance(note, Unset) and year.note != note:
                old_note = year.note
                tx.audit("project_year", key, "note", year.note, note)
                year.note = note
            if isinstance(old_status, Unset) and isinstance(old_note, Unset):
                return Applied()
            stamped: Stamp = (tx.user, tx.now)
            if restamp is not None and restamp.left == stamp:
                stamped = restamp.put_back
            if stamped is None and not year.status and not year.note:
                if not new_row:  # the entry this undo takes back had created the record
                    tx.s.delete(year)
            else:
                if new_row:
                    row.years.append(year)
                year.entered_by, year.entered_at = stamped or (tx.user, tx.now)
                stamped = (year.entered_by, year.entered_at)
        undo: YearFields = (old_status, old_note)
        done: YearFields = (
            UNSET if isinstance(old_status, Unset) else status,
            UNSET if isinstance(old_note, Unset) else note,
        )
        back = Restamp(left=stamped, put_back=stamp)
        return Applied(
            Changes(projects=frozenset({project})),
            lambda: self._store_year(project, fiscal_year, undo, expected=done, restamp=back),
        )

    def set_partners(
        self,
        project: str,
        partners: Sequence[Partner],
        *,
        expected: Sequence[Partner] | None = None,
    ) -> Applied[None]:
        """Replace the project's co-creation partners (産学金官), in the given order. With
        `expected`, nothing changes if the partners are no longer those."""
        where = f"共創プロジェクト {project}"
        cleaned = [Partner(p.sector, p.name.strip()) for p in partners]
        problems = []
        for i, partner in enumerate(cleaned, start=1):
            if not partner.name:
                problems.append(f"{where}: 連携先{i}の名称が空です。")
            else:
                problems.extend(partner_problems(partner.name, where, i))
        if len({(p.sector, p.name) for p in cleaned}) != len(cleaned):
            problems.append(f"{where}: 同じ連携先が二重に入力されています。")
        if problems:
            raise ValidationError(problems)
        with self._access.transaction() as tx:
            row = tx.project(project)
            old = [Partner(Sector(pa.sector), pa.name) for pa in row.partners]
            if expected is not None and old != list(expected):
                raise changed_meanwhile(
                    [f"{where}の連携先（現在: {_partners_text(old) or '空欄'}）"], "操作"
                )
            if old == cleaned:
                return Applied()
            row.partners.clear()
            tx.s.flush()
            row.partners.extend(
                PartnerRow(sector=p.sector.value, name=p.name, position=i)
                for i, p in enumerate(cleaned)
            )
            tx.audit("project", project, "partners", _partners_text(old), _partners_text(cleaned))
        return Applied(
            Changes(projects=frozenset({project})),
            lambda: self.set_partners(project, old, expected=cleaned),
        )


def _set_fields(edit: ProjectFieldsEdit) -> dict[str, str]:
    """The fields an edit sets (those not left UNSET)."""
    return {
        name: str(value)
        for name in ProjectFieldsEdit.__dataclass_fields__
        if not isinstance(value := getattr(edit, name), Unset)
    }


def _status(value: str | None) -> ProjectStatus | None:
    return ProjectStatus(value) if value else None


def fields_expecting_theirs(
    project: str, expected: ProjectFieldsEdit, fields: Sequence[ChangedField]
) -> ProjectFieldsEdit:
    """What to expect when the user writes their own fields of `project` over the changes a
    refusal named: each changed field as stored now, the others as the screen showed them."""
    now = {
        f.field: str(f.stored or "")
        for f in fields
        if f.entity == "project" and f.key == project and f.field in _LABELS
    }
    return replace(expected, **{k: v for k, v in now.items() if k in _set_fields(expected)})


def entered_field(project: str, edit: ProjectFieldsEdit, field: ChangedField) -> object:
    """The value the user entered for the field a refusal names (UNSET: not in `edit`)."""
    if field.entity != "project" or field.key != project or field.field not in _LABELS:
        return UNSET
    return getattr(edit, field.field)


_YEAR_FIELDS = ("status", "note")


def year_expecting_theirs(
    project: str, fiscal_year: int, expected: YearFields, fields: Sequence[ChangedField]
) -> YearFields:
    """`fields_expecting_theirs` for a project's yearly status and note."""
    key = f"{project}/{fiscal_year}"
    now = {f.field: f.stored for f in fields if f.entity == "project_year" and f.key == key}
    status, note = expected
    if "status" in now and not isinstance(status, Unset):
        stored = now["status"]
        status = stored if isinstance(stored, ProjectStatus) or stored is None else status
    if "note" in now and not isinstance(note, Unset):
        note = str(now["note"] or "")
    return (status, note)


def entered_year(
    project: str, fiscal_year: int, entered: YearFields, field: ChangedField
) -> object:
    """What the user entered for the yearly field a refusal names (UNSET: not entered)."""
    if field.entity != "project_year" or field.key != f"{project}/{fiscal_year}":
        return UNSET
    if field.field not in _YEAR_FIELDS:
        return UNSET
    return entered[_YEAR_FIELDS.index(field.field)]
