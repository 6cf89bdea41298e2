"""Landing -> raw archive: find deliveries, checksum them, keep them unchanged.

exports.md, Delivery: every delivery is kept unchanged with its checksum; the
same bytes delivered twice for the same source, dataset and period are
processed once; the newest delivery (arrived last, ties by modification time)
of a source/dataset/period wins.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
import stat
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from transforms import atomic
from transforms import period as periods
from transforms.config.project import current_project
from transforms.config.sources import Source
from transforms.messages import t
from transforms.paths import inside_data_dir

EXTENSIONS = ("csv", "txt", "tsv", "xlsx", "xlsm")
UNMATCHED = "_unmatched"
REFUSED = "_refused"  # ledger "dataset" of landing entries that are not regular files
_IGNORED_SUFFIXES = (".part", ".tmp", ".filepart", ".partial")


@dataclass(frozen=True)
class DeliveryKey:
    """Which delivered file: the ledger's key for its records.

    ``period`` is "" for a file whose name gives none; ``sha256`` is the content's
    checksum, or, for a file reported without being archived, the identity that reports
    it once (``named_identity``, ``entry_identity``).
    """

    source: str
    dataset: str
    period: str
    sha256: str


@dataclass(frozen=True)
class Delivery:
    """One archived file: what arrived, when, and what its name says it is."""

    source: str
    dataset: str  # a dataset name, or "_unmatched" when the name says nothing usable
    period: str  # YYYY-MM as named (validity checked separately), or "" when unmatched
    file_name: str
    sha256: str
    size: int
    mtime: float
    arrived_at: str  # ISO time the pipeline first saw these bytes
    archive_path: str  # relative to the data dir
    name_fault: str | None = None  # why the file name is not a valid delivery
    purged_at: str | None = None  # set when retention deleted the bytes

    @property
    def key(self) -> DeliveryKey:
        return DeliveryKey(self.source, self.dataset, self.period, self.sha256)

    @property
    def order(self) -> tuple[str, float, str]:
        return (self.arrived_at, self.mtime, self.file_name)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open_regular(path) as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def pattern_regex(source: Source) -> re.Pattern:
    """The delivery pattern as a regex with groups dataset, period/yyyymm, ext."""
    tokens = {d: c.file_token for d, c in source.datasets.items()}
    parts = re.split(r"(\{dataset\}|\{period\}|\{yyyymm\}|\{ext\})", source.delivery.pattern)
    regex = ""
    for part in parts:
        if part == "{dataset}":
            regex += "(?P<dataset>" + "|".join(re.escape(t) for t in sorted(tokens.values(), key=len, reverse=True)) + ")"
        elif part == "{period}":
            regex += r"(?P<period>\d{4}-\d{1,2})"
        elif part == "{yyyymm}":
            regex += r"(?P<yyyymm>\d{6})"
        elif part == "{ext}":
            regex += "(?P<ext>" + "|".join(EXTENSIONS) + ")"
        else:
            regex += re.escape(part)
    # \A…\Z: the whole name (a "$" also matches before a final newline, and "x.csv\n" is not a CSV)
    return re.compile(rf"\A{regex}\Z", re.IGNORECASE)


def period_fault(period: str, today: date | None = None) -> str | None:
    """Why the period in a file name is not a valid reporting period, or None."""
    return periods.period_fault(period, current_project().window, today, where=t("period.where_file_name"))


def identify(source: Source, file_name: str, today: date | None = None) -> tuple[str, str, str | None]:
    """(dataset, period, fault) named by a file; dataset is "_unmatched" if the name is unusable."""
    m = pattern_regex(source).fullmatch(file_name)
    if not m:
        expected = source.delivery.pattern.replace("{ext}", "csv|xlsx")
        return UNMATCHED, "", t("intake.name_mismatch", name=repr(file_name), pattern=repr(expected),
                                datasets=", ".join(c.file_token for c in source.datasets.values()))
    token = m.group("dataset").lower() if "dataset" in m.groupdict() else ""
    dataset = next((d for d, c in source.datasets.items() if c.file_token.lower() == token), UNMATCHED)
    if m.groupdict().get("yyyymm"):
        raw = m.group("yyyymm")
        period = f"{raw[:4]}-{raw[4:]}"
    else:
        period = m.group("period")
    return dataset, period, period_fault(period, today)


def named_identity(name: str, sha: str) -> str:
    """A file reported by its name, never archived: its content's sha256 with its name, so that each of
    many files with the same bytes under different names is reported, each once."""
    return hashlib.sha256(f"{name}\0{sha}".encode("utf-8", "surrogateescape")).hexdigest()


def entry_identity(name: str, info: os.stat_result) -> str:
    """A landing entry's id for "reported once", from ``lstat`` (never from its content, which may not be read)."""
    return hashlib.sha256(f"{name}\0{info.st_ino}\0{info.st_mtime_ns}".encode("utf-8", "surrogateescape")).hexdigest()


