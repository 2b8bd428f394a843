"""Plausibility of the delivered figures: what adds up must add up, what jumps is pointed out.

Real deliveries are typed from PDF reports or pasted between spreadsheets; a figure with the digits of
its neighbouring cell glued on passes every cell check and then silently changes every rate above it.
These checks compare figures with each other, never with an outside truth:

- errors (impossible): a total that is not the sum of its age bands (SM-E334), a district's delivered
  figure that is not the sum of its children's (SM-E335), a child larger than its parent (SM-E336);
- warnings (unusual): a figure many times the median of its level (SM-W337), a jump between two years
  (SM-W338), a denominator above the district's population (SM-W339).

Thresholds come from the ``[validation]`` section of ``sozialmonitor.toml`` (see :class:`Validation`).
Every finding names the file, row and column of the figure to look at.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pandas as pd

from pipelines.lib.config import Config
from pipelines.lib.findings import ConfigError, Finding
from pipelines.lib.ingest.checks import text_isin
from pipelines.lib.ingest.codes import finding

CAP = 50  # findings per check and file
SLACK = 2  # absolute differences up to this are rounding (e.g. of derived or converted figures)
MIN_DISTRICTS = 4  # a level's median needs at least this many districts (outlier check)


@dataclass(frozen=True)
class Validation:
    """The ``[validation]`` section (all optional)."""

    total_tolerance: float = 0.01  # relative: a total against the sum of its parts
    share_tolerance: float = 1.0  # percentage points: a delivered share against numerator ÷ denominator
    jump_factor: float = 5.0  # warning when a figure changes by more than this factor between two years
    jump_min: int = 100  # ... and the larger of the two figures is at least this
    outlier_factor: float = 50.0  # warning when a population is above this × the median of its level
    rounding_span: float = 1.0  # warning when a count derived from a rounded share may be off by this many persons
    uninhabited: tuple[str, ...] = ()  # keys (or names) of leaves without inhabitants


def validation_settings(config: Config) -> Validation:
    """The ``[validation]`` section as :class:`Validation`; German :class:`ConfigError` on bad values."""
    raw = config.section("validation")
    known = {f.name for f in fields(Validation)}
    values = {k: v for k, v in raw.items() if k in known}  # unknown keys: see config_keys
    if "uninhabited" in values:
        items = values["uninhabited"]
        if not isinstance(items, list):
            raise ConfigError("[validation] uninhabited muss eine Liste von Gebietsschlüsseln oder -namen sein.")
        values["uninhabited"] = tuple(str(v) for v in items)
    settings = Validation(**values)
    for name in ("total_tolerance", "share_tolerance", "jump_min"):
        value = getattr(settings, name)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"[validation] {name} muss eine Zahl ab 0 sein, nicht „{value}“.")
    span = settings.rounding_span
    if not isinstance(span, (int, float)) or isinstance(span, bool) or span <= 0:
        raise ConfigError(f"[validation] rounding_span muss eine Zahl größer als 0 sein (Personen), nicht „{span}“.")
    for name in ("jump_factor", "outlier_factor"):
        value = getattr(settings, name)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value <= 1:
            raise ConfigError(f"[validation] {name} muss eine Zahl größer als 1 sein, nicht „{value}“.")
    return settings


def _row(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _count(value) -> str:
    return f"{int(value):,}".replace(",", ".")


def _names(districts: pd.DataFrame) -> dict[str, str]:
    return dict(zip(districts["district_id"], districts["name"], strict=True))


def _label(district: str, names: dict[str, str]) -> str:
    name = names.get(district)
    return f"„{district}“ ({name})" if name and name != district else f"„{district}“"


def _of(record: dict, by: list[str]) -> str:
    """' von „armut“' for a figure of an indicator, '' for the population."""
    return f" von „{record['indicator_id']}“" if "indicator_id" in by else ""


def _capped(found: list[Finding], total: int | None = None) -> list[Finding]:
    """At most CAP findings plus one saying how many more there are (of ``total``, default all found)."""
    total = len(found) if total is None else total
    if total <= CAP:
        return found
    first = found[0]
    more = finding(first.code, first.file, f"{total - CAP} weitere Stellen (nur die ersten {CAP} sind einzeln "
                   "aufgeführt)")
    return [*found[:CAP], more]


def total_band_findings(rows: pd.DataFrame, total_band: str, tolerance: float) -> tuple[pd.DataFrame, list[Finding]]:
    """Population rows with a total band beside age bands: check the total, keep only the bands.

    ``rows`` has district_id, year, age_band, population, source_file, source_row, source_column. A total
    row alone (no other band for that district and year) is kept: it is the district's only figure.
    """
    keys = ["district_id", "year"]
    is_total = (rows["age_band"] == total_band).to_numpy()
    if not is_total.any() or is_total.all():
        return rows, []
    bands = rows[~is_total].groupby(keys, as_index=False).agg(bands=("population", "sum"), n=("population", "size"))
    totals = rows[is_total].merge(bands, on=keys, how="inner")
    found = []
    diff = (totals["population"] - totals["bands"]).abs()
    bad = diff > np.maximum(tolerance * totals[["population", "bands"]].max(axis=1), SLACK)
    for r in totals[bad].itertuples():
        found.append(finding(
            "SM-E334", r.source_file,
            f"Gebiet „{r.district_id}“, Jahr {r.year}: insgesamt ≠ Summe der {r.n} Altersgruppen",
            row=_row(r.source_row), column=r.source_column,
            value=f"insgesamt {_count(r.population)}, Summe {_count(r.bands)}"))
    covered = rows[is_total].merge(bands[keys], on=keys, how="left", indicator=True)["_merge"].eq("both").to_numpy()
    drop = np.zeros(len(rows), dtype=bool)
    drop[np.flatnonzero(is_total)[covered]] = True
    return rows[~drop].reset_index(drop=True), _capped(found)


def _children(districts: pd.DataFrame) -> pd.DataFrame:
    """district_id, parent_id and the parent's number of children."""
    kids = districts.loc[districts["parent_id"].notna(), ["district_id", "parent_id"]].astype({"parent_id": "str"})
    return kids.assign(n_children=kids.groupby("parent_id")["district_id"].transform("size"))


