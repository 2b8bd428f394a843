"""Audit of the dashboards of a candidate release: a hidden district carries no figure in any page.

Independent looks at every page:

* map pages (``indikatoren/<id>.html`` and, at national scale, each top-level unit's
  ``indikatoren/<id>/<unit>.html``) embed their figures as JSON (``<script type="application/json"
  id="sm-daten">``): per year and level one cell per district, ``[0, rate, …]`` where published and
  ``[status code]`` otherwise. A non-published cell must be the bare status code, and a district may be
  drawn as published only where the mart publishes it;
* analysis pages (``auswertungen/``: need index, hot spots, offers, allocation) embed the same JSON with
  views instead of years (``ansichten[v].werte[level][feature]``, ``[0, class, …]`` or ``[status code]``);
  a district without a value must carry the bare status code there too, on every page, whatever its
  folder. Where a view is an indicator of the mart (hot spots) a district may be drawn with a value only
  where the mart publishes that indicator in the view's year; for the need index (``need_index``, the page
  ``handlungsbedarf``) only where the mart publishes at least one value of the district in that year;
* the profiles' chart figures (``<script type="application/json" id="sm-diagramme">``, drawn by the page's
  script: :mod:`pipelines.lib.dashboards.profile_charts`): every figure but a level's summary (``spanne``)
  is one cell — ``reihen[indicator].werte[k]`` the district's (``gebiet``) in ``jahre[k]``, ``.stadt[k]``
  the city's, a spine row's ``wert`` / ``stadt`` / ``eltern`` the district's, the city's and the parent's
  in its ``jahr``. A year without a published value is ``null``; each other figure must be a cell the mart
  publishes, and a figure that names no cell (the data not in this form) is a problem too;
* chart marks drawn on the server (any SVG mark with class ``sm-wert``) carry ``data-sm``, the JSON list of
  their (indicator, year, district) cells; each cell must be one the mart publishes, and a mark without
  its cells is a problem too;
* the comparison page (``vergleich.html``) embeds ``<script type="application/json" id="sm-vergleich">``,
  ``zellen[indicator][district]`` in each indicator's year (``indikatoren[i].jahr``): the same rule as the
  maps — a bare status code where not published, a value only where the mart publishes the cell;
* the pages' tables as CSV (``*.csv`` beside the pages): every row names its cell (``Indikator-ID``,
  ``Gebiet-ID``, ``Jahr``) and its ``Status``; a row with a figure in any other column (value, interval,
  counts, comparison) must be a cell the mart publishes and say "veröffentlicht", and no text may start
  like a spreadsheet formula (``=``, ``+``, ``-``, ``@``, tab, carriage return) unless it is a number. The
  analysis pages' tables (``auswertungen/<page>.csv``) name their cell by ``Ansicht-ID`` instead (the view)
  and are cross-checked like the analysis pages: a view of an indicator only where the mart publishes it in
  the row's year, the need index only where the mart publishes anything of the district that year;
* the search index (``suchindex.js``): every entry is ``[kind, name, code, detail, href]``, five texts, the
  kind "Gebiet" or "Indikator" and the link a page — room for nothing else;
* any embedded GeoJSON ``properties`` object whose status is not "veröffentlicht" may only identify the
  district (key, name, level, status, link) — a number, rate, class or colour there would be derived
  from a hidden count.

The mart's published cells are looked up as sorted integer keys (:class:`PublishedCells`), which forked
workers share: pages are checked on every core.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.lib.audit.model import key_codes, sorted_unique
from pipelines.lib.parallel import map_pages
from pipelines.lib.vocabulary import PUBLISHED

IDENTIFYING = frozenset({"district_id", "name", "level", "status", "status_text", "steckbrief"})
_PROPERTIES = re.compile(r'"properties"\s*:\s*')
_DATA_OPEN = '<script type="application/json" id="sm-daten">'
_DATA_CLOSE = "</script>"
_MARK = re.compile(r'<[a-z]+\b[^>]*\bclass="sm-wert\b[^"]*"[^>]*>')
_MARK_CLASS = 'class="sm-wert'

_MARK_CELLS = re.compile(r'\bdata-sm="([^"]*)"')
CSV_KEYS = ("Indikator-ID", "Gebiet-ID", "Jahr", "Status")
CSV_IDENTIFYING = frozenset({*CSV_KEYS, "Indikator", "Einheit", "Gebiet", "Gebietsebene"})
VIEW_KEY = "Ansicht-ID"  # the analysis pages' tables: the view instead of the indicator
VIEW_IDENTIFYING = frozenset({VIEW_KEY, "Ansicht", "Gebiet-ID", "Gebiet", "Gebietsebene", "Jahr", "Status"})
_GERMAN_NUMBER = re.compile(r"-?\d+(,\d+)?")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# where a field of a CSV text may start like a formula: at the start of a line (any line break of
# ``str.splitlines``) or after a ``;``, quoted or not — more places than field starts, never fewer
_FIELD_START = re.compile(r'(?:^|[;\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029])"?[=+\-@\t\r]')


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


def page_data(html: str) -> Iterator[dict]:
    """Every block of embedded figures (``<script type="application/json" id="sm-daten">``) of a page,
    parsed: from each opening tag to the next closing one."""
    start = html.find(_DATA_OPEN)
    while start >= 0:
        begin = start + len(_DATA_OPEN)
        end = html.find(_DATA_CLOSE, begin)
        if end < 0:
            return
        yield json.loads(html[begin:end])
        start = html.find(_DATA_OPEN, end + len(_DATA_CLOSE))


class _Levels:
    """The district ids of every level of a block, read once (each year and view repeats the levels)."""

    def __init__(self, data: dict) -> None:
        self.data = data
        self.ids: dict[int, list] = {}

    def runs(self, per_level: list) -> Iterator[tuple[int, list, list]]:
        """(level number, district ids, cells) of each level, as many cells as districts."""
        for number, (level, cells) in enumerate(zip(self.data["ebenen"], per_level, strict=True)):
            if number not in self.ids:
                self.ids[number] = [f.get("id") for f in level["geo"]["features"]]
            ids = self.ids[number]
            if len(ids) != len(cells):
                raise ValueError(f"{len(cells)} cells for {len(ids)} districts in the embedded figures")
            yield number, ids, cells


def map_runs(html: str) -> Iterator[tuple[int, tuple[int, int], list, list]]:
    """(year, (block, level), district ids, cells) of every level and year of a map page's figures."""
    for block, data in enumerate(page_data(html)):
        levels = _Levels(data)
        for year, per_level in data.get("werte", {}).items():
            for number, ids, cells in levels.runs(per_level):
                if cells:
                    yield int(year), (block, number), ids, cells


