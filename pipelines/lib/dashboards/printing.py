"""Print versions on demand (``sozialmonitor print``): every map as PNG and PDF, every profile as PDF.

Rendered by headless Chromium from the release's own pages with the print stylesheet (scale bar,
legend, source line and data date are on the page), the network cut. Output goes into
``<site>/druck/karten/<indicator>_<level>.{png,pdf}`` (and the ranking chart of the districts beside it,
``<indicator>_<level>_rangfolge.pdf``, A4 portrait), for the analysis maps (need index, hot spots,
offers, allocation) ``<site>/druck/karten/<analysis>_<view>_<level>.{png,pdf}``, and
``<site>/druck/steckbriefe/<district>.pdf``. Every map is one A4 landscape page: the print stylesheet gives
the page a fixed height, and a legend taller than the map beside it gets a wider column, then a smaller
type (:func:`fit_legend`). Not part of the nightly run: printing a Berlin-size city takes minutes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.lib.dashboards.analysis_map import ANALYSES_DIR
from pipelines.lib.dashboards.browser import offline_browser
from pipelines.lib.dashboards.page_frame import INDICATORS_DIR, PROFILES_DIR

PRINT_DIR = "druck"
# A4 landscape minus 12 mm margins, in CSS pixels: the map is laid out at the size it is printed at.
MAP_VIEWPORT = {"width": 1032, "height": 703}
PROFILE_VIEWPORT = {"width": 703, "height": 1032}
_LEVELS = re.compile(r'<select id="sm-ebene">(.*?)</select>', re.S)
_OPTION = re.compile(r'<option value="([^"]+)"')
_DEFAULT_YEAR = re.compile(r'<option value="(\d+)" selected>')
_DATA = re.compile(r'<script type="application/json" id="sm-daten">(.*?)</script>', re.S)
_SAFE = re.compile(r"[^A-Za-z0-9_-]+")


def analysis_views(page: Path) -> list[tuple[str, str]]:
    """(view id, level id) of every view on every level of an analysis page."""
    block = _DATA.search(page.read_text(encoding="utf-8"))
    if block is None:
        return []
    data = json.loads(block.group(1))
    return [(view["id"], level["id"]) for view in data.get("ansichten", []) for level in data.get("ebenen", [])]


def map_targets(site: Path) -> list[tuple[Path, str, str]]:
    """(page, URL fragment, output stem) of every map view to print, indicator maps first."""
    targets = []
    for html in sorted((site / INDICATORS_DIR).rglob("*.html")):
        stem = "_".join(html.relative_to(site / INDICATORS_DIR).with_suffix("").parts)
        for level, year in map_views(html):
            targets.append((html, f"#ebene={level}" + (f"&jahr={year}" if year else ""), f"{stem}_{level}"))
    for html in sorted((site / ANALYSES_DIR).rglob("*.html")):
        stem = "_".join(html.relative_to(site / ANALYSES_DIR).with_suffix("").parts)
        for view, level in analysis_views(html):
            targets.append((html, f"#ansicht={view}&ebene={level}", f"{stem}_{_SAFE.sub('-', view)}_{level}"))
    return targets


@dataclass
class PrintSummary:
    maps: list[Path] = field(default_factory=list)
    rankings: list[Path] = field(default_factory=list)  # an indicator map's ranking chart, in a PDF of its own
    profiles: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def map_views(page: Path) -> list[tuple[str, str | None]]:
    """(level id, default year) for every level of an indicator page."""
    html = page.read_text(encoding="utf-8")
    select = _LEVELS.search(html)
    year = _DEFAULT_YEAR.search(html)
    levels = _OPTION.findall(select.group(1)) if select else []
    return [(level, year.group(1) if year else None) for level in levels]


def print_site(
    site: Path,
    *,
    maps: bool = True,
    profiles: bool = True,
    executable: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> PrintSummary:
    """Render the print versions of the site at ``site`` into ``site/druck``."""
    site = Path(site)
    out = site / PRINT_DIR
    summary = PrintSummary()
    say = progress or (lambda _msg: None)
    with offline_browser(executable, viewport=MAP_VIEWPORT, device_scale_factor=2) as (context, log):
        page = context.new_page()
        log.watch(page)
        if maps:
            _print_maps(page, site, out / "karten", summary, say)
        if profiles:
            page.set_viewport_size(PROFILE_VIEWPORT)
            _print_profiles(page, site, out / "steckbriefe", summary, say)
        summary.problems += [f"Netz blockiert: {u}" for u in log.blocked] + log.errors
    return summary


def _print_maps(page, site: Path, out: Path, summary: PrintSummary, say) -> None:
    targets = map_targets(site)
    pages = sorted({html for html, _, _ in targets})
    out.mkdir(parents=True, exist_ok=True)
    page.emulate_media(media="print")  # laid out as printed, so the map fits its printed frame
    done: set[Path] = set()
    for html, fragment, stem in targets:
        page.goto(html.resolve().as_uri() + fragment, wait_until="load")
        page.wait_for_function("document.body.hasAttribute('data-gezeichnet')", timeout=30_000)
        if not fit_legend(page):
            summary.problems.append(f"{stem}: die Legende passt nicht auf eine A4-Seite")
        target = out / stem
        page.screenshot(path=str(target.with_suffix(".png")), full_page=True)
        page.pdf(path=str(target.with_suffix(".pdf")), prefer_css_page_size=True, print_background=True)
        summary.maps += [target.with_suffix(".png"), target.with_suffix(".pdf")]
        if page.locator("#sm-rangfolge-bild svg").count():  # the ranking beside the map: on A4 portrait pages
            page.evaluate("document.body.classList.add('nur-rangfolge')")
            ranking = target.with_name(f"{target.name}_rangfolge.pdf")
            page.pdf(path=str(ranking), prefer_css_page_size=True, print_background=True)
            page.evaluate("document.body.classList.remove('nur-rangfolge')")
            summary.rankings.append(ranking)
        if html not in done:
            done.add(html)
            say(f"Karten {len(done)}/{len(pages)}: {html.relative_to(site).with_suffix('').as_posix()}")


# A legend taller than the map beside it would push the source line onto a second page: widen its column,
# then set it smaller, fitting the map to its new size each time (as the page fits it on load).
_FIT_LEGEND = """async (steps) => {
  const legend = document.querySelector('.legende');
  const fits = () => !legend || legend.scrollHeight <= legend.clientHeight + 1;
  for (const step of steps) {
    if (fits()) break;
    document.body.classList.add(step);
    const map = window.smKarte;
    if (map) {
      map.invalidateSize(false);
      const bounds = JSON.parse(document.getElementById('sm-daten').textContent).grenzen;
      if (bounds) { map.fitBounds(bounds, {animate: false}); }
    }
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  }
  return fits();
}"""
LEGEND_STEPS = ["breite-legende", "enge-legende"]


def fit_legend(page) -> bool:
    """Make the map page's legend fit beside the map (see ``_FIT_LEGEND``); False if it still does not."""
    return bool(page.evaluate(_FIT_LEGEND, LEGEND_STEPS))


def _print_profiles(page, site: Path, out: Path, summary: PrintSummary, say) -> None:
    pages = sorted((site / PROFILES_DIR).glob("*.html"))
    out.mkdir(parents=True, exist_ok=True)
    for n, html in enumerate(pages, start=1):
        page.goto(html.resolve().as_uri(), wait_until="load")
        target = out / html.with_suffix(".pdf").name
        page.pdf(path=str(target), prefer_css_page_size=True, print_background=True)
        summary.profiles.append(target)
        if n % 50 == 0 or n == len(pages):
            say(f"Steckbriefe {n}/{len(pages)}")
