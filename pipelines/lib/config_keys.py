"""Every key ``sozialmonitor.toml`` knows, section by section: a typo is an error, not a silent default.

A misspelt key (``overlap_tolerence``) or a key in the wrong section (``absent`` under ``[population]``)
would have no effect at all; :func:`key_findings` reports each with the section it is in, the key it
probably meant ("Meinten Sie …?", by :func:`difflib.get_close_matches`) or the section it belongs in.

The schema below is the single list of keys. A section reader that learns a new key must add it here
(``tests/test_config_keys.py`` loads every shipped configuration against it).
"""

from __future__ import annotations

import difflib
from typing import Any

from pipelines.lib.findings import Finding

CONFIG_FILE = "sozialmonitor.toml"
MAP = "map"  # a table whose keys are the user's own (column names, indicator ids, …)

_KEY_RULE = {k: None for k in ("key_pad", "key_prefix", "key_suffix", "key_remove_prefix", "key_remove_suffix",
                               "key_strip")}
_LAYOUT = {
    "range": None, "transpose": None, "rename": MAP, "keep_rows": MAP, "key": None, "key_from_path": None,
    **_KEY_RULE, "join": None, "join_level": None, "names": MAP,
    "names_file": {"path": None, "name": None, "key": None},
    "totals": [{"match": None, "column": None, "from_row": None, "action": None, "level": None}],
    "missing_values": None, "secret_values": None, "unmatched": None,
}
_TABLE = {"path": None, "sheet": None, "header_rows": None, "skip_rows": None, "column_names": None,
          "encoding": None, "columns": MAP,
          "sentinels": None, "area_system": None, "year": None, "year_column": None, **_LAYOUT}

SCHEMA: dict[str, Any] = {
    "city": {"name": None, "crs": None, "data_date": None},
    "levels": [{"id": None, "label": None, "names": MAP}],
    "geometries": [{
        "path": None, "key": None, "name": None, "level": None, "level_column": None, "parent": None,
        "layer": None, **_KEY_RULE, "parent_from_prefix": None, "parent_name": None,
        "merge": [{"key": None, "name": None, "members": None}],
        "area_system": None, "valid_from": None, "valid_to": None, "overlap_tolerance": None,
        "make_valid": None,
        "name_table": {"path": None, "key": None, "name": None, "sheet": None, "encoding": None},
    }],
    "area_systems": [{"id": None, "valid_from": None, "valid_to": None, "crosswalk": None,
                      "crosswalk_columns": MAP}],
    "population": {**_TABLE, "format": None, "value": None, "age_band": None, "total_band": None,
                   "aggregate": None, "values": [{"column": None, "year": None, "age_band": None}]},
    "counts": [{**_TABLE, "id": None, "format": None, "absent": None,
                "share_denominator": {"bands": None, "minus": None},
                "values": [{"column": None, "indicator": None, "part": None, "year": None, "scale": None}]}],
    "offers": {"path": None, "x": None, "y": None, "crs": None, "columns": MAP, "encoding": None},
    "indicators": [{
        "id": None, "label": None, "domain": None, "life_phase": None, "direction": None, "unit": None,
        "denominator_label": None, "denominator_public": None, "source": None, "weight": None,
        "data_owner": None, "k": None,
    }],
    "relations": [{"kind": None, "indicator": None, "of": None, "parts": None, "total": None, "indicators": None}],
    "validation": {"total_tolerance": None, "share_tolerance": None, "jump_factor": None, "jump_min": None,
                   "outlier_factor": None, "uninhabited": None, "rounding_span": None},
    "protection": {"k": None, "min_population": None, "min_denominator": None, "publish_zeros": None,
                   "protection_interval": None, "rate_decimals": None, "owners": MAP,
                   "secondary": None, "cost": None, "time_budget": None},
    "schedule": {"cron": None, "timezone": None, "sensor_interval_seconds": None, "settle_seconds": None},
    "release": {"keep": None},
    "maps": {"scheme": None, "classes": None, "sampled_above": None, "districts_per_page": None},
    "benchmarks": {"years_back": None, "confidence": None},
    "hotspots": {"indicators": None, "level": None, "permutations": None, "alpha": None, "seed": None,
                 "min_districts": None, "need_index": None},
    "need_index": {"indicators": None, "min_share": None, "dynamics_cut": None, "years_back": None, "year": None,
                   "classes": None, "cuts": None, "quantiles": None, "special_need": None,
                   "domain_weights": MAP, "indicator_weights": MAP},
    "allocation": {"budget": None, "level": None, "method": None, "components": MAP, "class_multipliers": MAP,
                   "reference_indicator": None, "year": None},
    "offers_analysis": {"level": None, "levels": None, "min_need_class": None, "coverage_share": None, "near_m": None},
    "notify": {"smtp_host": None, "smtp_port": None, "from": None, "to": None, "starttls": None,
               "on_success": None, "timeout": None},
}


