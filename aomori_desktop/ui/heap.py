"""The garbage collector and an opened plan.

An opened plan is tens of thousands of long-lived objects (the tree, the held figures of
every KPI, the pages). Python's full collection walks all of them each time it runs, which
at 5,000 KPIs took about 100 ms, once in every few interactions: a visible stutter on a
selection or a change of fiscal year. Once the plan is on screen, what exists then is
collected once and frozen (`gc.freeze`: kept out of later collections); closing the plan
thaws it, so that what the closed plan held is collected with the next full collection.
"""

from __future__ import annotations

import gc


def settle_heap() -> None:
    """Collect once, then keep everything alive now out of later collections."""
    gc.collect()
    gc.freeze()


def release_heap() -> None:
    """Let later collections reach the frozen objects again (a plan is being closed)."""
    gc.unfreeze()
