"""Protection of the indicators apart, on every core.

:func:`~pipelines.lib.protection.protect.protect` treats each indicator-year hierarchy on its own: no
cell, constraint or complement crosses from one indicator to another (linked indicators are joined
later, by the linked-tables loop and the audit). So the cells can be split by indicator, protected by
forked workers (:mod:`pipelines.lib.parallel`) and joined again (indicators that share a denominator
stay together: their denominators are protected as one table): the same result as one call, with a
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
    denominator_groups: dict[str, str] | None = None,
    denominators: bool = True,
) -> ProtectionResult:
    """:func:`protect`, one indicator (or group of indicators sharing a denominator) at a time, in
    parallel where there are many."""
    parts = protect_parts(cells, indicators, protection, earlier_releases=earlier_releases,
                          denominator_groups=denominator_groups, denominators=denominators)
    return join(parts)


def part_of(indicators: pd.Series, denominator_groups: dict[str, str] | None) -> pd.Series:
    """The part (an indicator, or the group of indicators sharing its denominator) of every row."""
    groups = denominator_groups or {}
    return indicators.astype(str).map(lambda i: groups.get(i, i))


def protect_parts(
    cells: pd.DataFrame,
    indicators: dict[str, Indicator],
    protection: Protection,
    *,
    earlier_releases: pd.DataFrame | None = None,
    denominator_groups: dict[str, str] | None = None,
    denominators: bool = True,
    only: set[str] | None = None,
) -> dict[str, ProtectionResult]:
    """The result of every part (``only``: of these parts), in parallel where there are many."""
    parts = part_of(cells["indicator_id"], denominator_groups)
    rows = parts.groupby(parts.to_numpy(), sort=True).indices
    if only is not None:
        rows = {part: r for part, r in rows.items() if part in only}
    options = {"denominator_groups": denominator_groups, "denominators": denominators}
    if len(rows) == 1 and only is None:
        return {next(iter(rows)): protect(cells, indicators, protection, earlier_releases=earlier_releases,
                                          **options)}
    earlier_part = (part_of(earlier_releases["indicator_id"], denominator_groups)
                    if earlier_releases is not None and len(earlier_releases) else None)
    earlier_rows = earlier_part.groupby(earlier_part.to_numpy()).indices if earlier_part is not None else {}

    def one(part: str) -> ProtectionResult:
        earlier = (earlier_releases.iloc[earlier_rows[part]] if part in earlier_rows
                   else None if earlier_releases is None else earlier_releases.iloc[:0])
        return protect(cells.iloc[rows[part]], indicators, protection, earlier_releases=earlier, **options)

    names = list(rows)
    results = map_pages(one, names, parts=len(names))  # each part sent back when done: less held
    return dict(zip(names, results, strict=True))


def join(parts: dict[str, ProtectionResult]) -> ProtectionResult:
    """The parts' results as one (in the order of the parts' names)."""
    results = [parts[name] for name in sorted(parts)]
    if len(results) == 1:
        return results[0]
    counts: Counter[str] = Counter()
    for result in results:
        counts.update(result.counts)
    withheld = [r.withheld for r in results if r.withheld is not None]
    dens = [r.withheld_denominators for r in results if r.withheld_denominators is not None]
    units = [r.units for r in results if r.units is not None]
    return ProtectionResult(
        published=pd.concat([r.published for r in results], ignore_index=True),
        log=pd.concat([r.log for r in results], ignore_index=True),
        counts={**{rule: counts[rule] for rule in sorted(counts) if rule != "unresolved"},
                "unresolved": counts["unresolved"]},
        withheld=pd.concat(withheld, ignore_index=True) if withheld else None,
        withheld_denominators=pd.concat(dens, ignore_index=True) if dens else None,
        units=pd.concat(units, ignore_index=True) if units else None,
    )
