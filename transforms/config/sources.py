"""The sources file: every municipality-specific choice lives here, not in code.

exports.md, "Configuration contract": the minimal form (id, municipalities,
delivery) works as written; everything else is optional with the contract's
defaults. Errors name the source and the key, every fault at once; a fault in
one entry stops that source only (exports.md, "Configuration faults are
contained"): ``SourcesConfig.get`` raises it for that source, the others work.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from transforms.config.project import Project, ProjectError, project_for
from transforms.config.schema import DATASETS
from transforms.config.source_models import (
    DATE_FORMATS,
    DEFAULT_PATTERN,
    FormatModel,
    SourceModel,
    entry_faults,
)
from transforms.config.yaml_file import (
    MAX_SOURCES_BYTES_ENV,
    YamlFileError,
    max_sources_bytes,
    read_yaml,
)
from transforms.messages import language, t
from transforms.paths import folder_fault

__all__ = ["DATE_FORMATS", "DEFAULT_PATTERN", "SourcesConfig", "Source", "SourcesError", "load_sources",
           "parse_sources"]


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
    # As the sources file spells them, for writing a source's files (the demo generator):
    # canonical column -> its first alias, and column -> code -> its first label
    # (a dataset's own entries over the source's).
    headers: dict[str, str] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    # canonical column -> every alias as the sources file spells it (messages list the accepted headers)
    alias_names: dict[str, tuple[str, ...]] = field(default_factory=dict)


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
    participants_drop_share: float = 0.10  # more persons gone from the snapshot than this share ...
    participants_drop_action: str = "warn"  # ... warns the steward (default) or rejects the snapshot

    @property
    def label(self) -> str:
        return f"{self.id} {self.name}" if self.name != self.id else self.id


@dataclass(frozen=True)
class SourcesConfig:
    """The valid sources, and the faults of the others (by source id as written) and of the file."""

    sources: dict[str, Source] = field(default_factory=dict)
    path: Path | None = None
    faults: dict[str, tuple[str, ...]] = field(default_factory=dict)
    file_faults: tuple[str, ...] = ()
    project: Project | None = None  # None only when the project file itself is faulty
    faulty_folders: tuple[Path, ...] = ()  # delivery folders of faulty entries: not "unknown sources"

    def get(self, source_id: str) -> Source:
        if self.file_faults or source_id in self.faults:
            raise SourcesError("\n".join(self.file_faults + self.faults.get(source_id, ())))
        try:
            return self.sources[source_id]
        except KeyError:
            known = ", ".join(sorted(self.sources))
            raise SourcesError(t("config_fault.unknown_source", id=repr(source_id), known=known)) from None

    @property
    def all_faults(self) -> list[str]:
        return [*self.file_faults, *(m for messages in self.faults.values() for m in messages)]

    def raise_file_faults(self) -> None:
        if self.file_faults:
            raise SourcesError("\n".join(self.file_faults))

    def raise_faults(self) -> None:
        if self.all_faults:
            raise SourcesError("\n".join(self.all_faults))


def _format(model: FormatModel | None, base: FormatHints) -> FormatHints:
    if model is None:
        return base
    given = model.model_dump(exclude_none=True)
    if given.get("delimiter") == "tab":
        given["delimiter"] = "\t"
    return replace(base, **given)


def _aliases(columns: dict[str, list] | None, base: dict[str, str]) -> dict[str, str]:
    result = dict(base)
    for column, aliases in (columns or {}).items():
        for alias in aliases:
            result[str(alias).strip().lower()] = column
    return result


def _alias_names(*layers: dict[str, list] | None) -> dict[str, tuple[str, ...]]:
    """Canonical column -> its aliases as spelled, the source's then the dataset's (they add up, as in _aliases)."""
    names: dict[str, tuple[str, ...]] = {}
    for columns in layers:
        for column, aliases in (columns or {}).items():
            names[column] = tuple(dict.fromkeys(names.get(column, ()) + tuple(str(a).strip() for a in aliases)))
    return names


def _codes(codes: dict[str, dict] | None, base: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    result = {k: dict(v) for k, v in base.items()}
    for column, mapping in (codes or {}).items():
        result.setdefault(column, {}).update({str(label).strip().lower(): str(code) for label, code in mapping.items()})
    return result


def _headers(columns: dict[str, list] | None, base: dict[str, str]) -> dict[str, str]:
    return {**base, **{column: str(aliases[0]).strip() for column, aliases in (columns or {}).items() if aliases}}


def _labels(codes: dict[str, dict] | None, base: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    result = {k: dict(v) for k, v in base.items()}
    for column, mapping in (codes or {}).items():
        first: dict[str, str] = {}
        for label, code in mapping.items():
            first.setdefault(str(code), str(label).strip())
        result.setdefault(column, {}).update(first)
    return result


def _folder(text: str, data_dir: Path) -> Path:
    """A delivery folder as configured: relative folders lie under SAMLA_DATA_DIR."""
    folder = Path(text).expanduser()
    return folder if folder.is_absolute() else data_dir / folder


def _source(model: SourceModel, data_dir: Path) -> Source:
    source_format = _format(model.format, FormatHints())
    source_codes = _codes(model.codes, {})
    datasets = {}
    for name in DATASETS:
        override = getattr(model.datasets, name, None) if model.datasets else None
        aliases = _aliases({c: a for c, a in (model.columns or {}).items()}, {})
        datasets[name] = DatasetConfig(
            dataset=name,
            file_token=override.file if override and override.file else name,
            format=_format(override.format if override else None, source_format),
            aliases=_aliases(override.columns if override else None, aliases),
            codes=_codes(override.codes if override else None, source_codes),
            headers=_headers(override.columns if override else None, _headers(model.columns, {})),
            labels=_labels(override.codes if override else None, _labels(model.codes, {})),
            alias_names=_alias_names(model.columns, override.columns if override else None),
        )
    delivery = model.delivery
    if delivery.folder is not None:
        place = Delivery(folder=_folder(delivery.folder, data_dir), pattern=delivery.pattern)
    else:
        assert delivery.sftp is not None, "DeliveryModel holds a folder or an SFTP place"
        place = Delivery(sftp_conn_id=delivery.sftp.conn_id, sftp_path=delivery.sftp.path, pattern=delivery.pattern)
    steward = model.steward
    return Source(
        id=model.id,
        name=model.name or model.id,
        municipalities=tuple(model.municipalities),
        delivery=place,
        datasets=datasets,
        steward_name=steward.name if steward else None,
        steward_email=steward.email if steward else None,
        quarantine_threshold=float(model.quarantine_threshold),
        participants_drop_share=float(model.participants_drop.max_share) if model.participants_drop else 0.10,
        participants_drop_action=model.participants_drop.action if model.participants_drop else "warn",
    )


def _municipalities(raw: Any) -> list[str]:
    """The kommunkoder an entry names, also when other keys of it are faulty (every fault at once)."""
    munis = raw.get("municipalities") if isinstance(raw, dict) else None
    return [str(m) for m in munis if isinstance(m, str | int)] if isinstance(munis, list) else []


def _raw_folder(raw: Any, data_dir: Path) -> Path | None:
    """The delivery folder an entry names, also when other keys of it are faulty."""
    delivery = raw.get("delivery") if isinstance(raw, dict) else None
    folder = delivery.get("folder") if isinstance(delivery, dict) else None
    return _folder(folder, data_dir) if isinstance(folder, str) and folder.strip() else None


def _id_or_index(raw: Any, index: int) -> str:
    """The entry's id as written, else ``sources[index]``: the key its faults are kept under."""
    sid = raw.get("id") if isinstance(raw, dict) else None
    return str(sid) if isinstance(sid, str | int) and str(sid) else f"sources[{index}]"


