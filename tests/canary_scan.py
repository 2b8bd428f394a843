"""Search every file a release writes for planted values, after decoding each format to text.

Formats are decoded the way a reader would see them: DuckDB databases and Parquet files by their
values, Excel workbooks by their cells, GeoPackages by their attributes, PDFs by their text (where
``pdftotext`` is installed), zip archives member by member, and everything else as text (UTF-8,
falling back to Latin-1) together with its HTML-unescaped form and the content of base64 ``data:``
URIs.

A value is searched in every spelling a writer might produce (:func:`number_spellings`): rounded and
cut off, decimal point and comma, with thousands grouped by ``.``, ``,`` or a (narrow) no-break space,
and — for the longest spelling — as the start of a longer number, which catches a float written at
full precision.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

import duckdb


def _duckdb_text(path: Path) -> str:
    con = duckdb.connect(str(path), read_only=True, config={"autoinstall_known_extensions": False,
                                                              "autoload_known_extensions": False})
    try:
        parts = []
        tables = con.execute(
            "select table_name from duckdb_tables() union all select view_name from duckdb_views() "
            "where not internal"
        ).fetchall()
        for (table,) in tables:
            cols = [r[0] for r in con.execute(f'describe "{table}"').fetchall()]
            readable = ", ".join(f'cast("{c}" as varchar)' for c in cols if c != "geometry")
            if readable:
                for row in con.execute(f'select {readable} from "{table}"').fetchall():
                    parts.append(" ".join("" if v is None else v for v in row))
        return "\n".join(parts)
    finally:
        con.close()


def _parquet_text(path: Path) -> str:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    cols = [c for c in table.column_names if c != "geometry"]
    return "\n".join(" ".join(map(str, table.column(c).to_pylist())) for c in cols)


def _xlsx_text(path: Path) -> str:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    return "\n".join(" ".join("" if v is None else str(v) for v in row)
                     for ws in wb.worksheets for row in ws.iter_rows(values_only=True))


def _gpkg_text(path: Path) -> str:
    import pyogrio

    out = []
    for layer, _ in pyogrio.list_layers(path):
        frame = pyogrio.read_dataframe(path, layer=layer, read_geometry=False)
        out.append(frame.astype(str).to_csv(index=False))
    return "\n".join(out)


def _pdf_text(path: Path) -> str:
    if not shutil.which("pdftotext"):
        return path.read_bytes().decode("latin-1")
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


_DATA_URI = re.compile(r"data:[\w/+.-]*;base64,([A-Za-z0-9+/=]{8,})")


def _text(data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    parts = [text, html.unescape(text)]
    for payload in _DATA_URI.findall(text):
        try:
            parts.append(_text(base64.b64decode(payload, validate=False)))
        except (binascii.Error, ValueError):
            continue
    return "\n".join(parts)


def _zip_text(path: Path) -> str:
    parts = []
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            member = Path(name)
            data = archive.read(name)
            if member.suffix.lower() in (".parquet", ".xlsx", ".duckdb", ".gpkg", ".pdf", ".zip"):
                with tempfile.TemporaryDirectory() as tmp:
                    copy = Path(tmp) / member.name
                    copy.write_bytes(data)
                    parts.append(decode(copy))
            else:
                parts.append(_text(data))
    return "\n".join(parts)


def decode(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".duckdb":
        return _duckdb_text(path)
    if suffix == ".parquet":
        return _parquet_text(path)
    if suffix == ".xlsx":
        return _xlsx_text(path)
    if suffix == ".gpkg":
        return _gpkg_text(path)
    if suffix == ".pdf":
        return _pdf_text(path)
    if zipfile.is_zipfile(path):
        return _zip_text(path)
    return _text(path.read_bytes())


@dataclass(frozen=True)
class Spelling:
    """One way of writing a planted value; ``prefix``: also as the start of a longer number."""

    text: str
    prefix: bool = False


def scan(folders: list[Path], canaries, texts: dict[str, str] | None = None) -> list[tuple[Path | str, str]]:
    """(file, canary) for every canary found as a whole token (not inside a longer number).

    ``canaries``: strings (exact tokens) or :class:`Spelling` s; ``texts``: more output to search
    (name → text), e.g. what the run printed.
    """
    spellings = [c if isinstance(c, Spelling) else Spelling(c) for c in canaries]
    sources: list[tuple[Path | str, str]] = []
    for folder in folders:
        paths = [folder] if folder.is_file() else sorted(folder.rglob("*"))
        sources += [(p, decode(p)) for p in paths if p.is_file() and not p.name.endswith(".wal")]
    sources += list((texts or {}).items())
    found = []
    for where, text in sources:
        hits = set()
        for prefix in (False, True):  # one alternation per kind, longest spelling first
            texts_ = sorted({c.text for c in spellings if c.prefix == prefix}, key=len, reverse=True)
            if texts_:
                hits |= {m.group(1) for m in _alternation(tuple(texts_), prefix).finditer(text)}
        found += [(where, c) for c in sorted(hits)]
    return found


def _alternation(texts: tuple[str, ...], prefix: bool) -> re.Pattern:
    tail = "" if prefix else r"(?![\d])"
    return re.compile(rf"(?<![\d.,])({'|'.join(map(re.escape, texts))}){tail}")


GROUPS = (".", ",", "\u00a0", "\u202f", " ")  # thousands separators


def _grouped(integer: str, sep: str) -> str:
    head, rest = integer[: len(integer) % 3 or 3], integer[len(integer) % 3 or 3:]
    return sep.join([head] + [rest[i:i + 3] for i in range(0, len(rest), 3)])


def _written(text: str) -> list[str]:
    """``text`` (plain, decimal point) with a decimal point or comma, ungrouped and grouped."""
    integer, _, frac = text.partition(".")
    out = set()
    for mark in (".", ","):
        tail = f"{mark}{frac}" if frac else ""
        out.add(integer + tail)
        if len(integer) > 3:
            out.update(_grouped(integer, sep) + tail for sep in GROUPS if sep != mark)
    return sorted(out)


def number_spellings(value: float, decimals=range(0, 7)) -> list[Spelling]:
    """``value`` with each number of ``decimals``: rounded and cut off, every decimal mark and grouping;
    the longest cut-off spelling also as the start of a longer number (full float precision)."""
    exact = Decimal(repr(float(value)))
    out: dict[str, Spelling] = {}
    for d in decimals:
        step = Decimal(1).scaleb(-d)
        for text in (f"{value:.{d}f}", str(exact.quantize(step, rounding=ROUND_DOWN))):
            out.update((t, Spelling(t)) for t in _written(text))
    longest = max(decimals)
    if longest >= 4:
        cut = str(exact.quantize(Decimal(1).scaleb(-longest), rounding=ROUND_DOWN))
        out.update((t, Spelling(t, prefix=True)) for t in _written(cut))
    return list(out.values())


def count_spellings(count: int) -> list[Spelling]:
    """A count, ungrouped and with every thousands separator."""
    return [Spelling(t) for t in _written(str(int(count)))]
