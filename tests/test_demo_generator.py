"""The demo city generator: topology, keys, German file formats, consistency, determinism."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
import shapely

from pipelines.lib.config import load_config
from pipelines.lib.demo import AGE_BANDS, SIZES, build_city, generate_city
from pipelines.lib.demo.generator import (
    BILDUNG_PATH,
    ESU_PATH,
    GEOMETRY_PATH,
    OFFERS_PATH,
    POPULATION_PATH,
    SOZIALES_PATH,
    ZAHN_PATH,
)
from pipelines.lib.demo.geometry import CITY_KEY
from pipelines.lib.demo.offers import OFFER_AGE_BANDS
from pipelines.lib.demo.values import INDICATOR_IDS

LAYERS = ("stadt", "bezirke", "bezirksregionen", "planungsraeume")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> tuple[Path, object]:
    ws = tmp_path_factory.mktemp("tiny")
    return ws, generate_city(ws, **SIZES["tiny"])


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, object]:
    ws = tmp_path_factory.mktemp("demo")
    return ws, generate_city(ws, **SIZES["demo"])


@pytest.fixture(scope="module")
def demo_city():
    return build_city(**SIZES["demo"])


def read_layers(ws: Path) -> dict[str, gpd.GeoDataFrame]:
    return {name: gpd.read_file(ws / GEOMETRY_PATH, layer=name) for name in LAYERS}


def read_long_csv(path: Path, encoding: str) -> pd.DataFrame:
    """A German long count file read back with plain pandas."""
    df = pd.read_csv(path, sep=";", encoding=encoding, dtype=str, keep_default_na=False)
    for col in ("Zähler", "Nenner"):
        df[col] = df[col].str.replace(".", "", regex=False).replace("-", "0").astype("int64")
    df["Jahr"] = df["Jahr"].astype(int)
    return df


def read_population(ws: Path) -> pd.DataFrame:
    df = pd.read_csv(ws / POPULATION_PATH, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    df["Einwohner"] = df["Einwohner"].str.replace(".", "", regex=False).astype("int64")
    df["Jahr"] = df["Jahr"].astype(int)
    return df


def read_esu(ws: Path) -> pd.DataFrame:
    return pd.read_excel(ws / ESU_PATH, sheet_name="ESU", dtype={"Planungsraum": str})


# --- geometry ---------------------------------------------------------------------------------


@pytest.mark.parametrize("city", ["tiny", "demo"])
def test_every_level_is_an_exact_coverage_of_its_parent(city, request):
    ws, summary = request.getfixturevalue(city)
    layers = read_layers(ws)
    for parent_layer, child_layer in itertools.pairwise(LAYERS):
        parents, children = layers[parent_layer], layers[child_layer]
        assert set(children.geom_type) == {"Polygon"}
        assert children.is_valid.all()
        # shared borders with identical vertices, no gaps, no overlaps
        assert shapely.coverage_is_valid(children.geometry.values)
        tree = shapely.STRtree(children.geometry.values)
        left, right = tree.query(children.geometry.values, predicate="intersects")
        pairs = left < right
        overlap = shapely.area(
            shapely.intersection(
                children.geometry.values[left[pairs]], children.geometry.values[right[pairs]]
            )
        )
        assert overlap.max(initial=0.0) < 1e-6
        for _, parent in parents.iterrows():
            kids = children[children["ober_id"] == parent["gebiet_id"]] if "ober_id" in children else children
            assert len(kids) >= 1
            union = shapely.union_all(kids.geometry.values)
            assert shapely.symmetric_difference(union, parent.geometry).area < 1e-6 * parent.geometry.area
            assert kids.area.sum() == pytest.approx(parent.geometry.area, rel=1e-9)
    city_area = layers["stadt"].area.iloc[0] / 1e6
    assert city_area > 30
    if city == "demo":
        assert 100 <= city_area <= 200
        assert summary.districts == {"stadt": 1, "bezirk": 5, "bezirksregion": 20, "planungsraum": 160}


@pytest.mark.parametrize("seed", [1, 17, 99])
def test_other_seeds_and_shapes_stay_clean(seed):
    city = build_city(bezirke=3, regionen_per_bezirk=2, planungsraeume_per_region=3, years=[2024], seed=seed)
    d = city.layout.districts
    assert set(d.geom_type) == {"Polygon"}
    for level in ("bezirk", "bezirksregion", "planungsraum"):
        assert shapely.coverage_is_valid(d[d["level"] == level].geometry.values)
    assert d["name"].is_unique
    plr = city.layout.planungsraeume
    assert plr["parent_id"].value_counts().between(2, 4).all()
    assert (plr["kind"] != "wohnen").sum() >= 1


def test_geometry_layers_keys_and_names(tiny):
    ws, summary = tiny
    layers = read_layers(ws)
    assert layers["stadt"].crs.to_epsg() == 25832
    assert "ober_id" not in layers["stadt"].columns
    assert layers["stadt"]["gebiet_id"].tolist() == [CITY_KEY]
    assert CITY_KEY.startswith("0")
    patterns = {"bezirke": r"\d{2}", "bezirksregionen": r"\d{4}", "planungsraeume": r"\d{8}"}
    for upper, layer in itertools.pairwise(LAYERS):
        keys = layers[layer]["gebiet_id"]
        assert keys.map(type).eq(str).all()
        assert keys.str.fullmatch(patterns[layer]).all()
        assert keys.str.startswith("0").all()  # leading zeros survive as text
        assert keys.is_unique
        assert set(layers[layer]["ober_id"]) <= set(layers[upper]["gebiet_id"])
        if layer != "bezirke":
            assert all(k.startswith(p) for k, p in zip(keys, layers[layer]["ober_id"], strict=True))
    names = pd.concat([layers[name]["name"] for name in LAYERS])
    assert names.is_unique and names.str.len().gt(2).all()
    assert "Mitte" in set(layers["bezirke"]["name"])
    xy = layers["stadt"].geometry.iloc[0].centroid
    assert 470_000 < xy.x < 510_000 and 5_580_000 < xy.y < 5_620_000
    assert summary.districts == {"stadt": 1, "bezirk": 2, "bezirksregion": 4, "planungsraum": 12}


def test_fan_out_is_uneven_but_keeps_the_total(demo):
    ws, _ = demo
    plr = gpd.read_file(ws / GEOMETRY_PATH, layer="planungsraeume")
    per_region = plr.groupby("ober_id").size()
    assert len(per_region) == 20 and per_region.sum() == 160
    assert per_region.nunique() > 1
    assert per_region.between(6, 10).all()


# --- population and counts ----------------------------------------------------------------------


def test_population_bands_and_small_areas(tiny, demo):
    for (ws, _), min_small in ((tiny, 1), (demo, 3)):
        pop = read_population(ws)
        assert list(pop.columns) == ["Planungsraum", "Jahr", "Altersgruppe", "Einwohner"]
        assert tuple(pop["Altersgruppe"].unique()) == AGE_BANDS
        assert (pop["Einwohner"] >= 0).all()
        totals = pop.groupby(["Planungsraum", "Jahr"])["Einwohner"].sum()
        always_small = totals.groupby(level=0).max() < 300
        assert always_small.sum() >= min_small
        assert 1000 <= totals.median() <= 8000


def test_all_counts_complete_and_consistent_with_population(tiny):
    ws, summary = tiny
    years = list(summary.years)
    plr_keys = set(gpd.read_file(ws / GEOMETRY_PATH, layer="planungsraeume")["gebiet_id"])
    pop = read_population(ws).pivot_table(
        index=["Planungsraum", "Jahr"], columns="Altersgruppe", values="Einwohner", aggfunc="sum"
    )

    soz = read_long_csv(ws / SOZIALES_PATH, "cp1252")
    zahn = read_long_csv(ws / ZAHN_PATH, "utf-8")
    bildung = pd.read_parquet(ws / BILDUNG_PATH)
    esu = read_esu(ws)
    long = pd.concat(
        [
            soz.rename(
                columns={
                    "Planungsraum": "district_id",
                    "Jahr": "year",
                    "Indikator": "indicator_id",
                    "Zähler": "numerator",
                    "Nenner": "denominator",
                }
            ),
            zahn.rename(
                columns={
                    "Planungsraum": "district_id",
                    "Jahr": "year",
                    "Indikator": "indicator_id",
                    "Zähler": "numerator",
                    "Nenner": "denominator",
                }
            ),
            bildung,
        ]
    )
    assert (long["numerator"] >= 0).all() and (long["numerator"] <= long["denominator"]).all()
    assert set(long["district_id"]) == plr_keys
    assert set(long["year"]) == set(years)
    full = len(plr_keys) * len(years)
    for ind in (
        "kinderarmut",
        "kinderarmut_u3",
        "alleinerziehende",
        "arbeitslosigkeit",
        "hilfen_zur_erziehung",
    ):
        assert (soz["Indikator"] == ind).sum() == full
    assert (zahn["Indikator"] == "karies").sum() == full
    # absent Parquet rows are only ever empty ones (numerator and denominator zero)
    for ind in ("kita_u3", "kita_3_6", "gymnasialempfehlung", "ohne_abschluss"):
        assert 0 < (bildung["indicator_id"] == ind).sum() <= full
    assert ((bildung["numerator"] > 0) | (bildung["denominator"] > 0)).all()

    def denominators(frame, ind):
        part = frame[frame["indicator_id"] == ind].set_index(["district_id", "year"])["denominator"]
        return part.reindex(pop.index, fill_value=0)

    under_15 = pop[["0-2", "3-5", "6-9", "10-14"]].sum(axis=1)
    assert (denominators(long, "kinderarmut") == under_15).all()
    assert (denominators(long, "kinderarmut_u3") == pop["0-2"]).all()
    assert (denominators(long, "kita_u3") == pop["0-2"]).all()
    assert (denominators(long, "kita_3_6") == pop["3-5"]).all()
    assert (denominators(long, "arbeitslosigkeit") == pop[["15-17", "18-24", "25-64"]].sum(axis=1)).all()

    # the ESU sheet: one row per Planungsraum and year, sub-counts within the examined children
    assert len(esu) == full
    esu = esu.set_index(["Planungsraum", "Jahr"]).reindex(pop.index)
    assert (esu["Untersuchte Kinder"] <= pop["3-5"]).all()
    assert (esu["Untersuchte Kinder"] <= pop["3-5"] / 2 + 5).all()  # about one birth cohort
    for num in ("Sprachdefizit", "Motorikdefizit", "Kognitive Auffälligkeit", "Übergewicht"):
        assert (esu[num] <= esu["Untersuchte Kinder"]).all()
    for part, whole in (
        ("U-Heft vorgelegt", "Untersuchte Kinder"),
        ("U7 dokumentiert", "U-Heft vorgelegt"),
        ("U9 dokumentiert", "U-Heft vorgelegt"),
        ("Impfbuch vorgelegt", "Untersuchte Kinder"),
        ("MMR vollständig", "Impfbuch vorgelegt"),
    ):
        assert (esu[part] <= esu[whole]).all() and (esu[part] >= 0).all()


def test_small_areas_yield_disclosive_small_counts(demo):
    ws, _ = demo
    soz = read_long_csv(ws / SOZIALES_PATH, "cp1252")
    small = soz[(soz["Zähler"].between(1, 4)) & (soz["Nenner"] < 20)]
    assert len(small) >= 5
    assert (soz["Zähler"] == 0).any()


def test_counts_follow_the_latent_surface(demo_city):
    counts = demo_city.simulation.counts
    latent = demo_city.simulation.latent.groupby("district_id")["deprivation"].mean()
    plr = demo_city.layout.planungsraeume.set_index("district_id")

    def rates(ind):
        part = (
            counts[counts["indicator_id"] == ind].groupby("district_id")[["numerator", "denominator"]].sum()
        )
        part = part[part["denominator"] >= 50]
        return part["numerator"] / part["denominator"]

    poverty = rates("kinderarmut")
    assert np.corrcoef(poverty, latent[poverty.index])[0, 1] > 0.7
    assert np.corrcoef(rates("kita_3_6"), latent[rates("kita_3_6").index])[0, 1] < -0.3  # lower is worse
    assert np.corrcoef(rates("u9_teilnahme"), latent[rates("u9_teilnahme").index])[0, 1] < -0.3
    assert poverty.min() > 0.03 and poverty.max() < 0.65

    # spatial autocorrelation: a Planungsraum resembles its siblings in the same region
    region = plr.loc[poverty.index, "parent_id"]
    sibling_mean = [poverty[(region == region[k]) & (poverty.index != k)].mean() for k in poverty.index]
    ok = ~np.isnan(sibling_mean)
    assert np.corrcoef(poverty[ok], np.asarray(sibling_mean)[ok])[0, 1] > 0.3


def test_one_cluster_worsens_and_one_improves(demo_city):
    sim = demo_city.simulation
    plr = demo_city.layout.planungsraeume
    xy = shapely.get_coordinates(shapely.point_on_surface(plr.geometry.values))
    first, last = demo_city.years[0], demo_city.years[-1]
    poverty = sim.counts[sim.counts["indicator_id"] == "kinderarmut"]
    for bump, sign in ((0, 1), (1, -1)):
        near = set(plr["district_id"][sim.field.kernel(bump, xy) > 0.4])
        assert near
        part = poverty[poverty["district_id"].isin(near)].groupby("year")[["numerator", "denominator"]].sum()
        rate = part["numerator"] / part["denominator"]
        assert sign * (rate[last] - rate[first]) > 0.01


# --- offers ------------------------------------------------------------------------------------


def test_offers_file_and_supply_gaps(demo, demo_city):
    ws, _ = demo
    raw = (ws / OFFERS_PATH).read_text(encoding="utf-8")
    assert raw.splitlines()[0] == "Nr;Name;Kategorie;Zielgruppe;Längengrad;Breitengrad"
    assert re.search(r";\d,\d{6};\d{2},\d{6}$", raw.splitlines()[1])
    offers = pd.read_csv(ws / OFFERS_PATH, sep=";", decimal=",", encoding="utf-8")
    assert 100 <= len(offers) <= 200
    assert offers["Nr"].is_unique and offers["Name"].is_unique
    assert set(offers["Zielgruppe"]) <= set(OFFER_AGE_BANDS)
    assert {"Familienzentrum", "Frühe Hilfen", "Jugendzentrum", "Kinderarztpraxis"} <= set(
        offers["Kategorie"]
    )
    points = gpd.GeoSeries(gpd.points_from_xy(offers["Längengrad"], offers["Breitengrad"]), crs=4326).to_crs(
        25832
    )
    outline = gpd.read_file(ws / GEOMETRY_PATH, layer="stadt").geometry.iloc[0]
    assert points.within(outline.buffer(1.0)).all()

    # Versorgungslücken: high-need Planungsräume without any offer
    latent = demo_city.simulation.latent.groupby("district_id")["deprivation"].mean()
    served = set(demo_city.offers["district_id"])
    top = latent[latent >= latent.quantile(0.75)].index
    assert sum(k not in served for k in top) >= 3
    pop = demo_city.simulation.population.groupby("district_id")["population"].sum()
    per_capita = demo_city.offers.groupby("district_id").size().reindex(pop.index, fill_value=0) / pop
    assert per_capita[top].mean() < per_capita.mean()


# --- file formats ------------------------------------------------------------------------------


def test_german_csv_dialects(tiny):
    ws, _ = tiny
    soz = (ws / SOZIALES_PATH).read_bytes()
    assert soz.startswith("Planungsraum;Jahr;Indikator;Zähler;Nenner\r\n".encode("cp1252"))
    assert b"Z\xe4hler" in soz
    with pytest.raises(UnicodeDecodeError):
        soz.decode("utf-8")
    assert re.search(rb";-;\d", soz)  # exact zero as the German table symbol
    assert re.search(rb";\d{1,3}\.\d{3}\r\n", soz)  # thousands separator
    assert not re.search(rb"([a-z_];\d{4,};|;\d{4,}\r\n)", soz)  # never without it

    pop = (ws / POPULATION_PATH).read_bytes()
    assert pop.startswith(b"\xef\xbb\xbfPlanungsraum;Jahr;Altersgruppe;Einwohner\r\n")
    assert re.search(rb";\d{1,3}\.\d{3}\r\n", pop)

    zahn = (ws / ZAHN_PATH).read_bytes()
    assert zahn.startswith("Planungsraum;Jahr;Indikator;Zähler;Nenner\n".encode())
    zahn.decode("utf-8")

    # keys with leading zeros as written, not as numbers
    assert re.search(rb"\n0\d{7};", soz)


def test_parquet_and_excel_types(tiny):
    ws, _ = tiny
    schema = pq.read_schema(ws / BILDUNG_PATH)
    assert schema.names == ["district_id", "year", "indicator_id", "numerator", "denominator"]
    assert str(schema.field("district_id").type) == "string"
    assert all(str(schema.field(c).type) == "int64" for c in ("year", "numerator", "denominator"))

    wb = openpyxl.load_workbook(ws / ESU_PATH)
    assert wb.sheetnames == ["ESU"]
    sheet = wb["ESU"]
    header = [c.value for c in sheet[1]]
    assert header == [
        "Planungsraum",
        "Jahr",
        "Untersuchte Kinder",
        "Sprachdefizit",
        "Motorikdefizit",
        "Kognitive Auffälligkeit",
        "Übergewicht",
        "U-Heft vorgelegt",
        "U7 dokumentiert",
        "U9 dokumentiert",
        "Impfbuch vorgelegt",
        "MMR vollständig",
    ]
    key_cell = sheet.cell(row=2, column=1)
    assert key_cell.data_type == "s" and key_cell.value.startswith("0") and len(key_cell.value) == 8
    assert isinstance(sheet.cell(row=2, column=2).value, int)


def test_same_parameters_give_identical_files(tmp_path):
    a = generate_city(tmp_path / "a", **SIZES["tiny"])
    b = generate_city(tmp_path / "b", **SIZES["tiny"])
    generate_city(tmp_path / "c", **SIZES["tiny"], seed=7)
    assert a.rows == b.rows
    for rel in (POPULATION_PATH, SOZIALES_PATH, BILDUNG_PATH, ESU_PATH, ZAHN_PATH, OFFERS_PATH):
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    assert (tmp_path / "a" / SOZIALES_PATH).read_bytes() != (tmp_path / "c" / SOZIALES_PATH).read_bytes()
    for layer in LAYERS:
        ga = gpd.read_file(tmp_path / "a" / GEOMETRY_PATH, layer=layer)
        gb = gpd.read_file(tmp_path / "b" / GEOMETRY_PATH, layer=layer)
        pd.testing.assert_frame_equal(ga.drop(columns="geometry"), gb.drop(columns="geometry"))
        assert ga.geometry.geom_equals_exact(gb.geometry, tolerance=0).all()


# --- configuration -----------------------------------------------------------------------------


def test_written_config_loads_and_names_exactly_the_written_files(tiny):
    ws, summary = tiny
    assert summary.config_written
    config = load_config(ws)
    assert config.city_name == "Musterstadt"
    assert config.data_date == f"{summary.years[-1]}-12-31"
    written = {p.resolve() for p in summary.paths}
    for g in config.geometries:
        layer = gpd.read_file(config.resolve(g.path), layer=g.layer)
        assert {g.key, g.name} <= set(layer.columns)
        if g.parent:
            assert g.parent in layer.columns
    assert config.population is not None
    pop = read_population(ws)
    assert set(config.population.columns.values()) == set(pop.columns)
    for source in config.counts:
        path = config.resolve(source.path).resolve()
        assert path in written
        if path.suffix == ".csv":
            encoding = "cp1252" if path.name == "sozialdaten.csv" else "utf-8"
            header = pd.read_csv(path, sep=";", encoding=encoding, nrows=0).columns
            assert set(source.columns.values()) <= set(header)
        elif path.suffix == ".xlsx":
            header = read_esu(ws).columns
            assert {v.column for v in source.values} | {source.key, source.year_column} <= set(header)
            assert {v.indicator for v in source.values} <= set(INDICATOR_IDS)
    catalogue = {i.id for i in config.indicators}
    assert catalogue == set(INDICATOR_IDS) and len(catalogue) == 17
    offers = pd.read_csv(config.resolve(config.offers.path), sep=";", nrows=0).columns
    assert {config.offers.x, config.offers.y, *config.offers.columns.values()} <= set(offers)
    assert not (ws / "data_raw" / "README.md").exists()


def test_existing_config_is_kept(tmp_path):
    own = tmp_path / "sozialmonitor.toml"
    own.write_text("# eigene Konfiguration\n", encoding="utf-8")
    summary = generate_city(tmp_path, **SIZES["tiny"])
    assert not summary.config_written
    assert own.read_text(encoding="utf-8") == "# eigene Konfiguration\n"
    other = generate_city(tmp_path / "ohne", **SIZES["tiny"], write_config=False)
    assert not other.config_written and not (tmp_path / "ohne" / "sozialmonitor.toml").exists()
