"""The protection report for the data protection officer (Datenschutzbeauftragte): rules and thresholds
in force, cells hidden by rule, indicator-years withheld, the audit result and the information loss —
never a single value.

It is written to ``data_private/`` beside the release's suppression log (and the list of withheld
indicator-years, :data:`WITHHELD_FILE`, which the protection stage writes there).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipelines.lib.config import Config, Protection

WITHHELD_FILE = "withheld.parquet"  # indicator_id, year: published before on other districts
DENOMINATORS_FILE = "withheld_denominators.parquet"  # indicator_id, year, district_id: count shown, denominator not
UNITS_FILE = "secondary_units.parquet"  # secondary = "optimal": indicator_id, year, method, reason (greedy = fallback)

RULE_TEXT = {
    "P1": "Mindestfallzahl (1 bis k−1)",
    "P2": "Komplement (alle bis auf 1 bis k−1)",
    "P1+P2": "Mindestfallzahl und Komplement",
    "P3": "zu wenige Einwohner oder zu kleine Bezugsgruppe",
    "upstream": "bereits von der Quelle geheimgehalten",
    "secondary": "Sekundärsperrung (Schutz vor Rückrechnung)",
    "linked": "verknüpfte Tabelle (Schutz vor Rückrechnung über eine andere Tabelle)",
    "joint": "Schutz vor Rückrechnung über Zähler, Nenner und Komplemente zusammen",
    "earlier": "in einer früheren Freigabe geheimgehalten, Wert unverändert (Schutz früherer Freigaben)",
}


def rules_in_force(config: Config) -> list[str]:
    """The rules as the protection applies them, in German, with thresholds and no cell value."""
    p: Protection = config.protection
    owners = ", ".join(f"{name}: k = {k}" for name, k in sorted(p.owner_k.items())) or "keine"
    own_k = ", ".join(f"{i.id}: k = {i.k}" for i in sorted(config.indicators, key=lambda i: i.id) if i.k is not None)
    private = ", ".join(sorted(i.id for i in config.indicators if not i.denominator_public)) or "keine"
    zeros = (
        "- Nullen werden veröffentlicht; eine geheimgehaltene Zelle ist daher als mindestens 1 bekannt. "
        "Ausnahme: unter den Teilgebieten eines Gebiets, das ein Teilgebiet mit „zu wenige Einwohner“ hat, "
        "kann eine Null als Sekundärsperrung geheimgehalten werden; dort ist eine geheimgehaltene Zelle nur "
        "als mindestens 0 bekannt"
        if p.publish_zeros
        else "- Nullen werden nicht gesondert veröffentlicht: eine Null kann als Sekundärsperrung geheimgehalten "
        "werden, eine geheimgehaltene Zelle ist nur als mindestens 0 bekannt"
    )
    return [
        f"- Mindestfallzahl k = {p.k} (abweichend je Datenhalter: {owners}"
        + (f"; je Indikator: {own_k})" if own_k else ")")
        + ": Fallzahlen von 1 bis k − 1 werden geheimgehalten",
        "- Komplementregel: ist die Bezugsgröße n bekannt – veröffentlicht oder aus Fallzahl und Quote "
        "ableitbar –, wird auch eine Zelle mit n − x zwischen 1 und k − 1 geheimgehalten. Weil zu einer "
        "veröffentlichten Fallzahl ihre Quote gezeigt werden darf, gilt die Regel auch für Indikatoren, deren "
        f"Bezugsgröße nicht ausgewiesen wird (Nenner nicht veröffentlicht bei: {private})",
        f"- Mindesteinwohnerzahl {p.min_population}, Mindestgröße der Bezugsgruppe {p.min_denominator}: "
        "darunter weder Fallzahl noch Quote (Status „zu wenige Einwohner“)",
        zeros,
        "- Schutz vor Rückrechnung (Summen der Gebietsebenen, frühere Freigaben, verknüpfte Tabellen): für jede "
        "geheimgehaltene Zelle liegen die kleinste und die größte Fallzahl, die mit allem Veröffentlichten "
        f"vereinbar sind, mindestens {p.protection_interval} auseinander (Schutzintervall, nie ein einzelner "
        "Wert); bei Mindestfallzahl und „zu wenige Einwohner“ ist die größte mindestens k, beim Komplement die "
        "kleinste höchstens n − k",
        "- Früher veröffentlichte Werte gelten als bekannt; ein Jahr wird nur auf einem Gebietsstand "
        "veröffentlicht (nach einer Gebietsreform bleiben Indikator-Jahre, die eine frühere Freigabe auf nicht "
        "mehr bestehenden Gebieten veröffentlicht hat, dort und fehlen in dieser Freigabe)",
        "- Nenner gehören zum Wissen eines Angreifers (Summen über die Gebietshierarchie, gemeinsame Nenner "
        "mehrerer Indikatoren, veröffentlichte Altersgruppen): wo daraus ein Nenner von 1 bis k−1 Personen "
        "folgen würde, werden weitere Nenner (mit ihrer Quote) zurückgehalten; frühere Freigaben werden "
        "zusammen mit dieser geprüft",
        "- Jede geheimgehaltene Zelle hat nur den Status „geheimgehalten“ (oder „zu wenige Einwohner“); die "
        "Regel, die sie gesperrt hat, steht nur im privaten Sperrprotokoll",
    ]


def _withheld(path: Path, withheld: pd.DataFrame | None) -> tuple[int, int] | None:
    """Indicator-years withheld (published before on other districts, and beside an earlier release)."""
    if withheld is None:
        file = path.parent / WITHHELD_FILE
        if not file.exists():
            return None
        withheld = pd.read_parquet(file)
    reason = withheld["reason"] if "reason" in withheld else pd.Series("area_system", index=withheld.index)
    years = withheld[["indicator_id", "year"]].assign(earlier=reason.eq("earlier_release").to_numpy())
    years = years.drop_duplicates()
    return int((~years["earlier"]).sum()), int(years["earlier"].sum())


def _coverage_lines(coverage: dict[tuple[str, int], tuple[int, int]] | None) -> list[str]:
    """``coverage``: (indicator, year) → (finest-level districts with a published value, all of them), as the
    site's start page has it (:func:`pipelines.lib.dashboards.mart.read_finest_coverage`); the newest year
    of each indicator is reported."""
    if not coverage:
        return []
    newest = {}
    for indicator, year in coverage:
        newest[indicator] = max(year, newest.get(indicator, year))
    lines = ["## Sichtbare Gebiete", "",
             "Anteil der Gebiete der kleinsten Ebene mit veröffentlichtem Wert, je Indikator im neuesten Jahr "
             "(so viel der Karte sieht ein Ausschuss):", "",
             "| Indikator | Jahr | Gebiete mit Wert | Anteil |", "|---|---|---|---|"]
    for indicator in sorted(newest):
        shown, total = coverage[(indicator, newest[indicator])]
        lines.append(f"| {indicator} | {newest[indicator]} | {shown} von {total} | {100 * shown / max(total, 1):.0f} % |")
    return [*lines, ""]


def _units_lines(path: Path) -> list[str]:
    """The outcome of the optimal secondary suppression per indicator-year (where it was configured)."""
    file = path.parent / UNITS_FILE
    if not file.exists():
        return ["- Verfahren der Sekundärsperrung: schrittweise (greedy)"]
    units = pd.read_parquet(file)
    fell_back = units[units["method"] == "greedy"]
    lines = [
        "- Verfahren der Sekundärsperrung: kostenminimal je Indikator-Jahr (ganzzahliges Programm), bei "
        "Überschreiten der Zeitgrenze die schrittweise Sperrung",
        f"- Indikator-Jahre mit Sekundärsperrungen: {len(units)}, davon nachweislich kostenminimal: "
        f"{int((units['method'] == 'optimal').sum())}, verbessert ohne Nachweis: "
        f"{int((units['method'] == 'improved').sum())}, auf die schrittweise Sperrung zurückgefallen: {len(fell_back)}",
    ]
    for row in fell_back.itertuples():
        lines.append(f"  - zurückgefallen: {row.indicator_id} {row.year} ({row.reason})")
    return lines


def write_report(path: Path, config: Config, run_id: str, cells: pd.DataFrame, log: pd.DataFrame,
                 audit_passed: bool, at_risk: int, problems: list[str],
                 withheld: pd.DataFrame | None = None, no_data: int | None = None,
                 coverage: dict[tuple[str, int], tuple[int, int]] | None = None) -> Path:
    """Markdown report; ``cells`` are the private cells (for totals only), ``log`` the suppression log,
    ``withheld`` the indicator-years left out (default: :data:`WITHHELD_FILE` beside ``path``), ``no_data``
    the cells without data ("keine Daten": not delivered, so not hidden and not among the hidden cells)."""
    total = len(cells)
    hidden = len(log)
    by_rule = log["rule"].value_counts().to_dict() if hidden else {}
    secondary = log[log["rule"] == "secondary"]
    keys = ["indicator_id", "year", "district_id"]
    lost = secondary[keys].merge(cells[[*keys, "numerator"]], on=keys, how="left")["numerator"]
    n_withheld = _withheld(path, withheld)
    lines = [
        f"# Schutzbericht – {config.city_name}",
        "",
        f"Freigabe (Lauf): `{run_id}`",
        "",
        "## Regeln und Schwellenwerte",
        "",
        *rules_in_force(config),
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
    ]
    if no_data is not None:
        lines += [f"Zellen ohne Daten („keine Daten“: nicht geliefert oder nicht berechenbar, nicht gesperrt und "
                  f"oben nicht mitgezählt): {no_data}", ""]
    if n_withheld is not None:
        areas, earlier = n_withheld
        lines += [
            f"Zurückgehaltene Indikator-Jahre (früher auf anderem Gebietsstand veröffentlicht): {areas}",
            "",
            "Zurückgehaltene Indikator-Jahre (geänderte Werte, die zusammen mit einer früheren Freigabe eine dort "
            f"geheimgehaltene Zelle eingrenzen würden; sie fehlen in dieser Freigabe): {earlier}",
            "",
        ]
    dens = path.parent / DENOMINATORS_FILE
    if dens.exists():
        lines += [
            "Zurückgehaltene Nenner (Fallzahl veröffentlicht, Nenner und Quote nicht, weil sonst ein Nenner von "
            f"1 oder 2 Personen aus den Summen folgt): {len(pd.read_parquet(dens))}",
            "",
        ]
    lines += [
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
        *_units_lines(path),
        "",
        *_coverage_lines(coverage),
        "Der Bericht enthält keine Einzelwerte. Er liegt nur im privaten Bereich (data_private/).",
        "",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
