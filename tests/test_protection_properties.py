"""Property tests: random hierarchical tables → protect → the independent audit passes."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from random_trees import random_cells

from pipelines.lib.audit import audit
from pipelines.lib.config import Indicator, Protection
from pipelines.lib.protection import protect
from pipelines.lib.protection.protect import REQUIRED_COLUMNS

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


@st.composite
def scenarios(draw):
    depth = draw(st.integers(2, 4))
    public = draw(st.booleans())
    k = draw(st.sampled_from([3, 5]))
    prot = Protection(
        k=3,
        min_population=300,
        min_denominator=draw(st.sampled_from([5, 20])),
        publish_zeros=draw(st.booleans()),
        protection_interval=draw(st.sampled_from([1, 2, 3])),
        owner_k={"owner": k},
    )
    ind = {
        "a": Indicator(
            id="a",
            label="A",
            domain="Bildung",
            life_phase="3-6",
            direction="none",
            unit="share",
            denominator_public=public,
            data_owner="owner",
        )
    }
    cells = random_cells(draw, depth, max_count=12)
    return cells, ind, prot


@SETTINGS
@given(scenarios())
def test_protected_tables_pass_the_audit(scenario):
    cells, ind, prot = scenario
    result = protect(cells, ind, prot)
    assert result.counts["unresolved"] == 0
    checked = audit(result.published, result.log, prot, true_values=cells, indicators=ind)
    assert checked.passed, (checked.at_risk, checked.violations)
    assert checked.cells["true_in_bounds"].all()

    # the LP path agrees with the propagation on the same publication (P3 cells included)
    lp = audit(result.published, result.log, prot, true_values=cells, indicators=ind, method="lp")
    pd.testing.assert_frame_equal(lp.cells[["lower", "upper"]], checked.cells[["lower", "upper"]])

    merged = result.published.merge(
        cells[["year", "district_id", "numerator", "denominator"]],
        on=["year", "district_id"],
        suffixes=("", "_true"),
    )
    k = prot.k_for(ind["a"])
    x, n = merged["numerator_true"].to_numpy(float), merged["denominator_true"].to_numpy(float)
    shown = merged["status"] == "veröffentlicht"
    assert not (shown & (x >= 1) & (x <= k - 1)).any()  # P1
    assert not (shown & (n - x >= 1) & (n - x <= k - 1)).any()  # P2, public or not: the rate gives n away
    assert merged.loc[shown & (n > 0), "rate"].notna().all()
    if not ind["a"].denominator_public:
        assert merged["denominator"].isna().all()
    small = (merged["population"] < prot.min_population) | (n < prot.min_denominator)
    assert not (merged["numerator"].notna() & small).any()  # P3
    assert (merged.loc[small, "status"] == "zu wenige Einwohner").all()
    assert (merged.loc[shown, "numerator"] == merged.loc[shown, "numerator_true"]).all()
    if prot.publish_zeros:  # a hidden zero only beside a "zu wenige Einwohner" sibling
        small = merged.loc[merged["status"] == "zu wenige Einwohner", ["year", "parent_id"]]
        beside_small = pd.MultiIndex.from_frame(merged[["year", "parent_id"]]).isin(
            pd.MultiIndex.from_frame(small))
        assert not ((merged["status"] == "geheimgehalten") & (x == 0) & ~beside_small).any()
    assert merged.loc[~shown, "rate"].isna().all()


@SETTINGS
@given(scenarios())
def test_every_secondary_suppression_is_needed(scenario):
    cells, ind, prot = scenario
    result = protect(cells, ind, prot)
    secondary = result.log[result.log["rule"] == "secondary"]
    for row in secondary.head(4).itertuples():
        key = (result.published["year"] == row.year) & (result.published["district_id"] == row.district_id)
        true = cells.loc[(cells["year"] == row.year) & (cells["district_id"] == row.district_id), "numerator"]
        pub = result.published.copy()
        pub.loc[key, "numerator"] = true.to_numpy()
        pub.loc[key, "status"] = "veröffentlicht"
        log = result.log.drop(index=row.Index)
        assert not audit(pub, log, prot, true_values=cells, indicators=ind).passed


def test_rule_counts_match_the_log():
    rng = np.random.default_rng(7)
    rows = []
    for r in range(3):
        for leaf in range(4):
            x = int(rng.integers(0, 9))
            rows.append(["a", 2024, f"L{r}{leaf}", f"R{r}", 2, x, x + int(rng.integers(15, 40)), 500, False])
    cells = pd.DataFrame(
        rows,
        columns=list(REQUIRED_COLUMNS),
    )
    inner = cells.groupby("parent_id")[["numerator", "denominator", "population"]].sum().reset_index()
    inner = inner.rename(columns={"parent_id": "district_id"}).assign(
        indicator_id="a", year=2024, parent_id="C", level_rank=1, is_upstream_hidden=False
    )
    city = (
        inner[["numerator", "denominator", "population"]]
        .sum()
        .to_frame()
        .T.assign(
            indicator_id="a",
            year=2024,
            district_id="C",
            parent_id=None,
            level_rank=0,
            is_upstream_hidden=False,
        )
    )
    cells = pd.concat([cells, inner, city], ignore_index=True)
    cells.loc[cells["district_id"] == "L00", "is_upstream_hidden"] = True
    cells = cells.astype({"numerator": "Int64", "denominator": "Int64", "population": "Int64"})
    ind = {
        "a": Indicator(id="a", label="A", domain="Soziales", life_phase="x", direction="none", unit="share")
    }
    result = protect(cells, ind, Protection())
    assert result.log.set_index("district_id").loc["L00", "rule"] == "upstream"
    counts = result.log["rule"].value_counts().to_dict()
    assert {r: c for r, c in result.counts.items() if r != "unresolved"} == counts
    assert audit(result.published, result.log, Protection(), true_values=cells, indicators=ind).passed
