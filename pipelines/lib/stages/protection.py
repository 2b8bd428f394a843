"""Protection stage: the boundary between private counts and anything published.

It is the last stage that reads the private warehouse. It applies primary and secondary suppression,
keeps the rule behind every hidden cell in a private suppression log, and writes the candidate mart
with protected figures only. Every later stage reads the candidate mart.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa

from pipelines.lib.config import Config
from pipelines.lib.duck import connect
from pipelines.lib.parallel import give_back_memory
from pipelines.lib.release import ledger
from pipelines.lib.release.candidate import Candidate
from pipelines.lib.release.mart import write_mart
from pipelines.lib.release.protection_report import DENOMINATORS_FILE, UNITS_FILE, WITHHELD_FILE
from pipelines.lib.release.public_tables import (
    publishable_population,
    read_public_inputs,
    write_public_tables,
)
from pipelines.lib.stages.linked import protect_linked
from pipelines.lib.workspace import Workspace

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProtectionOutcome:
    hidden_by_rule: dict[str, int]
    mart_rows: dict[str, int]
    log_path: Path
    withheld: int = 0  # indicator-years published before on other districts (another area system)


def private_run_dir(ws: Workspace, run_id: str) -> Path:
    return ws.data_private / "releases" / run_id


PUBLISHED_COLUMNS = ("district_id", "year", "indicator_id", "numerator", "denominator", "rate", "status", "is_derived")

# the counts as doubles, as a data frame holds DuckDB's HUGEINT sums anyway: cast in SQL and read through
# Arrow (national, 10 million cells: 4 s and 1.9 GiB at the peak, against 10 s and 4.1 GiB with ``.df()``)
CELLS_QUERY = (
    "select indicator_id, year, district_id, parent_id, level_rank, numerator::double as numerator, "
    "denominator::double as denominator, population::double as population, is_upstream_hidden, is_derived "
    "from int_indicator_cells"
)


def _cells(con) -> pd.DataFrame:
    cells = con.execute(CELLS_QUERY).to_arrow_table().to_pandas()
    # a few dozen indicators and some thousand districts over ten million cells: codes instead of texts, in
    # the cells and in every result of the protection (districts and parents share their categories)
    districts = pd.CategoricalDtype(pd.Index(pd.concat([cells["district_id"], cells["parent_id"]]).dropna()
                                             .unique()).sort_values())
    return cells.astype({"indicator_id": "category", "district_id": districts, "parent_id": districts})


def true_cells(ws: Workspace) -> pd.DataFrame:
    """The private cells (true values) of the current warehouse."""
    with connect(ws.warehouse, read_only=True) as con:
        return _cells(con)


def read_cells(ws: Workspace) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Indicator cells and public district attributes from the private warehouse."""
    with connect(ws.warehouse, read_only=True) as con:
        cells = _cells(con)
        districts = con.execute(
            """
            with latest as (
                select district_id, arg_max(population, year) as population
                from int_population group by all
            )
            select d.district_id, d.name, d.level, d.level_label, d.level_rank, d.parent_id,
                   latest.population, d.area_km2, st_aswkb(d.geometry) as wkb
            from stg_districts d left join latest using (district_id)
            """
        ).df()
    return cells, districts


def without_district_years(population: pd.DataFrame, withheld: pd.DataFrame) -> pd.DataFrame:
    """The age bands, without the district-years in which a denominator is withheld: a denominator may be a
    sum of age bands (children under 3: band "0-2"), which would give it back."""
    if withheld.empty or population.empty:
        return population
    gone = pd.MultiIndex.from_frame(withheld[["district_id", "year"]].astype({"district_id": str, "year": "int64"}))
    keys = pd.MultiIndex.from_frame(population[["district_id", "year"]].astype({"district_id": str, "year": "int64"}))
    return population[~keys.isin(gone)].reset_index(drop=True)


def run(ws: Workspace, config: Config, candidate: Candidate) -> ProtectionOutcome:
    ledger.check(ws)  # fails closed: no release beside earlier ones without knowing what they published
    cells, districts = read_cells(ws)
    result = protect_linked(cells, config, ledger.earlier_knowledge(ws.ledger, cells),
                            patterns=ledger.release_patterns(ws.ledger))
    del cells  # the true counts are not needed again: their memory is free before the mart is written
    log_dir = private_run_dir(ws, candidate.run_id)
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / "suppression_log.parquet"
    result.log.to_parquet(log_path, index=False)
    withheld = (result.withheld if result.withheld is not None
                else pd.DataFrame(columns=["indicator_id", "year", "reason"]))
    withheld[["indicator_id", "year", "reason"]].astype({"indicator_id": str, "reason": str}).to_parquet(
        log_dir / WITHHELD_FILE, index=False)  # for the report
    dens = result.withheld_denominators
    dens = dens if dens is not None else pd.DataFrame(columns=["indicator_id", "year", "district_id"])
    dens = dens.astype({"indicator_id": str, "district_id": str})
    dens.to_parquet(log_dir / DENOMINATORS_FILE, index=False)
    if result.units is not None:  # secondary = "optimal": which indicator-years fell back to the greedy pattern
        result.units.astype({"indicator_id": str, "method": str, "reason": str}).to_parquet(
            log_dir / UNITS_FILE, index=False)
        fell_back = result.fallback_units
        if len(fell_back):
            logger.warning("optimal secondary suppression fell back to greedy for %d indicator-years: %s",
                           len(fell_back), ", ".join(f"{r.indicator_id}/{r.year} ({r.reason})"
                                                     for r in fell_back.head(20).itertuples()))
    by_rule = result.log["rule"].value_counts().sort_index().to_dict() if len(result.log) else {}
    published = pa.Table.from_pandas(result.published[list(PUBLISHED_COLUMNS)], preserve_index=False)
    del result  # only the published columns, as Arrow, while DuckDB writes and indexes them
    give_back_memory()
    candidate.start()
    rows = write_mart(candidate.mart, config, candidate.run_id, districts, published)
    del published
    population, offers, leaves = read_public_inputs(ws.warehouse)  # public inputs: offers, protected age bands
    bands = without_district_years(publishable_population(population, leaves, config.protection), dens)
    rows |= write_public_tables(candidate.mart, candidate.run_id, bands, offers)
    return ProtectionOutcome(hidden_by_rule={str(k): int(v) for k, v in by_rule.items()}, mart_rows=rows,
                             log_path=log_path, withheld=len(withheld))
