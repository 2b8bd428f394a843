"""``sozialmonitor init``: a new workspace with a commented configuration that loads."""

from __future__ import annotations

from conftest import ROOT, run_cli

from pipelines.lib.config import load_config
from pipelines.lib.demo.generator import TEMPLATE_CONFIG


def test_init_creates_a_workspace_that_validate_understands(tmp_path):
    target = tmp_path / "neustadt"
    result = run_cli("init", str(target))
    assert result.returncode == 0, result.stderr
    for folder in ("data_raw", "data_private", "data_marts", "dashboards"):
        assert (target / folder).is_dir()
    config = load_config(target)
    assert config.level_ids == ("stadt", "stadtteil", "planungsraum")
    assert "#" in (target / "sozialmonitor.toml").read_text(encoding="utf-8")
    # a second init never overwrites
    again = run_cli("init", str(target))
    assert again.returncode == 1 and "überschrieben" in again.stdout
    # validate names the missing input files in German, with exit code 2, without a traceback
    check = run_cli("validate", "--workspace", str(target))
    assert check.returncode == 2
    assert "data_raw/geometrien/stadt.geojson" in check.stdout
    assert "Traceback" not in check.stdout + check.stderr


def test_missing_config_is_a_clear_message(tmp_path):
    result = run_cli("run", "--workspace", str(tmp_path))
    assert result.returncode == 1
    assert "Keine Konfiguration gefunden" in result.stdout and "sozialmonitor init" in result.stdout


def test_repository_root_is_the_demo_workspace():
    assert (ROOT / "sozialmonitor.toml").read_bytes() == TEMPLATE_CONFIG.read_bytes()
    template_readme = ROOT / "pipelines" / "lib" / "templates" / "data_raw_README.md"
    assert (ROOT / "data_raw" / "README.md").read_bytes() == template_readme.read_bytes()
