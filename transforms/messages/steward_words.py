"""The words stewards know: datasets by their Swedish names and each row rule as a short title.

Every steward text (CLI, e-mail, steward pages, portal) names a dataset with
``dataset.name.<dataset>`` and a rule with ``rule.title.<rule>``; the long
sentence of a broken rule stays ``rule.<rule>`` (messages/ingest.py).
"""

MESSAGES = {
    "dataset.name.participants": {"sv": "deltagare", "en": "participants"},
    "dataset.name.attendance": {"sv": "närvaro", "en": "attendance"},
    "dataset.name.survey": {"sv": "enkät", "en": "survey"},
    "dataset.name.activities": {"sv": "aktiviteter", "en": "activities"},
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
}
