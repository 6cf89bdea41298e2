"""Raw archive retention (exports.md, Privacy): raw deliveries are kept a configured
number of days after their period closes, then deleted — only those already
processed into the ledger, never one still waiting to load. The small arrival
record (no personal data) stays, so the same bytes are still recognised.

Every other identifying copy follows the same rule (``purge_landing``): the
landing folders and the SFTP staging folders. A copy whose name gives no period
cannot expire by rule: it is reported, with its age, never kept in silence.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from transforms import atomic
from transforms.config.settings import Settings
from transforms.ingest import landing
from transforms.ingest.ledger import Ledger
from transforms.paths import inside_data_dir
from transforms.period import Period


def period_closes(period: str) -> date:
    return Period.parse(period).last_day


def purge_raw(settings: Settings, source_ids: list[str], today: date | None = None) -> list[dict[str, str]]:
    """Delete expired, processed raw files; returns what was deleted (names and checksums only)."""
    today = today or datetime.now(UTC).date()
    keep = timedelta(days=settings.raw_retention_days)
    purged = []
    for source in source_ids:
        for delivery in landing.archived(settings.data_dir, source):
            path = settings.data_dir / delivery.archive_path
            if not path.exists() or not delivery.period:
                continue
            try:
                expired = period_closes(delivery.period) + keep < today
            except ValueError:  # an invalid period in the name: counts from arrival instead
                expired = datetime.fromisoformat(delivery.arrived_at).date() + keep < today
            processed = Ledger(settings.ledger_dir).exists(delivery.key)
            if expired and processed:
                inside_data_dir(path, settings.data_dir)  # a record naming a path outside is never followed
                path.unlink()
                meta = path.with_suffix(".json")
                record = json.loads(meta.read_text(encoding="utf-8")) | {"purged_at": today.isoformat()}
                atomic.write_json(meta, record, root=settings.data_dir)
                purged.append({"source": source, "dataset": delivery.dataset, "period": delivery.period,
                               "file_name": delivery.file_name, "sha256": delivery.sha256})
    return purged


def landing_folders(settings: Settings, sources) -> dict[str, Path]:
    """Source id -> the folder its deliveries land in (its own folder, or its SFTP staging folder)."""
    return {s.id: s.delivery.folder if s.delivery.folder is not None else settings.landing_dir / "_sftp" / s.id
            for s in sources}


def purge_landing(settings: Settings, sources, today: date | None = None) -> tuple[list[dict], list[dict]]:
    """Delete landing and staging copies of archived, processed, expired deliveries.

    Returns (deleted, without_period): names, checksums and ages only. A copy is
    deleted only when the archive holds the same bytes for the source under a
    period whose retention has passed and the ledger has processed them (curated
    or rejected); a copy not yet archived is a load still to come and stays.
    """
    today = today or datetime.now(UTC).date()
    keep = timedelta(days=settings.raw_retention_days)
    deleted, without_period = [], []
    by_id = {s.id: s for s in sources}
    for source_id, folder in landing_folders(settings, sources).items():
        if not folder.is_dir():
            continue
        by_sha: dict[str, list] = {}
        for delivery in landing.archived(settings.data_dir, source_id):
            by_sha.setdefault(delivery.sha256, []).append(delivery)
        files, _refused = landing.scan(folder)
        for path in files:
            try:  # an unreadable file's identity matches no archived delivery: it stays, as a load to come
                age = (today - datetime.fromtimestamp(path.stat().st_mtime, UTC).date()).days
                sha = landing.fingerprint(path)
            except FileNotFoundError:  # gone since the listing
                continue
            matches = [d for d in by_sha.get(sha, []) if d.file_name == path.name]
            periods = [d for d in matches if d.period]
            if not periods:
                if not matches and landing.identify(by_id[source_id], path.name)[0] != landing.UNMATCHED:
                    continue  # a delivery not yet archived: a load still to come
                without_period.append({"source": source_id, "file_name": path.name, "age_days": age,
                                       "folder": str(folder)})
                continue
            done = all(Ledger(settings.ledger_dir).exists(d.key) for d in periods)
            expired = all(_expired(d.period, keep, today) for d in periods)
            if done and expired:
                path.unlink()
                deleted.append({"source": source_id, "file_name": path.name, "sha256": periods[0].sha256,
                                "period": periods[0].period, "age_days": age})
    return deleted, without_period


def _expired(period: str, keep: timedelta, today: date) -> bool:
    try:
        return period_closes(period) + keep < today
    except ValueError:  # not a real month: never expires by rule
        return False
