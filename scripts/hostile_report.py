"""Run every hostile corpus (tests/safety/hostile) and write the figures into docs/RELIABILITY.md.

    python scripts/hostile_report.py [--report docs/RELIABILITY.md]

The same runs as tests/safety/test_hostile_input.py: each bad file imported into a new file,
an empty database and a database holding a plan.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BEGIN_MARK = "<!-- hostile:begin -->"
END_MARK = "<!-- hostile:end -->"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path)
    args = parser.parse_args()

    from tests.safety.hostile import CORPORA
    from tests.safety.hostile.run import PEAK_LIMIT_KB, run_corpus

    lines = []
    bad = 0
    for importer in CORPORA:
        started = time.monotonic()
        cases, results = run_corpus(importer, Path(tempfile.mkdtemp(prefix="aomori-hostile-")))
        refused = [
            r
            for r in results
            if r["code"] == 1
            and not r["hung"]
            and r["err"]
            and JAPANESE.search(r["err"].splitlines()[0])
            and "Traceback" not in r["err"]
        ]
        unchanged = [r for r in results if r["unchanged"]]
        peak = max(r["peak_kb"] for r in results)
        slowest = max(results, key=lambda r: r["seconds"])
        bad += len(results) - len(refused) + len(results) - len(unchanged)
        lines.append(
            f"| `{importer.name}` | {len(cases)} | {len(results)} | {len(refused)} | "
            f"{len(unchanged)} | {peak / 1024:.0f} MB（上限 {PEAK_LIMIT_KB // 1024} MB） | "
            f"{slowest['seconds']:.1f} s（{slowest['case']}） | {time.monotonic() - started:.0f} s |"
        )
    when = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    text = (
        f"{BEGIN_MARK}\n"
        f"Measured by `scripts/hostile_report.py` on {when}:\n\n"
        "| 形式 | ファイル数 | 読み込み（新規・空・計画あり） | 日本語の文で拒否 | "
        "データベースが1バイトも変わらず | 最大メモリ（RSS） | 最も長くかかった1件 | 全体 |\n"
        "|---|---|---|---|---|---|---|---|\n" + "\n".join(lines) + f"\n{END_MARK}"
    )
    print(text)
    if args.report is not None:
        doc = args.report.read_text(encoding="utf-8") if args.report.exists() else ""
        if BEGIN_MARK in doc and END_MARK in doc:
            head, rest = doc.split(BEGIN_MARK, 1)
            doc = head + text + rest.split(END_MARK, 1)[1]
        else:
            doc = doc.rstrip() + "\n\n" + text + "\n"
        args.report.write_text(doc, encoding="utf-8")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
