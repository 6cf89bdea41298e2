"""Ingestion: ledger messages and the description of every rule a quarantined row can break.

``rule.<rule>`` texts take ``column`` (the file's own header), ``value`` (as
delivered) and, for comparisons, ``other_column``/``other_value``; a rule
without its own text keeps the suite's description.
"""

MESSAGES = {
    # {suggestion} is "" or ingest.did_you_mean: the question stays inside the parentheses, so what follows
    # ("; " and the next column, or ". Filens rubriker: …") reads as a sentence in both languages.
    "ingest.column_missing": {
        "sv": "obligatorisk kolumn saknas: {column} (godtagna rubriker: {accepted}{suggestion})",
        "en": "required column missing: {column} (accepted headers: {accepted}{suggestion})",
    },
    "ingest.did_you_mean": {"sv": "; menade ni {headers}?", "en": "; did you mean {headers}?"},
    "ingest.file_header": {"sv": ". Filens rubriker: {header}", "en": ". The file's header: {header}"},
    "ingest.loaded": {"sv": ("{n} rad inläst", "{n} rader inlästa"), "en": ("{n} row loaded", "{n} rows loaded")},
    "ingest.quarantined": {"sv": ("{n} rad i karantän", "{n} rader i karantän"),
                           "en": ("{n} row quarantined", "{n} rows quarantined")},
    "ingest.warnings": {"sv": ("{n} varning", "{n} varningar"), "en": ("{n} warning", "{n} warnings")},
    "ingest.too_many_failing": {
        "sv": "{failing} av {rows} rader ({share}) har fel, fler än källans gräns på {threshold}; vanligaste "
              "felen: {common}. Inget av filen lästes in; den tidigare leveransen gäller. Rätta exporten och "
              "leverera filen igen",
        "en": "{failing} of {rows} rows ({share}) fail validation, more than the source's threshold of "
              "{threshold}; most common problems: {common}. Nothing of this file was loaded; the previous "
              "delivery stays. Fix the export and deliver the file again",
    },
    # File faults of one source's run (transforms/ingest/pipeline.py)
    "ingest.participants_empty": {
        "sv": "deltagarfilen har inga rader: en deltagarlista tar upp varje deltagare som någonsin skrivits in, "
              "så den kan inte vara tom",
        "en": "the participants file has no rows: a snapshot lists every participant ever enrolled, so it cannot "
              "be empty",
    },
    "ingest.no_participants_snapshot": {
        "sv": "ingen deltagarfil från källan {source} har godkänts för {period} eller tidigare, så ingen rad kan "
              "kopplas till en deltagare; leverera (eller rätta) deltagarfilen först",
        "en": "no participants snapshot of source {source} has been accepted for {period} or earlier, so no row "
              "can be matched to a participant; deliver (or fix) the participants file first",
    },
    "ingest.internal_error": {
        "sv": "internt fel ({error} i {where}) när filen kontrollerades: inget av den lästes in och den tidigare "
              "leveransen gäller. Felet ligger i Samla, inte i filen: driften har fått veta det (uppgiften "
              "misslyckas)",
        "en": "internal error ({error} at {where}) while checking the file: nothing of it was loaded and the "
              "previous delivery stays. This is a fault in Samla, not in the file: the operator has been told "
              "(the task fails)",
    },
    "ingest.unknown_source": {
        "sv": "fil för en okänd källa: leveransmappen {folder} hör inte till någon källa i källfilen (kända: "
              "{known}); lägg till källan i källfilen eller flytta filen till källans mapp",
        "en": "file for an unknown source: landing folder {folder} belongs to no source in the sources file "
              "(known: {known}); add the source to the sources file or move the file to its source's folder",
    },
    # Row rules (exports.md). Conversion faults first, then the GX suites' rules.
    "rule.invalid_date": {"sv": "{column}: {value} är inget datum i formatet {format}",
                          "en": "{column}: {value} is not a date in the format {format}"},
    "rule.invalid_number": {"sv": "{column}: {value} är inget tal", "en": "{column}: {value} is not a number"},
    "rule.invalid_integer": {"sv": "{column}: {value} är inget heltal", "en": "{column}: {value} is not a whole number"},
    "rule.invalid_boolean": {"sv": "{column}: {value} är inget ja/nej-värde (1/0, ja/nej, j/n)",
                             "en": "{column}: {value} is not a yes/no value (1/0, ja/nej, yes/no)"},
    "rule.invalid_month": {"sv": "{column}: {value} är ingen månad skriven ÅÅÅÅ-MM",
                           "en": "{column}: {value} is not a month written YYYY-MM"},
    "rule.invalid_personnummer": {"sv": "{column}: inget giltigt personnummer eller samordningsnummer",
                                  "en": "{column}: not a valid personnummer or samordningsnummer"},
    "rule.cell_too_long": {"sv": "{column}: cellen har {length} tecken, fler än gränsen på {limit} "
                                 "(SAMLA_MAX_CELL_CHARS); raden hölls i karantän, resten av filen lästes",
                           "en": "{column}: the cell has {length} characters, more than the limit of {limit} "
                                 "(SAMLA_MAX_CELL_CHARS); the row was quarantined, the rest of the file was read"},
    "rule.too_many_fields": {"sv": "raden har fler fält än rubrikraden", "en": "the row has more fields than the header"},
    "rule.required": {"sv": "{column} saknas (obligatorisk)", "en": "{column} is missing (required)"},
    # {accepted}: transforms/ingest/accepted.py. A label of the steward's own system that is right can be
    # added to the source's configuration at the office: the steward cannot do that.
    "rule.unknown_code": {"sv": "{column}: {value} är ingen godtagen kod (godtagna: {accepted}); rätta värdet, eller "
                                "be projektkontoret lägga till er kod för källan",
                          "en": "{column}: {value} is not an accepted code (accepted: {accepted}); correct the value, "
                                "or ask the project office to add your code for the source"},
    "rule.duplicate_key": {"sv": "{column}: samma nyckel på flera rader; alla sådana rader hålls i karantän",
                           "en": "{column}: the same key on several rows; every such row is quarantined"},
    "rule.kommunkod_not_of_source": {"sv": "{column}: {value} är inte en av källans kommuner",
                                     "en": "{column}: {value} is not one of the source's municipalities"},
    "rule.kommunkod_differs_from_enrolment": {
        "sv": "{column}: {value} är inte kommunen där personen är inskriven",
        "en": "{column}: {value} is not the municipality of the person's enrolment"},
    "rule.month_not_period": {"sv": "{column}: {value} är inte leveransens period",
                              "en": "{column}: {value} is not the delivery's period"},
    "rule.date_outside_period": {"sv": "{column}: {value} ligger utanför perioden",
                                 "en": "{column}: {value} lies outside the period"},
    "rule.entry_date_out_of_range": {
        "sv": "{column}: {value} ligger före projektets start eller efter periodens sista dag",
        "en": "{column}: {value} is before the project's start or after the period's last day"},
    "rule.exit_date_out_of_range": {"sv": "{column}: {value} ligger efter periodens sista dag",
                                    "en": "{column}: {value} is after the period's last day"},
    "rule.exit_before_entry": {"sv": "{column} {value} ligger före {other_column} {other_value}",
                               "en": "{column} {value} is before {other_column} {other_value}"},
    "rule.attended_over_scheduled": {"sv": "{column} {value} är mer än {other_column} {other_value}",
                                     "en": "{column} {value} is more than {other_column} {other_value}"},
    "rule.exit_status_required_with_exit": {"sv": "{column} krävs när utskrivningsdatum finns",
                                            "en": "{column} is required when an exit date is given"},
    "rule.qualification_required_with_exit": {"sv": "{column} krävs när utskrivningsdatum finns",
                                              "en": "{column} is required when an exit date is given"},
    "rule.exit_status_without_exit_date": {"sv": "{column}: {value} utan utskrivningsdatum",
                                           "en": "{column}: {value} without an exit date"},
    "rule.qualification_without_exit_date": {"sv": "{column}: {value} (ja) utan utskrivningsdatum",
                                             "en": "{column}: {value} (yes) without an exit date"},
    "rule.scheduled_out_of_range": {"sv": "{column}: {value} ligger inte mellan 0 och 20000 minuter",
                                    "en": "{column}: {value} is not between 0 and 20000 minutes"},
    "rule.attended_out_of_range": {"sv": "{column}: {value} är negativt", "en": "{column}: {value} is negative"},
    "rule.absence_negative": {"sv": "{column}: {value} är negativt", "en": "{column}: {value} is negative"},
    "rule.minutes_do_not_add_up": {
        "sv": "{column}: närvaro + giltig + ogiltig frånvaro blir {value} minuter mer än schemalagd tid tillåter",
        "en": "{column}: attended + valid + invalid absence exceed the scheduled time by {value} minutes"},
    "rule.hours_out_of_range": {"sv": "{column}: {value} är inte mer än 0 och högst 12 timmar",
                                "en": "{column}: {value} is not more than 0 and at most 12 hours"},
    "rule.score_out_of_range": {"sv": "{column}: {value} ligger inte mellan 1 och 5",
                                "en": "{column}: {value} is not between 1 and 5"},
    "rule.no_score": {"sv": "minst ett av {column} måste finnas", "en": "at least one of {column} must be given"},
    "rule.person_not_in_participants": {
        "sv": "{column}: personen finns inte bland de godkända deltagarna i periodens deltagarfil",
        "en": "{column}: the person is not an accepted participant in the period's participants file"},
}