def _where(raw: Any, index: int) -> str:
    """The entry as a fault names it: ``source 'id'``, else ``sources[index]``."""
    sid = raw.get("id") if isinstance(raw, dict) else None
    if isinstance(sid, str | int) and str(sid):
        return t("config_fault.where_source", id=repr(str(sid)))
    return t("config_fault.where_entry", index=index)


def _fault(where: str, key: str, problem: str) -> str:
    return t("config_fault.line", where=where, key=key, problem=problem)


def parse_sources(document: Any, data_dir: Path, path: Path | None = None, strict: bool = True,
                  project: Project | None = None) -> SourcesConfig:
    """Every entry checked; ``strict`` raises all faults at once, otherwise they are kept per source.

    The project comes from SAMLA_PROJECT, the document's ``project:`` section or the default.
    """
    file_faults: list[str] = []
    if project is None:
        try:
            project = project_for(document, path)
        except ProjectError as exc:
            file_faults.extend(str(exc).splitlines())
    if isinstance(document, dict) and set(document) - {"sources", "project"}:
        file_faults.append(_fault(t("config_fault.where_sources_file", path="").strip(),
                                  sorted(map(str, set(document) - {"sources", "project"}))[0],
                                  t("config_fault.sources_unknown_key")))
    if not isinstance(document, dict) or not isinstance(document.get("sources"), list):
        file_faults.append(_fault(t("config_fault.where_sources_file", path="").strip(), "sources",
                                  t("config_fault.sources_list")))
        config = SourcesConfig(path=path, project=project)
    else:
        config = _parse_entries(document["sources"], data_dir, path, project)
    if file_faults:
        config = replace(config, file_faults=tuple(file_faults))
    if strict:
        config.raise_faults()
    return config


