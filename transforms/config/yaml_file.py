"""Reading a configuration YAML file, and nothing else: the DAG files use it at parse time.

Kept apart from ``sources`` (pydantic models) so that listing the sources for
the task list, when the DAG files' own cache has no answer, costs one libyaml
parse and no model build.
"""

from __future__ import annotations

import os
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
    """The document in ``path``, kept while the file is unchanged (every task of a process reads the
    same sources and project files); ``what`` names the file in errors; ``max_bytes`` (limit, the
    setting that gives it): a larger file is a fault, never parsed. Read faults as ``YamlFileError``."""
    path = Path(path)
    try:
        stat = path.stat()
        if max_bytes and stat.st_size > max_bytes[0]:
            raise YamlFileError(t("config_fault.yaml_too_large", what=what, path=path, size=number(stat.st_size),
                                  limit=number(max_bytes[0]), var=max_bytes[1]))
        stamp = (str(path), stat.st_mtime_ns, stat.st_size)
        if stamp not in _CACHE:
            value = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
            _CACHE.clear()  # one file at a time is all a process needs
            _CACHE[stamp] = value
        return _CACHE[stamp]
    except OSError as exc:
        raise YamlFileError(t("config_fault.yaml_unreadable", what=what, path=path, reason=exc.strerror)) from None
    except UnicodeDecodeError:
        raise YamlFileError(t("config_fault.yaml_not_utf8", what=what, path=path)) from None
    except yaml.YAMLError as exc:
        raise YamlFileError(t("config_fault.yaml_invalid", what=what, path=path, error=exc)) from None
