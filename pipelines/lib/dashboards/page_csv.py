"""Each page's table as a CSV file beside the page, from the page's published figures only.

``indikatoren/<id>.csv`` (every level and year of one indicator, the city first), ``steckbriefe/<id>.csv``
(every indicator and year of one district), ``vergleich.csv`` (every district and indicator in the newest
year) and ``auswertungen/<page>.csv`` (every view, level and district of an analysis page: its class and
the texts its table shows, :func:`analysis_rows`). One row per cell in the German dialect of the exports (``;``, decimal comma, UTF-8 with byte order
mark, texts neutralised against formula injection: :func:`~pipelines.lib.release.german_csv.write_german_rows`).
A cell that is not published keeps its row with the status only ("geheimgehalten (Datenschutz)", …), so
the gap is visible and nothing else of it is written. The release audit reads these files like the pages
(:mod:`pipelines.lib.audit.site`): the key columns name the cell every row's figures come from.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from html import escape
from pathlib import Path

from pipelines.lib.dashboards.analysis_map import AnalysisMap, shown_status
from pipelines.lib.dashboards.comparison import TEXT
from pipelines.lib.dashboards.formatting import STATUS_TEXT, format_number
from pipelines.lib.dashboards.geo import District
from pipelines.lib.dashboards.map_data import IndicatorMap, display_status
from pipelines.lib.dashboards.mart import IndicatorMeta, Value
from pipelines.lib.dashboards.page_frame import page_name
from pipelines.lib.release.german_csv import write_german_rows

COLUMNS = ("Indikator-ID", "Indikator", "Einheit", "Gebiet-ID", "Gebiet", "Gebietsebene", "Jahr", "Wert",
           "KI unten", "KI oben", "Zähler", "Nenner", "Vergleich mit der Stadt", "Status")
NUMERIC = ("Wert", "KI unten", "KI oben", "Zähler", "Nenner")
LINK_TEXT = "Tabelle als CSV herunterladen"
COMPARISON_CSV = "vergleich.csv"


def csv_name(key: str) -> str:
    """The file name of a page's table: ``P01`` → ``P01.csv`` (escaped like :func:`~.page_frame.page_name`)."""
    return page_name(key)[: -len(".html")] + ".csv"


def download_link(href: str) -> str:
    """The link to a page's CSV (screen only: a printed page cannot be clicked)."""
    return (f'<p class="download nur-bildschirm"><a href="{escape(href)}" download type="text/csv">{LINK_TEXT}</a> '
            "(Semikolon-getrennt, Dezimalkomma; nur veröffentlichte Werte)</p>")


def _number(value: float | None, decimals: int) -> str | None:
    return None if value is None else format_number(value, decimals).replace(".", "")


def cell_row(indicator: IndicatorMeta, district: District, year: int, value: Value | None,
             comparison: str | None, decimals: int) -> tuple:
    """One row of :data:`COLUMNS`: the figures where the cell is published, else the status alone."""
    head = (indicator.indicator_id, indicator.label, indicator.unit_label, district.district_id, district.name,
            district.level_label, year)
    status = display_status(value)
    if value is None or not value.published:
        return (*head, None, None, None, None, None, None, STATUS_TEXT[status])
    with_ci = value.ci_low is not None and value.ci_high is not None
    return (*head, _number(value.rate, decimals), _number(value.ci_low, decimals) if with_ci else None,
            _number(value.ci_high, decimals) if with_ci else None,
            None if value.numerator is None else str(int(value.numerator)),
            None if value.denominator is None or not indicator.denominator_public else str(int(value.denominator)),
            TEXT[comparison] if comparison else None, STATUS_TEXT[status])


def indicator_rows(data: IndicatorMap, decimals: int) -> Iterator[tuple]:
    """The city, then every district of every map level (coarse to fine), every year."""
    districts = ([data.city] if data.city is not None else []) + [d for lv in data.levels for d in lv.districts]
    for d in districts:
        for year in data.years:
            yield cell_row(data.indicator, d, year, data.values[year].get(d.district_id),
                           data.compared[year].get(d.district_id), decimals)


def profile_rows(district: District, maps: Iterable[IndicatorMap], decimals: int) -> Iterator[tuple]:
    """Every indicator (by domain and label) and year of one district; the comparison of the newest year."""
    for m in sorted(maps, key=lambda m: (m.indicator.domain, m.indicator.label, m.indicator.indicator_id)):
        for year in m.years:
            yield cell_row(m.indicator, district, year, m.values[year].get(district.district_id),
                           m.compared.get(year, {}).get(district.district_id), decimals)


def write_csv(path: Path, rows: Iterable[tuple]) -> Path:
    return write_german_rows(path, COLUMNS, rows, NUMERIC)


# an analysis page's table: the view (an indicator of the hot spots, an offer category, …) names the cell
ANALYSIS_KEYS = ("Ansicht-ID", "Ansicht", "Gebiet-ID", "Gebiet", "Gebietsebene", "Jahr")
CLASS_COLUMN = "Klasse"


def analysis_columns(data: AnalysisMap) -> tuple[str, ...]:
    """:data:`ANALYSIS_KEYS`, the class, every view's field labels (in order, each once), the status."""
    fields = dict.fromkeys(f for v in data.views for f in v.fields if f not in (*ANALYSIS_KEYS, CLASS_COLUMN, "Status"))
    return (*ANALYSIS_KEYS, CLASS_COLUMN, *fields, "Status")


def analysis_rows(data: AnalysisMap) -> Iterator[tuple]:
    """Every view, level (coarse to fine) and district of an analysis page: the class and the texts of its
    table where the district has a value, else the status alone (what the map draws: :func:`shown_status`)."""
    columns = analysis_columns(data)
    at = {name: i for i, name in enumerate(columns)}
    for view in data.views:
        for lv in data.levels:
            classes = view.classes.get(lv.level, ())
            for d in lv.districts:
                cell = view.cell(lv.level, d.district_id)
                row: list = [None] * len(columns)
                row[: len(ANALYSIS_KEYS)] = (view.view_id, view.name, d.district_id, d.name, d.level_label, view.year)
                row[-1] = STATUS_TEXT[shown_status(cell)]
                if cell.published:
                    row[at[CLASS_COLUMN]] = classes[cell.cls].label if cell.cls < len(classes) else None
                    for label, text in zip(view.fields, cell.fields, strict=False):
                        if label in at and at[label] > at[CLASS_COLUMN]:
                            row[at[label]] = text
                yield tuple(row)


def write_analysis_csv(path: Path, data: AnalysisMap) -> Path:
    """The table of an analysis page (texts as the page shows them, neutralised against formulas)."""
    return write_german_rows(path, analysis_columns(data), analysis_rows(data), keep_numbers=True)
