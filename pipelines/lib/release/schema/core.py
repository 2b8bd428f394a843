"""The core tables of the published mart, written by the candidate release (``write_mart``)."""

from __future__ import annotations

from pipelines.lib.config import DIRECTIONS, DOMAINS, UNITS
from pipelines.lib.release.schema.model import KIND_LABELS, Column, Table

STATUSES = ("veröffentlicht", "geheimgehalten", "zu wenige Einwohner", "keine Daten")
RUN_ID = Column("run_id", "VARCHAR", "Kennung des Auswertungslaufs, aus dem die Zeile stammt (eine Freigabe).",
                nullable=False)

RUN_INFO = Table(
    "run_info",
    "Angaben zur Freigabe: Lauf, Erstellungszeit, Software- und Schemaversion, Stadt, Datenstand.",
    (
        Column("run_id", "VARCHAR", "Kennung des Auswertungslaufs (der Freigabe).", key=True),
        Column("created_at", "TIMESTAMP WITH TIME ZONE", "Zeitpunkt, zu dem die Freigabe erstellt wurde.",
               nullable=False),
        Column("software_version", "VARCHAR", "Version der Software Sozialmonitor.", nullable=False),
        Column("schema_version", "INTEGER",
               "Version dieses Datenschemas; sie steigt, sobald sich eine veröffentlichte Tabelle oder Spalte "
               "ändert.", nullable=False),
        Column("city_name", "VARCHAR", "Name der Stadt oder des Kreises.", nullable=False),
        Column("data_date", "VARCHAR", "Datenstand laut Konfiguration (JJJJ-MM-TT)."),
        Column("crs", "VARCHAR", "Koordinatenbezugssystem der Geometrien, z. B. EPSG:25832.", nullable=False),
    ),
)

DISTRICTS = Table(
    "districts",
    "Gebiete aller Ebenen mit ihrer Geometrie; die ganze Stadt ist selbst ein Gebiet (Ebene 0).",
    (
        Column("district_id", "VARCHAR", "Gebietsschlüssel (Text, führende Nullen bleiben erhalten).", key=True),
        Column("name", "VARCHAR", "Name des Gebiets.", nullable=False),
        Column("level", "VARCHAR", "Kennung der Gebietsebene laut Konfiguration, z. B. bezirk.", nullable=False),
        Column("level_label", "VARCHAR", "Bezeichnung der Gebietsebene.", nullable=False),
        Column("level_rank", "INTEGER", "Rang der Ebene: 0 = ganze Stadt, größere Zahlen = kleinere Gebiete.",
               nullable=False),
        Column("parent_id", "VARCHAR", "Schlüssel des übergeordneten Gebiets; leer bei der ganzen Stadt."),
        Column("population", "BIGINT", "Einwohnerinnen und Einwohner im neuesten Jahr mit Bevölkerungsdaten.",
               unit="Personen"),
        Column("area_km2", "DOUBLE", "Fläche.", nullable=False, unit="km²"),
        Column("geometry", "GEOMETRY",
               "Umriss des Gebiets im Koordinatenbezugssystem aus run_info.crs (nicht in CSV und Excel; "
               "dafür GeoPackage oder GeoParquet nutzen).", nullable=False),
        RUN_ID,
    ),
    order_by=("level_rank", "district_id"),
)

INDICATORS = Table(
    "indicators",
    "Indikatorenkatalog: Bezeichnung, Bezugsgruppe, Handlungsfeld, Lebensphase, Richtung und Einheit.",
    (
        Column("indicator_id", "VARCHAR", "Kennung des Indikators, z. B. kinderarmut.", key=True),
        Column("label", "VARCHAR", "Bezeichnung des Indikators.", nullable=False),
        Column("denominator_label", "VARCHAR", "Bezugsgruppe (Nenner) des Indikators.", nullable=False),
        Column("domain", "VARCHAR", "Handlungsfeld.", nullable=False, values=DOMAINS),
        Column("life_phase", "VARCHAR", "Lebensphase (Altersspanne in Jahren, z. B. 0-3).", nullable=False),
        Column("direction", "VARCHAR",
               "Richtung: higher_is_worse = hohe Werte bedeuten Handlungsbedarf, lower_is_worse = niedrige "
               "Werte bedeuten Handlungsbedarf, none = keine Wertung.", nullable=False, values=DIRECTIONS),
        Column("unit", "VARCHAR", "Einheit der Werte: share = Anteil in %, per_1000 = je 1.000, "
               "per_100000 = je 100.000.", nullable=False, values=tuple(UNITS)),
        Column("unit_label", "VARCHAR", "Einheit zum Anzeigen.", nullable=False,
               values=tuple(u[1] for u in UNITS.values())),
        Column("denominator_public", "BOOLEAN",
               "true, wenn die Bezugsgruppe (denominator) veröffentlicht wird; n−x ist immer geschützt, "
               "weil sich die Bezugsgruppe aus Zahl und Quote ergibt.", nullable=False),
        Column("source", "VARCHAR", "Datenquelle (liefernde Stelle).", nullable=False),
        Column("data_owner", "VARCHAR", "Dateneigentümer laut Konfiguration (bestimmt die Mindestfallzahl k "
               "nach [protection.owners]); leer, wenn keiner angegeben ist."),
        Column("weight", "DOUBLE", "Gewicht im Bedarfsindex (0 = nicht enthalten).", nullable=False),
        RUN_ID,
    ),
)

