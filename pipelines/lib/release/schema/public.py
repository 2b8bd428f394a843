"""Public inputs published beside the protected values (created by ``sql/release/public_tables.sql``)."""

from __future__ import annotations

from pipelines.lib.release.schema.core import RUN_ID
from pipelines.lib.release.schema.model import Column, Table

OFFERS = Table(
    "offers",
    "Angebote (Standorte von Einrichtungen und Diensten) mit Kategorie und Zielgruppe; öffentlich.",
    (
        Column("offer_id", "VARCHAR", "Kennung des Angebots.", key=True),
        Column("name", "VARCHAR", "Name des Angebots.", nullable=False),
        Column("category", "VARCHAR", "Kategorie des Angebots laut Konfiguration.", nullable=False),
        Column("age_band", "VARCHAR", "Zielgruppe: Alter „a-b“ = a bis unter b Jahre.", nullable=False),
        Column("geometry", "GEOMETRY", "Standort (Punkt) im Koordinatenbezugssystem aus run_info.crs (nicht in "
               "CSV und Excel; dafür GeoParquet nutzen).", nullable=False),
        RUN_ID,
    ),
)

POPULATION = Table(
    "population",
    "Einwohnerinnen und Einwohner nach Altersgruppen in den kleinsten Gebieten; ein Gebiet und Jahr nur, wenn "
    "das Gebiet groß genug ist und keine Altersgruppe 1 bis k−1 Personen zählt (alle Gruppen oder keine).",
    (
        Column("district_id", "VARCHAR", "Gebietsschlüssel (kleinste Ebene).", key=True),
        Column("year", "INTEGER", "Jahr.", key=True),
        Column("age_band", "VARCHAR", "Altersgruppe: „a-b“ = a bis einschließlich b Jahre, „65+“.", key=True),
        Column("population", "BIGINT", "Einwohnerinnen und Einwohner.", nullable=False, unit="Personen"),
        RUN_ID,
    ),
)

TABLES = (OFFERS, POPULATION)