def view_runs(html: str) -> Iterator[tuple[str, int | None, tuple[int, int], list, list]]:
    """(view id, year, (block, level), district ids, cells) of every level and view of an analysis page."""
    for block, data in enumerate(page_data(html)):
        levels = _Levels(data)
        for view in data.get("ansichten", []):
            year = view.get("jahr")
            for number, ids, cells in levels.runs(view.get("werte", [])):
                if cells:
                    yield view.get("id"), None if year is None else int(year), (block, number), ids, cells


def page_cells(html: str) -> list[tuple[int, str, list]]:
    """(year, district_id, cell) of every district cell in a map page's embedded figures."""
    return [(year, district, cell) for year, _, ids, cells in map_runs(html)
            for district, cell in zip(ids, cells, strict=True)]


def view_cells(html: str) -> list[tuple[str, int | None, str, list]]:
    """(view id, year, district_id, cell) of every district cell in an analysis page's embedded figures."""
    return [(view, year, district, cell) for view, year, _, ids, cells in view_runs(html)
            for district, cell in zip(ids, cells, strict=True)]


def _padded(cells: list) -> int:
    """Cells without a value (a status code) that carry more than the code."""
    return sum(1 for c in cells if c and c[0] != 0 and len(c) > 1)


def _drawn(cells: list) -> np.ndarray:
    """Cells drawn with a value (``[0, …]``)."""
    return np.fromiter((bool(c and c[0] == 0) for c in cells), dtype=bool, count=len(cells))


