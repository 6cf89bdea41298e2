"""Published layer: words both reports (HTML and Excel) put around the numbers, from one place."""

from __future__ import annotations

import pandas as pd

from transforms.messages import t

ESF_PREFIXES = ("EECO", "EECR")  # the ESF+ common indicators; every other code is the project's own


def is_esf(code: str) -> bool:
    return str(code).startswith(ESF_PREFIXES)


def area_label(code: str, name: str) -> str:
    """An area as every report names it: code, then name, as a source is named ("1480 Göteborg").
    Never "name (code)": a name may carry brackets of its own ("Fokus IM (Västsverige, SE23)")."""
    name, code = str(name or "").strip(), str(code)
    return code if not name or name == code else f"{code} {name}"


def problem_counts(problems: pd.DataFrame, lang: str | None = None) -> str:
    """'1 avvisad datamängd och 2 saknade datamängder': the plural forms come from the catalogue."""
    rejected = int((problems["state"] == "rejected").sum())
    missing = int((problems["state"] == "missing").sum())
    return t("report.and", lang=lang, first=t("report.rejected_datasets", n=rejected, lang=lang),
             second=t("report.missing_datasets", n=missing, lang=lang))
