"""Population by age band: published only for large enough smallest districts, all bands or none."""

from __future__ import annotations

import pandas as pd

from pipelines.lib.analysis.offers import bands_within
from pipelines.lib.config import Protection
from pipelines.lib.release.public_tables import publishable_population


def test_age_bands_all_or_nothing_for_large_smallest_districts():
    rows = [("L1", 2024, "0-2", 100), ("L1", 2024, "3-5", 0), ("L1", 2024, "65+", 300),  # published
            ("L2", 2024, "0-2", 2), ("L2", 2024, "3-5", 50), ("L2", 2024, "65+", 400),  # a band of 2: none
            ("L3", 2024, "0-2", 50), ("L3", 2024, "3-5", 50), ("L3", 2024, "65+", 150),  # 250 < 300: none
            ("P", 2024, "0-2", 152), ("P", 2024, "3-5", 100), ("P", 2024, "65+", 850)]  # not a leaf: none
    pop = pd.DataFrame(rows, columns=["district_id", "year", "age_band", "population"])
    out = publishable_population(pop, {"L1", "L2", "L3"}, Protection(k=3, min_population=300))
    assert out["district_id"].unique().tolist() == ["L1"] and len(out) == 3


def test_offer_age_bands_cover_population_bands():
    bands = ["0-2", "3-5", "6-9", "10-14", "15-17", "18-24", "65+"]
    assert bands_within("0-3", bands) == ["0-2"]
    assert bands_within("10-18", bands) == ["10-14", "15-17"]
    assert bands_within("3-10", bands) == ["3-5", "6-9"]
