"""Offline committee dashboards built from the published mart only.

:func:`build_site` writes a static, relative-linked site (an index page, one Leaflet choropleth page per
indicator, one page per analysis table, a profile per district) that needs no network: Leaflet and
Leaflet.markercluster are copied from their ``xstatic`` packages.
"""

from pipelines.lib.dashboards.site import SiteSummary, build_site

__all__ = ["SiteSummary", "build_site"]
