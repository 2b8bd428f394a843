"""Analysis tables of the published mart, computed from published figures only by the analysis stage
(created by ``sql/release/analysis_schema.sql``)."""

from __future__ import annotations

from pipelines.lib.release.schema.core import RUN_ID
from pipelines.lib.release.schema.model import Column, Table

_UNIT = "indicators.unit_label"
_DISTRICT = Column("district_id", "VARCHAR", "Gebietsschlüssel (siehe districts).", key=True)
_LEVEL = Column("level", "VARCHAR", "Kennung der Gebietsebene.", nullable=False)

ANALYSIS_PARAMETERS = Table(
    "analysis_parameters",
    "Einstellungen, mit denen jede Analysetabelle berechnet wurde.",
    (
        Column("analysis", "VARCHAR", "Name der Analysetabelle.", key=True),
        Column("parameter", "VARCHAR", "Name der Einstellung.", key=True),
        Column("value", "VARCHAR", "Wert der Einstellung (JSON).", nullable=False),
        RUN_ID,
    ),
)

INDICATOR_BENCHMARKS = Table(
    "indicator_benchmarks",
    "Vergleich jedes veröffentlichten Werts mit der Stadt, dem übergeordneten Gebiet und einem früheren Jahr.",
    (
        _DISTRICT,
        Column("year", "INTEGER", "Berichtsjahr.", key=True),
        Column("indicator_id", "VARCHAR", "Kennung des Indikators.", key=True),
        _LEVEL,
        Column("rate", "DOUBLE", "Wert des Indikators.", nullable=False, unit=_UNIT),
        Column("ci_low", "DOUBLE", "Untere Grenze des 95-%-Konfidenzintervalls.", unit=_UNIT),
        Column("ci_high", "DOUBLE", "Obere Grenze des 95-%-Konfidenzintervalls.", unit=_UNIT),
        Column("city_rate", "DOUBLE", "Wert der ganzen Stadt im selben Jahr.", unit=_UNIT),
        Column("vs_city", "VARCHAR", "Vergleich mit der Stadt (höher/niedriger bei Indikatoren ohne Wertung).",
               values=("besser", "ähnlich", "schlechter", "höher", "niedriger")),
        Column("parent_rate", "DOUBLE", "Wert des übergeordneten Gebiets.", unit=_UNIT),
        Column("vs_parent", "VARCHAR", "Vergleich mit dem übergeordneten Gebiet.",
               values=("besser", "ähnlich", "schlechter", "höher", "niedriger")),
        Column("base_year", "INTEGER", "Vergleichsjahr (year minus Jahre zurück), wenn dessen Wert veröffentlicht ist."),
        Column("base_rate", "DOUBLE", "Wert im Vergleichsjahr.", unit=_UNIT),
        Column("change", "DOUBLE", "Veränderung seit dem Vergleichsjahr (Prozentpunkte bei Anteilen).", unit=_UNIT),
        Column("change_ci_low", "DOUBLE", "Untere Grenze des 95-%-Intervalls der Veränderung.", unit=_UNIT),
        Column("change_ci_high", "DOUBLE", "Obere Grenze des 95-%-Intervalls der Veränderung.", unit=_UNIT),
        Column("change_label", "VARCHAR", "Einordnung der Veränderung.",
               values=("verbessert", "verschlechtert", "gestiegen", "gesunken", "keine klare Veränderung")),
        RUN_ID,
    ),
)

