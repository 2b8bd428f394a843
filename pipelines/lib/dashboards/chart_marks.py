"""What the profile charts share: the tag each drawn value carries, and the comparison colours.

Every mark that stands for a value (a point, an interval, a band, a line) carries the class ``sm-wert``
and ``data-sm``: the JSON list of the (indicator, year, district) cells it is drawn from. The release
audit (:mod:`pipelines.lib.audit.site`) checks that each of them is published in the mart, so a chart
cannot draw a hidden cell unnoticed.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape
from json.encoder import encode_basestring

MARK_CLASS = "sm-wert"
# comparison → fill colour (blue better, yellow similar, orange worse; purple without a direction)
COLOURS = {"besser": "#2171b5", "ähnlich": "#fec44f", "schlechter": "#d94801", "höher": "#807dba",
           "niedriger": "#807dba"}
NO_COMPARISON = "#ffffff"


def mark(cells: list[tuple[str, int, str]], css: str = "") -> str:
    """The attributes of a mark drawn from ``cells``: `` class="sm-wert …" data-sm="[…]"``.

    ``data-sm`` is ``escape(json.dumps(cells))`` (compact, not ASCII-escaped), written piece by piece: a
    Berlin-size site draws a million marks, and each id is quoted once."""
    data = ",".join(f"[{_quoted(i)},{int(y)},{_quoted(d)}]" for i, y, d in cells)
    return f' class="{MARK_CLASS}{" " + css if css else ""}" data-sm="[{data}]"'


@lru_cache(maxsize=1 << 16)
def _quoted(text: str) -> str:
    """An id as a JSON string, escaped for an HTML attribute."""
    return escape(encode_basestring(text))
