"""``sozialmonitor sql``: the current release, read-only, spatial loaded; the README's example queries run."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT, run_cli

from pipelines.lib.release.switch import current_run_id
from pipelines.lib.workspace import Workspace


def readme_queries() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("### Querying the mart"):text.index("### Exports")]
    return re.findall(r"```sql\n(.*?)```", section, flags=re.S)


def test_readme_examples_run_against_the_current_release(tiny_published):
    queries = readme_queries()
    assert len(queries) == 3
    outputs = []
    for sql in queries:
        result = run_cli("sql", "--workspace", str(tiny_published), "-c", sql)
        assert result.returncode == 0, result.stdout + result.stderr
        outputs.append(result.stdout)
    top_ten, spatial, two = outputs
    assert top_ten.splitlines()[0].split() == ["district_name", "|", "year", "|", "kinderarmut_prozent", "|",
                                               "veraenderung_pp"]
    assert "(10 Zeilen)" in top_ten
    assert "(2 Zeilen)" in spatial and "km2" in spatial  # the two Bezirke of the tiny city
    assert "korrelation" in two
    # the correlation per level (Bezirk, Bezirksregion, Planungsraum), never over all levels at once
    levels = [line.split("|")[0].strip() for line in two.splitlines() if line.count("|") == 2]
    assert levels[-3:] == ["Bezirk", "Bezirksregion", "Planungsraum"]


def test_dot_commands_run_with_c(tiny_published):
    result = run_cli("sql", "--workspace", str(tiny_published), "-c", ".tables")
    assert result.returncode == 0, result.stdout
    assert re.search(r"^v_district_wide +\| VIEW$", result.stdout, flags=re.M)
    result = run_cli("sql", "--workspace", str(tiny_published), "-c", ".nonsense")
    assert result.returncode == 1 and "Unbekannter Befehl .nonsense" in result.stdout


def test_sql_is_read_only_and_opens_the_current_release(tiny_published):
    ws = Workspace(tiny_published)
    before = ws.mart.read_bytes()
    result = run_cli("sql", "--workspace", str(tiny_published), "-c", "delete from indicator_values")
    assert result.returncode == 1 and "read-only" in result.stdout
    assert ws.mart.read_bytes() == before
    result = run_cli("sql", "--workspace", str(tiny_published), "-c", "select run_id from run_info")
    assert result.returncode == 0 and current_run_id(ws) in result.stdout


def test_prompt_reads_statements_until_semicolon(tiny_published):
    script = "select count(*) as n\n  from districts;\n.tables\nselect nonsense;\n.quit\nselect 1;\n"
    result = subprocess.run([sys.executable, "-m", "pipelines.cli", "sql", "--workspace", str(tiny_published)],
                            input=script, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 1  # one failing statement, not interactive
    assert re.search(r"^\s*19$", result.stdout, flags=re.M)  # districts of the tiny city
    assert re.search(r"^v_district_wide +\| VIEW$", result.stdout, flags=re.M)
    assert "Fehler:" in result.stdout
    assert "(1 Zeile)" in result.stdout and result.stdout.count("(1 Zeile)") == 1  # nothing after .quit


def test_sql_without_a_release_says_so(tmp_path):
    result = run_cli("sql", "--workspace", str(tmp_path), "-c", "select 1")
    assert result.returncode == 1 and "noch keine Freigabe" in result.stdout
