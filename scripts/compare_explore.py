"""Compare our indicator page with ``GeoDataFrame.explore()`` on the same data: page bytes and draw time.

    python scripts/compare_explore.py [--workspace DIR] [--indicator ID] [--runs 3]

Reads the workspace's published mart and current site. explore() gets the finest level's published
rates of the newest year (hidden districts have no value, as in the mart) and writes a folium page that
loads Leaflet, jQuery, Bootstrap, Font Awesome and more from CDNs. Headless Chromium opens each page
with the network cut; draw time is ``performance.now()`` when the district paths are on screen (for
explore() with its CDN scripts blocked, nothing is ever drawn: the failed resources are listed). A
second explore() variant has only its Leaflet URLs pointed at our local copy, to compare drawing.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.lib.dashboards.browser import offline_browser
from pipelines.lib.duck import connect
from pipelines.lib.release.switch import current_run_id
from pipelines.lib.workspace import Workspace

OURS_DRAWN = "document.body.hasAttribute('data-gezeichnet')"
PATHS_DRAWN = "document.querySelectorAll('path.leaflet-interactive').length > 0"


def explore_page(mart: Path, indicator: str, crs: str, out: Path) -> tuple[Path, int]:
    import geopandas as gpd
    import shapely

    with connect(mart, read_only=True) as con:
        level = con.execute("select level from districts order by level_rank desc limit 1").fetchone()[0]
        year = con.execute("select max(year) from indicator_values where indicator_id = ?", [indicator]).fetchone()[0]
        rows = con.execute(
            """
            select d.district_id, d.name, v.status, v.rate, v.ci_low, v.ci_high, ST_AsWKB(d.geometry)
            from districts d left join indicator_values v
              on v.district_id = d.district_id and v.indicator_id = ? and v.year = ?
            where d.level = ? order by d.district_id
            """,
            [indicator, year, level],
        ).fetchall()
    gdf = gpd.GeoDataFrame(
        {"district_id": [r[0] for r in rows], "name": [r[1] for r in rows], "status": [r[2] for r in rows],
         "rate": [r[3] for r in rows], "ci_low": [r[4] for r in rows], "ci_high": [r[5] for r in rows]},
        geometry=shapely.from_wkb([bytes(r[6]) for r in rows]), crs=crs,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import matplotlib  # noqa: F401  (explore() needs it for its colours)
        except ImportError:
            m, how = _explore_equivalent(gdf), "folium code equivalent to explore() (matplotlib is not installed)"
        else:
            m, how = gdf.explore(column="rate", scheme="FisherJenks", k=5, cmap="YlOrRd"), "GeoDataFrame.explore()"
    m.save(str(out))
    return out, len(gdf), how


def _explore_equivalent(gdf):
    """What ``gdf.explore(column="rate", scheme="FisherJenks", k=5, cmap="YlOrRd")`` writes, without
    matplotlib: folium's default Map (CDN scripts, OpenStreetMap tiles), the full-precision GeoJSON
    with every column as properties, a style per feature, a tooltip, and a branca step legend."""
    import branca
    import folium
    import mapclassify
    import numpy as np

    data = gdf.to_crs(4326)
    rates = data["rate"].dropna().to_numpy()
    bins = mapclassify.FisherJenks(rates, k=5).bins
    colours = ["#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"]
    legend = branca.colormap.StepColormap(colours, index=[float(rates.min()), *bins], caption="rate")
    minx, miny, maxx, maxy = data.total_bounds
    m = folium.Map(tiles="OpenStreetMap")
    m.fit_bounds([[miny, minx], [maxy, maxx]])

    def style(feature):
        rate = feature["properties"]["rate"]
        if rate is None:
            return {"fillColor": "lightgrey", "color": "lightgrey", "fillOpacity": 0.5, "weight": 2}
        return {"fillColor": colours[int(np.searchsorted(bins, rate))], "color": colours[int(np.searchsorted(bins, rate))],
                "fillOpacity": 0.5, "weight": 2}

    folium.GeoJson(
        data.__geo_interface__, style_function=style, highlight_function=lambda f: {"weight": 3, "fillOpacity": 0.75},
        tooltip=folium.GeoJsonTooltip(fields=["district_id", "name", "status", "rate", "ci_low", "ci_high"]),
    ).add_to(m)
    legend.add_to(m)
    return m


def local_leaflet(page: Path, assets: Path, out: Path) -> Path:
    """The explore() page with only its Leaflet JS/CSS pointed at our local copy."""
    html = page.read_text(encoding="utf-8")
    html = re.sub(r'src="https?://[^"]*leaflet[^"/]*/[^"]*leaflet\.js"', f'src="{(assets / "leaflet.js").as_uri()}"', html)
    html = re.sub(r'href="https?://[^"]*leaflet[^"/]*/[^"]*leaflet\.css"', f'href="{(assets / "leaflet.css").as_uri()}"', html)
    out.write_text(html, encoding="utf-8")
    return out


def measure(context, log, url: str, drawn: str, runs: int) -> dict:
    times, drew = [], False
    log.blocked.clear()
    log.failed.clear()
    log.errors.clear()
    for _ in range(runs):
        page = context.new_page()
        log.watch(page)
        page.goto(url, wait_until="load")
        try:
            page.wait_for_function(drawn, timeout=5_000)
            drew = True
        except Exception:
            drew = False
        times.append(page.evaluate("performance.now()"))
        paths = page.evaluate("document.querySelectorAll('path.leaflet-interactive').length")
        page.close()
    return {"ms": statistics.median(times), "drawn": drew, "paths": paths, "blocked": sorted(set(log.blocked)),
            "failed": sorted(set(log.failed)), "errors": sorted(set(log.errors))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", default=".")
    parser.add_argument("--indicator", default="kinderarmut")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    ws = Workspace.at(args.workspace)
    run_id = current_run_id(ws)
    site = ws.dashboards / "releases" / run_id
    ours = site / "indikatoren" / f"{args.indicator}.html"
    with connect(ws.mart, read_only=True) as con:
        crs = con.execute("select crs from run_info").fetchone()[0]
    with tempfile.TemporaryDirectory() as tmp:
        explore, n, how = explore_page(ws.mart, args.indicator, crs, Path(tmp) / "explore.html")
        explore_local = local_leaflet(explore, site / "assets", Path(tmp) / "explore_local_leaflet.html")
        with offline_browser(viewport={"width": 1400, "height": 900}) as (context, log):
            results = {
                "sozialmonitor": (ours, measure(context, log, ours.resolve().as_uri(), OURS_DRAWN, args.runs)),
                "explore() as saved": (explore, measure(context, log, explore.as_uri(), PATHS_DRAWN, args.runs)),
                "explore(), local Leaflet": (explore_local, measure(context, log, explore_local.as_uri(),
                                                                    PATHS_DRAWN, args.runs)),
            }
        print(f"Indicator {args.indicator}, finest level: {n} districts; network cut; median of {args.runs} loads")
        print(f"explore() page: {how}")
        print(f"{'page':28} {'bytes':>10} {'draw ms':>9} {'paths':>6}  notes")
        for name, (path, r) in results.items():
            size = path.stat().st_size
            note = "drawn" if r["drawn"] else "NOT drawn"
            print(f"{name:28} {size:>10,} {r['ms']:>9.0f} {r['paths']:>6}  {note}")
            hosts: dict[str, int] = {}
            for url in r["blocked"]:
                if "tile.openstreetmap.org" in url:
                    hosts["tile.openstreetmap.org (map tiles)"] = hosts.get("tile.openstreetmap.org (map tiles)", 0) + 1
                else:
                    print(f"{'':28}   blocked: {url}")
            for host, count in hosts.items():
                print(f"{'':28}   blocked: {count} × {host}")
            for error in r["errors"]:
                print(f"{'':28}   console: {error[:140]}")
        print("sozialmonitor: every level and year of the indicator on one page; explore(): one level, one year.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
