"""Linked tables: a sum of parts published beside its total gives a hidden part away unless they are
protected together."""

from __future__ import annotations

import pandas as pd

from pipelines.lib.audit import audit
from pipelines.lib.audit.relations import relation_constraints
from pipelines.lib.config import parse_config
from pipelines.lib.protection import protect
from pipelines.lib.stages.linked import protect_linked


def config(tmp_path):
    indicator = {"domain": "Soziales", "life_phase": "0-18", "direction": "higher_is_worse", "unit": "share"}
    return parse_config({
        "city": {"name": "T", "crs": "EPSG:25832"},
        "levels": [{"id": "stadt"}, {"id": "gebiet"}],
        "geometries": [{"path": "g.gpkg", "level_column": "l", "key": "k", "name": "n"}],
        "indicators": [{"id": i, "label": i, **indicator} for i in ("teil1", "teil2", "gesamt")],
        "relations": [{"kind": "sum", "parts": ["teil1", "teil2"], "total": "gesamt"}],
    }, tmp_path)


def cells() -> pd.DataFrame:
    values = {"teil1": {"A": 2, "B": 7, "D": 9}, "teil2": {"A": 10, "B": 8, "D": 12}}
    values["gesamt"] = {d: values["teil1"][d] + values["teil2"][d] for d in "ABD"}
    rows = []
    for indicator, by_district in values.items():
        rows.append((indicator, 2024, "C", None, 0, sum(by_district.values()), 300, 9000, False))
        rows += [(indicator, 2024, d, "C", 1, x, 100, 3000, False) for d, x in by_district.items()]
    frame = pd.DataFrame(rows, columns=["indicator_id", "year", "district_id", "parent_id", "level_rank",
                                        "numerator", "denominator", "population", "is_upstream_hidden"])
    return frame.astype({"numerator": "Int64", "denominator": "Int64", "population": "Int64"})


def audit_with_relations(result, cfg, truth):
    published = result.published
    return audit(published, result.log, cfg.protection, true_values=truth,
                 constraints=relation_constraints(published, cfg.relations),
                 indicators={i.id: i for i in cfg.indicators})


def test_each_table_protected_alone_gives_the_hidden_part_away(tmp_path):
    cfg, truth = config(tmp_path), cells()
    alone = protect(truth, {i.id: i for i in cfg.indicators}, cfg.protection)
    hidden = alone.published[alone.published["status"] != "veröffentlicht"]
    assert set(hidden["indicator_id"]) == {"teil1"}  # the other tables publish everything
    result = audit_with_relations(alone, cfg, truth)
    assert not result.passed
    risky = result.at_risk
    assert ("teil1", "A") in set(zip(risky["indicator_id"], risky["district_id"], strict=True))
    pinned = risky[(risky["indicator_id"] == "teil1") & (risky["district_id"] == "A")].iloc[0]
    assert pinned["lower"] == pinned["upper"] == 2  # teil1 = gesamt − teil2, exactly


def test_protected_together_the_audit_passes(tmp_path):
    cfg, truth = config(tmp_path), cells()
    together = protect_linked(truth, cfg)
    assert audit_with_relations(together, cfg, truth).passed
    assert "linked" in set(together.log["rule"])
    linked = together.log[together.log["rule"] == "linked"]
    hidden_parts = set(together.log.loc[together.log["indicator_id"] == "teil1", "district_id"])
    # only where a part is hidden are its related cells hidden, and only in the related tables
    assert "A" in set(linked["district_id"]) and set(linked["district_id"]) <= hidden_parts
    assert set(linked["indicator_id"]) <= {"teil2", "gesamt"}


def test_without_relations_nothing_extra_is_hidden(tmp_path):
    cfg, truth = config(tmp_path), cells()
    plain = parse_config({**cfg.raw, "relations": []}, tmp_path)
    assert protect_linked(truth, plain).log["rule"].tolist().count("linked") == 0
