"""The deterministic demo city "Musterstadt" (see :mod:`pipelines.lib.demo.generator`)."""

from pipelines.lib.demo.generator import SIZES, DemoCity, DemoSummary, build_city, generate_city
from pipelines.lib.demo.values import AGE_BANDS

__all__ = ["AGE_BANDS", "SIZES", "DemoCity", "DemoSummary", "build_city", "generate_city"]
