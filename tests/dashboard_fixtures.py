"""A tiny published mart for the dashboard tests: a three-level toy city, three indicators, two years.

Musterstadt (S) → two Bezirke (B1 west, B2 east) → eight Planungsräume P01–P08 on a 4 × 2 grid of
1-km squares in EPSG:25832. The borders carry a vertex every 50 m with a small deterministic wiggle, so
that web simplification has something to remove and shared borders can be checked.

The analysis tables (need index, hot spots, offer coverage with six offers, allocation on the Bezirk
level) are hand-made rows consistent with the published statuses above, so tests can name every
expected class, label and amount (:data:`NEED`, :data:`HOTSPOTS`, :data:`COVERAGE`, :data:`ALLOCATION`).
"""

from __future__ import annotations

import math
from pathlib import Path

import shapely

from pipelines.lib.config import Config, parse_config
from pipelines.lib.duck import connect

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "sql" / "release" / "mart_schema.sql"
ANALYSIS_SCHEMAS = [ROOT / "sql" / "release" / "public_tables.sql", ROOT / "sql" / "release" / "analysis_schema.sql"]
RUN_ID = "20250101T020000-demo"
X0, Y0, CELL, STEP = 360_000.0, 5_620_000.0, 1000.0, 50.0

LEAVES = {  # id: (name, column, row, parent, population)
    "P01": ("Altstadt-Süd", 0, 0, "B1", 2400),
    "P02": ("Hafenviertel", 1, 0, "B1", 3100),
    "P03": ("Bahnhofsviertel", 2, 0, "B2", 900),
    "P04": ("Gartenstadt", 3, 0, "B2", 8800),
    "P05": ("Nordend", 0, 1, "B1", 700),
    "P06": ("Schlossberg", 1, 1, "B1", 4100),
    "P07": ("Am Wald", 2, 1, "B2", 150),
    "P08": ("Neue Mitte", 3, 1, "B2", 1900),
}
BEZIRKE = {"B1": "Bezirk West", "B2": "Bezirk Ost"}

P, S, F, K = "veröffentlicht", "geheimgehalten", "zu wenige Einwohner", "keine Daten"

INDICATORS = [
    # id, label, denominator label, domain, life phase, direction, unit, unit label, source
    ("kinderarmut", "Kinder unter 15 Jahren in SGB-II-Bedarfsgemeinschaften", "Kinder unter 15 Jahren",
     "Soziales", "0-18", "higher_is_worse", "share", "%", "Jobcenter"),
    ("kita_u3", "Kinder unter 3 Jahren in Kindertagesbetreuung", "Kinder unter 3 Jahren",
     "Bildung", "0-3", "lower_is_worse", "share", "%", "Jugendamt"),
    ("hilfen_zur_erziehung", "Hilfen zur Erziehung (10 bis unter 18 Jahre)", "Einwohner 10 bis unter 18",
     "Soziales", "10-18", "higher_is_worse", "per_1000", "je 1.000", "Jugendamt"),
]

# indicator -> year -> district -> (status, numerator, denominator, ci_low, ci_high); rate is derived.
VALUES: dict[str, dict[int, dict[str, tuple]]] = {
    "kinderarmut": {
        2023: {
            "S": (P, 4500, 20000, 21.9, 23.1),
            "B1": (P, 680, 4974, 12.8, 14.6),
            "B2": (S,),
            "P01": (P, 120, 1000, 10.1, 14.2),
            "P02": (P, 250, 1234, 18.1, 22.6),
            "P03": (S,),
            "P04": (P, 1850, 4321, 41.3, 44.3),
            "P05": (S,),
            "P06": (P, 300, 2000, 13.5, 16.6),
            "P07": (F,),
            "P08": (K,),
        },
        2022: {
            "S": (P, 4400, 20000, 21.4, 22.6),
            "P01": (P, 110, 1000, 9.2, 13.1),
            "P02": (P, 240, 1234, 17.3, 21.8),
            "P03": (P, 157, 500, 27.4, 35.8),  # 31,4 %: an older year, must not be shown
            "P04": (P, 1800, 4321, 40.2, 43.2),
        },
    },
    "kita_u3": {
        2023: {
            "S": (P, 2100, 5000, 40.6, 43.4),
            "B1": (P, 900, 2000, 42.8, 47.2),
            "B2": (P, 700, 2000, 32.9, 37.1),
            "P01": (P, 100, 400, 21.0, 29.4),
            "P02": (P, 150, 400, 33.0, 42.2),
            "P03": (P, 160, 400, 35.3, 44.7),
            "P04": (P, 300, 500, 55.6, 64.2),
            "P05": (S,),
            "P06": (P, 220, 400, 50.1, 59.8),
            "P07": (F,),
            "P08": (P, 60, 300, 15.9, 24.9),
        },
        2022: {"P01": (P, 90, 400, 18.6, 26.7)},
    },
    "hilfen_zur_erziehung": {
        2023: {
            "S": (P, 98, 8000, 10.0, 14.9),
            "P01": (P, 17, 2000, 5.3, 13.6),
            "P02": (P, 49, 4000, 9.3, 16.2),
            "P04": (S,),
            "P06": (P, 16, 1000, 9.8, 25.9),
        },
        2022: {},
    },
}
MULTIPLIER = {"share": 100.0, "per_1000": 1000.0}


