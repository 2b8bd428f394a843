"""One area system per year, across releases too.

Within a release every year is published on the current districts only (ingestion carries older
systems over and rejects a year delivered on two systems, ``SM-E303``). After a boundary reform,
though, an earlier release may have published a year on districts that no longer exist. Publishing
the same year again on the new districts would let an attacker subtract old from new figures and read
the slivers between the two systems (an area of a few dozen inhabitants). Such indicator-years are
therefore withheld: the earlier release keeps them on the old districts.
"""

from __future__ import annotations

import pandas as pd

IY = ["indicator_id", "year"]
REASON = "area_system"  # the reason recorded beside such an indicator-year (``withheld.parquet``)


def published_elsewhere(cells: pd.DataFrame, earlier: pd.DataFrame | None) -> pd.DataFrame:
    """Indicator-years of ``cells`` that ``earlier`` releases published on districts not in ``cells``."""
    if earlier is None or earlier.empty:
        return pd.DataFrame({"indicator_id": pd.Series(dtype=object), "year": pd.Series(dtype="int64")})
    current = set(cells["district_id"].unique())
    gone = earlier.loc[earlier["numerator"].notna() & ~earlier["district_id"].isin(current), IY]
    present = cells[IY].drop_duplicates().astype({"year": "int64"})
    return present.merge(gone.drop_duplicates().astype({"year": "int64"}), on=IY).reset_index(drop=True)
