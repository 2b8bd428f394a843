"""Compare the current releases of two workspaces: equal apart from the run id and the time of the run?

    uv run python scripts/compare_releases.py WORKSPACE_A WORKSPACE_B

For refactorings that must not change what is published: run the same inputs through the code before and
after (two workspaces), then compare. Every table of the published mart is compared row by row (its
``run_id`` columns and ``run_info.created_at`` left out); every file of the exports and of the site is
compared byte by byte after the run id (and in text files the run's time stamps) are replaced by a
placeholder; binary files that embed the run id or a time (Excel, GeoPackage) are compared through their
reference readers. Prints the differences; exit code 0 when there are none, 1 otherwise.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import duckdb
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipelines.lib.release.switch import current_run_id  # noqa: E402
from pipelines.lib.workspace import Workspace  # noqa: E402

TEXT = {".html", ".js", ".css", ".csv", ".json", ".md", ".txt", ".svg", ".geojson"}
TIME = re.compile(rb"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:?\d{2}|Z)?"
                  rb"|\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2} Uhr")  # ISO, and the pages' "08.12.2026, 02:35 Uhr"
SKIP = {"RELEASE.json"}  # the release's own record: run id, times, durations


def mart_tables(path: Path) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(path), read_only=True) as con:
        names = [r[0] for r in con.execute("select table_name from duckdb_tables() order by 1").fetchall()]
        out = {}
        for name in names:
            columns = [r[0] for r in con.execute(
                "select column_name from duckdb_columns() where table_name = ? order by column_index", [name]
            ).fetchall() if r[0] != "run_id" and not (name == "run_info" and r[0] == "created_at")]
            cast = ", ".join(f'"{c}"::varchar as "{c}"' for c in columns)
            out[name] = con.execute(f'select {cast} from "{name}" order by all').df()
    return out


def normalised(path: Path, run_id: str) -> bytes:
    data = path.read_bytes().replace(run_id.encode(), b"<run>")
    return TIME.sub(b"<time>", data) if path.suffix in TEXT else data


def readable(path: Path, run_id: str) -> pd.DataFrame | None:
    """A binary export read by its reference reader, the run id and times replaced (None: compare the bytes)."""
    if path.suffix == ".xlsx":
        sheets = pd.read_excel(path, sheet_name=None, dtype=str, engine="openpyxl")
        frame = pd.concat([df.assign(_sheet=name) for name, df in sheets.items()], ignore_index=True)
    elif path.suffix == ".parquet":
        frame = pd.read_parquet(path)
    elif path.suffix == ".gpkg":
        import geopandas

        frame = geopandas.read_file(path)
        frame = pd.DataFrame(frame.drop(columns="geometry")).assign(geometry=frame.geometry.to_wkb(hex=True))
    else:
        return None
    frame = frame.drop(columns=[c for c in ("run_id", "created_at") if c in frame]).astype(object)
    time = re.compile(TIME.pattern.decode())

    def text(value) -> str:
        value = value.hex() if isinstance(value, bytes | bytearray) else str(value)
        return time.sub("<time>", value.replace(run_id, "<run>"))

    return frame.map(text)


def compare(a: Workspace, b: Workspace) -> list[str]:
    run_a, run_b = current_run_id(a), current_run_id(b)
    problems: list[str] = []
    mart_a = a.mart_releases / run_a / "sozialmonitor.duckdb"
    mart_b = b.mart_releases / run_b / "sozialmonitor.duckdb"
    tables_a, tables_b = mart_tables(mart_a), mart_tables(mart_b)
    if set(tables_a) != set(tables_b):
        problems.append(f"mart tables differ: {sorted(set(tables_a) ^ set(tables_b))}")
    for name in sorted(set(tables_a) & set(tables_b)):
        left, right = tables_a[name], tables_b[name]
        if list(left.columns) != list(right.columns) or not left.equals(right):
            problems.append(f"mart table {name}: {len(left)} against {len(right)} rows, contents differ")
    for root_a, root_b in ((a.mart_releases / run_a / "exports", b.mart_releases / run_b / "exports"),
                           (a.dashboard_releases / run_a, b.dashboard_releases / run_b)):
        files_a = {p.relative_to(root_a) for p in root_a.rglob("*") if p.is_file() and p.name not in SKIP}
        files_b = {p.relative_to(root_b) for p in root_b.rglob("*") if p.is_file() and p.name not in SKIP}
        for only in sorted(files_a ^ files_b):
            problems.append(f"only in one release: {only}")
        for rel in sorted(files_a & files_b):
            left, right = root_a / rel, root_b / rel
            frames = readable(left, run_a), readable(right, run_b)
            if frames[0] is not None:
                if frames[1] is None or not frames[0].astype(str).equals(frames[1].astype(str)):
                    problems.append(f"{rel}: contents differ")
            elif normalised(left, run_a) != normalised(right, run_b):
                problems.append(f"{rel}: bytes differ")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    args = parser.parse_args()
    problems = compare(Workspace(args.a), Workspace(args.b))
    for line in problems:
        print(line)
    print(f"{len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
