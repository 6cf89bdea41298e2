"""The Data Docs pages' own lines around GX's technical report, and their index."""

MESSAGES = {
    "data_docs.title": {"sv": "Valideringsrapport (teknisk): {file}", "en": "Validation report (technical): {file}"},
    "data_docs.facts": {"sv": "Källa {source} · {dataset} · period {period}",
                        "en": "Source {source} · {dataset} · period {period}"},
    "data_docs.technical": {
        "sv": "Great Expectations rapport om filen, med Samlas kolumnnamn (inte filens egna rubriker).",
        "en": "Great Expectations' report on the file, with Samla's column names (not the file's own headers)."},
    "data_docs.all_pages": {"sv": "Alla valideringar", "en": "All validations"},
    # A value that did not convert reaches GX as null: the page shows what was delivered instead.
    "data_docs.delivered": {"sv": "{value} (levererat värde; {rule})", "en": "{value} (as delivered; {rule})"},
    "data_docs.not_read": {"sv": "(värdet lästes inte; {rule})", "en": "(value not read; {rule})"},
    "data_docs.index.title": {"sv": "Samla – valideringar / validations", "en": "Samla – validations / valideringar"},
    "data_docs.index.pages": {"sv": ("{n} sida / page", "{n} sidor / pages"), "en": ("{n} page / sida", "{n} pages / sidor")},
    "data_docs.index.file": {"sv": "fil / file", "en": "file / fil"},
    "data_docs.index.source": {"sv": "källa / source", "en": "source / källa"},
    "data_docs.index.dataset": {"sv": "datamängd / dataset", "en": "dataset / datamängd"},
    "data_docs.index.period": {"sv": "Period", "en": "Period"},
}
