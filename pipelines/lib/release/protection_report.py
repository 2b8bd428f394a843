"""The protection report for the data protection officer (Datenschutzbeauftragte): rules and thresholds
in force, cells hidden by rule, the audit result and the information loss — never a single value.

It is written to ``data_private/`` beside the release's suppression log.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipelines.lib.config import Config

RULE_TEXT = {
    "P1": "Mindestfallzahl (1 bis k−1)",
    "P2": "Komplement (alle bis auf 1 bis k−1)",
    "P1+P2": "Mindestfallzahl und Komplement",
    "P3": "zu wenige Einwohner oder zu kleine Bezugsgruppe",
    "upstream": "bereits von der Quelle geheimgehalten",
    "secondary": "Sekundärsperrung (Schutz vor Rückrechnung)",
}


def write_report(path: Path, config: Config, run_id: str, cells: pd.DataFrame, log: pd.DataFrame,
                 audit_passed: bool, at_risk: int, problems: list[str]) -> Path:
    """Markdown report; ``cells`` are the private cells (for totals only), ``log`` the suppression log."""
    p = config.protection
    owners = ", ".join(f"{name}: k = {k}" for name, k in sorted(p.owner_k.items())) or "keine"
    total = len(cells)
    hidden = len(log)
    by_rule = log["rule"].value_counts().to_dict() if hidden else {}
    secondary = log[log["rule"] == "secondary"]
    keys = ["indicator_id", "year", "district_id"]
    lost = secondary[keys].merge(cells[[*keys, "numerator"]], on=keys, how="left")["numerator"]
    lines = [
        f"# Schutzbericht – {config.city_name}",
        "",
        f"Freigabe (Lauf): `{run_id}`",
        "",
        "## Regeln und Schwellenwerte",
        "",
        f"- Mindestfallzahl k = {p.k} (abweichend je Datenhalter: {owners})",
        "- Komplementregel: bei veröffentlichter Bezugsgröße ist auch n − x zwischen 1 und k − 1 gesperrt",
        f"- Mindesteinwohnerzahl {p.min_population}, Mindestgröße der Bezugsgruppe {p.min_denominator}",
        f"- Nullen werden {'veröffentlicht' if p.publish_zeros else 'nicht gesondert veröffentlicht'}",
        f"- Schutzintervall: mindestens {p.protection_interval}",
        "",
        "## Gesperrte Zellen nach Regel",
        "",
        "| Regel | Bedeutung | Zellen |",
        "|---|---|---|",
    ]
    for rule in sorted(by_rule):
        lines.append(f"| {rule} | {RULE_TEXT.get(rule, rule)} | {by_rule[rule]} |")
    lines += [
        f"| gesamt | | {hidden} von {total} ({f'{100 * hidden / max(total, 1):.1f}'.replace('.', ',')} %) |",
        "",
        "## Prüfung (unabhängiges Audit)",
        "",
        f"- Ergebnis: {'bestanden' if audit_passed and not problems else 'NICHT bestanden'}",
        f"- gefährdete Zellen: {at_risk}",
        *(f"- Problem: {text}" for text in problems),
        "",
        "## Informationsverlust",
        "",
        f"- Sekundärsperrungen: {len(secondary)}",
        f"- Summe der sekundär gesperrten Fallzahlen: {int(lost.fillna(0).sum())}",
        "",
        "Der Bericht enthält keine Einzelwerte. Er liegt nur im privaten Bereich (data_private/).",
        "",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
