"""The need index ("Handlungsbedarf"): a status index, its dynamics and their 4 × 3 combination.

Higher always means more need. Per level and year:

1. Every chosen indicator's published rate is standardised within the level (z-score, population
   standard deviation) and aligned so that higher is worse (``lower_is_worse`` indicators change sign;
   ``none`` keeps its sign).
2. Each indicator gets the weight ``domain weight × indicator weight / Σ indicator weights of its domain``;
   the status score is the weighted mean of the available z-scores, the weights renormalised over the
   components that are hidden or missing. Where the available weight is below ``min_share`` of the
   total, the district gets no index.
3. The score is standardised again within the level and classed: 1 niedrig, 2 mittel, 3 hoch,
   4 sehr hoch, by cut points in standard deviations (default −1, +1, +1.5) or by quantiles.
4. Dynamics: the same composite of the changes over ``years_back`` years (both years published),
   standardised; above ``+dynamics_cut`` → "verschlechtert", below ``−dynamics_cut`` → "verbessert",
   else "stabil".
5. "Gebiete mit besonderem Handlungsbedarf": the combinations named by the ``special_need`` rules
   (``"<status>:<dynamics>"``, ``*`` for any), each district with the first rule that matched.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from pipelines.lib.analysis.published import PUBLISHED
from pipelines.lib.config import Config

CLASS_LABELS = {1: "niedrig", 2: "mittel", 3: "hoch", 4: "sehr hoch"}
DYNAMICS_LABELS = ("verbessert", "stabil", "verschlechtert")
DEFAULT_INDICATORS = ("kinderarmut", "alleinerziehende", "arbeitslosigkeit", "sprachdefizit", "u9_teilnahme")
DEFAULT_SPECIAL_NEED = ("sehr hoch:*", "hoch:*", "mittel:verschlechtert")
COLUMNS = [
    "district_id", "level", "year", "base_year", "status_score", "status_z", "status_class", "status_label",
    "components_used", "weight_share", "dynamics_z", "dynamics_label", "special_need", "special_need_rule",
]
SENSITIVITY_COLUMNS = [
    "level", "year", "component_type", "component", "weight_change_percent", "districts_changed",
    "districts_classified",
]


@dataclass(frozen=True)
class NeedIndexSettings:
    """``[need_index]`` of ``sozialmonitor.toml`` (every key optional)."""

    indicators: tuple[str, ...] = DEFAULT_INDICATORS
    domain_weights: dict[str, float] = field(
        default_factory=lambda: {"Soziales": 1.0, "Bildung": 1.0, "Gesundheit": 1.0}
    )
    indicator_weights: dict[str, float] = field(default_factory=dict)  # default: 1 each
    min_share: float = 0.6
    classes: str = "sd"  # "sd" | "quantiles"
    cuts: tuple[float, float, float] = (-1.0, 1.0, 1.5)
    quantiles: tuple[float, float, float] = (0.25, 0.75, 0.9)
    years_back: int = 2
    dynamics_cut: float = 1.0
    year: int | None = None  # default: the latest year with data
    special_need: tuple[str, ...] = DEFAULT_SPECIAL_NEED

    @classmethod
    def from_config(cls, config: Config) -> NeedIndexSettings:
        raw = config.section("need_index")
        known = {i.id for i in config.indicators}
        indicators = tuple(i for i in raw.get("indicators", DEFAULT_INDICATORS) if i in known)
        settings = cls(indicators=indicators)
        updates = {}
        for key in ("min_share", "dynamics_cut"):
            if key in raw:
                updates[key] = float(raw[key])
        for key in ("years_back", "year"):
            if key in raw:
                updates[key] = int(raw[key])
        if "classes" in raw:
            if raw["classes"] not in ("sd", "quantiles"):
                raise ValueError("[need_index] classes must be 'sd' or 'quantiles'")
            updates["classes"] = raw["classes"]
        for key in ("cuts", "quantiles", "special_need"):
            if key in raw:
                updates[key] = tuple(raw[key])
        if "domain_weights" in raw:
            updates["domain_weights"] = {**settings.domain_weights, **{k: float(v) for k, v in raw["domain_weights"].items()}}
        if "indicator_weights" in raw:
            updates["indicator_weights"] = {k: float(v) for k, v in raw["indicator_weights"].items()}
        return replace(settings, **updates)

    def weights(self, config: Config) -> dict[str, float]:
        """Effective weight of each chosen indicator: domain weight × its share of its domain."""
        domain = {i: config.indicator(i).domain for i in self.indicators}
        iw = {i: float(self.indicator_weights.get(i, 1.0)) for i in self.indicators}
        totals: dict[str, float] = {}
        for i, d in domain.items():
            totals[d] = totals.get(d, 0.0) + iw[i]
        return {
            i: (self.domain_weights.get(domain[i], 1.0) * iw[i] / totals[domain[i]] if totals[domain[i]] else 0.0)
            for i in self.indicators
        }


def standardise(x) -> np.ndarray:
    """z-scores with the population standard deviation, ignoring NaN (NaN where sd is zero).

    >>> standardise([1.0, 2.0, 3.0, np.nan]).round(4).tolist()[:3]
    [-1.2247, 0.0, 1.2247]
    """
    x = np.asarray(x, dtype=float)
    ok = ~np.isnan(x)
    if ok.sum() < 2:
        return np.full(len(x), np.nan)
    sd = x[ok].std()
    if sd == 0:
        return np.full(len(x), np.nan)
    return (x - x[ok].mean()) / sd


def composite(z: pd.DataFrame, weights: dict[str, float], min_share: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted mean of the columns of ``z`` renormalised over the available ones.

    Returns ``(score, share of weight available, number of components used)``; the score is NaN where
    the share is below ``min_share``.
    """
    w = np.array([weights[c] for c in z.columns], dtype=float)
    values = z.to_numpy(dtype=float)
    have = ~np.isnan(values)
    total = w.sum()
    avail = (have * w).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.nansum(np.where(have, values * w, 0.0), axis=1) / avail
        share = avail / total if total > 0 else np.zeros(len(values))
    score = np.where((share + 1e-12 >= min_share) & (avail > 0), score, np.nan)
    return score, share, have.sum(axis=1)


