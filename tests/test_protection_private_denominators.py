"""Private denominators beside published rates: a count and its rate give the denominator away.

``denominator_public = false`` keeps the denominator column empty, but ``n = x / rate`` (up to the
rate's rounding): 39 at 97.5 % is "all but one of 40". Each attack works on the table as it was
published while P2 applied to public denominators only, and fails after ``protect``, as judged by
the audit, which works the denominators out of the shown rates (and the hierarchy).
"""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from conftest import run_cli
from test_protection_attacks import PRIVATE_IND, make_cells, primary_only

from pipelines.lib.audit import audit
from pipelines.lib.audit.model import build_model
from pipelines.lib.config import Protection
from pipelines.lib.duck import connect
from pipelines.lib.protection import protect
from pipelines.lib.release.switch import current_run_id
from pipelines.lib.stages.protection import private_run_dir, true_cells
from pipelines.lib.workspace import Workspace

DEFAULT = Protection()
ALL_BUT_ONE = {"C": {"A": (39, 40), "B": (10, 50), "D": (15, 60)}}  # C: 64 of 150 = 42.7 %
P2_FROM_RATE = "P2: kleines Komplement veröffentlicht (Nenner aus der Quote ableitbar)"


def with_rates(pub: pd.DataFrame, cells: pd.DataFrame, decimals: int = 1) -> pd.DataFrame:
    """The shown cells' rates as protect() writes them (share, rounded), beside empty denominators."""
    true = cells.set_index("district_id")
    rate = (true["numerator"] / true["denominator"] * 100).astype(float).round(decimals)
    out = pub.copy()
    shown = out["status"] == "veröffentlicht"
    out["rate"] = pd.array(np.where(shown, out["district_id"].map(rate), np.nan), dtype="Float64")
    return out


