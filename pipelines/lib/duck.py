"""DuckDB connections with the spatial extension loaded from its PyPI package, never downloaded.

Municipal IT is often offline: automatic extension installs and loads are switched off and the spatial
extension is loaded from the ``duckdb-extension-spatial`` wheel that is pinned beside ``duckdb``.

Analysts' queries are untrusted (``untrusted=True``): after the spatial extension is loaded, DuckDB's own
restrictions are switched on and locked — no external access (no files, no network, no extensions) except
the folders in ``allowed_directories``, and no setting may be changed back.
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from collections.abc import Sequence
from pathlib import Path

import duckdb
import duckdb_extension_spatial

_OFFLINE = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
SPILL_PREFIX = "sozialmonitor-sql-"


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
            temp_directory: Path | str | None = None, untrusted: bool = False,
            allowed_directories: Sequence[Path | str] = ()) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB database with automatic extension downloads and progress bars off, spatial loaded.

    ``memory_limit`` (e.g. ``"1GB"``) caps DuckDB's buffer memory, which by default may grow to 80 % of the
    machine's memory (cached pages of the database, sorts held whole in memory); what does not fit is spilled
    to ``temp_directory`` (by default a folder beside the database file, which may be a read-only place).

    ``untrusted`` (analysts' queries; implies ``read_only``): DuckDB may read no file but those under
    ``allowed_directories`` (by default the database's own folder), write none, load no further extension
    and change no setting (``enable_external_access = false``, ``lock_configuration = true``). It spills to
    a private temporary folder of its own, removed with the connection. DuckDB always keeps the database
    file itself reachable; :mod:`pipelines.lib.release.sql_shell` refuses the statements that write files."""
    if untrusted:
        return _connect_untrusted(Path(path), spatial=spatial, threads=threads, memory_limit=memory_limit,
                                  allowed_directories=allowed_directories)
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


def _connect_untrusted(path: Path, *, spatial: bool, threads: int | None, memory_limit: str | None,
                       allowed_directories: Sequence[Path | str]) -> duckdb.DuckDBPyConnection:
    """A read-only connection locked down for untrusted queries (see :func:`connect`)."""
    spill = tempfile.mkdtemp(prefix=SPILL_PREFIX)  # mode 0700: other accounts cannot read what spills
    try:
        con = connect(path, read_only=True, spatial=spatial, threads=threads, memory_limit=memory_limit,
                      temp_directory=spill)
    except BaseException:
        shutil.rmtree(spill, ignore_errors=True)
        raise
    weakref.finalize(con, shutil.rmtree, spill, True)
    folders = [Path(d).resolve() for d in allowed_directories]
    if not folders and str(path) != ":memory:":
        folders = [path.resolve().parent]
    # a trailing separator: "/x/release" must not also allow "/x/release-other"
    listed = ", ".join("'" + (d.as_posix().rstrip("/") + "/").replace("'", "''") + "'" for d in folders)
    if listed:
        con.execute(f"set allowed_directories = [{listed}]")
    con.execute("set enable_external_access = false")  # after LOAD: extensions cannot be loaded from here on
    con.execute("set lock_configuration = true")
    return con