def hierarchy_findings(values: pd.DataFrame, districts: pd.DataFrame, by: list[str], tolerance: float,
                       what: str) -> list[Finding]:
    """Delivered figures of districts above the leaves against the sum of their children (bottom up).

    ``values`` holds one delivered figure per district and ``by`` key (``value``, ``source_file``,
    ``source_row``, ``source_column``). A parent without a delivered figure is the sum of its children
    where all of them are known. Where all children are known, the parent must be their sum; where some
    are not, it must not be smaller than the known ones; no child may exceed its delivered parent.
    """
    if values.empty or districts["parent_id"].isna().all():
        return []
    ranks = dict(zip(districts["district_id"], districts["level_rank"], strict=True))
    values = values.assign(_rank=values["district_id"].map(ranks))
    if not (values["_rank"] < max(ranks.values())).any():  # only leaves delivered: nothing to compare
        return []
    names = _names(districts)
    kids = _children(districts)
    known = values[["district_id", *by, "value"]]
    found: list[Finding] = []
    for rank in sorted(set(ranks.values()), reverse=True)[1:]:  # the level above the leaves first
        child = known.merge(kids, on="district_id", how="inner")
        agg = child.groupby(["parent_id", *by], as_index=False).agg(
            total=("value", "sum"), n=("value", "size"), n_children=("n_children", "first"))
        agg = agg.rename(columns={"parent_id": "district_id"})
        agg = agg[agg["district_id"].map(ranks) == rank]
        direct = values[values["_rank"] == rank]
        m = direct.merge(agg, on=["district_id", *by], how="inner")
        complete = m["n"] == m["n_children"]
        diff = m["value"] - m["total"]
        slack = np.maximum(tolerance * m[["value", "total"]].max(axis=1), SLACK)
        bad = (complete & (diff.abs() > slack)) | (~complete & (-diff > slack))
        for r in m[bad].to_dict("records"):
            of = "" if r["n"] == r["n_children"] else f" der {r['n']} von {r['n_children']} Teilgebieten mit Wert"
            found.append(finding(
                "SM-E335", r["source_file"],
                f"{what}{_of(r, by)}, Jahr {r['year']}, Gebiet {_label(r['district_id'], names)}: "
                f"geliefert ≠ Summe{of}", row=_row(r["source_row"]), column=r["source_column"],
                value=f"geliefert {_count(r['value'])}, Summe {_count(r['total'])}"))
        # the children may not exceed a delivered parent (names the culprit's own row)
        over = values.merge(kids, on="district_id").merge(
            direct[["district_id", *by, "value"]].rename(columns={"district_id": "parent_id", "value": "parent"}),
            on=["parent_id", *by])
        over = over[over["value"] > over["parent"] + np.maximum(tolerance * over["parent"], SLACK)]
        for r in over.to_dict("records"):
            found.append(finding(
                "SM-E336", r["source_file"],
                f"{what}{_of(r, by)}, Jahr {r['year']}, Gebiet {_label(r['district_id'], names)} größer als "
                f"{_label(r['parent_id'], names)}", row=_row(r["source_row"]), column=r["source_column"],
                value=f"{_count(r['value'])} > {_count(r['parent'])}"))
        computed = agg[(agg["n"] == agg["n_children"])].merge(direct[["district_id", *by]], how="left",
                                                               on=["district_id", *by], indicator=True)
        computed = computed[computed["_merge"] == "left_only"]
        known = pd.concat([known, computed.rename(columns={"total": "value"})[["district_id", *by, "value"]]],
                          ignore_index=True)
    return _capped(found)