@dataclass(frozen=True)
class PublishedCells:
    """The mart's published cells as sorted integer keys (``indicator × years + year) × districts +
    district``): what the pages' checks look up, with no Python object per cell — a national release
    publishes ten million, and forked workers share these arrays with the parent."""

    indicators: dict[str, int]  # every indicator of the mart (published or not) and its code
    districts: dict[str, int]
    first_year: int
    n_years: int
    cells: np.ndarray  # keys of the published cells, ascending
    district_years: np.ndarray  # (year × districts + district) with any published value, ascending

    @classmethod
    def of(cls, cells: pd.DataFrame) -> PublishedCells:
        indicator, indicators, district, districts, years, first, n_years = key_codes(cells)
        pub = np.asarray(cells["status"].eq(PUBLISHED).fillna(False), dtype=bool) & (indicator >= 0) & (district >= 0)
        n_districts = max(len(districts), 1)
        place = (years[pub] - first) * n_districts + district[pub]
        keys = sorted_unique(indicator[pub] * (n_years * n_districts) + place)
        return cls({i: c for c, i in enumerate(indicators)}, {d: c for c, d in enumerate(districts)}, first,
                   n_years, keys, sorted_unique(place))

    def district_codes(self, districts: Sequence) -> np.ndarray:
        """The code of each district id, -1 for one the mart does not have."""
        return np.fromiter((self.districts.get(d, -1) for d in districts), dtype=np.int64, count=len(districts))

    def _places(self, year: int | None, codes: np.ndarray) -> np.ndarray:
        """``year × districts + district`` of each district code, -1 where the year or district is not in the
        mart."""
        if year is None or not 0 <= year - self.first_year < self.n_years:
            return np.full(len(codes), -1, dtype=np.int64)
        return np.where(codes >= 0, (year - self.first_year) * max(len(self.districts), 1) + codes, -1)

    @staticmethod
    def _among(keys: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
        if not len(sorted_keys):
            return np.zeros(len(keys), dtype=bool)
        at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
        return (keys >= 0) & (sorted_keys[at] == keys)

    def published(self, indicator: str, year: int | None, codes: np.ndarray) -> np.ndarray:
        """Whether the mart publishes ``indicator`` in ``year`` for each district (by code)."""
        places = self._places(year, codes)
        code = self.indicators.get(indicator, -1)
        if code < 0:
            return np.zeros(len(places), dtype=bool)
        keys = np.where(places >= 0, code * self.n_years * max(len(self.districts), 1) + places, -1)
        return self._among(keys, self.cells)

    def published_cells(self, cells: Sequence[Sequence]) -> np.ndarray:
        """Whether the mart publishes each (indicator, year, district) cell, all looked up at once."""
        if not len(cells):
            return np.zeros(0, dtype=bool)
        indicators, years, districts = zip(*((c[0], c[1], c[2]) for c in cells), strict=True)
        return self.published_columns(indicators, years, districts)

    def published_columns(self, indicators: Sequence, years: Sequence, districts: Sequence) -> np.ndarray:
        """:meth:`published_cells` of cells given as three columns; each distinct id and year is coded once."""
        indicator = _coded(indicators, lambda i: self.indicators.get(i, -1))
        year = _coded(years, _year) - self.first_year
        district = _coded(districts, lambda d: self.districts.get(d, -1))
        known = (indicator >= 0) & (district >= 0) & (year >= 0) & (year < self.n_years)
        n_districts = max(len(self.districts), 1)
        keys = np.where(known, (indicator * self.n_years + year) * n_districts + district, -1)
        return self._among(keys, self.cells)

    def any_published(self, year: int | None, codes: np.ndarray) -> np.ndarray:
        """Whether the mart publishes at least one value in ``year`` for each district (by code)."""
        return self._among(self._places(year, codes), self.district_years)


def _coded(values: Sequence, code) -> np.ndarray:
    """``code(value)`` of each value, computed once per distinct value (-1 for one that is no id at all)."""

    def safe(value: object) -> int:
        try:
            return code(value)
        except TypeError:  # a list or an object where an id belongs
            return -1

    try:
        table = {v: safe(v) for v in set(values)}
    except TypeError:  # unhashable values: one by one
        return np.fromiter(map(safe, values), dtype=np.int64, count=len(values))
    return np.fromiter(map(table.__getitem__, values), dtype=np.int64, count=len(values))


def _year(value: object) -> int:
    """A mark's year as a number, -1 where it is none (a cell the mart cannot publish)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def _drawn_runs(runs: Iterator[tuple], published: PublishedCells | None) -> Iterator[tuple[list, int, np.ndarray | None]]:
    """Per run of cells (``(*head, level, ids, cells)``): its head (view and year, or year), how many cells
    without a value carry more than their status code, and the codes of the districts drawn with a value
    (None without the mart's cells or where none is drawn). Each level's districts are coded once."""
    codes: dict[tuple[int, int], np.ndarray] = {}
    for *head, level, ids, cells in runs:
        at = None
        if published is not None:
            drawn = _drawn(cells)
            if drawn.any():
                if level not in codes:
                    codes[level] = published.district_codes(ids)
                at = codes[level][drawn]
        yield head, _padded(cells), at


def _view_problems(name: str, html: str, published: PublishedCells | None) -> list[str]:
    if "ansichten" not in html:
        return []
    need = re.search(r"(^|/)handlungsbedarf(\.html$|/)", name) is not None
    padded = shown = 0
    for (view, year), pad, at in _drawn_runs(view_runs(html), published):
        padded += pad
        if at is None:
            continue
        bad = np.zeros(len(at), dtype=bool)
        if view in published.indicators:  # a view of an indicator: where the mart publishes it that year
            bad |= ~published.published(view, year, at)
        if need or view == "need_index":  # the need index: where the mart publishes anything that year
            bad |= ~published.any_published(year, at)
        shown += int(bad.sum())
    return _found(name, (padded, "districts without a value carry figures in the analysis data"), (shown, "districts drawn with a value the mart's published figures cannot give"))


def _found(name: str, *counts: tuple[int, str]) -> list[str]:
    """One message per kind of problem found on a page (``count`` times ``what``), none for a zero."""
    return [f"{name}: {count} {what}" for count, what in counts if count]


def _map_problems(name: str, indicator: str, html: str, published: PublishedCells | None) -> list[str]:
    padded = shown = 0
    for (year,), pad, at in _drawn_runs(map_runs(html), published):
        padded += pad
        if at is not None:
            shown += int((~published.published(indicator, year, at)).sum())
    return _found(name, (padded, "hidden districts carry figures in the map data"), (shown, "districts drawn as published that the mart does not publish"))


def _mark_tags(html: str) -> Iterator[str]:
    """Every tag whose class list begins with ``sm-wert`` (what ``_MARK`` matches), found from the class
    attribute outwards: a regular expression tried at every ``<`` of a page of thousands of tags is slow."""
    at = html.find(_MARK_CLASS)
    while at >= 0:
        opened = html.rfind("<", 0, at)
        found = _MARK.match(html, opened) if opened >= 0 else None
        if found is not None and found.end() > at:
            yield found.group(0)
            at = html.find(_MARK_CLASS, found.end())
        else:
            at = html.find(_MARK_CLASS, at + 1)


def _mark_cells(tags: list[str]) -> list[list | None]:
    """The cells of each chart mark (its ``data-sm`` list of (indicator, year, district)), None where a mark
    has none or they are not such a list. All marks of a page are decoded at once (a Berlin-size profile
    draws thousands), one by one only where that fails."""
    raw = [found.group(1) if (found := _MARK_CELLS.search(tag)) else None for tag in tags]
    given = [r for r in raw if r is not None]
    try:
        decoded = iter(json.loads("[" + unescape(",".join(given)) + "]"))
        if len(given) != len(decoded := list(decoded)):
            raise ValueError("a mark's cells are not one JSON value")
        parsed = iter(decoded)
        cells = [None if r is None else next(parsed) for r in raw]
    except ValueError:  # json.JSONDecodeError included
        cells = [None if r is None else _decoded(r) for r in raw]
    return [c if _is_cell_list(c) else None for c in cells]


def _decoded(raw: str) -> object:
    try:
        return json.loads(unescape(raw))
    except json.JSONDecodeError:
        return None


def _is_cell_list(cells: object) -> bool:
    return (isinstance(cells, list) and len(cells) > 0
            and all(isinstance(c, list) and len(c) == 3 and isinstance(c[1], int | str) for c in cells))


def _mark_problems(name: str, html: str, published: PublishedCells | None) -> list[str]:
    """Chart marks (``class="sm-wert"``) without their cells, or drawn from cells the mart does not publish."""
    marks = _mark_cells(list(_mark_tags(html)))
    untagged = sum(1 for cells in marks if cells is None)
    hidden = 0
    if published is not None:
        drawn = [cell for cells in marks if cells is not None for cell in cells]
        hidden = int((~published.published_cells(drawn)).sum())
    problems = []
    if untagged:
        problems.append(f"{name}: {untagged} chart marks without the cells they are drawn from")
    if hidden:
        problems.append(f"{name}: {hidden} chart marks drawn from cells the mart does not publish")
    return problems


_CHARTS_OPEN = '<script type="application/json" id="sm-diagramme">'
_CHART_KEYS = frozenset({"gebiet", "stadt", "eltern", "reihen", "spine"})
_SERIES_KEYS = frozenset({"jahre", "werte", "stadt", "achse"})
_SPINE_KEYS = frozenset({"i", "jahr", "wert", "stadt", "eltern", "spanne", "farbe", "umkehr"})


def chart_runs(data: object) -> tuple[list[tuple[object, object, list]], int]:
    """The figures of a profile's chart data (see the module docstring) as runs of cells of one indicator
    and district, (indicator, district, years of the figures), and how many figures name no such cell (the
    data not in its form counts as one)."""
    if not isinstance(data, dict):
        return [], 1
    own, city, parent = (data.get(k) for k in ("gebiet", "stadt", "eltern"))
    runs: list[tuple[object, object, list]] = []
    unnamed = len(set(data) - _CHART_KEYS)  # room for nothing but the figures of the form

    def run(indicator: object, district: object, years: list) -> None:
        nonlocal unnamed
        if not years:
            return
        if isinstance(district, str) and all(type(y) is int for y in years):
            runs.append((indicator, district, years))
        else:
            unnamed += len(years)

    series, spine = data.get("reihen", {}), data.get("spine", [])
    if not isinstance(series, dict) or not isinstance(spine, list):
        return runs, unnamed + 1
    for indicator, entry in series.items():
        if not isinstance(entry, dict) or not isinstance(years := entry.get("jahre"), list):
            unnamed += 1
            continue
        unnamed += len(set(entry) - _SERIES_KEYS)
        for district, values in ((own, entry.get("werte")), (city, entry.get("stadt"))):
            if values is None:
                continue
            if not isinstance(values, list) or len(values) != len(years):
                unnamed += 1
                continue
            run(indicator, district, [y for y, v in zip(years, values, strict=True) if v is not None])
    for row in spine:
        if not isinstance(row, dict):
            unnamed += 1
            continue
        unnamed += len(set(row) - _SPINE_KEYS)
        for district, key in ((own, "wert"), (city, "stadt"), (parent, "eltern")):
            if row.get(key) is not None:
                run(row.get("i"), district, [row.get("jahr")])
    return runs, unnamed


def chart_cells(data: object) -> tuple[list[tuple], int]:
    """The (indicator, year, district) cell of every figure of :func:`chart_runs`, and the figures without."""
    runs, unnamed = chart_runs(data)
    return [(indicator, year, district) for indicator, district, years in runs for year in years], unnamed


def _chart_problems(name: str, html: str, published: PublishedCells | None) -> list[str]:
    """A profile's chart figures (``sm-diagramme``): each the value of a cell the mart publishes."""
    runs: list[tuple] = []
    unnamed = 0
    start = html.find(_CHARTS_OPEN)
    while start >= 0:
        begin = start + len(_CHARTS_OPEN)
        end = html.find(_DATA_CLOSE, begin)
        try:
            found, missing = chart_runs(json.loads(html[begin:end if end >= 0 else len(html)]))
        except json.JSONDecodeError:
            found, missing = [], 1
        runs += found
        unnamed += missing
        start = html.find(_CHARTS_OPEN, begin)
    hidden = 0
    if published is not None and runs:  # the runs' cells as three columns, each run's ids repeated
        indicators, years, districts = [], [], []
        for indicator, district, run_years in runs:
            indicators += [indicator] * len(run_years)
            districts += [district] * len(run_years)
            years += run_years
        hidden = int((~published.published_columns(indicators, years, districts)).sum())
    return _found(name, (unnamed, "chart figures without the cell they are drawn from"),
                  (hidden, "chart figures of cells the mart does not publish"))


def csv_problems(name: str, text: str, published: PublishedCells | None) -> list[str]:
    """A table of a page as CSV (see the module docstring): figures of hidden cells, rows without their cell,
    texts a spreadsheet would run as a formula."""
    import csv

    rows = list(csv.reader(text.removeprefix("\ufeff").splitlines(), delimiter=";", quotechar='"'))
    if not rows:
        return [f"{name}: an empty CSV file"]
    header, body = rows[0], rows[1:]
    views = VIEW_KEY in header and "Indikator-ID" not in header
    keys = (VIEW_KEY, *CSV_KEYS[1:]) if views else CSV_KEYS
    missing = [k for k in keys if k not in header]
    if missing:
        return [f"{name}: no column {', '.join(missing)} naming the cell of each row"]
    at = {k: header.index(k) for k in CSV_KEYS[1:]}
    at["Indikator-ID"] = header.index(keys[0])
    figures = [i for i, h in enumerate(header) if h not in (VIEW_IDENTIFYING if views else CSV_IDENTIFYING)]
    need = re.search(r"(^|/)handlungsbedarf\.csv$", name) is not None
    good = [row for row in body if len(row) == len(header)]
    broken, hidden, unpublished, formulas = len(body) - len(good), 0, 0, 0
    if good:  # column by column: a district's or indicator's table has thousands of rows
        columns = list(zip(*good, strict=True))
        # a text where no field can start like a formula needs no look at each field
        for column in columns if _FIELD_START.search(text.removeprefix("\ufeff")) else ():
            starts = {field for field in set(column)
                      if field.startswith(_FORMULA_STARTS) and not _GERMAN_NUMBER.fullmatch(field)}
            if starts:
                formulas += sum(1 for field in column if field in starts)
        shown = np.zeros(len(good), dtype=bool)
        for i in figures:
            shown |= np.asarray(columns[i], dtype=object) != ""
        hidden = int((shown & (np.asarray(columns[at["Status"]], dtype=object) != PUBLISHED)).sum())
        if published is not None and shown.any():
            cell_keys = [np.asarray(columns[at[k]], dtype=object)[shown] for k in ("Indikator-ID", "Jahr", "Gebiet-ID")]
            if views:  # an analysis page's table (a few hundred rows): the analysis pages' rule, row by row
                unpublished = sum(1 for key, year, district in zip(*cell_keys, strict=True) if not _row_published(
                    published, key, _year(year), published.district_codes([district]), views, need))
            else:
                unpublished = int((~published.published_columns(*cell_keys)).sum())
    problems = []
    if broken:
        problems.append(f"{name}: {broken} rows with another number of fields than the header")
    if hidden:
        problems.append(f"{name}: {hidden} rows of hidden cells carry figures")
    if unpublished:
        problems.append(f"{name}: {unpublished} rows carry figures of cells the mart does not publish")
    if formulas:
        problems.append(f"{name}: {formulas} fields start like a spreadsheet formula")
    return problems


def _row_published(published: PublishedCells, key: str, year: int | None, codes: np.ndarray, views: bool,
                   need: bool) -> bool:
    """Whether the mart can give a row's figures: its indicator's cell; for an analysis table's view the rule
    of the analysis pages (an indicator's view: that cell; the need index: any value of the district that
    year; another view, e.g. an offer category, has no cell of its own to look up)."""
    if not views:
        return bool(published.published(key, year, codes)[0])
    ok = True
    if key in published.indicators:
        ok &= bool(published.published(key, year, codes)[0])
    if need or key == "need_index":
        ok &= bool(published.any_published(year, codes)[0])
    return ok


SEARCH_INDEX = "suchindex.js"
_SEARCH_PREFIX = "window.smSuchindex = "


def search_index_problems(name: str, text: str) -> list[str]:
    """Entries of the search index that hold more than a kind, a name, a code, a detail and a page link."""
    body = text.strip()
    if not (body.startswith(_SEARCH_PREFIX) and body.endswith(";")):
        return [f"{name}: not the search index's form (window.smSuchindex = [...];)"]
    try:
        entries = json.loads(body[len(_SEARCH_PREFIX):-1].replace("<\\/", "</"))
    except json.JSONDecodeError:
        return [f"{name}: the search index is not JSON"]
    bad = sum(1 for e in entries if not (isinstance(e, list) and len(e) == 5 and all(isinstance(f, str) for f in e)
                                          and e[0] in ("Gebiet", "Indikator") and e[4].endswith(".html")))
    return [f"{name}: {bad} search entries hold more than kind, name, code, detail and link"] if bad else []


_COMPARE_OPEN = '<script type="application/json" id="sm-vergleich">'


def _compare_problems(name: str, html: str, published: PublishedCells | None) -> list[str]:
    """The comparison page's cells (see the module docstring)."""
    start = html.find(_COMPARE_OPEN)
    if start < 0:
        return []
    begin = start + len(_COMPARE_OPEN)
    data = json.loads(html[begin:html.find(_DATA_CLOSE, begin)])
    districts = [g.get("id") for g in data.get("gebiete", [])]
    codes = published.district_codes(districts) if published is not None else None
    padded = shown = 0
    for indicator, cells in zip(data.get("indikatoren", []), data.get("zellen", []), strict=True):
        if len(cells) != len(districts):
            raise ValueError(f"{name}: {len(cells)} cells for {len(districts)} districts in the comparison data")
        padded += _padded(cells)
        drawn = _drawn(cells)
        if codes is not None and drawn.any():
            shown += int((~published.published(indicator.get("id"), int(indicator.get("jahr")), codes[drawn])).sum())
    return _found(name, (padded, "hidden districts carry figures in the comparison data"), (shown, "districts compared with a value the mart does not publish"))


def _map_indicator(relative: tuple[str, ...]) -> str | None:
    """The indicator of an indicator map page: ``indikatoren/<id>.html`` and, at national scale, each
    top-level unit's page ``indikatoren/<id>/<unit>.html``."""
    if len(relative) == 2 and relative[0] == "indikatoren" and relative[1].endswith(".html"):
        return relative[1][: -len(".html")]
    if len(relative) == 3 and relative[0] == "indikatoren":
        return relative[1]
    return None


def site_pages(site: Path) -> list[Path]:
    """Every page of a site and every table beside them (CSV), in a fixed order; not the print versions
    (``druck/``), which are made from these pages."""
    return sorted(p for p in site.rglob("*") if (p.suffix in (".html", ".csv") or p.name == SEARCH_INDEX)
                  and p.relative_to(site).parts[0] != "druck")


def page_problems(site: Path, page: Path, published: PublishedCells | None = None) -> list[str]:
    """One message per kind of leak in ``page``; ``published`` (the mart's cells) enables the status
    cross-check."""
    relative = page.relative_to(site)
    name = relative.as_posix()
    if page.suffix == ".csv":
        return csv_problems(name, page.read_text(encoding="utf-8"), published)
    if name == SEARCH_INDEX:
        return search_index_problems(name, page.read_text(encoding="utf-8"))
    html = page.read_text(encoding="utf-8")
    problems = []
    indicator = _map_indicator(relative.parts)
    if indicator is not None:
        problems += _map_problems(name, indicator, html, published)
    problems += _view_problems(name, html, published)
    problems += _compare_problems(name, html, published)
    if "sm-wert" in html:
        problems += _mark_problems(name, html, published)
    if _CHARTS_OPEN in html:
        problems += _chart_problems(name, html, published)
    leaks = [p for p in embedded_properties(html)
             if p.get("status", PUBLISHED) != PUBLISHED and set(p) - IDENTIFYING]
    if leaks:
        extra = sorted(set().union(*(set(p) - IDENTIFYING for p in leaks)))
        problems.append(f"{name}: {len(leaks)} hidden districts carry {', '.join(extra)}")
    return problems


def site_problems(site: Path, cells: pd.DataFrame | PublishedCells | None = None) -> list[str]:
    """One message per page and kind of leak; ``cells`` (the mart's values) enable the status cross-check."""
    published = PublishedCells.of(cells) if isinstance(cells, pd.DataFrame) else cells

    def check(page: Path) -> list[str]:
        return page_problems(site, page, published)

    # pages apart on every core (a city's site has a page per district)
    return [problem for found in map_pages(check, site_pages(site)) for problem in found]
