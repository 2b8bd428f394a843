"""CSV in the German dialect that offices and Excel expect: ``;``, decimal comma, UTF-8 with BOM, CRLF.

DuckDB writes the rows (set-based; a city's indicator table has hundreds of thousands of rows). Empty fields
are NULL; an empty text is written as ``""``. Numbers are written in full precision (shortest round-trip
form) with a decimal comma; timestamps in ISO form with their offset; booleans as ``true``/``false``.
DuckDB reads the files back with ``read_csv(path, delim=';', decimal_separator=',', header=true)``.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from pipelines.lib.release.schema.views import quote_identifier, quote_literal

BOM = "\ufeff"
_DECIMAL_TYPES = ("DOUBLE", "FLOAT", "REAL")


def german_select(columns: Sequence[tuple[str, str]], source: str, order_by: Sequence[str]) -> str:
    """A select of ``columns`` ((name, DuckDB type) pairs) from the table or view ``source``, numbers in
    German form, sorted by ``order_by``."""
    exprs = []
    for name, type_ in columns:
        col = quote_identifier(name)
        exprs.append(f"replace({col}::varchar, '.', ',') as {col}" if type_.upper() in _DECIMAL_TYPES else col)
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