def outlier_findings(values: pd.DataFrame, districts: pd.DataFrame, factor: float, what: str) -> list[Finding]:
    """Figures above ``factor`` × the median of their level and year (warnings; four districts at least)."""
    levels = dict(zip(districts["district_id"], districts["level"], strict=True))
    v = values.assign(level=values["district_id"].map(levels))
    grouped = v.groupby(["level", "year"])["value"]
    v = v.assign(median=grouped.transform("median"), n=grouped.transform("size"))
    out = v[(v["n"] >= MIN_DISTRICTS) & (v["median"] > 0) & (v["value"] > factor * v["median"])]
    names = _names(districts)
    return _capped([
        finding("SM-W337", r["source_file"],
                f"{what} Jahr {r['year']}, Gebiet {_label(r['district_id'], names)}: mehr als das {factor:g}-fache "
                f"des Medians der Ebene", row=_row(r["source_row"]), column=r["source_column"],
                value=f"{_count(r['value'])}, Median {_count(r['median'])}")
        for r in out.to_dict("records")
    ])


def jump_findings(values: pd.DataFrame, by: list[str], factor: float, minimum: int, what: str,
                  names: dict[str, str]) -> list[Finding]:
    """Consecutive delivered years of one district whose figures differ by more than ``factor`` (warnings).

    As in every finding here, the figures themselves go into ``value`` only: the message is shown in the
    Dagster UI, which has no login; the value stays in the report in data_private/.
    """
    keys = ["district_id", *[c for c in by if c != "year"]]
    v = values.sort_values([*keys, "year"])
    prev = v.groupby(keys)["value"].shift(1)
    prev_year = v.groupby(keys)["year"].shift(1)
    lo = np.minimum(prev, v["value"])
    hi = np.maximum(prev, v["value"])
    jump = prev.notna() & (hi >= minimum) & (hi > factor * lo)
    out = []
    for r, before, year_before in zip(v[jump].to_dict("records"), prev[jump], prev_year[jump], strict=True):
        out.append(finding(
            "SM-W338", r["source_file"],
            f"{what}{_of(r, by)}, Gebiet {_label(r['district_id'], names)}: {int(year_before)} → {r['year']}",
            row=_row(r["source_row"]), column=r["source_column"],
            value=f"{int(year_before)}: {_count(before)}, {r['year']}: {_count(r['value'])}"))
    return _capped(out)


def population_findings(rows: pd.DataFrame, districts: pd.DataFrame, settings: Validation) -> list[Finding]:
    """Hierarchy, outliers and jumps of the population (summed over age bands per district and year)."""
    if rows.empty:
        return []
    per = rows.groupby(["district_id", "year"], as_index=False).agg(
        value=("population", "sum"), source_file=("source_file", "first"), source_row=("source_row", "min"),
        source_column=("source_column", "first"))
    found = hierarchy_findings(per, districts, ["year"], settings.total_tolerance, "Einwohner")
    found += outlier_findings(per, districts, settings.outlier_factor, "Einwohner")
    found += jump_findings(per, ["year"], settings.jump_factor, settings.jump_min, "Einwohner", _names(districts))
    return found


def count_findings(counts: pd.DataFrame, districts: pd.DataFrame, population: pd.DataFrame,
                   settings: Validation, columns: dict[tuple[str, str, str], str]) -> list[Finding]:
    """Hierarchy and jumps of delivered numerators and denominators; denominators above the population.

    ``columns`` maps (source id, indicator id, part) to the column the figure was read from.
    Derived numerators (from shares or converted area systems) are left out: their parts were checked.
    Vectorised on integer codes (national deliveries have ten million rows): only the rows of a
    finding become Python objects.
    """
    if counts.empty:
        return []
    names = _names(districts)
    leaf_rank = districts["level_rank"].max()
    leaves = pd.Index(districts.loc[districts["level_rank"] == leaf_rank, "district_id"])
    at_leaf = text_isin(counts["district_id"], leaves)
    district_codes, district_ids = pd.factorize(counts["district_id"])
    indicator = counts["indicator_id"]
    indicator_codes = (indicator.cat.codes.to_numpy() if isinstance(indicator.dtype, pd.CategoricalDtype)
                       else pd.factorize(indicator)[0])
    years = counts["year"].to_numpy(dtype=np.int64)
    derived = counts["derived"].to_numpy(dtype=bool)
    found: list[Finding] = []
    for part, what in (("numerator", "Zähler"), ("denominator", "Nenner")):
        ok = (counts[f"{part}_flag"] == "value").to_numpy(dtype=bool) & counts[part].notna().to_numpy()
        if part == "numerator":
            ok &= ~derived
        values = counts[part].to_numpy(dtype="float64", na_value=np.nan)

        def rows_of(positions, part=part, what=what, values=values):
            """The finding rows as a frame (district_id, indicator_id, year, value, source_…)."""
            r = counts.iloc[positions][["district_id", "indicator_id", "year", "source_id", "source_file",
                                        "source_row"]].astype({"indicator_id": "str", "source_id": "str",
                                                               "source_file": "str"})
            r["value"] = values[positions].astype(np.int64)
            r["source_column"] = [columns.get((s, i, part), what)
                                  for s, i in zip(r["source_id"], r["indicator_id"], strict=True)]
            return r.reset_index(drop=True)

        if not at_leaf[ok].all():  # delivered parent figures: compare with their children
            groups = np.unique(indicator_codes[ok & ~at_leaf])
            chosen = np.flatnonzero(ok & np.isin(indicator_codes, groups))
            found += hierarchy_findings(rows_of(chosen), districts, ["indicator_id", "year"],
                                        settings.total_tolerance, what)
        found += _count_jumps(np.flatnonzero(ok), district_codes, indicator_codes, years, values, settings,
                              rows_of, what, names)
        if part == "denominator" and not population.empty:
            found += _above_population(np.flatnonzero(ok), district_codes, district_ids, years, values,
                                       population, settings, rows_of, names)
    return found


