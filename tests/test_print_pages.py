"""``sozialmonitor print``: every printed map is one A4 landscape page, legend and source line included.

The need-index map's legend (classes, type matrix, marks, hidden statuses) is taller than the map beside
it; it used to push the end of the legend and the source line onto a second PDF page.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader
from test_dashboards_browser import _require_chromium

from pipelines.lib.release.switch import current_run_id
from pipelines.lib.workspace import Workspace

pytestmark = [pytest.mark.browser]
KEEP_INDICATORS = {"kinderarmut.html"}
KEEP_ANALYSES = {"handlungsbedarf.html", "angebote.html", "mittelverteilung.html"}


def test_every_printed_map_is_one_a4_landscape_page_with_legend_and_source(tiny_published, tmp_path):
    executable = _require_chromium()
    ws = Workspace(tiny_published)
    site = tmp_path / "site"
    shutil.copytree(ws.dashboard_releases / current_run_id(ws), site)
    for folder, keep in (("indikatoren", KEEP_INDICATORS), ("auswertungen", KEEP_ANALYSES)):
        for page in (site / folder).rglob("*.html"):
            if page.name not in keep:
                page.unlink()
    # in a fresh process, as `sozialmonitor print` runs (one Playwright per process)
    script = ("import json, sys; from pipelines.lib.dashboards.printing import print_site; "
              "r = print_site(sys.argv[1], profiles=False, executable=sys.argv[2]); "
              "print(json.dumps([r.problems, [str(p) for p in r.maps], [str(p) for p in r.rankings]]))")
    done = subprocess.run([sys.executable, "-c", script, str(site), executable], capture_output=True, text=True,
                          timeout=400, cwd=Path(__file__).resolve().parents[1], check=True)
    problems, written, rankings = json.loads(done.stdout.strip().splitlines()[-1])
    assert problems == []
    pdfs = [Path(p) for p in written if p.endswith(".pdf")]
    stems = {p.stem for p in pdfs}
    assert {"handlungsbedarf_typ_planungsraum", "kinderarmut_planungsraum"} <= stems
    assert any(s.startswith("angebote_") for s in stems) and any(s.startswith("mittelverteilung_") for s in stems)
    pages = {p.stem: PdfReader(p).pages for p in pdfs}
    assert {stem: len(p) for stem, p in pages.items() if len(p) != 1} == {}
    for stem, (page,) in pages.items():
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert round(width) == 842 and round(height) == 595, stem  # A4 landscape in points
        text = page.extract_text()
        assert "Legende" in text and "Quelle:" in text and "Datenstand" in text, stem  # all on this page

    # the indicator map's ranking chart: its own PDF on A4 portrait pages, the districts by rank with the source
    assert {Path(p).name for p in rankings} == {"kinderarmut_planungsraum_rangfolge.pdf",
                                                 "kinderarmut_bezirksregion_rangfolge.pdf",
                                                 "kinderarmut_bezirk_rangfolge.pdf"} & {Path(p).name for p in rankings}
    assert rankings and all(p.endswith("_rangfolge.pdf") for p in rankings)
    for path in rankings:
        reader = PdfReader(path)
        first = reader.pages[0]
        assert round(float(first.mediabox.width)) == 595 and round(float(first.mediabox.height)) == 842, path
        text = "".join(page.extract_text() for page in reader.pages)
        assert "Rangfolge" in text and "1. " in text and "Quelle:" in text, path
        assert "Legende" not in text, path  # the map page's parts stay off
