"""Reading an interchange document element by element: the import of a large plan.

`read_plan_parts(chunks, escapes=...)` parses the text as it arrives (chunks of a file) with
the json module's own scanner on a sliding window: the small parts of the document whole
(`format`, `version`, `plan`, `pillars`, `projects`, `evaluations`), the `kpis` and `audit`
arrays one element at a time, and yields the plan's parts in batches, each read by the same
functions as `load_plan` reads them. Only what is yielded and one element of the text are in
memory at a time, not the whole document (its text was 1.5–2× the file, its parsed values
3–4×).

It reads documents laid out as this application writes them: the plan, its pillars and
projects before the KPIs, the evaluations and the audit log; every key once; no problem of
form anywhere. Any other document — a syntax error, a key written twice, a value of the wrong
type, another order — raises `NotStreamable` at the point it is found, and the caller reads
the file whole with `load_plan`, which names every problem exactly as before.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from aomori_desktop.domain.evaluation import EvaluationRecords
from aomori_desktop.domain.plan import AuditEntry, Kpi, Pillar, PlanInfo, Project
from aomori_desktop.exchange.json_evaluation import read_evaluation
from aomori_desktop.exchange.json_format import (
    FormatError,
    _Object,
    _object,
    _parse_int,
    _read_pillars,
    _read_plan_info,
    _read_projects,
    _Reader,
    _scan,
    check_kind,
    read_audit_entry,
    read_kpi,
)

#: KPIs (with their yearly records) and audit entries per batch handed on
KPI_BATCH = 500
AUDIT_BATCH = 5000

_HEAD = ("format", "version", "plan", "pillars", "projects")
_WHITESPACE = re.compile(r"[ \t\n\r]*")
#: how far past a value or a syntax error the window must reach for neither to be cut off by
#: the window's end
_LOOKAHEAD = 64


class NotStreamable(Exception):
    """The document is not one this reader takes element by element (a problem of form, or
    another layout): read it whole with `load_plan`, which says what is wrong, if anything."""


@dataclass(frozen=True, slots=True)
class PlanHead:
    info: PlanInfo
    pillars: tuple[Pillar, ...]
    projects: tuple[Project, ...]


@dataclass(frozen=True, slots=True)
class KpiBatch:
    first: int  # the position of the first KPI in the document
    kpis: tuple[Kpi, ...]


@dataclass(frozen=True, slots=True)
class AuditBatch:
    entries: tuple[AuditEntry, ...]


PlanPart = PlanHead | KpiBatch | AuditBatch | EvaluationRecords


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = _object(pairs)
    if isinstance(result, _Object):
        raise NotStreamable("a key written twice")
    return result


class _Window:
    """The unread text: what is left of the chunks read so far, extended as values need."""

    def __init__(self, chunks: Iterator[str]) -> None:
        self._chunks = chunks
        self.text = ""
        self.pos = 0
        self.eof = False
        decoder = json.JSONDecoder(object_pairs_hook=_pairs, parse_int=_parse_int)
        self._scan: Any = decoder.scan_once  # type: ignore[attr-defined]  # (not in typeshed)

    def _more(self) -> bool:
        """Drop what was read and append at least as much text as is left unread (a value
        longer than the window doubles it, so a long value is scanned a few times, not once
        per chunk). False at the end of the text."""
        rest = self.text[self.pos :]
        parts = [rest]
        wanted, got = max(len(rest), 1), 0
        while got < wanted:
            chunk = next(self._chunks, None)
            if chunk is None:
                self.eof = True
                break
            parts.append(chunk)
            got += len(chunk)
        self.text, self.pos = "".join(parts), 0
        return got > 0

    def peek(self) -> str:
        """The next character that is not white space ("" at the end of the text)."""
        while True:
            self.pos = _WHITESPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self._more():
                return ""

    def take(self, char: str) -> None:
        if self.peek() != char:
            raise NotStreamable(f"expected {char!r}")
        self.pos += 1

    def value(self) -> Any:
        """The JSON value at the current position, parsed whole."""
        self.peek()
        while True:
            try:
                value, end = self._scan(self.text, self.pos)
            except StopIteration as exc:
                self._retry_or_give_up(exc.value)
                continue
            except json.JSONDecodeError as exc:
                if exc.msg.startswith("Unterminated string"):
                    self._retry_or_give_up(len(self.text))
                else:
                    self._retry_or_give_up(exc.pos)
                continue
            except RecursionError as exc:
                raise NotStreamable("nested too deeply") from exc
            if end + _LOOKAHEAD >= len(self.text) and not self.eof:
                self._more()  # a number may go on in the next chunk (1.5 of 1.5e3)
                continue
            self.pos = end
            return value

    def _retry_or_give_up(self, failed_at: int) -> None:
        """A value that does not parse: cut off by the window's end (read more and try again),
        or wrong in itself."""
        if failed_at + _LOOKAHEAD < len(self.text) or self.eof or not self._more():
            raise NotStreamable("not JSON here")


def read_plan_parts(chunks: Iterator[str], *, escapes: bool) -> Iterator[PlanPart]:
    """The parts of the document in `chunks`, in the order they are written: the `PlanHead`
    once its five keys are read, then `KpiBatch`es, `EvaluationRecords` and `AuditBatch`es.

    `escapes`: whether the text holds a `\\u` escape anywhere; then every value is checked for
    characters no database can store, as `load_plan` checks them. Raises `NotStreamable`.
    """
    w = _Window(chunks)
    r = _Reader()
    head: dict[str, Any] = {}
    seen: set[str] = set()

    def checked(value: Any) -> Any:
        if escapes and _scan(value):
            raise NotStreamable("a character no database can store")
        return value

    def well_formed() -> None:
        if r.problems:
            raise NotStreamable(r.problems[0])

    w.take("{")
    if w.peek() == "}":
        raise NotStreamable("an empty object")
    while True:
        if w.peek() != '"':
            raise NotStreamable("expected a key")
        key = checked(w.value())
        if key in seen:
            raise NotStreamable("a key written twice")
        started = seen.issuperset(_HEAD)  # the plan's head has been read
        seen.add(key)
        w.take(":")
        if key in _HEAD or key not in ("kpis", "audit", "evaluations"):
            head[key] = checked(w.value())
        elif not started:
            raise NotStreamable("the plan's parts come after the KPIs")
        elif key == "evaluations":
            records = read_evaluation(r, {"evaluations": checked(w.value())})
            well_formed()
            yield records
        else:
            yield from _array(w, r, key, checked)
        if not started and seen.issuperset(_HEAD):
            try:
                check_kind(head)
            except FormatError as exc:
                raise NotStreamable(exc.problems[0]) from exc
            part = PlanHead(
                _read_plan_info(r, head["plan"]), _read_pillars(r, head), _read_projects(r, head)
            )
            well_formed()
            head.clear()
            yield part
        if w.peek() == ",":
            w.pos += 1
            continue
        w.take("}")
        break
    if w.peek() != "":
        raise NotStreamable("more after the document")
    if "kpis" not in seen or not seen.issuperset(_HEAD):
        raise NotStreamable("a part is missing")


def _array(w: _Window, r: _Reader, key: str, checked: Any) -> Iterator[KpiBatch | AuditBatch]:
    """The elements of the `kpis` or `audit` array, read one by one, yielded in batches."""
    w.take("[")
    kpis: list[Kpi] = []
    entries: list[AuditEntry] = []
    first = i = 0
    if w.peek() != "]":
        while True:
            raw = checked(w.value())
            if key == "kpis":
                kpi = read_kpi(r, raw, i)
                if kpi is not None:
                    kpis.append(kpi)
            else:
                entry = read_audit_entry(r, raw, i)
                if entry is not None:
                    entries.append(entry)
            if r.problems:
                raise NotStreamable(r.problems[0])
            i += 1
            if len(kpis) == KPI_BATCH:
                yield KpiBatch(first, tuple(kpis))
                first, kpis = i, []
            if len(entries) == AUDIT_BATCH:
                yield AuditBatch(tuple(entries))
                entries = []
            if w.peek() != ",":
                break
            w.pos += 1
    w.take("]")
    if kpis:
        yield KpiBatch(first, tuple(kpis))
    if entries:
        yield AuditBatch(tuple(entries))


def has_escapes(chunks: Iterator[bytes]) -> bool:
    """Whether the bytes of a file hold a `\\u` escape (which alone can spell a character no
    database can store: `read_plan_parts`' `escapes`)."""
    last = b""
    for chunk in chunks:
        if b"\\u" in last + chunk[:1] or b"\\u" in chunk:
            return True
        last = chunk[-1:]
    return False


def text_chunks(chunks: Iterator[bytes], *, escapes: bool) -> Iterator[str]:
    """The UTF-8 text of a file's bytes (a BOM dropped), chunk by chunk. Bytes that are no
    UTF-8, or a `\\u` escape in a file `has_escapes` found none in (it changed since), raise
    `NotStreamable`: the whole reading says what is wrong."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    last = b""
    try:
        for chunk in chunks:
            if not escapes and (b"\\u" in last + chunk[:1] or b"\\u" in chunk):
                raise NotStreamable("the file changed while it was read")
            last = chunk[-1:]
            yield decoder.decode(chunk)
        yield decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise NotStreamable("not UTF-8") from exc