def classify(z, settings: NeedIndexSettings) -> np.ndarray:
    """Classes 1–4 of standardised scores (0 where there is no score)."""
    z = np.asarray(z, dtype=float)
    ok = ~np.isnan(z)
    if settings.classes == "quantiles":
        cuts = np.quantile(z[ok], settings.quantiles) if ok.any() else np.array([np.inf] * 3)
    else:
        cuts = np.asarray(settings.cuts, dtype=float)
    classes = 1 + (z[:, None] >= cuts[None, :]).sum(axis=1)
    return np.where(ok, classes, 0)


def dynamics_labels(z, cut: float) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    label = np.where(z > cut, "verschlechtert", np.where(z < -cut, "verbessert", "stabil")).astype(object)
    return np.where(np.isnan(z), None, label)


def special_need(status_label, dynamics_label, rules) -> tuple[np.ndarray, np.ndarray]:
    """Whether each district matches a rule ``"<status>:<dynamics>"`` and the text of the first match."""
    flags, texts = [], []
    for s, d in zip(status_label, dynamics_label, strict=True):
        hit = None
        for rule in rules:
            rs, rd = (part.strip() for part in rule.split(":", 1))
            if s is not None and rs in ("*", s) and (rd == "*" or (d is not None and rd == d)):
                hit = f"Status {s}" + (" (jede Dynamik)" if rd == "*" else f", Dynamik {rd}")
                break
        flags.append(hit is not None)
        texts.append(hit)
    return np.array(flags, dtype=bool), np.array(texts, dtype=object)


