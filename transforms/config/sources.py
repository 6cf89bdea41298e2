"""The sources file: every municipality-specific choice lives here, not in code.

exports.md, "Configuration contract": the minimal form (id, municipalities,
delivery) works as written; everything else is optional with the contract's
defaults. Errors name the source and the key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from transforms.config.schema import DATASET_COLUMNS, DATASETS, MUNICIPALITIES

DEFAULT_PATTERN = "{dataset}_{period}.{ext}"
DATE_FORMATS = {"YYYY-MM-DD": "%Y-%m-%d", "YYYYMMDD": "%Y%m%d", "YYYY/MM/DD": "%Y/%m/%d", "DD.MM.YYYY": "%d.%m.%Y"}
ENCODINGS = {"utf-8", "utf-8-sig", "cp1252", "windows-1252", "utf-16", "latin-1", "iso-8859-1"}
DELIMITERS = {",", ";", "\t", "tab"}
DECIMALS = {",", "."}
_FORMAT_KEYS = {"encoding", "delimiter", "decimal", "date_format", "sheet", "header_row", "checkbox_booleans", "kind"}
_SOURCE_KEYS = {
    "id", "name", "municipalities", "delivery", "format", "columns", "codes", "steward",
    "quarantine_threshold", "datasets",
}
_DATASET_KEYS = {"file", "format", "columns", "codes"}


class SourcesError(ValueError):
    """The sources file is invalid; the message names the source and key."""


@dataclass(frozen=True)
class FormatHints:
    """What a source declares about its files; None means 'detect'."""

    kind: str | None = None  # csv | xlsx
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None
    date_format: str = "YYYY-MM-DD"
    sheet: str | int | None = None
    header_row: int | None = None  # 1-based row of the header in a workbook/CSV
    checkbox_booleans: bool = False


@dataclass(frozen=True)
class DatasetConfig:
    dataset: str
    file_token: str  # what stands for {dataset} in the file name
    format: FormatHints
    aliases: dict[str, str]  # lower-cased alias -> canonical column
    codes: dict[str, dict[str, str]]  # canonical column -> lower-cased label -> code


@dataclass(frozen=True)
class Delivery:
    folder: Path | None = None
    sftp_conn_id: str | None = None
    sftp_path: str | None = None
    pattern: str = DEFAULT_PATTERN


@dataclass(frozen=True)
class Source:
    id: str
    name: str
    municipalities: tuple[str, ...]
    delivery: Delivery
    datasets: dict[str, DatasetConfig]
    steward_name: str | None = None
    steward_email: str | None = None
    quarantine_threshold: float = 0.20

    @property
    def label(self) -> str:
        return f"{self.id} {self.name}" if self.name != self.id else self.id


@dataclass(frozen=True)
class SourcesConfig:
    sources: dict[str, Source] = field(default_factory=dict)
    path: Path | None = None

    def get(self, source_id: str) -> Source:
        try:
            return self.sources[source_id]
        except KeyError:
            known = ", ".join(sorted(self.sources))
            raise SourcesError(f"unknown source {source_id!r}; known sources: {known}") from None


def _fail(where: str, key: str, problem: str) -> SourcesError:
    return SourcesError(f"{where}: key '{key}': {problem}")


def _format(where: str, raw: Any, base: FormatHints | None = None) -> FormatHints:
    base = base or FormatHints()
    if raw is None:
        return base
    if not isinstance(raw, dict):
        raise _fail(where, "format", "must be a mapping")
    unknown = set(raw) - _FORMAT_KEYS
    if unknown:
        raise _fail(where, f"format.{sorted(unknown)[0]}", f"unknown key; allowed: {', '.join(sorted(_FORMAT_KEYS))}")
    values = dict(base.__dict__)
    for key, value in raw.items():
        if key == "encoding" and str(value).lower() not in ENCODINGS:
            raise _fail(where, "format.encoding", f"{value!r} is not one of {sorted(ENCODINGS)}")
        if key == "delimiter" and value not in DELIMITERS:
            raise _fail(where, "format.delimiter", f"{value!r} is not one of , ; tab")
        if key == "decimal" and value not in DECIMALS:
            raise _fail(where, "format.decimal", f"{value!r} is not , or .")
        if key == "date_format" and value not in DATE_FORMATS:
            raise _fail(where, "format.date_format", f"{value!r} is not one of {', '.join(DATE_FORMATS)}")
        if key == "kind" and value not in {"csv", "xlsx"}:
            raise _fail(where, "format.kind", f"{value!r} is not csv or xlsx")
        if key == "header_row" and (not isinstance(value, int) or value < 1):
            raise _fail(where, "format.header_row", "must be a row number from 1")
        if key == "checkbox_booleans" and not isinstance(value, bool):
            raise _fail(where, "format.checkbox_booleans", "must be true or false")
        if key == "encoding":
            value = str(value).lower()
        if key == "delimiter" and value == "tab":
            value = "\t"
        values[key] = value
    return FormatHints(**values)


def _aliases(where: str, dataset: str, raw: Any, base: dict[str, str]) -> dict[str, str]:
    result = dict(base)
    if raw is None:
        return result
    if not isinstance(raw, dict):
        raise _fail(where, "columns", "must map canonical column names to lists of aliases")
    canonical = {c.name for c in DATASET_COLUMNS[dataset]} | {"kommunkod"}
    for column, aliases in raw.items():
        if column not in canonical:
            continue  # a source-level alias for a column of another dataset
        if isinstance(aliases, str):
            aliases = [aliases]
        if not isinstance(aliases, list) or not all(isinstance(a, str | int) for a in aliases):
            raise _fail(where, f"columns.{column}", "must be a list of header names")
        for alias in aliases:
            result[str(alias).strip().lower()] = column
    return result


def _all_columns() -> set[str]:
    return {c.name for cols in DATASET_COLUMNS.values() for c in cols} | {"kommunkod"}


def _codes(where: str, raw: Any, base: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    result = {k: dict(v) for k, v in base.items()}
    if raw is None:
        return result
    if not isinstance(raw, dict):
        raise _fail(where, "codes", "must map canonical columns to {label: code}")
    for column, mapping in raw.items():
        if column not in _all_columns():
            raise _fail(where, f"codes.{column}", "not a canonical column")
        if not isinstance(mapping, dict):
            raise _fail(where, f"codes.{column}", "must map labels to codes")
        result.setdefault(column, {})
        for label, code in mapping.items():
            result[column][str(label).strip().lower()] = str(code)
    return result


def _delivery(where: str, raw: Any, base_dir: Path) -> Delivery:
    if not isinstance(raw, dict):
        raise _fail(where, "delivery", "is required: {folder: PATH} or {sftp: {conn_id: ID, path: PATH}}")
    pattern = raw.get("pattern", DEFAULT_PATTERN)
    if not isinstance(pattern, str) or "{period}" not in pattern and "{yyyymm}" not in pattern:
        raise _fail(where, "delivery.pattern", "must contain {period} or {yyyymm}")
    unknown = set(raw) - {"folder", "sftp", "pattern"}
    if unknown:
        raise _fail(where, f"delivery.{sorted(unknown)[0]}", "unknown key; allowed: folder, sftp, pattern")
    if ("folder" in raw) == ("sftp" in raw):
        raise _fail(where, "delivery", "needs exactly one of 'folder' and 'sftp'")
    if "folder" in raw:
        folder = Path(str(raw["folder"])).expanduser()
        if not folder.is_absolute():
            folder = base_dir / folder
        return Delivery(folder=folder, pattern=pattern)
    sftp = raw["sftp"]
    if not isinstance(sftp, dict) or not sftp.get("conn_id"):
        raise _fail(where, "delivery.sftp.conn_id", "is required (an Airflow connection id)")
    return Delivery(sftp_conn_id=str(sftp["conn_id"]), sftp_path=str(sftp.get("path", ".")), pattern=pattern)


def _source(raw: Any, index: int, data_dir: Path) -> Source:
    if not isinstance(raw, dict) or "id" not in raw:
        raise SourcesError(f"sources[{index}]: key 'id': every source needs an id")
    sid = str(raw["id"])
    where = f"source {sid!r}"
    unknown = set(raw) - _SOURCE_KEYS
    if unknown:
        raise _fail(where, sorted(unknown)[0], f"unknown key; allowed: {', '.join(sorted(_SOURCE_KEYS))}")
    munis = raw.get("municipalities")
    if not isinstance(munis, list) or not munis:
        raise _fail(where, "municipalities", "must be a non-empty list of kommunkoder")
    munis = tuple(str(m) for m in munis)
    for m in munis:
        if m not in MUNICIPALITIES:
            raise _fail(where, "municipalities", f"{m!r} is not a project municipality ({', '.join(MUNICIPALITIES)})")
    threshold = raw.get("quarantine_threshold", 0.20)
    if not isinstance(threshold, int | float) or not 0 <= threshold <= 1:
        raise _fail(where, "quarantine_threshold", "must be a share between 0 and 1 (e.g. 0.2)")
    steward = raw.get("steward") or {}
    if not isinstance(steward, dict):
        raise _fail(where, "steward", "must be {name: ..., email: ...}")
    email = steward.get("email")
    if email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+", str(email)):
        raise _fail(where, "steward.email", f"{email!r} is not an email address")
    source_format = _format(where, raw.get("format"))
    source_codes = _codes(where, raw.get("codes"), {})
    per_dataset = raw.get("datasets") or {}
    if not isinstance(per_dataset, dict):
        raise _fail(where, "datasets", "must map dataset names to overrides")
    for name in per_dataset:
        if name not in DATASETS:
            raise _fail(where, f"datasets.{name}", f"not a dataset ({', '.join(DATASETS)})")
    datasets = {}
    for name in DATASETS:
        override = per_dataset.get(name) or {}
        dwhere = f"{where} dataset {name!r}"
        if set(override) - _DATASET_KEYS:
            bad = sorted(set(override) - _DATASET_KEYS)[0]
            raise _fail(dwhere, bad, f"unknown key; allowed: {', '.join(sorted(_DATASET_KEYS))}")
        aliases = _aliases(where, name, raw.get("columns"), {})
        datasets[name] = DatasetConfig(
            dataset=name,
            file_token=str(override.get("file", name)),
            format=_format(dwhere, override.get("format"), source_format),
            aliases=_aliases(dwhere, name, override.get("columns"), aliases),
            codes=_codes(dwhere, override.get("codes"), source_codes),
        )
    return Source(
        id=sid,
        name=str(raw.get("name", sid)),
        municipalities=munis,
        delivery=_delivery(where, raw.get("delivery"), data_dir),
        datasets=datasets,
        steward_name=steward.get("name"),
        steward_email=str(email) if email else None,
        quarantine_threshold=float(threshold),
    )


def parse_sources(document: Any, data_dir: Path, path: Path | None = None) -> SourcesConfig:
    if not isinstance(document, dict) or not isinstance(document.get("sources"), list):
        raise SourcesError("sources file: key 'sources': must be a list of sources")
    sources: dict[str, Source] = {}
    claimed: dict[str, str] = {}
    for index, raw in enumerate(document["sources"]):
        source = _source(raw, index, data_dir)
        if source.id in sources:
            raise _fail(f"source {source.id!r}", "id", "is used by two sources")
        for m in source.municipalities:
            if m in claimed:
                raise _fail(f"source {source.id!r}", "municipalities", f"{m} is already delivered by source {claimed[m]!r}")
            claimed[m] = source.id
        sources[source.id] = source
    return SourcesConfig(sources=sources, path=path)


def load_sources(path: Path, data_dir: Path) -> SourcesConfig:
    """Load and validate the sources file; relative folders resolve under ``data_dir``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise SourcesError(f"SAMLA_SOURCES: cannot read {path}: {exc.strerror}") from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SourcesError(f"sources file {path}: not valid YAML: {exc}") from None
    return parse_sources(document, data_dir, Path(path))
