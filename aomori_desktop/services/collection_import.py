"""Importing returned collection workbooks and CSV files: reading them and the preview.

Nothing is written here. `read_files` reads each file (a broken or hostile one becomes one
sentence, never an exception that stops the others); `preview_import` compares the answers
with the database and sorts every field into

* a change (old → new), where the database still holds what the form was made with,
* a conflict, where the database changed after the form was made and the department's answer
  differs from both (shown side by side; the user chooses; by default the database wins),
* unchanged, where the answer equals what is stored, or the department left a pre-filled value
  as it was (then a later change in the database is kept, not reverted),
* refused, with the reason and the cell (``KPI!M7: …``): then nothing of the import is written.

`services.collection_apply` writes a preview in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from aomori_desktop.domain.errors import UserError
from aomori_desktop.domain.fiscal import fy_label
from aomori_desktop.domain.plan import FigureStatus, ProjectStatus
from aomori_desktop.domain.validation import MAX_TEXT, text_problem, year_where
from aomori_desktop.exchange.collection_form import (
    Entry,
    Field,
    FilledForm,
    KpiValues,
    ProjectValues,
    Value,
    canonical,
    digest,
    fingerprint,
    normal_text,
)
from aomori_desktop.exchange.csv_collection import read_kpi_csv
from aomori_desktop.exchange.xlsx_returned import read_returned_workbook
from aomori_desktop.services.collection import plan_key
from aomori_desktop.services.tasks import Cancelled, TaskState
from aomori_desktop.services.transaction import PlanAccess, find_plan
from aomori_desktop.store.models import KpiRow, KpiYearRow, ProjectRow, ProjectYearRow


@dataclass(frozen=True, slots=True)
class ReadFile:
    """One file as read: its answers, or the sentence that refuses it."""

    path: Path
    form: FilledForm | None
    refused: str | None = None


def read_files(paths: Sequence[Path], state: TaskState | None = None) -> list[ReadFile]:
    """Read every file (.csv as CSV, anything else as a workbook). Stops only for `Cancelled`."""
    state = state or TaskState()
    result: list[ReadFile] = []
    seen: set[Path] = set()
    for index, path in enumerate(paths):
        state.report(index, len(paths), f"{path.name} を読み込んでいます")
        state.check()
        resolved = path.resolve()
        if resolved in seen:
            result.append(
                ReadFile(
                    path, None, f"「{path.name}」は2回指定されています（1回だけ取り込みます）。"
                )
            )
            continue
        seen.add(resolved)
        try:
            if path.suffix.lower() == ".csv":
                form = read_kpi_csv(path, progress=state)
            else:
                form = read_returned_workbook(path, progress=state)
        except Cancelled:
            raise
        except UserError as exc:
            result.append(ReadFile(path, None, exc.message))
            continue
        result.append(ReadFile(path, form))
    state.check()
    state.report(len(paths), len(paths), "")
    return result


# ---------------------------------------------------------------- the preview


def field_key(kind: str, code: str, fiscal_year: int, field_: Field) -> str:
    return f"{kind}/{code}/{fiscal_year}/{field_.value}"


@dataclass(frozen=True, slots=True)
class Change:
    """A field the import will write: what is stored now, and the answer."""

    kind: str  # "kpi" | "project"
    code: str
    name: str
    fiscal_year: int
    field: Field
    old: Value
    new: Value
    source: str  # the file's name
    sheet: str
    where: str  # the cell: KPI!M7

    @property
    def key(self) -> str:
        return field_key(self.kind, self.code, self.fiscal_year, self.field)


@dataclass(frozen=True, slots=True)
class Conflict:
    """A field changed in the database after the form was made, answered differently."""

    kind: str
    code: str
    name: str
    fiscal_year: int
    field: Field
    base: Value  # what the form was made with
    base_known: bool  # False for a CSV row (only a digest of it is known)
    database: Value  # what is stored now
    workbook: Value  # the department's answer
    source: str
    sheet: str
    where: str

    @property
    def key(self) -> str:
        return field_key(self.kind, self.code, self.fiscal_year, self.field)


@dataclass(frozen=True, slots=True)
class FilePreview:
    path: Path
    source: str
    scope: str = ""
    fiscal_years: tuple[int, ...] = ()
    refused: str | None = None  # the whole file cannot be used
    problems: tuple[str, ...] = ()  # refused cells
    changes: tuple[Change, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    unchanged: int = 0  # answered rows with nothing to write
    fresh: bool | None = None  # the database has not changed since the form was made

    @property
    def ok(self) -> bool:
        return self.refused is None and not self.problems


@dataclass(frozen=True, slots=True)
class ImportPreview:
    files: tuple[FilePreview, ...]
    # what the database held for each field to be written, when the preview was made
    seen: Mapping[str, str] = field(default_factory=dict)

    @property
    def changes(self) -> tuple[Change, ...]:
        return tuple(c for f in self.files for c in f.changes)

    @property
    def conflicts(self) -> tuple[Conflict, ...]:
        return tuple(c for f in self.files for c in f.conflicts)

    @property
    def problems(self) -> tuple[str, ...]:
        """Every refused file and cell, each naming its file."""
        found: list[str] = []
        for f in self.files:
            if f.refused:
                found.append(f.refused)
            else:
                found.extend(f"「{f.source}」 {p}" for p in f.problems)
        return tuple(found)

    @property
    def ok(self) -> bool:
        """Nothing refused: the import may be confirmed."""
        return all(f.ok for f in self.files)


@dataclass(slots=True)
class _Stored:
    """What the database holds for the rows the files name."""

    plan_key: str
    first_year: int
    last_year: int
    kpi_names: dict[str, str]
    project_names: dict[str, str]
    kpis: dict[tuple[str, int], KpiValues]
    projects: dict[tuple[str, int], ProjectValues]

    def values(self, kind: str, code: str, fiscal_year: int) -> KpiValues | ProjectValues:
        if kind == "kpi":
            return self.kpis.get((code, fiscal_year), KpiValues())
        return self.projects.get((code, fiscal_year), ProjectValues())


def _load(access: PlanAccess, forms: Iterable[FilledForm]) -> _Stored:
    years = sorted({fy for form in forms for fy in form.fiscal_years})
    plan_id = access.plan_id
    with access.reading() as s:
        plan = find_plan(s, plan_id)
        kpi_names = {
            code: name
            for code, name in s.execute(
                select(KpiRow.code, KpiRow.name).where(KpiRow.plan_id == plan_id)
            )
        }
        project_names = {
            code: title
            for code, title in s.execute(
                select(ProjectRow.code, ProjectRow.title).where(ProjectRow.plan_id == plan_id)
            )
        }
        kpis = {
            (code, fy): KpiValues(actual, FigureStatus(status) if status else None, comment or "")
            for code, fy, actual, status, comment in s.execute(
                select(
                    KpiRow.code,
                    KpiYearRow.fiscal_year,
                    KpiYearRow.actual,
                    KpiYearRow.status,
                    KpiYearRow.comment,
                )
                .join(KpiRow, KpiYearRow.kpi_id == KpiRow.id)
                .where(KpiRow.plan_id == plan_id, KpiYearRow.fiscal_year.in_(years))
            )
        }
        projects = {
            (code, fy): ProjectValues(ProjectStatus(status) if status else None, note or "")
            for code, fy, status, note in s.execute(
                select(
                    ProjectRow.code,
                    ProjectYearRow.fiscal_year,
                    ProjectYearRow.status,
                    ProjectYearRow.note,
                )
                .join(ProjectRow, ProjectYearRow.project_id == ProjectRow.id)
                .where(ProjectRow.plan_id == plan_id, ProjectYearRow.fiscal_year.in_(years))
            )
        }
        return _Stored(
            plan_key(plan),
            plan.first_fiscal_year,
            plan.last_fiscal_year,
            kpi_names,
            project_names,
            kpis,
            projects,
        )


def preview_import(
    access: PlanAccess,
    files: Sequence[ReadFile],
    *,
    fiscal_year: int | None = None,
) -> ImportPreview:
    """Compare the files' answers with the database. `fiscal_year`, when given, is the year
    the workbooks must be for (a CSV names the year on every row and may hold several)."""
    stored = _load(access, [f.form for f in files if f.form is not None])
    claimed: dict[str, tuple[str, str]] = {}  # field key → (source, canonical answer)
    seen: dict[str, str] = {}
    previews = []
    for read in files:
        if read.form is None:
            previews.append(FilePreview(read.path, read.path.name, refused=read.refused))
            continue
        refused = _refuse_file(read.form, stored, fiscal_year)
        if refused:
            previews.append(
                FilePreview(
                    read.path,
                    read.form.source,
                    read.form.scope,
                    read.form.fiscal_years,
                    refused=refused,
                )
            )
            continue
        previews.append(_file_preview(read.path, read.form, stored, claimed, seen))
    return ImportPreview(tuple(previews), seen)


def _refuse_file(form: FilledForm, stored: _Stored, fiscal_year: int | None) -> str | None:
    name = form.source
    if form.plan_key is not None and not (
        len(form.plan_key) >= 8 and stored.plan_key.startswith(form.plan_key)
    ):
        plan = f"（{form.plan_name}）" if form.plan_name else ""
        return (
            f"「{name}」は別の計画{plan}の調査票です。"
            "取り込み先の計画で作成した調査票を指定してください。"
        )
    period = range(stored.first_year, stored.last_year + 1)
    outside = [fy for fy in form.fiscal_years if fy not in period]
    if outside:
        return (
            f"「{name}」は計画期間（{fy_label(stored.first_year)}〜{fy_label(stored.last_year)}）"
            f"外の{year_where(outside[0])}の調査票です。"
        )
    is_workbook = form.fingerprint is not None  # a workbook is made for one fiscal year
    if is_workbook and fiscal_year is not None and form.fiscal_years != (fiscal_year,):
        return (
            f"「{name}」は{fy_label(form.fiscal_years[0])}の調査票です。"
            f"{fy_label(fiscal_year)}の取り込みには使えません"
            "（評価年度を切り替えてから取り込んでください）。"
        )
    return None


def _file_preview(
    path: Path,
    form: FilledForm,
    stored: _Stored,
    claimed: dict[str, tuple[str, str]],
    seen: dict[str, str],
) -> FilePreview:
    problems = list(form.problems)
    changes: list[Change] = []
    conflicts: list[Conflict] = []
    touched_rows: set[tuple[str, str, int]] = set()
    rows: set[tuple[str, str, int]] = set()
    for entry in form.entries:
        names = stored.kpi_names if entry.kind == "kpi" else stored.project_names
        what = "KPI" if entry.kind == "kpi" else "共創プロジェクト"
        if entry.code not in names:
            problems.append(
                f"{entry.where}: {what} {entry.code} はこの計画にありません"
                "（調査票の作成後に削除された可能性があります）。"
            )
            continue
        rows.add((entry.kind, entry.code, entry.fiscal_year))
        current = stored.values(entry.kind, entry.code, entry.fiscal_year).get(entry.field)
        outcome = _classify(entry, current)
        if outcome is None:
            continue
        if entry.field in (Field.COMMENT, Field.NOTE):
            problem = text_problem(entry.where, entry.field.label, str(entry.value), MAX_TEXT)
            if problem:
                problems.append(problem)
                continue
        key = field_key(entry.kind, entry.code, entry.fiscal_year, entry.field)
        answer = canonical(entry.field, entry.value)
        other = claimed.get(key)
        if other is not None:
            if other[1] != answer:
                problems.append(
                    f"{entry.where}: {entry.code} {fy_label(entry.fiscal_year)}の{entry.field.label}に、"
                    f"「{other[0]}」と異なる値が入力されています。どちらかに揃えてください。"
                )
            continue
        claimed[key] = (form.source, answer)
        seen[key] = canonical(entry.field, current)
        touched_rows.add((entry.kind, entry.code, entry.fiscal_year))
        name = names[entry.code]
        new = entry.value
        if entry.field in (Field.COMMENT, Field.NOTE):
            new = normal_text(str(entry.value or ""))
        if outcome == "change":
            changes.append(
                Change(
                    entry.kind,
                    entry.code,
                    name,
                    entry.fiscal_year,
                    entry.field,
                    current,
                    new,
                    form.source,
                    form.sheet,
                    entry.where,
                )
            )
        else:
            conflicts.append(
                Conflict(
                    entry.kind,
                    entry.code,
                    name,
                    entry.fiscal_year,
                    entry.field,
                    entry.base_value,
                    entry.base_known,
                    current,
                    new,
                    form.source,
                    form.sheet,
                    entry.where,
                )
            )
    fresh = None
    if form.fingerprint is not None and form.fiscal_years:
        fy = form.fiscal_years[0]
        now = fingerprint(
            stored.plan_key,
            fy,
            {c: stored.kpis.get((c, fy), KpiValues()) for c in form.kpi_codes},
            {c: stored.projects.get((c, fy), ProjectValues()) for c in form.project_codes},
        )
        fresh = now == form.fingerprint
    return FilePreview(
        path,
        form.source,
        form.scope,
        form.fiscal_years,
        problems=tuple(problems),
        changes=tuple(changes),
        conflicts=tuple(conflicts),
        unchanged=len(rows - touched_rows),
        fresh=fresh,
    )


def _classify(entry: Entry, current: Value) -> str | None:
    """ "change", "conflict", or None (nothing to write)."""
    if canonical(entry.field, entry.value) == canonical(entry.field, current):
        return None
    if entry.base is None:
        return "change"  # the file does not say what it was made with: a plain comparison
    if digest(entry.field, entry.value) == entry.base:
        return None  # the department left the value as it was; a later database change stays
    if digest(entry.field, current) == entry.base:
        return "change"
    return "conflict"


__all__ = [
    "Change",
    "Conflict",
    "FilePreview",
    "ImportPreview",
    "ReadFile",
    "field_key",
    "preview_import",
    "read_files",
]