def _wiggle(x: float, y: float) -> float:
    return round(1.5 * math.sin(x * 0.0137 + y * 0.0071), 3)


def _edge(p: tuple[float, float], q: tuple[float, float]) -> list[tuple[float, float]]:
    """Vertices from p to q (exclusive of q), identical for both neighbours of the edge."""
    a, b = sorted([p, q])
    n = round(max(abs(b[0] - a[0]), abs(b[1] - a[1])) / STEP)
    pts = []
    for i in range(n + 1):
        x = a[0] + (b[0] - a[0]) * i / n
        y = a[1] + (b[1] - a[1]) * i / n
        if 0 < i < n:  # wiggle perpendicular to the edge, corners stay put
            if a[1] == b[1]:
                y += _wiggle(x, y)
            else:
                x += _wiggle(x, y)
        pts.append((x, y))
    if (p, q) != (a, b):
        pts.reverse()
    return pts[:-1]


def leaf_polygon(col: int, row: int) -> shapely.Polygon:
    x, y = X0 + col * CELL, Y0 + row * CELL
    corners = [(x, y), (x + CELL, y), (x + CELL, y + CELL), (x, y + CELL)]
    ring = []
    for i in range(4):
        ring += _edge(corners[i], corners[(i + 1) % 4])
    return shapely.Polygon(ring)


def district_rows() -> list[tuple]:
    """(id, name, level, level label, rank, parent, population, WKT) for every district."""
    leaves = {key: leaf_polygon(col, row) for key, (_, col, row, _, _) in LEAVES.items()}
    rows = []
    city = shapely.union_all(list(leaves.values()))
    rows.append(("S", "Musterstadt", "stadt", "Stadt", 0, None,
                 sum(v[4] for v in LEAVES.values()), city))
    for key, name in BEZIRKE.items():
        members = [k for k, v in LEAVES.items() if v[3] == key]
        geom = shapely.union_all([leaves[k] for k in members])
        rows.append((key, name, "bezirk", "Bezirk", 1, "S", sum(LEAVES[k][4] for k in members), geom))
    for key, (name, _, _, parent, pop) in LEAVES.items():
        rows.append((key, name, "planungsraum", "Planungsraum", 2, parent, pop, leaves[key]))
    return rows


def make_config(root: Path) -> Config:
    raw = {
        "city": {"name": "Musterstadt", "crs": "EPSG:25832", "data_date": "2024-12-31"},
        "levels": [
            {"id": "stadt", "label": "Stadt"},
            {"id": "bezirk", "label": "Bezirk"},
            {"id": "planungsraum", "label": "Planungsraum"},
        ],
        "geometries": [{"path": "g.gpkg", "key": "id", "name": "name", "level_column": "ebene"}],
        "indicators": [
            {"id": i[0], "label": i[1], "denominator_label": i[2], "domain": i[3], "life_phase": i[4],
             "direction": i[5], "unit": i[6], "source": i[8]}
            for i in INDICATORS
        ],
        "protection": {"k": 3, "min_population": 300, "rate_decimals": 1},
    }
    return parse_config(raw, root)


