"""Audit of the dashboards of a candidate release: a hidden district carries no figure in any page.

Independent looks at every page:

* map pages embed their figures as JSON (``<script type="application/json" id="sm-daten">``): per year
  and level one cell per district, ``[0, rate, …]`` where published and ``[status code]`` otherwise. A
  non-published cell must be the bare status code, and a district may be drawn as published only where
  the mart publishes it;
* analysis pages (``auswertungen/``: need index, hot spots, offers, allocation) embed the same JSON with
  views instead of years (``ansichten[v].werte[level][feature]``, ``[0, class, …]`` or ``[status code]``);
  a district without a value must carry the bare status code there too, on every page, whatever its
  folder. Where a view is an indicator (hot spots) a district may be drawn with a value only where the
  mart publishes that indicator in the view's year; for the need index (``need_index``, the page
  ``handlungsbedarf``) only where the mart publishes at least one value of the district in that year;
* any embedded GeoJSON ``properties`` object whose status is not "veröffentlicht" may only identify the
  district (key, name, level, status, link) — a number, rate, class or colour there would be derived
  from a hidden count.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipelines.lib.parallel import map_pages

PUBLISHED = "veröffentlicht"
IDENTIFYING = frozenset({"district_id", "name", "level", "status", "status_text", "steckbrief"})
_PROPERTIES = re.compile(r'"properties"\s*:\s*')
_PAGE_DATA = re.compile(r'<script type="application/json" id="sm-daten">(.*?)</script>', re.S)


def embedded_properties(html: str) -> list[dict]:
    decoder = json.JSONDecoder()
    found = []
    for match in _PROPERTIES.finditer(html):
        try:
            obj, _ = decoder.raw_decode(html, match.end())
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict):
            found.append(obj)
    return found


def page_cells(html: str) -> list[tuple[int, str, list]]:
    """(year, district_id, cell) of every district cell in a map page's embedded figures."""
    out = []
    for block in _PAGE_DATA.findall(html):
        data = json.loads(block)
        for year, per_level in data.get("werte", {}).items():
            for level, cells in zip(data["ebenen"], per_level, strict=True):
                ids = [f.get("id") for f in level["geo"]["features"]]
                out.extend((int(year), district, cell) for district, cell in zip(ids, cells, strict=True))
    return out


def view_cells(html: str) -> list[tuple[str, int | None, str, list]]:
    """(view id, year, district_id, cell) of every district cell in an analysis page's embedded figures."""
    out = []
    for block in _PAGE_DATA.findall(html):
        data = json.loads(block)
        for view in data.get("ansichten", []):
            year = view.get("jahr")
            for level, cells in zip(data["ebenen"], view.get("werte", []), strict=True):
                ids = [f.get("id") for f in level["geo"]["features"]]
                out.extend((view.get("id"), None if year is None else int(year), district, cell)
                           for district, cell in zip(ids, cells, strict=True))
    return out


@dataclass(frozen=True)
class _Published:
    """The mart's published cells, and what the analysis pages' checks look up in them."""

    cells: set  # (indicator, year, district)
    indicators: set
    district_years: set  # (year, district) with any published value

    @classmethod
    def of(cls, cells: set) -> _Published:
        return cls(cells, {key[0] for key in cells}, {(year, district) for _ind, year, district in cells})


def _view_problems(name: str, html: str, published: _Published | None) -> list[str]:
    if "ansichten" not in html:
        return []
    cells = view_cells(html)
    problems = []
    padded = [c for *_, c in cells if c and c[0] != 0 and len(c) > 1]
    if padded:
        problems.append(f"{name}: {len(padded)} districts without a value carry figures in the analysis data")
    if published is not None:
        indicators, with_any = published.indicators, published.district_years
        need = re.search(r"(^|/)handlungsbedarf(\.html$|/)", name) is not None
        shown = [
            (view, year, district) for view, year, district, c in cells if c and c[0] == 0 and (
                (view in indicators and (view, year, district) not in published.cells)
                or ((need or view == "need_index") and (year, district) not in with_any))
        ]
        if shown:
            problems.append(f"{name}: {len(shown)} districts drawn with a value the mart's published figures "
                            "cannot give")
    return problems


def _map_problems(name: str, indicator: str, html: str, published: set) -> list[str]:
    problems = []
    cells = page_cells(html)
    padded = [c for _, _, c in cells if c and c[0] != 0 and len(c) > 1]
    if padded:
        problems.append(f"{name}: {len(padded)} hidden districts carry figures in the map data")
    shown = [(y, d) for y, d, c in cells if c and c[0] == 0 and (indicator, y, d) not in published]
    if shown:
        problems.append(f"{name}: {len(shown)} districts drawn as published that the mart does not publish")
    return problems


def site_problems(site: Path, cells: pd.DataFrame | None = None) -> list[str]:
    """One message per page and kind of leak; ``cells`` (the mart's values) enable the status cross-check."""
    published = set()
    if cells is not None:
        pub = cells[cells["status"] == PUBLISHED]
        published = set(zip(pub["indicator_id"], pub["year"].astype(int), pub["district_id"], strict=True))
    views = _Published.of(published) if cells is not None else None

    def check(page: Path) -> list[str]:
        name = page.relative_to(site).as_posix()
        html = page.read_text(encoding="utf-8")
        problems = []
        if cells is not None and page.parent.name == "indikatoren":
            problems += _map_problems(name, page.stem, html, published)
        problems += _view_problems(name, html, views)
        leaks = [p for p in embedded_properties(html)
                 if p.get("status", PUBLISHED) != PUBLISHED and set(p) - IDENTIFYING]
        if leaks:
            extra = sorted(set().union(*(set(p) - IDENTIFYING for p in leaks)))
            problems.append(f"{name}: {len(leaks)} hidden districts carry {', '.join(extra)}")
        return problems

    # pages apart on every core (a city's site has a page per district)
    return [problem for found in map_pages(check, sorted(site.rglob("*.html"))) for problem in found]
