"""``datenkatalog.html``: the data dictionary of a release as a German, offline page of its site.

Built from the release's mart only (its ``data_dictionary`` and ``run_info`` tables), so the page always
describes exactly the schema of the release it belongs to. No scripts, no external resources.
"""

from __future__ import annotations

from html import escape
from itertools import groupby
from pathlib import Path

import duckdb

from pipelines.lib.dashboards.formatting import format_date
from pipelines.lib.duck import connect
from pipelines.lib.release.exports import CSV_DIR, GEO_DIR, GEO_LAYER, PARQUET_DIR, WORKBOOK_NAME

CATALOGUE_PAGE = "datenkatalog.html"
CATALOGUE_LINK = ("Datenkatalog: alle Tabellen und Spalten", CATALOGUE_PAGE)
_HEADER = ("Spalte", "Datentyp", "Schlüssel", "darf leer sein", "Einheit", "zulässige Werte", "Beschreibung")


def write_catalogue_page(mart: Path, site_dir: Path) -> Path:
    """Write ``datenkatalog.html`` into ``site_dir`` from the mart at ``mart``; the same mart gives the same bytes."""
    with connect(Path(mart), read_only=True, spatial=False) as con:
        run = con.execute("select run_id, city_name, data_date, schema_version from run_info").fetchone()
        rows = con.execute(
            "select table_name, table_kind, table_description, column_name, data_type, is_key, nullable, unit, "
            "allowed_values, description from data_dictionary order by table_kind desc, table_name, column_position"
        ).fetchall()
    site_dir.mkdir(parents=True, exist_ok=True)
    page = site_dir / CATALOGUE_PAGE
    page.write_text(render_catalogue(run, rows), encoding="utf-8", newline="\n")
    return page


def render_catalogue(run: tuple, rows: list[tuple]) -> str:
    """The page for ``run`` (run_id, city, data date, schema version) and the dictionary ``rows``."""
    run_id, city, data_date, version = run
    tables = [(key, list(group)) for key, group in groupby(rows, key=lambda r: (r[0], r[1], r[2]))]
    toc = "".join(f'<li><a href="#{escape(name)}">{escape(name)}</a> ({escape(kind)})</li>'
                  for (name, kind, _), _ in tables)
    sections = "\n".join(_table_section(name, kind, description, cols) for (name, kind, description), cols in tables)
    body = f"""<header class="kopf">
<h1>Datenkatalog Sozialmonitor {escape(city)}</h1>
<p class="meta">Freigabe {escape(run_id)} · Datenstand {escape(format_date(data_date))} · Schemaversion {version}</p>
</header>
<main class="inhalt">
<p><a href="index.html">Zurück zur Übersicht</a></p>
<section class="hinweis">
<h2>Zugang zu den Daten</h2>
<p>Die Datenbank <code>data_marts/sozialmonitor.duckdb</code> (DuckDB {duckdb.__version__}) enthält nur geschützte Zahlen:
geheimgehaltene Zellen haben weder Zähler noch Wert noch Intervall. Abfragen mit
<code>sozialmonitor sql</code> (nur lesend, mit der Erweiterung spatial). Jede Freigabe liegt unverändert in
<code>data_marts/releases/&lt;Freigabe&gt;/</code>; ihr Ordner <code>exports/</code> enthält:</p>
<ul>
<li><code>{PARQUET_DIR}/&lt;Tabelle&gt;.parquet</code> – jede Tabelle als Parquet (Geometrien als GeoParquet),</li>
<li><code>{CSV_DIR}/&lt;Tabelle&gt;.csv</code> – jede Tabelle als CSV (Semikolon, Dezimalkomma, UTF-8 mit BOM;
ohne Geometrien; Texte, die wie eine Formel beginnen – =, +, -, @ –, mit einem Apostroph davor),</li>
<li><code>{WORKBOOK_NAME}</code> – alle Tabellen als Excel-Arbeitsmappe mit dem Blatt „Erläuterungen“; Tabellen
mit Jahren dort nur mit dem neuesten Jahr je Indikator (alle Jahre in CSV und Parquet),</li>
<li><code>{GEO_DIR}/{GEO_LAYER}.gpkg</code> und <code>{GEO_DIR}/{GEO_LAYER}.parquet</code> – die Gebiete mit dem
neuesten Wert jedes Indikators als Spalten (wie die Sicht v_district_wide), für QGIS.</li>
</ul>
<p>Die Schemaversion steigt, sobald sich eine veröffentlichte Tabelle oder Spalte ändert.</p>
</section>
<h2>Tabellen und Sichten</h2>
<ul>{toc}</ul>
{sections}
</main>"""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="de">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Datenkatalog – Sozialmonitor {escape(city)}</title>\n"
        '<link rel="stylesheet" href="assets/sozialmonitor.css">\n'
        "</head>\n<body>\n" + body + "\n</body>\n</html>\n"
    )


def _table_section(name: str, kind: str, description: str, cols: list[tuple]) -> str:
    head = "".join(f"<th>{h}</th>" for h in _HEADER)
    lines = []
    for _, _, _, column, dtype, key, nullable, unit, values, text in cols:
        cells = (column, dtype, "ja" if key else "", "ja" if nullable else "nein", unit or "",
                 (values or "").replace(" | ", "; "), text)
        lines.append("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in cells) + "</tr>")
    return (f'<section id="{escape(name)}"><h3>{escape(name)} <small>({escape(kind)})</small></h3>\n'
            f"<p>{escape(description)}</p>\n<table><thead><tr>{head}</tr></thead><tbody>\n"
            + "\n".join(lines) + "\n</tbody></table></section>")
