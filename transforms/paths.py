"""Where Samla may read deliveries from and write to: intake that cannot be turned against its host.

``inside_data_dir`` is the check every writer makes before writing: a path
that resolves outside SAMLA_DATA_DIR (a source id or file name with ``..``, a
symlinked folder) is refused. ``folder_fault`` says why a configured delivery
folder is unusable: a system folder, the data folder or one of Samla's own
folders in it, or a folder that neither exists nor may be created there.

Part of the kernel (ARCHITECTURE.md): callers pass the data folder, so this
module reads no settings and ``transforms.atomic`` can use it.
"""

from __future__ import annotations

import os
from pathlib import Path

from transforms.messages import t

# System folders: never a delivery folder, nor anything inside them.
SYSTEM_TREES = ("/proc", "/sys", "/dev", "/etc", "/usr", "/bin", "/sbin", "/boot", "/lib", "/lib32", "/lib64",
                "/root", "/run", "/var/run", "/var/lib", "/var/log", "/var/spool", "/var/cache")
# Top-level folders that hold everyone's data: never one of these itself.
SYSTEM_FOLDERS = ("/", "/var", "/home", "/tmp", "/opt", "/srv", "/mnt", "/media", "/data")
# What Samla itself writes under SAMLA_DATA_DIR: a delivery folder there would feed the pipeline its own output.
OWN_FOLDERS = ("raw", "raw/archive", "curated", "quarantine", "ledger", "published", "reports", "data_docs", "steward_pages",
               "logs")


class UnsafePathError(ValueError):
    """A path the pipeline was about to write lies outside SAMLA_DATA_DIR."""


def _within(path: Path, root: Path) -> bool:
    """``path`` is ``root`` or lies under it (both absolute and normalised; compared as text, as
    ``root in path.parents`` builds a Path per parent, and a national sources file checks a folder
    per source on every load)."""
    p, r = str(path), str(root)
    return p == r or p.startswith(r if r.endswith(os.sep) else r + os.sep)


def inside_data_dir(path: Path | str, data_dir: Path) -> Path:
    """``path`` resolved, if it lies under ``data_dir`` (SAMLA_DATA_DIR); else UnsafePathError naming both."""
    root = Path(data_dir).resolve()
    resolved = Path(os.path.realpath(path))
    if not _within(resolved, root) or resolved == root:
        raise UnsafePathError(t("config_fault.outside_data_dir", path=path, root=root))
    return resolved


def folder_fault(folder: Path, data_dir: Path) -> str | None:
    """Why ``folder`` cannot be a delivery folder, or None."""
    resolved = Path(os.path.realpath(folder))
    root = Path(data_dir).resolve()
    if str(resolved) in SYSTEM_FOLDERS or any(_within(resolved, Path(t)) for t in SYSTEM_TREES):
        return t("config_fault.folder_system", folder=folder)
    if resolved == root or resolved in root.parents:
        return t("config_fault.folder_data_dir", folder=folder)
    own = max((name for name in OWN_FOLDERS if _within(resolved, root / name) and not
               _within(resolved, root / "raw" / "landing")), key=len, default=None)
    if own is not None:
        return t("config_fault.folder_own", folder=folder, own=repr(own))
    if resolved.exists() and not resolved.is_dir():
        return t("config_fault.folder_not_folder", folder=folder)
    if not resolved.exists() and not _within(resolved, root):
        return t("config_fault.folder_missing", folder=folder, root=root)
    return None
