"""Shaping a table before it is read: renames, row selection, markers, keys, name joins, total rows.

A statistics office's export rarely has our key column. :func:`shape_table` turns a table into one
whose key column holds district keys of the geometry: built from several columns or from the file
path, normalised (zero-padding, prefixes, suffixes), or looked up by name (with a mapping table
where no key exists). Rows that are totals rather than districts are dropped or become the figures
of the district above. Everything is configured in :class:`~pipelines.lib.config.Layout`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from pipelines.lib.config import BUILT_KEY, Config, Layout
from pipelines.lib.findings import Finding
from pipelines.lib.ingest.codes import finding
from pipelines.lib.ingest.files import relative, resolve_paths
from pipelines.lib.ingest.keys import name_token, normalise_keys


@dataclass
class Directory:
    """The districts a table's keys and names are matched against (one area system)."""

    ids: pd.Index
    names: dict[str, str]  # id -> name
    levels: dict[str, str]  # id -> level
    leaf_level: str
    parent_levels: tuple[str, ...]  # every level above the leaves, the city included

    def tokens(self, levels: set[str]) -> dict[str, str]:
        """name token -> id among the given levels; ambiguous tokens map to ``""``."""
        out: dict[str, str] = {}
        for did, nm in self.names.items():
            if self.levels.get(did) in levels:
                t = name_token(nm)
                if t:
                    out[t] = "" if t in out and out[t] != did else did
        return out


def _rename(table, layout: Layout):
    if not layout.rename:
        return
    mapping = {}
    for old, new in layout.rename.items():
        col = table.column(old)
        if col is not None:
            mapping[col] = new
    table.frame = table.frame.rename(columns=mapping)


def _keep_rows(table, layout: Layout) -> list[Finding]:
    findings = []
    keep = np.ones(len(table.frame), dtype=bool)
    for name, values in layout.keep_rows.items():
        col = table.column(name)
        if col is None:
            findings.append(finding("SM-E105", table.file, f"„{name}“ (für keep_rows)", column=name))
            continue
        keep &= table.text(col).isin(list(values)).to_numpy()
    _select(table, keep)
    return findings


def _select(table, keep: np.ndarray) -> None:
    if keep.all():
        return
    table.frame = table.frame[keep].reset_index(drop=True)
    table.rows = table.rows[keep]


def _markers(table, layout: Layout, skip: set[str]) -> None:
    """Replace configured missing markers by an empty cell and secret markers by ``.``."""
    if not (layout.missing_values or layout.secret_values):
        return
    missing = {m.strip() for m in layout.missing_values}
    secret = {m.strip() for m in layout.secret_values}
    for col in table.frame.columns:
        if col in skip or table.frame[col].dtype != "str":
            continue
        text = table.frame[col].str.strip()
        if missing:
            table.frame.loc[text.isin(missing), col] = ""
        if secret:
            table.frame.loc[text.isin(secret), col] = "."


def _build_key(table, layout: Layout, key_column: str | None, path_text: str):
    """The key column's name after building it (several columns or the path), or findings."""
    if layout.key_columns:
        cols = [table.column(c) for c in layout.key_columns]
        missing = [c for c, found in zip(layout.key_columns, cols, strict=True) if found is None]
        if missing:
            return None, [finding("SM-E105", table.file, f"„{m}“ (Teil des Schlüssels)", column=m) for m in missing]
        built = table.text(cols[0])
        for c in cols[1:]:
            built = built + table.text(c)
        table.frame[BUILT_KEY] = built
        return BUILT_KEY, []
    if layout.key_from_path:
        m = re.search(layout.key_from_path, path_text)
        value = m.group(1) if m else ""
        table.frame[BUILT_KEY] = pd.Series([value] * len(table.frame), dtype="str")
        return BUILT_KEY, []
    return key_column, []


def _mapping_file(config: Config, layout: Layout) -> tuple[dict[str, str], list[Finding]]:
    """name token -> key from ``names_file`` (a table with a name and a key column)."""
    from pipelines.lib.ingest.tables import read_table

    spec = layout.names_file
    if not spec:
        return {}, []
    found, findings = resolve_paths(config, spec["path"])
    out: dict[str, str] = {}
    for path in found:
        table, f = read_table(path, relative(config, path), sheet=spec.get("sheet"))
        findings += f
        if table is None:
            continue
        name_col, key_col = table.column(spec["name"]), table.column(spec["key"])
        if name_col is None or key_col is None:
            findings.append(finding("SM-E321", table.file, f"„{spec['name']}“ / „{spec['key']}“",
                                    hint="Vorhandene Spalten: " + ", ".join(map(str, table.frame.columns)) + "."))
            continue
        for nm, key in zip(table.text(name_col), table.text(key_col), strict=True):
            if nm and key:
                out.setdefault(name_token(nm), key)
    return out, findings


