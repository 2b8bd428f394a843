"""A tiny published mart for the dashboard tests: a three-level toy city, three indicators, two years.

Musterstadt (S) → two Bezirke (B1 west, B2 east) → eight Planungsräume P01–P08 on a 4 × 2 grid of
1-km squares in EPSG:25832. The borders carry a vertex every 50 m with a small deterministic wiggle, so
that web simplification has something to remove and shared borders can be checked.
"""

from __future__ import annotations

import math
from pathlib import Path

import shapely

from pipelines.lib.config import Config, parse_config
from pipelines.lib.duck import connect

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "sql" / "release" / "mart_schema.sql"
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


def make_mart(path: Path) -> Path:
    """Create the published mart at ``path`` (schema from sql/release/mart_schema.sql)."""
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
                "insert into indicators values (?, ?, ?, ?, ?, ?, ?, ?, true, ?, 0.0, ?)",
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
                        "insert into indicator_values values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [did, year, ind_id, num, den, rate, low, high, status, RUN_ID],
                    )
    finally:
        con.close()
    return path


def published_rates(indicator_id: str, year: int, level_ids: set[str]) -> list[float]:
    unit = next(i[6] for i in INDICATORS if i[0] == indicator_id)
    return [
        round(c[1] / c[2] * MULTIPLIER[unit], 1)
        for did, c in VALUES[indicator_id][year].items()
        if did in level_ids and c[0] == P
    ]
