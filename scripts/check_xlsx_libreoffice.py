"""Open the exported workbooks in a real office program: LibreOffice converts them to PDF.

Builds a sample plan (the strategy with two departments and a few figures), writes the plan
workbook and a collection workbook (調査票), converts both with
``soffice --headless --convert-to pdf``, and checks with pdftotext that every KPI name of the
plan is in each converted text. With ``--images DIR`` the pages are also drawn as PNG
(pdftoppm) for the documentation (docs/examples/).

LibreOffice is pointed at the application's bundled font (BIZ UDPGothic) through a private
fontconfig file, so kanji are drawn without installing any system font (a system CJK font
would hide a broken bundle in the window tests).

Usage:  .venv/bin/python scripts/check_xlsx_libreoffice.py [--images docs/examples]
Exit status 1 with a sentence when soffice or pdftotext is missing or a check fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FONTS = ROOT / "resources" / "fonts"
NOW = datetime(2025, 5, 20, 1, 0, tzinfo=UTC)


def _sample(db_path: Path):  # type: ignore[no-untyped-def]
    """The strategy with two departments, some figures and a hostile-looking comment."""
    from aomori_desktop.domain.plan import FigureStatus, ProjectStatus
    from aomori_desktop.services.kpi_fields import KpiFieldsEdit
    from aomori_desktop.services.plan_services import PlanServices
    from aomori_desktop.services.projects import ProjectFieldsEdit
    from aomori_desktop.services.workspace import create_seeded_database, default_plan_id

    db = create_seeded_database(db_path)
    services = PlanServices(db, default_plan_id(db), user="企画 花子", clock=lambda: NOW)
    sections = {"経済政策課": ("K01", "K02", "K03", "K04"), "観光課": ("K10", "K11", "K12", "K13")}
    for section, codes in sections.items():
        for code in codes:
            services.kpi_fields.update_kpi(code, KpiFieldsEdit(responsible_section=section))
    for code in ("PJ15", "PJ16", "PJ17"):
        services.projects.update_project(code, ProjectFieldsEdit(responsible_section="観光課"))
    figures = {
        ("K10", 2024): ("1120500", FigureStatus.FINAL, "インバウンドの回復により増加"),
        ("K11", 2024): ("118204", FigureStatus.PRELIMINARY, ""),
        ("K12", 2024): ("4702", FigureStatus.PRELIMINARY, "=前年比 +1.9%（数式ではなく文字）"),
        ("K01", 2024): ("1", FigureStatus.FINAL, ""),
        ("K16", 2024): ("8.4", FigureStatus.FINAL, ""),
    }
    for (code, fy), (actual, status, comment) in figures.items():
        services.values.record_actual(code, fy, Decimal(actual), status=status, comment=comment)
    services.projects.set_project_year(
        "PJ15", 2024, status=ProjectStatus.IN_PROGRESS, note="SNS広告を開始"
    )
    return db, services.access


def _fontconfig(folder: Path) -> dict[str, str]:
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{FONTS}</dir>\n"
        f"  <cachedir>{folder / 'fontcache'}</cachedir>\n"
        "</fontconfig>\n",
        encoding="utf-8",
    )
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


def _convert(soffice: str, workbook: Path, out: Path, env: dict[str, str]) -> Path:
    profile = out / "lo-profile"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(workbook),
        ],
        check=True,
        env=env,
        timeout=300,
        capture_output=True,
    )
    pdf = out / (workbook.stem + ".pdf")
    if not pdf.exists():
        raise SystemExit(f"LibreOffice は「{workbook.name}」を PDF に変換しませんでした。")
    return pdf


def _text(pdf: Path) -> str:
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True, timeout=120
    )
    return result.stdout.decode("utf-8")


def _images(pdf: Path, target: Path, stem: str, pages: int) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    prefix = target / stem
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", str(pages), str(pdf), str(prefix)],
        check=True,
        timeout=120,
    )
    return sorted(target.glob(f"{stem}-*.png"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=Path, help="draw the pages as PNG into this folder")
    args = parser.parse_args()
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftotext") is None:
        print(
            "soffice（LibreOffice）または pdftotext がありません: "
            "libreoffice-calc-nogui と poppler-utils を入れてください。",
            file=sys.stderr,
        )
        return 1
    from aomori_desktop.services.collection import (
        Scope,
        ScopeKind,
        export_plan_workbook,
        write_collection_workbooks,
    )
    from aomori_desktop.services.workspace import export_plan

    with tempfile.TemporaryDirectory(prefix="aomori-xlsx-") as tmp:
        folder = Path(tmp)
        db, access = _sample(folder / "plan.sqlite3")
        try:
            names = [k.name for k in export_plan(db).kpis]
            plan_book = folder / "plan_export.xlsx"
            export_plan_workbook(access, plan_book, 2024)
            form = folder / "collection_form.xlsx"
            write_collection_workbooks(access, 2024, Scope(ScopeKind.ALL), form)
        finally:
            db.close()
        env = _fontconfig(folder)
        failures = []
        for workbook in (plan_book, form):
            pdf = _convert(soffice, workbook, folder, env)
            text = "".join(_text(pdf).split())
            missing = [n for n in names if "".join(n.split()) not in text]
            pages = subprocess.run(
                ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True
            ).stdout
            count = next(
                (int(line.split()[-1]) for line in pages.splitlines() if line.startswith("Pages:")),
                0,
            )
            print(
                f"{workbook.name}: {count} ページ、KPI {len(names) - len(missing)}/{len(names)} 件の名称を確認"
            )
            if missing:
                failures.append(f"{workbook.name}: 見つからない KPI 名 {missing}")
            if args.images:
                for image in _images(pdf, args.images, f"xlsx_{workbook.stem}", count):
                    print(f"  {image}")
    for failure in failures:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
