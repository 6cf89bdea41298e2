"""Intake hardening: landing refusals, file names, the participants-snapshot drop.

``name`` is a file name as delivered (quoted with ``!r`` by the caller), never content.
"""

MESSAGES = {
    "intake.refused.symlink": {
        "sv": "{name} är en symbolisk länk; Samla tar bara vanliga filer och följer aldrig länkar",
        "en": "{name} is a symbolic link; Samla takes only regular files and never follows links",
    },
    "intake.refused.subfolder": {
        "sv": "{name} är en undermapp; Samla läser bara filer direkt i källans mapp — flytta upp filen",
        "en": "{name} is a subfolder; Samla reads only files directly in the source's folder — move the file up",
    },
    "intake.refused.special": {
        "sv": "{name} är ingen vanlig fil (en enhet, pipe eller socket) och lästes inte",
        "en": "{name} is not a regular file (a device, pipe or socket) and was not read",
    },
    "intake.refused.outside": {
        "sv": "{name} pekar på en plats utanför källans mapp och lästes inte",
        "en": "{name} resolves to a place outside the source's folder and was not read",
    },
    "intake.name_mismatch": {
        "sv": "filnamnet {name} följer inte källans mönster {pattern} (datamängderna heter i filnamnen: {datasets})",
        "en": "file name {name} does not match the source's pattern {pattern} (datasets: {datasets})",
    },
    "intake.name_no_dataset": {
        "sv": "filnamnet anger ingen av källans datamängder",
        "en": "the file name names no dataset of the source",
    },
    "intake.not_archived": {
        "sv": "{fault}; filen arkiverades inte och ligger kvar i leveransmappen",
        "en": "{fault}; the file was not archived and stays in the landing folder",
    },
    # The separator that marks a warning in a ledger message (FileOutcome.needs_attention looks for it).
    "intake.warning": {"sv": "; varning: {text}", "en": "; warning: {text}"},
    "intake.participants_drop": {
        "sv": "{gone} av de {before} personerna i den föregående deltagarlistan ({share}) saknas i den här, fler "
              "än källans gräns på {limit} (participants_drop); en deltagarlista tar upp varje deltagare som "
              "någonsin skrivits in",
        "en": "{gone} of the {before} persons of the previous participants snapshot ({share}) are missing from "
              "this one, more than the source's limit of {limit} (participants_drop); a snapshot lists every "
              "participant ever enrolled",
    },
    "intake.participants_drop_rejected": {
        "sv": ". Inget av filen lästes in; den tidigare deltagarlistan gäller. Leverera den fullständiga listan",
        "en": ". Nothing of this file was loaded; the previous snapshot stays. Deliver the complete snapshot",
    },
    "intake.participants_drop_loaded": {
        "sv": ". Filen lästes in: kontrollera att exporten är fullständig",
        "en": ". It was loaded: check that the export is complete",
    },
    "intake.key_rotation_interrupted": {
        "sv": "ett nyckelbyte avbröts: kör `samla rotate-key` igen för att slutföra det (inget går förlorat; "
              "körningar vägras tills dess)",
        "en": "a key rotation was interrupted: run `samla rotate-key` again to finish it (nothing is lost; the "
              "run refuses until then)",
    },
    "intake.key_mismatch": {
        "sv": "SAMLA_PSEUDONYM_KEY är inte nyckeln som de inlästa uppgifterna pseudonymiserades med: en körning "
              "med den skulle ge varje person en ny pseudonym och bryta kopplingen till uppgifterna som redan är "
              "inlästa. Återställ den tidigare nyckeln, eller byt nyckel avsiktligt med `samla rotate-key` "
              "(README, Rotating the pseudonymisation key)",
        "en": "SAMLA_PSEUDONYM_KEY is not the key the curated data was pseudonymised with: a run under it would "
              "give every person a new pseudonym and break the link to the data already loaded. Restore the "
              "previous key, or change keys on purpose with `samla rotate-key` (README, Rotating the "
              "pseudonymisation key)",
    },
    # `samla rotate-key` (transforms/upkeep/rotation.py, plugins/samla_airflow/cli/rotate_key.py)
    "rotate.old_key_wrong": {
        "sv": "SAMLA_PSEUDONYM_KEY är inte nyckeln för de inlästa uppgifterna: ange den nuvarande nyckeln som "
              "SAMLA_PSEUDONYM_KEY och den nya som SAMLA_NEW_PSEUDONYM_KEY",
        "en": "SAMLA_PSEUDONYM_KEY is not the key of the curated data: give the current key as "
              "SAMLA_PSEUDONYM_KEY and the new one as SAMLA_NEW_PSEUDONYM_KEY",
    },
    "rotate.same_key": {
        "sv": "SAMLA_NEW_PSEUDONYM_KEY är den nuvarande nyckeln: inget att byta",
        "en": "SAMLA_NEW_PSEUDONYM_KEY is the current key: nothing to rotate",
    },
    "rotate.source": {"sv": "{source}: pseudonymiserar om från rådataarkivet",
                      "en": "{source}: re-pseudonymising from the raw archive"},
    "rotate.lost": {
        "sv": "{n} inlästa partitioner kan inte göras om från rådataarkivet (leveranserna har raderats av "
              "gallringen eller ändrats): {shown}. Inget ändrades; byt nyckel innan rådata gallras",
        "en": "{n} curated partition(s) cannot be re-made from the raw archive (their deliveries were deleted "
              "by retention or changed): {shown}. Nothing was changed; rotate before raw deliveries expire",
    },
    "rotate.new_key_missing": {
        "sv": "{var} saknas eller är kortare än 16 tecken: lägg den nya nyckeln där ({hint})",
        "en": "{var} is not set or shorter than 16 characters: put the new key there ({hint})",
    },
    "rotate.done": {
        "sv": "Nyckeln är bytt: {partitions} inlästa partitioner från {sources} källor pseudonymiserades om. "
              "Sätt SAMLA_PSEUDONYM_KEY till den nya nyckeln nu: körningar med den gamla nyckeln vägras härifrån.",
        "en": "Key rotated: {partitions} curated partition(s) of {sources} source(s) re-pseudonymised. Set "
              "SAMLA_PSEUDONYM_KEY to the new key now: runs under the old key are refused from here on.",
    },
    # File limits (transforms/ingest/parse.py, Limits): {what} is one of intake.limit.*
    "intake.limit": {
        "sv": "filen har {found} {what}, fler än gränsen på {limit} ({setting}); inget mer av den lästes. Dela "
              "upp exporten (t.ex. en fil per månad) eller be projektkontoret höja gränsen",
        "en": "the file has {found} {what}, more than the limit of {limit} ({setting}); nothing of it was read "
              "further. Split the export (e.g. one file per month) or ask the project office to raise the limit",
    },
    # The same when reading stopped at the limit, so the file's own count is not known.
    "intake.limit_reached": {
        "sv": "filen har fler {what} än gränsen på {limit} ({setting}); inget mer av den lästes. Dela upp exporten "
              "(t.ex. en fil per månad) eller be projektkontoret höja gränsen",
        "en": "the file has more {what} than the limit of {limit} ({setting}); nothing of it was read further. "
              "Split the export (e.g. one file per month) or ask the project office to raise the limit",
    },
    "intake.limit.bytes": {"sv": "byte", "en": "bytes"},
    "intake.limit.unpacked": {"sv": "byte uppackat", "en": "bytes when unpacked"},
    "intake.limit.rows": {"sv": "rader", "en": "rows"},
    "intake.limit.fields": {"sv": "fält på rad {line}", "en": "fields on line {line}"},
    "intake.limit.columns": {"sv": "kolumner på rad {line}", "en": "columns in row {line}"},
    "intake.limit.cell": {"sv": "tecken i en cell (rad {line})", "en": "characters in one cell (row {line})"},
}
