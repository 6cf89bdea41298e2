"""The project file: the project's window and its areas, as configuration (exports.md, version 2).

Read from ``SAMLA_PROJECT`` when set, else the ``project:`` section of the
sources file, else the default (Fokus IM, ``transforms/config/project.yaml`` beside the
default sources file). Every layer that needs municipalities, federations, the
region or the project window asks ``current_project()``; nothing else holds them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from transforms.config.settings import DEFAULT_PROJECT, DEFAULT_SOURCES
from transforms.config.yaml_file import YamlFileError, read_yaml
from transforms.messages import t
from transforms.period import Period

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

PERIOD = r"^\d{4}-(0[1-9]|1[0-2])$"


class ProjectError(ValueError):
    """The project file is invalid; the message names the file and key."""


@dataclass(frozen=True)
class Municipality:
    kommunkod: str
    name: str
    federation: str  # federation code


@dataclass(frozen=True)
class Project:
    code: str
    name: str
    first_period: str  # YYYY-MM, inclusive
    last_period: str
    region_code: str
    region_name: str
    federations: dict[str, str]  # code -> name, in file order
    municipalities: dict[str, Municipality]  # kommunkod -> municipality, in file order

    @property
    def window(self) -> tuple[Period, Period]:
        """The first and the last period, as the kernel's period functions take them."""
        return Period.parse(self.first_period), Period.parse(self.last_period)

    @property
    def first_day(self) -> str:
        return Period.parse(self.first_period).first_day.isoformat()

    @property
    def last_day(self) -> str:
        return Period.parse(self.last_period).last_day.isoformat()

    def contains(self, period: str) -> bool:
        return self.first_period <= period <= self.last_period

    def federation_of(self, kommunkod: str) -> str:
        return self.municipalities[kommunkod].federation

    def areas(self) -> list[tuple[str, str]]:
        """Every (area_level, area_code), in publication order."""
        return ([("municipality", k) for k in sorted(self.municipalities)]
                + [("federation", f) for f in sorted(self.federations)]
                + [("region", self.region_code)])


def _model():
    # pydantic is imported only when a project file is checked, not by every import of this module.
    from pydantic import (
        BaseModel,
        ConfigDict,
        Field,
        StringConstraints,
        field_validator,
        model_validator,
    )

    Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,40}$")]
    PeriodText = Annotated[str, StringConstraints(pattern=PERIOD)]
    Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

    class Strict(BaseModel):
        model_config = ConfigDict(extra="forbid", frozen=True)

    class Region(Strict):
        code: Code
        name: Text

    class Federation(Strict):
        code: Code
        name: Text
        municipalities: Annotated[dict[Annotated[str, StringConstraints(pattern=r"^\d{4}$")], Text],
                                  Field(min_length=1)]

        @field_validator("municipalities", mode="before")
        @classmethod
        def _quoted(cls, value: Any) -> Any:
            return {(f"{k:04d}" if isinstance(k, int) else k): v for k, v in value.items()} \
                if isinstance(value, dict) else value

    class ProjectModel(Strict):
        code: Code
        name: Text
        first_period: PeriodText
        last_period: PeriodText
        region: Region
        federations: Annotated[list[Federation], Field(min_length=1)]

        @model_validator(mode="after")
        def _consistent(self):
            from pydantic_core import PydanticCustomError

            if self.first_period > self.last_period:
                raise PydanticCustomError("samla", t("config_fault.first_after_last", first=self.first_period,
                                                     last=self.last_period))
            codes = [f.code for f in self.federations] + [self.region.code]
            if len(set(codes)) != len(codes):
                raise PydanticCustomError("samla", t("config_fault.codes_differ", codes=", ".join(codes)))
            seen: dict[str, str] = {}
            for federation in self.federations:
                for kommunkod in federation.municipalities:
                    if kommunkod in seen:
                        raise PydanticCustomError("samla", t("config_fault.kommunkod_twice", k=kommunkod,
                                                             a=seen[kommunkod], b=federation.code))
                    seen[kommunkod] = federation.code
            return self

    return ProjectModel


