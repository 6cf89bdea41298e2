"""Reporting periods (transforms/period.py): a text that is no period, a period that is not valid.

exports.md, Delivery: a period is valid when it is a real ``YYYY-MM`` inside the project and not
after the current month. ``where`` is "" or " " + ``period.where_file_name`` (where the text came from).
"""

MESSAGES = {
    "period.not_a_month": {"sv": "perioden {text}{where} är ingen riktig månad skriven ÅÅÅÅ-MM",
                           "en": "period {text}{where} is not a real month written YYYY-MM"},
    "period.not_real": {"sv": "perioden {period} är ingen riktig månad", "en": "period {period} is not a real month"},
    "period.where_file_name": {"sv": "i filnamnet", "en": "in the file name"},
    "period.outside_project": {"sv": "perioden {period} ligger utanför projektet ({first}..{last})",
                               "en": "period {period} lies outside the project ({first}..{last})"},
    "period.future": {"sv": "perioden {period} ligger i framtiden (efter innevarande månad)",
                      "en": "period {period} lies in the future (after the current month)"},
}
