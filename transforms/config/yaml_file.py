"""Reading a configuration YAML file, and nothing else: the DAG files use it at parse time.

Kept apart from ``sources`` (pydantic models) so that listing the sources for
the task list costs one libyaml parse, no model build.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from transforms.messages import number, t

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CACHE: dict[tuple, Any] = {}

# The sources file is read whole by every task, its aliases kept in memory: its size is bounded.
MAX_SOURCES_BYTES_ENV = "SAMLA_MAX_SOURCES_BYTES"
MAX_SOURCES_BYTES = 2_000_000  # the national file of 290 sources is a quarter of it


class YamlFileError(ValueError):
    """The file cannot be read or is not YAML; the message names the file."""


def max_sources_bytes() -> int:
    """SAMLA_MAX_SOURCES_BYTES, else the default; a value that is no whole number above 0 is a fault."""
    raw = os.environ.get(MAX_SOURCES_BYTES_ENV, "").strip()
    if not raw:
        return MAX_SOURCES_BYTES
    if not raw.isdigit() or int(raw) < 1:
        raise YamlFileError(t("config_fault.setting_not_whole", name=MAX_SOURCES_BYTES_ENV, raw=repr(raw)))
    return int(raw)


def read_yaml(path: Path, what: str, max_bytes: tuple[int, str] | None = None) -> Any:
    """The document in ``path`` (cached while the file is unchanged); ``what`` names the file in errors;
    ``max_bytes`` (limit, the setting that gives it): a larger file is a fault, never parsed."""
    return _cached(path, what, ("document",), lambda text: yaml.load(text, Loader=_LOADER), max_bytes)


def list_item_fields(path: Path, what: str, list_key: str, fields: tuple[str, ...],
                     max_bytes: tuple[int, str] | None = None) -> list[Any]:
    """``document[list_key]``'s items, each reduced to a dict of its scalar ``fields`` (a non-mapping
    item as itself when scalar, else None), exactly as ``read_yaml`` would give them.

    Read from libyaml's event stream without building the document: the DAG files need only the
    sources' ids and names, and building the national sources file (290 sources, 0.5 MB) costs
    0.4 s against 0.04 s for its events. Where an alias, merge key or tag could change an item or
    one of its fields, ``read_yaml`` resolves the file instead, as a file that is no mapping at its top.
    """
    def items(text: str) -> list[Any]:
        found = _items_from_events(text, list_key, fields)
        if found is not None:
            return found
        document = yaml.load(text, Loader=_LOADER)  # something only the full loader resolves
        raw = document.get(list_key) if isinstance(document, dict) else None
        return [({f: v for f, v in item.items() if f in fields and not isinstance(v, dict | list)}
                 if isinstance(item, dict) else item if not isinstance(item, list) else None)
                for item in (raw if isinstance(raw, list) else [])]

    return _cached(path, what, ("fields", list_key, fields), items, max_bytes)


def _cached(path: Path, what: str, kind: tuple, make: Callable[[str], Any],
            max_bytes: tuple[int, str] | None = None) -> Any:
    """``make(text of path)``, kept while the file is unchanged; read faults as ``YamlFileError``."""
    path = Path(path)
    try:
        stat = path.stat()
        if max_bytes and stat.st_size > max_bytes[0]:
            raise YamlFileError(t("config_fault.yaml_too_large", what=what, path=path, size=number(stat.st_size),
                                  limit=number(max_bytes[0]), var=max_bytes[1]))
        stamp = (*kind, str(path), stat.st_mtime_ns, stat.st_size)
        if stamp not in _CACHE:
            value = make(path.read_text(encoding="utf-8"))
            _CACHE.clear()  # one file at a time is all a process needs
            _CACHE[stamp] = value
        return _CACHE[stamp]
    except OSError as exc:
        raise YamlFileError(t("config_fault.yaml_unreadable", what=what, path=path, reason=exc.strerror)) from None
    except UnicodeDecodeError:
        raise YamlFileError(t("config_fault.yaml_not_utf8", what=what, path=path)) from None
    except yaml.YAMLError as exc:
        raise YamlFileError(t("config_fault.yaml_invalid", what=what, path=path, error=exc)) from None


class _Unsupported(Exception):
    """An event only the full loader resolves: an alias, tag or merge key where an item or field is."""


def _items_from_events(text: str, list_key: str, fields: tuple[str, ...]) -> list[Any] | None:
    events = iter(yaml.parse(text, Loader=_LOADER))
    constructor, resolver = yaml.constructor.SafeConstructor(), yaml.resolver.Resolver()

    def scalar(event) -> Any:
        if event.tag not in (None, "!"):
            raise _Unsupported
        tag = resolver.resolve(yaml.ScalarNode, event.value, event.implicit)
        return constructor.construct_object(yaml.ScalarNode(tag, event.value, style=event.style))

    def check(event) -> None:  # for the nodes that hold the fields; anchors and aliases elsewhere do not matter
        if isinstance(event, yaml.AliasEvent) or getattr(event, "tag", None) not in (None, "!"):
            raise _Unsupported

    def skip(event) -> None:  # the rest of a node whose first event was ``event``
        depth = int(isinstance(event, yaml.CollectionStartEvent))
        while depth:
            event = next(events)
            depth += isinstance(event, yaml.CollectionStartEvent) - isinstance(event, yaml.CollectionEndEvent)

    def mapping(on_pair) -> None:  # key/value pairs of the mapping just opened
        while not isinstance(event := next(events), yaml.MappingEndEvent):
            if not isinstance(event, yaml.ScalarEvent):
                raise _Unsupported  # a complex key
            if event.value == "<<" and event.implicit[0]:
                raise _Unsupported  # a merge key
            key = scalar(event)
            on_pair(key, next(events))

    try:
        while not isinstance(event := next(events), yaml.DocumentStartEvent | yaml.StreamEndEvent):
            pass
        if isinstance(event, yaml.StreamEndEvent):
            return []  # an empty file: no document
        top = next(events)
        check(top)
        if not isinstance(top, yaml.MappingStartEvent):
            return None
        found: list[Any] = []

        def item_field(item: dict, key: Any, value) -> None:
            if key in fields:
                check(value)
            if key in fields and isinstance(value, yaml.ScalarEvent):
                item[key] = scalar(value)
            else:
                skip(value)
                if key in fields:
                    item.pop(key, None)  # a later non-scalar value replaces an earlier one

        def top_pair(key: Any, value) -> None:
            if key != list_key:
                return skip(value)
            found.clear()  # a repeated key: the last one counts, as in the full loader
            if not isinstance(value, yaml.SequenceStartEvent):
                return skip(value)
            check(value)
            while not isinstance(event := next(events), yaml.SequenceEndEvent):
                if isinstance(event, yaml.MappingStartEvent):
                    check(event)
                    item: dict = {}
                    mapping(lambda k, v, item=item: item_field(item, k, v))
                    found.append(item)
                elif isinstance(event, yaml.ScalarEvent):
                    found.append(scalar(event))
                else:
                    check(event)
                    skip(event)
                    found.append(None)

        mapping(top_pair)
        return found
    except _Unsupported:
        return None