def parse_project(section: Any, where: str) -> Project:
    """A ``project:`` section as a Project; every fault at once, naming ``where`` and the key."""
    from pydantic import ValidationError

    try:
        model = _model().model_validate(section)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            key = ".".join(["project", *(str(p) if isinstance(p, str) else f"[{p}]" for p in error["loc"])])
            key = key.replace(".[", "[")
            lines.append(t("config_fault.line", where=where, key=key, problem=_problem(error)))
        raise ProjectError("\n".join(lines)) from None
    return Project(
        code=model.code,
        name=model.name,
        first_period=model.first_period,
        last_period=model.last_period,
        region_code=model.region.code,
        region_name=model.region.name,
        federations={f.code: f.name for f in model.federations},
        municipalities={k: Municipality(k, name, f.code) for f in model.federations
                        for k, name in f.municipalities.items()},
    )


def _problem(error: ErrorDetails) -> str:
    """A pydantic fault of the project file in the steward's language (pydantic's own English as a last resort)."""
    kind, value = error["type"], error.get("input")
    field = next((p for p in reversed(error["loc"]) if isinstance(p, str)), "")
    shown = repr(value) if isinstance(value, str | int | float) else type(value).__name__
    if kind == "samla":
        return error["msg"]
    if kind == "extra_forbidden":
        return t("config_fault.unknown_key")
    if kind == "missing":
        return t("config_fault.required")
    if kind == "string_pattern_mismatch":
        if field in ("first_period", "last_period"):
            return t("config_fault.period", value=shown)
        if field == "code":
            return t("config_fault.code", value=shown)
        return t("config_fault.kommunkod", value=shown)  # the keys of a federation's municipalities
    if kind in ("too_short", "string_too_short"):
        return t("config_fault.not_empty")
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return t("config_fault.mapping")
    if kind == "list_type":
        return t("config_fault.list")
    if kind == "string_type":
        return t("config_fault.text_not", kind=type(value).__name__)
    return error["msg"]


def _read(path: Path) -> Any:
    try:
        return read_yaml(path, t("config_fault.what_project"))
    except YamlFileError as exc:
        raise ProjectError(str(exc)) from None


def project_from_file(path: Path) -> Project:
    document = _read(path)
    if not isinstance(document, dict) or "project" not in document:
        where = t("config_fault.where_project_file", path=path)
        raise ProjectError(t("config_fault.line", where=where, key="project", problem=t("config_fault.required")))
    return parse_project(document["project"], t("config_fault.where_project_file", path=path))


def project_for(sources_document: Any, sources_path: Path | None = None) -> Project:
    """The project a sources file runs under: SAMLA_PROJECT, its own ``project:`` section, or the default."""
    explicit = os.environ.get("SAMLA_PROJECT", "").strip()
    if explicit:
        return _cached(Path(explicit).expanduser())
    if isinstance(sources_document, dict) and "project" in sources_document:
        return parse_project(sources_document["project"],
                             t("config_fault.where_sources_file", path=sources_path or "").strip())
    return _cached(DEFAULT_PROJECT)


_CACHE: dict[tuple, Project] = {}


def _stamp(path: Path) -> tuple:
    try:
        stat = path.stat()
        return (str(path), stat.st_mtime_ns, stat.st_size)
    except OSError:
        return (str(path), None, None)


def _cached(path: Path) -> Project:
    stamp = _stamp(path)
    if stamp not in _CACHE:
        _CACHE[stamp] = project_from_file(path)
    return _CACHE[stamp]


def current_project() -> Project:
    """The project of the current settings (read at call time, cached while the files are unchanged)."""
    explicit = os.environ.get("SAMLA_PROJECT", "").strip()
    if explicit:
        return _cached(Path(explicit).expanduser())
    sources = Path(os.environ.get("SAMLA_SOURCES") or DEFAULT_SOURCES).expanduser()
    stamp = ("sources",) + _stamp(sources)
    if stamp not in _CACHE:
        try:
            document = _read(sources)
        except ProjectError:
            document = None  # the sources file's own faults are reported by the sources check
        _CACHE[stamp] = project_for(document, sources)
    return _CACHE[stamp]
