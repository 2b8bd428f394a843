"""The need index on a hand-computed table: z-scores, renormalised weights, classes, dynamics, rules."""

from __future__ import annotations

import pandas as pd
import pytest
from analysis_fixtures import demo_config, values_frame

from pipelines.lib.analysis.need_index import NeedIndexSettings, classify, need_index, standardise

Z4 = [-1.341641, -0.447214, 0.447214, 1.341641]  # z-scores of 10, 20, 30, 40 (population sd)


def table(u9_2024=(90, 80, 70, 60), arm_2022=(10, 20, 30, 40)):
    rows = [("S", None, 0, ind, y, 1, 1, 50.0, None, None) for ind in ("kinderarmut", "u9_teilnahme")
            for y in (2022, 2024)]
    for i, d in enumerate("ABCD"):
        rows.append((d, "S", 1, "kinderarmut", 2024, 1, 1, [10, 20, 30, 40][i], None, None))
        rows.append((d, "S", 1, "kinderarmut", 2022, 1, 1, arm_2022[i], None, None))
        rows.append((d, "S", 1, "u9_teilnahme", 2022, 1, 1, 75.0, None, None))
        u9 = u9_2024[i]
        rows.append((d, "S", 1, "u9_teilnahme", 2024, None if u9 is None else 1, 1, u9, None, None))
    frame = values_frame(rows)
    frame.loc[frame["status"] != "veröffentlicht", "rate"] = None
    return frame


def settings(**kw):
    return NeedIndexSettings(indicators=("kinderarmut", "u9_teilnahme"), **kw)


def test_direction_aligned_z_scores_and_sd_classes():
    out, _ = need_index(table(), demo_config(), settings())
    out = out.set_index("district_id")
    # u9 (lower is worse) 90, 80, 70, 60 aligns with poverty 10, 20, 30, 40: the composite is the same z
    assert out["status_z"].round(6).tolist() == Z4
    assert out["status_score"].round(6).tolist() == Z4
    assert out["status_class"].tolist() == [1, 2, 2, 3]
    assert out["status_label"].tolist() == ["niedrig", "mittel", "mittel", "hoch"]
    assert out["components_used"].tolist() == [2, 2, 2, 2] and (out["weight_share"] == 1).all()


def test_weights_renormalised_over_hidden_components_and_min_share():
    config = demo_config()
    hidden = table(u9_2024=(90, 80, 70, None))
    out, _ = need_index(hidden, config, settings())  # D keeps half of the weight < 0.6: no index
    d = out.set_index("district_id").loc["D"]
    assert d["weight_share"] == 0.5 and d["components_used"] == 1
    assert pd.isna(d["status_score"]) and pd.isna(d["status_class"]) and pd.isna(d["status_label"])
    out, _ = need_index(hidden, config, settings(min_share=0.5))
    score = out.set_index("district_id")["status_score"]
    # A–C: mean of poverty z and u9 z (u9 z over A–C only: −1.2247, 0, 1.2247); D: poverty z alone
    assert score.round(4).tolist() == [round((Z4[0] - 1.224745) / 2, 4), round(Z4[1] / 2, 4),
                                       round((Z4[2] + 1.224745) / 2, 4), round(Z4[3], 4)]


def test_domain_weights_and_quantile_classes():
    s = settings(domain_weights={"Soziales": 3.0, "Bildung": 1.0, "Gesundheit": 1.0})
    assert s.weights(demo_config()) == {"kinderarmut": 3.0, "u9_teilnahme": 1.0}
    z = standardise([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0])
    # z = (x − 5.5) / 2.8723: −1.567, −1.219, −0.870, …, 1.219, 1.567
    assert classify(z, NeedIndexSettings()).tolist() == [1, 1, 2, 2, 2, 2, 2, 2, 3, 4]
    q = classify(z, NeedIndexSettings(classes="quantiles", quantiles=(0.25, 0.75, 0.9)))
    assert q.tolist() == [1, 1, 1, 2, 2, 2, 2, 3, 3, 4]  # cuts at the values 3.25, 7.75, 9.1


def test_dynamics_and_special_need_rules():
    # poverty 40, 30, 20, 10 → 10, 20, 30, 40: changes −30, −10, +10, +30; u9 changes aligned the same way
    out, _ = need_index(table(arm_2022=(40, 30, 20, 10)), demo_config(), settings(dynamics_cut=1.0))
    out = out.set_index("district_id")
    assert out["dynamics_z"].round(6).tolist() == pytest.approx(Z4, abs=1e-6)
    assert out["dynamics_label"].tolist() == ["verbessert", "stabil", "stabil", "verschlechtert"]
    assert out["special_need"].tolist() == [False, False, False, True]
    assert out.loc["D", "special_need_rule"] == "Status hoch (jede Dynamik)"
    # poverty change 0, 0, +30, 0 (z −0.577, −0.577, 1.732, −0.577); u9 change +15, +5, −5, −15 (aligned
    # z −1.342, −0.447, 0.447, 1.342); mean, standardised: −1.210, −0.646, 1.374, 0.482
    out, _ = need_index(table(arm_2022=(10, 20, 0, 40)), demo_config(),
                        settings(special_need=("sehr hoch:*", "mittel:verschlechtert")))
    out = out.set_index("district_id")
    assert out["dynamics_z"].round(3).tolist() == [-1.210, -0.646, 1.374, 0.482]
    assert out["dynamics_label"].tolist() == ["verbessert", "stabil", "verschlechtert", "stabil"]
    assert out["special_need"].tolist() == [False, False, True, False]  # D is "hoch": no rule for it here
    assert out.loc["C", "special_need_rule"] == "Status mittel, Dynamik verschlechtert"


def test_sensitivity_counts_class_changes_per_weight():
    _, sens = need_index(table(), demo_config(), settings())
    # both components order the districts identically: no weight change moves a district
    assert len(sens) == 2 * (2 + 2) and (sens["districts_changed"] == 0).all()
    assert (sens["districts_classified"] == 4).all()
    # u9 60, 70, 80, 90 cancels poverty exactly: composite 0 everywhere, no index (sd 0). A domain weight
    # ±10 % makes the composite ±0.05/1.05 × poverty z: classes 1, 2, 2, 3 — all four districts change.
    # An indicator weight alone in its domain is renormalised away: nothing changes.
    _, sens = need_index(table(u9_2024=(60, 70, 80, 90)), demo_config(), settings())
    by = sens.set_index(["component_type", "component", "weight_change_percent"])
    assert by.loc[("Bereich", "Soziales", 10), "districts_changed"] == 4
    assert by.loc[("Bereich", "Gesundheit", -10), "districts_changed"] == 4
    assert by.loc[("Indikator", "kinderarmut", 10), "districts_changed"] == 0
