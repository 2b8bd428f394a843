"""The catalogue of ingestion error codes: one stable code per problem, German title and hint.

This is the only place where the wording of ingestion findings lives. Codes never change meaning;
new problems get new codes. ``E`` codes are errors (they stop the run), ``W`` codes are warnings.

| Code     | Title (German)                                   |
|----------|--------------------------------------------------|
| SM-E101  | Datei nicht gefunden                             |
| SM-E102  | Datei ist leer                                   |
| SM-E103  | Datei nicht lesbar                               |
| SM-E104  | Dateityp wird nicht unterstützt                  |
| SM-E105  | Pflichtspalte fehlt                              |
| SM-E106  | Tabellenblatt nicht gefunden                     |
| SM-E107  | Zeile hat zu viele Felder                        |
| SM-E108  | Layer nicht gefunden                             |
| SM-E109  | Zellbereich ungültig                             |
| SM-E110  | Datei unvollständig (abgeschnitten)              |
| SM-E201  | Geometrie ungültig                               |
| SM-E202  | Geometrie leer                                   |
| SM-E203  | Koordinatensystem fehlt                          |
| SM-E204  | Gebiete überlappen sich                          |
| SM-E205  | Gebietsschlüssel doppelt                         |
| SM-E206  | Übergeordnetes Gebiet unbekannt                  |
| SM-E207  | Gebietsschlüssel fehlt in der Geometrie          |
| SM-E208  | Ebene unbekannt                                  |
| SM-W209  | Sehr kleine Fläche (Splitterfläche)              |
| SM-E210  | Geometrie ist keine Fläche                       |
| SM-E211  | Ebene ohne Geometrie                             |
| SM-E212  | Übergeordnetes Gebiet nicht angegeben            |
| SM-E213  | Stadtebene muss genau ein Gebiet enthalten       |
| SM-W214  | Geometrie repariert                              |
| SM-E215  | Gebiet fehlt in der Namenstabelle                |
| SM-E216  | Schlüssel der Namenstabelle ist kein Gebiet      |
| SM-E217  | Schlüssel in der Namenstabelle doppelt           |
| SM-E218  | Name in der Namenstabelle leer                   |
| SM-E301  | Gebietsschlüssel unbekannt                       |
| SM-E302  | Gebietsschlüssel fehlt                           |
| SM-E303  | Datenzeile doppelt                               |
| SM-E304  | Zähler größer als Nenner                         |
| SM-E305  | Negative Anzahl                                  |
| SM-E306  | Keine ganze Zahl                                 |
| SM-E307  | Platzhalterwert statt Zahl                       |
| SM-E308  | Keine Zahl                                       |
| SM-E309  | Indikator unbekannt                              |
| SM-E310  | Jahr ungültig                                    |
| SM-E311  | Datenzeilen fehlen                               |
| SM-E313  | Pflichtangabe fehlt                              |
| SM-E314  | Einwohnerzahl fehlt oder ist geheim              |
| SM-W315  | Gebiet der Tabelle nicht in den Geometrien       |
| SM-W316  | Gebiete ohne Datenzeile                          |
| SM-W317  | Zähler aus Anteil berechnet                      |
| SM-E318  | Anteil ungültig                                  |
| SM-W319  | Werte auf neuen Gebietsstand umgerechnet         |
| SM-E320  | Gebietsstand unbekannt                           |
| SM-E321  | Schlüssel-Zuordnungstabelle fehlerhaft           |
| SM-W322  | Zusammenzufassende Gebiete nicht gefunden        |
| SM-E330  | Quote außerhalb des plausiblen Bereichs          |
| SM-E331  | Teilmenge größer als die Gesamtmenge             |
| SM-E332  | Gemeinsamer Nenner weicht ab                     |
| SM-E333  | Teile ergeben nicht die Summe                    |
| SM-E334  | Gesamtzahl passt nicht zu den Altersgruppen      |
| SM-E335  | Summe der Teilgebiete passt nicht                |
| SM-E336  | Teilgebiet größer als das übergeordnete Gebiet   |
| SM-W337  | Ungewöhnlich große Zahl                          |
| SM-W338  | Sprung zwischen zwei Jahren                      |
| SM-W339  | Nenner größer als die Einwohnerzahl              |
| SM-E340  | Anteil widerspricht Zähler und Nenner            |
| SM-E341  | Anteil ohne Nenner                               |
| SM-E342  | Zähler ohne Nenner                               |
| SM-W343  | Unbewohntes Gebiet                               |
| SM-W344  | Fehlende Werte lassen übergeordnete Gebiete leer |
| SM-W345  | Zähler ohne Nenner nicht übernommen              |
| SM-E346  | Altersgruppe des Nenners fehlt                   |
| SM-E347  | Berechneter Nenner negativ                       |
| SM-W348  | Abgeleiteter Zähler durch Rundung unsicher       |
| SM-E001  | Unbekannte Einstellung                           |
| SM-E002  | Einstellung im falschen Abschnitt                |
| SM-E401  | Koordinate ungültig                              |
| SM-W402  | Angebot liegt außerhalb des Stadtgebiets         |
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.lib.findings import Finding


@dataclass(frozen=True)
class Code:
    code: str
    title: str
    hint: str

    @property
    def severity(self) -> str:
        return "warning" if self.code.startswith("SM-W") else "error"


_CODES = [
    # files and tables
    Code("SM-E101", "Datei nicht gefunden",
         "Legen Sie die Datei unter dem in sozialmonitor.toml angegebenen Pfad ab oder korrigieren Sie den Pfad."),
    Code("SM-E102", "Datei ist leer",
         "Die Datei enthält keine Datenzeilen. Exportieren Sie die Daten erneut und prüfen Sie, ob der Export vollständig ist."),
    Code("SM-E103", "Datei nicht lesbar",
         "Speichern Sie die Datei erneut als CSV (UTF-8 oder Windows-1252), Excel-Arbeitsmappe (.xlsx) oder Parquet."),
    Code("SM-E104", "Dateityp wird nicht unterstützt",
         "Erlaubt sind CSV (.csv, .txt, .tsv), Excel (.xlsx), Parquet (.parquet) und für Geometrien "
         "GeoJSON, GeoPackage, Shapefile oder gezipptes Shapefile (.zip). Alte .xls-Dateien bitte als .xlsx speichern."),
    Code("SM-E105", "Pflichtspalte fehlt",
         "Benennen Sie die Spalte in der Datei um oder tragen Sie den tatsächlichen Spaltennamen in sozialmonitor.toml ein."),
    Code("SM-E106", "Tabellenblatt nicht gefunden",
         "Geben Sie in sozialmonitor.toml unter „sheet“ den Namen oder die Nummer eines vorhandenen Blatts an."),
    Code("SM-E107", "Zeile hat zu viele Felder",
         "Die Zeile hat mehr Felder als die Kopfzeile. Prüfen Sie Trennzeichen und Anführungszeichen in dieser Zeile."),
    Code("SM-E108", "Layer nicht gefunden",
         "Geben Sie in sozialmonitor.toml unter „layer“ den Namen eines vorhandenen Layers der Datei an."),
    # geometries
    Code("SM-E201", "Geometrie ungültig",
         "Reparieren Sie die Fläche im GIS (z. B. QGIS: „Geometrien reparieren“) und exportieren Sie die Datei erneut, "
         "oder lassen Sie sie mit „make_valid = true“ an der [[geometries]]-Quelle reparieren."),
    Code("SM-E202", "Geometrie leer",
         "Das Gebiet hat keine Fläche. Ergänzen Sie die Geometrie oder entfernen Sie das Gebiet aus der Datei."),
    Code("SM-E203", "Koordinatensystem fehlt",
         "Die Datei gibt kein Koordinatensystem an. Exportieren Sie sie mit Koordinatensystem (bei Shapefiles gehört die .prj-Datei dazu)."),
    Code("SM-E204", "Gebiete überlappen sich",
         "Gebiete einer Ebene dürfen sich nicht überlagern. Bereinigen Sie die Grenzen im GIS (z. B. QGIS: "
         "„Topologieprüfung“) oder, wenn es nur Digitalisierungsrauschen ist, erlauben Sie es mit "
         "„overlap_tolerance“ (m²) an der [[geometries]]-Quelle."),
    Code("SM-E205", "Gebietsschlüssel doppelt",
         "Jeder Gebietsschlüssel darf in einer Ebene nur einmal vorkommen. Fassen Sie die Teilflächen zusammen oder korrigieren Sie den Schlüssel."),
    Code("SM-E206", "Übergeordnetes Gebiet unbekannt",
         "Der Schlüssel des übergeordneten Gebiets kommt in der Ebene darüber nicht vor. Korrigieren Sie den Schlüssel."),
    Code("SM-E207", "Gebietsschlüssel fehlt in der Geometrie",
         "Tragen Sie für jede Fläche einen Gebietsschlüssel ein."),
    Code("SM-E208", "Ebene unbekannt",
         "Die Ebene muss eine der in sozialmonitor.toml unter [[levels]] angegebenen ids sein."),
    Code("SM-W209", "Sehr kleine Fläche (Splitterfläche)",
         "Die Fläche ist kleiner als 1 m². Prüfen Sie, ob es sich um einen Digitalisierungsfehler handelt."),
    Code("SM-E210", "Geometrie ist keine Fläche",
         "Gebietsgeometrien müssen Polygone oder Multipolygone sein."),
    Code("SM-E211", "Ebene ohne Geometrie",
         "Geben Sie für diese Ebene eine Geometriedatei an oder tragen Sie in der Ebene darunter die übergeordneten Schlüssel ein."),
    Code("SM-E212", "Übergeordnetes Gebiet nicht angegeben",
         "Tragen Sie den Schlüssel des übergeordneten Gebiets ein bzw. geben Sie in sozialmonitor.toml „parent“ an."),
    Code("SM-W214", "Geometrie repariert",
         "Die ungültige Fläche wurde mit make_valid (shapely) repariert, weil an der [[geometries]]-Quelle "
         "„make_valid = true“ steht. Prüfen Sie die genannte Flächenänderung; besser ist eine im GIS "
         "reparierte Datei."),
    Code("SM-E215", "Gebiet fehlt in der Namenstabelle",
         "Die Namen dieser Geometrie stehen in einer eigenen Tabelle (name_table an der [[geometries]]-Quelle); "
         "jedes Gebiet der Geometrie braucht dort eine Zeile mit seinem Schlüssel und Namen. Prüfen Sie auch "
         "verlorene führende Nullen und die Schlüsselregel (key_pad, key_prefix, …) der Geometrie."),
    Code("SM-E216", "Schlüssel der Namenstabelle ist kein Gebiet",
         "Der Schlüssel kommt in keiner Geometrie vor. Korrigieren Sie ihn (Tippfehler, verlorene führende "
         "Nullen) oder löschen Sie die Zeile, wenn das Gebiet nicht mehr besteht."),
    Code("SM-E217", "Schlüssel in der Namenstabelle doppelt",
         "Jeder Schlüssel darf in der Namenstabelle nur einmal stehen, sonst ist unklar, welcher Name gilt. "
         "Löschen Sie die doppelte Zeile."),
    Code("SM-E218", "Name in der Namenstabelle leer",
         "Tragen Sie den Namen des Gebiets ein; er erscheint auf Karten, Profilen und in den Exporten."),
    Code("SM-E213", "Stadtebene muss genau ein Gebiet enthalten",
         "Die oberste Ebene beschreibt die ganze Stadt und darf nur eine Fläche enthalten."),
    Code("SM-E110", "Datei unvollständig (abgeschnitten)",
         "Die letzte Zeile endet mitten im Datensatz: die Datei wurde beim Exportieren oder Kopieren abgeschnitten. "
         "Exportieren bzw. kopieren Sie die Datei erneut."),
    Code("SM-E109", "Zellbereich ungültig",
         "Geben Sie „range“ wie in Excel an, z. B. „A4:BQ111“ (Kopfzeile eingeschlossen) oder „A4:BQ“ (bis zum Ende)."),
    # data rows
    Code("SM-E301", "Gebietsschlüssel unbekannt",
         "Der Schlüssel kommt in den Geometrien nicht vor. Prüfen Sie Tippfehler und verlorene führende Nullen."),
    Code("SM-E302", "Gebietsschlüssel fehlt",
         "Tragen Sie den Gebietsschlüssel ein oder löschen Sie die Zeile."),
    Code("SM-E303", "Datenzeile doppelt",
         "Für dasselbe Gebiet, Jahr und denselben Indikator darf es nur eine Zeile geben. Löschen Sie die doppelte Zeile."),
    Code("SM-E304", "Zähler größer als Nenner",
         "Der Zähler ist eine Teilmenge des Nenners und kann nicht größer sein. Prüfen Sie, ob die Spalten vertauscht sind."),
    Code("SM-E305", "Negative Anzahl",
         "Anzahlen können nicht negativ sein. Korrigieren Sie den Wert."),
    Code("SM-E306", "Keine ganze Zahl",
         "Anzahlen müssen ganze Zahlen sein. Liefern Sie Fallzahlen, keine Anteile oder Mittelwerte."),
    Code("SM-E307", "Platzhalterwert statt Zahl",
         "Dieser Wert ist ein Platzhalter für fehlende Daten. Ersetzen Sie ihn durch eine leere Zelle "
         "(fehlt) oder durch „.“ (unbekannt oder geheim zu halten)."),
    Code("SM-E308", "Keine Zahl",
         "Erlaubt sind ganze Zahlen (z. B. 1.234) und die Tabellenzeichen „-“ (genau null), „.“ (geheim/unbekannt), "
         "„x“ (nicht sinnvoll), „/“ (nicht sicher genug), „…“ (noch nicht verfügbar) oder eine leere Zelle. "
         "Formeln und Fehlerwerte wie #DIV/0! bitte durch Werte ersetzen."),
    Code("SM-E309", "Indikator unbekannt",
         "Die Indikator-ID muss in sozialmonitor.toml unter [[indicators]] stehen."),
    Code("SM-E310", "Jahr ungültig",
         "Das Jahr muss eine vierstellige Jahreszahl sein (z. B. 2023)."),
    Code("SM-E311", "Datenzeilen fehlen",
         "Für diese Gebiete fehlen Zeilen. Ergänzen Sie sie oder stellen Sie in sozialmonitor.toml "
         "„absent = \"missing\"“ bzw. „absent = \"zero\"“ ein."),
    Code("SM-E313", "Pflichtangabe fehlt",
         "Die Zelle darf nicht leer sein. Ergänzen Sie den Wert oder löschen Sie die Zeile."),
    Code("SM-E314", "Einwohnerzahl fehlt oder ist geheim",
         "Einwohnerzahlen werden intern benötigt und müssen als Zahl vorliegen (auch kleine Zahlen). Ist das "
         "Gebiet unbewohnt, tragen Sie 0 ein oder nennen Sie es unter [validation] uninhabited."),
    Code("SM-W315", "Gebiet der Tabelle nicht in den Geometrien",
         "Die Zeilen wurden nicht übernommen (unmatched = \"warning\"). Ergänzen Sie die Zuordnung unter „names“ "
         "oder prüfen Sie, ob die Geometrie zum Datenstand passt."),
    Code("SM-W316", "Gebiete ohne Datenzeile",
         "Für diese Gebiete der Geometrie enthält die Tabelle keine Zeile; sie erscheinen als „keine Daten“. "
         "Prüfen Sie Schlüssel, Namen und den Gebietsstand."),
    Code("SM-W317", "Zähler aus Anteil berechnet",
         "Die Tabelle liefert Anteile; die Zähler wurden als gerundeter Anteil × Nenner berechnet und sind als "
         "abgeleitet gekennzeichnet. Liefern Sie, wenn möglich, Fallzahlen."),
    Code("SM-E318", "Anteil ungültig",
         "Anteile müssen Zahlen zwischen 0 und der angegebenen Skala sein (z. B. 0 bis 100 bei Prozent) oder ein "
         "Tabellenzeichen."),
    Code("SM-W319", "Werte auf neuen Gebietsstand umgerechnet",
         "Die Werte liegen auf einem älteren Gebietsstand vor und wurden über Flächen- oder Bevölkerungsanteile auf "
         "den aktuellen Gebietsstand umgerechnet (gerundet, als abgeleitet gekennzeichnet)."),
    Code("SM-E320", "Gebietsstand unbekannt",
         "Der Gebietsstand muss unter [[area_systems]] oder bei einer Geometrie („area_system“) definiert sein."),
    Code("SM-E321", "Schlüssel-Zuordnungstabelle fehlerhaft",
         "Die Zuordnungstabelle braucht die unter names_file angegebenen Spalten „name“ und „key“."),
    Code("SM-W322", "Zusammenzufassende Gebiete nicht gefunden",
         "Prüfen Sie die Schlüssel oder Namen unter [[geometries.merge]] members."),
    # consistency across rows and indicators (checked in the warehouse)
    Code("SM-E330", "Quote außerhalb des plausiblen Bereichs",
         "Zähler und Nenner ergeben eine Quote, die für die Einheit des Indikators nicht möglich ist "
         "(z. B. über 100 %). Prüfen Sie, ob Zähler und Nenner vertauscht oder falsch zugeordnet sind."),
    Code("SM-E331", "Teilmenge größer als die Gesamtmenge",
         "Laut [[relations]] ist dieser Zähler ein Teil des Zählers eines anderen Indikators und darf ihn nicht "
         "übersteigen. Prüfen Sie beide Lieferungen für dieses Gebiet und Jahr."),
    Code("SM-E332", "Gemeinsamer Nenner weicht ab",
         "Laut [[relations]] haben diese Indikatoren denselben Nenner. Gleichen Sie die Nenner an oder "
         "entfernen Sie die Beziehung aus sozialmonitor.toml."),
    Code("SM-E333", "Teile ergeben nicht die Summe",
         "Laut [[relations]] ergeben die Teil-Zähler zusammen den Gesamt-Zähler. Prüfen Sie die Lieferungen."),
    # plausibility (checked at ingest; thresholds in [validation])
    Code("SM-E334", "Gesamtzahl passt nicht zu den Altersgruppen",
         "Die Zeile der Gesamtzahl (Altersgruppe wie unter [population] „total_band“) muss die Summe der "
         "Altersgruppen desselben Gebiets und Jahres sein (Toleranz [validation] total_tolerance). Prüfen Sie "
         "beide Werte in der Lieferung, z. B. auf beim Abtippen zusammengeklebte Ziffern."),
    Code("SM-E335", "Summe der Teilgebiete passt nicht",
         "Die Zahl eines Gebiets muss die Summe seiner Teilgebiete sein (Toleranz [validation] "
         "total_tolerance). Prüfen Sie die Summenzeile und die Zeilen der Teilgebiete, z. B. auf "
         "zusammengeklebte Ziffern oder eine vertauschte Zeile."),
    Code("SM-E336", "Teilgebiet größer als das übergeordnete Gebiet",
         "Ein Teilgebiet kann nicht mehr Einwohner oder Fälle haben als das Gebiet, zu dem es gehört. "
         "Prüfen Sie den Wert, z. B. auf zusammengeklebte Ziffern."),
    Code("SM-W337", "Ungewöhnlich große Zahl",
         "Der Wert ist ein Vielfaches des mittleren Werts der Gebiete dieser Ebene ([validation] "
         "outlier_factor). Prüfen Sie ihn; ist er richtig, erhöhen Sie outlier_factor."),
    Code("SM-W338", "Sprung zwischen zwei Jahren",
         "Der Wert ändert sich zwischen zwei Jahren um mehr als den Faktor [validation] jump_factor. Prüfen Sie "
         "beide Jahre (Gebietsreform, geänderte Definition, Tippfehler)."),
    Code("SM-W339", "Nenner größer als die Einwohnerzahl",
         "Der Nenner übersteigt die Einwohnerzahl des Gebiets im selben Jahr. Prüfen Sie, ob Nenner und "
         "Einwohnerzahl zusammenpassen (Stichtag, Gebietsstand, vertauschte Spalten)."),
    Code("SM-E340", "Anteil widerspricht Zähler und Nenner",
         "Die Tabelle liefert für dieses Gebiet Zähler, Nenner und Anteil; Zähler ÷ Nenner weicht um mehr als "
         "[validation] share_tolerance Prozentpunkte vom gelieferten Anteil ab. Einer der drei Werte ist falsch."),
    Code("SM-E341", "Anteil ohne Nenner",
         "Aus einem Anteil lässt sich ein Zähler nur mit einem ausdrücklich genannten Nenner berechnen: eine "
         "Spalte mit part = \"denominator\" für denselben Indikator oder, wenn der Anteil sich wirklich auf alle "
         "Einwohner bezieht, share_denominator = \"population\" an der Quelle."),
    Code("SM-E342", "Zähler ohne Nenner",
         "Ohne Nenner lässt sich keine Quote berechnen. Geben Sie eine Spalte mit part = \"denominator\" für "
         "denselben Indikator an oder, wenn der Nenner die Einwohnerzahl ist, share_denominator = \"population\"."),
    Code("SM-W343", "Unbewohntes Gebiet",
         "Das Gebiet hat keine Einwohner ([validation] uninhabited oder Einwohnerzahl 0). Fehlende Werte zählen "
         "dort als 0 Fälle von 0; die übergeordneten Gebiete werden aus den übrigen Teilgebieten berechnet."),
    Code("SM-W344", "Fehlende Werte lassen übergeordnete Gebiete leer",
         "Ein übergeordnetes Gebiet lässt sich nur berechnen, wenn alle Teilgebiete einen Wert haben. Ergänzen Sie "
         "die Werte, liefern Sie die Summenzeile des übergeordneten Gebiets mit, oder tragen Sie unbewohnte "
         "Gebiete unter [validation] uninhabited ein."),
    Code("SM-W345", "Zähler ohne Nenner nicht übernommen",
         "Zu diesen Zählern fehlt der Nenner (leere Zelle); ohne Nenner gibt es keine Quote, sie erscheinen "
         "daher als „keine Daten“ und nicht als veröffentlichte Fallzahl ohne Quote. Ergänzen Sie die Nenner."),
    Code("SM-E346", "Altersgruppe des Nenners fehlt",
         "share_denominator nennt eine Altersgruppe, die in der Bevölkerung nicht vorkommt. Schreiben Sie sie so "
         "wie in der Spalte age_band der Bevölkerung (oder wie unter [population] values → age_band angegeben)."),
    Code("SM-E347", "Berechneter Nenner negativ",
         "Die Einwohnerzahl (oder die Summe der Altersgruppen unter „bands“) ist kleiner als die abgezogenen "
         "Altersgruppen unter „minus“. Prüfen Sie die Bevölkerungszahlen dieses Gebiets und Jahres und die "
         "Altersgruppen in share_denominator (eine Gruppe doppelt abgezogen?)."),
    Code("SM-W348", "Abgeleiteter Zähler durch Rundung unsicher",
         "Der Anteil ist gerundet geliefert (z. B. in ganzen Prozent); aus dem Anteil × Nenner berechnete Zähler "
         "können deshalb um die genannte Spanne von der wahren Fallzahl abweichen. Sie werden trotzdem "
         "veröffentlicht, sind aber als abgeleitet gekennzeichnet (is_derived in indicator_values, in den Exporten "
         "und auf den Seiten) und bekommen kein Konfidenzintervall. Liefern Sie, wenn möglich, Fallzahlen oder "
         "Anteile mit mehr Nachkommastellen; die Schwelle in Personen ist [validation] rounding_span."),
    # configuration
    Code("SM-E001", "Unbekannte Einstellung",
         "Korrigieren Sie den Namen der Einstellung in sozialmonitor.toml oder entfernen Sie sie; eine unbekannte "
         "Einstellung hätte keine Wirkung."),
    Code("SM-E002", "Einstellung im falschen Abschnitt",
         "Verschieben Sie die Einstellung in den genannten Abschnitt von sozialmonitor.toml; hier hätte sie "
         "keine Wirkung."),
    # offers
    Code("SM-E401", "Koordinate ungültig",
         "Rechtswert und Hochwert (bzw. Länge und Breite) müssen Zahlen im angegebenen Koordinatensystem sein."),
    Code("SM-W402", "Angebot liegt außerhalb des Stadtgebiets",
         "Prüfen Sie die Koordinaten (vertauschte Längen- und Breitengrade?) und das angegebene Koordinatensystem."),
]

CODES: dict[str, Code] = {c.code: c for c in _CODES}


def finding(
    code: str,
    file: str,
    detail: str | None = None,
    *,
    row: int | None = None,
    column: str | None = None,
    value: object = None,
    hint: str | None = None,
) -> Finding:
    """Build a :class:`Finding` from the catalogue; ``detail`` extends the title, ``hint`` the hint."""
    entry = CODES[code]
    message = entry.title if not detail else f"{entry.title}: {detail}"
    full_hint = entry.hint if not hint else f"{hint} {entry.hint}"
    return Finding(
        file=file,
        code=code,
        message=message,
        hint=full_hint,
        row=None if row is None else int(row),
        column=column,
        value=None if value is None else str(value),
        severity=entry.severity,
    )
