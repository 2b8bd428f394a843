"""The private, append-only ledger of every cell ever published (``data_private/ledger.duckdb``).

An attacker knows all earlier releases: a cell published once stays known. The ledger is written
*before* a release is switched on, so a crash can only make it more cautious, never forgetful.
Earlier figures count as knowledge where they still equal the current true value; a revised figure
(the source corrected it) no longer tells the current value. Figures of districts that no longer exist
(an older area system) stay knowledge too: the protection does not publish their years again on the
new districts, and the audit checks that it did not.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa

from pipelines.lib.duck import connect

KEY = ["indicator_id", "year", "district_id"]
MEMORY = "512MB"  # DuckDB's for the join of the ledger with the cells (what does not fit is spilled)

_DDL = """
create table if not exists published_cells (
    run_id varchar not null,
    indicator_id varchar not null,
    year integer not null,
    district_id varchar not null,
    numerator bigint not null,
    denominator bigint
)
"""


def record(ledger: Path, run_id: str, mart: Path) -> int:
    """Append the published numerators of the release ``run_id`` that no earlier release published with the
    same figures (idempotent per run id; a nightly refresh adds only what changed). Returns the number of
    published cells of the release."""
    ledger.parent.mkdir(parents=True, exist_ok=True)
    with connect(mart, read_only=True, spatial=False) as src:
        cells = src.execute(
            "select indicator_id, year, district_id, numerator, denominator from indicator_values "
            "where status = 'veröffentlicht' and numerator is not null"
        ).to_arrow_table()
    with connect(ledger, spatial=False) as con:
        con.execute(_DDL)
        con.register("cells", cells)
        con.execute("begin transaction")
        con.execute("delete from published_cells where run_id = ?", [run_id])
        con.execute(
            "insert into published_cells select ?, c.* from cells c where not exists ("
            "select 1 from published_cells p where p.indicator_id = c.indicator_id and p.year = c.year "
            "and p.district_id = c.district_id and p.numerator = c.numerator "
            "and p.denominator is not distinct from c.denominator)", [run_id])
        con.execute("commit")
        con.execute("checkpoint")
    return cells.num_rows


def known_values(ledger: Path) -> pd.DataFrame:
    """Every cell ever published with each numerator it was published with."""
    if not ledger.exists():
        return pd.DataFrame({"indicator_id": [], "year": [], "district_id": [], "numerator": []})
    with connect(ledger, read_only=True, spatial=False) as con:
        return con.execute(
            "select distinct indicator_id, year, district_id, numerator from published_cells order by all"
        ).df()


def still_known(known: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """The earlier figures that equal the current true numerator of their cell, and every earlier
    figure of a district that is not among the current ones."""
    if known.empty:
        return known
    current = cells[[*KEY, "numerator"]].dropna(subset=["numerator"]).astype({"year": "int64"})
    merged = known.astype({"year": "int64"}).merge(current, on=KEY, suffixes=("", "_now"))
    same = merged["numerator"].astype("int64") == merged["numerator_now"].astype("int64")
    gone = known[~known["district_id"].isin(set(cells["district_id"].unique()))].astype({"year": "int64"})
    return pd.concat([merged.loc[same, [*KEY, "numerator"]], gone[[*KEY, "numerator"]]], ignore_index=True)


# still_known in SQL: the earlier figures equal to their cell's current numerator, then every earlier
# figure of a district that is gone, each part in the order of known_values
_STILL_KNOWN = """
with known as (
    select distinct indicator_id, year::bigint as year, district_id, numerator from published_cells
)
select indicator_id, year, district_id, numerator from (
    select 0 as part, k.* from known k join current_cells c on k.indicator_id = c.indicator_id
        and k.year = c.year and k.district_id = c.district_id and k.numerator = c.numerator
    union all
    select 1, k.* from known k where k.district_id not in (select district_id from current_cells)
)
order by part, indicator_id, year, district_id, numerator
"""


def earlier_knowledge(ledger: Path, cells: pd.DataFrame) -> pd.DataFrame:
    """What earlier releases still tell about ``cells``: the attacker's knowledge for this release
    (:func:`still_known` of :func:`known_values`, computed by DuckDB from an Arrow view of the cells: at
    national scale both sides have ten million rows, which pandas joined on text keys with gigabytes)."""
    if not ledger.exists():
        return known_values(ledger)
    current = pa.Table.from_pandas(cells[[*KEY, "numerator"]].dropna(subset=["numerator"]), preserve_index=False)
    with tempfile.TemporaryDirectory(prefix="sozialmonitor-ledger-") as spill, \
            connect(ledger, read_only=True, spatial=False, memory_limit=MEMORY, temp_directory=spill) as con:
        con.register("current_cells", current)
        return con.execute(_STILL_KNOWN).to_arrow_table().to_pandas()
