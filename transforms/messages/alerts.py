"""The project office's failure e-mail and the steward's confirmation (plugins/samla_airflow/alerts.py, notify.py)."""

MESSAGES = {
    "alerts.dag.samla_ingest": {"sv": "inläsningen av leveranser", "en": "the ingestion of deliveries"},
    "alerts.dag.samla_publish": {"sv": "publiceringen av indikatorer", "en": "the publication of indicators"},
    "alerts.dag.samla_retention": {"sv": "gallringen av rådata", "en": "the retention of raw deliveries"},
    "alerts.office.subject": {
        "sv": ("Samla: körningen av {dag} misslyckades ({n} uppgift)",
               "Samla: körningen av {dag} misslyckades ({n} uppgifter)"),
        "en": ("Samla: the {dag} run failed ({n} task)", "Samla: the {dag} run failed ({n} tasks)")},
    "alerts.office.intro": {
        "sv": "En körning av <b>{dag}</b> ({what}) i Samla ({project}:s rapportering) misslyckades. Körning "
              "<code>{run_id}</code>, startad {started}.",
        "en": "A run of <b>{dag}</b> ({what}) in Samla ({project} reporting) failed. Run <code>{run_id}</code>, "
              "started {started}."},
    "alerts.office.failed": {
        "sv": ("{n} uppgift misslyckades, med sitt felmeddelande:", "{n} uppgifter misslyckades, med sina felmeddelanden:"),
        "en": ("{n} task failed, with its error message:", "{n} tasks failed, with their error messages:")},
    "alerts.office.map_index": {"sv": "(instans {n})", "en": "(instance {n})"},
    "alerts.office.no_line": {
        "sv": "inget felmeddelande sparades (uppgiften kan ha stoppats utifrån); se uppgiftens logg i Airflow",
        "en": "no error message was kept (the task may have been stopped from outside); see the task's log in "
              "Airflow"},
    "alerts.office.todo_read": {
        "sv": "Läs felmeddelandet och uppgiftens logg i Airflow. <code>samla status</code> visar läget för "
              "källorna och deras filer.",
        "en": "Read the error message and the task's log in Airflow. <code>samla status</code> shows the state "
              "of the sources and their files."},
    "alerts.office.todo_clear": {
        "sv": "När orsaken är åtgärdad (t.ex. en saknad anslutning, inställning eller nyckel): rensa (Clear) den "
              "misslyckade uppgiften i Airflows gränssnitt, så körs den om i samma körning. Uppgifter som "
              "lyckades behöver inte köras om.",
        "en": "Once the cause is fixed (e.g. a missing connection, setting or key): clear the failed task in "
              "Airflow's UI and it runs again within the same run. Tasks that succeeded need not run again."},
    "alerts.office.link": {"sv": "Körningen i Airflow:", "en": "The run in Airflow:"},
    "alerts.office.footer": {
        "sv": "Det här meddelandet skickades automatiskt av Samla till projektkontoret ({env}), en gång per "
              "misslyckad körning. Det innehåller inga personnummer.",
        "en": "This message was sent automatically by Samla to the project office ({env}), once per failed run. "
              "It contains no personal identity numbers."},
    "alerts.next_run.time": {"sv": "Nästa schemalagda körning: {when}.", "en": "Next scheduled run: {when}."},
    "alerts.next_run.assets": {
        "sv": "Den här körningen har inget tidsschema: den startar när inläsningen har ändrat data.",
        "en": "This run has no time schedule: it starts when the ingestion has changed data."},
    "alerts.next_run.none": {
        "sv": "Den här körningen har inget schema: den startas för hand.",
        "en": "This run has no schedule: it is started by hand."},
    "alerts.steward.picks_up_at": {"sv": "Nästa schemalagda körning, {when}, hämtar den",
                                   "en": "The next scheduled run, {when}, picks it up"},
    "alerts.steward.picks_up": {"sv": "Nästa körning hämtar den", "en": "The next run picks it up"},
    "alerts.steward.count_replaced": {"sv": ("{n} rättad fil inläst", "{n} rättade filer inlästa"),
                                      "en": ("{n} corrected file loaded", "{n} corrected files loaded")},
    "alerts.steward.intro": {
        "sv": "Samla ({project}:s rapportering) har läst in er rättade leverans från <b>{source}</b>. Tack!",
        "en": "Samla ({project} reporting) has loaded your corrected delivery from <b>{source}</b>. Thank you!"},
    "alerts.steward.confirmed": {"sv": "Rättade leveranser som nu är inlästa:",
                                 "en": "Corrected deliveries now loaded:"},
    "alerts.steward.replaces": {
        "sv": ("<code>{file}</code> ({dataset} {period}): {n} rad inläst. Den ersätter den tidigare leveransen "
               "<code>{previous}</code> (mottagen {arrived}), som {what}.",
               "<code>{file}</code> ({dataset} {period}): {n} rader inlästa. Den ersätter den tidigare leveransen "
               "<code>{previous}</code> (mottagen {arrived}), som {what}."),
        "en": ("<code>{file}</code> ({dataset} {period}): {n} row loaded. It replaces the earlier delivery "
               "<code>{previous}</code> (received {arrived}), which {what}.",
               "<code>{file}</code> ({dataset} {period}): {n} rows loaded. It replaces the earlier delivery "
               "<code>{previous}</code> (received {arrived}), which {what}.")},
    "alerts.steward.rechecked": {
        "sv": ("<code>{file}</code> ({dataset} {period}) kontrollerades på nytt och är nu inläst: {n} rad. "
               "Den {what} tidigare.",
               "<code>{file}</code> ({dataset} {period}) kontrollerades på nytt och är nu inläst: {n} rader. "
               "Den {what} tidigare."),
        "en": ("<code>{file}</code> ({dataset} {period}) was checked again and is now loaded: {n} row. "
               "Earlier it {what}.",
               "<code>{file}</code> ({dataset} {period}) was checked again and is now loaded: {n} rows. "
               "Earlier it {what}.")},
    "alerts.steward.was_rejected": {"sv": "avvisades", "en": "was rejected"},
    "alerts.steward.had_quarantine": {"sv": ("hade {n} rad i karantän", "hade {n} rader i karantän"),
                                      "en": ("had {n} row in quarantine", "had {n} rows in quarantine")},
}
