"""Hot spots on generated grids: a planted cluster is found, shuffled values give nothing."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from pipelines.lib.analysis.hotspots import HotspotSettings, benjamini_hochberg, local_moran

N = 15


def grid(n: int = N, gaps=()) -> gpd.GeoDataFrame:
    cells = [(i, j) for j in range(n) for i in range(n)]
    frame = gpd.GeoDataFrame(
        {"district_id": [f"{k:03d}" for k in range(n * n)], "i": [c[0] for c in cells], "j": [c[1] for c in cells]},
        geometry=[shapely.box(i, j, i + 1, j + 1) for i, j in cells],
    )
    return frame


def planted(seed: int = 7):
    g = grid()
    cluster = ((g["i"] >= 3) & (g["i"] < 8) & (g["j"] >= 3) & (g["j"] < 8)).to_numpy()
    rng = np.random.default_rng(seed)
    base = rng.integers(300, 700, len(g)).astype(float)
    events = rng.binomial(base.astype(int), np.where(cluster, 0.35, 0.15)).astype(float)
    return g, cluster, events, base


def test_planted_cluster_is_found_and_shuffled_values_give_none():
    g, cluster, events, base = planted()
    out = local_moran(g, events=events, base=base)
    hh = (out["label"] == "hoch-hoch").to_numpy()
    assert hh[cluster].mean() >= 0.8
    assert hh[~cluster].mean() <= 0.05
    perm = np.random.default_rng(11).permutation(len(g))
    shuffled = local_moran(g, events=events[perm], base=base[perm])
    assert (shuffled["label"] == "hoch-hoch").sum() == 0


def test_missing_values_and_islands_are_labelled():
    g = grid(4)
    island = gpd.GeoDataFrame({"district_id": ["ISL"], "i": [9], "j": [9]}, geometry=[shapely.box(9, 9, 10, 10)])
    g = gpd.GeoDataFrame(list(g.itertuples(index=False)) + list(island.itertuples(index=False)),
                         columns=g.columns, geometry="geometry")
    y = np.arange(len(g), dtype=float)
    y[5] = np.nan
    out = local_moran(g, y).set_index("district_id")
    assert out.loc["005", "label"] == "kein Wert" and np.isnan(out.loc["005", "p_value"])
    assert out.loc["ISL", "label"] == "keine Nachbarn"
    rest = out.drop(["005", "ISL"])
    assert rest["p_value"].notna().all() and (rest["p_value"] >= 1 / 10_000).all()
    few = local_moran(g.iloc[:3], np.array([1.0, 2.0, 3.0]))
    assert (few["label"] == "zu wenige Gebiete").all()


def test_fixed_seed_gives_identical_results():
    g, _, events, base = planted(3)
    a = local_moran(g, events=events, base=base, settings=HotspotSettings(seed=5))
    b = local_moran(g, events=events, base=base, settings=HotspotSettings(seed=5))
    assert a.equals(b)


def test_benjamini_hochberg_by_hand():
    # sorted 0.01, 0.03, 0.04, 0.2 (m = 4): 0.04, 0.06, 0.0533, 0.2 → monotone from the top: 0.04, 0.0533, 0.0533
    q = benjamini_hochberg([0.01, 0.04, 0.03, 0.2, np.nan])
    assert np.round(q[:4], 4).tolist() == [0.04, 0.0533, 0.0533, 0.2] and np.isnan(q[4])