@dataclass(frozen=True)
class Unreadable:
    """A landing file whose name says what it is but which cannot be read: rejected on its own, the others go on.

    Any ``OSError`` reading it counts (no permission, an I/O error, a link or folder swapped in after
    the scan); ``identity`` is ``entry_identity``, so it is reported once, and read as soon as it can be.
    """

    name: str
    dataset: str
    period: str
    identity: str
    error: str  # the OSError's kind, e.g. PermissionError
    reason: str  # in the catalogue's words

    @property
    def message(self) -> str:
        return t("unreadable.file", reason=self.reason, error=self.error)


def read_fault(exc: OSError) -> str:
    """What went wrong reading a landing file, in words (never anything read from it)."""
    kind = {errno.EACCES: "permission", errno.EPERM: "permission", errno.EIO: "io", errno.ELOOP: "link",
            errno.EISDIR: "not_regular"}.get(exc.errno or 0)
    if kind is None and exc.errno is None:
        kind = "not_regular"  # open_regular's own refusal
    return t(f"unreadable.{kind}") if kind else (exc.strerror or type(exc).__name__)


def fingerprint(path: Path) -> str:
    """The sha256 of a landing file or, when it cannot be read, its ``entry_identity`` (so that it is
    still reported, once); FileNotFoundError when it is gone."""
    try:
        return sha256_of(path)
    except FileNotFoundError:
        raise
    except OSError:
        return entry_identity(path.name, path.lstat())


@dataclass(frozen=True)
class Refused:
    """A landing entry that is never opened or copied (a link, device, FIFO or folder could lead anywhere);
    reported under its own name only."""

    name: str
    kind: str  # symlink | subfolder | special | outside
    identity: str  # stable id for "reported once" (from lstat, never from the content)

    @property
    def message(self) -> str:
        return t(f"intake.refused.{self.kind}", name=repr(self.name))


def _skipped(name: str) -> bool:
    return name.startswith(".") or name.lower().endswith(_IGNORED_SUFFIXES)


def scan(folder: Path) -> tuple[list[Path], list[Refused]]:
    """Regular files of a landing folder, and the entries refused (links, subfolders, devices, FIFOs).

    Nothing is followed: entries are classified by ``lstat``; a regular file must also
    resolve to a place directly inside ``folder``. Hidden files and uploads in progress are skipped.
    """
    if not folder.is_dir():
        return [], []
    root = folder.resolve()
    files, refused = [], []
    with os.scandir(folder) as entries:
        for entry in entries:
            if _skipped(entry.name):
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except FileNotFoundError:  # gone since the listing: nothing to take or report
                continue
            identity = entry_identity(entry.name, info)
            if entry.is_symlink():
                kind = "symlink"
            elif entry.is_dir(follow_symlinks=False):
                kind = "subfolder"
            elif not entry.is_file(follow_symlinks=False):
                kind = "special"
            elif Path(entry.path).resolve().parent != root:
                kind = "outside"
            else:
                files.append(Path(entry.path))
                continue
            refused.append(Refused(entry.name, kind, identity))
    return sorted(files), sorted(refused, key=lambda r: r.name)


def candidate_files(folder: Path) -> list[Path]:
    """Regular files in a landing folder (links, devices, FIFOs and subfolders are never taken)."""
    return scan(folder)[0]


