"""``build_site``: the static committee site of one release, built from the published mart only.

```
index.html                      start page: city, data date, method, data protection, maps by domain
gebiete.html                    every district, nested, linking its profile
indikatoren/<id>.html           one map per indicator (level and year switchable)
indikatoren/<id>/<unit>.html    at national scale: one map per top-level unit (see ``[maps]``)
auswertungen/<analysis>.html    need index, hot spots, offers, allocation (see ``analysis_site``)
steckbriefe/<district>.html     one profile per district at every level, with the analysis sections
assets/                         Leaflet, Leaflet.markercluster and the site's own CSS/JS (no CDN)
```

:class:`SiteSummary` lists what was written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipelines.lib.config import Config
from pipelines.lib.dashboards.analysis_context import Context
from pipelines.lib.dashboards.analysis_mart import read_analysis
from pipelines.lib.dashboards.analysis_site import write_analysis_pages
from pipelines.lib.dashboards.assets import copy_assets
from pipelines.lib.dashboards.classify import SCHEME_TEXT
from pipelines.lib.dashboards.district_index import render_district_index
from pipelines.lib.dashboards.geo import District, read_districts
from pipelines.lib.dashboards.index_page import IndexEntry, render_index
from pipelines.lib.dashboards.indicator_page import render_indicator_page
from pipelines.lib.dashboards.map_data import indicator_map, map_classes, map_levels
from pipelines.lib.dashboards.mart import open_mart, read_all_values, read_indicators, read_run_info
from pipelines.lib.dashboards.page_frame import (
    DISTRICT_INDEX,
    INDICATORS_DIR,
    PROFILES_DIR,
    page_name,
)
from pipelines.lib.dashboards.page_plan import page_plan
from pipelines.lib.dashboards.profile_page import render_profile
from pipelines.lib.dashboards.settings import map_settings
from pipelines.lib.dashboards.thumbnail import thumbnail
from pipelines.lib.parallel import map_pages

PAGES_DIR = INDICATORS_DIR


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

    @property
    def files(self) -> tuple[Path, ...]:
        units = [p for pages in (*self.unit_pages.values(), *self.analysis_unit_pages.values()) for p in pages.values()]
        extra = [self.district_index] if self.district_index else []
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
    settings = map_settings(config)
    decimals = config.protection.rate_decimals
    timezone = config.schedule.timezone
    con = open_mart(Path(mart_path))
    try:
        run = read_run_info(con)
        districts = read_districts(con, run.crs or config.crs)
        indicators = [(ind, read_all_values(con, ind.indicator_id)) for ind in read_indicators(con)]
        analysis = read_analysis(con, run.crs or config.crs)
    finally:
        con.close()
    levels = tuple(map_levels(districts))
    for d in districts:  # each geometry's GeoJSON once, before the workers fork (they all embed it)
        _ = d.geojson
    # the classes (Fisher-Jenks per indicator, year and level) on every core; small to send back
    classes = map_pages(lambda item: map_classes(item[0], levels, item[1], settings), indicators)
    maps = [indicator_map(ind, districts, values, settings, classes=c)
            for (ind, values), c in zip(indicators, classes, strict=True)]

    def write_indicator(data) -> tuple[Path, dict[str, Path], IndexEntry]:
        ind_id = data.indicator.indicator_id
        overview_levels, units = page_plan(data.levels, districts, settings)
        unit_links = [(name, f"{page_name(ind_id)[:-5]}/{page_name(unit_id)}") for unit_id, name, _ in units]
        page = out_dir / INDICATORS_DIR / page_name(ind_id)
        _write(page, render_indicator_page(data, run, levels=overview_levels, decimals=decimals,
                                           timezone=timezone, unit_links=unit_links))
        written = {}
        for unit_id, name, levels in units:
            unit_page = out_dir / INDICATORS_DIR / page_name(ind_id)[:-5] / page_name(unit_id)
            _write(unit_page, render_indicator_page(data, run, levels=levels, scope=name, prefix="../../",
                                                    decimals=decimals, timezone=timezone))
            written[unit_id] = unit_page
        return page, written, IndexEntry(data.indicator, f"{INDICATORS_DIR}/{page_name(ind_id)}",
                                         data.default_year, thumbnail(data))

    pages: dict[str, Path] = {}
    unit_pages: dict[str, dict[str, Path]] = {}
    entries = []
    for data, (page, written, entry) in zip(maps, map_pages(write_indicator, maps), strict=True):
        pages[data.indicator.indicator_id] = page
        if written:
            unit_pages[data.indicator.indicator_id] = written
        entries.append(entry)

    context = Context(districts, maps, analysis, settings, config.protection.min_population, decimals)
    analyses = write_analysis_pages(context, run, out_dir, timezone=timezone, write=_write)

    by_id = {d.district_id: d for d in districts}
    children: dict[str, list[District]] = {}
    for d in sorted(districts, key=lambda d: (d.name, d.district_id)):
        if d.parent_id:
            children.setdefault(d.parent_id, []).append(d)
    indicator_pages = {m.indicator.indicator_id: f"../{INDICATORS_DIR}/{page_name(m.indicator.indicator_id)}"
                       for m in maps}
    def write_profile(d: District) -> Path:
        path = out_dir / PROFILES_DIR / page_name(d.district_id)
        _write(path, render_profile(d, by_id, children.get(d.district_id, []), maps, run,
                                    indicator_pages=indicator_pages, decimals=decimals, timezone=timezone,
                                    sections=analyses.profile_sections(d)))
        return path

    profiles = {d.district_id: path for d, path in zip(districts, map_pages(write_profile, districts), strict=True)}
    district_index = out_dir / DISTRICT_INDEX
    _write(district_index, render_district_index(districts, run, timezone=timezone))

    assets = copy_assets(out_dir)
    index = out_dir / "index.html"
    _write(index, render_index(run, entries, min_population=config.protection.min_population,
                               timezone=timezone, scheme_text=SCHEME_TEXT[settings.scheme],
                               classes=settings.classes,
                               links=(("Alle Gebiete mit Steckbrief", DISTRICT_INDEX), *links),
                               analyses=analyses.entries))
    return SiteSummary(out_dir, run.run_id, index, pages, {m.indicator.indicator_id: m.default_year for m in maps},
                       tuple(assets), profiles, district_index, unit_pages, analyses.pages, analyses.unit_pages)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
