"""What the operator (project office) reads about a run: failures, missing settings, attention items."""

MESSAGES = {
    "ops.connection_missing": {
        "sv": "Airflow-anslutningen {conn_id!r} (källa {source}) finns inte. Lägg till {env} i .env "
              "(JSON eller URI) eller anslutningen med id {conn_id!r} i Airflows gränssnitt (Admin → Connections), "
              "och kör sedan om uppgiften. Försöks inte igen av sig själv.",
        "en": "The Airflow connection {conn_id!r} (source {source}) is not defined. Set {env} in .env "
              "(JSON or URI) or add the Connection id {conn_id!r} in the Airflow UI (Admin → Connections), "
              "then clear the task. Not retried: it cannot mend itself.",
    },
    "ops.gx_version": {
        "sv": "Samlas snabbare validering (transforms/ingest/gx_memo.py) är skriven för great-expectations {known}, "
              "men {installed} är installerad. Installera versionen i uv.lock (make install); för att byta version, "
              "gå först igenom ändringarna mot den nya versionens källkod och ändra sedan KNOWN_GX_VERSION och "
              "versionen i pyproject.toml.",
        "en": "Samla's faster validation (transforms/ingest/gx_memo.py) was written for great-expectations {known}, "
              "but {installed} is installed. Install the version in uv.lock (make install); to move to another "
              "version, first check the patches against its source, then change KNOWN_GX_VERSION and the version "
              "in pyproject.toml.",
    },
    "ops.internal_errors": {
        "sv": "{source}: {n} fil(er) avvisade av ett internt fel (regel: internal_error): {files}. Källans övriga "
              "filer bearbetades. Uppgiftens logg visar var felet uppstod; nästa körning försöker med filerna igen.",
        "en": "{source}: {n} file(s) rejected by an internal error (rule: internal_error): {files}. The source's "
              "other files were processed. The task log says where it failed; the next run tries these files again.",
    },
    "ops.publication_failed": {
        "sv": "Publiceringen misslyckades: {reason}. Inga nya tal publicerades; de tidigare står kvar.",
        "en": "Publication failed: {reason}. No new numbers were published; the previous ones stay.",
    },
}
