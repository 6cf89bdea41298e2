"""Wrong arguments of the ``samla`` command (exit status 2) and of ``python -m transforms.demo.cli``."""

MESSAGES = {
    "usage.from_after_to": {"sv": "--from {first} ligger efter --to {last}", "en": "--from {first} is after --to {last}"},
    "usage.not_a_range": {
        "sv": "{text} är inget intervall skrivet FÖRSTA:SISTA, t.ex. 2024-09:2025-02 (en månad: {one}:{one})",
        "en": "{text} is not a range written FIRST:LAST, e.g. 2024-09:2025-02 (one month: {one}:{one})",
    },
    "usage.range_backwards": {"sv": "periodintervallet {first}:{last} går baklänges: {first} ligger efter {last}",
                              "en": "period range {first}:{last} runs backwards: {first} is after {last}"},
    "usage.not_a_number": {"sv": "{text} är inget tal", "en": "{text} is not a number"},
    "usage.not_positive": {"sv": "{text} måste vara större än 0", "en": "{text} must be above 0"},
    "usage.needs_municipalities": {"sv": "ett genererat projekt behöver --municipalities N (eller --national)",
                                   "en": "a generated project needs --municipalities N (or --national)"},
    # samla demo's generated project (transforms/demo/scale.py)
    "usage.regions_range": {"sv": "--regions ska vara 1..{most} (länskoderna), inte {regions}",
                            "en": "regions must be 1..{most} (the county codes), not {regions}"},
    "usage.municipalities_range": {"sv": "--municipalities ska vara {least}..{most} för {regions} region(er)",
                                   "en": "municipalities must be {least}..{most} for {regions} region(s)"},
    "usage.at_least_one": {"sv": "--pupils och --months måste vara minst 1", "en": "pupils and months must be at least 1"},
    "usage.file_missing": {"sv": "filen {path} finns inte", "en": "FILE {path} does not exist"},
    "usage.no_dataset": {"sv": "datamängden går inte att avgöra från filnamnet {name}: ange --dataset ({datasets})",
                         "en": "cannot tell the dataset from the file name {name}: give --dataset ({datasets})"},
    "usage.no_period": {"sv": "perioden går inte att avgöra från filnamnet {name}: ange --period ÅÅÅÅ-MM",
                        "en": "cannot tell the period from the file name {name}: give --period YYYY-MM"},
}
