"""An unfinished key rotation, file names as shown, and the size limits of one record and of the sources file."""

MESSAGES = {
    # transforms/upkeep/rotation.py: `samla status` and `samla run` tell of a rotation left unfinished
    "rotate.pending": {
        "sv": "Ett nyckelbyte är inte slutfört: de bearbetade uppgifterna är bara delvis bytta och varje körning "
              "vägras. Kör `samla rotate-key` igen med samma SAMLA_NEW_PSEUDONYM_KEY för att slutföra det.",
        "en": "A key rotation is unfinished: the curated data is only partly swapped and every run is refused. "
              "Run `samla rotate-key` again with the same SAMLA_NEW_PSEUDONYM_KEY to finish it.",
    },
    "rotate.leftovers": {
        "sv": "Ett avbrutet nyckelbyte har lämnat en kopia i data/staging; den gamla nyckeln gäller fortfarande. "
              "Kör `samla rotate-key` igen: den tar bort kopian och byter nyckeln.",
        "en": "An interrupted key rotation left a copy in data/staging; the old key still holds. Run "
              "`samla rotate-key` again: it removes the copy and rotates the key.",
    },
    "rotate.resume_other_key": {
        "sv": "Det avbrutna nyckelbytet gjordes med en annan ny nyckel: ange samma SAMLA_NEW_PSEUDONYM_KEY som "
              "då för att slutföra det",
        "en": "The interrupted rotation was made with another new key: give the same SAMLA_NEW_PSEUDONYM_KEY "
              "as then to finish it",
    },
    # transforms/config/yaml_file.py: a configuration file read whole (the sources file) has a size limit
    "config_fault.yaml_too_large": {
        "sv": "{what} {path} är {size} byte, mer än gränsen på {limit} byte ({var}); filen lästes inte. "
              "Ta bort alias och kodetiketter som inte behövs, eller höj gränsen",
        "en": "{what} {path} is {size} bytes, more than the limit of {limit} bytes ({var}); the file was not "
              "read. Remove aliases and code labels that are not needed, or raise the limit",
    },
}