NEED_INDEX = Table(
    "need_index",
    "Bedarfsindex je Gebiet und Jahr: gewichteter Status aus den Indikatoren, Dynamik und besonderer "
    "Handlungsbedarf.",
    (
        _DISTRICT,
        _LEVEL,
        Column("year", "INTEGER", "Berichtsjahr.", key=True),
        Column("base_year", "INTEGER", "Vergleichsjahr der Dynamik.", nullable=False),
        Column("status_score", "DOUBLE", "Gewichtetes Mittel der ausgerichteten z-Werte (höher = mehr Bedarf)."),
        Column("status_z", "DOUBLE", "status_score standardisiert innerhalb der Ebene."),
        Column("status_class", "INTEGER", "Statusklasse 1 bis 4."),
        Column("status_label", "VARCHAR", "Statusklasse als Text.", values=("niedrig", "mittel", "hoch", "sehr hoch")),
        Column("components_used", "INTEGER", "Anzahl der verwendeten Indikatoren.", nullable=False),
        Column("weight_share", "DOUBLE", "Anteil des Gesamtgewichts, für den Werte vorliegen.", nullable=False),
        Column("dynamics_z", "DOUBLE", "Dynamik (standardisierte Veränderung seit base_year)."),
        Column("dynamics_label", "VARCHAR", "Dynamik als Text.", values=("verbessert", "stabil", "verschlechtert")),
        Column("special_need", "BOOLEAN", "Gebiet mit besonderem Handlungsbedarf.", nullable=False),
        Column("special_need_rule", "VARCHAR", "Regel, nach der besonderer Handlungsbedarf festgestellt wurde."),
        RUN_ID,
    ),
)

NEED_INDEX_SENSITIVITY = Table(
    "need_index_sensitivity",
    "Empfindlichkeit des Bedarfsindex: wie viele Gebiete die Klasse wechseln, wenn ein Gewicht sich ändert.",
    (
        Column("level", "VARCHAR", "Kennung der Gebietsebene.", nullable=False),
        Column("year", "INTEGER", "Berichtsjahr.", nullable=False),
        Column("component_type", "VARCHAR", "Art des veränderten Gewichts.", nullable=False,
               values=("Bereich", "Indikator")),
        Column("component", "VARCHAR", "Handlungsfeld oder Indikator, dessen Gewicht verändert wurde.",
               nullable=False),
        Column("weight_change_percent", "INTEGER", "Änderung des Gewichts.", nullable=False, unit="%"),
        Column("districts_changed", "INTEGER", "Gebiete, deren Statusklasse wechselt.", nullable=False),
        Column("districts_classified", "INTEGER", "Gebiete mit Statusklasse.", nullable=False),
        RUN_ID,
    ),
    order_by=("level", "year", "component_type", "component", "weight_change_percent"),
)

HOTSPOTS = Table(
    "hotspots",
    "Räumliche Häufungen (lokales Moran's I) je Gebiet und Indikator bzw. Bedarfsindex.",
    (
        _DISTRICT,
        _LEVEL,
        Column("year", "INTEGER", "Berichtsjahr.", nullable=False),
        Column("indicator_id", "VARCHAR", "Kennung des Indikators oder need_index für den Statuswert.", key=True),
        Column("method", "VARCHAR", "Verfahren.", nullable=False),
        Column("value", "DOUBLE", "Empirisch-Bayes-standardisierter Wert oder Statuswert."),
        Column("local_i", "DOUBLE", "Lokales Moran's I."),
        Column("p_value", "DOUBLE", "Pseudo-p-Wert (Permutationen)."),
        Column("q_value", "DOUBLE", "q-Wert nach Benjamini-Hochberg."),
        Column("label", "VARCHAR", "Einordnung.", nullable=False,
               values=("hoch-hoch", "niedrig-niedrig", "hoch-niedrig", "niedrig-hoch", "nicht signifikant",
                       "kein Wert", "keine Nachbarn", "zu wenige Gebiete")),
        RUN_ID,
    ),
)

