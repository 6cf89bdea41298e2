"""``samla config check``: the sources and project files checked as a whole."""

MESSAGES = {
    "config.check.faults": {
        "sv": ("Konfigurationen har {n} fel (källfil {sources}):", "Konfigurationen har {n} fel (källfil {sources}):"),
        "en": ("The configuration has {n} fault (sources file {sources}):",
               "The configuration has {n} faults (sources file {sources}):"),
    },
    "config.check.fix": {
        "sv": "Rätta nycklarna ovan och kör 'samla config check' igen. Övriga källor körs ändå; "
              "en källa med fel stoppas tills den är rättad.",
        "en": "Fix the keys above and run 'samla config check' again. The other sources still run; "
              "a source with a fault stops until it is fixed.",
    },
    "config.check.ok": {
        "sv": ("ok: {n} källa i projektet {project} ({first}..{last}, {municipalities} kommuner)",
               "ok: {n} källor i projektet {project} ({first}..{last}, {municipalities} kommuner)"),
        "en": ("ok: {n} source in the project {project} ({first}..{last}, {municipalities} municipalities)",
               "ok: {n} sources in the project {project} ({first}..{last}, {municipalities} municipalities)"),
    },
    "config.check.source": {
        "sv": "{label}: kommuner {municipalities}; levererar till {delivery}; format {kind}; förvaltare {steward}",
        "en": "{label}: municipalities {municipalities}; delivers to {delivery}; format {kind}; steward {steward}",
    },
    "config.check.detected": {"sv": "avgörs per fil", "en": "detected per file"},
    "config.check.no_steward": {"sv": "ingen angiven", "en": "none given"},
}
