"""Smoke test of the built bundle dist/aomori-desktop/ on Linux (standard library only).

    bash scripts/build_bundle.sh && .venv-build/bin/python scripts/smoke_bundle.py

Runs the bundled executables the way an office PC does: from a copy of the folder outside the
repository, in a temporary working directory, with an empty environment (PATH=/usr/bin:/bin, a
temporary HOME, QT_QPA_PLATFORM=offscreen), and, when run as root with `unshare` available, in a
private mount namespace where the repository (source tree, .venv, .venv-build) and the Python
installation that built the bundle are hidden under empty tmpfs mounts: if the bundle still needed
any of them, the commands would fail.

Steps: --version; init; export json (16 KPIs, the plan's name); import json into a new database
and export again (identical); check; export charts when the command exists (16 non-empty PNGs,
plus one SVG and one PDF);
a bad database path (one Japanese sentence, exit 1, no traceback); the window on the offscreen
platform for a few seconds (when aomori_desktop/ui/app.py exists). Exit status 0 when all pass;
the last line reads "smoke_bundle: N passed, M failed".
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
APP_NAME = "aomori-desktop"
CLI_NAME = f"{APP_NAME}-cli"
PLAN_NAME = "青森市しごと創造戦略"
KPI_COUNT = 16
CHART_COUNT = 16
GUI_SECONDS = 5.0
COMMAND_TIMEOUT = 120.0
SYSTEM_DIRS = {
    Path(p) for p in ("/", "/usr", "/usr/local", "/bin", "/lib", "/opt", "/root", "/tmp")
}


@dataclass
class Result:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    def describe(self) -> str:
        return (
            f"$ {' '.join(self.args)}\n  exit {self.returncode}\n"
            f"  stdout: {self.stdout.strip()[:2000]}\n  stderr: {self.stderr.strip()[:2000]}"
        )


@dataclass
class Smoke:
    bundle: Path  # the copy under the temporary folder
    work: Path  # working directory of every command
    home: Path
    hidden: list[Path]
    isolate: bool
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    passed: int = 0

    # ------------------------------------------------------------ running the bundle
    def environment(self) -> dict[str, str]:
        return {
            "PATH": "/usr/bin:/bin",
            "HOME": str(self.home),
            "QT_QPA_PLATFORM": "offscreen",
        }

    def command(self, exe: str, args: Sequence[str]) -> list[str]:
        """The command line: env -i ..., inside a mount namespace that hides self.hidden."""
        target = [
            "/usr/bin/env",
            "-i",
            *(f"{k}={v}" for k, v in self.environment().items()),
            str(self.bundle / exe),
            *args,
        ]
        if not self.isolate:
            return target
        # sh -c SCRIPT sh N DIR1 .. DIRN COMMAND...: an empty read-only tmpfs over each DIR, then
        # exec the command (same process: signals and the exit status reach us unchanged).
        script = (
            'set -e; n="$1"; shift; while [ "$n" -gt 0 ]; do '
            'mount -t tmpfs -o size=1m,mode=0555 aomori-hidden "$1"; shift; n=$((n - 1)); done; '
            'exec "$@"'
        )
        return [
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "--",
            "/bin/sh",
            "-c",
            script,
            "sh",
            str(len(self.hidden)),
            *(str(p) for p in self.hidden),
            *target,
        ]

    def run(self, args: Sequence[str], *, exe: str = CLI_NAME) -> Result:
        started = time.monotonic()
        try:
            proc = subprocess.run(
                self.command(exe, args),
                cwd=self.work,
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                timeout=COMMAND_TIMEOUT,
                check=False,
            )
            returncode, stdout, stderr = proc.returncode, proc.stdout, proc.stderr
        except subprocess.TimeoutExpired:
            returncode, stdout, stderr = -9, "", f"no answer within {COMMAND_TIMEOUT:.0f} s"
        result = Result([exe, *args], returncode, stdout, stderr, time.monotonic() - started)
        print(f"  {' '.join(result.args)}  (exit {result.returncode}, {result.seconds:.2f} s)")
        return result

    # ------------------------------------------------------------ checks
    def expect(self, condition: bool, what: str, result: Result | None = None) -> bool:
        if condition:
            self.passed += 1
        else:
            detail = f"\n{result.describe()}" if result is not None else ""
            self.failures.append(f"{what}{detail}")
            print(f"    FAIL: {what}")
        return condition

    def expect_clean(self, result: Result, what: str) -> bool:
        ok = self.expect(result.returncode == 0, f"{what}: exit 0", result)
        return self.expect("Traceback" not in result.stderr, f"{what}: no traceback", result) and ok


def _app_version() -> str:
    tree = ast.parse((REPO / "aomori_desktop" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets
        ):
            return str(ast.literal_eval(node.value))
    raise SystemExit("smoke_bundle: no __version__ in aomori_desktop/__init__.py")


def _python_prefixes() -> set[Path]:
    """Where the interpreters that built or developed the bundle live (from the venvs' config)."""
    prefixes = {Path(sys.base_prefix)}
    for venv in (REPO / ".venv-build", REPO / ".venv"):
        cfg = venv / "pyvenv.cfg"
        if not cfg.is_file():
            continue
        for line in cfg.read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "home" and value.strip():
                prefixes.add(Path(value.strip()).resolve().parent)
    return prefixes


def _hidden_dirs(tmp: Path) -> list[Path]:
    """The repository and the Python installations, minus anything that must stay visible."""
    candidates: set[Path] = {REPO}
    for prefix in _python_prefixes():
        if prefix.resolve() in SYSTEM_DIRS:
            # a system Python (/usr): hide its standard library, not the whole of /usr
            candidates.update(prefix.glob("lib/python3.*"))
        else:
            candidates.add(prefix)
    hidden = []
    for path in sorted(p.resolve() for p in candidates if p.is_dir()):
        if path in SYSTEM_DIRS or tmp.resolve().is_relative_to(path):
            continue
        if Path("/usr/bin").is_relative_to(path) or Path("/bin").is_relative_to(path):
            continue
        hidden.append(path)
    return hidden


def _can_isolate(hidden: list[Path]) -> tuple[bool, str]:
    if os.name != "posix" or shutil.which("unshare") is None:
        return False, "`unshare` is not available"
    if os.geteuid() != 0:
        return False, "not root (a private mount namespace needs root)"
    if not hidden:
        return True, ""
    probe = subprocess.run(
        [
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "--",
            "/bin/sh",
            "-c",
            f"mount -t tmpfs aomori-hidden {hidden[0]} && test ! -e {hidden[0]}/aomori_desktop",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        return False, f"unshare/mount refused: {probe.stderr.strip()}"
    return True, ""


def _png_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() == ".png")


# ---------------------------------------------------------------- steps


def step_version(s: Smoke) -> None:
    r = s.run(["--version"])
    s.expect_clean(r, "--version")
    s.expect(r.stdout.strip() == f"{APP_NAME} {_app_version()}", "--version prints the version", r)


def step_init(s: Smoke) -> Path:
    db = s.work / "plan.sqlite3"
    r = s.run(["init", "--db", str(db)])
    s.expect_clean(r, "init")
    s.expect(
        f"データベース「{db}」を作成し、「{PLAN_NAME}」を登録しました" in r.stdout,
        "init prints its sentence",
        r,
    )
    s.expect(f"KPI {KPI_COUNT}" in r.stdout, f"init reports {KPI_COUNT} KPIs", r)
    ok = db.is_file() and db.read_bytes()[:16] == b"SQLite format 3\x00"
    s.expect(ok, f"init created an SQLite file at {db}")
    return db


def step_export_json(s: Smoke, db: Path, name: str) -> dict | None:  # type: ignore[type-arg]
    out = s.work / name
    r = s.run(["export", "json", "--db", str(db), "-o", str(out)])
    if not s.expect_clean(r, f"export json ({name})") or not s.expect(out.is_file(), f"{out}"):
        return None
    try:
        document = json.loads(out.read_text(encoding="utf-8"))
    except ValueError as exc:
        s.expect(False, f"{name} is JSON ({exc})")
        return None
    s.expect(len(document.get("kpis", [])) == KPI_COUNT, f"{name} has {KPI_COUNT} KPIs")
    s.expect(document.get("plan", {}).get("name") == PLAN_NAME, f"{name} names the plan")
    return document  # type: ignore[no-any-return]


def step_import_round_trip(s: Smoke, exported: dict) -> None:  # type: ignore[type-arg]
    copy = s.work / "imported.sqlite3"
    r = s.run(["import", "json", str(s.work / "plan.json"), "--db", str(copy)])
    s.expect_clean(r, "import json")
    s.expect(copy.is_file(), "import json created the new database")
    again = step_export_json(s, copy, "imported.json")
    if again is None:
        return
    # The import adds an audit entry ('imported'); the plan itself must come back unchanged.
    strip = {k: v for k, v in exported.items() if k != "audit"}
    strip_again = {k: v for k, v in again.items() if k != "audit"}
    s.expect(strip == strip_again, "export → import → export gives the same plan")


def step_check(s: Smoke, db: Path) -> None:
    r = s.run(["check", "--db", str(db)])
    s.expect_clean(r, "check")
    s.expect("整合性: 問題は見つかりませんでした。" in r.stdout, "check reports no problem", r)


def step_export_charts(s: Smoke, db: Path, kpi: str | None) -> None:
    probe = s.run(["export", "charts", "--help"])
    if probe.returncode != 0:
        note = "export charts: skipped (the bundled command line has no `export charts` yet)"
        s.notes.append(note)
        print(f"    NOTE: {note}")
        return
    out = s.work / "charts"
    out.mkdir()
    # The command is new: take the output option's spelling from its own --help.
    help_text = probe.stdout + probe.stderr
    option = next(
        (
            o
            for o in ("--output-dir", "--out-dir", "--output", "--dir", "-o")
            if re.search(rf"(^|[\s,\[]){re.escape(o)}\b", help_text)
        ),
        None,
    )
    if not s.expect(option is not None, "export charts --help names an output option", probe):
        return
    args = ["export", "charts", "--db", str(db), option, str(out)]
    if re.search(r"--format\b", help_text):
        args += ["--format", "png"]
    r = s.run(args)
    s.expect_clean(r, "export charts")
    pngs = _png_files(out)
    s.expect(len(pngs) == CHART_COUNT, f"export charts wrote {CHART_COUNT} PNGs (got {len(pngs)})")
    for png in pngs:
        head = png.read_bytes()[:8]
        s.expect(head == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 1000, f"{png} is a PNG")
    # The vector formats need other parts of Qt (QtSvg's QSvgGenerator, QPdfWriter): one chart each.
    if kpi is None or "--kpi" not in help_text:
        return
    for fmt, magic in (("svg", b"<?xml"), ("pdf", b"%PDF")):
        if not re.search(rf"\b{fmt}\b", help_text):
            continue
        folder = s.work / f"charts-{fmt}"
        args = ["export", "charts", "--db", str(db), option, str(folder)]
        r = s.run([*args, "--format", fmt, "--kpi", kpi])
        s.expect_clean(r, f"export charts --format {fmt}")
        written = sorted(folder.glob(f"*.{fmt}")) if folder.is_dir() else []
        s.expect(len(written) == 1, f"export charts --format {fmt} --kpi {kpi} wrote one file", r)
        for path in written:
            s.expect(path.read_bytes().startswith(magic), f"{path.name} is {fmt.upper()}")


def step_bad_input(s: Smoke) -> None:
    r = s.run(["check", "--db", "/nonexistent/plan.sqlite3"])
    s.expect(r.returncode == 1, "check of a missing database exits 1", r)
    s.expect("Traceback" not in r.stderr + r.stdout, "no traceback for a missing database", r)
    message = r.stderr.strip()
    japanese = any("\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" for ch in message)
    s.expect(japanese and len(message.splitlines()) == 1, "one Japanese sentence on stderr", r)


def step_gui(s: Smoke) -> None:
    if not (REPO / "aomori_desktop" / "ui" / "app.py").is_file():
        note = "GUI start: skipped (aomori_desktop/ui/app.py does not exist yet)"
        s.notes.append(note)
        print(f"    NOTE: {note}")
        return
    db = s.work / "gui.sqlite3"
    args = ["--db", str(db)]
    started = time.monotonic()
    proc = subprocess.Popen(
        s.command(APP_NAME, args),
        cwd=s.work,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
        start_new_session=True,  # one process group: unshare, sh and the application
    )
    try:
        stdout, stderr = proc.communicate(timeout=GUI_SECONDS)
        still_running = False
    except subprocess.TimeoutExpired:
        still_running = True
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            stdout, stderr = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            stdout, stderr = proc.communicate()
    seconds = time.monotonic() - started
    result = Result([APP_NAME, *args], proc.returncode, stdout, stderr, seconds)
    print(f"  {APP_NAME} --db {db}  (offscreen, {seconds:.1f} s, exit {proc.returncode})")
    s.expect(still_running, f"the window was still open after {GUI_SECONDS:.0f} s", result)
    s.expect("Traceback" not in stderr + stdout, "the window printed no traceback", result)
    s.expect("予期しないエラー" not in stderr, "the window reported no unexpected error", result)
    if not db.is_file():
        note = f"the window did not create {db.name} within {GUI_SECONDS:.0f} s (a dialog waiting?)"
        s.notes.append(note)
        print(f"    NOTE: {note}")


# ---------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", nargs="?", default=str(REPO / "dist" / APP_NAME))
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    options = parser.parse_args(argv)

    source = Path(options.bundle).resolve()
    for exe in (APP_NAME, CLI_NAME):
        if not (source / exe).is_file():
            print(
                f"smoke_bundle: {source / exe} is missing; run scripts/build_bundle.sh",
                file=sys.stderr,
            )
            return 2

    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="aomori-smoke-"))
    try:
        bundle = tmp / APP_NAME
        shutil.copytree(source, bundle, symlinks=True)
        (tmp / "home").mkdir()
        (tmp / "work").mkdir()
        hidden = _hidden_dirs(tmp)
        isolate, why_not = _can_isolate(hidden)
        smoke = Smoke(bundle, tmp / "work", tmp / "home", hidden, isolate)
        print(f"smoke_bundle: bundle copied to {bundle}")
        if isolate:
            print("smoke_bundle: hidden from the bundle: " + ", ".join(map(str, hidden)))
        else:
            note = f"source tree and build Python NOT hidden ({why_not}); copy + env -i only"
            smoke.notes.append(note)
            print(f"smoke_bundle: {note}")

        size = sum(p.lstat().st_size for p in bundle.rglob("*") if not p.is_dir())
        files = sum(1 for p in bundle.rglob("*") if not p.is_dir())
        print(f"smoke_bundle: bundle size {size / 2**20:.1f} MiB unpacked, {files} files")
        dangling = [p for p in bundle.rglob("*") if p.is_symlink() and not p.exists()]
        smoke.expect(not dangling, f"no dangling symbolic links in the bundle: {dangling[:5]}")

        step_version(smoke)
        db = step_init(smoke)
        exported = step_export_json(smoke, db, "plan.json") if db.is_file() else None
        if exported is not None:
            step_import_round_trip(smoke, exported)
        if db.is_file():
            step_check(smoke, db)
            first_kpi = (exported or {}).get("kpis", [{}])[0].get("id")
            step_export_charts(smoke, db, first_kpi if isinstance(first_kpi, str) else None)
        step_bad_input(smoke)
        step_gui(smoke)

        # The application's log (under HOME via platformdirs): user errors are logged as
        # WARNING; an ERROR line means an unexpected exception somewhere above.
        for log in sorted((tmp / "home").rglob("*.log")):
            errors = [
                line
                for line in log.read_text(encoding="utf-8", errors="replace").splitlines()
                if " ERROR " in line or " CRITICAL " in line
            ]
            smoke.expect(not errors, f"{log.name}: no ERROR logged: {errors[:3]}")
    finally:
        if options.keep:
            print(f"smoke_bundle: kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    seconds = time.monotonic() - started
    for note in smoke.notes:
        print(f"smoke_bundle: note: {note}")
    if smoke.failures:
        print(f"\nsmoke_bundle: {len(smoke.failures)} check(s) failed ({seconds:.1f} s):")
        for failure in smoke.failures:
            print(f"- {failure}")
    else:
        print(f"smoke_bundle: all checks passed ({seconds:.1f} s)")
    print(f"smoke_bundle: {smoke.passed} passed, {len(smoke.failures)} failed")
    return 1 if smoke.failures else 0


if __name__ == "__main__":
    sys.exit(main())
