"""What ``samla demo`` says: the sample deliveries, where they are, what to do next."""

MESSAGES = {
    "demo.generating": {
        "sv": "Samla demo: exempelleveranser för {sources} källor, {first}..{last}, i {data_dir}",
        "en": "Samla demo: sample deliveries for {sources} sources, {first}..{last}, in {data_dir}",
    },
    "demo.project_written": {
        "sv": "Genererat projekt: {municipalities} kommuner i {regions} regioner, {pupils} elever per kommun, "
              "{months} månader; källfilen (med projektet) är {path}",
        "en": "Generated project: {municipalities} municipalities in {regions} regions, {pupils} pupils per "
              "municipality, {months} months; the sources file (with the project) is {path}",
    },
    "demo.planted_fault": {
        "sv": "  inplanterat fel: {source} {dataset} {period}: {description}",
        "en": "  planted fault: {source} {dataset} {period}: {description}",
    },
    "demo.delivered": {
        "sv": "{files} leveransfiler, {rows} rader, i mottagningsmapparna under {landing}",
        "en": "{files} delivery files, {rows} rows, in the landing folders under {landing}",
    },
    "demo.next_steps": {
        "sv": "Inget har körts än. Läs in leveranserna på något av dessa sätt:\n"
              "{env}"
              "  SAMLA_DEMO=1 samla run --from {first} --to {last}   # i en process, med förlopp per månad\n"
              "  make airflow                                         # Airflows schemaläggare och webbgränssnitt\n"
              "SAMLA_DEMO=1 låter samla run använda demonyckeln i {key_file} (pseudonymer som i demon); "
              "i drift sätts SAMLA_PSEUDONYM_KEY i stället.",
        "en": "Nothing has run yet. Load the deliveries one of these ways:\n"
              "{env}"
              "  SAMLA_DEMO=1 samla run --from {first} --to {last}   # in-process, with progress per month\n"
              "  make airflow                                         # Airflow's scheduler and UI\n"
              "SAMLA_DEMO=1 is what lets samla run reuse the demo key in {key_file} (the demo's pseudonyms); "
              "in production set SAMLA_PSEUDONYM_KEY instead.",
    },
    "demo.export_sources": {
        "sv": "  export SAMLA_SOURCES={path}   # först, i varje skal: det genererade projektets källfil\n",
        "en": "  export SAMLA_SOURCES={path}   # first, in every shell: the generated project's sources file\n",
    },
    "demo.project_env_ignored": {
        "sv": "OBS: SAMLA_PROJECT ({path}) används inte för det genererade projektet; det står i dess källfil.",
        "en": "Note: SAMLA_PROJECT ({path}) is not used for the generated project; its sources file holds it.",
    },
    "demo.where_to_look": {
        "sv": "\nVar resultaten finns:\n"
              "  kurerad Parquet   {curated}/<dataset>/source=<id>/period=<ÅÅÅÅ-MM>/data.parquet\n"
              "  inläsningslogg    {ledger}  (eller: samla status)\n"
              "  karantän          {quarantine}  (eller: samla quarantine KÄLLA PERIOD)\n"
              "  råarkiv           {archive}  (som levererat: {landing}; de enda personnumren)\n"
              "  lager             {warehouse}\n"
              "  publicerade filer {published}\n"
              "  fondrapport       {reports}",
        "en": "\nWhere to look:\n"
              "  curated Parquet   {curated}/<dataset>/source=<id>/period=<YYYY-MM>/data.parquet\n"
              "  load ledger       {ledger}  (or: samla status)\n"
              "  quarantine        {quarantine}  (or: samla quarantine SOURCE PERIOD)\n"
              "  raw archive       {archive}  (as delivered: {landing}; the only personnummer)\n"
              "  warehouse         {warehouse}\n"
              "  published files   {published}\n"
              "  fund report       {reports}",
    },
    "demo.summary_title": {
        "sv": "\nEECO01 deltagare per kön, {period} (.. = undertryckt: färre än {threshold} elever "
              "eller skyddar en sådan cell):",
        "en": "\nEECO01 participants by gender, {period} (.. = suppressed, fewer than {threshold} pupils "
              "or protecting such a cell):",
    },
    "demo.nothing_published": {
        "sv": "\n(inga publicerade indikatorer än: {error})",
        "en": "\n(no published indicators yet: {error})",
    },
}