DERIVED_TEXT = ("true, wenn der Zähler nicht gezählt, sondern abgeleitet ist: aus einem gelieferten Anteil × "
                "Bezugsgröße oder aus älteren Gebietsständen umgerechnet; bei einem übergeordneten Gebiet, wenn "
                "mindestens ein Teilgebiet abgeleitet ist. Abgeleitete Zähler haben kein Konfidenzintervall "
                "(ci_low und ci_high leer), weil es für gezählte Fälle gilt.")

INDICATOR_VALUES = Table(
    "indicator_values",
    "Indikatorwerte je Gebiet und Jahr, geschützt: geheimgehaltene Zellen haben weder Zähler noch Wert "
    "noch Intervall.",
    (
        Column("district_id", "VARCHAR", "Gebietsschlüssel (siehe districts).", key=True),
        Column("year", "INTEGER", "Berichtsjahr.", key=True),
        Column("indicator_id", "VARCHAR", "Kennung des Indikators (siehe indicators).", key=True),
        Column("numerator", "BIGINT", "Zähler: Anzahl der Fälle; leer, wenn nicht veröffentlicht.",
               unit="Personen"),
        Column("denominator", "BIGINT",
               "Nenner: Größe der Bezugsgruppe; leer, wenn nicht veröffentlicht.", unit="Personen"),
        Column("rate", "DOUBLE", "Wert des Indikators in seiner Einheit (indicators.unit_label: % oder je 1.000); "
               "leer, wenn nicht veröffentlicht.", unit="indicators.unit_label"),
        Column("ci_low", "DOUBLE", "Untere Grenze des 95-%-Konfidenzintervalls (Wilson bei Anteilen, exakt "
               "nach Poisson bei Raten).", unit="indicators.unit_label"),
        Column("ci_high", "DOUBLE", "Obere Grenze des 95-%-Konfidenzintervalls.", unit="indicators.unit_label"),
        Column("status", "VARCHAR",
               "veröffentlicht; geheimgehalten (Datenschutz); zu wenige Einwohner (Gebiet oder Bezugsgruppe zu "
               "klein); keine Daten.", nullable=False, values=STATUSES),
        Column("is_derived", "BOOLEAN", DERIVED_TEXT, nullable=False),
        RUN_ID,
    ),
    order_by=("indicator_id", "year", "district_id"),
)

# every text of the CSV exports, as pipelines/lib/release/german_csv.py neutralises it
CSV_FORMULA_NOTE = ("In den CSV-Dateien steht vor jedem Text, der mit =, +, -, @, einem Tabulator oder "
                    "einem Wagenrücklauf beginnt, ein Apostroph ('), damit Tabellenprogramme ihn nicht als "
                    "Formel ausführen; Zahlen bleiben unverändert.")

DATA_DICTIONARY = Table(
    "data_dictionary",
    "Datenkatalog: jede veröffentlichte Tabelle und Sicht mit jeder Spalte, Typ, Schlüssel, Einheit, "
    "zulässigen Werten und Beschreibung. " + CSV_FORMULA_NOTE,
    (
        Column("table_name", "VARCHAR", "Name der Tabelle oder Sicht.", key=True),
        Column("table_kind", "VARCHAR", "Art: Tabelle oder Sicht.", nullable=False,
               values=tuple(KIND_LABELS.values())),
        Column("table_description", "VARCHAR", "Beschreibung der Tabelle oder Sicht.", nullable=False),
        Column("column_position", "INTEGER", "Position der Spalte in der Tabelle (ab 1).", nullable=False),
        Column("column_name", "VARCHAR", "Name der Spalte.", key=True),
        Column("data_type", "VARCHAR", "DuckDB-Datentyp der Spalte.", nullable=False),
        Column("is_key", "BOOLEAN", "true, wenn die Spalte zum Primärschlüssel gehört.", nullable=False),
        Column("nullable", "BOOLEAN", "true, wenn die Spalte leer sein darf.", nullable=False),
        Column("unit", "VARCHAR", "Einheit der Werte, falls es eine gibt."),
        Column("allowed_values", "VARCHAR", "Zulässige Werte, durch „ | “ getrennt; leer = nicht festgelegt."),
        Column("description", "VARCHAR", "Beschreibung der Spalte.", nullable=False),
        RUN_ID,
    ),
    order_by=("table_name", "column_position"),
)

TABLES = (RUN_INFO, DISTRICTS, INDICATORS, INDICATOR_VALUES, DATA_DICTIONARY)
