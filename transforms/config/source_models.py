"""The shape of one sources-file entry, as pydantic v2 models (exports.md, "Configuration contract").

Only the form of an entry is checked here (keys, types, allowed values); rules
that look beyond one entry (municipalities of the project, ids and folders
used twice) live in ``sources``. ``entry_faults`` turns pydantic's errors into
the contract's messages, every fault at once: ``key 'format.delimiter': '|'
is not one of , ; tab``.
"""

from __future__ import annotations

import re
from types import GenericAlias
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StringConstraints,
    ValidationError,
    create_model,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from transforms.config.schema import DATASET_COLUMNS, DATASETS
from transforms.messages import t

DATE_FORMATS = {"YYYY-MM-DD": "%Y-%m-%d", "YYYYMMDD": "%Y%m%d", "YYYY/MM/DD": "%Y/%m/%d", "DD.MM.YYYY": "%d.%m.%Y"}
DEFAULT_PATTERN = "{dataset}_{period}.{ext}"
SOURCE_ID = r"^[A-Za-z0-9_-]{1,40}$"  # ids become folder and task names: nothing that could leave a folder

Encoding = Literal["utf-8", "utf-8-sig", "cp1252", "windows-1252", "utf-16", "latin-1", "iso-8859-1"]
Delimiter = Literal[",", ";", "\t", "tab"]
Decimal = Literal[",", "."]
DateFormat = Literal["YYYY-MM-DD", "YYYYMMDD", "YYYY/MM/DD", "DD.MM.YYYY"]
Kind = Literal["csv", "xlsx"]

# How a field's allowed values are written in a message (the YAML spelling, not Python's repr).
CHOICES = {
    "encoding": ", ".join(get_args(Encoding)),
    "delimiter": ", ; tab",
    "decimal": ", or .",
    "date_format": ", ".join(get_args(DateFormat)),
    "kind": "csv or xlsx",
}
# Other messages by the field's name, where pydantic's own would puzzle a steward.
# What a key must be, for the fault that names it (the texts: transforms/messages/config_faults.py).
PROBLEMS = ("id", "municipalities", "quarantine_threshold", "max_share", "header_row", "checkbox_booleans", "sheet",
            "email", "pattern", "conn_id", "delivery", "name", "file")
_CANONICAL = tuple(sorted({c.name for cols in DATASET_COLUMNS.values() for c in cols} | {"kommunkod"}))


