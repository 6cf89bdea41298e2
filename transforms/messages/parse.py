"""Reading a delivered file (transforms/ingest/parse.py): the faults that reject a file as a whole.

Each text says what is wrong and what the steward can do (exports.md, "File-level faults");
file limits are ``intake.limit`` (intake.py). ``sheet``/``part``/``error`` are clipped by the caller.
"""

MESSAGES = {
    "parse.clipped": {"sv": "{text}… ({count} tecken)", "en": "{text}… ({count} characters)"},
    "parse.file_empty": {
        "sv": "filen är tom (0 byte); en rubrikrad och datarader förväntades",
        "en": "the file is empty (0 bytes); expected a header row and data rows",
    },
    "parse.xlsx_declared_csv": {
        "sv": "filen är en Excel-arbetsbok (ett zip-arkiv), men källan är angiven som CSV: spara den från Excel "
              "som CSV (UTF-8), eller ange format.kind: xlsx i källfilen",
        "en": "the file is an Excel workbook (a zip archive), but the source declares CSV: save it from Excel as "
              "CSV (UTF-8), or declare format.kind: xlsx in the sources file",
    },
    "parse.bom_invalid": {
        "sv": "filen börjar med en byteordningsmarkering (BOM) för {encoding} men är inte giltig {encoding}",
        "en": "the file starts with a {encoding} byte-order mark but is not valid {encoding}",
    },
    "parse.nul_bytes": {
        "sv": "filen innehåller NUL-tecken: den är UTF-16 utan byteordningsmarkering (BOM) eller ingen textfil; "
              "spara den som UTF-8, Windows-1252 eller UTF-16 med BOM (i Excel: 'Unicode-text')",
        "en": "the file contains NUL bytes: UTF-16 without a byte-order mark or not a text file; save it as "
              "UTF-8, Windows-1252 or UTF-16 with BOM (Excel 'Unicode text')",
    },
    "parse.not_declared_encoding": {
        "sv": "filen är inte giltig {encoding}, som källan anger (byte {byte}); exportera den igen med den "
              "teckenkodningen eller rätta format.encoding i källfilen",
        "en": "the file is not valid {encoding} as the source declares (byte {byte}); re-export it in the "
              "declared encoding or correct format.encoding in the sources file",
    },
    "parse.encoding_unknown": {
        "sv": "filens teckenkodning gick inte att känna igen; UTF-8, Windows-1252 eller UTF-16 med BOM förväntades",
        "en": "the file's encoding could not be recognised; expected UTF-8, Windows-1252 or UTF-16 with BOM",
    },
    "parse.unsplittable": {
        "sv": "texten går inte att dela upp i fält: {error}; kontrollera citattecknen",
        "en": "the text cannot be split into fields: {error}; check quoting",
    },
    "parse.no_delimiter": {
        "sv": "ingen avgränsare hittades: fält åtskilda med komma, semikolon eller tabb förväntades",
        "en": "no delimiter found: expected fields separated by comma, semicolon or tab",
    },
    "parse.no_text": {
        "sv": "filen innehåller ingen text (bara en byteordningsmarkering eller tomma rader); en rubrikrad och "
              "datarader förväntades",
        "en": "the file holds no text (only a byte-order mark or blank lines); expected a header row and data rows",
    },
    "parse.header_past_end": {
        "sv": "rubrikraden som källfilen anger, rad {row}, ligger efter filens slut",
        "en": "the configured header row {row} is past the end of the file",
    },
    "parse.no_header": {
        "sv": "filen har ingen rubrikrad (bara tomma rader)",
        "en": "the file has no header row (only empty lines)",
    },
    "parse.too_many_parts": {
        "sv": "arbetsboken består av {parts} delar, vilket ingen Excel-export gör; spara den på nytt från Excel",
        "en": "the workbook holds {parts} parts, not an Excel export; re-save it from Excel",
    },
    "parse.workbook_damaged": {
        "sv": "arbetsboken går inte att öppna som .xlsx ({error}: filen är skadad eller avklippt); spara den på "
              "nytt från Excel som .xlsx och leverera den igen",
        "en": "the workbook cannot be opened as .xlsx ({error}: the file is damaged or cut off); re-save it from "
              "Excel as .xlsx and deliver it again",
    },
    "parse.workbook_unopenable": {
        "sv": "arbetsboken går inte att öppna som .xlsx ({error}); spara den på nytt från Excel som .xlsx",
        "en": "the workbook cannot be opened as .xlsx ({error}); re-save it from Excel as .xlsx",
    },
    "parse.doctype": {
        "sv": "delen {part} av arbetsboken anger en dokumenttyp eller entiteter, vilket Excel aldrig skriver; "
              "filen lästes inte. Spara den på nytt från Excel",
        "en": "part {part} of the workbook declares a document type or entities, which Excel never writes; the "
              "file was not read. Re-save it from Excel",
    },
    "parse.sheet_unreadable": {
        "sv": "arbetsbokens blad går inte att läsa ({error}: skadat, avklippt eller inte skrivet av Excel); spara "
              "den på nytt från Excel som .xlsx och leverera den igen",
        "en": "the workbook's sheet cannot be read ({error}: damaged, cut off or not written by Excel); re-save "
              "it from Excel as .xlsx and deliver it again",
    },
    "parse.sheet_empty": {
        "sv": "bladet '{sheet}' är tomt; en rubrikrad och datarader förväntades",
        "en": "sheet '{sheet}' is empty; expected a header row and data rows",
    },
    "parse.header_row_empty": {
        "sv": "rubrikraden som källfilen anger, rad {row}, är tom eller ligger efter bladets slut",
        "en": "the configured header row {row} is empty or past the end of the sheet",
    },
    "parse.sheet_missing": {
        "sv": "arbetsboken har inget blad {wanted} (angivet i källfilen); dess blad är {sheets}",
        "en": "the workbook has no sheet {wanted} (configured); its sheets are {sheets}",
    },
}