OFFER_COVERAGE = Table(
    "offer_coverage",
    "Versorgung mit Angeboten je Gebiet, Kategorie und Altersgruppe, mit Versorgungslücken.",
    (
        _DISTRICT,
        _LEVEL,
        Column("year", "INTEGER", "Jahr der Bevölkerungszahlen."),
        Column("category", "VARCHAR", "Kategorie der Angebote.", key=True),
        Column("age_band", "VARCHAR", "Zielgruppe (Alter).", key=True),
        Column("offers", "INTEGER", "Anzahl der Angebote im Gebiet.", nullable=False),
        Column("children", "BIGINT", "Kinder der Zielgruppe im Gebiet.", unit="Personen"),
        Column("children_complete", "BOOLEAN", "true, wenn die Kinderzahl vollständig veröffentlicht ist.",
               nullable=False),
        Column("offers_per_1000", "DOUBLE", "Angebote je 1.000 Kinder der Zielgruppe.", unit="je 1.000"),
        Column("reference_per_1000", "DOUBLE", "Versorgung der ganzen Ebene: Angebote je 1.000 Kinder aller "
               "Gebiete der Ebene mit veröffentlichter Kinderzahl (Maßstab der Versorgungslücke).", unit="je 1.000"),
        Column("distance_m", "DOUBLE", "Entfernung vom Gebietsmittelpunkt zum nächsten Angebot der Kategorie.",
               unit="m"),
        Column("need_class", "INTEGER", "Statusklasse des Bedarfsindex."),
        Column("supply_gap", "BOOLEAN", "Versorgungslücke: Handlungsbedarf hoch oder sehr hoch und Versorgung "
               "unter dem eingestellten Anteil der Versorgung der Ebene (siehe analysis_parameters).",
               nullable=False),
        Column("gap_rank", "INTEGER", "Rang der Versorgungslücke (1 = größte)."),
        RUN_ID,
    ),
)

ALLOCATION = Table(
    "allocation",
    "Verteilung eines Budgets auf die Gebiete nach Bedarf.",
    (
        _DISTRICT,
        _LEVEL,
        Column("year", "INTEGER", "Berichtsjahr.", nullable=False),
        Column("method", "VARCHAR", "Verteilungsverfahren.", nullable=False),
        Column("input_source", "VARCHAR", "Herkunft der Eingangswerte.", nullable=False,
               values=("veröffentlicht", "geschätzt aus übergeordneten Gebieten")),
        Column("share", "DOUBLE", "Anteil am Budget.", nullable=False),
        Column("amount", "BIGINT", "Betrag in ganzen Euro (die Beträge ergeben zusammen das Budget).",
               nullable=False, unit="€"),
        Column("reference_population", "DOUBLE", "Bezugsbevölkerung.", nullable=False, unit="Personen"),
        Column("amount_per_child", "DOUBLE", "Betrag je Kind.", unit="€"),
        Column("per_capita_amount", "BIGINT", "Betrag bei Verteilung nur nach Kopfzahl.", nullable=False, unit="€"),
        Column("difference", "BIGINT", "amount minus per_capita_amount.", nullable=False, unit="€"),
        RUN_ID,
    ),
)

ALLOCATION_TERMS = Table(
    "allocation_terms",
    "Rechenweg der Verteilung: Beitrag jedes veröffentlichten Zählers zum Betrag eines Gebiets.",
    (
        Column("district_id", "VARCHAR", "Gebiet, dessen Betrag berechnet wird.", nullable=False),
        Column("indicator_id", "VARCHAR", "Kennung des Indikators.", nullable=False),
        Column("year", "INTEGER", "Berichtsjahr.", nullable=False),
        Column("source_district_id", "VARCHAR", "Gebiet, dessen Zähler eingeht.", nullable=False),
        Column("coefficient", "DOUBLE", "Euro je Fall: genauer Betrag = Summe(coefficient × numerator).",
               nullable=False, unit="€"),
        RUN_ID,
    ),
    order_by=("district_id", "indicator_id", "year", "source_district_id"),
)

TABLES = (ANALYSIS_PARAMETERS, INDICATOR_BENCHMARKS, NEED_INDEX, NEED_INDEX_SENSITIVITY, HOTSPOTS, OFFER_COVERAGE,
          ALLOCATION, ALLOCATION_TERMS)
