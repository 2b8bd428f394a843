"""Property test against τ-ARGUS (pytauargus MOD) on the same tables and the same primary cells.

Each example is a forest of small random hierarchies (one indicator-year each), so that one
τ-ARGUS child process serves the whole example (its start-up dominates the run time).

Claims checked:

* our pattern passes the independent audit;
* τ-ARGUS's pattern passes our audit under τ-ARGUS's own attacker model (hidden cells ≥ 0,
  denominators and populations unknown): the adapter hands τ-ARGUS the same problem;
* our information loss stays within ``FACTOR`` of MOD's, both in the number of secondary cells and
  in the sum of their values (over the example, plus ``SLACK`` cells / ``SLACK_SUM`` for tiny
  tables). ``FACTOR = 1.5`` because our attacker is stronger than τ-ARGUS's: with zeros published
  every hidden cell is known to be ≥ 1 and a published denominator bounds a hidden numerator, so
  our pattern may need complements where MOD's need none (MOD's patterns leave primary cells at
  risk under our attacker, see "Performance and comparison" in docs/data-protection.md). In the
  benchmark the ratios to MOD are 0.78–1.05; the factor guards against a regression of the greedy
  choice without failing on the attacker difference.
"""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("pytauargus")

from pipelines.lib.audit import audit
from pipelines.lib.config import Indicator, Protection
from pipelines.lib.protection import protect
from pipelines.lib.protection import tauargus_compare as tc

FACTOR = 1.5
SLACK = 2
SLACK_SUM = 20
TREES = 6
SETTINGS = settings(max_examples=3, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
KEYS = ["indicator_id", "year", "district_id"]


@st.composite
def forests(draw):
    """``TREES`` random 3-level hierarchies (city → 2–4 regions → 2–5 areas) with small counts."""
    rows = []
    counter = itertools.count()
    for year in range(2020, 2020 + TREES):
        regions = []
        for _ in range(draw(st.integers(2, 4))):
            region = f"r{next(counter)}"
            leaves = []
            for _ in range(draw(st.integers(2, 5))):
                small = draw(st.booleans())
                x = draw(st.integers(0, 6)) if small else draw(st.integers(3, 60))
                n = x + draw(st.integers(0, 80))
                pop = draw(st.sampled_from([150, 400, 900, 2500]))
                leaves.append([year, f"a{next(counter)}", region, 2, x, n, pop])
            rows += leaves
            regions.append([year, region, "city", 1, *np.sum([r[4:] for r in leaves], axis=0).tolist()])
        rows += regions
        rows.append([year, "city", None, 0, *np.sum([r[4:] for r in regions], axis=0).tolist()])
    cells = pd.DataFrame(
        rows,
        columns=["year", "district_id", "parent_id", "level_rank", "numerator", "denominator", "population"],
    )
    cells.insert(0, "indicator_id", "a")
    cells["is_upstream_hidden"] = False
    return cells.astype({"numerator": "Int64", "denominator": "Int64", "population": "Int64"})


def secondary_loss(cells: pd.DataFrame, mask: np.ndarray) -> tuple[int, float]:
    return int(mask.sum()), float(cells["numerator"].astype(float).to_numpy()[mask].sum())


@SETTINGS
@given(forests())
def test_loss_within_factor_of_tauargus_mod(tmp_path_factory, cells):
    ind = {"a": Indicator(id="a", label="A", domain="Soziales", life_phase="0-18", direction="none", unit="share")}
    prot = Protection()
    ours = protect(cells, ind, prot)
    assert ours.counts["unresolved"] == 0
    assert audit(ours.published, ours.log, prot, true_values=cells, indicators=ind).passed

    run = tc.run_tauargus(cells, ind, prot, tmp_path_factory.mktemp("tau"), method="MOD")
    assert run.failed_trees == 0
    pub, log = tc.pattern_release(cells, ours, run.hidden, ind)
    own_model = audit(
        pub.assign(denominator=pd.NA, population=pd.NA, rate=pd.NA),  # no denominators, not even via rates
        log,
        dataclasses.replace(prot, publish_zeros=False),
        true_values=cells.assign(denominator=pd.NA),
        indicators=ind,
    )
    assert own_model.at_risk[own_model.at_risk["rule"] != "secondary"].empty

    sec = ours.log.loc[ours.log["rule"] == "secondary", KEYS].assign(_s=True)
    ours_mask = cells[KEYS].merge(sec, on=KEYS, how="left")["_s"].fillna(False).to_numpy(dtype=bool)
    n_ours, sum_ours = secondary_loss(cells, ours_mask)
    n_tau, sum_tau = secondary_loss(cells, run.secondary)
    assert n_ours <= FACTOR * n_tau + SLACK, (n_ours, n_tau)
    assert sum_ours <= FACTOR * sum_tau + SLACK_SUM, (sum_ours, sum_tau)
