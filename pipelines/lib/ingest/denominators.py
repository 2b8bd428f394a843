"""Denominators computed from the population's age bands.

``share_denominator = { bands = ["0-5", "6-14", "15-17"] }`` at a count source makes the denominator of its
shares (and numerators) the sum of these bands of the district's population; ``{ minus = ["65-79", "80+"] }``
the population (the sum of all its bands) minus these; both together the sum of ``bands`` minus the sum of
``minus``. A district-year lacking any named band has no denominator (its cells are "keine Daten", reported
as gaps); a band the population does not have at all is an error, and so is a negative result.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.lib.config_keys import CONFIG_FILE
from pipelines.lib.findings import Finding
from pipelines.lib.ingest.codes import finding

KEYS = ["district_id", "year"]


def band_denominators(population: pd.DataFrame, bands: tuple[str, ...], minus: tuple[str, ...]) -> pd.DataFrame:
    """``district_id, year, population, base, subtracted``: the computed denominator of each district-year
    (NaN where a named band is missing), the sum it starts from and the sum taken off it."""
    if population.empty:
        return pd.DataFrame(columns=[*KEYS, "population", "base", "subtracted"])
    wide = population.pivot_table(index=KEYS, columns="age_band", values="population", aggfunc="sum")
    wide = wide.astype("float64")

    def total(names: tuple[str, ...]) -> pd.Series:
        present = [n for n in names if n in wide.columns]
        if len(present) < len(names):
            return pd.Series(np.nan, index=wide.index)
        return wide[present].sum(axis=1, min_count=len(present)).where(wide[present].notna().all(axis=1))

    base = total(bands) if bands else wide.sum(axis=1, min_count=1)
    subtracted = total(minus) if minus else pd.Series(0.0, index=wide.index)
    out = pd.DataFrame({"population": base - subtracted, "base": base, "subtracted": subtracted}).reset_index()
    return out.astype({"year": "int64"})


def unknown_band_findings(population: pd.DataFrame, source_id: str, bands: tuple[str, ...],
                          minus: tuple[str, ...], pop_file: str) -> list[Finding]:
    """One error per named band the population has nowhere."""
    known = sorted(population["age_band"].astype(str).unique()) if len(population) else []
    return [
        finding("SM-E346", CONFIG_FILE,
                f"[[counts]] „{source_id}“, share_denominator → {'bands' if band in bands else 'minus'}",
                value=band, hint=f"Die Bevölkerung ({pop_file or 'kein [population]'}) hat die Altersgruppen: "
                                 f"{', '.join(known) or 'keine'}.")
        for band in (*bands, *minus) if band not in known
    ]


def negative_findings(table: pd.DataFrame, source_id: str, minus: tuple[str, ...], pop_file: str,
                      names: dict[str, str] | None = None) -> list[Finding]:
    """One error per district-year whose computed denominator is below zero."""
    bad = table[table["population"] < 0].sort_values(KEYS)
    names = names or {}
    return [
        finding("SM-E347", pop_file, f"„{source_id}“: Gebiet „{r.district_id}“"
                + (f" ({names[r.district_id]})" if r.district_id in names else "") + f", Jahr {int(r.year)}",
                column="age_band", value=f"{int(r.base)} − {int(r.subtracted)} ({' + '.join(minus)}) = "
                                         f"{int(r.population)}")
        for r in bad.itertuples(index=False)
    ]
