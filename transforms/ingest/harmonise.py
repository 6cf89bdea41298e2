"""Raw cells -> canonical, typed, pseudonymised rows (the harmonised layer).

Header names are matched through the source's aliases, code labels through
its code maps, dates through its declared format; ``person_id`` is parsed,
age at entry derived, and the number replaced by its keyed pseudonym before
anything else (validation, quarantine, logs) sees the row.
Values that cannot be converted become row faults here; the rules on the
converted values live in the GX suites (``transforms.ingest.validate``).
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from transforms.config.schema import (
    CODES,
    DATASET_COLUMNS,
    DEFAULT_CODE_LABELS,
    FALSE_LABELS,
    TRUE_LABELS,
    curated_columns,
)
from transforms.config.sources import DATE_FORMATS
from transforms.ingest.file_context import FileContext
from transforms.ingest.parse import FileFault, LongCell, RawTable, clip
from transforms.messages import number as format_number
from transforms.messages import t
from transforms.messages.steward_words import written_date_format
from transforms.privacy import personnummer
from transforms.privacy.pseudonym import pseudonyms

MASKED = personnummer.MASK
INVALID_PERSON = "<invalid personnummer, not shown>"
_WAVE = re.compile(r"^[tT](\d+)$", re.ASCII)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$", re.ASCII)


@dataclass
class Harmonised:
    frame: pd.DataFrame  # canonical columns + lineage + helper columns; index = position
    faults: list[dict[str, Any]] = field(default_factory=list)  # source_row, column, rule, description, value
    warnings: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # canonical column -> the file's own header


def safe_value(value: Any) -> str | None:
    """A cell value as text for a report, with anything shaped like a personnummer hidden."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp | datetime):
        value = value.date()
    return clip(personnummer.mask_in_text(value.isoformat() if isinstance(value, date) else str(value)))


def missing_column_text(column: str, alias_names: dict[str, tuple[str, ...]], headers: list[str]) -> str:
    """A missing column, its accepted headers as configured, and the file's closest headers (did you mean)."""
    accepted = [column] + [a for a in alias_names.get(column, ()) if _normal_header(a) != column]
    by_normal = {_normal_header(h): h for h in headers}
    close = []
    for name in accepted:
        close += difflib.get_close_matches(_normal_header(name), list(by_normal), n=2, cutoff=0.5)
    suggestion = (t("ingest.did_you_mean", headers=clip(", ".join(repr(by_normal[c]) for c in dict.fromkeys(close))))
                  if close else "")
    return t("ingest.column_missing", column=column, accepted=" / ".join(accepted), suggestion=suggestion)


def _normal_header(name: str) -> str:
    return " ".join(str(name).split()).lower()


def map_header(table: RawTable, ctx: FileContext) -> tuple[dict[int, str], list[str]]:
    """Position -> canonical column; raises FileFault on a duplicated or missing column."""
    config = ctx.config
    canonical = {c.name for c in DATASET_COLUMNS[ctx.dataset]} | {"kommunkod"}
    aliases = {_normal_header(k): v for k, v in config.aliases.items()}
    mapping: dict[int, str] = {}
    seen: dict[str, str] = {}
    warnings = []
    for position, name in enumerate(table.header):
        key = _normal_header(name)
        if not key:
            if any(row[position] is not None for row in table.rows if position < len(row)):
                warnings.append(t("harmonise.unnamed_column", position=position + 1))
            continue
        column = key if key in canonical else aliases.get(key)
        if column is None:
            warnings.append(t("harmonise.unknown_column", name=repr(clip(name, 80))))
            continue
        if column in seen:
            raise FileFault(t("harmonise.duplicated_column", first=repr(clip(seen[column], 80)),
                              second=repr(clip(name, 80)), column=repr(column)), "duplicated_column")
        seen[column] = name
        mapping[position] = column
    required = [c.name for c in DATASET_COLUMNS[ctx.dataset] if c.required]
    if len(ctx.source.municipalities) > 1:
        required.append("kommunkod")
    missing = [c for c in required if c not in seen]
    if missing:
        unused = [h for p, h in enumerate(table.header) if p not in mapping and _normal_header(h)]
        raise FileFault("; ".join(missing_column_text(c, config.alias_names, unused) for c in missing)
                        + t("ingest.file_header", header=clip(", ".join(repr(h) for h in table.header))),
                        "required_column_missing")
    return mapping, warnings


# --- cell converters: return (value, fault rule or None) ------------------------------


class _Bad(Exception):
    """A cell that does not convert: its rule, and the catalogue text describing it (``rule.<rule>`` unless
    a closer one is named), with that text's parameters besides ``column`` and ``value``."""

    def __init__(self, rule: str, message: str | None = None, **params: Any):
        self.rule, self.message, self.params = rule, message or f"rule.{rule}", params