def make_mart(path: Path, *, analysis: bool = True) -> Path:
    """Create the published mart at ``path`` (schema from sql/release/mart_schema.sql).

    ``analysis``: also the public tables and the analysis tables with the rows of this module.
    """
    con = connect(path)
    try:
        con.execute(SCHEMA.read_text(encoding="utf-8"))
        con.execute(
            "insert into run_info values (?, timestamptz '2025-01-01 01:00:00+00', '0.1.0', 1, "
            "'Musterstadt', '2024-12-31', 'EPSG:25832')",
            [RUN_ID],
        )
        for did, name, level, label, rank, parent, pop, geom in district_rows():
            con.execute(
                "insert into districts values (?, ?, ?, ?, ?, ?, ?, ?, ST_GeomFromText(?), ?)",
                [did, name, level, label, rank, parent, pop, geom.area / 1e6, geom.wkt, RUN_ID],
            )
        for ind_id, label, den_label, domain, phase, direction, unit, unit_label, source in INDICATORS:
            con.execute(
                "insert into indicators values (?, ?, ?, ?, ?, ?, ?, ?, true, ?, null, 0.0, ?)",
                [ind_id, label, den_label, domain, phase, direction, unit, unit_label, source, RUN_ID],
            )
            for year, cells in VALUES[ind_id].items():
                for did, cell in cells.items():
                    status = cell[0]
                    if status == P:
                        num, den, low, high = cell[1:]
                        rate = round(num / den * MULTIPLIER[unit], 1)
                    else:
                        num = den = rate = low = high = None
                    con.execute(
                        "insert into indicator_values values (?, ?, ?, ?, ?, ?, ?, ?, ?, false, ?)",
                        [did, year, ind_id, num, den, rate, low, high, status, RUN_ID],
                    )
        if analysis:
            make_analysis(con)
    finally:
        con.close()
    return path


# -- analysis tables -------------------------------------------------------------------------------------
PARAMETERS = {
    ("need_index", "indicators"): ["kinderarmut", "kita_u3"],
    ("need_index", "special_need"): ["sehr hoch:*", "hoch:*", "mittel:verschlechtert"],
    ("need_index", "classes"): "sd",
    ("need_index", "cuts"): [-1.0, 1.0, 1.5],
    ("need_index", "dynamics_cut"): 1.0,
    ("hotspots", "permutations"): 9999,
    ("hotspots", "alpha"): 0.05,
    ("offer_coverage", "min_need_class"): 3,
    ("allocation", "budget"): 1000000,
    ("allocation", "method"): "formula",
    ("allocation", "components"): {"kinderarmut": 0.75, "kita_u3": 0.25},
    ("allocation", "reference_indicator"): "kinderarmut",
}
SN_HIGH, SN_VERY_HIGH, SN_WORSE = ("Status hoch (jede Dynamik)", "Status sehr hoch (jede Dynamik)",
                                   "Status mittel, Dynamik verschlechtert")
