"""A strict configuration: unknown keys and keys in the wrong section are errors with a suggestion."""

from __future__ import annotations

import tomllib

import pytest
from conftest import ROOT, run_cli

from pipelines.lib.config import load_config
from pipelines.lib.config_keys import key_findings
from pipelines.lib.findings import ConfigError

SHIPPED = [ROOT / "sozialmonitor.toml", ROOT / "pipelines/lib/demo/sozialmonitor.toml",
           ROOT / "pipelines/lib/templates/sozialmonitor.toml", *sorted((ROOT / "examples").glob("*/sozialmonitor.toml"))]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_shipped_configuration_uses_known_keys_only(path):
    assert key_findings(tomllib.loads(path.read_text(encoding="utf-8"))) == []


def test_four_examples_are_checked():
    assert len([p for p in SHIPPED if "examples" in p.parts]) == 4


def _workspace(tmp_path, text: str):
    (tmp_path / "sozialmonitor.toml").write_text(text, encoding="utf-8")
    return tmp_path


def _template() -> str:
    return (ROOT / "pipelines/lib/templates/sozialmonitor.toml").read_text(encoding="utf-8")


def test_typo_in_a_geometry_key_names_the_key_and_the_right_one(tmp_path):
    text = _template().replace('name = "name"\n', 'name = "name"\noverlap_tolerence = 10\n', 1)
    with pytest.raises(ConfigError) as exc:
        load_config(_workspace(tmp_path, text), strict=True)
    message = str(exc.value)
    assert "[SM-E001]" in message and "„overlap_tolerence“ in [[geometries]] Nr. 1" in message
    assert "Meinten Sie „overlap_tolerance“?" in message


def test_key_in_the_wrong_section_names_where_it_belongs(tmp_path):
    text = _template().replace("[population]\n", "[population]\nabsent = \"zero\"\n", 1)
    with pytest.raises(ConfigError) as exc:
        load_config(_workspace(tmp_path, text), strict=True)
    assert "[SM-E002]" in str(exc.value)
    assert "„absent“ in [population] gehört in [[counts]]" in str(exc.value)


def test_a_section_reader_that_ignored_unknown_keys_now_refuses_them(tmp_path):
    text = _template() + "\n[benchmarks]\nyears_back = 2\nabsnet = 1\n\n[validaton]\njump_factor = 3\n"
    with pytest.raises(ConfigError) as exc:
        load_config(_workspace(tmp_path, text), strict=True)
    message = str(exc.value)
    assert "„absnet“ in [benchmarks]" in message and "Meinten Sie „absent“ (in [[counts]])?" in message
    assert "Abschnitt [validaton]" in message and "Meinten Sie [validation]?" in message


def test_validate_lists_configuration_errors_with_the_input_findings(tmp_path):
    target = tmp_path / "neustadt"
    assert run_cli("init", str(target)).returncode == 0
    config = target / "sozialmonitor.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n[notify]\nsmtp_hots = \"mail.example.org\"\n", encoding="utf-8")
    check = run_cli("validate", "--workspace", str(target))
    assert check.returncode == 2, check.stdout + check.stderr
    assert "[SM-E001]" in check.stdout and "Meinten Sie „smtp_host“?" in check.stdout
    assert "[SM-E101]" in check.stdout  # the input files the template names are not there yet
    assert "Traceback" not in check.stdout + check.stderr
    run = run_cli("run", "--workspace", str(target))  # stops at ingest, with the same report
    assert run.returncode == 2 and "[SM-E001]" in run.stdout and "smtp_hots" in run.stdout


def test_validation_thresholds_are_checked_when_the_configuration_is_read(tmp_path):
    text = _template() + "\n[validation]\njump_factor = 0.5\n"
    with pytest.raises(ConfigError) as exc:
        load_config(_workspace(tmp_path, text), strict=True)
    assert "[validation] jump_factor muss eine Zahl größer als 1 sein" in str(exc.value)
    ok = _template() + "\n[validation]\njump_factor = 3\nuninhabited = [\"Hafen\"]\n"
    assert load_config(_workspace(tmp_path, ok)).section("validation")["jump_factor"] == 3
