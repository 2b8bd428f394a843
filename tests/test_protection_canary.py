"""Canary scan: distinctive values planted in cells that must be hidden appear nowhere in a release."""

from __future__ import annotations

import shutil

import pandas as pd
from canary_scan import rate_spellings, scan
from conftest import run_cli

from pipelines.lib.analysis.intervals import poisson_exact, wilson
from pipelines.lib.duck import connect
from pipelines.lib.workspace import Workspace

# (indicator, numerator, denominator, multiplier)
CANARIES = [("arbeitslosigkeit", 1987, 2411, 100.0), ("hilfen_zur_erziehung", 613, 1979, 1000.0)]


def plant(ws):
    """Make one Planungsraum fall under the population minimum and give it distinctive counts."""
    pop = pd.read_csv(ws / "data_raw/bevoelkerung/einwohner.csv", sep=";", dtype=str, encoding="utf-8-sig")
    pop["n"] = pop["Einwohner"].str.replace(".", "", regex=False).astype(int)
    last_year = pop["Jahr"].max()
    totals = pop[pop["Jahr"] == last_year].groupby("Planungsraum")["n"].sum().sort_values()
    target = totals.index[2]  # the third-smallest area …
    minimum = int(totals.iloc[2]) + 1  # … and the two smaller ones fall under the minimum
    config = ws / "sozialmonitor.toml"
    text = config.read_text(encoding="utf-8").replace("min_population = 300", f"min_population = {minimum}")
    config.write_text(text, encoding="utf-8")

    path = ws / "data_raw/soziales/sozialdaten.csv"
    counts = pd.read_csv(path, sep=";", dtype=str, encoding="cp1252", keep_default_na=False)
    for indicator, num, den, _ in CANARIES:
        row = (counts["Planungsraum"] == target) & (counts["Jahr"] == last_year) & (counts["Indikator"] == indicator)
        assert row.sum() == 1
        counts.loc[row, "Zähler"] = f"{num:,}".replace(",", ".")
        counts.loc[row, "Nenner"] = f"{den:,}".replace(",", ".")
    counts.to_csv(path, sep=";", index=False, encoding="cp1252", lineterminator="\r\n")
    return target, int(last_year)


def canary_strings() -> list[str]:
    out = []
    for _, num, den, mult in CANARIES:
        out += [str(num), f"{num:,}".replace(",", "."), str(den), f"{den:,}".replace(",", ".")]
        out += rate_spellings(num / den * mult)
        interval = wilson if mult == 100.0 else poisson_exact
        lo, hi = interval([float(num)], [float(den)])
        out += rate_spellings(float(lo[0]) * mult) + rate_spellings(float(hi[0]) * mult)
    return out


def test_planted_values_appear_nowhere_in_the_release(tiny_inputs, tmp_path):
    ws_path = tmp_path / "ws"
    shutil.copytree(tiny_inputs, ws_path)
    target, year = plant(ws_path)
    result = run_cli("run", "--quiet", "--workspace", str(ws_path))
    assert result.returncode == 0, result.stdout + result.stderr
    ws = Workspace(ws_path)
    with connect(ws.mart, read_only=True) as con:
        statuses = dict(con.execute(
            "select indicator_id, status from indicator_values where district_id = ? and year = ?",
            [target, year]).fetchall())
    assert statuses["arbeitslosigkeit"] == "zu wenige Einwohner"
    # the planted values really are in the private warehouse …
    with connect(ws.warehouse, read_only=True) as con:
        assert con.execute("select numerator from int_indicator_cells where district_id = ? and year = ? "
                           "and indicator_id = 'arbeitslosigkeit'", [target, year]).fetchone()[0] == 1987
    # … and the scanner sees them there (so it decodes DuckDB files) …
    private = tmp_path / "private_copy"
    private.mkdir()
    shutil.copy(ws.warehouse, private / "warehouse.duckdb")
    assert {c for _, c in scan([private], ["1987", "2411", "613", "1979"])} == {"1987", "2411", "613", "1979"}
    # … but nowhere in what is published
    found = scan([ws.data_marts, ws.dashboards], canary_strings())
    assert found == [], found


def test_scanner_finds_a_planted_value(tmp_path):
    (tmp_path / "page.html").write_text('<script>var d = {"rate": 82.4139};</script>', encoding="utf-8")
    (tmp_path / "ok.html").write_text("Koordinate 5601987.5", encoding="utf-8")
    found = scan([tmp_path], ["82.4139", "1987"])
    assert found == [(tmp_path / "page.html", "82.4139")]
