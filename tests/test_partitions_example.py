"""The per-municipality partitions example: two municipalities, protected together at state level."""

from __future__ import annotations

import shutil

import dagster as dg
import pandas as pd

from pipelines.examples import partitions


def test_two_municipalities_as_partitions_protected_as_one_state_table(tiny_inputs, tmp_path, monkeypatch):
    for name in ("gemeinde_a", "gemeinde_b"):
        shutil.copytree(tiny_inputs, tmp_path / name)
    monkeypatch.setenv(partitions.ROOT_ENV, str(tmp_path))
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(partitions.municipality.name, partitions.municipalities(tmp_path))
    for name in ("gemeinde_a", "gemeinde_b"):
        result = dg.materialize([partitions.municipal_cells], partition_key=name, instance=instance)
        assert result.success
    result = dg.materialize([partitions.state_protected_cells], instance=instance,
                            selection=[partitions.state_protected_cells.key])
    assert result.success
    cells = pd.read_parquet(tmp_path / "state_protected_cells.parquet")
    state = cells[cells["district_id"] == partitions.STATE_ID]
    years = cells[["indicator_id", "year"]].drop_duplicates()
    assert len(state) == len(years)  # one state cell per indicator-year, above both cities
    assert (cells["status"] == "geheimgehalten").any() and (cells["status"] == "veröffentlicht").any()
    published = state[state["status"] == "veröffentlicht"]
    assert len(published)


def test_stacking_puts_every_city_below_one_state_district():
    city = pd.DataFrame({"indicator_id": ["i", "i"], "year": [2024, 2024], "district_id": ["c", "d1"],
                         "parent_id": [None, "c"], "level_rank": [0, 1], "numerator": [10, 10],
                         "denominator": [100, 100], "population": [1000, 1000], "is_upstream_hidden": [False, False]})
    stacked = partitions.stack_under_state({"a": city, "b": city.replace({"c": "c2", "d1": "d2"})})
    state = stacked[stacked["level_rank"] == 0]
    assert state[["district_id", "numerator", "denominator"]].to_dict("records") == [
        {"district_id": "land", "numerator": 20, "denominator": 200}]
    assert set(stacked.loc[stacked["level_rank"] == 1, "parent_id"]) == {"land"}
