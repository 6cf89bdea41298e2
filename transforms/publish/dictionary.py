"""Published layer: what every warehouse table, view and column means, in Swedish and English.

One source for the ``data_dictionary`` table (every backend) and PostgreSQL
``COMMENT``s, and for the labels the views and reports show (gender, level).
``entries`` refuses a published column without a meaning, so a new column
cannot reach reporting staff undocumented.
"""

from __future__ import annotations

from collections.abc import Iterable

# code -> (Swedish, English): how reporting staff read the codes.
GENDER_NAMES = {"all": ("totalt", "total"), "female": ("kvinnor", "women"),
                "male": ("män", "men"), "nonbinary": ("icke-binära", "non-binary")}
LEVEL_NAMES = {"region": ("region", "region"), "federation": ("delregion", "federation"),
               "municipality": ("kommun", "municipality")}

TABLES: dict[str, tuple[str, str]] = {
    "indicator_values": ("Publicerade indikatorer, en rad per period, område, kön och indikator. "
                         "Skyddade celler (suppressed) saknar siffror.",
                         "Published indicators, one row per period, area, gender and indicator. "
                         "Suppressed cells carry no numbers."),
    "source_status": ("Vilken deltagarförteckning varje källa bidrog med per period, och om den var inaktuell.",
                      "Which participants snapshot each source contributed per period, and whether it was stale."),
    "dataset_status": ("Vad siffrorna vilar på: per period, källa och datamängd levererad, saknas eller avvisad.",
                       "What the numbers rest on: per period, source and dataset delivered, missing or rejected."),
    "publication_log": ("En rad per publicering: perioder, ändrade leveranser, ändrade och skyddade celler.",
                        "One row per publish: periods, changed deliveries, changed and suppressed cells."),
    "areas": ("Områden på tre nivåer: kommun, delregion (kommunalförbund) och region.",
              "Areas of three levels: municipality, federation and region."),
    "indicators": ("Indikatorkatalog med namn och definitioner på svenska och engelska.",
                   "Indicator catalogue with names and definitions in Swedish and English."),
    "load_ledger": ("En rad per levererad fil: lästa, godkända och karantänsatta rader.",
                    "One row per delivered file: rows read, accepted and quarantined."),
    "quarantine_summary": ("Karantänsatta rader per fil, kolumn och regel (bara antal).",
                           "Quarantined rows per file, column and rule (counts only)."),
    "data_dictionary": ("Den här tabellen: vad varje tabell, vy och kolumn betyder.",
                        "This table: what every table, view and column means."),
    "publication_state": ("Intern: vad lagret innehåller (leveranser, perioder, tröskel), skrivet med siffrorna; "
                          "nästa publicering utgår från den.",
                          "Internal: what the warehouse holds (deliveries, periods, threshold), written with the "
                          "numbers; the next publish plans from it."),
    "alembic_version": ("Intern: lagrets schemaversion (Alembic).", "Internal: the warehouse's schema revision (Alembic)."),
    "v_indicators": ("Alla publicerade perioder med svenska och engelska namn på område, indikator och kön; "
                     "andelar även i procent (percent), antal även som heltal (count).",
                     "Every published period with Swedish and English names of area, indicator and gender; "
                     "rates also as percentages (percent), counts also as whole numbers (count)."),
    "v_esf_by_gender": ("ESF+-indikatorerna med ett värde per kön i samma rad.",
                        "The ESF+ indicators with one value per gender on the same row."),
    "v_latest_indicators": ("Som v_indicators men bara den senaste perioden.",
                            "As v_indicators, latest period only."),
    "indicator_values_restricted": ("BEGRÄNSAD TILL PROJEKTKONTORET: oskyddade siffror för små grupper.",
                                    "RESTRICTED TO THE PROJECT OFFICE: unsuppressed numbers of small groups."),
}

