"""Words shared by every area: counts, yes/no, statuses."""

MESSAGES = {
    "common.rows": {"sv": ("{n} rad", "{n} rader"), "en": ("{n} row", "{n} rows")},
    "common.files": {"sv": ("{n} fil", "{n} filer"), "en": ("{n} file", "{n} files")},
    "common.none": {"sv": "(inga)", "en": "(none)"},
    "status.loaded": {"sv": "inläst", "en": "loaded"},
    "status.loaded_with_quarantine": {"sv": "delvis inläst", "en": "partly loaded"},  # some rows in quarantine
    "status.rejected": {"sv": "avvisad", "en": "rejected"},
}
