"""Each page's table as a CSV file beside the page, from the page's published figures only.

``indikatoren/<id>.csv`` (every level and year of one indicator, the city first), ``steckbriefe/<id>.csv``
(every indicator and year of one district), ``vergleich.csv`` (every district and indicator in the newest
year) and ``auswertungen/<page>.csv`` (every view, level and district of an analysis page: its class and
the texts its table shows, :func:`analysis_rows`). One row per cell in the German dialect of the exports (``;``,
decimal comma, UTF-8 with byte order mark, texts neutralised against formula injection:
:func:`~pipelines.lib.release.german_csv.write_german_rows`; the cell tables' lines are written here directly
in that form, each indicator's and district's fields once).
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
from pipelines.lib.dashboards.formatting import PUBLISHED, STATUS_TEXT, format_numbers
from pipelines.lib.dashboards.geo import District
from pipelines.lib.dashboards.map_data import IndicatorMap, display_status
from pipelines.lib.dashboards.mart import IndicatorMeta, Value
from pipelines.lib.dashboards.page_frame import page_name
from pipelines.lib.release.german_csv import BOM, neutralised, write_german_rows

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


def _numbers(values: list[Value], decimals: int) -> list[tuple[str, str, str]]:
    """Rate, interval bounds (empty unless both are given) of each published value as the CSV writes them
    (decimal comma, no thousands dot), each column formatted at once (:func:`~.formatting.format_numbers`)."""
    with_ci = [v.ci_low is not None and v.ci_high is not None for v in values]
    rates = format_numbers([v.rate for v in values], decimals)
    lows = format_numbers([v.ci_low if c else 0.0 for v, c in zip(values, with_ci, strict=True)], decimals)
    highs = format_numbers([v.ci_high if c else 0.0 for v, c in zip(values, with_ci, strict=True)], decimals)
    return [(r.replace(".", ""), lo.replace(".", "") if c else "", hi.replace(".", "") if c else "")
            for r, lo, hi, c in zip(rates, lows, highs, with_ci, strict=True)]


def _field(text: object) -> str:
    """One field as :func:`~pipelines.lib.release.german_csv.write_german_rows` writes a text: neutralised
    against formula injection, quoted where it holds ``;``, ``"`` or a line break; None is empty."""
    if text is None:
        return ""
    text = neutralised(str(text))
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ';"\r\n') else text


def _fields(*texts: object) -> str:
    return ";".join(_field(t) for t in texts)


HEADER = _fields(*COLUMNS) + "\r\n"
_STATUS = {status: _field(text) for status, text in STATUS_TEXT.items()}
_COMPARISON = {key: _field(text) for key, text in TEXT.items()}


def indicator_head(indicator: IndicatorMeta) -> str:
    """The indicator's three fields of a row (id, label, unit), written once per indicator."""
    return _fields(indicator.indicator_id, indicator.label, indicator.unit_label)


def district_head(district: District) -> str:
    """The district's three fields of a row (id, name, level)."""
    return _fields(district.district_id, district.name, district.level_label)


def cell_lines(cells: list[tuple[IndicatorMeta, str, int, Value | None, str | None]], decimals: int) -> list[str]:
    """One row of :data:`COLUMNS` per cell (indicator, ``head``: the indicator's and district's fields, see
    :func:`indicator_head`, year, value, comparison) as CSV lines: the figures where the cell is published,
    else the status alone."""
    numbers = iter(_numbers([c[3] for c in cells if c[3] is not None and c[3].published], decimals))
    lines = []
    for indicator, head, year, value, comparison in cells:
        if value is None or not value.published:
            lines.append(f"{head};{year};;;;;;;{_STATUS[display_status(value)]}\r\n")
            continue
        rate, low, high = next(numbers)
        numerator = "" if value.numerator is None else int(value.numerator)
        denominator = "" if value.denominator is None or not indicator.denominator_public else int(value.denominator)
        lines.append(f"{head};{year};{rate};{low};{high};{numerator};{denominator};"
                     f"{_COMPARISON[comparison] if comparison else ''};{_STATUS[PUBLISHED]}\r\n")
    return lines


def indicator_rows(data: IndicatorMap, decimals: int) -> list[str]:
    """The city, then every district of every map level (coarse to fine), every year."""
    districts = ([data.city] if data.city is not None else []) + [d for lv in data.levels for d in lv.districts]
    ind = indicator_head(data.indicator)
    cells = []
    for d in districts:
        head = f"{ind};{district_head(d)}"
        cells += [(data.indicator, head, year, data.values[year].get(d.district_id),
                   data.compared[year].get(d.district_id)) for year in data.years]
    return cell_lines(cells, decimals)


def profile_rows(district: District, maps: Iterable[IndicatorMap], decimals: int) -> list[str]:
    """Every indicator (by domain and label) and year of one district; the comparison of the newest year."""
    place = district_head(district)
    cells = []
    for m in sorted(maps, key=lambda m: (m.indicator.domain, m.indicator.label, m.indicator.indicator_id)):
        head = f"{indicator_head(m.indicator)};{place}"
        cells += [(m.indicator, head, year, m.values[year].get(district.district_id),
                   m.compared.get(year, {}).get(district.district_id)) for year in m.years]
    return cell_lines(cells, decimals)


def write_csv(path: Path, rows: Iterable[str]) -> Path:
    """The header and ``rows`` (lines of :func:`cell_lines`) in the German dialect of
    :func:`~pipelines.lib.release.german_csv.write_german_rows`: byte order mark, ``;``, CRLF."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((BOM + HEADER + "".join(rows)).encode("utf-8"))
    return path


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
