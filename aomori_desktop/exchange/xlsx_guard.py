"""Checks a file before openpyxl reads it, and opens it read-only within bounds.

A returned workbook comes from outside the planning section: it may be an old .xls, a
password-protected (encrypted) file, a renamed document, a broken download or a deliberately
hostile zip. Each is refused here with one sentence, before any XML is parsed:

* the file's size, and its magic bytes (zip, OLE compound file, other),
* an OLE file is either an encrypted OOXML workbook (it holds an ``EncryptionInfo`` stream)
  or the old binary format,
* the zip's directory: number of entries and the uncompressed sizes it declares (a
  decompression bomb declares gigabytes; Python's zip reader never inflates more than the
  declared size, so the declared sizes bound the work),
* the parts a workbook must have.

openpyxl itself parses XML through defusedxml (installed as a dependency), so entity
expansion and external entities are refused by the parser too.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

from aomori_desktop.domain.errors import UserError

MAX_FILE_BYTES: Final = 50_000_000
MAX_ENTRIES: Final = 2_000
#: Total and per-part uncompressed size a returned workbook may declare.
MAX_UNCOMPRESSED: Final = 300_000_000
MAX_PART: Final = 150_000_000

_OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC: Final = b"PK\x03\x04"
_MERGE: Final = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)\"")


class WorkbookRefused(UserError):
    """The file cannot be read as a workbook; nothing was read into the database."""


def _name(path: Path) -> str:
    return path.name


def check_file(path: Path) -> None:
    """Refuse, with one sentence, anything that is not a readable .xlsx within bounds."""
    name = _name(path)
    if not path.exists():
        raise WorkbookRefused(f"ファイル「{name}」が見つかりません。")
    if path.is_dir():
        raise WorkbookRefused(f"「{name}」はフォルダーです。Excel のブックを指定してください。")
    if not path.is_file():  # a pipe would wait for ever, a device never ends (docs/RELIABILITY.md)
        raise WorkbookRefused(
            f"「{name}」は通常のファイルではありません（装置やパイプなど）。Excel のブックを指定してください。"
        )
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(8)
    except PermissionError as exc:
        raise WorkbookRefused(f"ファイル「{name}」を読み取る権限がありません。") from exc
    except OSError as exc:
        raise WorkbookRefused(
            f"ファイル「{name}」を読み取れません（{exc.strerror or exc}）。"
            "Excel で開いている場合は閉じてからもう一度お試しください。"
        ) from exc
    if size == 0:
        raise WorkbookRefused(f"ファイル「{name}」は空です（0 バイト）。")
    if size > MAX_FILE_BYTES:
        raise WorkbookRefused(
            f"ファイル「{name}」は大きすぎます（{size / 1_000_000:,.0f} MB）。"
            f"読み込めるブックは {MAX_FILE_BYTES // 1_000_000} MB までです。"
        )
    if head == _OLE_MAGIC:
        if _is_encrypted_ooxml(path):
            raise WorkbookRefused(
                f"ブック「{name}」はパスワードで保護されているため読み込めません。"
                "Excel でパスワードを解除して保存し直してから取り込んでください。"
            )
        raise WorkbookRefused(
            f"「{name}」は古い形式（.xls）のブックのため読み込めません。"
            "Excel で「Excel ブック (*.xlsx)」として保存し直してから取り込んでください。"
        )
    if head[:4] != _ZIP_MAGIC:
        raise WorkbookRefused(
            f"「{name}」は Excel のブック（.xlsx）ではありません。"
            "このアプリケーションで作成した調査票を Excel で保存したものを指定してください。"
        )
    _check_zip(path, name)


def _is_encrypted_ooxml(path: Path) -> bool:
    """An OLE compound file holding an "EncryptionInfo" stream: Excel's password-protected
    .xlsx (the old .xls format has a "Workbook" stream instead). Stream names are UTF-16."""
    marker = "EncryptionInfo".encode("utf-16-le")
    with path.open("rb") as f:
        data = f.read(min(MAX_FILE_BYTES, 4_000_000))
    return marker in data


def _check_zip(path: Path, name: str) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise WorkbookRefused(
            f"ブック「{name}」は壊れているため読み込めません（zip 形式として読み取れません）。"
        ) from exc
    if len(infos) > MAX_ENTRIES:
        raise WorkbookRefused(
            f"ブック「{name}」は部品の数が多すぎるため読み込めません（{len(infos):,} 個）。"
        )
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_PART or total > MAX_UNCOMPRESSED:
            raise WorkbookRefused(
                f"ブック「{name}」は展開すると大きくなりすぎるため読み込めません"
                f"（{MAX_UNCOMPRESSED // 1_000_000} MB 超）。圧縮爆弾の可能性があります。"
            )
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        if "content.xml" in names or "mimetype" in names:
            raise WorkbookRefused(
                f"「{name}」は OpenDocument 形式（.ods など）のため読み込めません。"
                "「Excel ブック (*.xlsx)」として保存し直してください。"
            )
        raise WorkbookRefused(
            f"「{name}」は Excel のブック（.xlsx）ではありません（ブックの部品がありません）。"
        )


@contextmanager
def open_read_only(path: Path, *, data_only: bool) -> Iterator[Any]:
    """The workbook opened read-only (streaming) after `check_file`; closed on exit.

    `data_only=True` gives the values Excel computed for formulas (its cached results).
    Any parser failure becomes one sentence.
    """
    import openpyxl

    name = _name(path)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about data validation / conditional formatting extensions it
            # drops in read-only mode; they are irrelevant for reading values
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(path, read_only=True, data_only=data_only, keep_links=False)
    except WorkbookRefused:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise WorkbookRefused(
            f"ブック「{name}」は壊れているか、Excel のブックとして読み取れません。"
            "Excel で開いて保存し直してから取り込んでください。"
        ) from exc
    try:
        yield wb
    finally:
        wb.close()


def merged_ranges(path: Path, worksheet_path: str) -> list[str]:
    """The merged ranges (``M7:M8``) of one sheet, read from its XML (openpyxl's read-only
    mode does not report them). The part's size was bounded by `check_file`."""
    part = worksheet_path.lstrip("/")
    try:
        with zipfile.ZipFile(path) as archive, archive.open(part) as f:
            found: dict[int, str] = {}  # absolute offset → range (a tag is seen once)
            tail, offset = b"", 0
            while chunk := f.read(1_000_000):
                data = tail + chunk
                for m in _MERGE.finditer(data):
                    found.setdefault(offset + m.start(), m.group(1).decode())
                # a tag is under 100 bytes: one cut between two chunks lies wholly in the tail
                tail = data[-100:]
                offset += len(data) - len(tail)
            ranges = [found[k] for k in sorted(found)]
            return ranges
    except (KeyError, zipfile.BadZipFile, OSError, EOFError) as exc:
        raise WorkbookRefused(
            f"ブック「{_name(path)}」は壊れているため読み込めません（シートの部品を読み取れません）。"
        ) from exc
