"""The plan tree and its grades as plain SQL, and the values built from the rows.

One set of statements serves two readers: `PlanQueries` runs them through `sqlalchemy.text`
on either back end, and the window's first paint (services/first_look.py) runs them with the
standard library's `sqlite3` before SQLAlchemy is imported. So the tree painted first is, row
for row and badge for badge, the tree the full opening reads. Plain Python: no SQLAlchemy.

Parameters are named (`:plan_id`, `:fiscal_year`), which both `sqlite3` and `text()` accept.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, Final

from aomori_desktop.domain.grading import GradeScheme, SchemeKey, scheme_from_setting
from aomori_desktop.domain.plan import Direction
from aomori_desktop.domain.progress import KpiTerms, YearProgress, evaluate_year
from aomori_desktop.services.dto import NodeKind, TreeKey, TreeNode, circled
from aomori_desktop.store.errors import stored_decimal

#: the plan a window opens: the first one (`workspace.default_plan_id`)
FIRST_PLAN_SQL: Final = "SELECT MIN(id) FROM plan"

#: name, period and grade scheme of one plan
PLAN_SQL: Final = (
    "SELECT name, first_fiscal_year, last_fiscal_year, grade_scheme FROM plan WHERE id = :plan_id"
)

#: the plan's own grade thresholds (none: its preset's)
THRESHOLDS_SQL: Final = (
    "SELECT value FROM grade_threshold WHERE plan_id = :plan_id ORDER BY position"
)

# Pillars (part 0), measures (1), project listings including re-listings (2) and KPI listings
# (3) in one statement; each part in the order the tree shows it.
TREE_SQL: Final = """
SELECT 0 AS part, p.id AS id, NULL AS parent, p.number AS number,
       p.lead AS a, p.name AS b, '' AS c, 0 AS flag, p.position AS o1, p.number AS o2
  FROM pillar p WHERE p.plan_id = :plan_id
UNION ALL
SELECT 1, m.id, m.pillar_id, m.number, m.title, '', '', 0, m.position, m.number
  FROM measure m JOIN pillar p ON m.pillar_id = p.id WHERE p.plan_id = :plan_id
UNION ALL
SELECT 2, NULL, pl.measure_id, pl.number, pr.code, pr.title, pr.description,
       CASE WHEN pl.relisting THEN 1 ELSE 0 END, pl.number, 0
  FROM placement pl JOIN project pr ON pl.project_id = pr.id WHERE pr.plan_id = :plan_id
UNION ALL
SELECT 3, NULL, km.measure_id, NULL, k.code, k.name, k.definition, 0, k.position, 0
  FROM kpi_measure km JOIN kpi k ON km.kpi_id = k.id WHERE k.plan_id = :plan_id
ORDER BY 1, 9, 10
"""

#: each KPI's terms and its figures for one fiscal year (the tree's badges)
PROGRESS_SQL: Final = """
SELECT k.code, k.baseline, k.baseline_fiscal_year, k.target, k.target_fiscal_year,
       k.direction, y.actual, y.interim_target
  FROM kpi k
  LEFT OUTER JOIN kpi_year y ON y.kpi_id = k.id AND y.fiscal_year = :fiscal_year
 WHERE k.plan_id = :plan_id
"""

#: the same for some KPIs only (`:codes` is an expanding parameter: SQLAlchemy only)
PROGRESS_OF_CODES_SQL: Final = PROGRESS_SQL + "   AND k.code IN :codes\n"


def build_tree(plan_name: str, rows: Iterable[Sequence[Any]]) -> TreeNode:
    """The plan tree from the rows of `TREE_SQL`."""
    pillars: list[Sequence[Any]] = []
    measures: list[Sequence[Any]] = []
    placements: list[Sequence[Any]] = []
    links: list[Sequence[Any]] = []
    parts = (pillars, measures, placements, links)
    for row in rows:
        parts[row[0]].append(row)
    pillar_number = {p[1]: p[3] for p in pillars}
    measure_code = {m[1]: f"{pillar_number[m[2]]}-{m[3]}" for m in measures}
    homes: dict[str, TreeKey] = {}
    for _part, _id, measure_id, number, code, _t, _d, relisting, _o1, _o2 in placements:
        if not relisting:
            homes[code] = TreeKey.placement(measure_code[measure_id], number)
    children: dict[int, list[TreeNode]] = defaultdict(list)
    for _part, _id, measure_id, number, code, title, description, relisting, _o1, _o2 in placements:
        children[measure_id].append(
            TreeNode(
                kind=NodeKind.PROJECT,
                key=TreeKey.placement(measure_code[measure_id], number),
                code=circled(number),
                title=title,
                ref=code,
                relisting=bool(relisting),
                home=homes.get(code) if relisting else None,
                detail=description,
            )
        )
    for _part, _id, measure_id, _n, code, name, definition, _f, _o1, _o2 in links:
        children[measure_id].append(
            TreeNode(
                kind=NodeKind.KPI,
                key=TreeKey.kpi(code, measure_code[measure_id]),
                code=code,
                title=name,
                ref=code,
                detail=definition,
            )
        )
    by_pillar: dict[int, list[TreeNode]] = defaultdict(list)
    for _part, measure_id, pillar_id, _n, title, *_rest in measures:
        code = measure_code[measure_id]
        by_pillar[pillar_id].append(
            TreeNode(
                kind=NodeKind.MEASURE,
                key=TreeKey.of_measure(code),
                code=code,
                title=title,
                ref=code,
                children=tuple(children[measure_id]),
            )
        )
    pillar_nodes = tuple(
        TreeNode(
            kind=NodeKind.PILLAR,
            key=TreeKey.pillar(number),
            code=str(number),
            title=f"{lead} {name}".strip(),
            ref=str(number),
            children=tuple(by_pillar[pillar_id]),
        )
        for _part, pillar_id, _parent, number, lead, name, *_rest in pillars
    )
    return TreeNode(
        kind=NodeKind.PLAN, key=TreeKey.plan(), code="", title=plan_name, children=pillar_nodes
    )


def build_scheme(key: str, thresholds: Sequence[Any]) -> GradeScheme:
    """The plan's grade scheme from its `grade_scheme` and the rows of `THRESHOLDS_SQL`."""
    return scheme_from_setting(SchemeKey(key), [stored_decimal(v) for (v,) in thresholds] or None)


def build_progress(
    rows: Iterable[Sequence[Any]], fiscal_year: int, scheme: GradeScheme
) -> dict[str, YearProgress]:
    """Each KPI's progress in `fiscal_year` from the rows of `PROGRESS_SQL`."""

    def number(value: Any) -> Any:
        return None if value is None else stored_decimal(value)

    return {
        code: evaluate_year(
            KpiTerms(
                stored_decimal(baseline),
                baseline_fy,
                stored_decimal(target),
                target_fy,
                Direction(direction),
            ),
            fiscal_year,
            number(actual),
            number(interim),
            scheme,
        )
        for code, baseline, baseline_fy, target, target_fy, direction, actual, interim in rows
    }
