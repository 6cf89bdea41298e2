"""The words stewards know: datasets by their Swedish names, each rule as a short title, codes in words.

Every steward text (CLI, e-mail, steward pages, portal) names a dataset with
``dataset_name`` (``dataset.name.<dataset>``) and a rule, of a row or of a whole
file, with ``rule_title`` (``rule.title.<rule>``); the long sentence of a broken
row rule stays ``rule.<rule>`` (messages/ingest.py). Rule ids stay for machines:
``--json`` output, the ledger, the quarantine. ``code.<column>.<code>`` says what
a contract code means; ``written_date_format`` spells a date format's placeholders
as the language does (ÅÅÅÅ-MM-DD, YYYY-MM-DD).
"""

from __future__ import annotations

from transforms.messages import catalogue, t

MESSAGES = {
    "dataset.name.participants": {"sv": "deltagare", "en": "participants"},
    "dataset.name.attendance": {"sv": "närvaro", "en": "attendance"},
    "dataset.name.survey": {"sv": "enkät", "en": "survey"},
    "dataset.name.activities": {"sv": "aktiviteter", "en": "activities"},
    # ledger records of landing entries that never became a delivery (landing.UNMATCHED, landing.REFUSED)
    "dataset.name._unmatched": {"sv": "okänd", "en": "unknown"},
    "dataset.name._refused": {"sv": "ingen fil", "en": "not a file"},
    "rule.title.absence_negative": {"sv": "Negativ frånvaro", "en": "Negative absence"},
    "rule.title.attended_out_of_range": {"sv": "Negativ närvaro", "en": "Negative attendance"},
    "rule.title.attended_over_scheduled": {"sv": "Mer närvaro än schemalagt", "en": "More attendance than scheduled"},
    "rule.title.cell_too_long": {"sv": "För lång cell", "en": "Cell too long"},
    "rule.title.date_outside_period": {"sv": "Datum utanför perioden", "en": "Date outside the period"},
    "rule.title.duplicate_key": {"sv": "Samma rad flera gånger", "en": "Same row more than once"},
    "rule.title.entry_date_out_of_range": {"sv": "Startdatum utanför projektet", "en": "Entry date outside the project"},
    "rule.title.exit_before_entry": {"sv": "Slut före start", "en": "Exit before entry"},
    "rule.title.exit_date_out_of_range": {"sv": "Slutdatum efter perioden", "en": "Exit date after the period"},
    "rule.title.exit_status_required_with_exit": {"sv": "Utskrivningsorsak saknas", "en": "Exit status missing"},
    "rule.title.exit_status_without_exit_date": {"sv": "Utskrivningsorsak utan slutdatum",
                                                 "en": "Exit status without exit date"},
    "rule.title.hours_out_of_range": {"sv": "Timmar utanför gränserna", "en": "Hours out of range"},
    "rule.title.invalid_boolean": {"sv": "Inget ja/nej-värde", "en": "Not a yes/no value"},
    "rule.title.invalid_date": {"sv": "Felaktigt datum", "en": "Invalid date"},
    "rule.title.invalid_integer": {"sv": "Inget heltal", "en": "Not a whole number"},
    "rule.title.invalid_month": {"sv": "Felaktig månad", "en": "Invalid month"},
    "rule.title.invalid_number": {"sv": "Inget tal", "en": "Not a number"},
    "rule.title.invalid_personnummer": {"sv": "Ogiltigt personnummer", "en": "Invalid personnummer"},
    "rule.title.kommunkod_differs_from_enrolment": {"sv": "Annan kommun än inskrivningen",
                                                    "en": "Other municipality than the enrolment"},
    "rule.title.kommunkod_not_of_source": {"sv": "Kommun utanför källan", "en": "Municipality outside the source"},
    "rule.title.minutes_do_not_add_up": {"sv": "Minuterna går inte ihop", "en": "Minutes do not add up"},
    "rule.title.month_not_period": {"sv": "Annan månad än perioden", "en": "Month other than the period"},
    "rule.title.no_score": {"sv": "Inga svar", "en": "No answers"},
    "rule.title.person_not_in_participants": {"sv": "Inte bland deltagarna", "en": "Not among the participants"},
    "rule.title.qualification_required_with_exit": {"sv": "Behörighet saknas", "en": "Qualification missing"},
    "rule.title.qualification_without_exit_date": {"sv": "Behörighet utan slutdatum",
                                                   "en": "Qualification without exit date"},
    "rule.title.required": {"sv": "Värde saknas", "en": "Value missing"},
    "rule.title.scheduled_out_of_range": {"sv": "Schemalagd tid utanför gränserna", "en": "Scheduled time out of range"},
    "rule.title.score_out_of_range": {"sv": "Svar utanför skalan", "en": "Answer outside the scale"},
    "rule.title.too_many_fields": {"sv": "För många fält", "en": "Too many fields"},
    "rule.title.unknown_code": {"sv": "Okänd kod", "en": "Unknown code"},
    # Rules of a whole file (a FileFault's rule): every row is held with the file.
    "rule.title.file_unreadable": {"sv": "Filen går inte att läsa", "en": "File cannot be read"},
    "rule.title.file_too_large": {"sv": "Filen är för stor", "en": "File too large"},
    "rule.title.file_empty": {"sv": "Tom fil", "en": "Empty file"},
    "rule.title.wrong_format": {"sv": "Fel filformat", "en": "Wrong file format"},
    "rule.title.header_missing": {"sv": "Rubrikraden saknas", "en": "Header row missing"},
    "rule.title.sheet_missing": {"sv": "Bladet saknas", "en": "Sheet missing"},
    "rule.title.duplicated_column": {"sv": "Samma kolumn två gånger", "en": "Same column twice"},
    "rule.title.required_column_missing": {"sv": "Obligatorisk kolumn saknas", "en": "Required column missing"},
    "rule.title.invalid_file_name": {"sv": "Felaktigt filnamn", "en": "Invalid file name"},
    "rule.title.month_not_over": {"sv": "Månaden är inte slut", "en": "Month not over"},
    "rule.title.participants_empty": {"sv": "Tom deltagarfil", "en": "Empty participants file"},
    "rule.title.no_participants_snapshot": {"sv": "Ingen godkänd deltagarfil", "en": "No accepted participants file"},
    "rule.title.too_many_failing_rows": {"sv": "För många rader med fel", "en": "Too many rows with problems"},
    "rule.title.participants_dropped": {"sv": "Deltagare har försvunnit", "en": "Participants have disappeared"},
    "rule.title.internal_error": {"sv": "Internt fel i Samla", "en": "Internal error in Samla"},
    # What each contract code means (exports.md), for the codes a source may deliver
    "code.programme.IMA": {"sv": "individuellt alternativ", "en": "individual alternative"},
    "code.programme.IMS": {"sv": "språkintroduktion", "en": "language introduction"},
    "code.programme.IMV": {"sv": "programinriktat val", "en": "programme-oriented choice"},
    "code.programme.IMY": {"sv": "yrkesintroduktion", "en": "vocational introduction"},
    "code.gender.female": {"sv": "kvinna", "en": "female"},
    "code.gender.male": {"sv": "man", "en": "male"},
    "code.gender.nonbinary": {"sv": "icke-binär", "en": "non-binary"},
    "code.exit_status.studies_national": {"sv": "nationellt gymnasieprogram", "en": "national upper-secondary programme"},
    "code.exit_status.studies_other": {"sv": "annan utbildning", "en": "other education or training"},
    "code.exit_status.employed": {"sv": "arbete", "en": "employed"},
    "code.exit_status.job_seeking": {"sv": "arbetssökande", "en": "job seeking"},
    "code.exit_status.other": {"sv": "annat", "en": "other"},
    "code.exit_status.unknown": {"sv": "okänt", "en": "unknown"},
    "code.track.none": {"sv": "inget studiespår", "en": "no track"},
    "code.track.worklife": {"sv": "studiespår arbetsliv", "en": "work-life track"},
    "code.track.vocational": {"sv": "studiespår yrkesintroduktion", "en": "vocational introduction track"},
    "code.labour_status.inactive": {"sv": "i utbildning", "en": "in education"},
    "code.labour_status.unemployed": {"sv": "arbetslös", "en": "unemployed"},
    "code.labour_status.long_term_unemployed": {"sv": "långtidsarbetslös", "en": "long-term unemployed"},
    "code.labour_status.employed": {"sv": "i arbete", "en": "in work"},
    "code.disability.yes": {"sv": "ja", "en": "yes"},
    "code.disability.no": {"sv": "nej", "en": "no"},
    "code.disability.unknown": {"sv": "vet ej", "en": "unknown"},
    "code.activity.mi": {"sv": "motiverande samtal", "en": "motivational interviewing"},
    "code.activity.life_skills": {"sv": "livskunskap", "en": "life skills"},
    "code.activity.study_skills": {"sv": "studieteknik", "en": "study skills"},
    "code.activity.health": {"sv": "hälsostuga", "en": "health workshop"},
    "code.activity.guidance": {"sv": "förstärkt vägledning", "en": "enhanced guidance"},
    "code.activity.internship": {"sv": "praktik", "en": "internship"},
    "code.activity.apl": {"sv": "arbetsplatsförlagt lärande", "en": "workplace-based learning"},
    "code.activity.vocational_course": {"sv": "yrkeskurs", "en": "vocational course"},
    "code.activity.labour_market_course": {"sv": "kurs om arbetsmarknaden", "en": "labour-market course"},
    "code.activity.study_visit": {"sv": "studiebesök", "en": "study visit"},
    "code.activity.fair": {"sv": "mässbesök", "en": "fair visit"},
    "code.activity.participation": {"sv": "delaktighet och inflytande", "en": "participation and influence"},
    "code.wave.more": {"sv": "T0 (vid start), T1, T2 och så vidare", "en": "T0 (at entry), T1, T2 and so on"},
    # A value not shown, in every steward text alike (CLI, e-mail, pages)
    "value.hidden_person": {"sv": "(dolt: personid)", "en": "(hidden: person id)"},
    "value.hidden_pseudonym": {"sv": "(dolt: pseudonym)", "en": "(hidden: pseudonym)"},
    # A date format's year placeholder (the formats are named YYYY-MM-DD … in the sources file)
    "placeholder.year": {"sv": "ÅÅÅÅ", "en": "YYYY"},
}


def dataset_name(dataset: str | None, lang: str | None = None) -> str:
    """The dataset as stewards call it (närvaro, attendance); an id the catalogue does not name, as it is."""
    message_id = f"dataset.name.{dataset}"
    return t(message_id, lang=lang) if message_id in catalogue() else (dataset or "")


def rule_title(rule: str | None, lang: str | None = None) -> str:
    """The rule's short title (Okänd kod, Unknown code); a rule the catalogue does not name, as it is."""
    message_id = f"rule.title.{rule}"
    return t(message_id, lang=lang) if message_id in catalogue() else (rule or "")


def written_date_format(date_format: str, lang: str | None = None) -> str:
    """A configured date format (YYYY-MM-DD, DD.MM.YYYY …) with its year written as the language writes it."""
    return date_format.replace("YYYY", t("placeholder.year", lang=lang))
