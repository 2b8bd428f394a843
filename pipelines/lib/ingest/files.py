"""Input files: resolving configured paths (globs allowed), naming them for findings, hashing them."""

from __future__ import annotations

import glob
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from pipelines.lib.config import Config
from pipelines.lib.findings import Finding
from pipelines.lib.ingest.codes import finding


@dataclass(frozen=True)
class InputFile:
    """One input file as read: path relative to the workspace, size in bytes, SHA-256 (hex)."""

    path: str
    size: int
    sha256: str


def relative(config: Config, path: Path) -> str:
    """The path as shown to people: relative to the workspace where possible, with ``/``."""
    resolved, root = Path(os.path.abspath(path)), Path(os.path.abspath(config.root))
    try:
        return resolved.relative_to(root).as_posix()
    except ValueError:
        try:  # outside the workspace (e.g. ../shared/data/…): relative to it all the same
            return Path(os.path.relpath(resolved, root)).as_posix()
        except ValueError:  # another drive (Windows)
            return resolved.as_posix()


def resolve_paths(config: Config, pattern: str) -> tuple[list[Path], list[Finding]]:
    """The files a configured path names (sorted; ``*``/``?`` patterns allowed) or a SM-E101 finding."""
    full = config.resolve(pattern)
    if glob.has_magic(str(full)):
        paths = sorted(Path(p) for p in glob.glob(str(full), recursive=True) if Path(p).is_file())
    else:
        paths = [full] if full.is_file() else []
    if paths:
        return paths, []
    label = relative(config, full)
    detail = "kein Treffer für das Muster" if glob.has_magic(str(full)) else "die Datei existiert nicht"
    hint = None
    folder = full.parent
    if folder.is_dir():
        present = sorted(p.name for p in folder.iterdir() if p.is_file())[:10]
        if present:
            hint = "Im Ordner liegen: " + ", ".join(present) + "."
    return [], [finding("SM-E101", label, detail, value=pattern, hint=hint)]


def input_file(config: Config, path: Path) -> InputFile:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return InputFile(path=relative(config, path), size=path.stat().st_size, sha256=digest.hexdigest())
