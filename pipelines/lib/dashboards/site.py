"""``build_site``: the static committee site of one release, built from the published mart only."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pipelines.lib.config import Config
from pipelines.lib.dashboards.assets import copy_assets
from pipelines.lib.dashboards.choropleth import render_indicator_page
from pipelines.lib.dashboards.geo import read_districts
from pipelines.lib.dashboards.index_page import IndexEntry, render_index
from pipelines.lib.dashboards.mart import (
    latest_year,
    open_mart,
    read_indicators,
    read_run_info,
    read_values,
)

PAGES_DIR = "indikatoren"
_SAFE_ID = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class SiteSummary:
    out_dir: Path
    run_id: str
    index: Path
    pages: dict[str, Path]  # indicator id -> page
    years: dict[str, int | None]  # indicator id -> year shown
    assets: tuple[Path, ...]

    @property
    def files(self) -> tuple[Path, ...]:
        return (self.index, *self.pages.values(), *self.assets)


def build_site(mart_path: Path, out_dir: Path, config: Config) -> SiteSummary:
    """Write ``index.html``, ``indikatoren/<id>.html`` and ``assets/`` into ``out_dir``.

    Reads only the published mart at ``mart_path``; ``config`` supplies presentation settings (rate
    decimals, time zone, the minimum population named in the data-protection text, the CRS fallback).
    The same mart gives byte-identical files.
    """
    out_dir = Path(out_dir)
    con = open_mart(Path(mart_path))
    try:
        run = read_run_info(con)
        districts = read_districts(con, run.crs or config.crs)
        indicators = read_indicators(con)
        decimals = config.protection.rate_decimals
        timezone = config.schedule.timezone
        (out_dir / PAGES_DIR).mkdir(parents=True, exist_ok=True)
        pages: dict[str, Path] = {}
        years: dict[str, int | None] = {}
        entries = []
        for ind in indicators:
            if not _SAFE_ID.fullmatch(ind.indicator_id):
                raise ValueError(f"Indikator-ID „{ind.indicator_id}“ taugt nicht als Dateiname (erlaubt: a-z, 0-9, _ und -).")
            year = latest_year(con, ind.indicator_id)
            values = read_values(con, ind.indicator_id, year)
            html = render_indicator_page(ind, year, districts, values, run, decimals=decimals, timezone=timezone)
            page = out_dir / PAGES_DIR / f"{ind.indicator_id}.html"
            _write(page, html)
            pages[ind.indicator_id] = page
            years[ind.indicator_id] = year
            entries.append(IndexEntry(ind, f"{PAGES_DIR}/{ind.indicator_id}.html", year))
    finally:
        con.close()
    assets = copy_assets(out_dir)
    index = out_dir / "index.html"
    _write(index, render_index(run, entries, min_population=config.protection.min_population, timezone=timezone))
    return SiteSummary(out_dir, run.run_id, index, pages, years, tuple(assets))


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8", newline="\n")
