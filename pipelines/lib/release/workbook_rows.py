"""Which rows of each published table the Excel workbook holds.

Committee staff read the current state in Excel; a city's whole time series has hundreds of thousands of
rows per table and a national one millions, which no spreadsheet handles well (and Excel's limit is
1,048,576 rows per sheet). So a sheet holds, of a table with years, the latest year of each indicator;
and where that is still more than :data:`MAX_SHEET_ROWS` rows, the districts of the finest levels are
left out, level by level, until it fits. The sheet "Erläuterungen" says what each sheet holds; the CSV
and Parquet files always hold every row. Exports and the audit's export check use the same selection.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.lib.release.schema import Table

MAX_SHEET_ROWS = 200_000


@dataclass(frozen=True)
class SheetRows:
    query: str
    note: str | None  # German, for "Erläuterungen": what the sheet leaves out (None: every row)


def _latest(t: Table, columns: list[str], extra_where: str = "") -> str:
    names = {c.name for c in t.columns}
    cols = ", ".join(f"t.{c}" for c in columns)
    order = ", ".join(f"t.{c}" for c in t.sort_columns)
    if "year" not in names:
        return f"select {cols} from {t.name} t {extra_where} order by {order}"
    partition = "partition by t.indicator_id" if "indicator_id" in names else ""
    return (f"select {cols} from {t.name} t {extra_where} "
            f"qualify t.year = max(t.year) over ({partition}) order by {order}")


def sheet_rows(con, t: Table, columns: list[str]) -> SheetRows:
    """The query of ``t``'s rows in its sheet (``columns``, sorted) and what it leaves out."""
    names = {c.name for c in t.columns}
    query = _latest(t, columns)
    note = (f"{t.name}: nur das neueste Jahr je Indikator" if "year" in names else None)
    if "district_id" not in names or _count(con, query) <= MAX_SHEET_ROWS:
        return SheetRows(query, note)
    levels = con.execute("select level_rank, any_value(level_label) from districts group by all "
                         "order by level_rank").fetchall()
    for rank, label in reversed(levels[:-1]):  # leave out the finest levels, one at a time
        restricted = _latest(t, columns, "join districts d on d.district_id = t.district_id "
                                         f"where d.level_rank <= {int(rank)}")
        if _count(con, restricted) <= MAX_SHEET_ROWS or rank == levels[0][0]:
            return SheetRows(restricted, f"{t.name}: nur das neueste Jahr je Indikator und nur Gebiete bis zur "
                                         f"Ebene „{label}“ (mehr als {MAX_SHEET_ROWS:,} Zeilen)".replace(",", "."))
    return SheetRows(query, note)


def _count(con, query: str) -> int:
    return con.execute(f"select count(*) from ({query})").fetchone()[0]
