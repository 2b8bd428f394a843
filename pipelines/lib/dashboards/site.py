"""``build_site``: the static committee site of one release, built from the published mart only.

```
index.html                      start page: search, city, data date, method, data protection, maps by domain
suchindex.js                    the search's index: names, codes and links of districts and indicators
gebiete.html                    every district, nested, linking its profile
vergleich.html                  districts side by side (every indicator, newest year), a scatter; vergleich.csv
indikatoren/<id>.html           one map per indicator (level and year switchable), its table as <id>.csv
indikatoren/<id>/<unit>.html    at national scale: one map per top-level unit (see ``[maps]``)
auswertungen/<analysis>.html    need index, hot spots, offers, allocation (see ``analysis_site``)
steckbriefe/<district>.html     one profile per district at every level, with the analysis sections (and .csv)
assets/                         Leaflet, Leaflet.markercluster and the site's own CSS/JS (no CDN)
```

:class:`SiteSummary` lists what was written. The run's process reads the districts, the catalogue and the
analysis tables; the values are read where the pages are written — per indicator (``indicator_site``)
and per group of districts (``profile_site``) in forked workers — so memory follows the page, not the mart.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.lib.config import Config
from pipelines.lib.dashboards.analysis_context import Context
from pipelines.lib.dashboards.analysis_mart import read_analysis
from pipelines.lib.dashboards.analysis_site import write_analysis_pages
from pipelines.lib.dashboards.assets import copy_assets
from pipelines.lib.dashboards.classify import SCHEME_TEXT
from pipelines.lib.dashboards.compare_page import (
    COMPARISON_PAGE,
    compare_data,
    compare_rows,
    latest_comparisons,
    render_compare_page,
)
from pipelines.lib.dashboards.district_index import render_district_index
from pipelines.lib.dashboards.geo import District, read_districts
from pipelines.lib.dashboards.index_page import render_index
from pipelines.lib.dashboards.indicator_site import IndicatorSite
from pipelines.lib.dashboards.mart import (
    MartCells,
    open_mart,
    read_benchmarks,
    read_finest_coverage,
    read_indicators,
    read_latest_values,
    read_level_ranges,
    read_run_info,
    read_years,
)
from pipelines.lib.dashboards.page_csv import COMPARISON_CSV, write_csv
from pipelines.lib.dashboards.page_frame import DISTRICT_INDEX, INDICATORS_DIR, page_name
from pipelines.lib.dashboards.profile_site import ProfileSite, district_groups
from pipelines.lib.dashboards.search_index import search_entries, write_search_index
from pipelines.lib.dashboards.settings import map_settings
from pipelines.lib.parallel import map_pages


@dataclass(frozen=True)
class SiteSummary:
    out_dir: Path
    run_id: str
    index: Path
    pages: dict[str, Path]  # indicator id -> page (the overview page at national scale)
    years: dict[str, int | None]  # indicator id -> year shown first
    assets: tuple[Path, ...]
    profiles: dict[str, Path] = field(default_factory=dict)  # district id -> profile
    district_index: Path | None = None
    unit_pages: dict[str, dict[str, Path]] = field(default_factory=dict)  # indicator -> unit -> page
    analysis_pages: dict[str, Path] = field(default_factory=dict)  # handlungsbedarf, schwerpunkte, … -> page
    analysis_unit_pages: dict[str, dict[str, Path]] = field(default_factory=dict)  # page id -> unit -> page
    comparison_page: Path | None = None

    @property
    def files(self) -> tuple[Path, ...]:
        units = [p for pages in (*self.unit_pages.values(), *self.analysis_unit_pages.values()) for p in pages.values()]
        extra = [p for p in (self.district_index, self.comparison_page) if p]
        return (self.index, *self.pages.values(), *self.analysis_pages.values(), *units, *self.profiles.values(),
                *extra, *self.assets)


def build_site(
    mart_path: Path, out_dir: Path, config: Config, *, links: tuple[tuple[str, str], ...] = ()
) -> SiteSummary:
    """Write the site (see the module docstring) into ``out_dir``.

    Reads only the published mart at ``mart_path``; ``config`` supplies presentation settings (rate
    decimals, time zone, the minimum population named in the data-protection text, ``[maps]``).
    ``links``: further pages of the release the index links to, as (label, href relative to the site).
    The same mart gives byte-identical files.
    """
    out_dir = Path(out_dir)
    mart_path = Path(mart_path)
    settings = map_settings(config)
    decimals = config.protection.rate_decimals
    timezone = config.schedule.timezone
    con = open_mart(mart_path)
    try:
        run = read_run_info(con)
        districts = read_districts(con, run.crs or config.crs)
        indicators = read_indicators(con)
        years = read_years(con)
        ranges = read_level_ranges(con)
        analysis = read_analysis(con, run.crs or config.crs)
        latest = read_latest_values(con)  # the comparison page: every indicator's newest year
        benchmarks = read_benchmarks(con)
        coverage = read_finest_coverage(con)
    finally:
        con.close()
    for d in districts:  # each geometry's GeoJSON once, before the workers fork (they all embed it)
        _ = d.geojson
    # each indicator's values are read, classified and written by a worker (see ``indicator_site``)
    indicator_site = IndicatorSite.of(mart_path, out_dir, run, districts, settings, decimals, timezone, _write)
    built = map_pages(indicator_site.pages, indicators)
    pages = {ind.indicator_id: b.page for ind, b in zip(indicators, built, strict=True)}
    unit_pages = {ind.indicator_id: b.unit_pages for ind, b in zip(indicators, built, strict=True) if b.unit_pages}
    entries = [dataclasses.replace(b.entry, coverage=coverage.get((b.entry.indicator.indicator_id, b.entry.year)))
               for b in built]

    context = Context(districts, indicators, MartCells(mart_path), analysis, settings,
                      config.protection.min_population, decimals)
    analyses = write_analysis_pages(context, run, out_dir, timezone=timezone, write=_write)

    children: dict[str, list[District]] = {}
    for d in sorted(districts, key=lambda d: (d.name, d.district_id)):
        if d.parent_id:
            children.setdefault(d.parent_id, []).append(d)
    indicator_pages = {i.indicator_id: f"../{INDICATORS_DIR}/{page_name(i.indicator_id)}" for i in indicators}
    profile_site = ProfileSite(mart_path, out_dir, run, indicators, years, {d.district_id: d for d in districts},
                               children, indicator_pages, analyses.profile_sections, decimals, timezone, _write,
                               ranges)
    written = map_pages(profile_site.write_group, district_groups(districts), min_items=2)
    profiles = {d.district_id: path for d, path in
                zip(districts, (p for group in written for p in group), strict=True)}
    district_index = out_dir / DISTRICT_INDEX
    _write(district_index, render_district_index(districts, run, timezone=timezone))
    city = next((d for d in districts if d.level_rank == 0), None)
    compared = latest_comparisons(indicators, latest, city, benchmarks)
    comparison_page = out_dir / COMPARISON_PAGE
    write_csv(out_dir / COMPARISON_CSV, compare_rows(districts, indicators, latest, compared, decimals))
    _write(comparison_page, render_compare_page(compare_data(districts, indicators, latest, compared, decimals),
                                                run, timezone=timezone))
    del latest

    assets = copy_assets(out_dir)
    search = write_search_index(out_dir, search_entries(
        districts, indicators, {i: f"{INDICATORS_DIR}/{page_name(i)}" for i in pages}), _write)
    index = out_dir / "index.html"
    _write(index, render_index(run, entries, min_population=config.protection.min_population,
                               timezone=timezone, scheme_text=SCHEME_TEXT[settings.scheme],
                               classes=settings.classes,
                               links=(("Alle Gebiete mit Steckbrief", DISTRICT_INDEX),
                                      ("Gebiete vergleichen", COMPARISON_PAGE), *links),
                               analyses=analyses.entries, search=True))
    return SiteSummary(out_dir, run.run_id, index, pages, {e.indicator.indicator_id: e.year for e in entries},
                       (*assets, search), profiles, district_index, unit_pages, analyses.pages, analyses.unit_pages,
                       comparison_page)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
