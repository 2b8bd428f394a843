"""Deterministic element ids for folium/branca output (folium uses random UUIDs by default).

Same mart → byte-identical HTML: before rendering, every element of the tree gets a counter-based id;
after rendering, any random id folium created during rendering is replaced in order of appearance.
"""

from __future__ import annotations

import re

from branca.element import Element, Figure

_RANDOM_ID = re.compile(r"(?<=_)[0-9a-f]{32}\b")


def assign_ids(root: Figure) -> None:
    """Give every element below ``root`` (depth first, in insertion order) the id ``"<n>"``."""
    counter = 0

    def visit(element: Element) -> None:
        nonlocal counter
        counter += 1
        element._id = f"{counter:03d}"
        if isinstance(element, Figure):
            for part in (element.header, element.html, element.script):
                visit(part)
        for child in list(element._children.values()):
            visit(child)

    visit(root)


def replace_random_ids(html: str) -> str:
    """Replace any remaining 32-hex-digit ids with ``r1``, ``r2``, … in order of first appearance."""
    seen: dict[str, str] = {}

    def substitute(match: re.Match) -> str:
        return seen.setdefault(match.group(0), f"r{len(seen) + 1}")

    return _RANDOM_ID.sub(substitute, html)
