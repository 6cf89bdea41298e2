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
    # The planted faults (transforms/demo/faults.py), as samla demo lists them
    "demo.fault.bad_luhn": {
        "sv": "deltagarrad med ett felskrivet personnummer (kontrollsiffran stämmer inte)",
        "en": "participants row with a mistyped personnummer (the Luhn check digit does not match)",
    },
    "demo.fault.unknown_label": {
        "sv": "aktivitetsrad med aktiviteten '{label}', som inte finns i källans kodlista",
        "en": "activities row with the activity label '{label}', which is not in the source's code list",
    },
    "demo.fault.attended_over_scheduled": {
        "sv": "närvarorad med {minutes} närvarominuter mer än schemalagt (frånvaron lämnad tom)",
        "en": "attendance row with {minutes} attended minutes more than scheduled (absences left empty)",
    },
    "demo.fault.exit_before_entry": {
        "sv": ("deltagarrad vars utskrivningsdatum ligger före inskrivningsdatumet; elevens {n} andra rad för "
               "källan och perioden följer med i karantän",
               "deltagarrad vars utskrivningsdatum ligger före inskrivningsdatumet; elevens {n} andra rader för "
               "källan och perioden följer med i karantän"),
        "en": ("participants row whose exit date lies before its entry date; the pupil's {n} other row of the "
               "source and period follows it into quarantine",
               "participants row whose exit date lies before its entry date; the pupil's {n} other rows of the "
               "source and period follow it into quarantine"),
    },
    "demo.fault.duplicate_row": {
        "sv": "samma elevs närvaro för månaden levererad två gånger (båda raderna hålls i karantän)",
        "en": "the same pupil's attendance for the month delivered twice (both rows are quarantined)",
    },
    "demo.fault.stranger": {
        "sv": "närvarorad för en elev som inte finns i källans deltagarfil",
        "en": "attendance row for a pupil who is not in the source's participants snapshot",
    },
    "demo.fault.date_outside_period": {
        "sv": "aktivitetsrad daterad efter periodens slut",
        "en": "activities row dated after the end of the period",
    },
    "demo.fault.renamed_column": {
        "sv": "närvarofil utan den obligatoriska kolumnen attended_min: exportmallen döpte om '{old}' till "
              "'{new}', som inte är något av källans alias",
        "en": "attendance file without the required column attended_min: the export template renamed '{old}' to "
              "'{new}', which is no alias of the source",
    },
    # python -m transforms.demo.cli
    "demo.cli.source_files": {"sv": "{label}: {files}, {rows} i {folder}", "en": "{label}: {files}, {rows} in {folder}"},
    "demo.cli.fault": {"sv": "fel [{level}] {file} ({where}): {description}",
                       "en": "fault [{level}] {file} ({where}): {description}"},
    "demo.cli.fault_rows": {"sv": "rader {rows}", "en": "rows {rows}"},
    "demo.cli.whole_file": {"sv": "hela filen", "en": "whole file"},
    "demo.cli.error": {"sv": "exempeldata: {error}", "en": "sample data: {error}"},
    "demo.col.area": {"sv": "Område", "en": "Area"},
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
              "  filsidor          {steward_pages}/<källa>/index.html  (dataansvarigas sidor; samla portal)\n"
              "  råarkiv           {archive}  (som levererat: {landing}; de enda personnumren)\n"
              "  lager             {warehouse}\n"
              "  publicerade filer {published}\n"
              "  fondrapport       {reports}",
        "en": "\nWhere to look:\n"
              "  curated Parquet   {curated}/<dataset>/source=<id>/period=<YYYY-MM>/data.parquet\n"
              "  load ledger       {ledger}  (or: samla status)\n"
              "  quarantine        {quarantine}  (or: samla quarantine SOURCE PERIOD)\n"
              "  file pages        {steward_pages}/<source>/index.html  (the stewards' pages; samla portal)\n"
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
