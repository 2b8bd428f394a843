"""Owner-only permissions for ``data_private/``: folders 0700, files 0600, whatever the umask.

The private folder holds the true counts (warehouse, ledger, suppression logs, reports, the Dagster instance,
the audit's results). A run creates the folder owner-only before anything is written into it, so what DuckDB,
Dagster, pandas or pyarrow create inside (with the umask's 0644) is never reachable by another account, and
sets every entry to owner-only when it starts and when it ends. When the folder itself was wider (an old
workspace, a copy, a changed umask or chmod), the run warns in German in its output and status. Symbolic links
inside are left alone (never followed).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from pipelines.lib.workspace import Workspace

FOLDER_MODE, FILE_MODE = 0o700, 0o600
_OTHERS = 0o077  # group and other bits
MAX_NAMED = 5


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def wider_entries(root: Path) -> list[tuple[Path, int]]:
    """Every folder and file under ``root`` (itself included; it may be a link to another disk) that group or
    others may access, with its mode."""
    if not root.is_dir():
        return []
    root_mode = stat.S_IMODE(root.stat().st_mode)
    found = [(root, root_mode)] if root_mode & _OTHERS else []
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in (*dirs, *files):
            path = Path(folder) / name
            if not path.is_symlink() and _mode(path) & _OTHERS:
                found.append((path, _mode(path)))
    return found


def restrict(root: Path) -> list[tuple[Path, int]]:
    """Create ``root`` owner-only if missing, set every entry to 0700/0600; return those that were wider."""
    if os.name == "nt":  # NTFS permissions are ACLs: chmod cannot express owner-only there
        root.mkdir(parents=True, exist_ok=True)
        return []
    root.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    found = wider_entries(root)
    for path, _ in found:
        os.chmod(path, FOLDER_MODE if path.is_dir() else FILE_MODE)
    return found


def warning(root: Path, found: list[tuple[Path, int]]) -> str | None:
    """A German warning when ``root`` itself was wider than owner-only (then whatever was wider inside it was
    reachable), else None: an entry created inside the owner-only folder with the umask's mode (by a library,
    a killed run, the Dagster daemon) was never reachable by another account and is narrowed silently."""
    if not any(p == root for p, _ in found):
        return None
    named = ", ".join(f"{p.relative_to(root.parent).as_posix()} ({m:o})" for p, m in found[:MAX_NAMED])
    more = f" und {len(found) - MAX_NAMED} weitere" if len(found) > MAX_NAMED else ""
    return (f"Warnung: {root.name}/ war für andere Benutzerkonten zugänglich ({named}{more}). Prüfen Sie, wer die "
            "vertraulichen Zahlen gelesen haben könnte. Die Rechte sind jetzt 0700 (Ordner) und 0600 (Dateien).")


def secure_workspace(ws: Workspace) -> str | None:
    """Make ``data_private/`` owner-only; the German warning when something in it was wider, else None."""
    return warning(ws.data_private, restrict(ws.data_private))