def _to_date(value: Any, fmt: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _ascii_digits(str(value), "invalid_date")
    try:
        return datetime.strptime(text.strip(), DATE_FORMATS[fmt]).date()
    except ValueError:
        raise _Bad("invalid_date", format=written_date_format(fmt)) from None


# A plain decimal number after NFKC folding (full-width digits and signs become ASCII); no
# hex, underscores, "nan" or "inf", which float() would otherwise accept (exports.md: no crash).
_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$", re.ASCII)
_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009")  # thousands separators Excel writes
LARGEST = 1e15  # far beyond any minutes, hours or score; keeps integers exact and inside int64


def _ascii_digits(text: str, rule: str) -> str:
    """``text`` after NFKC (full-width digits become 0-9); a fault when any other digit script is left,
    which ``float``, ``int`` and ``strptime`` would otherwise read (١٢٣ as 123)."""
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii() and any(c.isdigit() and not c.isascii() for c in text):
        raise _Bad(rule, "privacy.foreign_digits")
    return text


def _to_number(value: Any, decimal: str, rule: str = "invalid_number") -> float:
    if isinstance(value, bool):
        raise _Bad("invalid_number")
    if isinstance(value, int | float):
        number = float(value) if abs(value) < 1e300 else math.inf
    else:
        text = _ascii_digits(str(value), rule).strip().translate(_SPACES).replace("\u2212", "-")
        if decimal == ",":
            text = text.replace(",", ".")
        shape = _NUMBER.match(text)
        if not shape:
            raise _Bad("invalid_number", "harmonise.number_decimal_mark", decimal=repr(decimal))
        if shape.group(2) and rule == "invalid_integer":  # 1e3 is a float's notation, not a count
            raise _Bad(rule, "privacy.integer_exponent")
        number = float(text)
    if not math.isfinite(number) or abs(number) > LARGEST:
        raise _Bad("invalid_number", "harmonise.number_out_of_range")
    return number


def _to_integer(value: Any, decimal: str) -> int:
    number = _to_number(value, decimal, "invalid_integer")
    if number != int(number):
        raise _Bad("invalid_integer")
    return int(number)


def _to_bool(value: Any, checkbox: bool) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if checkbox and text == "x":
        return True
    if text in TRUE_LABELS:
        return True
    if text in FALSE_LABELS:
        return False
    raise _Bad("invalid_boolean")


def _to_month(value: Any) -> str:
    if isinstance(value, datetime | date):
        return f"{value.year:04d}-{value.month:02d}"
    m = _MONTH.match(_ascii_digits(str(value), "invalid_month").strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise _Bad("invalid_month")
    return m.group(0)


def _to_wave(value: Any) -> str:
    text = str(value).strip()
    if isinstance(value, int):
        text = f"T{value}"
    m = _WAVE.match(text)
    return f"T{int(m.group(1))}" if m else text  # unknown labels are left for the suite's rule


def _code_map(ctx: FileContext, column: str) -> dict[str, str]:
    mapping = {code.lower(): code for code in CODES.get(column, ())}
    mapping.update(DEFAULT_CODE_LABELS.get(column, {}))
    mapping.update(ctx.config.codes.get(column, {}))
    return mapping


def _kommunkod(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _convert_column(values: pd.Series, kind: str, column: str, ctx: FileContext, decimal: str):
    """Converted values and {position: _Bad} for cells that did not convert."""
    fmt = ctx.config.format
    if kind in ("code", "kommunkod"):
        mapping = _code_map(ctx, column) if kind == "code" else {}
        plain = _kommunkod if kind == "kommunkod" else lambda v: mapping.get(str(v).strip().lower(), str(v).strip())
        # Text passed through unconverted (codes the suite may reject) never carries a personnummer into
        # validation results and Data Docs. The Series infers its dtype as Series.map would.
        codes, distinct = _distinct(values)
        masked = [personnummer.mask_in_text(plain(v)) for v in distinct]
        return pd.Series(_broadcast(masked, codes, None), index=values.index), {}
    labels = ctx.config.codes.get(column)
    if labels:  # e.g. a source's own yes/no words for a boolean, or wave names
        values = values.map(lambda v: v if v is None else labels.get(str(v).strip().lower(), v))
    converter = {
        "date": lambda v: _to_date(v, fmt.date_format),
        "number": lambda v: _to_number(v, decimal),
        "integer": lambda v: _to_integer(v, decimal),
        "boolean": lambda v: _to_bool(v, fmt.checkbox_booleans),
        "month": _to_month,
        "wave": lambda v: personnummer.mask_in_text(_to_wave(v)),
    }[kind]
    empty: object = False if kind == "boolean" and fmt.checkbox_booleans else None
    codes, distinct = _distinct(values)
    results, faults = [], []
    for value in distinct:
        result, fault = empty, None
        if not (isinstance(value, float) and value != value):  # NaN from Series.map is an empty cell
            try:
                result = converter(value)
            except _Bad as exc:
                result, fault = None, exc
        results.append(result)
        faults.append(fault)
    rows_faults = _broadcast(faults, codes, None)
    bad = {int(position): rows_faults[position] for position in np.flatnonzero(rows_faults != None)}  # noqa: E711
    return pd.Series(_broadcast(results, codes, empty), index=values.index, dtype=object), bad


def _distinct(values: pd.Series) -> tuple[np.ndarray, list[Any]]:
    """Each cell's code (-1 for None) and the distinct values the codes point to: a conversion runs once
    per distinct value (months, dates, minutes and persons repeat a lot). Keyed with the type too when
    the column holds more than text, since True == 1 == 1.0 but a boolean cell is no number."""
    array = values.to_numpy(dtype=object)
    if set(map(type, array)) <= {str, type(None)}:
        codes, uniques = pd.factorize(array)
        return codes, uniques.tolist()
    index: dict[tuple[type, Any], int] = {}
    codes = np.fromiter((-1 if v is None else index.setdefault((type(v), v), len(index)) for v in array),
                        dtype=np.intp, count=len(array))
    return codes, [value for _, value in index]


def _broadcast(per_distinct: list[Any], codes: np.ndarray, empty: Any) -> np.ndarray:
    """One result per cell from one per distinct value; ``empty`` where the code is -1 (None)."""
    table = np.fromiter([*per_distinct, empty], dtype=object, count=len(per_distinct) + 1)  # the objects as they are
    return table[codes]


def harmonise(table: RawTable, ctx: FileContext, key: bytes) -> Harmonised:
    """Canonical typed rows of one file, pseudonymised; conversion faults listed per cell."""
    mapping, warnings = map_header(table, ctx)
    width = len(table.header)
    lengths = set(map(len, table.rows))
    raw = _raw_frame(table.rows, width, lengths)
    faults: list[dict[str, Any]] = []
    if max(lengths, default=width) > width:
        for position, row in enumerate(table.rows):
            if len(row) > width and any(c is not None for c in row[width:]):
                faults.append(_fault(table.row_numbers[position], None, "too_many_fields", None,
                                     "harmonise.too_many_fields", fields=len(row), width=width))
    if table.long_cells:
        faults.extend(_long_cells(raw, mapping, table.row_numbers))
    out = pd.DataFrame(index=raw.index)
    out["source_row"] = pd.Series(table.row_numbers, index=raw.index, dtype="int64")
    columns = {c.name: c for c in DATASET_COLUMNS[ctx.dataset]}
    by_column = {canonical: raw[position] for position, canonical in mapping.items()}

    for name, column in columns.items():
        values = by_column.get(name, pd.Series([None] * len(raw), index=raw.index, dtype=object))
        if column.kind == "person":
            continue
        converted, bad = _convert_column(values, column.kind, name, ctx, table.decimal)
        out[name] = converted
        for position, fault in bad.items():
            faults.append(_fault(table.row_numbers[position], name, fault.rule, values.iloc[position], fault.message,
                                 **fault.params))

    kommun = by_column.get("kommunkod")
    if kommun is None:
        out["kommunkod"] = ctx.source.municipalities[0]
    else:
        out["kommunkod"], _ = _convert_column(kommun, "kommunkod", "kommunkod", ctx, table.decimal)

    person_faults = _pseudonymise(out, by_column.get("person_id"), ctx, key, table.row_numbers)
    faults.extend(person_faults)
    out["period"] = ctx.period
    out["source"] = ctx.source.id
    out["file_sha256"] = ctx.file_sha256
    headers = {canonical: str(table.header[position]).strip() for position, canonical in mapping.items()}
    return Harmonised(frame=out, faults=faults, warnings=warnings, headers=headers)


def _raw_frame(rows: list[list[Any]], width: int, lengths: set[int]) -> pd.DataFrame:
    """The cells as ``width`` object columns; only a sloppy file's rows are first padded or cut to the
    header's width (a new list per row costs more than the rest of harmonise per row)."""
    if lengths - {width}:
        rows = [row[:width] + [None] * (width - len(row)) for row in rows]
    return pd.DataFrame(rows, columns=range(width), dtype=object)


def _long_cells(raw: pd.DataFrame, mapping: dict[int, str], row_numbers: list[int]) -> list[dict[str, Any]]:
    """A row fault per cell past the length limit in a column Samla reads; every such cell is emptied
    in ``raw`` (an unread column's is simply dropped with its column)."""
    faults = []
    for position in raw.columns:
        long = raw[position].map(lambda v: isinstance(v, LongCell))
        if not long.any():
            continue
        for index in raw.index[long]:
            cell = raw.at[index, position]
            if position in mapping:
                faults.append(_fault(row_numbers[index], mapping[position], "cell_too_long", None,
                                     length=format_number(cell.length), limit=format_number(cell.limit)))
            raw.at[index, position] = None
    return faults


def _pseudonymise(out: pd.DataFrame, raw_ids: pd.Series | None, ctx: FileContext, key: bytes,
                  row_numbers: list[int]) -> list[dict[str, Any]]:
    """Replace person_id by ``person`` (keyed pseudonym); derive age at entry for participants.

    Each distinct number is parsed and hashed once (exports.md: hash each person once).
    """
    if raw_ids is None:
        raw_ids = pd.Series([None] * len(out), index=out.index, dtype=object)
    codes, distinct = _distinct(raw_ids)
    parsed = personnummer.parse_many([_id_text(v) for v in distinct], ctx.period_end)
    valid = np.flatnonzero(parsed.errors == None)  # noqa: E711 - elementwise
    person_codes, people = pd.factorize(parsed.normalised[valid])  # two forms of one number: one person
    of_distinct = np.full(len(distinct) + 1, None, dtype=object)  # the last for None cells (code -1)
    of_distinct[valid] = np.fromiter(pseudonyms(key, people), dtype=object, count=len(people))[person_codes]
    persons = of_distinct[codes]
    invalid = np.append(parsed.errors != None, False)[codes]  # noqa: E711 - elementwise; codes -1 (None) last
    faults = [_fault(row_numbers[position], "person_id", "invalid_personnummer", INVALID_PERSON)
              for position in np.flatnonzero(invalid)]
    out.insert(0, "person", pd.Series(persons, index=out.index, dtype=object))
    if ctx.dataset == "participants":
        births = np.append(parsed.birth, np.datetime64("NaT"))[codes]
        out["age_at_entry"] = _ages(births, out["entry_date"])
    return faults


def _ages(births: np.ndarray, entry: pd.Series) -> list[int | None]:
    """``personnummer.age_on`` of each birth date (datetime64, NaT when none) on each entry date (a date or
    None), in bulk; None where either is missing."""
    codes, distinct = pd.factorize(entry.to_numpy(dtype=object))  # a date object's conversion is the cost
    days = [d if isinstance(d, date) else None for d in distinct]
    entered = np.array([*days, None], dtype="datetime64[D]")[codes]
    known = ~np.isnat(births) & ~np.isnat(entered)
    (by, bm, bd), (ey, em, ed) = _year_month_day(births), _year_month_day(entered)
    ages = (ey - by - ((em * 100 + ed) < (bm * 100 + bd))).astype(object)
    ages[~known] = None
    return ages.tolist()


def _year_month_day(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    months = days.astype("datetime64[M]")
    return (days.astype("datetime64[Y]").astype(np.int64) + 1970, months.astype(np.int64) % 12 + 1,
            (days - months.astype("datetime64[D]")).astype(np.int64) + 1)


def _id_text(value: Any) -> str:
    if type(value) is str:  # nearly every cell: the checks below are for workbooks' numbers
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        # A numeric Excel cell drops the leading zero of a 10-digit number (born 2000-2009: most pupils).
        text = str(value)
        return text.zfill(10) if len(text) == 9 else text
    return str(value).strip()


def _fault(row: int, column: str | None, rule: str, value: Any, message: str | None = None,
           **params: Any) -> dict[str, Any]:
    """A row fault described by the catalogue text ``message`` (default ``rule.<rule>``); ``message`` and
    ``params`` stay with it, so the pipeline can describe it again in the file's own header names."""
    value = value if value in (INVALID_PERSON, None) else safe_value(value)
    message = message or f"rule.{rule}"
    return {"source_row": int(row), "column": column, "rule": rule, "value": value, "message": message,
            "params": params, "description": t(message, column=column, value=value, **params)}


def typed_frame(frame: pd.DataFrame, dataset: str) -> pd.DataFrame:
    """Columns in curated order with pandas dtypes suitable for validation and Parquet."""
    out = frame.copy()
    for column in DATASET_COLUMNS[dataset]:
        if column.kind == "date":
            out[column.name] = pd.to_datetime(out[column.name], errors="coerce")
        elif column.kind == "integer":
            out[column.name] = pd.to_numeric(out[column.name], errors="coerce").astype("Int64")
        elif column.kind == "number":
            out[column.name] = pd.to_numeric(out[column.name], errors="coerce").astype("Float64")
        elif column.kind == "boolean":
            out[column.name] = out[column.name].astype("boolean")
    if dataset == "participants":
        out["age_at_entry"] = pd.to_numeric(out["age_at_entry"], errors="coerce").astype("Int64")
    return out[curated_columns(dataset)]