def _text(value: Any) -> Any:
    """An unquoted number in YAML (``id: 1480``) is meant as text."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Label = str | StrictInt | StrictFloat | StrictBool  # YAML may read an unquoted label as a number or boolean


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FormatModel(_Strict):
    kind: Kind | None = None
    encoding: Annotated[Encoding, BeforeValidator(_lower)] | None = None
    delimiter: Delimiter | None = None
    decimal: Decimal | None = None
    date_format: DateFormat | None = None
    # A name (Excel allows 1-31 characters) or a number counted from 1, as the parser counts.
    sheet: Annotated[str, StringConstraints(min_length=1, max_length=31)] | Annotated[StrictInt, Field(ge=1)] | None = None
    header_row: Annotated[StrictInt, Field(ge=1)] | None = None
    checkbox_booleans: StrictBool | None = None


def _aliases(value: Any) -> Any:
    return [value] if isinstance(value, str | int) and not isinstance(value, bool) else value


Aliases = Annotated[list[str | StrictInt], BeforeValidator(_aliases)]
Codes = dict[Label, Label]


def _columns_of(dataset: str | None) -> Any:
    names = _CANONICAL if dataset is None else tuple(c.name for c in DATASET_COLUMNS[dataset]) + ("kommunkod",)
    return Literal[names]


def _by_column(dataset: str | None, values: Any) -> Any:
    """``dict[<a column of the dataset (of any dataset for None)>, values]``, a type made at import time."""
    return GenericAlias(dict, (_columns_of(dataset), values))


class SftpModel(_Strict):
    conn_id: Text
    path: Text = "."


class DeliveryModel(_Strict):
    folder: Text | None = None
    sftp: SftpModel | None = None
    pattern: Annotated[str, StringConstraints(pattern=r"\{period\}|\{yyyymm\}")] = DEFAULT_PATTERN

    @model_validator(mode="after")
    def _one_place(self) -> DeliveryModel:
        if (self.folder is None) == (self.sftp is None):
            raise PydanticCustomError("samla", t("config_fault.one_place"))
        return self


class StewardModel(_Strict):
    name: Text | None = None
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+$")] | None = None


# One override model per dataset, so a column of another dataset is named as the fault it is.
DatasetModels = {
    name: create_model(
        f"{name.title()}Override",
        __base__=_Strict,
        file=(Text | None, None),
        format=(FormatModel | None, None),
        columns=(_by_column(name, Aliases) | None, None),
        codes=(_by_column(None, Codes) | None, None),
    )
    for name in DATASETS
}
_dataset_fields: dict[str, Any] = {name: (model | None, None) for name, model in DatasetModels.items()}
DatasetsModel = create_model("DatasetsModel", __base__=_Strict, **_dataset_fields)

if TYPE_CHECKING:  # what mypy can see of the types above, made at import time: columns are text
    ColumnAliases = dict[str, Aliases]
    ColumnCodes = dict[str, Codes]
    DatasetsField = _Strict
else:
    ColumnAliases = _by_column(None, Aliases)
    ColumnCodes = _by_column(None, Codes)
    DatasetsField = DatasetsModel


class ParticipantsDropModel(_Strict):
    """A participants snapshot dropping more than ``max_share`` of the previous one's persons (history kept:
    a snapshot lists everyone ever enrolled, so persons should not disappear)."""

    max_share: Annotated[StrictFloat | StrictInt, Field(ge=0, le=1)] = 0.10
    action: Literal["warn", "reject"] = "warn"


class SourceModel(_Strict):
    id: Annotated[str, BeforeValidator(_text), StringConstraints(pattern=SOURCE_ID)]
    name: Text | None = None
    municipalities: Annotated[list[Annotated[str, BeforeValidator(_text)]],
                              Field(min_length=1)]
    delivery: DeliveryModel
    format: FormatModel | None = None
    columns: ColumnAliases | None = None
    codes: ColumnCodes | None = None
    steward: StewardModel | None = None
    quarantine_threshold: Annotated[StrictFloat | StrictInt, Field(ge=0, le=1)] = 0.20
    participants_drop: ParticipantsDropModel | None = None
    datasets: DatasetsField | None = None


# pydantic names the member of a union or a wrapped type in ``loc`` ("str", "constrained-int",
# "function-before[...]"): not part of the key the steward wrote.
_TAG = re.compile(r"^(str|int|float|bool|constrained-\w+|[\w-]*\[.*\])$")


def _parts(loc: tuple) -> list[str]:
    return [p for p in loc if isinstance(p, str) and not _TAG.match(p)]


def _key(loc: tuple) -> str:
    return ".".join(_parts(loc))


def _allowed(loc: tuple) -> str:
    model: Any = SourceModel
    for part in loc[:-1]:
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return ""
        model = next((a for a in getattr(field.annotation, "__args__", (field.annotation,))
                      if isinstance(a, type) and issubclass(a, BaseModel)), field.annotation)
    return ", ".join(getattr(model, "model_fields", {}))


def _problem(error: ErrorDetails) -> str:
    loc, kind, value = error["loc"], error["type"], error.get("input")
    parts = _parts(loc)
    field = parts[-1] if parts else ""
    if kind == "samla":
        return error["msg"]
    if kind == "extra_forbidden":
        allowed = _allowed(tuple(parts))
        return t("config_fault.unknown_key_allowed", allowed=allowed) if allowed else t("config_fault.unknown_key")
    if kind == "literal_error" and field in CHOICES:
        return t("config_fault.not_one_of", value=repr(value), choices=CHOICES[field])
    if kind == "literal_error":  # a dict key that is not a canonical column
        return (t("config_fault.not_canonical_of", dataset=loc[1]) if loc[:1] == ("datasets",)
                else t("config_fault.not_canonical"))
    if kind == "missing":
        return t(f"config_fault.field.{field}") if field in ("delivery", "conn_id") else t("config_fault.required")
    if kind in ("model_type", "dict_type"):
        return t("config_fault.mapping")
    if kind == "list_type":
        return t("config_fault.list")
    if kind in ("string_type", "int_type", "float_type", "bool_type") and field not in PROBLEMS:
        return t("config_fault.text_not", kind=type(value).__name__)
    if field in PROBLEMS:
        got = t("config_fault.got", value=repr(value)) if isinstance(value, str | int | float) else ""
        return t(f"config_fault.field.{field}") + got
    return error["msg"]


def entry_faults(raw: Any) -> tuple[SourceModel | None, list[tuple[str, str]]]:
    """Validate one entry: the model, or every fault as (key, problem)."""
    try:
        return SourceModel.model_validate(raw), []
    except ValidationError as exc:
        faults: list[tuple[str, str]] = []
        for error in exc.errors():
            fault = (_key(error["loc"]), _problem(error))
            if all(key != fault[0] for key, _ in faults):  # a union reports its fault once per member
                faults.append(fault)
        return None, faults
