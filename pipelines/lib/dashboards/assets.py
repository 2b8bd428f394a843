"""Offline assets: Leaflet and Leaflet.markercluster from their ``xstatic`` packages, the site's own CSS/JS.

Everything a page loads lives in ``<site>/assets/`` and is referenced relatively, so the site works on
an intranet without internet access. Only Leaflet core is shipped: folium's defaults (jQuery,
Bootstrap, Font Awesome, awesome-markers) are not needed by GeoJson, FeatureGroup or LayerControl.
Of markercluster only the minified script and its layout CSS are copied (the cluster colours are the
site's own, in ``sozialmonitor.css``); the script's ``sourceMappingURL`` comment is dropped because the
map file is not shipped, so no browser asks for a file that is not there.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import xstatic.pkg.leaflet as xstatic_leaflet
import xstatic.pkg.leaflet_markercluster as xstatic_markercluster

ASSETS_DIR = "assets"
STATIC = Path(__file__).parent / "static"
LEAFLET_FILES = ("leaflet.js", "leaflet.css")
CLUSTER_SCRIPT, CLUSTER_FILES = "leaflet.markercluster.js", ("MarkerCluster.css",)
SITE_FILES = ("sozialmonitor.css", "karte.js", "auswertung.js", "angebote.js", "suche.js", "vergleich.js",
              "steckbrief.js")


def copy_assets(out_dir: Path) -> list[Path]:
    """Copy Leaflet (JS, CSS, control images) and the site files to ``out_dir/assets``; return paths."""
    target = Path(out_dir) / ASSETS_DIR
    (target / "images").mkdir(parents=True, exist_ok=True)
    source = Path(xstatic_leaflet.BASE_DIR)
    written = []
    for name in LEAFLET_FILES:
        written.append(Path(shutil.copyfile(source / name, target / name)))
    for image in sorted((source / "images").glob("*.png")):
        written.append(Path(shutil.copyfile(image, target / "images" / image.name)))
    cluster = Path(xstatic_markercluster.BASE_DIR)
    script = (cluster / CLUSTER_SCRIPT).read_text(encoding="utf-8")
    lines = [line for line in script.splitlines() if not line.startswith("//# sourceMappingURL=")]
    (target / CLUSTER_SCRIPT).write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    written.append(target / CLUSTER_SCRIPT)
    for name in CLUSTER_FILES:
        written.append(Path(shutil.copyfile(cluster / name, target / name)))
    for name in SITE_FILES:
        written.append(Path(shutil.copyfile(STATIC / name, target / name)))
    return written


def map_js(prefix: str) -> list[tuple[str, str]]:
    """folium ``default_js`` for a page ``prefix`` away from the site root (``"../"`` for sub-pages)."""
    return [("leaflet", f"{prefix}{ASSETS_DIR}/leaflet.js"), ("karte", f"{prefix}{ASSETS_DIR}/karte.js")]


def map_css(prefix: str) -> list[tuple[str, str]]:
    """folium ``default_css`` for a page ``prefix`` away from the site root."""
    return [
        ("leaflet_css", f"{prefix}{ASSETS_DIR}/leaflet.css"),
        ("sozialmonitor_css", f"{prefix}{ASSETS_DIR}/sozialmonitor.css"),
    ]
