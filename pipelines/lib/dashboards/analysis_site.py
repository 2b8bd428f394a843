"""The analysis part of the site: ``auswertungen/<page>.html`` per analysis table, index entries, profiles.

```
auswertungen/handlungsbedarf.html     need index: status class, dynamics, type, special need
auswertungen/schwerpunkte.html        hot spots per indicator (local Moran's I)
auswertungen/angebote.html            offers against need: coverage per 1,000 children, offers clustered
auswertungen/mittelverteilung.html    allocation: euros per child, difference to a per-capita split
auswertungen/<page>/<unit>.html       at national scale: one page per top-level unit (see ``[maps]``)
auswertungen/<page>.csv               the page's table (every view, level and district), linked from its pages
```

A page is written only when its table has rows; the profiles say where a table has none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.lib.dashboards.allocation_page import allocation_map
from pipelines.lib.dashboards.analysis_context import Context
from pipelines.lib.dashboards.analysis_map import ANALYSES_DIR, AnalysisMap, shown_status
from pipelines.lib.dashboards.analysis_page import render_analysis_page
from pipelines.lib.dashboards.analysis_profile import ProfileSections
from pipelines.lib.dashboards.hotspot_page import hotspot_map
from pipelines.lib.dashboards.index_page import AnalysisEntry
from pipelines.lib.dashboards.map_data import HIDDEN_STYLES
from pipelines.lib.dashboards.mart import RunInfo
from pipelines.lib.dashboards.need_page import need_map
from pipelines.lib.dashboards.offers_page import offers_map
from pipelines.lib.dashboards.page_csv import write_analysis_csv
from pipelines.lib.dashboards.page_frame import page_name
from pipelines.lib.dashboards.page_plan import page_plan
from pipelines.lib.dashboards.thumbnail import preview, preview_level

BUILDERS = (need_map, hotspot_map, offers_map, allocation_map)


@dataclass
class AnalysisPages:
    pages: dict[str, Path] = field(default_factory=dict)  # page id → page
    unit_pages: dict[str, dict[str, Path]] = field(default_factory=dict)  # page id → unit → page
    entries: list[AnalysisEntry] = field(default_factory=list)
    sections: ProfileSections | None = None

    def profile_sections(self, district) -> tuple[str, ...]:
        return self.sections.sections(district) if self.sections else ()


def write_analysis_pages(
    ctx: Context, run: RunInfo, out_dir: Path, *, timezone: str, write: Callable[[Path, str], None]
) -> AnalysisPages:
    """Build every analysis map with rows, write its pages; return the pages, index entries and sections."""
    maps = [m for m in (build(ctx) for build in BUILDERS) if m is not None]
    out = AnalysisPages()
    for data in maps:
        overview, units = page_plan(data.levels, ctx.districts, ctx.settings)
        links = [(name, f"{data.page_id}/{page_name(unit_id)}") for unit_id, name, _ in units]
        page = out_dir / ANALYSES_DIR / f"{data.page_id}.html"
        table = write_analysis_csv(page.with_suffix(".csv"), data)
        write(page, render_analysis_page(data, run, levels=overview, timezone=timezone, unit_links=links,
                                         csv_href=table.name))
        out.pages[data.page_id] = page
        for unit_id, name, levels in units:
            unit_page = out_dir / ANALYSES_DIR / data.page_id / page_name(unit_id)
            write(unit_page, render_analysis_page(data, run, levels=levels, scope=name, prefix="../../",
                                                  timezone=timezone, csv_href=f"../{table.name}"))
            out.unit_pages.setdefault(data.page_id, {})[unit_id] = unit_page
        out.entries.append(AnalysisEntry(data.title, f"{ANALYSES_DIR}/{data.page_id}.html", _note(data),
                                         analysis_thumbnail(data)))
    out.sections = ProfileSections(ctx, {m.page_id: (m, f"../{ANALYSES_DIR}/{m.page_id}.html") for m in maps})
    return out


def analysis_thumbnail(data: AnalysisMap) -> str:
    """The preview of the first view on the level :func:`preview_level` picks."""
    lv = preview_level(data.levels)
    if lv is None or not data.views:
        return ""
    view = data.views[0]
    colours = view.classes.get(lv.level, ())
    fills = []
    for d in lv.districts:
        cell = view.cell(lv.level, d.district_id)
        status = shown_status(cell)
        fills.append(colours[cell.cls].colour if cell.published else HIDDEN_STYLES[status]["fillColor"])
    return preview(lv.districts, fills)


def _note(data: AnalysisMap) -> str:
    levels = " · ".join(lv.label for lv in data.levels)
    years = data.years
    when = f"{years[0]}" if len(years) == 1 else (f"{years[0]}–{years[-1]}" if years else "")
    return ", ".join(part for part in (levels, when) if part)