def _parse_entries(entries: list, data_dir: Path, path: Path | None, project: Project | None) -> SourcesConfig:
    faults: dict[str, list[str]] = {}
    faulty_folders: list[Path] = []
    folders: dict[Path, str] = {}  # resolved delivery folder -> the entry that has it
    models: list[tuple[str, SourceModel]] = []
    for index, raw in enumerate(entries):
        where = _where(raw, index)
        model, problems = entry_faults(raw)
        faults_here = [_fault(where, key, problem) for key, problem in problems]
        for m in _municipalities(raw):
            if project is not None and m not in project.municipalities:
                known = project.municipalities
                listed = (", ".join(known) if len(known) <= 12
                          else t("config_fault.project_municipalities", n=len(known)))
                faults_here.append(_fault(where, "municipalities", t("config_fault.not_in_project", value=repr(m),
                                                                     project=project.name, listed=listed)))
        folder = _raw_folder(raw, data_dir)
        if folder is not None:
            problem = folder_fault(folder, data_dir)
            faults_here.extend([_fault(where, "delivery.folder", problem)] if problem else [])
            owner = folders.setdefault(Path(os.path.realpath(folder)), where)
            if owner != where:
                faults_here.append(_fault(where, "delivery.folder",
                                          t("config_fault.folder_taken", folder=folder, owner=owner)))
        if model is not None:
            models.append((where, model))
        if faults_here:
            faults.setdefault(_id_or_index(raw, index), []).extend(faults_here)
            faulty_folders.extend([folder] if folder is not None else [])
    seen: dict[str, str] = {}
    claimed: dict[str, str] = {}
    for where, model in models:
        sid = model.id
        if sid.lower() in seen:
            faults.setdefault(sid, []).append(_fault(where, "id", t("config_fault.id_twice", a=repr(seen[sid.lower()]),
                                                                     b=repr(sid))))
        seen.setdefault(sid.lower(), sid)
        for m in model.municipalities:
            if m in claimed and claimed[m] != sid:
                faults.setdefault(sid, []).append(_fault(where, "municipalities", t(
                    "config_fault.delivered_twice", value=m, other=repr(claimed[m]))))
            claimed.setdefault(m, sid)
    sources: dict[str, Source] = {}
    for _, model in models:
        source = _source(model, data_dir)
        if model.id not in faults:
            sources[model.id] = source
        elif source.delivery.folder is not None:
            faulty_folders.append(source.delivery.folder)
    return SourcesConfig(sources=sources, path=path, faults={k: tuple(v) for k, v in faults.items()},
                         project=project, faulty_folders=tuple(faulty_folders))


def read_document(path: Path) -> Any:
    """The sources file as YAML data."""
    try:
        return read_yaml(path, t("config_fault.what_sources"), (max_sources_bytes(), MAX_SOURCES_BYTES_ENV))
    except YamlFileError as exc:
        raise SourcesError(str(exc)) from None


def load_sources(path: Path, data_dir: Path, strict: bool = True) -> SourcesConfig:
    """Load and validate the sources file; relative folders resolve under ``data_dir``.

    Kept per process while the file, the project file, the language and every
    delivery folder's state are unchanged: under ``dag.test()`` every source task
    runs in one process and would validate the whole file again, O(sources²) a run
    (benchmarks/README.md, "Figures behind the code's choices").
    """
    key = _load_key(Path(path), Path(data_dir))
    kept = _LOADED.get(key)
    if kept is not None and kept[0] == _folder_states(kept[1], data_dir):
        config = kept[1]
    else:
        config = _load(Path(path), Path(data_dir))
        _LOADED.clear()  # one sources file at a time is all a process needs
        _LOADED[key] = (_folder_states(config, data_dir), config)
    if strict:
        config.raise_faults()
    return config


_LOADED: dict[tuple, tuple[tuple, SourcesConfig]] = {}


def _load(path: Path, data_dir: Path) -> SourcesConfig:
    try:
        document = read_document(path)
    except SourcesError as exc:
        return SourcesConfig(path=path, file_faults=(str(exc),))
    return parse_sources(document, data_dir, path, strict=False)


def _stat(path: Path) -> tuple:
    try:
        info = path.stat()
    except OSError:
        return (str(path), None)
    return (str(path), info.st_ino, info.st_mtime_ns, info.st_ctime_ns, info.st_size)


def _load_key(path: Path, data_dir: Path) -> tuple:
    project = os.environ.get("SAMLA_PROJECT", "").strip()
    return (_stat(path), str(data_dir), language(), project, _stat(Path(project).expanduser()) if project else None,
            os.environ.get(MAX_SOURCES_BYTES_ENV, ""))


def _folder_states(config: SourcesConfig, data_dir: Path) -> tuple:
    """What the folder checks of ``_parse_entries`` depend on: where each folder leads and what is there."""
    folders = [s.delivery.folder for s in config.sources.values() if s.delivery.folder is not None]
    return tuple((os.path.realpath(f), os.path.isdir(f), os.path.exists(f))
                 for f in [Path(data_dir), *folders, *config.faulty_folders])
