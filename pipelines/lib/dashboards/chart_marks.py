"""What the profile charts share: the tag each drawn value carries, and the comparison colours.

Every mark that stands for a value (a point, an interval, a band, a line) carries the class ``sm-wert``
and ``data-sm``: the JSON list of the (indicator, year, district) cells it is drawn from. The release
audit (:mod:`pipelines.lib.audit.site`) checks that each of them is published in the mart, so a chart
cannot draw a hidden cell unnoticed.
"""

from __future__ import annotations

import json
from html import escape

MARK_CLASS = "sm-wert"
# comparison → fill colour (blue better, yellow similar, orange worse; purple without a direction)
COLOURS = {"besser": "#2171b5", "ähnlich": "#fec44f", "schlechter": "#d94801", "höher": "#807dba",
           "niedriger": "#807dba"}
NO_COMPARISON = "#ffffff"


def mark(cells: list[tuple[str, int, str]], css: str = "") -> str:
    """The attributes of a mark drawn from ``cells``: `` class="sm-wert …" data-sm="[…]"``."""
    data = json.dumps([[i, int(y), d] for i, y, d in cells], ensure_ascii=False, separators=(",", ":"))
    return f' class="{MARK_CLASS}{" " + css if css else ""}" data-sm="{escape(data)}"'
