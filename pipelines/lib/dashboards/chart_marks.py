"""What the profile charts share: the tag each drawn value carries, and the comparison colours.

Every mark that stands for a value (a point, an interval, a band, a line) carries the class ``sm-wert``
and ``data-sm``: the JSON list of the (indicator, year, district) cells it is drawn from. The page's
script (``assets/steckbrief.js``) draws the marks from the profile's chart figures
(:mod:`.profile_charts`), which name the same cells; the release audit (:mod:`pipelines.lib.audit.site`)
checks that each of them is published in the mart, so a chart cannot draw a hidden cell unnoticed.
"""

from __future__ import annotations

MARK_CLASS = "sm-wert"
# comparison → fill colour (blue better, yellow similar, orange worse; purple without a direction)
COLOURS = {"besser": "#2171b5", "ähnlich": "#fec44f", "schlechter": "#d94801", "höher": "#807dba",
           "niedriger": "#807dba"}
NO_COMPARISON = "#ffffff"