COLUMNS: dict[str, tuple[str, str]] = {
    "period": ("Månad, ÅÅÅÅ-MM", "Month, YYYY-MM"),
    "area_level": ("Nivå: municipality (kommun), federation (delregion), region",
                   "Level: municipality, federation, region"),
    "area_level_sv": ("Nivå på svenska", "Level in Swedish"),
    "area_code": ("Kommunkod, delregionens kod eller regionens kod (projektfilen)",
                  "Municipality code, federation code or region code (the project file)"),
    "area_name": ("Områdets namn", "Name of the area"),
    "name": ("Områdets namn", "Name of the area"),
    "federation_code": ("Delregion som området hör till; tom för regionen",
                        "Federation the area belongs to; empty for the region"),
    "parent_code": ("Områdets kod en nivå upp; tom för regionen", "Area code one level up; empty for the region"),
    "gender": ("Kön: all (totalt), female (kvinnor), male (män), nonbinary (icke-binära)",
               "Gender: all, female, male, nonbinary"),
    "gender_sv": ("Kön på svenska: totalt, kvinnor, män, icke-binära", "Gender in Swedish"),
    "gender_en": ("Kön på engelska", "Gender in English: total, women, men, non-binary"),
    "indicator": ("Indikatorkod, se tabellen indicators", "Indicator code, see table indicators"),
    "indicator_name_sv": ("Indikatorns namn på svenska", "Indicator name in Swedish"),
    "indicator_name_en": ("Indikatorns namn på engelska", "Indicator name in English"),
    "name_sv": ("Namn på svenska", "Name in Swedish"),
    "name_en": ("Namn på engelska", "Name in English"),
    "definition": ("Definition på engelska", "Definition in English"),
    "definition_sv": ("Definition på svenska", "Definition in Swedish"),
    "kind": ("count = antal, rate = andel", "count or rate"),
    "numerator": ("Täljare (antal elever; för närvaro minuter); tom när cellen skyddas",
                  "Numerator (pupils; minutes for attendance); empty when suppressed"),
    "denominator": ("Nämnare för andelar; tom för antal och när cellen skyddas",
                    "Denominator of a rate; empty for counts and when suppressed"),
    "value": ("Värdet: antal eller andel (0–1); tomt när cellen skyddas eller nämnaren är 0",
              "The value: count or rate (0-1); empty when suppressed or the denominator is 0"),
    "suppressed": ("Sant när cellen skyddas (färre än tröskeln elever, visas som ..)",
                   "True when the cell is suppressed (fewer pupils than the threshold, shown as ..)"),
    "persons": ("Antal bidragande personer (oskyddat)", "Contributing persons (unsuppressed)"),
    "source": ("Källans id (kommun eller förbund som levererar)", "Source id (who delivers)"),
    "stale": ("Sant när källan saknar godkänd förteckning för perioden eller senare",
              "True when the source has no accepted snapshot for the period or later"),
    "snapshot_period": ("Period för förteckningen som används; tom om ingen någonsin godkänts",
                        "Period of the snapshot used; empty if none was ever accepted"),
    "dataset": ("Datamängd: participants, attendance, survey, activities",
                "Dataset: participants, attendance, survey, activities"),
    "state": ("delivered = levererad och godkänd, missing = saknas, rejected = bara avvisade leveranser",
              "delivered, missing (no delivery) or rejected (only rejected deliveries)"),
    "file_name": ("Filens namn som levererad", "File name as delivered"),
    "arrived_at": ("När filen kom (ISO 8601, UTC)", "When the file arrived (ISO 8601, UTC)"),
    "entry_no": ("Löpnummer", "Sequence number"),
    "published_at": ("När publiceringen gjordes (ISO 8601, UTC)", "When the publish ran (ISO 8601, UTC)"),
    "periods": ("Perioder som publicerades (kommaseparerade)", "Periods published (comma-separated)"),
    "inputs": ("Leveranser som ändrats sedan förra publiceringen (JSON)",
               "Deliveries changed since the previous publish (JSON)"),
    "state_no": ("Alltid 1: en rad", "Always 1: one row"),
    "fingerprint": ("Leveranserna bakom de publicerade siffrorna: datamängd/källa/period -> kontrollsumma (JSON)",
                    "The deliveries behind the published numbers: dataset/source/period -> checksum (JSON)"),
    "periods_on_record": ("Perioderna som lagret har publicerat (JSON-lista)",
                          "The periods the warehouse has published (JSON list)"),
    "threshold": ("Skyddströskeln siffrorna publicerades med", "The suppression threshold the numbers were published with"),
    "version_num": ("Schemaversionens id", "The schema revision's id"),
    "cells_changed": ("Publicerade celler som är nya eller ändrade", "Published cells that are new or changed"),
    "cells_suppressed": ("Skyddade celler bland de publicerade", "Suppressed cells among those published"),
    "file_sha256": ("Filens kontrollsumma (SHA-256)", "The file's checksum (SHA-256)"),
    "detected_format": ("Upptäckt format: filtyp, teckenkodning, avgränsare", "Detected format"),
    "rows_read": ("Lästa rader", "Rows read"),
    "rows_accepted": ("Godkända rader", "Rows accepted"),
    "rows_quarantined": ("Karantänsatta rader", "Rows quarantined"),
    "status": ("Filens status: loaded, loaded_with_quarantine, rejected", "The file's status"),
    "message": ("Meddelande om filen", "Message about the file"),
    "data_docs": ("Sökväg till valideringsrapporten (Data Docs)", "Path of the validation report (Data Docs)"),
    "column": ("Kolumn som bröt regeln", "Column that broke the rule"),
    "rule": ("Regel som bröts", "Rule broken"),
    "rows": ("Antal rader", "Number of rows"),
    "table_name": ("Tabell eller vy", "Table or view"),
    "column_name": ("Kolumn; tom för tabellen själv", "Column; empty for the table itself"),
    "meaning_sv": ("Betydelse på svenska", "Meaning in Swedish"),
    "meaning_en": ("Betydelse på engelska", "Meaning in English"),
    "value_all": ("Värde totalt", "Value, all genders"),
    "value_female": ("Värde kvinnor", "Value, women"),
    "value_male": ("Värde män", "Value, men"),
    "value_nonbinary": ("Värde icke-binära", "Value, non-binary"),
    "any_suppressed": ("Sant när något av värdena skyddas", "True when any of the values is suppressed"),
    "percent": ("Andelen i procent, avrundad till en decimal (exakt halv uppåt, 6,25 -> 6,3); tom för antal, "
                "när cellen skyddas och när nämnaren är 0. Räkna och jämför med value",
                "The rate as a percentage rounded to one decimal (an exact half away from zero, 6.25 -> 6.3); "
                "empty for counts, when suppressed and when the denominator is 0. Compute and compare with value"),
    "count": ("Antalet som heltal; tomt för andelar och när cellen skyddas",
              "The count as a whole number; empty for rates and when suppressed"),
    "count_all": ("Antal totalt som heltal", "Count, all genders, as a whole number"),
    "count_female": ("Antal kvinnor som heltal", "Count, women, as a whole number"),
    "count_male": ("Antal män som heltal", "Count, men, as a whole number"),
    "count_nonbinary": ("Antal icke-binära som heltal", "Count, non-binary, as a whole number"),
}


def entries(tables: Iterable[tuple[str, Iterable[str]]]) -> list[tuple[str, str, str, str]]:
    """(table_name, column_name, meaning_sv, meaning_en) for each table and each of its columns;
    column_name is empty for the table itself."""
    out = []
    for table, columns in tables:
        if table not in TABLES:
            raise KeyError(f"data dictionary: table {table!r} has no meaning (add it to dictionary.TABLES)")
        out.append((table, "", *TABLES[table]))
        for column in columns:
            if column not in COLUMNS:
                raise KeyError(f"data dictionary: column {table}.{column} has no meaning "
                               "(add it to dictionary.COLUMNS)")
            out.append((table, column, *COLUMNS[column]))
    return out


def case_sql(column: str, names: dict[str, tuple[str, str]], language: int) -> str:
    """A portable SQL CASE mapping the codes of ``column`` to their names (0 Swedish, 1 English)."""
    whens = " ".join(f"WHEN '{code}' THEN '{pair[language]}'" for code, pair in names.items())
    return f"CASE {column} {whens} END"
