"""The generated demo city loads without a single finding."""

from __future__ import annotations

from pipelines.lib.config import load_config
from pipelines.lib.demo.generator import SIZES, generate_city
from pipelines.lib.ingest import load_inputs


def test_tiny_demo_city_loads_cleanly(tmp_path):
    summary = generate_city(tmp_path, **SIZES["tiny"])
    inputs = load_inputs(load_config(tmp_path))
    assert [f.render() for f in inputs.findings] == []
    assert inputs.districts.groupby("level").size().to_dict() == summary.districts
    leaves = summary.districts["planungsraum"]
    n_indicators = len(load_config(tmp_path).indicators)
    assert len(inputs.counts) == leaves * len(summary.years) * n_indicators
    assert set(inputs.counts.source_id) == {"soziales", "bildung", "gesundheit", "zahngesundheit"}
    assert inputs.population.population.gt(0).all()
    assert inputs.offers is not None and len(inputs.offers) > 0
    assert len(inputs.files) == 7
