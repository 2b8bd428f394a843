"""What every page shares: the HTML frame, the header and footer, file names of pages, the hatch."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from html import escape

from pipelines.lib.dashboards.assets import ASSETS_DIR
from pipelines.lib.dashboards.formatting import format_date, format_timestamp
from pipelines.lib.dashboards.mart import RunInfo

INDICATORS_DIR = "indikatoren"
PROFILES_DIR = "steckbriefe"
DISTRICT_INDEX = "gebiete.html"
HATCH_ID = "sm-schraffur"
_SAFE = re.compile(r"[A-Za-z0-9_-]+")


def page_name(key: str) -> str:
    """A file name for a district or indicator id: the id itself when it is safe, else escaped.

    ``"P01"`` → ``"P01.html"``; ``"11/001 A"`` → ``"11.2f001.20A.html"``. Safe ids never contain
    ``.``, and every other character becomes ``.<hex code>``, so two ids never share a file.
    """
    if _SAFE.fullmatch(key):
        return f"{key}.html"
    return "".join(c if c.isascii() and (c.isalnum() or c in "_-") else f".{ord(c):02x}" for c in key) + ".html"


def profile_href(district_id: str, prefix: str = "../") -> str:
    return f"{prefix}{PROFILES_DIR}/{page_name(district_id)}"


@dataclass(frozen=True)
class RawJson:
    """A part of a payload that is :func:`js_json` text already (a map level's geometry, the same on
    every map): :func:`js_json` splices it in instead of encoding it again."""

    text: str


def js_json(value) -> str:
    """Compact, deterministic JSON that is safe inside a ``<script>`` element."""
    parts: list[str] = []

    def placeholder(obj) -> str:
        if not isinstance(obj, RawJson):
            raise TypeError(f"{type(obj).__name__} is not JSON serializable")
        parts.append(obj.text)
        return f"\0sm-raw-{len(parts) - 1}\0"

    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=placeholder)
    text = text.replace("</", "<\\/").replace("<!--", "<\\!--")
    for i, part in enumerate(parts):
        encoded = f'"\\u0000sm-raw-{i}\\u0000"'
        if text.count(encoded) != 1:  # a payload string equal to the placeholder: never splice blindly
            raise ValueError("payload contains a reserved placeholder string")
        text = text.replace(encoded, part)
    return text


def html_page(title: str, body: str, *, prefix: str, body_class: str = "", head: str = "",
              scripts: tuple[str, ...] = ()) -> str:
    """A complete German HTML page; ``prefix`` leads from the page to the site root (``""`` or ``"../"``)."""
    cls = f' class="{body_class}"' if body_class else ""
    tags = "".join(f'<script src="{prefix}{ASSETS_DIR}/{name}"></script>\n' for name in scripts)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="de">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        f"{head}"
        f'<link rel="stylesheet" href="{prefix}{ASSETS_DIR}/sozialmonitor.css">\n'
        f"</head>\n<body{cls}>\n{body}\n{tags}</body>\n</html>\n"
    )


def header(title: str, meta: list[str], *, prefix: str, back: bool = True) -> str:
    """The page header; ``meta`` items are already escaped HTML."""
    links = (
        f'<nav class="wege" aria-label="Navigation"><a href="{prefix}index.html">Übersicht</a> · '
        f'<a href="{prefix}{DISTRICT_INDEX}">Alle Gebiete</a></nav>'
        if back else ""
    )
    return (
        f'<header class="kopf">{links}<h1>{escape(title)}</h1>'
        f'<p class="meta">{" · ".join(meta)}</p></header>'
    )


def footer(run: RunInfo, timezone: str, source: str | None = None) -> str:
    """Source line, data date and run: on screen and on paper."""
    parts = []
    if source is not None:
        parts.append(f"Quelle: {escape(source) if source else 'nicht angegeben'}.")
    parts.append(f"Datenstand: {escape(format_date(run.data_date))}.")
    parts.append(
        f"Aufbereitung: Sozialmonitor {escape(run.city_name)}, Lauf {escape(run.run_id)} vom "
        f"{escape(format_timestamp(run.created_epoch, timezone))}."
    )
    parts.append("Kleine Fallzahlen sind aus Datenschutzgründen geheimgehalten.")
    return f'<footer class="fuss">{" ".join(parts)}</footer>'


def hatch_defs() -> str:
    """The hatch pattern used by map paths (``fill: url(#sm-schraffur)``) and legend swatches."""
    return (
        '<svg class="schraffur-defs" aria-hidden="true" focusable="false"><defs>'
        f'<pattern id="{HATCH_ID}" patternUnits="userSpaceOnUse" width="8" height="8" '
        'patternTransform="rotate(45)">'
        '<rect width="8" height="8" fill="#ffffff"/>'
        '<rect width="3" height="8" fill="#525252"/>'
        "</pattern></defs></svg>"
    )
