"""The analysis stage: reads and extends the candidate mart, never the private warehouse."""

from __future__ import annotations

from pathlib import Path

from pipelines.lib.analysis.rates import compute_rates
from pipelines.lib.config import Config
from pipelines.lib.duck import connect


def analyse_candidate(mart: Path, config: Config) -> dict[str, int]:
    """Compute rates and confidence intervals of the published values in the candidate mart."""
    con = connect(mart)
    try:
        values = con.execute(
            "select district_id, year, indicator_id, numerator, denominator, status from indicator_values"
        ).df()
        rated = compute_rates(values, config)[["district_id", "year", "indicator_id", "rate", "ci_low", "ci_high"]]
        con.register("rated", rated)
        con.execute(
            "update indicator_values set rate = r.rate, ci_low = r.ci_low, ci_high = r.ci_high "
            "from rated as r where indicator_values.district_id = r.district_id "
            "and indicator_values.year = r.year and indicator_values.indicator_id = r.indicator_id"
        )
        with_rate = con.execute("select count(*) from indicator_values where rate is not null").fetchone()[0]
        con.execute("checkpoint")
    finally:
        con.close()
    return {"values_with_rate": with_rate}
