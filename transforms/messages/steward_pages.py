"""The steward pages (transforms/ingest/steward_pages.py): one page per checked file, one per source."""

MESSAGES = {
    "page.lang": {"sv": "sv", "en": "en"},
    "page.title": {"sv": "{file}: kontroll av leveransen", "en": "{file}: delivery check"},
    "page.field.source": {"sv": "Källa", "en": "Source"},
    "page.field.dataset": {"sv": "Datamängd", "en": "Dataset"},
    "page.field.period": {"sv": "Period", "en": "Period"},
    "page.field.arrived": {"sv": "Ankom", "en": "Arrived"},
    "page.field.rows": {"sv": "Rader", "en": "Rows"},
    "page.field.format": {"sv": "Filformat", "en": "File format"},
    "page.rows": {"sv": "{read} lästa, {accepted} inlästa, {held} i karantän",
                  "en": "{read} read, {accepted} loaded, {held} quarantined"},
    "page.no_period": {"sv": "(ingen period i filnamnet)", "en": "(no period in the file name)"},
    "page.status.loaded": {"sv": "Inläst", "en": "Loaded"},
    "page.status.loaded_with_quarantine": {"sv": "Inläst, vissa rader i karantän",
                                           "en": "Loaded, some rows quarantined"},
    "page.status.rejected": {"sv": "Avvisad", "en": "Rejected"},
    "page.meaning.loaded": {
        "sv": ("Den enda raden ingår i de publicerade siffrorna.", "Alla {n} rader ingår i de publicerade siffrorna."),
        "en": ("Its one row counts in the published numbers.", "All {n} rows count in the published numbers.")},
    "page.meaning.loaded_with_quarantine": {
        "sv": "Rader som ingår i de publicerade siffrorna: {accepted}. Rader i karantän: {held}; de räknas inte "
              "förrän en rättad fil för perioden har levererats.",
        "en": "Rows that count in the published numbers: {accepted}. Rows in quarantine: {held}; they do not "
              "count until a corrected file for the period is delivered."},
    "page.meaning.rejected": {
        "sv": "Inget av filen lästes in: den tidigare leveransen för perioden gäller (finns ingen saknas "
              "datamängden för perioden i de publicerade siffrorna). Rätta filen och leverera den igen.",
        "en": "Nothing of the file was loaded: the previous delivery for the period stays (without one, the "
              "dataset is missing from the period's published numbers). Correct the file and deliver it again."},
    # A pre-delivery check: nothing was stored, the verdict says what a delivery would do.
    "page.check.loaded": {"sv": "Skulle läsas in", "en": "Would be loaded"},
    "page.check.loaded_with_quarantine": {"sv": "Skulle läsas in, vissa rader i karantän",
                                          "en": "Would be loaded, some rows quarantined"},
    "page.check.rejected": {"sv": "Skulle avvisas", "en": "Would be rejected"},
    "page.check.meaning.loaded": {
        "sv": ("Den enda raden skulle ingå i de publicerade siffrorna.",
               "Alla {n} rader skulle ingå i de publicerade siffrorna."),
        "en": ("Its one row would count in the published numbers.",
               "All {n} rows would count in the published numbers.")},
    "page.check.meaning.loaded_with_quarantine": {
        "sv": "Rader som skulle ingå i de publicerade siffrorna: {accepted}. Rader som skulle hållas i karantän: "
              "{held}.",
        "en": "Rows that would count in the published numbers: {accepted}. Rows that would be held in "
              "quarantine: {held}."},
    "page.check.meaning.rejected": {
        "sv": "Inget av filen skulle läsas in: den tidigare leveransen för perioden skulle gälla. Rätta filen "
              "innan den levereras.",
        "en": "Nothing of the file would be loaded: the previous delivery for the period would stay. Correct "
              "the file before delivering it."},
    "page.check.note": {"sv": "Kontroll före leverans: ingenting har sparats.",
                        "en": "Check before delivery: nothing has been stored."},
    "page.why": {"sv": "Varför:", "en": "Why:"},
    "page.warnings": {"sv": "Varningar", "en": "Warnings"},
    "page.problems": {"sv": "Vad är fel", "en": "What is wrong"},
    "page.no_problems": {"sv": "Inga fel i raderna.", "en": "No faults in the rows."},
    "page.problem_rows": {"sv": ("{n} rad", "{n} rader"), "en": ("{n} row", "{n} rows")},
    "page.accepted": {"sv": "Godtas:", "en": "Accepted:"},
    "page.col.row": {"sv": "Rad", "en": "Row"},
    "page.rows_note": {"sv": "Rad är radens nummer i er fil, räknat som i Excel.",
                       "en": "Row is the row's number in your file, counted as Excel counts."},
    "page.col.value": {"sv": "Levererat värde", "en": "Value as delivered"},
    "page.col.problem": {"sv": "Vad är fel", "en": "What is wrong"},
    "page.empty": {"sv": "(tom)", "en": "(empty)"},
    "page.hidden_pseudonym": {"sv": "(pseudonym visas inte)", "en": "(pseudonym not shown)"},
    "page.more_rows": {"sv": "Fler rader med samma fel: {rows}", "en": "More rows with the same fault: {rows}"},
    "page.and_more": {"sv": "och {n} till", "en": "and {n} more"},
    "page.held_with_file": {
        "sv": ("Den enda raden hölls tillbaka med filen.", "Alla {n} rader hölls tillbaka med filen."),
        "en": ("Its one row was held back with the file.", "All {n} rows were held back with the file.")},
    "page.held_others": {
        "sv": ("{n} rad till utan egna fel hölls tillbaka med filen.",
               "{n} rader till utan egna fel hölls tillbaka med filen."),
        "en": ("{n} more row without faults of its own was held back with the file.",
               "{n} more rows without faults of their own were held back with the file.")},
    "page.cascade": {
        "sv": "Orsaken finns i deltagarfilen {file} (period {period}), rad {row}: {problem}. Rätta den raden "
              "i deltagarfilen, inte den här filen.",
        "en": "The cause is in the participants file {file} (period {period}), row {row}: {problem}. Correct "
              "that row in the participants file, not this file."},
    "page.technical": {"sv": "Teknisk rapport (Data Docs, på engelska)", "en": "Technical report (Data Docs)"},
    "page.source_index": {"sv": "Alla filer från {source}", "en": "All files from {source}"},
    "page.made": {"sv": "Sidan skapades {at} av Samla. Den visar inga personnummer: raderna anges med sitt "
                        "radnummer i filen.",
                  "en": "Page made {at} by Samla. It shows no personnummer: rows are identified by their row "
                        "number in the file."},
    "page.email_link": {"sv": "Sidan om filen (vad som är fel, rad för rad):",
                        "en": "The file's page (what is wrong, row by row):"},
    # The source's page
    "page.source.title": {"sv": "{source}: levererade filer", "en": "{source}: delivered files"},
    "page.source.intro": {
        "sv": "Källans filer, den senast ankomna först. För varje datamängd och period räknas den senaste "
              "inlästa leveransen i de publicerade siffrorna; en avvisad fil ändrar inget.",
        "en": "The source's files, the latest arrival first. For each dataset and period the latest loaded "
              "delivery counts in the published numbers; a rejected file changes nothing."},
    "page.source.none": {"sv": "Inga filer har kommit in ännu.", "en": "No files have arrived yet."},
    "page.col.file": {"sv": "Fil", "en": "File"},
    "page.col.status": {"sv": "Status", "en": "Status"},
    "page.col.counts": {"sv": "Räknas", "en": "Counts"},
    "page.counts.yes": {"sv": "Ja: den här leveransen gäller", "en": "Yes: this delivery counts"},
    "page.counts.replaced": {"sv": "Nej: ersatt av en senare leverans", "en": "No: replaced by a later delivery"},
    "page.counts.rejected_previous": {"sv": "Nej: avvisad, den tidigare leveransen gäller",
                                      "en": "No: rejected, the previous delivery counts"},
    "page.counts.rejected_none": {"sv": "Nej: avvisad, ingen leverans gäller för perioden",
                                  "en": "No: rejected, no delivery counts for the period"},
    "page.counts.rejected": {"sv": "Nej: avvisad", "en": "No: rejected"},
    # What a column accepts (accepted_for)
    "page.accept.date": {"sv": "ett datum skrivet {format}", "en": "a date written {format}"},
    "page.accept.month": {"sv": "en månad skriven ÅÅÅÅ-MM", "en": "a month written YYYY-MM"},
    "page.accept.integer": {"sv": "ett heltal", "en": "a whole number"},
    "page.accept.number": {"sv": "ett tal", "en": "a number"},
    "page.accept.boolean": {"sv": "ja eller nej: {labels}", "en": "yes or no: {labels}"},
    "page.accept.person": {"sv": "ett giltigt personnummer eller samordningsnummer",
                           "en": "a valid personnummer or samordningsnummer"},
    "page.accept.codes": {"sv": "en av koderna {codes}", "en": "one of the codes {codes}"},
    "page.accept.wave": {"sv": "en enkätomgång skriven T0, T1, T2 …", "en": "a survey wave written T0, T1, T2 …"},
    "page.accept.kommunkod": {"sv": "en av källans kommunkoder: {codes}",
                              "en": "one of the source's municipality codes: {codes}"},
    "page.accept.period": {"sv": "leveransens period, {period}", "en": "the delivery's period, {period}"},
    "page.accept.between": {"sv": "från {low} till och med {high}", "en": "from {low} to {high} inclusive"},
    "page.accept.above_upto": {"sv": "mer än {low} och högst {high}", "en": "more than {low} and at most {high}"},
    "page.accept.from": {"sv": "{low} eller mer", "en": "{low} or more"},
    "page.accept.upto": {"sv": "högst {high}", "en": "at most {high}"},
    "page.accept.or": {"sv": "eller", "en": "or"},
}
