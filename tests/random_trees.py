"""Random hierarchical tables for property tests: one or two years of a city, ``depth`` levels deep."""

from __future__ import annotations

import itertools

import pandas as pd
from hypothesis import strategies as st


def random_cells(draw, depth: int, max_count: int, max_leaves: int | None = None) -> pd.DataFrame:
    """Cells of indicator ``a`` (the columns ``protect`` reads): leaves with counts 0 to ``max_count``,
    denominators up to 40 above them and populations of 100, 400 or 900; parents sum their children (two to
    four each); at most ``max_leaves`` leaves per year where given."""
    rows = []
    for year in range(2020, 2020 + draw(st.integers(1, 2))):
        counter = itertools.count()
        leaves = [0]

        def grow(name, parent, rank, year=year, counter=counter, leaves=leaves):
            full = max_leaves is not None and leaves[0] >= max_leaves
            if rank == depth - 1 or full or (rank >= 1 and draw(st.integers(0, 3)) == 0):
                leaves[0] += 1
                x = draw(st.integers(0, max_count))
                n = x + draw(st.integers(0, 40))
                pop = draw(st.sampled_from([100, 400, 900]))
                rows.append([year, name, parent, rank, x, n, pop])
                return x, n, pop
            x = n = pop = 0
            for _ in range(draw(st.integers(2, 4))):
                cx, cn, cp = grow(f"d{next(counter)}", name, rank + 1)
                x, n, pop = x + cx, n + cn, pop + cp
            rows.append([year, name, parent, rank, x, n, pop])
            return x, n, pop

        grow("city", None, 0)
    cells = pd.DataFrame(
        rows,
        columns=["year", "district_id", "parent_id", "level_rank", "numerator", "denominator", "population"],
    )
    cells.insert(0, "indicator_id", "a")
    cells["is_upstream_hidden"] = False
    return cells.astype({"numerator": "Int64", "denominator": "Int64", "population": "Int64"})
