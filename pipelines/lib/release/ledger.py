"""The private, append-only ledger of every cell ever published (``data_private/ledger.duckdb``).

An attacker knows all earlier releases: a cell published once stays known. The ledger is written
*before* a release is switched on, so a crash can only make it more cautious, never forgetful.
Earlier figures count as knowledge where they still equal the current true value; a revised figure
(the source corrected it) no longer tells the current value. Figures of districts that no longer exist
(an older area system) stay knowledge too: the protection does not publish their years again on the
new districts, and the audit checks that it did not.

The ledger fails closed (:func:`check`): a missing or damaged ledger beside complete releases in
``data_marts/releases/`` stops the run (:class:`LedgerUnsafe`, exit code 3 like any unsafe release) —
otherwise the next release would take itself for the first and could use earlier published cells as
complements. :func:`rebuild` (``sozialmonitor ledger --rebuild``) records the kept releases again, oldest
first, into a fresh ledger.
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa

from pipelines.lib.duck import connect
from pipelines.lib.release.candidate import complete_releases

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
);
create table if not exists release_cells (
    run_id varchar not null,
    indicator_id varchar not null,
    year integer not null,
    district_id varchar not null,
    parent_id varchar,
    status varchar not null,
    numerator bigint,
    denominator bigint,
    population bigint,
    true_numerator double,
    true_denominator double
);
create table if not exists recorded_releases (
    run_id varchar primary key,
    recorded_at timestamp not null
);
-- true where release_cells.population is each cell's population of its own year (older ledgers recorded
-- the districts table's latest year there, which release_patterns does not read)
alter table recorded_releases add column if not exists populations_by_year boolean;
"""

REBUILD_HINT = ("Wiederherstellen aus den aufbewahrten Freigaben: sozialmonitor ledger --rebuild "
                "(siehe docs/data-protection.md, „Zeit: das private Register“).")


class LedgerUnsafe(RuntimeError):
    """The ledger cannot tell what earlier releases published: nothing may be released (German message)."""


def record(ledger: Path, run_id: str, mart: Path, truth: pd.DataFrame | None = None) -> int:
    """Append the published numerators of the release ``run_id`` that no earlier release published with the
    same figures (idempotent per run id; a nightly refresh adds only what changed). Returns the number of
    published cells of the release.

    With ``truth`` (the private cells: keys, numerator, denominator) the release's whole pattern is kept
    too (``release_cells``: every cell's status and published figures, its parent, and — private, like
    everything in ``data_private/`` — its true count and denominator), so that later releases are audited
    together with it (:mod:`pipelines.lib.audit.over_time`): which cells were hidden, and which of them
    still have the same value."""
    ledger.parent.mkdir(parents=True, exist_ok=True)
    with connect(mart, read_only=True, spatial=False) as src:
        cells = src.execute(
            "select indicator_id, year, district_id, numerator, denominator from indicator_values "
            "where status = 'veröffentlicht' and numerator is not null"
        ).to_arrow_table()
        pattern = src.execute(PATTERN_QUERY).to_arrow_table() if truth is not None else None
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
        if truth is not None:
            _record_pattern(con, run_id, pattern, truth)
        con.execute("insert into recorded_releases (run_id, recorded_at, populations_by_year) values (?, ?, ?) "
                    "on conflict do update set populations_by_year = excluded.populations_by_year",
                    [run_id, datetime.now(UTC).replace(tzinfo=None), truth is not None])
        con.execute("commit")
        con.execute("checkpoint")
    return cells.num_rows


# each cell's population is that of its own year as the release published it: the sum of its district-year's
# age bands where all are published (:func:`pipelines.lib.audit.denominators.year_population`), not the
# districts table's, which is the latest year's
PATTERN_QUERY = """
with whole as (
    select district_id, year, sum(population) as population from population group by all
    having count(*) = (select count(distinct age_band) from population)
)
select v.indicator_id, v.year, v.district_id, d.parent_id, v.status, v.numerator, v.denominator, w.population
from indicator_values v join districts d using (district_id) left join whole w using (district_id, year)
"""


def _record_pattern(con, run_id: str, pattern: pa.Table, truth: pd.DataFrame) -> None:
    """``release_cells`` of the release (inside the caller's transaction)."""
    true = pa.Table.from_pandas(
        truth[[*KEY, "numerator", "denominator"]].astype({"indicator_id": str, "district_id": str, "year": "int64"}),
        preserve_index=False)
    con.register("true_cells", true)
    con.register("pattern", pattern)
    con.execute("delete from release_cells where run_id = ?", [run_id])
    con.execute(
        """
        insert into release_cells
        select ?, p.indicator_id, p.year, p.district_id, p.parent_id, p.status, p.numerator, p.denominator,
               p.population, t.numerator, t.denominator
        from pattern p left join true_cells t on t.indicator_id = p.indicator_id and t.year = p.year
            and t.district_id = p.district_id
        """, [run_id])