def aligned_z(rates: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Direction-aligned z-scores of a districts × indicators table of rates (higher = more need)."""
    out = pd.DataFrame(index=rates.index)
    for col in rates.columns:
        z = standardise(rates[col].to_numpy(dtype=float))
        out[col] = -z if config.indicator(col).direction == "lower_is_worse" else z
    return out


def _wide(values: pd.DataFrame, districts: list[str], year: int, indicators) -> pd.DataFrame:
    v = values[(values["year"] == year) & values["indicator_id"].isin(indicators) & (values["status"] == PUBLISHED)]
    table = v.pivot_table(index="district_id", columns="indicator_id", values="rate", aggfunc="first")
    table = table.reindex(index=districts, columns=list(indicators))
    return table.astype(float)


def status_for(rates: pd.DataFrame, config: Config, settings: NeedIndexSettings, weights=None):
    """Status score, standardised score, classes, weight share and components used of one level-year."""
    weights = weights or settings.weights(config)
    score, share, used = composite(aligned_z(rates, config), weights, settings.min_share)
    z = standardise(score)
    return score, z, classify(z, settings), share, used


def need_index(values: pd.DataFrame, config: Config, settings: NeedIndexSettings,
               districts: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The need index and its sensitivity table for every level below the city (see module docstring).

    ``districts`` (``district_id``, ``level``, ``level_rank``): the districts to index, where ``values``
    holds the index's indicators only; by default those of ``values``."""
    listed = values if districts is None else districts
    if not settings.indicators:
        return pd.DataFrame(columns=COLUMNS), pd.DataFrame(columns=SENSITIVITY_COLUMNS)
    pub = values[(values["status"] == PUBLISHED) & values["rate"].notna()]
    year = settings.year or int(pub.loc[pub["indicator_id"].isin(settings.indicators), "year"].max())
    base_year = year - settings.years_back
    frames, sens = [], []
    levels = listed[listed["level_rank"] > 0].drop_duplicates("level").sort_values("level_rank")["level"]
    for level in levels:
        districts = sorted(listed.loc[listed["level"] == level, "district_id"].unique())
        rates = _wide(values, districts, year, settings.indicators)
        score, z, classes, share, used = status_for(rates, config, settings)
        change = rates - _wide(values, districts, base_year, settings.indicators)
        dyn_score, _, _ = composite(aligned_z(change, config), settings.weights(config), settings.min_share)
        dyn_z = standardise(dyn_score)
        status_label = np.array([CLASS_LABELS.get(int(c)) for c in classes], dtype=object)
        dyn_label = dynamics_labels(dyn_z, settings.dynamics_cut)
        flag, rule = special_need(status_label, dyn_label, settings.special_need)
        frames.append(pd.DataFrame({
            "district_id": districts, "level": level, "year": year, "base_year": base_year,
            "status_score": score, "status_z": z, "status_class": classes, "status_label": status_label,
            "components_used": used, "weight_share": share, "dynamics_z": dyn_z, "dynamics_label": dyn_label,
            "special_need": flag, "special_need_rule": rule,
        }))
        sens.append(sensitivity(rates, config, settings, classes).assign(level=level, year=year))
    out = pd.concat(frames, ignore_index=True)
    out["status_class"] = out["status_class"].astype("Int64").where(out["status_class"] > 0)
    for col in ("status_score", "status_z", "weight_share", "dynamics_z"):
        out[col] = out[col].round(6).astype("Float64")
    return out[COLUMNS], pd.concat(sens, ignore_index=True)[SENSITIVITY_COLUMNS]


def sensitivity(rates: pd.DataFrame, config: Config, settings: NeedIndexSettings, baseline) -> pd.DataFrame:
    """How many districts change status class when one weight moves by −10 % or +10 %.

    Varied are each domain weight and each indicator weight (within its domain). A district that gains
    or loses its index counts as changed.
    """
    rows = []
    domains = sorted({config.indicator(i).domain for i in settings.indicators})
    variants = [("Bereich", d) for d in domains] + [("Indikator", i) for i in settings.indicators]
    for kind, name in variants:
        for pct in (-10, 10):
            f = 1 + pct / 100
            if kind == "Bereich":
                varied = replace(settings, domain_weights={**settings.domain_weights,
                                                           name: settings.domain_weights.get(name, 1.0) * f})
            else:
                varied = replace(settings, indicator_weights={**settings.indicator_weights,
                                                              name: settings.indicator_weights.get(name, 1.0) * f})
            *_, classes, _, _ = status_for(rates, config, varied)
            classified = (baseline > 0) | (classes > 0)
            rows.append({"component_type": kind, "component": name, "weight_change_percent": pct,
                         "districts_changed": int((classes != baseline).sum()),
                         "districts_classified": int(classified.sum())})
    return pd.DataFrame(rows)
