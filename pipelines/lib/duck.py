"""DuckDB connections with the spatial extension loaded from its PyPI package, never downloaded.

Municipal IT is often offline: automatic extension installs and loads are switched off and the spatial
extension is loaded from the ``duckdb-extension-spatial`` wheel that is pinned beside ``duckdb``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import duckdb_extension_spatial

_OFFLINE = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


def spatial_extension_path() -> Path:
    """Path of the spatial extension binary shipped in the ``duckdb-extension-spatial`` package."""
    base = Path(duckdb_extension_spatial.__file__).parent / "extensions" / f"v{duckdb.__version__}"
    path = base / "spatial.duckdb_extension"
    if not path.exists():
        raise RuntimeError(
            f"spatial extension for DuckDB {duckdb.__version__} not found at {path}: "
            "duckdb and duckdb-extension-spatial must have the same version"
        )
    return path


def connect(path: Path | str = ":memory:", *, read_only: bool = False, spatial: bool = True,
            threads: int | None = None, memory_limit: str | None = None,
            temp_directory: Path | str | None = None) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB database with automatic extension downloads and progress bars off, spatial loaded.

    ``memory_limit`` (e.g. ``"1GB"``) caps DuckDB's buffer memory, which by default may grow to 80 % of the
    machine's memory (cached pages of the database, sorts held whole in memory); what does not fit is spilled
    to ``temp_directory`` (by default a folder beside the database file, which may be a read-only place)."""
    config = dict(_OFFLINE)
    if threads:
        config["threads"] = threads
    if memory_limit:
        config["memory_limit"] = memory_limit
    if temp_directory is not None:
        config["temp_directory"] = str(temp_directory)
    con = duckdb.connect(str(path), read_only=read_only, config=config)
    con.execute("set enable_progress_bar = false")  # a nightly batch: no progress bars in its output
    if spatial:
        con.execute(f"LOAD '{spatial_extension_path().as_posix()}'")
    return con