def release_patterns(ledger: Path, exclude: str | None = None) -> dict[str, pd.DataFrame]:
    """Every recorded release's cells (``release_cells``), oldest first, without ``exclude``."""
    if not ledger.exists():
        return {}
    with connect(ledger, read_only=True, spatial=False) as con:
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
        if "release_cells" not in tables:
            return {}
        by_year = "r.populations_by_year" if _has_column(con, "recorded_releases", "populations_by_year") else "false"
        frame = con.execute(
            f"select c.* replace (case when {by_year} then c.population end as population) "
            "from release_cells c left join recorded_releases r using (run_id) "
            "where c.run_id is distinct from ? order by r.recorded_at, c.run_id, c.indicator_id, c.year, "
            "c.district_id", [exclude]).df()
    return {run: part.drop(columns="run_id").reset_index(drop=True) for run, part in frame.groupby("run_id", sort=False)}


def _has_column(con, table: str, column: str) -> bool:
    return bool(con.execute("select count(*) from duckdb_columns() where table_name = ? and column_name = ?",
                            [table, column]).fetchone()[0])


def check(ws) -> None:
    """Stop (:class:`LedgerUnsafe`) if complete releases exist and the ledger is missing, unreadable, or
    does not know one of them."""
    kept = [c.run_id for c in complete_releases(ws)]
    if not kept:
        return
    where = f"{ws.ledger}"
    releases = f"{ws.mart_releases} enthält {len(kept)} frühere Freigabe(n)"
    if not ws.ledger.exists():
        raise LedgerUnsafe(f"Das private Register {where} fehlt, aber {releases}. Ohne das Register wüsste der "
                           "Schutz nicht, welche Werte schon veröffentlicht sind; nichts wird veröffentlicht. "
                           + REBUILD_HINT)
    try:
        with connect(ws.ledger, read_only=True, spatial=False) as con:
            tables = {r[0] for r in con.execute("select table_name from duckdb_tables()").fetchall()}
            if "published_cells" not in tables:
                raise LedgerUnsafe(f"Das private Register {where} ist beschädigt (Tabelle published_cells "
                                   f"fehlt), aber {releases}; nichts wird veröffentlicht. " + REBUILD_HINT)
            if "recorded_releases" in tables:
                known = {r[0] for r in con.execute("select run_id from recorded_releases").fetchall()}
            else:  # a ledger from before recorded_releases: it must at least hold cells
                rows = con.execute("select count(*) from published_cells").fetchone()[0]
                known = set(kept) if rows else set()
    except LedgerUnsafe:
        raise
    except Exception as exc:  # not a DuckDB file, truncated, unreadable
        raise LedgerUnsafe(f"Das private Register {where} ist beschädigt ({type(exc).__name__}), aber "
                           f"{releases}; nichts wird veröffentlicht. " + REBUILD_HINT) from exc
    unknown = [run for run in kept if run not in known]
    if unknown:
        raise LedgerUnsafe(f"Das private Register {where} kennt {len(unknown)} der aufbewahrten Freigaben nicht "
                           f"({', '.join(unknown[:3])}{' …' if len(unknown) > 3 else ''}): es ist unvollständig "
                           "oder ersetzt worden; nichts wird veröffentlicht. " + REBUILD_HINT)


def rebuild(ws) -> tuple[int, Path | None]:
    """Record every kept (complete) release again, oldest first, into a fresh ledger that replaces the old
    one; a damaged old ledger is kept beside it (``ledger.duckdb.beschaedigt-<time>``). Returns the number of
    releases and where the old ledger went (None if there was none)."""
    kept = complete_releases(ws)
    fresh = ws.ledger.with_name(ws.ledger.name + ".neu")
    fresh.unlink(missing_ok=True)
    for candidate in kept:  # the true values it knows: the published ones (hidden cells' stay unknown)
        with connect(candidate.mart, read_only=True, spatial=False) as src:
            shown = src.execute("select indicator_id, year, district_id, numerator::double as numerator, "
                                "denominator::double as denominator from indicator_values "
                                "where status = 'veröffentlicht'").df()
        record(fresh, candidate.run_id, candidate.mart, shown)
    if not kept:
        with connect(fresh, spatial=False) as con:
            con.execute(_DDL)
    old = None
    wal = ws.ledger.with_name(ws.ledger.name + ".wal")
    if ws.ledger.exists():
        old = ws.ledger.with_name(f"{ws.ledger.name}.beschaedigt-{datetime.now(UTC):%Y%m%dT%H%M%S}")
        os.replace(ws.ledger, old)
        if wal.exists():
            os.replace(wal, old.with_name(old.name + ".wal"))
    wal.unlink(missing_ok=True)
    os.replace(fresh, ws.ledger)
    return len(kept), old


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
