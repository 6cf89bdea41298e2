"""The steward e-mail (plugins/samla_airflow/notify.py): Swedish first, English with SAMLA_LANGUAGE=en."""

MESSAGES = {
    "email.subject": {"sv": "Samla: {source}: {counts}", "en": "Samla: {source}: {counts}"},
    "email.count_rejected": {"sv": ("{n} fil avvisad", "{n} filer avvisade"),
                             "en": ("{n} file rejected", "{n} files rejected")},
    "email.count_quarantine": {"sv": ("{n} fil med rader i karantän", "{n} filer med rader i karantän"),
                               "en": ("{n} file with quarantined rows", "{n} files with quarantined rows")},
    "email.count_warnings": {"sv": ("{n} fil inläst med varningar", "{n} filer inlästa med varningar"),
                             "en": ("{n} file loaded with warnings", "{n} files loaded with warnings")},
    "email.greeting": {"sv": "Hej {name},", "en": "Hello {name},"},
    "email.greeting_anonymous": {"sv": "Hej,", "en": "Hello,"},
    "email.intro": {
        "sv": "Samla ({project}:s rapportering) har behandlat nya leveranser från <b>{source}</b>: {counts}. "
              "Varje fil beskrivs nedan: vad som är fel och vad ni behöver göra. Filer som inte nämns lästes in "
              "utan problem.",
        "en": "Samla ({project} reporting) has processed new deliveries from <b>{source}</b>: {counts}. Each file "
              "is described below: what is wrong and what to do. Files not listed loaded without problems."},
    "email.footer": {
        "sv": "Det här meddelandet skickades automatiskt av Samla. Det innehåller inga personnummer eller "
              "personid: raderna anges med sitt radnummer i er fil. Frågor: kontakta projektkontoret för {project}.",
        "en": "This message was sent automatically by Samla. It contains no person ids: rows are identified by "
              "their row number in your file. Questions: contact the {project} project office."},
    "email.file_status_rejected": {"sv": "AVVISAD (inget lästes in)", "en": "REJECTED (nothing loaded)"},
    "email.file_status_quarantine": {"sv": "inläst, vissa rader hålls i karantän",
                                     "en": "loaded, some rows held in quarantine"},
    "email.file_status_warnings": {"sv": "inläst, med varningar", "en": "loaded, with warnings"},
    "email.file_line": {
        "sv": "Datamängd <b>{dataset}</b>, period <b>{period}</b>: {status}. Lästa rader {read}, inlästa "
              "{accepted}, i karantän {held}.",
        "en": "Dataset <b>{dataset}</b>, period <b>{period}</b>: {status}. Rows read {read}, loaded {accepted}, "
              "held in quarantine {held}."},
    "email.what_is_wrong": {"sv": "Vad är fel:", "en": "What is wrong:"},
    "email.what_to_do": {"sv": "Vad ni gör:", "en": "What to do:"},
    "email.warnings": {"sv": "Varningar:", "en": "Warnings:"},
    "email.problem_rows": {"sv": "{problem} (rad {rows})", "en": "{problem} (row {rows})"},
    "email.more_problems": {"sv": ("och {n} problem till", "och {n} problem till"),
                            "en": ("and {n} more problem", "and {n} more problems")},
    "email.cascade": {
        "sv": "{header}: personen finns inte bland de godkända deltagarna, eftersom raden för personen i "
              "deltagarfilen {file} hålls i karantän: rad {root_row}, {root_problem}. Rätta den raden",
        "en": "{header}: the person is not an accepted participant, because the person's row in the "
              "participants file {file} is held in quarantine: row {root_row}, {root_problem}. Fix that row"},
    "email.all_rows_held": {"sv": ("Filens enda rad hålls i karantän på grund av detta ({rules}).",
                                   "Alla {n} rader i filen hålls i karantän på grund av detta ({rules})."),
                            "en": ("The file's only row is held in quarantine because of this ({rules}).",
                                   "All {n} rows of the file are held in quarantine because of this ({rules}).")},
    "email.rows_intro": {
        "sv": "Raderna med problem ({rows} rader, {problems} problem; radnummer som i er fil, rubrikraden medräknad):",
        "en": "The rows with problems ({rows} rows, {problems} problems; row numbers as in your file, header row "
              "included):"},
    "email.col.row": {"sv": "Rad", "en": "Row"},
    "email.col.column": {"sv": "Kolumn", "en": "Column"},
    "email.col.rule": {"sv": "Regel", "en": "Rule"},
    "email.col.problem": {"sv": "Problem", "en": "Problem"},
    "email.col.value": {"sv": "Värde", "en": "Value"},
    "email.more_rows": {
        "sv": "… och {n} till: se <code>{command}</code> (projektkontoret kan köra kommandot åt er).",
        "en": "… and {n} more: see <code>{command}</code> (the project office can run it for you)."},
    "email.data_docs": {"sv": "Valideringsrapport (Data Docs):", "en": "Validation report (Data Docs):"},
    "email.rerun": {
        "sv": "kan projektkontoret köra om bara den här källan (<code>{command}</code>)",
        "en": "the project office can re-run only this source (<code>{command}</code>)"},
    "email.todo_name": {
        "sv": "Inget av filen lästes in, och data som Samla redan har ligger kvar. Byt namn på filen så att det "
              "följer det överenskomna mönstret <code>{pattern}</code> (t.ex. en verklig rapportmånad ÅÅÅÅ-MM) "
              "och leverera den igen. {next_run}, eller så kan projektkontoret köra om bara den här källan.",
        "en": "Nothing of this file was loaded, and data Samla already has stays published. Rename the file so "
              "that it follows the agreed pattern <code>{pattern}</code> (e.g. a real reporting month YYYY-MM) "
              "and deliver it again. {next_run}, or the project office can re-run only this source."},
    "email.todo_rejected": {
        "sv": "Inget av filen lästes in; den tidigare leveransen av {dataset} {period} (om det finns någon) "
              "gäller fortfarande. Rätta exporten och leverera hela filen igen med samma namn, <code>{file}</code>. "
              "{next_run}, eller så {rerun}.",
        "en": "Nothing of this file was loaded; the previous delivery of {dataset} {period} (if there is one) "
              "stays published. Fix the export and deliver the whole file again with the same name, "
              "<code>{file}</code>. {next_run}, or {rerun}."},
    "email.todo_quarantine": {
        "sv": "De övriga {accepted} raderna lästes in; raderna ovan räknas inte förrän de är rättade. Rätta dem i "
              "exporten och leverera hela filen igen med samma namn, <code>{file}</code>: den nya leveransen "
              "ersätter den här. {next_run}, eller så {rerun}.",
        "en": "The other {accepted} rows were loaded; the rows above are not counted until they are fixed. "
              "Correct them in the export and deliver the whole file again with the same name, "
              "<code>{file}</code>: the new delivery replaces this one. {next_run}, or {rerun}."},
    # A file loaded whole, with warnings only (e.g. a participants snapshot that shrank): no row to fix.
    "email.todo_warnings": {
        "sv": "Filen lästes in: alla {accepted} rader räknas och ingen rad hålls i karantän. Läs varningarna och "
              "kontrollera exporten. Om den behöver rättas, leverera hela filen igen med samma namn, "
              "<code>{file}</code>: den nya leveransen ersätter den här. Annars behöver ni inte göra något.",
        "en": "The file was loaded: all {accepted} rows count and no row is held in quarantine. Read the warnings "
              "and check the export. If it needs correcting, deliver the whole file again with the same name, "
              "<code>{file}</code>: the new delivery replaces this one. Otherwise there is nothing to do."},
    "email.todo_cascade": {
        "sv": "Rätta raden i deltagarfilen ({roots}) och leverera deltagarfilen igen med samma namn. Då "
              "kontrolleras den här filen på nytt automatiskt; ni behöver inte skicka den igen.",
        "en": "Fix the row in the participants file ({roots}) and deliver the participants file again with the "
              "same name. This file is then checked again automatically; there is no need to send it again."},
    "email.root_rows": {"sv": "{file} rad {rows}", "en": "{file} row {rows}"},
}
