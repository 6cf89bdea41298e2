"""A delivery's detected format as a reader sees it (``samla status --file``, ``samla check``).

The ledger keeps ``detected_format`` as stable codes (``kind=csv, delimiter=semicolon (detected), …``);
``transforms.ingest.parse.format_for_reader`` words it with these texts. A key or value without a text
here is shown as stored (csv, xlsx, utf-8, CRLF, a sheet's name).
"""

MESSAGES = {
    "format.key.kind": {"sv": "filtyp", "en": "file type"},
    "format.key.encoding": {"sv": "teckenkodning", "en": "encoding"},
    "format.key.delimiter": {"sv": "avgränsare", "en": "delimiter"},
    "format.key.decimal": {"sv": "decimaltecken", "en": "decimal mark"},
    "format.key.line_ends": {"sv": "radslut", "en": "line ends"},
    "format.key.sheet": {"sv": "blad", "en": "sheet"},
    "format.key.header_row": {"sv": "rubrikrad", "en": "header row"},
    "format.value.comma": {"sv": "komma", "en": "comma"},
    "format.value.semicolon": {"sv": "semikolon", "en": "semicolon"},
    "format.value.tab": {"sv": "tabb", "en": "tab"},
    "format.value.point": {"sv": "punkt", "en": "point"},
    "format.note.detected": {"sv": "upptäckt", "en": "detected"},
    "format.note.byte_order_mark": {"sv": "byteordningsmarkering", "en": "byte-order mark"},
}