def _resolve_names(names: pd.Series, tokens: dict[str, str], layout: Layout, mapping: dict[str, str],
                   directory: Directory) -> pd.Series:
    """District ids for names; an unresolved name stays as written (reported as unknown later)."""
    inline = {name_token(k): v for k, v in layout.names.items()}
    known = set(directory.ids)
    out = []
    for nm in names:
        t = name_token(nm)
        target = inline.get(t)
        if target is not None:
            out.append(target if target in known else tokens.get(name_token(target)) or target)
            continue
        key = mapping.get(t) or tokens.get(t)
        out.append(key or nm)
    return pd.Series(out, index=names.index, dtype="str")


def shape_table(table, layout: Layout, key_column: str | None, config: Config, directory: Directory,
                path_text: str, protect: tuple[str, ...] = ()):
    """Shape ``table`` in place; return (the key column to read, findings).

    ``protect`` names columns that markers must not touch (the key, the year).
    """
    findings: list[Finding] = []
    _rename(table, layout)
    findings += _keep_rows(table, layout)
    key_column, f = _build_key(table, layout, key_column, path_text)
    findings += f
    if key_column is None or table.column(key_column) is None:
        return key_column, findings
    key_column = table.column(key_column)
    _markers(table, layout, {key_column, *[c for c in protect if c]})
    raw = table.text(key_column)

    # rows that are totals, not districts
    total = np.zeros(len(raw), dtype=bool)
    parent_rows = np.zeros(len(raw), dtype=bool)
    parent_levels: dict[int, set[str]] = {}
    for rule in layout.totals:
        hit = np.ones(len(raw), dtype=bool)
        if rule.from_row is not None:
            hit &= table.rows >= rule.from_row
        if rule.match is not None:
            col = table.column(rule.column) if rule.column else key_column
            if col is None:
                findings.append(finding("SM-E105", table.file, f"„{rule.column}“ (für totals)", column=rule.column))
                continue
            hit &= table.text(col).str.contains(rule.match, regex=True).to_numpy(dtype=bool, na_value=False)
        hit &= ~total
        total |= hit
        if rule.action == "parent":
            parent_rows |= hit
            levels = {rule.level} if rule.level else set(directory.parent_levels)
            for i in np.flatnonzero(hit):
                parent_levels[i] = levels
    _select(table, ~total | parent_rows)
    keep_idx = np.flatnonzero(~total | parent_rows)
    parent_rows = parent_rows[keep_idx]
    if parent_levels:  # row positions after the selection (parent rows are always kept)
        old_rows = sorted(parent_levels)
        parent_levels = {int(new): parent_levels[old]
                         for old, new in zip(old_rows, np.searchsorted(keep_idx, old_rows), strict=True)}
    raw = table.text(key_column)

    if layout.join == "name":
        mapping, f = _mapping_file(config, layout)
        findings += f
        leaf_levels = {layout.join_level or directory.leaf_level}
        keys = _resolve_names(raw, directory.tokens(leaf_levels), layout, mapping, directory)
        if parent_rows.any():
            for levels in {frozenset(v) for v in parent_levels.values()}:
                rows = [i for i, lv in parent_levels.items() if frozenset(lv) == levels]
                tokens = directory.tokens(set(levels))
                members = [d for d, lv in directory.levels.items() if lv in levels]
                only = members[0] if len(members) == 1 else None  # e.g. "Stadt insgesamt" for the city
                for i in rows:
                    keys.iat[i] = tokens.get(name_token(raw.iat[i])) or only or raw.iat[i]
    else:
        keys = normalise_keys(raw, layout.key_rule)
    table.frame[key_column] = keys.array if keys.dtype == "str" else keys.to_numpy()  # text stays text
    return key_column, findings


def downgrade_unknown(findings: list[Finding], layout: Layout) -> list[Finding]:
    """With ``unmatched = "warning"`` unknown keys are warnings (their rows are left out)."""
    if layout.unmatched != "warning":
        return findings
    from pipelines.lib.ingest.codes import CODES

    out = []
    for f in findings:
        if f.code == "SM-E301":
            entry = CODES["SM-W315"]
            out.append(replace(f, code="SM-W315", severity="warning",
                               message=f.message.replace(CODES["SM-E301"].title, entry.title, 1),
                               hint=f.hint.replace(CODES["SM-E301"].hint, entry.hint)))
        else:
            out.append(f)
    return out
