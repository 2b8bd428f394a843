"""The real Hamburg table with a corrupted population cell: validation stops and names the cell.

The Stadtteilprofile 2014 (Excel) carry the Bezirk totals in their last rows. Gluing three digits onto
Neustadt's population (12,301 → 12,301,643, as happens when a PDF table is typed in) must be an error
at that very cell, and at the Bezirk row whose total no longer adds up. Skipped without ../shared/data.
"""

from __future__ import annotations

import shutil

import openpyxl
import pytest
from conftest import ROOT, SHARED_DATA, run_cli

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not SHARED_DATA.is_dir(), reason=f"real data not present at {SHARED_DATA}")]

TABLE = "hamburg-stadtteile-2014/Daten_fuer_die_Stadtteilprofile_2014.xlsx"


def test_glued_digits_in_the_hamburg_table_stop_validation(tmp_path):
    ws = tmp_path / "repo" / "examples" / "hamburg-2014"
    ws.mkdir(parents=True)
    shutil.copy(ROOT / "examples" / "hamburg-2014" / "sozialmonitor.toml", ws / "sozialmonitor.toml")
    data = tmp_path / "shared" / "data"
    shutil.copytree(SHARED_DATA / "hamburg-stadtteile-2014", data / "hamburg-stadtteile-2014")
    path = data / TABLE
    path.chmod(0o644)
    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert (sheet.cell(7, 1).value, sheet.cell(7, 2).value) == ("Neustadt", 12301)
    sheet.cell(7, 2).value = 12301643
    book.save(path)

    result = run_cli("validate", "--workspace", str(ws))
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    child = [line for line in lines if line.startswith("[SM-E336]") and "Einwohner," in line]
    assert len(child) == 1 and "Zeile 7," in child[0] and "„0103“ (Neustadt) größer als" in child[0]
    assert "(Wert: „12.301.643 > 289.876“)" in child[0]
    parent = [line for line in lines if line.startswith("[SM-E335]") and "Einwohner," in line]
    assert len(parent) == 1 and "Zeile 104," in parent[0] and "„01“ (Hamburg-Mitte): geliefert ≠ Summe" in parent[0]
    assert "[SM-E336]" not in run_cli("validate", "--workspace", str(_unchanged(tmp_path))).stdout


def _unchanged(tmp_path):
    ws = tmp_path / "ok" / "repo" / "examples" / "hamburg-2014"
    ws.mkdir(parents=True)
    shutil.copy(ROOT / "examples" / "hamburg-2014" / "sozialmonitor.toml", ws / "sozialmonitor.toml")
    (tmp_path / "ok" / "shared").symlink_to(SHARED_DATA.parent, target_is_directory=True)
    return ws
