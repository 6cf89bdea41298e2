"""One run at a time per data folder, one task at a time per source; a landing file that cannot be read."""

MESSAGES = {
    # who holds a lock, as written into its lock file
    "lock.holder": {
        "sv": "pid {pid} på {host}, startad {started} (svensk tid): {command}",
        "en": "pid {pid} on {host}, started {started} (Swedish time): {command}",
    },
    "lock.holder_unknown": {
        "sv": "okänd process (låsfilen {path} säger inte vem)",
        "en": "an unknown process (the lock file {path} does not say who)",
    },
    "lock.run_in_progress": {
        "sv": "En annan körning använder redan datamappen {data_dir} ({holder}). Bara en körning i taget per "
              "datamapp: inget gjordes. Vänta tills den är klar och kör sedan igen.",
        "en": "Another run is already using the data folder {data_dir} ({holder}). One run at a time per data "
              "folder: nothing was done. Wait until it has finished, then run again.",
    },
    "lock.source_waiting": {
        "sv": "källan {source}: en annan körning bearbetar den just nu ({holder}); väntar på att den blir klar "
              "(högst {seconds} s, SAMLA_SOURCE_LOCK_WAIT)",
        "en": "source {source}: another run is processing it right now ({holder}); waiting for it to finish "
              "(at most {seconds} s, SAMLA_SOURCE_LOCK_WAIT)",
    },
    "lock.source_busy": {
        "sv": "källan {source}: en annan körning bearbetade den fortfarande efter {seconds} s ({holder}). Inget av "
              "källan bearbetades av den här uppgiften; den försöks igen (eller rensa den när den andra är klar).",
        "en": "source {source}: another run was still processing it after {seconds} s ({holder}). Nothing of the "
              "source was processed by this task; it is retried (or clear it once the other has finished).",
    },
    # a landing file that cannot be read: that file's fault only
    "unreadable.file": {
        "sv": "filen går inte att läsa: {reason} ({error}). Inget av den lästes in; källans övriga filer "
              "bearbetades. Samla läser filen vid nästa körning när den går att läsa, eller leverera den igen",
        "en": "the file cannot be read: {reason} ({error}). Nothing of it was loaded; the source's other files "
              "were processed. Samla reads it on the next run once it can be read, or deliver it again",
    },
    "unreadable.permission": {
        "sv": "Samla har inte behörighet att läsa den (ge Samlas användare läsrätt)",
        "en": "Samla has no permission to read it (give Samla's user read access)",
    },
    "unreadable.io": {
        "sv": "läsfel på lagringen (in/ut-fel)",
        "en": "a read error on the storage (I/O error)",
    },
    "unreadable.link": {
        "sv": "den byttes mot en symbolisk länk medan Samla läste mappen; länkar följs aldrig",
        "en": "it was replaced by a symbolic link while Samla read the folder; links are never followed",
    },
    "unreadable.not_regular": {
        "sv": "den är inte längre en vanlig fil (t.ex. en mapp med samma namn)",
        "en": "it is no longer a regular file (e.g. a folder of the same name)",
    },
}
