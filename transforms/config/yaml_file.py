"""Reading a configuration YAML file, and nothing else: the DAG files use it at parse time.

Kept apart from ``sources`` (pydantic models) so that listing the sources for
the task list costs one libyaml parse, no model build.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CACHE: dict[tuple, Any] = {}


class YamlFileError(ValueError):
    """The file cannot be read or is not YAML; the message names the file."""


def read_yaml(path: Path, what: str) -> Any:
    """The document in ``path`` (cached while the file is unchanged); ``what`` names the file in errors."""
    path = Path(path)
    try:
        stat = path.stat()
        stamp = (str(path), stat.st_mtime_ns, stat.st_size)
        if stamp not in _CACHE:
            _CACHE.clear()  # one file at a time is all a process needs
            _CACHE[stamp] = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
        return _CACHE[stamp]
    except OSError as exc:
        raise YamlFileError(f"{what} {path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise YamlFileError(f"{what} {path}: not UTF-8 text") from None
    except yaml.YAMLError as exc:
        raise YamlFileError(f"{what} {path}: not valid YAML: {exc}") from None