def _count_jumps(ok, district_codes, indicator_codes, years, values, settings, rows_of, what, names):
    """SM-W338 for consecutive delivered years of one district and indicator (sorted by integer codes)."""
    if len(ok) < 2:
        return []
    order = ok[np.lexsort((years[ok], indicator_codes[ok], district_codes[ok]))]
    same = (district_codes[order][1:] == district_codes[order][:-1]) & (
        indicator_codes[order][1:] == indicator_codes[order][:-1])
    before, after = values[order][:-1], values[order][1:]
    lo, hi = np.minimum(before, after), np.maximum(before, after)
    jumps = np.flatnonzero(same & (hi >= settings.jump_min) & (hi > settings.jump_factor * lo))
    jump = jumps[:CAP]
    if not len(jump):
        return []
    rows = rows_of(order[jump + 1])
    out = []
    for r, b, year_before in zip(rows.to_dict("records"), before[jump], years[order][jump], strict=True):
        out.append(finding(
            "SM-W338", r["source_file"],
            f"{what} von „{r['indicator_id']}“, Gebiet {_label(r['district_id'], names)}: {int(year_before)} → "
            f"{r['year']}", row=_row(r["source_row"]), column=r["source_column"],
            value=f"{int(year_before)}: {_count(b)}, {r['year']}: {_count(r['value'])}"))
    return _capped(out, len(jumps))


def _above_population(ok, district_codes, district_ids, years, values, population, settings, rows_of, names):
    """SM-W339 where a denominator exceeds the population of its district and year (dense lookup)."""
    pop = population.groupby(["district_id", "year"], as_index=False)["population"].sum()
    codes = pd.Index(district_ids).get_indexer(pop["district_id"])
    pop = pop[codes >= 0]
    codes = codes[codes >= 0]
    if not len(pop):
        return []
    y0 = int(min(years.min(), pop["year"].min()))
    span = int(max(years.max(), pop["year"].max())) - y0 + 1
    dense = np.full(len(district_ids) * span, np.nan)
    dense[codes * span + (pop["year"].to_numpy() - y0)] = pop["population"].to_numpy(dtype="float64")
    inhabitants = dense[district_codes[ok] * span + (years[ok] - y0)]
    with np.errstate(invalid="ignore"):
        over = values[ok] > inhabitants + np.maximum(settings.total_tolerance * inhabitants, SLACK)
    hit = ok[over][:CAP]
    if not len(hit):
        return []
    rows = rows_of(hit)
    return _capped([
        finding("SM-W339", r["source_file"],
                f"„{r['indicator_id']}“, Jahr {r['year']}, Gebiet {_label(r['district_id'], names)}",
                row=_row(r["source_row"]), column=r["source_column"],
                value=f"Nenner {_count(r['value'])}, Einwohner {_count(p)}")
        for r, p in zip(rows.to_dict("records"), inhabitants[over][:CAP], strict=True)
    ], int(over.sum()))


def source_columns(config: Config) -> dict[tuple[str, str, str], str]:
    """(source id, indicator id, part) → the column of the source that holds the figure."""
    out: dict[tuple[str, str, str], str] = {}
    for source in config.counts:
        if source.format == "wide":
            for v in source.values:
                out.setdefault((source.id, v.indicator, v.part), v.column)
        else:
            for ind in config.indicators:
                for part in ("numerator", "denominator"):
                    out[(source.id, ind.id, part)] = source.columns.get(part, part)
    return out