# district: (level, status_z, class, components used, weight share, dynamics, special need rule)
NEED: dict[str, tuple] = {
    "B1": ("bezirk", -0.5, 2, 2, 1.0, "stabil", None),
    "B2": ("bezirk", None, None, 1, 0.5, None, None),  # kinderarmut geheimgehalten: no index
    "P01": ("planungsraum", -1.2, 1, 2, 1.0, "verbessert", None),
    "P02": ("planungsraum", 0.3, 2, 2, 1.0, "verschlechtert", SN_WORSE),
    "P03": ("planungsraum", None, None, 1, 0.5, None, None),  # kinderarmut geheimgehalten
    "P04": ("planungsraum", 1.7, 4, 2, 1.0, "stabil", SN_VERY_HIGH),
    "P05": ("planungsraum", None, None, 0, 0.0, None, None),  # both geheimgehalten
    "P06": ("planungsraum", 1.1, 3, 2, 1.0, None, SN_HIGH),  # no dynamics: base year not published
    "P07": ("planungsraum", None, None, 0, 0.0, None, None),  # zu wenige Einwohner
    "P08": ("planungsraum", None, None, 1, 0.5, None, None),  # kinderarmut: keine Daten
}
# level: (component type, component, percent): districts changed (of the classified ones)
SENSITIVITY: dict[str, dict[tuple[str, str, int], int]] = {
    "planungsraum": {("Bereich", "Soziales", -10): 0, ("Bereich", "Soziales", 10): 1,
                     ("Indikator", "kinderarmut", -10): 2, ("Indikator", "kinderarmut", 10): 0,
                     ("Indikator", "kita_u3", -10): 1, ("Indikator", "kita_u3", 10): 3},
}
SENSITIVITY_CLASSIFIED = 4
# indicator: district: (label, q-value); every Planungsraum of the hot-spot level
HOTSPOTS: dict[str, dict[str, tuple]] = {
    "need_index": {"P01": ("niedrig-niedrig", 0.012), "P02": ("nicht signifikant", 0.3), "P03": ("kein Wert", None),
                   "P04": ("hoch-hoch", 0.0004), "P05": ("kein Wert", None), "P06": ("hoch-niedrig", 0.04),
                   "P07": ("kein Wert", None), "P08": ("kein Wert", None)},
    "kinderarmut": {"P01": ("nicht signifikant", 0.5), "P02": ("keine Nachbarn", None), "P03": ("kein Wert", None),
                    "P04": ("hoch-hoch", 0.02), "P05": ("kein Wert", None), "P06": ("niedrig-hoch", 0.03),
                    "P07": ("kein Wert", None), "P08": ("kein Wert", None)},
    "kita_u3": {"P01": ("niedrig-niedrig", 0.01), "P02": ("nicht signifikant", 0.2), "P03": ("nicht signifikant", 0.4),
                "P04": ("hoch-hoch", 0.03), "P05": ("kein Wert", None), "P06": ("hoch-niedrig", 0.045),
                "P07": ("kein Wert", None), "P08": ("niedrig-hoch", 0.02)},
}
# (category, band): district: (offers, children, per 1,000, distance m, need class, supply gap, gap rank)
COVERAGE: dict[tuple[str, str], dict[str, tuple]] = {
    ("Familienzentrum", "3-6"): {
        "P01": (1, 200, 5.0, 350.0, 1, False, None), "P02": (0, 250, 0.0, 1234.5, 2, False, None),
        "P03": (2, 400, 5.0, 120.0, None, False, None), "P04": (0, 800, 0.0, 2500.0, 4, True, 1),
        "P05": (0, None, None, 900.0, None, False, None), "P06": (1, 125, 8.0, 500.0, 3, False, None),
        "P07": (0, None, None, 1500.0, None, False, None), "P08": (0, 0, None, 3000.0, None, False, None),
    },
    ("Frühe Hilfen", "0-3"): {
        "P01": (0, 100, 0.0, 1800.0, 1, False, None), "P02": (1, 120, 8.3333, 300.0, 2, False, None),
        "P03": (0, 150, 0.0, 900.0, None, False, None), "P04": (1, 350, 2.8571, 400.0, 4, False, None),
        "P05": (0, None, None, 1100.0, None, False, None), "P06": (0, 60, 0.0, 2100.0, 3, True, 1),
        "P07": (0, None, None, 1600.0, None, False, None), "P08": (0, 0, None, 2900.0, None, False, None),
    },
}
# offer id: (name, category, band, leaf it lies in, offset in metres from the leaf's centre)
OFFERS = {
    "o1": ("Familienzentrum Altstadt", "Familienzentrum", "3-6", "P01", (0, 0)),
    "o2": ("Familienzentrum Bahnhof", "Familienzentrum", "3-6", "P03", (-15, 0)),
    "o3": ("Familienzentrum Bahnhof II", "Familienzentrum", "3-6", "P03", (15, 10)),
    "o4": ("Familienzentrum „Schloss & <Co>“", "Familienzentrum", "3-6", "P06", (100, -80)),
    "o5": ("Frühe Hilfen Hafen", "Frühe Hilfen", "0-3", "P02", (0, 0)),
    "o6": ("Frühe Hilfen Gartenstadt", "Frühe Hilfen", "0-3", "P04", (-200, 150)),
}
# district: (input source, share, amount, reference population, per child, per-capita amount, difference)
ALLOCATION = {
    "B1": ("veröffentlicht", 0.6, 600000, 4974.0, 120.63, 450000, 150000),
    "B2": ("geschätzt aus übergeordneten Gebieten", 0.4, 400000, 5026.0, 79.59, 550000, -150000),
}


def offer_point(offer_id: str) -> shapely.Point:
    _name, _cat, _band, leaf, (dx, dy) = OFFERS[offer_id]
    _n, col, row, _p, _pop = LEAVES[leaf]
    return shapely.Point(X0 + col * CELL + CELL / 2 + dx, Y0 + row * CELL + CELL / 2 + dy)


