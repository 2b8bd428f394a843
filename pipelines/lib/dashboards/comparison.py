"""Each district against the city: "besser / ähnlich / schlechter als die Stadt".

Until the analysis stage publishes ``indicator_benchmarks``, the comparison is made here from published
figures only: a district is *similar* when the city's published rate lies inside the district's
published 95 % confidence interval, otherwise better or worse according to the indicator's direction
(``none``: higher or lower). To take the comparison from the mart instead, give
:func:`comparisons` a ``lookup`` built from that table (district id → code); nothing else changes.
"""

from __future__ import annotations

from collections.abc import Mapping

from pipelines.lib.dashboards.mart import Value

BETTER, SIMILAR, WORSE, HIGHER, LOWER = "besser", "ähnlich", "schlechter", "höher", "niedriger"
TEXT = {
    BETTER: "besser als die Stadt",
    SIMILAR: "ähnlich wie die Stadt",
    WORSE: "schlechter als die Stadt",
    HIGHER: "höher als die Stadt",
    LOWER: "niedriger als die Stadt",
}
CODES = (BETTER, SIMILAR, WORSE, HIGHER, LOWER)  # index = the compact code on the map page


def compare(value: Value | None, city: Value | None, direction: str) -> str | None:
    """The comparison of one published district value with the published city value, or None."""
    if value is None or city is None or not value.published or not city.published:
        return None
    if value.ci_low is None or value.ci_high is None:
        return None
    if value.ci_low <= city.rate <= value.ci_high:
        return SIMILAR
    higher = value.ci_low > city.rate
    if direction == "higher_is_worse":
        return WORSE if higher else BETTER
    if direction == "lower_is_worse":
        return BETTER if higher else WORSE
    return HIGHER if higher else LOWER


def comparisons(
    values: Mapping[str, Value],
    city_id: str | None,
    direction: str,
    lookup: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """District id → comparison for every published district of one indicator and year.

    ``lookup`` (from a published benchmark table) wins over the computation where it has an entry.
    """
    city = values.get(city_id) if city_id is not None else None
    out = {}
    for district_id, value in values.items():
        if district_id == city_id or not value.published:
            continue
        result = (lookup or {}).get(district_id) or compare(value, city, direction)
        if result is not None:
            out[district_id] = result
    return out
