"""The collection form (調査票): what a department receives and what comes back, as plain values.

The planning section sends each 担当課 a form with its KPIs and projects for one fiscal year;
the department fills in the input fields (actual, 速報/確定, comment; a project's status and
note) and returns it. This module is the file-independent model both the Excel workbook
(`xlsx_collection`) and the CSV file (`csv_collection`) speak, and the rules they share:

* text written into any spreadsheet is neutralised against formula injection,
* input text is compared in one normal form (so Excel's line ends never count as a change),
* the fingerprint of what the database held when the form was made, and a digest per field,
  which let the import tell a department's change from one made in the database meanwhile.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Final

from aomori_desktop.domain.numbers import decimal_to_text
from aomori_desktop.domain.plan import FigureStatus, ProjectStatus

FORMAT: Final = "aomori-desktop/collection"
VERSION: Final = 1

#: Characters that make a spreadsheet program read a cell as a formula (or a DDE command).
FORMULA_TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r")
#: Characters XML 1.0 cannot carry (openpyxl refuses them): shown as U+FFFD in a workbook.
_ILLEGAL_XML: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class Field(StrEnum):
    """An input field of the form."""

    ACTUAL = "actual"
    STATUS = "status"
    COMMENT = "comment"
    PROJECT_STATUS = "project_status"
    NOTE = "note"

    @property
    def label(self) -> str:
        return {
            "actual": "実績値",
            "status": "速報/確定",
            "comment": "コメント",
            "project_status": "状況",
            "note": "取組状況・メモ",
        }[self.value]


KPI_FIELDS: Final = (Field.ACTUAL, Field.STATUS, Field.COMMENT)
PROJECT_FIELDS: Final = (Field.PROJECT_STATUS, Field.NOTE)


# ---------------------------------------------------------------- text rules


def starts_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def xml_safe(text: str) -> str:
    """Text a workbook can hold: control characters XML refuses become U+FFFD."""
    return _ILLEGAL_XML.sub("\ufffd", text)


def normal_text(text: str) -> str:
    """The form in which input texts are compared: Excel's CR LF and CR become LF, control
    characters as a workbook holds them, surrounding blanks (spaces, full-width spaces,
    newlines) removed, as the grid parser reads a text cell. Two texts with the same normal
    form are the same answer."""
    return xml_safe(text.replace("\r\n", "\n").replace("\r", "\n")).strip()


# ---------------------------------------------------------------- values and digests

Value = Decimal | FigureStatus | ProjectStatus | str | None


def canonical(field_: Field, value: Value) -> str:
    """The text a value is compared and digested by. Numbers by value (8.4 = 8.40: a
    spreadsheet cannot carry the typed scale), texts in their normal form, blank as ""."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return decimal_to_text(value.normalize()) if not value.is_zero() else "0"
    if isinstance(value, FigureStatus | ProjectStatus):
        return value.value
    return normal_text(value) if field_ in (Field.COMMENT, Field.NOTE) else value


def digest(field_: Field, value: Value) -> str:
    """A short digest of one field's value (CSV files carry these instead of the values)."""
    data = f"{field_.value}\x1f{canonical(field_, value)}".encode()
    return hashlib.sha256(data).hexdigest()[:10]


@dataclass(frozen=True, slots=True)
class KpiValues:
    """The input fields of one KPI for the form's year."""

    actual: Decimal | None = None
    status: FigureStatus | None = None
    comment: str = ""

    def get(self, field_: Field) -> Value:
        return {Field.ACTUAL: self.actual, Field.STATUS: self.status, Field.COMMENT: self.comment}[
            field_
        ]


@dataclass(frozen=True, slots=True)
class ProjectValues:
    """The input fields of one project for the form's year."""

    status: ProjectStatus | None = None
    note: str = ""

    def get(self, field_: Field) -> Value:
        return {Field.PROJECT_STATUS: self.status, Field.NOTE: self.note}[field_]