def make_analysis(con) -> None:
    """The public and analysis tables of the mart, with the rows above (year 2023)."""
    import json

    for schema in ANALYSIS_SCHEMAS:
        con.execute(schema.read_text(encoding="utf-8"))
    for (analysis, name), value in PARAMETERS.items():
        con.execute("insert into analysis_parameters values (?, ?, ?, ?)",
                    [analysis, name, json.dumps(value, ensure_ascii=False), RUN_ID])
    for did, (level, z, cls, used, share, dyn, rule) in NEED.items():
        labels = {1: "niedrig", 2: "mittel", 3: "hoch", 4: "sehr hoch"}
        con.execute("insert into need_index values (?, ?, 2023, 2021, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [did, level, None if z is None else z * 0.8, z, cls, labels.get(cls), used, share,
                     None if dyn is None else {"verbessert": -1.4, "stabil": 0.1, "verschlechtert": 1.3}[dyn],
                     dyn, rule is not None, rule, RUN_ID])
    for level, rows in SENSITIVITY.items():
        for (kind, component, percent), changed in rows.items():
            con.execute("insert into need_index_sensitivity values (?, 2023, ?, ?, ?, ?, ?, ?)",
                        [level, kind, component, percent, changed, SENSITIVITY_CLASSIFIED, RUN_ID])
    for ind, rows in HOTSPOTS.items():
        method = "Moran_Local" if ind == "need_index" else "Moran_Local_Rate (EB)"
        for did, (label, q) in rows.items():
            con.execute("insert into hotspots values (?, 'planungsraum', 2023, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [did, ind, method, None if label == "kein Wert" else 0.5, None if q is None else 0.3,
                         q, q, label, RUN_ID])
    for (category, band), rows in COVERAGE.items():
        covered = [(o, c) for o, c, per_1000, *_ in rows.values() if per_1000 is not None]
        reference = sum(o for o, _ in covered) / sum(c for _, c in covered) * 1000
        for did, (offers, children, per_1000, dist, need, gap, rank) in rows.items():
            con.execute("insert into offer_coverage values (?, 'planungsraum', 2023, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [did, category, band, offers, children, children is not None, per_1000, reference, dist,
                         need, gap, rank, RUN_ID])
    for oid, (name, category, band, _leaf, _offset) in OFFERS.items():
        con.execute("insert into offers values (?, ?, ?, ?, ST_GeomFromText(?), ?)",
                    [oid, name, category, band, offer_point(oid).wkt, RUN_ID])
    for did, (source, share, amount, ref, per_child, per_capita, diff) in ALLOCATION.items():
        con.execute("insert into allocation values (?, 'bezirk', 2023, 'formula', ?, ?, ?, ?, ?, ?, ?, ?)",
                    [did, source, share, amount, ref, per_child, per_capita, diff, RUN_ID])
    make_benchmarks(con)


def make_benchmarks(con) -> None:
    """``indicator_benchmarks`` as the analysis stage computes it from the published values above."""
    from pipelines.lib.analysis.benchmarks import BenchmarkSettings, benchmark_batch

    indicators = [i[0] for i in INDICATORS]
    with benchmark_batch(con, indicators, make_config(ROOT), BenchmarkSettings()) as view:
        con.execute(f"insert into indicator_benchmarks by name select *, ? as run_id from {view}", [RUN_ID])


def published_rates(indicator_id: str, year: int, level_ids: set[str]) -> list[float]:
    unit = next(i[6] for i in INDICATORS if i[0] == indicator_id)
    return [
        round(c[1] / c[2] * MULTIPLIER[unit], 1)
        for did, c in VALUES[indicator_id][year].items()
        if did in level_ids and c[0] == P
    ]


def hide_most_of_kinderarmut_2023(mart: Path, *, publish_bezirk_ost: bool) -> Path:
    """Kinderarmut 2023 withheld in five of eight Planungsräume (P02, P06 besides P03, P05, P07): the finest
    level mostly hidden. ``publish_bezirk_ost``: Bezirk Ost published (the Bezirk level then has no hole)."""
    con = connect(mart)
    try:
        con.execute("update indicator_values set status = 'geheimgehalten', numerator = null, denominator = null, "
                    "rate = null, ci_low = null, ci_high = null "
                    "where indicator_id = 'kinderarmut' and year = 2023 and district_id in ('P02', 'P06')")
        if publish_bezirk_ost:
            con.execute("update indicator_values set status = 'veröffentlicht', numerator = 3820, "
                        "denominator = 15026, rate = 25.4, ci_low = 24.7, ci_high = 26.1 "
                        "where indicator_id = 'kinderarmut' and year = 2023 and district_id = 'B2'")
    finally:
        con.close()
    return mart
