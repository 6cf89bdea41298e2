"""Raw archive retention (exports.md, Privacy): raw deliveries are kept a configured
number of days after their period closes, then deleted — only those already
processed into the ledger, never one still waiting to load. The small arrival
record (no personal data) stays, so the same bytes are still recognised.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from transforms import atomic
from transforms.config.paths import inside_data_dir
from transforms.config.settings import Settings
from transforms.ingest import landing, ledger
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
            processed = ledger.exists(settings.ledger_dir, source, delivery.dataset, delivery.period, delivery.sha256)
            if expired and processed:
                inside_data_dir(path, settings.data_dir)  # a record naming a path outside is never followed
                path.unlink()
                meta = path.with_suffix(".json")
                record = json.loads(meta.read_text(encoding="utf-8")) | {"purged_at": today.isoformat()}
                atomic.write_json(meta, record, root=settings.data_dir)
                purged.append({"source": source, "dataset": delivery.dataset, "period": delivery.period,
                               "file_name": delivery.file_name, "sha256": delivery.sha256})
    return purged
