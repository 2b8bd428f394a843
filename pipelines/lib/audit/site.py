"""Audit of the dashboards of a candidate release: a hidden district carries no figure in any page.

Pages embed their map data as GeoJSON. Every ``properties`` object of every page is decoded; where its
status is not "veröffentlicht", it may only identify the district (key, name, level, status) — any
other property (a number, rate, interval, class or colour) would be derived from a hidden count.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

PUBLISHED = "veröffentlicht"
IDENTIFYING = frozenset({"district_id", "name", "level", "status", "status_text"})
_PROPERTIES = re.compile(r'"properties"\s*:\s*')


def embedded_properties(html: str) -> list[dict]:
    decoder = json.JSONDecoder()
    found = []
    for match in _PROPERTIES.finditer(html):
        try:
            obj, _ = decoder.raw_decode(html, match.end())
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict):
            found.append(obj)
    return found


def site_problems(site: Path) -> list[str]:
    """One message per page in which a hidden district carries more than its identity."""
    problems = []
    for page in sorted(site.rglob("*.html")):
        leaks = [
            p for p in embedded_properties(page.read_text(encoding="utf-8"))
            if p.get("status", PUBLISHED) != PUBLISHED and set(p) - IDENTIFYING
        ]
        if leaks:
            extra = sorted(set().union(*(set(p) - IDENTIFYING for p in leaks)))
            problems.append(
                f"{page.relative_to(site).as_posix()}: {len(leaks)} hidden districts carry {', '.join(extra)}"
            )
    return problems
