"""No-change refresh: skip a run whose inputs, configuration and code equal those of the published release.

At ingest, a fingerprint is noted privately: the SHA-256 of every file under ``data_raw/`` (Excel's
``~$`` lock files left out), of ``sozialmonitor.toml`` and of the program (its Python, SQL and site
files). When that run's release is switched on, the fingerprint becomes the record of the last
success. A later run with the same fingerprint, while that release is still the published one, has
nothing to do.
"""

from __future__ import annotations

import filecmp
import hashlib
import json
import os
import re
from pathlib import Path

from pipelines.lib.workspace import Workspace

CODE_ROOT = Path(__file__).resolve().parents[1]  # pipelines/
CODE_SUFFIXES = {".py", ".sql", ".js", ".css", ".html", ".toml", ".json"}
_CHUNK = 1 << 20


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _files(folder: Path, suffixes: set[str] | None = None) -> list[Path]:
    if not folder.is_dir():
        return []
    found = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__pycache__")))
        for name in sorted(names):
            if name.startswith(("~$", ".~lock")) or (suffixes and Path(name).suffix not in suffixes):
                continue
            found.append(Path(root) / name)
    return found


def code_version() -> str:
    """One hash over the program's own files: any change of code, SQL or site assets rebuilds."""
    digest = hashlib.sha256()
    for root in (CODE_ROOT, CODE_ROOT.parent / "sql"):
        for path in _files(root, CODE_SUFFIXES):
            digest.update(path.relative_to(CODE_ROOT.parent).as_posix().encode() + b"\0")
            digest.update(_sha256(path).encode())
    return digest.hexdigest()


def fingerprint(ws: Workspace) -> dict:
    config = ws.root / "sozialmonitor.toml"
    return {
        "config": _sha256(config) if config.exists() else None,
        "code": code_version(),
        "inputs": {p.relative_to(ws.root).as_posix(): _sha256(p) for p in _files(ws.data_raw)},
    }


def _state(ws: Workspace) -> Path:
    return ws.data_private / "state"


def _write_json(path: Path, payload: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


def note_ingest(ws: Workspace) -> None:
    """Remember what this run reads (called at ingest, before the inputs are read)."""
    _write_json(_state(ws) / "ingest_fingerprint.json", fingerprint(ws))


def record_success(ws: Workspace, run_id: str) -> None:
    """The release ``run_id`` is published: its run's fingerprint becomes the last success."""
    noted = _state(ws) / "ingest_fingerprint.json"
    if not noted.exists():
        return
    payload = json.loads(noted.read_text(encoding="utf-8"))
    _write_json(_state(ws) / "last_success.json", {**payload, "run_id": run_id})


def _published(ws: Workspace) -> str | None:
    """The release that readers see, when mart, CURRENT and dashboards agree on it."""
    from pipelines.lib.release.candidate import Candidate
    from pipelines.lib.release.switch import current_run_id

    run_id = current_run_id(ws)
    if not run_id or not ws.mart.exists() or not Candidate(ws, run_id).is_complete:
        return None
    release_mart = Candidate(ws, run_id).mart
    if not (os.path.samefile(ws.mart, release_mart) or filecmp.cmp(ws.mart, release_mart, shallow=False)):
        return None
    index = ws.dashboards / "index.html"
    if index.exists():
        m = re.search(r'<base href="releases/([^/"]+)/">', index.read_text(encoding="utf-8"))
        if not m or m.group(1) != run_id:
            return None
    return run_id


def unchanged_release(ws: Workspace) -> str | None:
    """The published release, if inputs, configuration and code are all as when it was built."""
    record = _state(ws) / "last_success.json"
    if not record.exists():
        return None
    try:
        last = json.loads(record.read_text(encoding="utf-8"))
    except ValueError:
        return None
    run_id = last.pop("run_id", None)
    if run_id is None or _published(ws) != run_id:
        return None
    return run_id if fingerprint(ws) == last else None
