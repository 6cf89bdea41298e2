"""The ``samla`` command's help (``samla --help``, ``samla COMMAND --help``) and argparse's own words.

The ``argparse.*`` texts are argparse's English message ids, word for word in ``en`` (argparse looks
them up through gettext; ``samla_airflow.cli.parser`` answers from here, for the samla parser only).
"""

MESSAGES = {
    # samla --help
    "cli_help.description": {
        "sv": "Samla: rapporteringsflödet för {project} i kommunerna. Inställningarna kommer från "
              "miljövariablerna SAMLA_* (se README).",
        "en": "Samla: {project} municipal reporting pipeline. Settings come from SAMLA_* environment variables "
              "(see README).",
    },
    # demo
    "cli_help.demo": {"sv": "exempelleveranser för de tio kommunerna, läs in och publicera dem",
                      "en": "sample deliveries for the ten municipalities, ingest and publish them"},
    "cli_help.demo.description": {
        "sv": "Skapar exempelleveranser för varje källa, kör inläsning och publicering genom de riktiga DAG:arna "
              "och skriver var resultaten finns. Använder demoläget (en lokal pseudonymiseringsnyckel).",
        "en": "Generate sample deliveries for every source, run ingestion and publication through the real DAGs, "
              "and print where the results are. Uses demo mode (a local pseudonymisation key).",
    },
    "cli_help.demo.data_dir": {"sv": "datamapp (standard: SAMLA_DATA_DIR eller ./data)",
                               "en": "data folder (default: SAMLA_DATA_DIR or ./data)"},
    "cli_help.demo.periods": {"sv": "FÖRSTA:SISTA period (standard: projektets första sex månader)",
                              "en": "FIRST:LAST periods (default: the project's first six months)"},
    "cli_help.demo.deliver_only": {"sv": "fyll bara inkorgsmapparna (för make airflow eller en senare samla run)",
                                   "en": "only fill the landing folders (for make airflow or a later samla run)"},
    "cli_help.demo.scale": {"sv": "multiplicera varje kommuns elever (t.ex. 100)",
                            "en": "multiply every municipality's pupils (e.g. 100)"},
    "cli_help.demo.generated": {"sv": "ett genererat projekt", "en": "a generated project"},
    "cli_help.demo.generated_description": {
        "sv": "i stället för Fokus IM: N kommuner i R regioner, alla leveransformat",
        "en": "instead of Fokus IM: N municipalities in R regions, every delivery format",
    },
    "cli_help.demo.regions": {"sv": "standard: min(N, 21)", "en": "default: min(N, 21)"},
    "cli_help.demo.pupils": {"sv": "per kommun (standard 138)", "en": "per municipality (default 138)"},
    "cli_help.demo.months": {"sv": "från Fokus IM:s första månad (standard 12)",
                             "en": "from Fokus IM's first month (default 12)"},
    "cli_help.demo.national": {"sv": "290 kommuner i 21 regioner, 138 elever var, 12 månader",
                               "en": "290 municipalities in 21 regions, 138 pupils each, 12 months"},
    # run
    "cli_help.run": {"sv": "läs in och publicera ett periodintervall genom de riktiga DAG:arna",
                     "en": "ingest and publish a period range through the real DAGs"},
    "cli_help.run.description": {
        "sv": "Läser in leveranserna för ett periodintervall (alla källor eller de som anges med --source) och "
              "publicerar indikatortabellerna, med förlopp per period.",
        "en": "Ingest the deliveries of a period range (all sources, or --source ones) and publish the indicator "
              "tables, with progress per period.",
    },
    "cli_help.run.source": {"sv": "bara denna källa (kan upprepas)", "en": "only this source (repeatable)"},
    "cli_help.run.no_publish": {"sv": "bara inläsning", "en": "ingest only"},
    "cli_help.run.workers": {
        "sv": "antal arbetsprocesser som delar källorna (standard: SAMLA_RUN_WORKERS, annars efter kärnor och "
              "minne; 1 = allt i en process)",
        "en": "worker processes sharing the sources (default: SAMLA_RUN_WORKERS, else from cores and memory; "
              "1 = everything in one process)",
    },
    "cli_help.run.workers_invalid": {"sv": "ett heltal från 1 förväntades, inte «{value}»",
                                     "en": "a whole number from 1 expected, not '{value}'"},
    # check
    "cli_help.check": {"sv": "kontrollera en fil före leverans; sparar ingenting",
                       "en": "check a file before delivery; stores nothing"},
    "cli_help.check.description": {
        "sv": "Kontrollerar en exportfil med exakt flödets inläsning och regler. Sparar ingenting, behöver ingen "
              "pseudonymiseringsnyckel och skriver aldrig ut ett personnummer.",
        "en": "Check one export file with exactly the pipeline's parsing and rules. Stores nothing, needs no "
              "pseudonymisation key, never prints a personnummer.",
    },
    "cli_help.json": {"sv": "maskinläsbar utdata", "en": "machine-readable output"},
    # status
    "cli_help.status": {"sv": "senaste leverans, antal och status per källa, datamängd och period",
                        "en": "latest delivery, counts and status per source, dataset and period"},
    "cli_help.status.description": {
        "sv": "Per källa, datamängd och period: den senaste leveransen, dess antal, status och meddelande; "
              "datamängder som saknas eller är avvisade; källor som inte är aktuella.",
        "en": "Per source, dataset and period: the latest delivery, its counts, status and message; the datasets "
              "missing or rejected; the stale sources.",
    },
    "cli_help.status.source": {"sv": "bara denna källa", "en": "only this source"},
    "cli_help.status.problems": {"sv": "bara leveranser som inte lästes in felfritt",
                                 "en": "only deliveries that were not loaded cleanly"},
    "cli_help.status.file": {"sv": "en leverans i sin helhet (varje post med det filnamnet)",
                             "en": "one delivery in full (every record of that file name)"},
    "cli_help.status.json": {"sv": "maskinläsbar utdata, meddelanden i sin helhet",
                             "en": "machine-readable output, messages in full"},
    # quarantine
    "cli_help.quarantine": {"sv": "raderna i karantän för en källa och period, med sina regler",
                            "en": "the quarantined rows of a source and period with their rules"},
    "cli_help.quarantine.description": {
        "sv": "Den senaste leveransen av varje datamängd för en källa och period: de avvisade filerna, sedan "
              "varje rad i karantän med de regler den bröt mot.",
        "en": "The newest delivery of each dataset of a source and period: the rejected files, then every "
              "quarantined row with the rules it broke.",
    },
    # config
    "cli_help.config": {"sv": "kontrollera käll- och projektfilerna", "en": "check the sources and project files"},
    "cli_help.config.description": {"sv": "Kontrollerar källfilen och projektfilen.",
                                    "en": "Check the sources file and the project file."},
    "cli_help.config.check": {"sv": "skriv alla fel på en gång (slutstatus 2), eller ok och en rad per källa",
                              "en": "print every fault at once (exit 2), or ok and one line per source"},
    "cli_help.config.check.description": {"sv": "Läser SAMLA_SOURCES (och SAMLA_PROJECT) som DAG:arna gör.",
                                          "en": "Reads SAMLA_SOURCES (and SAMLA_PROJECT) like the DAGs do."},
    # rotate-key
    "cli_help.rotate_key": {
        "sv": "byt pseudonymiseringsnyckel: gör om bearbetade data och karantän från rådataarkivet",
        "en": "change the pseudonymisation key: re-make curated data and quarantine from the raw archive",
    },
    "cli_help.rotate_key.description": {
        "sv": "Pseudonymiserar om bearbetade data och karantän från rådataarkivet med nyckeln i {new_key} (den "
              "nuvarande nyckeln står kvar i SAMLA_PSEUDONYM_KEY). Byggs vid sidan av och byts in först när varje "
              "partition är omgjord; stoppa schemaläggaren först. Sätt sedan SAMLA_PSEUDONYM_KEY till den nya "
              "nyckeln.",
        "en": "Re-pseudonymise curated data and quarantine from the raw archive under the key in {new_key} (the "
              "current key stays in SAMLA_PSEUDONYM_KEY). Built aside and swapped in only when every partition "
              "was re-made; stop the scheduler first. Afterwards set SAMLA_PSEUDONYM_KEY to the new key.",
    },
    # placeholders of the usage line (metavars; ID, PERIOD and the one-letter ones are the same in both)
    "cli_help.metavar.command": {"sv": "KOMMANDO", "en": "COMMAND"},
    "cli_help.metavar.action": {"sv": "ÅTGÄRD", "en": "ACTION"},
    "cli_help.metavar.file": {"sv": "FIL", "en": "FILE"},
    "cli_help.metavar.name": {"sv": "FILNAMN", "en": "NAME"},
    "cli_help.metavar.source": {"sv": "KÄLLA", "en": "SOURCE"},
    "cli_help.metavar.month": {"sv": "ÅÅÅÅ-MM", "en": "YYYY-MM"},
    "cli_help.metavar.data_dir": {"sv": "DATAMAPP", "en": "DATA_DIR"},
    "cli_help.metavar.periods": {"sv": "PERIODER", "en": "PERIODS"},
    # main()
    "cli.data_folder_error": {
        "sv": "datamappen går inte att skriva till eller läsa från: {reason} ({error}). Inget halvskrivet sparas; "
              "frigör diskutrymme eller rätta behörigheten och kör igen",
        "en": "the data folder cannot be written or read: {reason} ({error}). Nothing half-written is kept; "
              "free disk space or fix the permission and run again",
    },
    # argparse's own words (msgids of Python 3.11's argparse, en exactly as argparse writes them)
    "argparse.usage": {"sv": "användning: ", "en": "usage: "},
    "argparse.positionals": {"sv": "argument", "en": "positional arguments"},
    "argparse.options": {"sv": "flaggor", "en": "options"},
    "argparse.help": {"sv": "visa denna hjälptext och avsluta", "en": "show this help message and exit"},
    "argparse.error": {"sv": "%(prog)s: fel: %(message)s\n", "en": "%(prog)s: error: %(message)s\n"},
    "argparse.argument": {"sv": "argumentet %(argument_name)s: %(message)s",
                          "en": "argument %(argument_name)s: %(message)s"},
    "argparse.required": {"sv": "följande argument krävs: %s", "en": "the following arguments are required: %s"},
    "argparse.unrecognized": {"sv": "okända argument: %s", "en": "unrecognized arguments: %s"},
    "argparse.expected_one": {"sv": "ett värde förväntades", "en": "expected one argument"},
    "argparse.expected_at_most_one": {"sv": "högst ett värde förväntades", "en": "expected at most one argument"},
    "argparse.expected_at_least_one": {"sv": "minst ett värde förväntades", "en": "expected at least one argument"},
    "argparse.invalid_choice": {"sv": "ogiltigt val: %(value)r (välj bland %(choices)s)",
                                "en": "invalid choice: %(value)r (choose from %(choices)s)"},
    "argparse.invalid_value": {"sv": "ogiltigt värde för %(type)s: %(value)r", "en": "invalid %(type)s value: %(value)r"},
    "argparse.ambiguous": {"sv": "tvetydig flagga: %(option)s kan betyda %(matches)s",
                           "en": "ambiguous option: %(option)s could match %(matches)s"},
    "argparse.unknown_parser": {"sv": "okänt kommando %(parser_name)r (välj bland %(choices)s)",
                                "en": "unknown parser %(parser_name)r (choices: %(choices)s)"},
    "argparse.explicit_ignored": {"sv": "värdet %r ignoreras", "en": "ignored explicit argument %r"},
    "argparse.not_allowed_with": {"sv": "får inte användas tillsammans med argumentet %s",
                                  "en": "not allowed with argument %s"},
    "argparse.one_of_required": {"sv": "ett av argumenten %s krävs", "en": "one of the arguments %s is required"},
    "argparse.subcommands": {"sv": "kommandon", "en": "subcommands"},
}
