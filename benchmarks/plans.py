"""Synthetic plans for the benchmarks: 500, 5,000 or 50,000 KPIs, each with ten years of
values and comments, a target revision on some, projects with yearly status and notes, and an
audit history of who entered what (one entry per value, and for the latest comment).

The shape grows the way a city's 総合計画 would: ten 戦略の柱, about fifty KPIs per 共創施策,
three 共創プロジェクト per measure (one in ten re-listed under the next measure), one KPI in
twenty serving two measures. Values are exact decimals; 速報 for the last entered year.

`plan_database(kpis)` and `plan_json(kpis)` build each plan once and cache it under the temp
folder (`aomori-bench/`), keyed by the generator version and the schema revision, so that a
later run measures and does not build. The default plan (青森市しごと創造戦略, 16 KPIs) is
`default_database()`.
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GENERATOR_VERSION = 5  # bump when the shape of the synthetic plans changes
FIRST_FY, LAST_FY = 2024, 2033
UNITS = ("件", "人", "億円", "千円", "人泊", "千人", "%")
COMMENTS = (
    "前年度比で増加。新規事業者の参入が寄与した。",
    "市場環境の変化により伸び悩んだ。来年度は支援策を拡充する。",
    "目標に向けて順調に推移している。",
    "統計の公表時期の変更により速報値で計上。",
)


def cache_dir() -> Path:
    folder = Path(tempfile.gettempdir()) / "aomori-bench"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _schema_head() -> str:
    from aomori_desktop.store.migrate import SCHEMA_HEAD

    return SCHEMA_HEAD


def _stem(kpis: int) -> str:
    return f"plan-{kpis}-g{GENERATOR_VERSION}-s{_schema_head()}"


def build_snapshot(kpi_count: int, *, seed: int = 2024):  # -> PlanSnapshot
    """A whole plan as the interchange value (what an import or the JSON export holds)."""
    from aomori_desktop.domain.plan import (
        AuditEntry,
        Direction,
        FigureStatus,
        Kpi,
        KpiYear,
        Measure,
        Partner,
        Pillar,
        Placement,
        PlanInfo,
        PlanSnapshot,
        Project,
        ProjectStatus,
        ProjectYear,
        Sector,
        TargetRevision,
    )

    rng = random.Random(seed)
    pillar_count = 10 if kpi_count >= 100 else 5
    measures_per_pillar = max(2, round(kpi_count / 50 / pillar_count))
    at0 = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)
    users = ("経済政策課 佐藤", "企画調整課 鈴木", "観光課 高橋", "農林水産課 田中")
    audit: list[AuditEntry] = []
    projects: list[Project] = []
    pillars: list[Pillar] = []
    measure_codes: list[str] = []
    placements_by_measure: list[list[Placement]] = []
    for p in range(1, pillar_count + 1):
        for m in range(1, measures_per_pillar + 1):
            code = f"{p}-{m}"
            measure_codes.append(code)
            placements = []
            for n in range(1, 4):
                pid = f"PJ{len(projects) + 1:05d}"
                years = tuple(
                    ProjectYear(
                        fiscal_year=fy,
                        status=ProjectStatus.IN_PROGRESS if fy < 2027 else ProjectStatus.STUDYING,
                        note="関係機関と連携して実施" if fy == 2025 else "",
                        entered_by=users[n % len(users)],
                        entered_at=at0 + timedelta(days=365 * (fy - 2024)),
                    )
                    for fy in range(FIRST_FY, 2027)
                )
                projects.append(
                    Project(
                        id=pid,
                        title=f"共創プロジェクト {code}-{n} 地域産業の高付加価値化",
                        description="産学金官の連携により新たな事業を創出する取組。" * 2,
                        responsible_section="経済政策課",
                        partners=(
                            Partner(Sector.INDUSTRY, "青森商工会議所"),
                            Partner(Sector.ACADEMIA, "市内大学"),
                        ),
                        years=years,
                    )
                )
                placements.append(Placement(code=f"{code}-{n}", project=pid, relisting=False))
            placements_by_measure.append(placements)
    # one in ten measures re-lists the first project of the measure before it (再掲)
    for i in range(1, len(measure_codes), 10):
        home = placements_by_measure[i - 1][0]
        code = measure_codes[i]
        placements_by_measure[i].append(
            Placement(
                code=f"{code}-{len(placements_by_measure[i]) + 1}",
                project=home.project,
                relisting=True,
            )
        )
    index = 0
    for p in range(1, pillar_count + 1):
        measures = []
        for m in range(1, measures_per_pillar + 1):
            measures.append(
                Measure(
                    code=f"{p}-{m}",
                    title=f"共創施策 {p}-{m} 地域経済の活性化",
                    placements=tuple(placements_by_measure[index]),
                )
            )
            index += 1
        pillars.append(
            Pillar(
                number=p,
                lead="地域経済に活力を生み出す",
                name=f"戦略の柱{p}",
                measures=tuple(measures),
            )
        )
    kpis = []
    for i in range(kpi_count):
        code = f"K{i + 1:05d}"
        unit = UNITS[i % len(UNITS)]
        baseline = Decimal(rng.randint(10, 100000))
        if unit == "%":
            baseline = Decimal(rng.randint(10, 600)) / 10
        gain = Decimal(rng.randint(1, 50000)) if unit != "%" else Decimal(rng.randint(1, 300)) / 10
        direction = Direction.DECREASE if i % 13 == 5 else Direction.INCREASE
        target = baseline - gain / 2 if direction is Direction.DECREASE else baseline + gain
        target = max(target, Decimal(0))
        if unit == "%":
            target = min(target, Decimal(100))
        years = []
        for fy in range(FIRST_FY, LAST_FY + 1):
            share = Decimal(fy - 2023) / 10 * Decimal(rng.randint(5, 13)) / 10
            actual = (baseline + (target - baseline) * share).quantize(
                Decimal("0.1") if unit == "%" else Decimal(1)
            )
            actual = max(actual, Decimal(0))  # counts and amounts are never negative
            if unit == "%":
                actual = min(actual, Decimal(100))
            entered_at = at0 + timedelta(days=365 * (fy - 2024), minutes=i % 600)
            user = users[i % len(users)]
            comment = COMMENTS[(i + fy) % len(COMMENTS)]
            status = FigureStatus.PRELIMINARY if fy == LAST_FY else FigureStatus.FINAL
            years.append(
                KpiYear(
                    fiscal_year=fy,
                    actual=actual,
                    status=status,
                    comment=comment,
                    entered_by=user,
                    entered_at=entered_at,
                )
            )
            key = f"{code}/{fy}"
            audit.append(
                AuditEntry(entered_at, user, "update", "kpi_year", key, "actual", None, str(actual))
            )
            if fy == LAST_FY:
                audit.append(
                    AuditEntry(entered_at, user, "update", "kpi_year", key, "comment", "", comment)
                )
        revisions = ()
        if i % 10 == 3:
            revised_at = at0 + timedelta(days=400)
            step = -gain / 5 if direction is Direction.DECREASE else gain / 5
            new_target = max(target + step, Decimal(0))
            if unit == "%":
                new_target = min(new_target, Decimal(100))
            revisions = (
                TargetRevision(
                    old_value=target,
                    old_fiscal_year=LAST_FY,
                    new_value=new_target,
                    new_fiscal_year=LAST_FY,
                    reason="上位計画の改定に合わせて上方修正",
                    revised_by=users[0],
                    revised_at=revised_at,
                ),
            )
            audit.append(
                AuditEntry(
                    revised_at,
                    users[0],
                    "revise",
                    "kpi_target",
                    code,
                    "target",
                    str(target),
                    str(new_target),
                    "上位計画の改定に合わせて上方修正",
                )
            )
            target = new_target
        measures = (measure_codes[i % len(measure_codes)],)
        if i % 20 == 7 and len(measure_codes) > 1:
            measures += (measure_codes[(i + 1) % len(measure_codes)],)
        kpis.append(
            Kpi(
                id=code,
                name=f"指標{i + 1} 市内事業者の新規取引件数（{unit}）",
                unit=unit,
                baseline=baseline,
                baseline_fiscal_year=2023,
                baseline_fiscal_year_confirmed=i % 3 != 0,
                target=target,
                target_fiscal_year=LAST_FY,
                direction=direction,
                cumulative=i % 17 == 0,
                measures=measures,
                data_source="青森市統計書",
                responsible_section="経済政策課",
                definition="市内に本社を置く事業者を対象とする。",
                years=tuple(years),
                target_revisions=revisions,
            )
        )
    return PlanSnapshot(
        plan=PlanInfo(
            name=f"総合計画（ベンチマーク {kpi_count:,} KPI）",
            first_fiscal_year=FIRST_FY,
            last_fiscal_year=LAST_FY,
        ),
        pillars=tuple(pillars),
        projects=tuple(projects),
        kpis=tuple(kpis),
        audit=tuple(audit),
    )


def _build_once(target: Path, build) -> Path:  # build(partial_path) writes the file
    if target.exists():
        return target
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True) if partial.is_dir() else partial.unlink(
        missing_ok=True
    )
    started = time.perf_counter()
    build(partial)
    partial.rename(target)
    print(f"  built {target.name} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return target


def plan_json(kpis: int) -> Path:
    """The plan as an interchange file (the JSON export's bytes)."""

    def build(path: Path) -> None:
        from aomori_desktop.exchange.json_format import dump_plan

        path.write_text(dump_plan(build_snapshot(kpis)), encoding="utf-8")

    return _build_once(cache_dir() / f"{_stem(kpis)}.json", build)


def plan_database(kpis: int) -> Path:
    """A database holding the plan, written through the application's own import."""

    def build(path: Path) -> None:
        from aomori_desktop.services.workspace import import_plan
        from aomori_desktop.store.database import create_database

        db = create_database(path)
        try:
            import_plan(db, build_snapshot(kpis))
        finally:
            db.close()

    return _build_once(cache_dir() / f"{_stem(kpis)}.sqlite3", build)


def default_database() -> Path:
    """A database with the default plan as `aomori-desktop` creates it on first start."""

    def build(path: Path) -> None:
        from aomori_desktop.services.workspace import create_seeded_database

        create_seeded_database(path).close()

    return _build_once(
        cache_dir() / f"default-g{GENERATOR_VERSION}-s{_schema_head()}.sqlite3", build
    )


def empty_database() -> Path:
    """A database with the current schema and no plan (copied for each import run)."""

    def build(path: Path) -> None:
        from aomori_desktop.store.database import create_database

        create_database(path).close()

    return _build_once(cache_dir() / f"empty-s{_schema_head()}.sqlite3", build)


if __name__ == "__main__":  # build the cached plans: python benchmarks/plans.py 500 5000
    for n in [int(a) for a in sys.argv[1:]] or [500, 5000]:
        print(plan_database(n), plan_json(n))
