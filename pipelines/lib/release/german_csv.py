"""CSV in the German dialect that offices and Excel expect: ``;``, decimal comma, UTF-8 with BOM, CRLF.

DuckDB writes the rows (set-based; a city's indicator table has hundreds of thousands of rows). Empty fields
are NULL; an empty text is written as ``""``. Numbers are written in full precision (shortest round-trip
form) with a decimal comma; timestamps in ISO form with their offset; booleans as ``true``/``false``.
DuckDB reads the files back with ``read_csv(path, delim=';', decimal_separator=',', header=true)``.

Texts that a spreadsheet would run as a formula (CSV injection: a district or offer named
``=HYPERLINK(…)``, ``+cmd|' /C calc'!A0`` or ``@SUM(…)``) are neutralised as OWASP recommends: a text
starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a single quote in front. Only text
columns: numbers (a negative rate, too) stay numbers.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Sequence
from pathlib import Path

from pipelines.lib.release.schema.views import quote_identifier, quote_literal

BOM = "\ufeff"
_DECIMAL_TYPES = ("DOUBLE", "FLOAT", "REAL")
_TEXT_TYPES = ("VARCHAR",)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # OWASP CSV injection
_FORMULA_SQL = ", ".join(f"chr({ord(c)})" if c in "\t\r" else quote_literal(c) for c in FORMULA_STARTS)


def neutralised_sql(expression: str) -> str:
    """SQL for the text ``expression`` with a single quote in front when it starts like a formula."""
    return (f"(case when left({expression}, 1) in ({_FORMULA_SQL}) then chr(39) || {expression} "
            f"else {expression} end)")


def neutralised(text):
    """:func:`neutralised_sql` in Python; anything but a text is returned as it is."""
    return "'" + text if isinstance(text, str) and text.startswith(FORMULA_STARTS) else text


def neutralise_frame(frame):
    """A copy of a pandas frame with every text cell neutralised (numbers unchanged), for CSV files."""
    from pandas.api.types import is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype

    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if not (is_numeric_dtype(column) or is_bool_dtype(column) or is_datetime64_any_dtype(column)):
            out[name] = column.astype(object).map(neutralised)
    return out


def german_select(columns: Sequence[tuple[str, str]], source: str, order_by: Sequence[str]) -> str:
    """A select of ``columns`` ((name, DuckDB type) pairs) from the table or view ``source``, numbers in
    German form, texts neutralised against formula injection, sorted by ``order_by``."""
    exprs = []
    for name, type_ in columns:
        col = quote_identifier(name)
        if type_.upper() in _DECIMAL_TYPES:
            exprs.append(f"replace({col}::varchar, '.', ',') as {col}")
        elif type_.upper() in _TEXT_TYPES:
            exprs.append(f"{neutralised_sql(col)} as {col}")
        else:
            exprs.append(col)
    order = ", ".join(quote_identifier(c) for c in order_by)
    return f"select {', '.join(exprs)} from {source} order by {order}"


def copy_german_csv(con, path: Path, columns: Sequence[tuple[str, str]], source: str,
                    order_by: Sequence[str]) -> Path:
    """Write ``columns`` ((name, DuckDB type) pairs) of the table or view ``source``, sorted by ``order_by``,
    to ``path`` with DuckDB, then put the byte order mark in front."""
    body = path.with_name(path.name + ".part")
    con.execute(f"copy ({german_select(columns, source, order_by)}) to {quote_literal(body.as_posix())} "
                "(format csv, delim ';', quote '\"', escape '\"', header true, new_line e'\\r\\n')")
    with path.open("wb") as out, body.open("rb") as src:
        out.write(BOM.encode("utf-8"))
        shutil.copyfileobj(src, out, 1 << 20)
    body.unlink()
    return path


_PLAIN_NUMBER = re.compile(r"-?\d+(,\d+)?")


def write_german_rows(path: Path, header: Sequence[str], rows, numeric: Sequence[str] = (), *,
                      keep_numbers: bool = False) -> Path:
    """Rows of Python values in the dialect of :func:`copy_german_csv` (``;``, CRLF, byte order mark), for the
    small tables of the site's pages. Columns named in ``numeric`` hold numbers already written with a decimal
    comma (a negative rate stays a number); every other text is :func:`neutralised`, except, with
    ``keep_numbers``, a text that is a plain German number (``-0,50``: no formula); None is an empty field."""
    import csv
    import io

    numbers = {header.index(name) for name in numeric}
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quotechar='"', lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralised(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else (str(v) if i in numbers or (keep_numbers and _PLAIN_NUMBER.fullmatch(str(v)))
                                              else neutralised(str(v)))
                         for i, v in enumerate(row)])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((BOM + buffer.getvalue()).encode("utf-8"))
    return path
