"""``gebiete.html``: every district of every level, nested along the hierarchy, linking its profile."""

from __future__ import annotations

from html import escape

from pipelines.lib.dashboards.geo import District
from pipelines.lib.dashboards.mart import RunInfo
from pipelines.lib.dashboards.page_frame import PROFILES_DIR, footer, header, html_page, page_name


def render_district_index(districts: list[District], run: RunInfo, *, timezone: str = "Europe/Berlin") -> str:
    children: dict[str | None, list[District]] = {}
    ids = {d.district_id for d in districts}
    for d in sorted(districts, key=lambda d: (d.level_rank, d.name, d.district_id)):
        parent = d.parent_id if d.parent_id in ids else None
        children.setdefault(parent, []).append(d)
    levels = []
    for d in sorted(districts, key=lambda d: d.level_rank):
        if d.level_label not in levels:
            levels.append(d.level_label)
    body = [
        header("Alle Gebiete", [escape(run.city_name), escape(" › ".join(levels))], prefix=""),
        '<main class="inhalt">',
        "<p>Jedes Gebiet hat einen Steckbrief mit allen Indikatoren, dem Vergleich mit der Stadt und der "
        "Entwicklung über die Jahre. Die Gebiete sind nach der Gebietsgliederung geordnet.</p>",
        '<nav aria-label="Gebiete" class="gebietsbaum">',
        _tree(children, None, set()),
        "</nav></main>",
        footer(run, timezone),
    ]
    return html_page(f"Alle Gebiete – {run.city_name}", "\n".join(body), prefix="")


def _tree(children: dict, parent: str | None, seen: set[str]) -> str:
    items = []
    for d in children.get(parent, []):
        if d.district_id in seen:
            continue
        seen.add(d.district_id)
        sub = _tree(children, d.district_id, seen)
        items.append(
            f'<li><a href="{PROFILES_DIR}/{page_name(d.district_id)}">{escape(d.name)}</a> '
            f'<span class="ebene">({escape(d.level_label)})</span>{sub}</li>'
        )
    return f"<ul>{''.join(items)}</ul>" if items else ""
