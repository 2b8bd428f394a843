"""Offline committee dashboards built from the published mart only.

:func:`build_site` writes a static, relative-linked site (an index page and one folium choropleth page
per indicator) that needs no network: Leaflet is copied from the ``xstatic-leaflet`` package.
"""

from pipelines.lib.dashboards.site import SiteSummary, build_site

__all__ = ["SiteSummary", "build_site"]
