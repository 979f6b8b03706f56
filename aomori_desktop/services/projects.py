"""A co-creation project's own record: title, description, section, its partners (産学金官)
and its yearly status (未着手…中止) and note.

A re-listed project (再掲) is one row: editing it under either measure edits the one project.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aomori_desktop.domain.plan import Partner, ProjectStatus, Sector
from aomori_desktop.domain.validation import (
    PROJECT_TEXT,
    PROJECT_YEAR_TEXT,
    partner_problems,
    text_problems,
)
from aomori_desktop.services.changes import Changes
from aomori_desktop.services.errors import ValidationError
from aomori_desktop.services.transaction import UNSET, PlanAccess, Unset
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


class ProjectRecords:
    """Edits the projects of one plan (their fields, partners and yearly records)."""

    def __init__(self, access: PlanAccess) -> None:
        self._access = access

    def update_project(self, project: str, edit: ProjectFieldsEdit) -> Changes:
        with self._access.transaction() as tx:
            row = tx.project(project)
            updates = {
                name: str(value).strip()
                for name in ProjectFieldsEdit.__dataclass_fields__
                if not isinstance(value := getattr(edit, name), Unset)
            }
            problems = text_problems(f"共創プロジェクト {project}", PROJECT_TEXT, updates)
            if "title" in updates and not updates["title"]:
                problems.append(f"共創プロジェクト {project}: 名称が空です。")
            if problems:
                raise ValidationError(problems)
            for name, value in updates.items():
                old = getattr(row, name)
                if old != value:
                    setattr(row, name, value)
                    tx.audit("project", project, name, old, value)
        return Changes(projects=frozenset({project}), structure="title" in updates)

    def set_project_year(
        self,
        project: str,
        fiscal_year: int,
        *,
        status: ProjectStatus | Unset | None = UNSET,
        note: str | Unset = UNSET,
    ) -> Changes:
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
            key = f"{project}/{fiscal_year}"
            changed = False
            if not isinstance(status, Unset):
                new_status = status.value if status else None
                if year.status != new_status:
                    tx.audit("project_year", key, "status", year.status, new_status)
                    year.status = new_status
                    changed = True
            if not isinstance(note, Unset) and year.note != note:
                tx.audit("project_year", key, "note", year.note, note)
                year.note = note
                changed = True
            if not changed:
                return Changes()
            if new_row:
                row.years.append(year)
            year.entered_by = tx.user
            year.entered_at = tx.now
        return Changes(projects=frozenset({project}))

    def set_partners(self, project: str, partners: Sequence[Partner]) -> Changes:
        """Replace the project's co-creation partners (産学金官), in the given order."""
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
            if old == cleaned:
                return Changes()
            row.partners.clear()
            tx.s.flush()
            row.partners.extend(
                PartnerRow(sector=p.sector.value, name=p.name, position=i)
                for i, p in enumerate(cleaned)
            )
            tx.audit("project", project, "partners", _partners_text(old), _partners_text(cleaned))
        return Changes(projects=frozenset({project}))