def denominators(pub: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """What the audit's attacker can prove about every denominator."""
    model = build_model(pub, DEFAULT, multipliers={"a": 100.0})
    return dict(zip(model.table["district_id"], zip(model.n_lower, model.n_upper, strict=True), strict=True))


def test_all_but_one_published_beside_its_rate():
    cells = make_cells(ALL_BUT_ONE)
    # the attack: P2 was not applied (the denominator is private), so 39 was shown at 97.5 %
    pub, log = primary_only(cells, {}, den_public=False)
    pub = with_rates(pub, cells)
    assert pub["denominator"].isna().all()
    assert denominators(pub)["A"] == (40, 40)  # 39 · 100 / [97.55, 97.45]: all but one of 40
    attacked = audit(pub, log, DEFAULT, indicators=PRIVATE_IND)  # from the publication alone
    assert not attacked.passed
    assert attacked.violations.set_index("district_id").loc["A", "reason"] == P2_FROM_RATE

    # the defence: P2 on the true denominator, and a complement so the sums do not give A back
    result = protect(cells, PRIVATE_IND, DEFAULT)
    shown = result.published.set_index("district_id")
    assert shown.loc["A", "status"] == "geheimgehalten" and pd.isna(shown.loc["A", "rate"])
    assert result.log.set_index("district_id").loc["A", "rule"] == "P2"
    assert (result.log["rule"] == "secondary").any()
    assert result.published["denominator"].isna().all()  # private stays private: no denominator column
    assert shown.loc[shown["status"] == "veröffentlicht", "rate"].notna().all()  # the rates are shown
    for truth in (cells, None):
        checked = audit(result.published, result.log, DEFAULT, true_values=truth, indicators=PRIVATE_IND)
        assert checked.passed, (checked.at_risk, checked.violations)
        assert checked.cells.set_index("district_id").loc["A", "lower"] <= 40 - DEFAULT.k


def test_hidden_all_but_one_pinned_by_the_rates_around_it():
    """Hiding the cell alone is not enough: its denominator is its parent's minus its siblings'."""
    cells = make_cells(ALL_BUT_ONE)
    pub, log = primary_only(cells, {"A": "P2"}, den_public=False)
    pub = with_rates(pub, cells)
    assert denominators(pub)["A"] == (40, 40)  # 150 − 50 − 60, each from a count and its rate
    for truth in (cells, None):  # the requirement n − k follows from the rates alone as well
        attacked = audit(pub, log, DEFAULT, true_values=truth, indicators=PRIVATE_IND)
        row = attacked.cells.set_index("district_id").loc["A"]
        assert (row["lower"], row["upper"], row["max_lower"]) == (39, 39, 37)  # 64 − 10 − 15 and x ≤ 40
        assert not row["passed"]


@pytest.mark.parametrize(("decimals", "attacker_proves_it"), [(1, False), (2, True)])
def test_rounding_leaves_an_interval(decimals, attacker_proves_it):
    """2,000 of 2,002 at 99.9 %: n in [2,002, 2,003], so the complement is 2 or 3 — not provably small,
    but P2 applies on the true denominator all the same; with 2 decimals (99.90 %) n is 2,002."""
    tree = {"C": {"A": (2000, 2002), "B": (1012, 2000), "D": (15, 60)}}  # C: 3,027 of 4,062 = 74.52 %
    cells = make_cells(tree)
    pub, log = primary_only(cells, {}, den_public=False)
    pub = with_rates(pub, cells, decimals)
    lower, upper = denominators(pub)["A"]
    assert lower == 2002 and (upper == 2002) == attacker_proves_it
    alone = audit(pub, log, DEFAULT, indicators=PRIVATE_IND)  # what the attacker can prove
    assert (P2_FROM_RATE in set(alone.violations["reason"])) == attacker_proves_it
    ruled = audit(pub, log, DEFAULT, true_values=cells, indicators=PRIVATE_IND)  # the rule on the true n
    assert ruled.violations.set_index("district_id").loc["A", "reason"] == P2_FROM_RATE

    prot = Protection(rate_decimals=decimals)
    result = protect(cells, PRIVATE_IND, prot)
    assert result.log.set_index("district_id").loc["A", "rule"] == "P2"
    checked = audit(result.published, result.log, prot, true_values=cells, indicators=PRIVATE_IND)
    assert checked.passed, (checked.at_risk, checked.violations)


def test_audit_needs_the_units_to_read_rates_beside_private_denominators():
    cells = make_cells(ALL_BUT_ONE)
    pub, log = primary_only(cells, {}, den_public=False)
    with pytest.raises(ValueError, match="indicators"):
        audit(with_rates(pub, cells), log, DEFAULT)


# --------------------------------------------------------------------------- the pipeline
INDICATOR = "arbeitslosigkeit"  # a share; made private here


def test_pipeline_with_a_private_denominator_hides_all_but_one(tiny_inputs, tmp_path):
    """The whole pipeline, ``denominator_public = false``, a planted "all but one" in the largest area."""
    ws_path = tmp_path / "ws"
    shutil.copytree(tiny_inputs, ws_path)
    config = ws_path / "sozialmonitor.toml"
    text = config.read_text(encoding="utf-8")
    block = f'id = "{INDICATOR}"\n'
    assert text.count(block) == 1
    config.write_text(text.replace(block, block + "denominator_public = false\n"), encoding="utf-8")
    path = ws_path / "data_raw/soziales/sozialdaten.csv"
    counts = pd.read_csv(path, sep=";", dtype=str, encoding="cp1252", keep_default_na=False)
    mine = counts["Indikator"] == INDICATOR
    den = counts["Nenner"].str.replace(".", "", regex=False).astype(int)
    last = counts["Jahr"].max()
    row = (den.where(mine & (counts["Jahr"] == last))).idxmax()  # the largest area: no P3
    counts.loc[row, "Zähler"] = f"{den[row] - 1:,}".replace(",", ".")
    counts.to_csv(path, sep=";", index=False, encoding="cp1252", lineterminator="\r\n")

    result = run_cli("run", "--quiet", "--workspace", str(ws_path))
    assert result.returncode == 0, result.stdout + result.stderr  # and so the audit passed
    ws = Workspace(ws_path)
    with connect(ws.mart, read_only=True) as con:
        shown = con.execute("select district_id, year, numerator, denominator, rate, ci_low, status "
                            "from indicator_values where indicator_id = ?", [INDICATOR]).df()
    assert shown["denominator"].isna().all()
    visible = shown["status"] == "veröffentlicht"
    # the rates stay (from the protection, rounded as published), without an interval: there is no n to use
    assert visible.any() and shown.loc[visible, "rate"].notna().all() and shown["ci_low"].isna().all()
    assert shown.loc[~visible, "rate"].isna().all()
    planted = shown[(shown["district_id"] == counts.at[row, "Planungsraum"]) & (shown["year"] == int(last))]
    assert planted["status"].tolist() == ["geheimgehalten"]
    log = pd.read_parquet(private_run_dir(ws, current_run_id(ws)) / "suppression_log.parquet")
    rules = log[(log["indicator_id"] == INDICATOR) & (log["district_id"] == counts.at[row, "Planungsraum"])
                & (log["year"] == int(last))]["rule"].tolist()
    assert rules == ["P2"]
    # no published cell of the indicator is "all but 1 or 2", at any level
    truth = true_cells(ws)
    both = shown.merge(truth[truth["indicator_id"] == INDICATOR], on=["district_id", "year"],
                       suffixes=("", "_true"))
    published = both[both["status"] == "veröffentlicht"]
    complement = published["denominator_true"] - published["numerator"]
    assert len(published) and not complement.between(1, 2).any()
