"""What ``samla run`` (and ``samla demo``, which runs it) prints: progress per period, the summary, failures."""

MESSAGES = {
    "run.start": {
        "sv": ("Läser in {n} period {first}..{last} för {which} (Airflows logg: {log})",
               "Läser in {n} perioder {first}..{last} för {which} (Airflows logg: {log})"),
        "en": ("Ingesting {n} period {first}..{last} for {which} (Airflow log: {log})",
               "Ingesting {n} periods {first}..{last} for {which} (Airflow log: {log})"),
    },
    "run.all_sources": {"sv": ("den enda källan", "alla {n} källor"), "en": ("the one source", "all {n} sources")},
    # A period's progress line counts files (common.files), rows (ingest.loaded, ingest.quarantined) and these:
    "run.rejected": {"sv": ("{n} avvisad", "{n} avvisade"), "en": ("{n} rejected", "{n} rejected")},
    "run.failed_tasks": {"sv": "; MISSLYCKADE uppgifter: {tasks}", "en": "; FAILED tasks: {tasks}"},
    "run.publication": {"sv": "  publicering: {state} ({seconds} s)", "en": "  publication: {state} ({seconds} s)"},
    # Airflow's states of the publication run, as shown on the line above (another state is shown as it is)
    "run.state.success": {"sv": "klar", "en": "success"},
    "run.state.failed": {"sv": "misslyckades", "en": "failed"},
    "run.see_log": {"sv": "se {log}", "en": "see {log}"},
    "run.tasks_failed": {
        "sv": "\nUppgifter som inte lyckades: {tasks} — orsaken står i {log}",
        "en": "\nTasks that did not succeed: {tasks} — the reason is in {log}",
    },
    "run.no_new_deliveries": {"sv": "\nInga nya leveranser hittades.", "en": "\nNo new deliveries were found."},
    "run.per_source": {"sv": "Per källa:", "en": "Per source:"},
    "run.col.files": {"sv": "Filer", "en": "Files"},
    "run.col.rejected": {"sv": "Avvisade", "en": "Rejected"},
    "run.rejected_title": {
        "sv": "Avvisade filer (inget av dem lästes in; den tidigare leveransen gäller):",
        "en": "Rejected files (nothing of these was loaded; the previous delivery stays):",
    },
    "run.shortened": {"sv": "Långa meddelanden är förkortade (…): hela texten med samla status --file FIL.",
                      "en": "Long messages are shortened (…): the full text with samla status --file FILE."},
    "run.see_details": {
        "sv": "\nSe `samla status` och `samla quarantine KÄLLA PERIOD` för detaljerna.",
        "en": "\nSee `samla status` and `samla quarantine SOURCE PERIOD` for the details.",
    },
    "run.worker_failed": {"sv": "arbetsprocess {n} avslutades oväntat (slutkod {code})",
                          "en": "worker process {n} ended unexpectedly (exit code {code})"},
    "run.stopped": {"sv": "Körningen avbröts: {reason}. Se {log}.", "en": "The run stopped: {reason}. See {log}."},
    "run.interrupted": {
        "sv": "Avbruten (Ctrl-C): arbetsprocesserna är stoppade. En period som inte blev klar läses in "
              "igen vid nästa körning. Se {log}.",
        "en": "Interrupted (Ctrl-C): the worker processes are stopped. A period left unfinished is read "
              "again by the next run. See {log}.",
    },
}
