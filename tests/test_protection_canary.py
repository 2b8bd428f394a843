"""Canary scan: distinctive values planted in cells that must be hidden appear nowhere in a release.

Planted: counts, denominators, rates and the confidence bounds the pipeline would compute for them,
in every spelling of :mod:`canary_scan` (0 to 6 decimals, point and comma, grouped and not, full
precision). Two kinds of hidden cells: "zu wenige Einwohner" (an area made small) and
"geheimgehalten" (P2: all but one counted; its denominator is published, so it is no canary).

Which decimals are searched is chosen so that a hit can only be a leak: a percentage written with 0 or
1 decimals is one of about a thousand strings that a release shows anyway, so percentages and rates
per 1,000 are searched from 2 and 1 decimals on; a canary indicator per 100,000 (five-digit rates far
from every other rate) covers 0 and 1 decimals. That the spellings do not occur in an unplanted
release is checked too.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass

import pandas as pd
from canary_scan import Spelling, count_spellings, number_spellings, scan
from conftest import run_cli

from pipelines.lib.analysis.intervals import poisson_interval, wilson
from pipelines.lib.analysis.rates import compute_rates
from pipelines.lib.config import load_config
from pipelines.lib.duck import connect
from pipelines.lib.workspace import Workspace

SMALL, LARGE = "small", "large"  # the area made "zu wenige Einwohner"; the largest area (P2 there)
CANARY_INDICATOR = "pruefwert"


@dataclass(frozen=True)
class Canary:
    indicator: str
    numerator: int
    denominator: int
    area: str
    decimals: range
    status: str

    @property
    def denominator_hidden(self) -> bool:
        return self.status == "zu wenige Einwohner"


CANARIES = [
    Canary("arbeitslosigkeit", 1987, 2411, SMALL, range(2, 7), "zu wenige Einwohner"),  # 82.4139 %
    Canary("hilfen_zur_erziehung", 613, 1979, SMALL, range(1, 7), "zu wenige Einwohner"),  # 309.752 ‰
    Canary(CANARY_INDICATOR, 2917, 3659, SMALL, range(0, 7), "zu wenige Einwohner"),  # 79,721.2 per 100,000
    Canary(CANARY_INDICATOR, 2682, 2683, LARGE, range(0, 7), "geheimgehalten"),  # P2: 99,962.7 per 100,000
]

INDICATOR_TOML = f"""
[[indicators]]
id = "{CANARY_INDICATOR}"
label = "Prüfwert (Kanarienvogel)"
domain = "Soziales"
life_phase = "Erwachsene"
direction = "higher_is_worse"
unit = "per_100000"
data_owner = "Jobcenter"
"""


def plant(ws) -> tuple[dict[str, str], int]:
    """One area falls under the population minimum; canaries go into it and into the largest area."""
    pop = pd.read_csv(ws / "data_raw/bevoelkerung/einwohner.csv", sep=";", dtype=str, encoding="utf-8-sig")
    pop["n"] = pop["Einwohner"].str.replace(".", "", regex=False).astype(int)
    last_year = pop["Jahr"].max()
    totals = pop[pop["Jahr"] == last_year].groupby("Planungsraum")["n"].sum().sort_values()
    areas = {SMALL: totals.index[2], LARGE: totals.index[-1]}  # the third-smallest area …
    minimum = int(totals.iloc[2]) + 1  # … and the two smaller ones fall under the minimum
    config = ws / "sozialmonitor.toml"
    text = config.read_text(encoding="utf-8").replace("min_population = 300", f"min_population = {minimum}")
    config.write_text(text + INDICATOR_TOML, encoding="utf-8")

    path = ws / "data_raw/soziales/sozialdaten.csv"
    counts = pd.read_csv(path, sep=";", dtype=str, encoding="cp1252", keep_default_na=False)
    # the canary indicator: a copy of unemployment (rates of 5,000 to 15,000 per 100,000) …
    extra = counts[counts["Indikator"] == "arbeitslosigkeit"].assign(Indikator=CANARY_INDICATOR)
    counts = pd.concat([counts, extra], ignore_index=True)
    for c in CANARIES:  # … and every canary in its area's last year
        row = (counts["Planungsraum"] == areas[c.area]) & (counts["Jahr"] == last_year) & (counts["Indikator"] == c.indicator)
        assert row.sum() == 1
        counts.loc[row, "Zähler"] = f"{c.numerator:,}".replace(",", ".")
        counts.loc[row, "Nenner"] = f"{c.denominator:,}".replace(",", ".")
    counts.to_csv(path, sep=";", index=False, encoding="cp1252", lineterminator="\r\n")
    return areas, int(last_year)


def spellings(config) -> list[Spelling]:
    """Every spelling of every canary: counts, rates and the bounds the pipeline would give them."""
    units = {i.id: i for i in config.indicators}
    frame = pd.DataFrame([{"indicator_id": c.indicator, "numerator": c.numerator, "denominator": c.denominator,
                           "status": "veröffentlicht"} for c in CANARIES])
    stored = compute_rates(frame, config)  # what the analysis would store, were the cells published
    out: list[Spelling] = []
    for c, r in zip(CANARIES, stored.itertuples(), strict=True):
        ind = units[c.indicator]
        interval = wilson if ind.unit == "share" else poisson_interval  # as compute_rates, but not rounded
        lo, hi = interval([float(c.numerator)], [float(c.denominator)])
        exact = [c.numerator / c.denominator, float(lo[0]), float(hi[0])]
        exact = [v * ind.multiplier for v in exact]
        assert [round(v, 4) for v in exact] == [r.rate, r.ci_low, r.ci_high]
        out += count_spellings(c.numerator) + (count_spellings(c.denominator) if c.denominator_hidden else [])
        for value in exact:
            out += number_spellings(value, c.decimals)
    return out


def test_planted_values_appear_nowhere_in_the_release(tiny_inputs, tiny_published, tmp_path):
    ws_path = tmp_path / "ws"
    shutil.copytree(tiny_inputs, ws_path)
    areas, year = plant(ws_path)
    result = run_cli("run", "--quiet", "--workspace", str(ws_path))
    assert result.returncode == 0, result.stdout + result.stderr
    ws = Workspace(ws_path)
    with connect(ws.mart, read_only=True) as con:
        for c in CANARIES:
            status = con.execute("select status from indicator_values where indicator_id = ? and district_id = ? "
                                 "and year = ?", [c.indicator, areas[c.area], year]).fetchone()[0]
            assert status == c.status, c
    canaries = spellings(load_config(ws_path))
    assert len(canaries) > 500
    # the planted values really are in the private warehouse, and the scanner sees them there …
    private = tmp_path / "private_copy"
    private.mkdir()
    shutil.copy(ws.warehouse, private / "warehouse.duckdb")
    planted = {str(n) for c in CANARIES for n in (c.numerator, c.denominator)}
    assert {c for _, c in scan([private], sorted(planted))} == planted
    # … the spellings are distinctive: an unplanted release of the same city has none of them …
    assert scan([tiny_published / "data_marts", tiny_published / "dashboards"], canaries) == []
    # … and nothing that is published (files, the status file, what the run printed) has one
    found = scan([ws.data_marts, ws.dashboards, ws_path / "STATUS.txt"], canaries,
                 texts={"stdout": result.stdout, "stderr": result.stderr})
    assert found == [], found[:20]


def test_scanner_finds_every_spelling(tmp_path):
    import json

    import openpyxl
    import pyarrow as pa
    import pyarrow.parquet as pq

    value = 2917 / 3541 * 100_000  # 82,377.8593…
    (tmp_path / "page.html").write_text('<script>var d = {"rate": 82.4139};</script>', encoding="utf-8")
    (tmp_path / "entities.html").write_text("<td>82&#46;377,9</td>", encoding="utf-8")  # 82.377,9
    (tmp_path / "full.json").write_text(json.dumps({"r": value}), encoding="utf-8")  # 82377.85936…
    pq.write_table(pa.table({"rate": [round(value)]}), tmp_path / "t.parquet")  # 82378
    wb = openpyxl.Workbook()
    wb.active["A1"] = "82\u202f377,86"  # narrow no-break space, two decimals
    wb.save(tmp_path / "t.xlsx")
    (tmp_path / "ok.html").write_text("Koordinate 5601987.5; 21987 Einwohner", encoding="utf-8")
    cases = {"page.html": ["82.4139"], "entities.html": number_spellings(value, range(1, 2)),
             "full.json": number_spellings(value, range(4, 7)), "t.parquet": number_spellings(value, range(0, 1)),
             "t.xlsx": number_spellings(value, range(2, 3))}
    for name, canaries in cases.items():
        assert {p.name for p, _ in scan([tmp_path / name], canaries)} == {name}, name
    assert scan([tmp_path / "ok.html"], ["1987"]) == []