def open_regular(path: Path):
    """Open a landing file for reading only if it is still a regular file (no link swapped in since the scan)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path.name!r} is not a regular file")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def archive_root(data_dir: Path) -> Path:
    """raw/archive: owner-only, like the landing area beside it (both hold personnummer)."""
    root = data_dir / "raw" / "archive"
    if not root.is_dir():
        root.mkdir(parents=True, exist_ok=True)
        (data_dir / "raw").chmod(0o700)
    return root


def _meta_path(data_dir: Path, source: str, dataset: str, period: str, sha: str) -> Path:
    return archive_root(data_dir) / source / dataset / (period or "_") / f"{sha}.json"


def _write_json(path: Path, document: dict, data_dir: Path) -> None:
    atomic.write_json(path, document, root=data_dir)


def _seen_path(data_dir: Path, source: str) -> Path:
    return archive_root(data_dir) / source / "_seen_by_name.json"


def unmatched(source: Source, files: list[Path]) -> list[tuple[Path, str]]:
    """Files whose names match none of the source's patterns, with the reason: reported, never archived."""
    found = []
    for path in files:
        dataset, _, fault = identify(source, path.name)
        if dataset == UNMATCHED:
            found.append((path, fault or t("intake.name_no_dataset")))
    return found


def archive(data_dir: Path, source: Source, files: list[Path], today: date | None = None,
            unreadable: list[Unreadable] | None = None) -> list[Delivery]:
    """Copy new deliveries into the raw archive; return the arrivals to process.

    The same bytes again for the same source, dataset and period are processed
    once — unless other bytes came under that file name in between (A, B, A):
    then the last to arrive wins, and A arrives anew. Names matching no pattern
    are not archived (``unmatched`` reports them). A file that cannot be read is
    added to ``unreadable`` when given, and the others go on; without it the error
    is raised. Writing stays strict: a full disk fails the whole call.
    """
    now = datetime.now(UTC).isoformat(timespec="microseconds")
    seen_file = _seen_path(data_dir, source.id)
    seen = json.loads(seen_file.read_text(encoding="utf-8")) if seen_file.exists() else {}
    new = []
    for path in files:
        dataset, period, fault = identify(source, path.name, today)
        if dataset == UNMATCHED:
            continue
        try:
            sha = sha256_of(path)
            info = path.stat()
        except FileNotFoundError:
            continue  # gone since the listing (moved away by its sender): nothing to take
        except OSError as exc:
            if unreadable is None:
                raise
            with contextlib.suppress(FileNotFoundError):
                unreadable.append(Unreadable(path.name, dataset, period, entry_identity(path.name, path.lstat()),
                                             type(exc).__name__, read_fault(exc)))
            continue
        meta = _meta_path(data_dir, source.id, dataset, period, sha)
        suffix = path.suffix.lower() or ".bin"
        target = meta.with_suffix(suffix)
        inside_data_dir(target, data_dir)  # the archive holds personnummer: never outside the data folder
        previous, seen[path.name] = seen.get(path.name), sha
        if meta.exists():
            if previous is None or previous == sha:
                continue  # a duplicate: processed once
            record = json.loads(meta.read_text(encoding="utf-8")) | {
                "arrived_at": now, "mtime": info.st_mtime, "file_name": path.name, "purged_at": None}
            if not target.exists():  # retention had removed the bytes
                _copy_checked(path, target, sha, data_dir)
            _write_json(meta, record, data_dir)
            new.append(Delivery(**record))
            continue
        _copy_checked(path, target, sha, data_dir)
        delivery = Delivery(
            source=source.id, dataset=dataset, period=period, file_name=path.name, sha256=sha,
            size=info.st_size, mtime=info.st_mtime, arrived_at=now,
            archive_path=str(target.relative_to(data_dir)), name_fault=fault,
        )
        _write_json(meta, asdict(delivery), data_dir)
        new.append(delivery)
    if files:
        _write_json(seen_file, seen, data_dir)
    return new


def _copy_checked(path: Path, target: Path, sha: str, data_dir: Path) -> None:
    with atomic.atomic_path(target, root=data_dir) as tmp:
        with open_regular(path) as src, open(tmp, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        if sha256_of(tmp) != sha:
            raise OSError(f"{path} changed while it was being archived; it will be picked up next run")


def archived(data_dir: Path, source_id: str) -> list[Delivery]:
    """Every delivery of a source in the raw archive, oldest arrival first."""
    root = archive_root(data_dir) / source_id
    found = [Delivery(**json.loads(p.read_text(encoding="utf-8"))) for p in root.glob("*/*/*.json")] if root.is_dir() else []
    return sorted(found, key=lambda d: d.order)
