"""District names from a table of their own: a geometry file with keys only, a ``key;name`` table beside it.

A geometry source with ``name_table = { path, key, name }`` takes its districts' names from that table,
joined by key (the table's keys are normalised by each geometry's key rule, like the geometry's own; several
layers may share one table). Levels dissolved from their children take their names from it too (matched as
written or normalised), unless ``[[levels]] names`` or ``parent_name`` names them.

Every problem is an error naming the file, row and column to correct: a district without a row in the table
(SM-E215), a key of the table that is no district (SM-E216), a key twice (SM-E217), an empty name (SM-E218).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pipelines.lib.config import Config, GeometrySource, KeyRule, NameTable
from pipelines.lib.findings import Finding
from pipelines.lib.ingest.checks import required_columns
from pipelines.lib.ingest.codes import finding
from pipelines.lib.ingest.files import relative, resolve_paths
from pipelines.lib.ingest.keys import normalise_keys
from pipelines.lib.ingest.tables import read_table

CAP = 50  # findings per check and table


@dataclass
class Names:
    """One name table as read: key → name, where each key was (file, row), and the findings of reading it."""

    spec: NameTable
    names: dict[str, str] = field(default_factory=dict)  # key as written → name
    rows: dict[str, tuple[str, int]] = field(default_factory=dict)  # key as written → (file, row)
    key_column: str = ""
    rules: set[KeyRule] = field(default_factory=set)  # the key rules of the sources that use the table
    findings: list[Finding] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    read: bool = False  # False: the table is missing or unreadable (its districts are not reported again)

    @property
    def label(self) -> str:
        return self.spec.path

    def keyed(self, rule: KeyRule) -> dict[str, str]:
        """Normalised key (by a source's key rule) → the key as written."""
        written = list(self.rows)
        return dict(zip(normalise_keys(pd.Series(written, dtype="str"), rule), written, strict=True))


def read_names(config: Config, spec: NameTable) -> Names:
    """Read a name table: SM-E217 for a key twice, SM-E218 for an empty name (missing columns: SM-E105)."""
    out = Names(spec=spec)
    found, out.findings = resolve_paths(config, spec.path)
    for path in found:
        out.paths.append(path)
        table, f = read_table(path, relative(config, path), sheet=spec.sheet, encoding=spec.encoding)
        out.findings += f
        if table is None or table.frame.empty:
            continue
        cols, f = required_columns(table, {"key": spec.key, "name": spec.name})
        out.findings += f
        if cols is None:
            continue
        out.read = True
        out.key_column = cols["key"]
        keys = table.text(cols["key"]).to_numpy()
        names = table.text(cols["name"]).to_numpy()
        for key, name, row in zip(keys, names, table.rows, strict=True):
            if key == "":
                if name:
                    out.findings.append(
                        finding(
                            "SM-E207",
                            table.file,
                            f"Name „{name}“ ohne Schlüssel",
                            row=row,
                            column=cols["key"],
                            value="",
                            hint="Tragen Sie den Schlüssel ein oder löschen Sie die Zeile.",
                        )
                    )
                continue
            if key in out.rows:
                first_file, first_row = out.rows[key]
                where = (
                    f"Zeile {first_row}" if first_file == table.file else f"{first_file}, Zeile {first_row}"
                )
                same = "derselbe Name" if out.names.get(key) == name else f"dort „{out.names.get(key)}“"
                out.findings.append(
                    finding(
                        "SM-E217",
                        table.file,
                        f"„{key}“ steht schon in {where} ({same})",
                        row=row,
                        column=cols["key"],
                        value=key,
                    )
                )
                continue
            out.rows[key] = (table.file, int(row))
            if name == "":
                out.findings.append(
                    finding("SM-E218", table.file, f"für „{key}“", row=row, column=cols["name"], value="")
                )
                continue
            out.names[key] = name
    return out


def name_tables(config: Config) -> dict[NameTable, Names]:
    """Every distinct name table of the geometry sources, read once (several layers may share one, each with
    its own key rule)."""
    out: dict[NameTable, Names] = {}
    for src in config.geometries:
        if src.name_table is not None:
            if src.name_table not in out:
                out[src.name_table] = read_names(config, src.name_table)
            out[src.name_table].rules.add(src.key_rule)
    return out


def apply_names(
    table: pd.DataFrame, sources: dict[str, GeometrySource], tables: dict[NameTable, Names]
) -> tuple[pd.DataFrame, list[Finding]]:
    """Names of a source's rows from its name table (before merge rules, which may name members by their
    names); SM-E215 for a district without a row in it.

    ``table`` has district_id, name, _file, _row; ``sources`` maps a file (as in ``_file``) to its source.
    Keys named in a ``[[geometries.merge]]`` rule need no row: the rule names the merged district.
    """
    findings: list[Finding] = []
    names = table["name"].to_numpy(dtype=object).copy()
    files = table["_file"].to_numpy(dtype=object)
    keys = table["district_id"].to_numpy(dtype=object)
    lacking: dict[NameTable, list[int]] = {}
    keyed: dict[NameTable, dict[str, str]] = {}
    for i, file in enumerate(files):
        src = sources.get(file)
        if src is None or src.name_table is None or keys[i] in _merged(src):
            continue
        found = tables[src.name_table]
        written = keyed.setdefault(src.name_table, found.keyed(src.key_rule)).get(keys[i])
        if written is not None:
            names[i] = found.names.get(written, names[i])  # an empty name is reported at its row (SM-E218)
        elif found.read:
            lacking.setdefault(src.name_table, []).append(i)
    for spec, missing in lacking.items():
        label = tables[spec].label
        for i in missing[:CAP]:
            findings.append(
                finding(
                    "SM-E215",
                    files[i],
                    f"„{keys[i]}“ steht nicht in der Namenstabelle {label}",
                    row=table["_row"].iat[i],
                    column=sources[files[i]].key,
                    value=keys[i],
                    hint=f"Ergänzen Sie in {label} eine Zeile „{keys[i]}“ mit dem Namen in der "
                    f"Spalte „{spec.name}“.",
                )
            )
        if len(missing) > CAP:
            findings.append(
                finding(
                    "SM-E215",
                    label,
                    f"{len(missing) - CAP} weitere Gebiete fehlen in der "
                    f"Namenstabelle (nur die ersten {CAP} sind einzeln aufgeführt)",
                )
            )
    return table.assign(name=names), findings


def _merged(src: GeometrySource) -> set[str]:
    return {m.key for m in src.merge} | {k for m in src.merge for k in m.members}


def name_dissolved(table: pd.DataFrame, tables: dict[NameTable, Names]) -> pd.DataFrame:
    """Districts dissolved from their children (no file) whose name is still their key take the name a table
    gives that key, as written or normalised (a dissolved level's keys come from the children's parent column,
    not through the key rule)."""
    every: dict[str, str] = {}
    for found in tables.values():
        every.update({k: v for k, v in found.names.items() if k not in every})
        for rule in found.rules:
            for key, written in found.keyed(rule).items():
                if written in found.names:
                    every.setdefault(key, found.names[written])
    names = table["name"].to_numpy(dtype=object).copy()
    keys = table["district_id"].to_numpy(dtype=object)
    for i in np.flatnonzero((table["_file"].to_numpy(dtype=object) == "") & (names == keys)):
        names[i] = every.get(keys[i], names[i])
    return table.assign(name=names)


def table_findings(tables: dict[NameTable, Names], known: set[str]) -> list[Finding]:
    """The findings of reading each table, and SM-E216 for each of its keys outside ``known`` (every district
    of every area system), normalised or as written."""
    findings: list[Finding] = []
    for found in tables.values():
        findings += found.findings
        matched = {w for rule in found.rules for k, w in found.keyed(rule).items() if k in known}
        strangers = sorted(
            (k for k in found.rows if k not in known and k not in matched), key=lambda k: found.rows[k]
        )
        for key in strangers[:CAP]:
            file, row = found.rows[key]
            findings.append(finding("SM-E216", file, f"„{key}“", row=row, column=found.key_column, value=key))
        if len(strangers) > CAP:
            findings.append(
                finding(
                    "SM-E216",
                    found.label,
                    f"{len(strangers) - CAP} weitere Schlüssel (nur die "
                    f"ersten {CAP} sind einzeln aufgeführt)",
                    column=found.key_column,
                )
            )
    return findings
