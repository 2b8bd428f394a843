"""The Excel workbook for committee staff: a sheet "Erläuterungen" from the data dictionary, then one sheet
per published table. Written with openpyxl; byte-stable (fixed document dates and zip timestamps)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

EXPLANATION_SHEET = "Erläuterungen"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


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


def _cell(ws, value, bold: bool = False):
    if isinstance(value, datetime):
        value = excel_timestamp(value)
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, never a formula
    if bold:
        cell.font = Font(bold=True)
    return cell


def write_workbook(path: Path, intro: Sequence[str], explanation: Sheet, sheets: Sequence[Sheet],
                   created: datetime) -> Path:
    """Write the workbook: ``intro`` lines and the ``explanation`` table first, then ``sheets``.

    ``created`` (naive UTC) is recorded as the document's creation and change date.
    """
    wb = Workbook(write_only=True)
    first = wb.create_sheet(EXPLANATION_SHEET)
    for line in intro:
        first.append([_cell(first, line)])
    first.append([])
    first.append([_cell(first, h, bold=True) for h in explanation.header])
    for row in explanation.rows:
        first.append([_cell(first, v) for v in row])
    for sheet in sheets:
        ws = wb.create_sheet(sheet.name)
        ws.freeze_panes = "A2"
        ws.append([_cell(ws, h, bold=True) for h in sheet.header])
        for row in sheet.rows:
            ws.append([_cell(ws, v) for v in row])
    wb.properties.creator = "Sozialmonitor"
    wb.properties.created = created
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(_stable_zip(buffer.getvalue(), created))
    return path


def _stable_zip(data: bytes, stamp: datetime) -> bytes:
    """The same archive with fixed entry times and the document's change date set to ``stamp``."""
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                                 rb"\g<1>" + iso.encode() + rb"\g<2>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, content)
    return out.getvalue()
