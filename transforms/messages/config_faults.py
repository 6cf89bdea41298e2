"""Faults of the sources file and the project file (``transforms/config``): each names the file or source,
the key and the value, in the form ``{where}: key '{key}': {problem}``."""

MESSAGES = {
    # the fault line and its place
    "config_fault.line": {"sv": "{where}: nyckeln '{key}': {problem}", "en": "{where}: key '{key}': {problem}"},
    "config_fault.where_source": {"sv": "källan {id}", "en": "source {id}"},
    "config_fault.where_entry": {"sv": "post nr {index} i sources", "en": "sources[{index}]"},
    "config_fault.where_sources_file": {"sv": "källfilen {path}", "en": "sources file {path}"},
    "config_fault.where_project_file": {"sv": "projektfilen {path}", "en": "project file {path}"},
    # either file
    "config_fault.required": {"sv": "krävs", "en": "is required"},
    "config_fault.unknown_key": {"sv": "okänd nyckel", "en": "unknown key"},
    "config_fault.unknown_key_allowed": {"sv": "okänd nyckel; tillåtna: {allowed}",
                                         "en": "unknown key; allowed: {allowed}"},
    "config_fault.mapping": {"sv": "ska vara en avbildning (nyckel: värde)", "en": "must be a mapping (key: value)"},
    "config_fault.list": {"sv": "ska vara en lista", "en": "must be a list"},
    "config_fault.text_not": {"sv": "ska vara text, inte {kind}", "en": "must be text, not {kind}"},
    "config_fault.got": {"sv": " (fick {value})", "en": " (got {value})"},
    # the project file
    "config_fault.first_after_last": {"sv": "first_period {first} ligger efter last_period {last}",
                                      "en": "first_period {first} is after last_period {last}"},
    "config_fault.codes_differ": {"sv": "förbundens och regionens koder måste skilja sig åt: {codes}",
                                  "en": "federation and region codes must differ: {codes}"},
    "config_fault.kommunkod_twice": {"sv": "kommunkod {k} finns i två förbund ({a}, {b})",
                                     "en": "kommunkod {k} is in two federations ({a}, {b})"},
    "config_fault.period": {"sv": "ska vara en period skriven ÅÅÅÅ-MM (fick {value})",
                            "en": "must be a period written YYYY-MM (got {value})"},
    "config_fault.code": {"sv": "ska vara 1–40 bokstäver A–Z, siffror, '_' eller '-' (fick {value})",
                          "en": "must be 1-40 letters A-Z, digits, '_' or '-' (got {value})"},
    "config_fault.kommunkod": {"sv": "ska vara en kommunkod med fyra siffror (fick {value})",
                               "en": "must be a four-digit kommunkod (got {value})"},
    "config_fault.not_empty": {"sv": "får inte vara tom", "en": "must not be empty"},
    "config_fault.text": {"sv": "ska vara text", "en": "must be text"},
    # the sources file
    "config_fault.sources_unknown_key": {"sv": "okänd nyckel; tillåtna: sources, project",
                                         "en": "unknown key; allowed: sources, project"},
    "config_fault.sources_list": {"sv": "ska vara en lista med källor", "en": "must be a list of sources"},
    "config_fault.unknown_source": {"sv": "okänd källa {id}; kända källor: {known}",
                                    "en": "unknown source {id}; known sources: {known}"},
    "config_fault.not_in_project": {"sv": "{value} är ingen kommun i projektet {project} ({listed})",
                                    "en": "{value} is not a municipality of the project {project} ({listed})"},
    "config_fault.project_municipalities": {"sv": "{n} kommuner i projektfilen",
                                            "en": "{n} municipalities in the project file"},
    "config_fault.folder_taken": {
        "sv": "{folder} är redan leveransmapp för {owner}; varje källa behöver en egen mapp",
        "en": "{folder} is already the delivery folder of {owner}; every source needs a folder of its own",
    },
    "config_fault.id_twice": {"sv": "används av två källor ({a} och {b}; skiftläget räknas inte)",
                              "en": "is used by two sources ({a} and {b}; case does not count)"},
    "config_fault.delivered_twice": {"sv": "{value} levereras redan av källan {other}",
                                     "en": "{value} is already delivered by source {other}"},
    "config_fault.not_one_of": {"sv": "{value} är inte ett av {choices}", "en": "{value} is not one of {choices}"},
    "config_fault.not_canonical": {"sv": "ingen kanonisk kolumn", "en": "not a canonical column"},
    "config_fault.not_canonical_of": {"sv": "ingen kanonisk kolumn i {dataset}",
                                      "en": "not a canonical column of {dataset}"},
    "config_fault.one_place": {"sv": "behöver exakt en av 'folder' och 'sftp'",
                               "en": "needs exactly one of 'folder' and 'sftp'"},
    # what a key of a source must be (source_models.PROBLEMS)
    "config_fault.field.id": {"sv": "ska vara 1–40 bokstäver A–Z, siffror, '_' eller '-' (den namnger mappar och "
                                    "uppgifter)",
                              "en": "must be 1-40 letters A-Z, digits, '_' or '-' (it names folders and tasks)"},
    "config_fault.field.municipalities": {"sv": "ska vara en icke-tom lista med kommunkoder",
                                          "en": "must be a non-empty list of kommunkoder"},
    "config_fault.field.quarantine_threshold": {"sv": "ska vara en andel mellan 0 och 1 (t.ex. 0.2)",
                                                "en": "must be a share between 0 and 1 (e.g. 0.2)"},
    "config_fault.field.max_share": {"sv": "ska vara en andel mellan 0 och 1 (t.ex. 0.1)",
                                     "en": "must be a share between 0 and 1 (e.g. 0.1)"},
    "config_fault.field.header_row": {"sv": "ska vara ett radnummer från 1", "en": "must be a row number from 1"},
    "config_fault.field.checkbox_booleans": {"sv": "ska vara true eller false", "en": "must be true or false"},
    "config_fault.field.sheet": {"sv": "ska vara ett bladnamn eller ett bladnummer räknat från 1",
                                 "en": "must be a sheet name, or a sheet number counted from 1"},
    "config_fault.field.email": {"sv": "är ingen e-postadress", "en": "is not an email address"},
    "config_fault.field.pattern": {"sv": "ska innehålla {{period}} eller {{yyyymm}}",
                                   "en": "must contain {{period}} or {{yyyymm}}"},
    "config_fault.field.conn_id": {"sv": "krävs (ett Airflow connection id)",
                                   "en": "is required (an Airflow connection id)"},
    "config_fault.field.delivery": {"sv": "krävs: {{folder: SÖKVÄG}} eller {{sftp: {{conn_id: ID, path: SÖKVÄG}}}}",
                                    "en": "is required: {{folder: PATH}} or {{sftp: {{conn_id: ID, path: PATH}}}}"},
    "config_fault.field.name": {"sv": "ska vara text", "en": "must be text"},
    "config_fault.field.file": {"sv": "ska vara text (det som står för {{dataset}} i filnamnen)",
                                "en": "must be text (what stands for {{dataset}} in file names)"},
    # a delivery folder that cannot be one (transforms/paths.py)
    "config_fault.folder_system": {"sv": "{folder} är en systemmapp; ge källan en egen mapp",
                                   "en": "{folder} is a system folder; give the source a folder of its own"},
    "config_fault.folder_data_dir": {
        "sv": "{folder} är datamappen (SAMLA_DATA_DIR) eller innehåller den; ge källan en egen mapp",
        "en": "{folder} is the data folder (SAMLA_DATA_DIR) or contains it; give the source a folder of its own",
    },
    "config_fault.folder_own": {
        "sv": "{folder} ligger i Samlas egen mapp {own} i datamappen; använd t.ex. raw/landing/<id>",
        "en": "{folder} lies in Samla's own folder {own} of the data folder; use e.g. raw/landing/<id>",
    },
    "config_fault.folder_not_folder": {"sv": "{folder} är ingen mapp", "en": "{folder} is not a folder"},
    "config_fault.folder_missing": {
        "sv": "{folder} finns inte, och Samla skapar leveransmappar bara inuti datamappen {root}: skapa den, "
              "eller kontrollera sökvägen",
        "en": "{folder} does not exist, and Samla only creates delivery folders inside the data folder {root}: "
              "create it, or check the path",
    },
    # a YAML file that cannot be read (transforms/config/yaml_file.py); {what} is one of the two below
    "config_fault.what_project": {"sv": "projektfilen", "en": "project file"},
    "config_fault.what_sources": {"sv": "källfilen (SAMLA_SOURCES)", "en": "sources file (SAMLA_SOURCES)"},
    "config_fault.yaml_unreadable": {"sv": "{what} {path}: kan inte läsas: {reason}",
                                     "en": "{what} {path}: cannot read: {reason}"},
    "config_fault.yaml_not_utf8": {"sv": "{what} {path}: inte UTF-8-text", "en": "{what} {path}: not UTF-8 text"},
    "config_fault.yaml_invalid": {"sv": "{what} {path}: inte giltig YAML: {error}",
                                  "en": "{what} {path}: not valid YAML: {error}"},
    # settings (SAMLA_* environment) and the data-folder guard
    "config_fault.setting_not_whole": {"sv": "{name}={raw} är inget heltal", "en": "{name}={raw} is not a whole number"},
    "config_fault.setting_too_small": {"sv": "{name}={value} måste vara minst {minimum}",
                                       "en": "{name}={value} must be at least {minimum}"},
    "config_fault.key_short": {
        "sv": "SAMLA_PSEUDONYM_KEY är kortare än 16 tecken: använd en lång slumpmässig hemlighet",
        "en": "SAMLA_PSEUDONYM_KEY is shorter than 16 characters: use a long random secret",
    },
    "config_fault.key_missing": {
        "sv": "SAMLA_PSEUDONYM_KEY är inte satt (miljövariabel, eller Airflow-variabel/-anslutning "
              "SAMLA_PSEUDONYM_KEY): Samla pseudonymiserar inte utan nyckel. Bara för en lokal demo: sätt "
              "SAMLA_DEMO=1 så skapas en lokal nyckel.",
        "en": "SAMLA_PSEUDONYM_KEY is not set (environment, or Airflow variable/connection SAMLA_PSEUDONYM_KEY): "
              "Samla refuses to pseudonymise without a key. For a local demo only, set SAMLA_DEMO=1 to create a "
              "local key.",
    },
    "config_fault.outside_data_dir": {
        "sv": "vägrar skriva {path}: den ligger utanför datamappen {root} (SAMLA_DATA_DIR)",
        "en": "refusing to write {path}: it lies outside the data folder {root} (SAMLA_DATA_DIR)",
    },
}
