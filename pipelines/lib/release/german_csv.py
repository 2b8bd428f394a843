"""CSV in the German dialect that offices and Excel expect: ``;``, decimal comma, UTF-8 with BOM.

Empty fields are NULL; an empty text is written as ``""``. Numbers are written in full precision
(shortest round-trip form) with a decimal comma; timestamps in ISO form with their offset; booleans as
``true``/``false``. DuckDB reads the files back with
``read_csv(path, delim=';', decimal_separator=',', header=true)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path

BOM = "\ufeff"
DELIMITER = ";"
LINE_END = "\r\n"
_NEEDS_QUOTES = (DELIMITER, '"', "\r", "\n")


def format_field(value) -> str:
    """One CSV field in the German dialect."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:  # NaN never comes from the mart, but must not pass for a number
            raise ValueError("NaN cannot be written to a German CSV")
        return repr(value).replace(".", ",")
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if text == "" or text != text.strip() or any(ch in text for ch in _NEEDS_QUOTES):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_german_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence]) -> Path:
    """Write ``rows`` under ``header`` to ``path`` (bytes depend only on the values)."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(BOM + DELIMITER.join(format_field(h) for h in header) + LINE_END)
        for row in rows:
            out.write(DELIMITER.join(format_field(v) for v in row) + LINE_END)
    return path
