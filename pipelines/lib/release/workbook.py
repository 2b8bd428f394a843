"""The Excel workbook for committee staff: a sheet "Erläuterungen" from the data dictionary, then one sheet
per published table. Written with XlsxWriter in constant-memory mode (rows go to disk as they are written);
byte-stable: fixed document dates and zip entry times."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import xlsxwriter

EXPLANATION_SHEET = "Erläuterungen"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
DATE_FORMAT = "yyyy-mm-dd"
_OPTIONS = {
    "constant_memory": True,
    # text stays text: no formulas, hyperlinks or numbers made from strings (a name starting with "=")
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "default_date_format": DATETIME_FORMAT,
}


@dataclass(frozen=True)
class Sheet:
    name: str
    header: Sequence[str]
    rows: Iterable[Sequence]


def excel_timestamp(value: datetime) -> datetime:
    """Excel knows no time zones and keeps milliseconds at most: timestamps in UTC, to the second."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=0)


class _Writer:
    """Writes rows of Python values with one writer method per value type (no per-cell type guessing)."""

    def __init__(self, book: xlsxwriter.Workbook):
        self.bold = book.add_format({"bold": True})
        self.date = book.add_format({"num_format": DATE_FORMAT})
        self.datetime = book.add_format({"num_format": DATETIME_FORMAT})

    def header(self, ws, row: int, values: Sequence[str]) -> None:
        for col, value in enumerate(values):
            ws.write_string(row, col, str(value), self.bold)

    def row(self, ws, row: int, values: Sequence) -> None:
        for col, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, bool):
                ws.write_boolean(row, col, value)
            elif isinstance(value, int | float):
                ws.write_number(row, col, value)
            elif isinstance(value, str):
                if value:
                    ws.write_string(row, col, value)
            elif isinstance(value, datetime):
                ws.write_datetime(row, col, excel_timestamp(value), self.datetime)
            elif isinstance(value, date):
                ws.write_datetime(row, col, datetime(value.year, value.month, value.day), self.date)
            else:
                ws.write_string(row, col, str(value))


def write_workbook(path: Path, intro: Sequence[str], explanation: Sheet, sheets: Sequence[Sheet],
                   created: datetime) -> Path:
    """Write the workbook: ``intro`` lines and the ``explanation`` table first, then ``sheets``.

    ``created`` (naive UTC) is recorded as the document's creation and change date.
    """
    path.unlink(missing_ok=True)
    book = xlsxwriter.Workbook(str(path), _OPTIONS)
    try:
        book.set_properties({"author": "Sozialmonitor", "created": created})
        writer = _Writer(book)
        first = book.add_worksheet(EXPLANATION_SHEET)
        for r, line in enumerate(intro):
            first.write_string(r, 0, line)
        row = len(intro) + 1
        writer.header(first, row, explanation.header)
        for values in explanation.rows:
            row += 1
            writer.row(first, row, values)
        for sheet in sheets:
            ws = book.add_worksheet(sheet.name)
            ws.freeze_panes(1, 0)
            writer.header(ws, 0, sheet.header)
            for r, values in enumerate(sheet.rows, start=1):
                writer.row(ws, r, values)
    finally:
        book.close()
    return path
