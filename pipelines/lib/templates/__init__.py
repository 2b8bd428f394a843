"""Files a new workspace starts with (``sozialmonitor init``)."""

from __future__ import annotations

import shutil
from pathlib import Path

from pipelines.lib.config import CONFIG_NAME

HERE = Path(__file__).parent


def create_workspace(target: Path) -> Path:
    """Create the workspace folders, a commented ``sozialmonitor.toml`` and ``data_raw/README.md``."""
    config = target / CONFIG_NAME
    if config.exists():
        raise FileExistsError(f"{config} gibt es schon; nichts wurde überschrieben")
    for folder in ("data_raw", "data_private", "data_marts", "dashboards"):
        (target / folder).mkdir(parents=True, exist_ok=True)
    shutil.copyfile(HERE / "sozialmonitor.toml", config)
    shutil.copyfile(HERE / "data_raw_README.md", target / "data_raw" / "README.md")
    return config
