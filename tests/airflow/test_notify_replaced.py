"""The corrected deliveries an e-mail confirms, found in plain ledger records, are those the frame found."""

from __future__ import annotations

import itertools
import random

import pytest
from samla_airflow import notify

from transforms.config.sources import parse_sources
from transforms.ingest.landing import DeliveryKey
from transforms.ingest.ledger import Ledger, LedgerRecord
from transforms.ingest.pipeline import FileOutcome, SourceResult

STATUS = {"loaded": (10, 10, 0), "loaded_with_quarantine": (10, 7, 3), "rejected": (10, 0, 10)}


def _reference(store: Ledger, result: SourceResult) -> list[tuple[FileOutcome, dict]]:
    """As the e-mail found them in the ledger's history frame."""
    history = store.history(result.source)
    found = []
    for outcome in notify._accepted(result):
        record = outcome.record
        same = history[(history["dataset"] == record.dataset) & (history["period"] == record.period)]
        earlier = same[~((same["file_sha256"] == record.file_sha256) & (same["sequence"] >= record.sequence))
                       & (same["processed_at"] <= record.processed_at)]
        if earlier.empty:
            continue
        previous = earlier.sort_values("processed_at", kind="stable").iloc[-1].to_dict()
        if previous["status"] == "rejected" or int(previous["rows_quarantined"] or 0) > 0:
            found.append((outcome, previous))
    return found


@pytest.mark.parametrize("seed", range(10))
def test_replaced_deliveries_as_the_frame_found_them(tmp_path, monkeypatch, seed):
    monkeypatch.setenv("SAMLA_DATA_DIR", str(tmp_path))
    rng = random.Random(seed)
    store = Ledger(tmp_path / "ledger")
    source = parse_sources({"sources": [{"id": "s1", "municipalities": ["1489"],
                                         "delivery": {"folder": str(tmp_path / "in")}}]}, tmp_path).get("s1")
    clock = itertools.count()
    result = SourceResult("s1")
    for n in range(14):
        dataset, period = rng.choice(("participants", "attendance")), rng.choice(("2025-01", "2025-02"))
        key = DeliveryKey("s1", dataset, period, f"{rng.randrange(5):x}".ljust(64, "f"))
        status = rng.choice(list(STATUS))
        read, accepted, held = STATUS[status]
        tick = next(clock) // rng.choice((1, 2))  # checks within one second: ties in processed_at
        record = store.write(LedgerRecord(
            key=key, file_name=f"{dataset}_{period} ({n}).csv", arrived_at=f"2025-03-0{n % 9 + 1}T08:00:00+00:00",
            processed_at=f"2025-03-10T08:{tick:02d}:00+00:00", status=status, message="m",
            rows_read=read, rows_accepted=accepted, rows_quarantined=held, recheck=store.exists(key)))
        if n >= 7:  # this run's files
            result.files.append(FileOutcome(record))
    found, expected = notify._replaced_deliveries(source, result), _reference(store, result)
    assert [o for o, _ in found] == [o for o, _ in expected]
    assert [notify._replaced_line(o, p) for o, p in found] == [notify._replaced_line(o, p) for o, p in expected]
    assert all(p == {k: p2[k] for k in p} for (_, p), (_, p2) in zip(found, expected, strict=True))
