"""The canonical datasets of exports.md (the project's areas are in the project file, ``project``).

Raw column names and code labels are mapped onto these by ``harmonise``; the
curated Parquet carries exactly these columns plus the lineage columns.
"""

from __future__ import annotations

from dataclasses import dataclass

DATASETS = ("participants", "attendance", "survey", "activities")

# Lineage on every canonical row (exports.md: "Every canonical row also carries ...").
LINEAGE = ("kommunkod", "period", "source", "file_sha256", "source_row")

CODES: dict[str, tuple[str, ...]] = {
    "programme": ("IMA", "IMS", "IMV", "IMY"),
    "gender": ("female", "male", "nonbinary"),
    "exit_status": ("studies_national", "studies_other", "employed", "job_seeking", "other", "unknown"),
    "track": ("none", "worklife", "vocational"),
    "labour_status": ("inactive", "unemployed", "long_term_unemployed", "employed"),
    "disability": ("yes", "no", "unknown"),
    "activity": (
        "mi", "life_skills", "study_skills", "health", "guidance", "internship", "apl",
        "vocational_course", "labour_market_course", "study_visit", "fair", "participation",
    ),
}

# Labels every source may use without declaring them (sources add their own).
DEFAULT_CODE_LABELS: dict[str, dict[str, str]] = {
    "gender": {
        "k": "female", "kvinna": "female", "flicka": "female", "f": "female", "tjej": "female",
        "m": "male", "man": "male", "pojke": "male", "kille": "male",
        "x": "nonbinary", "annat": "nonbinary", "icke-binär": "nonbinary", "ickebinär": "nonbinary",
    },
    "disability": {"ja": "yes", "nej": "no", "vet ej": "unknown", "okänd": "unknown"},
}

TRUE_LABELS = frozenset({"1", "ja", "j", "yes", "y", "true", "sant"})
FALSE_LABELS = frozenset({"0", "nej", "n", "no", "false", "falskt"})


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text | person | code | date | month | integer | number | boolean | wave | kommunkod
    required: bool = False


DATASET_COLUMNS: dict[str, tuple[Column, ...]] = {
    "participants": (
        Column("person_id", "person", True),
        Column("programme", "code", True),
        Column("gender", "code", True),
        Column("entry_date", "date", True),
        Column("exit_date", "date"),
        Column("exit_status", "code"),
        Column("qualification", "boolean"),
        Column("track", "code", True),
        Column("labour_status", "code", True),
        Column("newly_arrived", "boolean", True),
        Column("foreign_background", "boolean", True),
        Column("disability", "code", True),
    ),
    "attendance": (
        Column("person_id", "person", True),
        Column("month", "month", True),
        Column("scheduled_min", "integer", True),
        Column("attended_min", "integer", True),
        Column("absence_valid_min", "integer"),
        Column("absence_invalid_min", "integer"),
    ),
    "survey": (
        Column("person_id", "person", True),
        Column("wave", "wave", True),
        Column("answered_on", "date", True),
        Column("motivation", "number"),
        Column("future_hope", "number"),
        Column("wellbeing", "number"),
    ),
    "activities": (
        Column("person_id", "person", True),
        Column("activity", "code", True),
        Column("date", "date", True),
        Column("hours", "number", True),
    ),
}

# The published table (indicators.md): every number is one cell of this key, broken
# down by every gender code and "all".
CELL_KEY = ("period", "area_level", "area_code", "gender", "indicator")
GENDERS = ("all", *CODES["gender"])
AREA_LEVELS = ("region", "federation", "municipality")


def curated_columns(dataset: str) -> list[str]:
    """Column order of the curated Parquet for ``dataset``.

    ``person`` is the keyed pseudonym that replaces ``person_id``;
    participants also carry ``age_at_entry`` (derived before the number is dropped).
    """
    cols = ["person"]
    cols += [c.name for c in DATASET_COLUMNS[dataset] if c.kind != "person"]
    if dataset == "participants":
        cols.append("age_at_entry")
    return cols + list(LINEAGE)
