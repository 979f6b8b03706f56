"""Import every case of a corpus into a new file, an empty and a seeded database, in one
process, and report each outcome as a JSON line (run by `run_corpus`, not by hand).

    python -m tests.safety.hostile.runner MANIFEST.json

Peak memory is measured per import: the kernel's high-water mark (VmHWM) is reset through
/proc/self/clear_refs before each one. An import that does not finish within `TIMEOUT_S` is
stopped by an alarm and reported as hung.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import shutil
import signal
import sys
import time
from pathlib import Path
from typing import Any

TIMEOUT_S = 60


class Hung(BaseException):
    pass


def _state(folder: Path) -> dict[str, str]:
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _peak_kb() -> int:
    status = Path("/proc/self/status").read_text(encoding="ascii")
    match = re.search(r"VmHWM:\s+(\d+)", status)
    return int(match.group(1)) if match else 0


def _reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5", encoding="ascii")


def main() -> int:
    from aomori_desktop.cli import main as cli

    manifest = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    work = Path(manifest["work"])
    argv_template: list[str] = manifest["argv"]  # with {file} and {db}

    def on_alarm(_signum: int, _frame: Any) -> None:
        raise Hung()

    signal.signal(signal.SIGALRM, on_alarm)
    for case in manifest["cases"]:
        for kind in ("new", "empty", "seeded"):
            folder = work / kind / case["name"]
            folder.mkdir(parents=True, exist_ok=True)
            db = folder / "計画 データ.sqlite3"
            if kind != "new":
                shutil.copy(manifest["templates"][kind], db)
            before = _state(folder)
            argv = [
                a.replace("{file}", case["path"]).replace("{db}", str(db)) for a in argv_template
            ]
            out, err = io.StringIO(), io.StringIO()
            _reset_peak()
            started = time.monotonic()
            hung = False
            code: int | None = None
            signal.alarm(TIMEOUT_S)
            try:
                with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                    code = cli(argv)
            except Hung:
                hung = True
            except SystemExit as exc:
                code = int(exc.code or 0)
            finally:
                signal.alarm(0)
            seconds = time.monotonic() - started
            result = {
                "case": case["name"],
                "kind": kind,
                "code": code,
                "out": out.getvalue()[:2000],
                "err": err.getvalue()[:4000],
                "err_lines": err.getvalue().count("\n"),
                "unchanged": _state(folder) == before,
                "db_unchanged": _state(folder).get(db.name) == before.get(db.name),
                "peak_kb": _peak_kb(),
                "seconds": round(seconds, 3),
                "hung": hung,
            }
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
            sys.stdout.flush()
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
