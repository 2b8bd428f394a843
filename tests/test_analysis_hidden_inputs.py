"""Hidden inputs never influence a published number.

In the tiny workspace, two hidden sibling cells are changed within what the published figures allow
(+1 in one, −1 in the other: every parent sum and every protection status stays the same). After a
rerun every published table — values, analysis tables, offers, population — is identical apart from
the run id and the creation time.
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import run_cli

from pipelines.lib.config import load_config
from pipelines.lib.duck import connect
from pipelines.lib.protection import protect
from pipelines.lib.release import ledger
from pipelines.lib.stages.protection import read_cells
from pipelines.lib.workspace import Workspace

pytestmark = pytest.mark.slow

BILDUNG = "data_raw/bildung/bildung.parquet"  # canonical long Parquet: easy to change exactly
SKIP_TABLES = {"run_info"}


def mart_tables(ws: Workspace) -> dict[str, pd.DataFrame]:
    out = {}
    with connect(ws.mart, read_only=True) as con:
        tables = [r[0] for r in con.execute("select table_name from duckdb_tables() order by 1").fetchall()]
        for t in tables:
            if t in SKIP_TABLES:
                continue
            cols = [r[0] for r in con.execute(f"describe {t}").fetchall() if r[0] != "run_id"]
            sel = ", ".join(f"st_astext({c}) as {c}" if c == "geometry" else c for c in cols)
            out[t] = con.execute(f"select {sel} from {t} order by all").df()
    return out


def find_change(ws: Workspace, config):
    """Two hidden leaf siblings of a Bildung indicator whose ±1 keeps every published figure."""
    cells, _ = read_cells(ws)
    indicators = {i.id: i for i in config.indicators}
    known = ledger.earlier_knowledge(ws.ledger, cells)
    base = protect(cells, indicators, config.protection, earlier_releases=known).published
    bildung = pd.read_parquet(ws.root / BILDUNG)
    hidden = base[(base["status"] == "geheimgehalten")][["indicator_id", "year", "district_id"]]
    leaf = cells.merge(hidden, on=["indicator_id", "year", "district_id"])
    leaf = leaf[leaf["district_id"].isin(bildung["district_id"]) & leaf["indicator_id"].isin(bildung["indicator_id"])]
    for (ind, year, _parent), group in leaf.groupby(["indicator_id", "year", "parent_id"]):
        group = group.sort_values("numerator")
        for a in group.itertuples():
            for b in group.itertuples():
                if a.district_id == b.district_id or b.numerator < 2 or a.numerator + 1 > a.denominator:
                    continue
                changed = cells.copy()
                for d, delta in ((a.district_id, 1), (b.district_id, -1)):
                    m = (changed["indicator_id"] == ind) & (changed["year"] == year) & (changed["district_id"] == d)
                    changed.loc[m, "numerator"] += delta
                again = protect(changed, indicators, config.protection, earlier_releases=known).published
                if again.reset_index(drop=True).equals(base.reset_index(drop=True)):
                    return ind, int(year), a.district_id, b.district_id
    raise AssertionError("no pair of hidden siblings can be changed without changing a published figure")


def test_changing_hidden_cells_changes_no_published_number(tiny_workspace):
    ws = Workspace.at(tiny_workspace)
    config = load_config(ws.root)
    before = mart_tables(ws)
    assert {"indicator_benchmarks", "need_index", "hotspots", "offer_coverage", "allocation", "population",
            "offers"} <= set(before)
    ind, year, up, down = find_change(ws, config)
    raw = pd.read_parquet(ws.root / BILDUNG)
    for d, delta in ((up, 1), (down, -1)):
        m = (raw["indicator_id"] == ind) & (raw["year"] == year) & (raw["district_id"] == d)
        assert m.sum() == 1
        raw.loc[m, "numerator"] += delta
    raw.to_parquet(ws.root / BILDUNG, index=False)
    result = run_cli("run", "--quiet", "--workspace", str(ws.root))
    assert result.returncode == 0, result.stdout + result.stderr
    after = mart_tables(ws)
    # the private warehouse did change …
    with connect(ws.warehouse, read_only=True) as con:
        now = con.execute("select numerator from int_indicator_cells where indicator_id = ? and year = ? "
                          "and district_id = ?", [ind, year, up]).fetchone()[0]
    assert now == int(raw.loc[(raw["indicator_id"] == ind) & (raw["year"] == year) & (raw["district_id"] == up),
                              "numerator"].iloc[0])
    # … and no published table did
    assert set(after) == set(before)
    for table, frame in before.items():
        pd.testing.assert_frame_equal(after[table], frame, obj=table)
