"""Matching a file's header and converting its cells (transforms/ingest/harmonise.py).

A duplicated column rejects the file; an unnamed or unknown column is a warning. A cell that does not
convert is a row fault: its text takes ``column`` (the file's own header) and ``value`` (as delivered)
like the ``rule.*`` texts, which describe the plain cases (``rule.invalid_date`` …).
"""

MESSAGES = {
    "harmonise.duplicated_column": {
        "sv": "kolumnerna {first} och {second} betyder båda {column} (dubblerad kolumn); leverera varje kolumn "
              "en gång",
        "en": "columns {first} and {second} both mean {column} (duplicated column); deliver each column once",
    },
    "harmonise.unnamed_column": {"sv": "kolumn {position} har ingen rubrik och togs bort",
                                 "en": "column {position} has no header name and was dropped"},
    "harmonise.unknown_column": {"sv": "okänd kolumn {name} togs bort (sparas inte)",
                                 "en": "unknown column {name} was dropped (not stored)"},
    # Cell conversions the rule.* texts do not describe closely enough
    "harmonise.number_decimal_mark": {"sv": "{column}: {value} är inget tal (decimaltecken {decimal})",
                                      "en": "{column}: {value} is not a number (decimal mark {decimal})"},
    "harmonise.number_out_of_range": {"sv": "{column}: {value} är inget ändligt tal av rimlig storlek",
                                      "en": "{column}: {value} is not a finite number of a sensible size"},
    "harmonise.too_many_fields": {"sv": "raden har {fields} fält, rubrikraden {width}",
                                  "en": "the row has {fields} fields, the header {width}"},
}
