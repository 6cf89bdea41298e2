"""The ledger record and its repository: checked once at construction, never changed, written exactly once."""

import copy
import dataclasses
import json
import os

import pytest

from transforms import atomic
from transforms.ingest.landing import DeliveryKey
from transforms.ingest.ledger import COLUMNS, ConservationError, Ledger, LedgerRecord

KEY = DeliveryKey("s1", "attendance", "2025-01", "a" * 64)


def _record(status="loaded_with_quarantine", read=10, accepted=8, held=2, **facts) -> LedgerRecord:
    return LedgerRecord(**{"key": KEY, "file_name": "attendance_2025-01.csv", "message": "planted",
                           "arrived_at": "2025-02-01T08:00:00+00:00", "processed_at": "2025-02-01T08:01:00+00:00",
                           "status": status, "rows_read": read, "rows_accepted": accepted, "rows_quarantined": held,
                           **facts})


@pytest.mark.parametrize(("status", "counts"), [
    ("loaded_with_quarantine", (10, 8, 1)),  # rows read != accepted + quarantined
    ("loaded_with_quarantine", (10, 11, -1)),
    ("rejected", (10, 2, 8)),  # a rejected file loads nothing
    ("loaded", (10, 8, 2)),  # held rows make it loaded_with_quarantine
    ("loaded_with_quarantine", (10, 10, 0)),
])
def test_counts_that_do_not_hold_are_refused_at_construction(status, counts):
    with pytest.raises(ConservationError):
        _record(status, *counts)


def test_an_unknown_status_is_refused():
    with pytest.raises(ValueError, match="superseded"):
        _record("superseded", 10, 10, 0)


def test_a_record_cannot_be_changed():
    record = _record(warnings=["w"], headers={"person": "Personnummer"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.status = "rejected"  # type: ignore[misc]
    assert record.warnings == ("w",) and record.headers == (("person", "Personnummer"),)  # tuples, not lists
    assert copy.deepcopy(record) == record and record.to_dict()["headers"] == {"person": "Personnummer"}
    with pytest.raises(ConservationError):  # a changed copy is checked as a new record
        dataclasses.replace(record, rows_accepted=10)


def test_nothing_delivered_reaches_the_record_unmasked():
    record = _record(file_name="19121212-1212.csv", message="rad 2: 191212121212", warnings=["19121212-1212"])
    assert "1212" not in record.file_name + record.message + "".join(record.warnings)


def test_each_write_is_a_new_record_and_never_replaces_one(tmp_path):
    store = Ledger(tmp_path / "ledger")
    assert not store.exists(KEY) and store.latest(KEY) is None
    first = store.write(_record())
    second = store.write(_record("rejected", 10, 0, 10, recheck=True))
    assert (first.sequence, second.sequence) == (0, 1)
    assert store.exists(KEY) and store.latest(KEY) == second
    folder = store.path(KEY).parent
    assert sorted(p.name for p in folder.iterdir()) == [f"{KEY.sha256}.1.json", f"{KEY.sha256}.json"]
    assert json.loads(store.path(KEY).read_text(encoding="utf-8"))["status"] == "loaded_with_quarantine"
    umask = os.umask(0)
    os.umask(umask)
    assert store.path(KEY).stat().st_mode & 0o777 == 0o666 & ~umask  # as any file Samla writes
    history = store.history()
    assert list(history["sequence"]) == [0, 1] and list(history.columns) == COLUMNS
    counted = store.counted()  # a re-check rejecting loaded rows does not undo the load
    assert len(counted) == 1 and counted.iloc[0]["status"] == "loaded_with_quarantine"


def test_a_record_written_meanwhile_by_another_process_is_kept(tmp_path, monkeypatch):
    store = Ledger(tmp_path / "ledger")
    theirs = store.write(_record(detected_format="theirs"))
    monkeypatch.setattr(Ledger, "_files", lambda self, key: [])  # counted before the other process wrote
    ours = store.write(_record(detected_format="ours"))
    assert (theirs.sequence, ours.sequence) == (0, 1)
    assert json.loads(store.path(KEY).read_text(encoding="utf-8"))["detected_format"] == "theirs"
    assert not list(store.path(KEY).parent.glob(".*"))  # no temporary file left


def test_write_new_refuses_a_taken_name(tmp_path):
    target = tmp_path / "r.json"
    atomic.write_new(target, b"first")
    with pytest.raises(FileExistsError):
        atomic.write_new(target, b"second")
    assert target.read_bytes() == b"first" and [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_the_stored_layout_is_flat_and_records_of_earlier_versions_are_read(tmp_path):
    store = Ledger(tmp_path / "ledger")
    stored = json.loads(store.path(store.write(_record()).key).read_text(encoding="utf-8"))
    assert sorted(stored) == sorted(COLUMNS) and stored["file_sha256"] == KEY.sha256
    # a record of the first version: no rule, sequence, re-check or headers, a re-check of it by a later one
    old = {"source": "s1", "dataset": "survey", "period": "2024-10", "file_name": "survey_2024-10.csv",
           "file_sha256": "b" * 64, "arrived_at": "2024-11-02T08:00:00+00:00", "detected_format": "csv",
           "rows_read": 5, "rows_accepted": 5, "rows_quarantined": 0, "status": "loaded", "message": "ok",
           "processed_at": "2024-11-02T08:00:01+00:00", "warnings": [], "participants_sha256": "c" * 64,
           "data_docs": ""}
    key = DeliveryKey("s1", "survey", "2024-10", "b" * 64)
    store.path(key).parent.mkdir(parents=True)
    store.path(key).write_text(json.dumps(old), encoding="utf-8")
    record = store.latest(key)
    assert record is not None and record.to_dict() == {**old, "rule": "", "sequence": 0, "recheck": False,
                                                       "headers": {}, "steward_page": ""}
    assert store.write(dataclasses.replace(record, recheck=True)).sequence == 1
    frame = store.history("s1")
    assert frame[frame["dataset"] == "survey"][["sequence", "recheck", "rule"]].values.tolist() == [
        [0, False, ""], [1, True, ""]]
