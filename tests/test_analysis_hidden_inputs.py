"""Hidden inputs never influence a published number.

In the tiny workspace, hidden sibling cells are changed within what the published figures allow (+1 in
one, −1 in another: every parent sum and every protection status stays the same), in two inputs: a
Bildung indicator (Parquet) and child poverty (the Windows-1252 CSV), which feeds the need index, the
hot spots and the allocation. After a rerun every published table — values, analysis tables, offers,
population — is identical apart from the run id and the creation time, and so is every published file:
the pages, their embedded JSON and assets in ``dashboards/``, and ``RELEASE.json`` and the exports (CSV,
Parquet, GeoPackage, Excel) in ``data_marts/`` (read by :mod:`published_files`, which normalises only the
run id and timestamps).
"""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import run_cli
from published_files import first_difference, published_files

from pipelines.lib.config import load_config
from pipelines.lib.duck import connect
from pipelines.lib.release import ledger
from pipelines.lib.stages.linked import protect_linked
from pipelines.lib.stages.protection import read_cells
from pipelines.lib.workspace import Workspace

pytestmark = pytest.mark.slow

BILDUNG = "data_raw/bildung/bildung.parquet"  # canonical long Parquet: easy to change exactly
SOZIALES = "data_raw/soziales/sozialdaten.csv"  # Windows-1252, ';', thousands with '.', CRLF
SKIP_TABLES = {"run_info"}
HIDDEN = ("geheimgehalten", "zu wenige Einwohner")  # statuses whose figures are not published

Change = tuple[str, int, str, str]  # indicator, year, the district +1, the district −1


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


def _changed(cells: pd.DataFrame, changes: list[Change]) -> pd.DataFrame:
    out = cells.copy()
    for ind, year, up, down in changes:
        for d, delta in ((up, 1), (down, -1)):
            m = (out["indicator_id"] == ind) & (out["year"] == year) & (out["district_id"] == d)
            assert m.sum() == 1
            out.loc[m, "numerator"] += delta
    return out


def _within_relations(cells: pd.DataFrame, config) -> bool:
    """Every declared subset still a subset (else the run stops with contradicting inputs)."""
    wide = cells.pivot_table(index=["district_id", "year"], columns="indicator_id", values="numerator")
    for r in config.relations:
        if r.kind == "subset" and not (wide[r.members[0]] <= wide[r.members[1]]).fillna(True).all():
            return False
    return True


def find_change(ws: Workspace, config, indicators: set[str], files: set[str]) -> Change:
    """Two hidden leaf siblings of one of ``indicators`` whose ±1 keeps every published figure."""
    cells, _ = read_cells(ws)
    known = ledger.earlier_knowledge(ws.ledger, cells)
    base = protect_linked(cells, config, known).published
    hidden = base[base["status"].isin(HIDDEN)][["indicator_id", "year", "district_id"]]
    leaf = cells.merge(hidden, on=["indicator_id", "year", "district_id"])
    leaf = leaf[leaf["district_id"].isin(files) & leaf["indicator_id"].isin(indicators)]
    for (ind, year, _parent), group in leaf.groupby(["indicator_id", "year", "parent_id"]):
        group = group.sort_values("numerator")
        for a in group.itertuples():
            for b in group.itertuples():
                if a.district_id == b.district_id or b.numerator < 2 or a.numerator + 1 > a.denominator:
                    continue
                change = (ind, int(year), a.district_id, b.district_id)
                changed = _changed(cells, [change])
                if not _within_relations(changed, config):
                    continue
                again = protect_linked(changed, config, known).published
                if again.reset_index(drop=True).equals(base.reset_index(drop=True)):
                    return change
    raise AssertionError(f"no pair of hidden siblings of {sorted(indicators)} can be changed without changing "
                         "a published figure")


def change_parquet(path, change: Change) -> None:
    ind, year, up, down = change
    raw = pd.read_parquet(path)
    for d, delta in ((up, 1), (down, -1)):
        m = (raw["indicator_id"] == ind) & (raw["year"] == year) & (raw["district_id"] == d)
        assert m.sum() == 1
        raw.loc[m, "numerator"] += delta
    raw.to_parquet(path, index=False)


def change_csv(path, change: Change) -> None:
    """The numerator of two rows of the German long CSV, every other byte kept."""
    ind, year, up, down = change
    lines = path.read_bytes().decode("cp1252").splitlines(keepends=True)
    for d, delta in ((up, 1), (down, -1)):
        rows = [i for i, line in enumerate(lines) if line.startswith(f"{d};{year};{ind};")]
        assert len(rows) == 1
        fields = lines[rows[0]].split(";")
        fields[3] = f"{int(fields[3].replace('.', '')) + delta:,}".replace(",", ".")
        lines[rows[0]] = ";".join(fields)
    path.write_bytes("".join(lines).encode("cp1252"))


def test_changing_hidden_cells_changes_no_published_number(tiny_workspace):
    ws = Workspace.at(tiny_workspace)
    config = load_config(ws.root)
    before = mart_tables(ws)
    assert {"indicator_benchmarks", "need_index", "hotspots", "offer_coverage", "allocation", "population",
            "offers"} <= set(before)
    files_before = published_files(ws.root)
    run_before = (ws.data_marts / "CURRENT").read_text(encoding="utf-8").strip()
    kinds = {name.rsplit(".", 1)[-1] for name in files_before}
    assert {"html", "js", "css", "png", "csv", "parquet", "gpkg", "xlsx", "json"} <= kinds, kinds

    bildung = pd.read_parquet(ws.root / BILDUNG)
    leaves = set(bildung["district_id"])
    # child poverty: in the need index, the hot spots and the allocation
    assert "kinderarmut" in config.section("need_index")["indicators"]
    assert "kinderarmut" in config.section("hotspots")["indicators"]
    assert config.section("allocation")["reference_indicator"] == "kinderarmut"
    changes = {BILDUNG: find_change(ws, config, set(bildung["indicator_id"]), leaves),
               SOZIALES: find_change(ws, config, {"kinderarmut"}, leaves)}
    cells, _ = read_cells(ws)
    known = ledger.earlier_knowledge(ws.ledger, cells)
    together = protect_linked(_changed(cells, list(changes.values())), config, known).published
    assert together.reset_index(drop=True).equals(protect_linked(cells, config, known).published
                                                  .reset_index(drop=True))
    change_parquet(ws.root / BILDUNG, changes[BILDUNG])
    change_csv(ws.root / SOZIALES, changes[SOZIALES])

    result = run_cli("run", "--quiet", "--workspace", str(ws.root))
    assert result.returncode == 0, result.stdout + result.stderr
    after = mart_tables(ws)
    # the private warehouse did change …
    with connect(ws.warehouse, read_only=True) as con:
        for ind, year, up, _down in changes.values():
            now = con.execute("select numerator from int_indicator_cells where indicator_id = ? and year = ? "
                              "and district_id = ?", [ind, year, up]).fetchone()[0]
            then = cells.loc[(cells["indicator_id"] == ind) & (cells["year"] == year) & (cells["district_id"] == up),
                             "numerator"].iloc[0]
            assert now == then + 1
    # … and no published table did
    assert set(after) == set(before)
    for table, frame in before.items():
        pd.testing.assert_frame_equal(after[table], frame, obj=table)
    # … nor any published file (a new release: only its run id and time differ)
    assert (ws.data_marts / "CURRENT").read_text(encoding="utf-8").strip() != run_before
    difference = first_difference(files_before, published_files(ws.root))
    assert difference is None, difference