def _sections_with(key: str, schema: dict, path: str = "") -> list[str]:
    """Every section (dotted, e.g. ``counts.values``) where ``key`` is known."""
    out = []
    for name, spec in schema.items():
        if name == key:
            out.append(path)
        here = f"{path}.{name}" if path else name
        if isinstance(spec, list):
            out += _sections_with(key, spec[0], here)
        elif isinstance(spec, dict):
            out += _sections_with(key, spec, here)
    return out


def _shown(section: str) -> str:
    """``counts.values`` → ``[[counts.values]]``/``[counts]`` as the user writes it."""
    top = section.split(".")[0]
    return f"[[{section}]]" if isinstance(SCHEMA.get(top), list) else f"[{section}]"


def _all_keys(schema: dict, path: str = "") -> dict[str, list[str]]:
    """Every known key with the sections it is known in."""
    out: dict[str, list[str]] = {}
    for name, spec in schema.items():
        out.setdefault(name, []).append(path)
        here = f"{path}.{name}" if path else name
        nested = spec[0] if isinstance(spec, list) else spec
        if isinstance(nested, dict):
            for key, paths in _all_keys(nested, here).items():
                out.setdefault(key, []).extend(paths)
    return out


def _check(table: dict, schema: dict, section: str, where: str, out: list[Finding]) -> None:
    for key, value in table.items():
        if key not in schema:
            out.append(_unknown(key, schema, section, where))
            continue
        spec = schema[key]
        sub = f"{section}.{key}" if section else key
        if isinstance(spec, dict) and isinstance(value, dict):
            _check(value, spec, sub, f"{where} → {key}" if where else f"[{key}]", out)
        elif isinstance(spec, list):
            items = value if isinstance(value, list) else [value]
            for n, item in enumerate(items, start=1):
                if isinstance(item, dict):
                    label = f"„{item['id']}“" if isinstance(item.get("id"), str) else f"Nr. {n}"
                    _check(item, spec[0], sub, f"{where} → {key} {label}" if where else f"[[{key}]] {label}", out)


def _unknown(key: str, schema: dict, section: str, where: str) -> Finding:
    from pipelines.lib.ingest.codes import finding  # the catalogue's package imports the configuration

    if not section:  # an unknown section
        close = difflib.get_close_matches(key, list(SCHEMA), n=1, cutoff=0.6)
        elsewhere = [s for s in _sections_with(key, SCHEMA) if s]
        if not close and elsewhere:
            targets = " oder ".join(_shown(s) for s in dict.fromkeys(elsewhere))
            return finding("SM-E002", CONFIG_FILE, f"„{key}“ steht außerhalb jedes Abschnitts und gehört in "
                                                   f"{targets}", value=key)
        hint = f"Meinten Sie [{close[0]}]?" if close else f"Bekannte Abschnitte: {', '.join(SCHEMA)}."
        return finding("SM-E001", CONFIG_FILE, f"Abschnitt [{key}]", value=key, hint=hint)
    close = difflib.get_close_matches(key, list(schema), n=1, cutoff=0.6)
    elsewhere = [s for s in _sections_with(key, SCHEMA) if s and s != section]
    if not close and elsewhere:
        targets = " oder ".join(_shown(s) for s in dict.fromkeys(elsewhere))
        return finding("SM-E002", CONFIG_FILE, f"„{key}“ in {where} gehört in {targets}", value=key)
    if close:
        hint = f"Meinten Sie „{close[0]}“?"
    else:
        known = _all_keys(SCHEMA)
        other = difflib.get_close_matches(key, list(known), n=1, cutoff=0.7)
        where_other = " oder ".join(_shown(s) for s in dict.fromkeys(known[other[0]]) if s) if other else ""
        hint = (f"Meinten Sie „{other[0]}“ (in {where_other})?" if other and where_other
                else f"Bekannt sind hier: {', '.join(sorted(schema))}.")
    return finding("SM-E001", CONFIG_FILE, f"„{key}“ in {where}", value=key, hint=hint)


def key_findings(raw: dict) -> list[Finding]:
    """One error per unknown key of the raw configuration, in file order."""
    out: list[Finding] = []
    _check(raw, SCHEMA, "", "", out)
    return out
