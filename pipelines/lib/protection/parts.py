"""Protection of the indicators apart, on every core.

:func:`~pipelines.lib.protection.protect.protect` treats each indicator-year hierarchy on its own: no
cell, constraint or complement crosses from one indicator to another (linked indicators are joined
later, by the linked-tables loop and the audit). So the cells can be split by indicator, protected by
forked workers (:mod:`pipelines.lib.parallel`) and joined again: the same result as one call, with a
fraction of the memory per worker and both cores busy at national scale.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from pipelines.lib.config import Indicator, Protection
from pipelines.lib.parallel import map_pages
from pipelines.lib.protection.protect import ProtectionResult, protect


def protect_by_indicator(
    cells: pd.DataFrame,
    indicators: dict[str, Indicator],
    protection: Protection,
    *,
    earlier_releases: pd.DataFrame | None = None,
) -> ProtectionResult:
    """:func:`protect`, one indicator at a time (in parallel where there are many)."""
    rows = cells.groupby("indicator_id", sort=True).indices
    if len(rows) < 2:
        return protect(cells, indicators, protection, earlier_releases=earlier_releases)
    earlier_rows = (earlier_releases.groupby("indicator_id").indices
                    if earlier_releases is not None and len(earlier_releases) else {})

    def one(indicator: str) -> ProtectionResult:
        earlier = (earlier_releases.iloc[earlier_rows[indicator]] if indicator in earlier_rows
                   else None if earlier_releases is None else earlier_releases.iloc[:0])
        return protect(cells.iloc[rows[indicator]], indicators, protection, earlier_releases=earlier)

    results = map_pages(one, list(rows), parts=len(rows))  # each indicator sent back when done: less held
    counts: Counter[str] = Counter()
    for result in results:
        counts.update(result.counts)
    withheld = [r.withheld for r in results if r.withheld is not None]
    return ProtectionResult(
        published=pd.concat([r.published for r in results], ignore_index=True),
        log=pd.concat([r.log for r in results], ignore_index=True),
        counts={**{rule: counts[rule] for rule in sorted(counts) if rule != "unresolved"},
                "unresolved": counts["unresolved"]},
        withheld=pd.concat(withheld, ignore_index=True) if withheld else None,
    )