def fingerprint(
    plan_key: str,
    fiscal_year: int,
    kpis: Mapping[str, KpiValues],
    projects: Mapping[str, ProjectValues],
) -> str:
    """What the database held for a form's rows, in one value: equal fingerprints mean that
    nothing the form covers has changed."""
    h = hashlib.sha256(f"{FORMAT}\x1f{VERSION}\x1f{plan_key}\x1f{fiscal_year}".encode())
    for code in sorted(kpis):
        values = kpis[code]
        parts = [canonical(f, values.get(f)) for f in KPI_FIELDS]
        h.update(("\x1ekpi\x1f" + code + "\x1f" + "\x1f".join(parts)).encode())
    for code in sorted(projects):
        pvalues = projects[code]
        parts = [canonical(f, pvalues.get(f)) for f in PROJECT_FIELDS]
        h.update(("\x1eproject\x1f" + code + "\x1f" + "\x1f".join(parts)).encode())
    return h.hexdigest()[:32]


# ---------------------------------------------------------------- what is sent


@dataclass(frozen=True, slots=True)
class FormKpi:
    """One KPI row of a form: the known fields shown (locked) and the current input values."""

    code: str
    name: str
    unit: str
    measures: str  # "1-1, 1-2"
    responsible_section: str
    baseline: Decimal
    baseline_fiscal_year: int
    target: Decimal
    target_fiscal_year: int
    interim_target: Decimal | None
    previous_actual: Decimal | None  # the year before the form's year
    decimals: int  # digits after the point the KPI's figures use
    values: KpiValues


@dataclass(frozen=True, slots=True)
class FormProject:
    code: str
    title: str
    placements: str  # "1-1-2\n1-2-3（再掲）", one listing a line
    responsible_section: str
    description: str
    previous_status: ProjectStatus | None
    values: ProjectValues


@dataclass(frozen=True, slots=True)
class CollectionForm:
    plan_key: str  # identifies the plan (another plan's form is refused)
    plan_name: str
    fiscal_year: int
    scope: str  # what the form covers, as shown: 担当課: 経済政策課 / 共創施策 1-2 …
    created_at: datetime
    created_by: str
    kpis: tuple[FormKpi, ...]
    projects: tuple[FormProject, ...]

    @property
    def fingerprint(self) -> str:
        return fingerprint(
            self.plan_key,
            self.fiscal_year,
            {k.code: k.values for k in self.kpis},
            {p.code: p.values for p in self.projects},
        )


# ---------------------------------------------------------------- what comes back


@dataclass(frozen=True, slots=True)
class Entry:
    """One answered field of a returned form, with the cell it came from.

    `base` is the digest of the value the form was made with (None when the file does not
    say, e.g. a CSV without its check column); `base_shown` the value itself where known.
    """

    kind: str  # "kpi" | "project"
    code: str
    fiscal_year: int
    field: Field
    value: Value
    where: str  # KPI!M7 or 3行目「実績値」
    base: str | None = None
    base_value: Value = None
    base_known: bool = False


@dataclass(frozen=True, slots=True)
class FilledForm:
    """A returned form as read from its file: answers, and the cells that were refused."""

    source: str  # the file's name, as the audit and the preview name it
    sheet: str  # the sheet (or "CSV") the answers came from, for the audit
    plan_key: str | None  # None: the file does not say (CSV)
    plan_name: str
    fiscal_years: tuple[int, ...]
    scope: str
    created_at: datetime | None
    fingerprint: str | None
    entries: tuple[Entry, ...]
    problems: tuple[str, ...] = ()  # "KPI!M7: 「abc」は数値として読み取れません。…"
    rows: int = 0  # answered rows read (for the summary)
    kpi_codes: tuple[str, ...] = ()  # every KPI the form covers (its base), in order
    project_codes: tuple[str, ...] = ()
    base_kpis: Mapping[str, KpiValues] = field(default_factory=dict)
    base_projects: Mapping[str, ProjectValues] = field(default_factory=dict)


def decimals_of(values: Iterable[Decimal | None]) -> int:
    """Digits after the point a KPI's figures use (its widest stored value), at most 6."""
    widest = 0
    for value in values:
        if value is not None and value.is_finite():
            exponent = value.as_tuple().exponent
            assert isinstance(exponent, int)
            widest = max(widest, -exponent)
    return min(widest, 6)


def number_format(decimals: int) -> str:
    """Excel number format with thousands separators and the given decimals."""
    return "#,##0" + ("." + "0" * decimals if decimals else "")
