"""What the Airflow UI shows of Samla: DAG and task names, the attention lists, the run summary, ``make airflow``.

Display names are made when a DAG file is parsed (SAMLA_LANGUAGE of the
dag-processor); task ids never change with the language.
"""

MESSAGES = {
    # DAG display names
    "dag.ingest": {"sv": "Samla inläsning", "en": "Samla ingestion"},
    "dag.publish": {"sv": "Samla publicering", "en": "Samla publication"},
    "dag.retention": {"sv": "Samla gallring av rådata", "en": "Samla raw archive retention"},
    # task display names
    "dag.task.select_sources": {"sv": "Källor med något nytt", "en": "Sources with something new"},
    "dag.task.ingest_source": {"sv": "Läs in {label}", "en": "Ingest {label}"},
    "dag.task.unknown_sources": {"sv": "Filer för okända källor", "en": "Files for unknown sources"},
    "dag.task.summary": {"sv": "Sammanfattning", "en": "Summary"},
    "dag.task.rejected_files": {"sv": "Avvisade filer", "en": "Rejected files"},
    "dag.task.quarantined_rows": {"sv": "Rader i karantän", "en": "Quarantined rows"},
    "dag.task.quarantined_sources": {"sv": "Källor med rader i karantän", "en": "Sources with quarantined rows"},
    "dag.task.run_check": {"sv": "Alla källuppgifter lyckades", "en": "Every source task succeeded"},
    "dag.task.publish_indicators": {"sv": "Beräkna, skydda och publicera indikatorer",
                                    "en": "Compute, suppress and publish indicators"},
    "dag.task.export_files": {"sv": "Parquet-kopia och fondrapport", "en": "Parquet copy and fund report"},
    "dag.task.purge": {"sv": "Radera utgångna rådataleveranser", "en": "Purge expired raw deliveries"},
    # One mapped instance of "Avvisade filer" / "Rader i karantän" per source: its name in the grid.
    "dag.attention.rejected": {
        "sv": ("{source}: {n} avvisad fil — {files}", "{source}: {n} avvisade filer — {files}"),
        "en": ("{source}: {n} rejected file — {files}", "{source}: {n} rejected files — {files}"),
    },
    "dag.attention.quarantined": {
        "sv": ("{source}: {n} rad i karantän — {files}", "{source}: {n} rader i karantän — {files}"),
        "en": ("{source}: {n} row quarantined — {files}", "{source}: {n} rows quarantined — {files}"),
    },
    "dag.attention.more": {"sv": "… och {n} till", "en": "… and {n} more"},
    "dag.attention.more_sources": {
        "sv": ("… och {n} källa till med {files} (samla status --problems)",
               "… och {n} källor till med {files} (samla status --problems)"),
        "en": ("… and {n} more source with {files} (samla status --problems)",
               "… and {n} more sources with {files} (samla status --problems)"),
    },
    # One line per file in the mapped instance's log.
    "dag.attention.rejected_line": {"sv": "{source} {dataset} {period} {file_name}: avvisad: {message}",
                                    "en": "{source} {dataset} {period} {file_name}: rejected: {message}"},
    "dag.attention.quarantined_line": {
        "sv": ("{source} {dataset} {period} {file_name}: {n} rad i karantän",
               "{source} {dataset} {period} {file_name}: {n} rader i karantän"),
        "en": ("{source} {dataset} {period} {file_name}: {n} row quarantined",
               "{source} {dataset} {period} {file_name}: {n} rows quarantined"),
    },
    "dag.attention.more_lines": {
        "sv": "… och {n} till: samla status --problems --source {source}",
        "en": "… and {n} more: samla status --problems --source {source}",
    },
    "dag.attention.details": {"sv": "samla status och samla quarantine visar detaljerna",
                              "en": "samla status and samla quarantine show the details"},
    # The summary task's log: the whole truth of the run's periods, then what this run checked.
    "dag.summary.periods": {"sv": "perioderna {periods}", "en": "the periods {periods}"},
    "dag.summary.no_periods": {"sv": "inga perioder med leveranser", "en": "no periods with deliveries"},
    "dag.summary": {
        "sv": "Sammanfattning av {scope}: {deliveries} som gäller (senaste per källa, datamängd och period), "
              "{read} lästa, {accepted} inlästa, {quarantined} i karantän; {rejected}, {held}. "
              "Den här körningen kontrollerade {checked}.",
        "en": "Summary of {scope}: {deliveries} that count (the newest per source, dataset and period), "
              "{read} read, {accepted} loaded, {quarantined} quarantined; {rejected}, {held}. "
              "This run checked {checked}.",
    },
    "dag.summary.deliveries": {"sv": ("{n} leverans", "{n} leveranser"), "en": ("{n} delivery", "{n} deliveries")},
    "dag.summary.rejected": {"sv": ("{n} avvisad fil", "{n} avvisade filer"),
                             "en": ("{n} rejected file", "{n} rejected files")},
    "dag.summary.held": {"sv": ("{n} fil med rader i karantän", "{n} filer med rader i karantän"),
                         "en": ("{n} file with quarantined rows", "{n} files with quarantined rows")},
    # make airflow
    "airflow.banner.home": {"sv": "Airflows hemmapp  {home}", "en": "Airflow home  {home}"},
    "airflow.banner.data": {"sv": "Samlas data      {data}  ({mode})", "en": "Samla data    {data}  ({mode})"},
    "airflow.banner.dags": {"sv": "DAG-mapp         {dags}", "en": "DAGs          {dags}"},
    "airflow.banner.demo_key": {"sv": "demonyckel (SAMLA_DEMO=1)", "en": "demo key (SAMLA_DEMO=1)"},
    "airflow.banner.own_key": {"sv": "SAMLA_PSEUDONYM_KEY från miljön", "en": "SAMLA_PSEUDONYM_KEY from the environment"},
    "airflow.banner.port_in_use": {
        "sv": "port {port} används redan (en annan Airflow?): välj en annan med AIRFLOW_PORT eller --port",
        "en": "port {port} is already in use (another Airflow?): choose another with AIRFLOW_PORT or --port",
    },
    "airflow.banner.migrating": {"sv": "Migrerar metadatadatabasen …", "en": "Migrating the metadata database ..."},
    "airflow.banner.starting": {"sv": "Startar {components} (loggar i {logs}) …",
                                "en": "Starting {components} (logs in {logs}) ..."},
    "airflow.banner.up": {
        "sv": "\nAirflow är igång efter {seconds} s: {url}\n{login}\n"
              "DAG:arna är pausade när de skapas: aktivera samla_ingest och samla_publish i gränssnittet.\n"
              "Ctrl-C stoppar alla Airflow-processer som startades här.",
        "en": "\nAirflow is up after {seconds} s: {url}\n{login}\n"
              "The DAGs are paused at creation: unpause samla_ingest and samla_publish in the UI.\n"
              "Ctrl-C stops every Airflow process started here.",
    },
    "airflow.banner.exited": {
        "sv": "\nairflow {name} avslutades med kod {code}; stoppar de andra. Dess logg:\n{log}",
        "en": "\nairflow {name} exited with code {code}; stopping the others. Its log:\n{log}",
    },
    "airflow.banner.stopping": {"sv": "\nStoppar Airflow …", "en": "\nStopping Airflow ..."},
    "airflow.banner.stopped": {"sv": "Stoppat.", "en": "Stopped."},
    "airflow.login.other": {"sv": "Logga in med användarna i den auth manager ni har konfigurerat.",
                            "en": "Log in with the users of your configured auth manager."},
    "airflow.login.all_admins": {"sv": "Ingen inloggning behövs: simple auth manager är i läget all-admins.",
                                 "en": "No login needed: the simple auth manager is in all-admins mode."},
    "airflow.login.no_passwords": {
        "sv": "Logga in med simple auth managers användare (lösenorden i {path}).",
        "en": "Log in with the simple auth manager's users (passwords in {path}).",
    },
    "airflow.login.users": {"sv": "Logga in som {users}  (från {path})", "en": "Log in as {users}  (from {path})"},
    "airflow.login.user": {"sv": "{user} / lösenord {password}", "en": "{user} / password {password}"},
}
