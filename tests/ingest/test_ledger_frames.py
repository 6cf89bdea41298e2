"""The ledger's frames, and the source page, built from plain records equal those made frame by frame."""

from __future__ import annotations

import itertools
import random
import re

import pandas as pd
import pytest

from transforms.clock import local_time
from transforms.ingest.landing import DeliveryKey
from transforms.ingest.ledger import _FILE, Ledger, LedgerRecord, _frame

DATASETS = ("participants", "enrolments", "attendance", "_unmatched")
STATUS = {"loaded": (10, 10, 0), "loaded_with_quarantine": (10, 7, 3), "rejected": (10, 0, 10)}


def _reference_history(store: Ledger, source: str | None) -> pd.DataFrame:
    """The frames as the ledger read them before: one frame of every record, sorted by pandas."""
    return _frame([r.to_dict() for r in store.records(source)]).sort_values(
        _FILE + ["sequence"], kind="stable").reset_index(drop=True)


def _reference_counted(store: Ledger, source: str | None) -> pd.DataFrame:
    frame = _reference_history(store, source)
    last = frame.groupby(_FILE, sort=False, dropna=False).tail(1)
    undone = last[last["recheck"] & (last["status"] == "rejected")]
    rows = last.drop(index=undone.index).to_dict("records")
    for index, check in undone.iterrows():
        same = frame.loc[:index]
        same = same[(same[_FILE] == check[_FILE]).all(axis=1) & (same["status"] != "rejected")]
        if same.empty:
            rows.append(check.to_dict())
            continue
        counted = same.iloc[-1].to_dict()
        when = local_time(check["processed_at"])
        note = f"re-check {when} rejected the file: {check['message']}; the rows loaded earlier stay"
        counted.update(message=f"{counted['message']}; {note}", warnings=[*counted["warnings"], note],
                       processed_at=check["processed_at"], sequence=check["sequence"], recheck=True)
        rows.append(counted)
    out = _frame(rows)
    return out.sort_values(["source", "dataset", "period", "arrived_at"], kind="stable").reset_index(drop=True)


def _ledger(tmp_path, seed: int) -> Ledger:
    """Records of several sources: re-checks that reject a loaded file, or a rejected one, a file delivered
    twice on one day, files without a period, names and messages in any script."""
    rng = random.Random(seed)
    store = Ledger(tmp_path / f"ledger-{seed}")
    clock = itertools.count()
    for source in ("0101", "0102", "_unknown", "ö-källa"):
        for n in range(rng.randint(3, 9)):
            dataset = rng.choice(DATASETS)
            period = "" if dataset == "_unmatched" else rng.choice(("2024-09", "2024-10", "2024-11"))
            key = DeliveryKey(source, dataset, period, f"{rng.randrange(4):x}{n % 3}".ljust(64, "e"))
            arrived = f"2024-12-0{rng.randint(1, 3)}T08:00:00+00:00"  # ties in arrival on purpose
            for check in range(rng.randint(1, 3)):
                status = rng.choice(list(STATUS)) if dataset != "_unmatched" else "rejected"
                read, accepted, held = STATUS[status]
                tick = next(clock)
                store.write(LedgerRecord(
                    key=key, file_name=f"{dataset} {period} «{n}».csv", arrived_at=arrived,
                    processed_at=f"2024-12-04T{tick // 60:02d}:{tick % 60:02d}:00+00:00", status=status,
                    message=f"check {check} ✓", rows_read=read, rows_accepted=accepted, rows_quarantined=held,
                    warnings=("w",) * rng.randint(0, 2), recheck=check > 0, headers=(("person", "Pnr"),),
                    data_docs=f"data_docs/{n}.html" if status != "rejected" else ""))
    return store


@pytest.mark.parametrize("seed", range(12))
def test_frames_equal_the_frame_by_frame_reading(tmp_path, seed):
    store = _ledger(tmp_path, seed)
    for source in (None, "0101", "ö-källa", "nobody"):
        for new, old in ((store.history(source), _reference_history(store, source)),
                         (store.counted(source), _reference_counted(store, source))):
            pd.testing.assert_frame_equal(new, old, check_exact=True)
            assert list(new.dtypes) == list(old.dtypes) and new.to_dict("records") == old.to_dict("records")


def test_a_recheck_rejecting_a_loaded_file_keeps_the_load_counted(tmp_path):
    store = _ledger(tmp_path, 3)
    counted = store.counted()
    kept = counted[counted["recheck"] & counted["message"].str.contains("the rows loaded earlier stay")]
    assert len(kept) and (kept["status"] != "rejected").all()


def _reference_counts(frame: pd.DataFrame) -> dict:
    """Which 'counts' text each record got when the source page worked on frames."""
    from transforms.config.schema import DATASETS
    from transforms.ingest.explain import newest_deliveries

    dated = frame[frame["period"].fillna("").ne("") & frame["dataset"].isin(DATASETS)]
    newest = set(newest_deliveries(dated).index)
    counting = newest_deliveries(dated[dated["status"] != "rejected"])
    counted_keys = {(r["dataset"], r["period"]) for r in counting.to_dict("records")}
    found = {}
    for index, row in frame.iterrows():
        if index in set(counting.index):
            found[index] = "page.counts.yes"
        elif row["status"] != "rejected" and index in set(dated.index):
            found[index] = "page.counts.replaced"
        elif index in newest:
            found[index] = ("page.counts.rejected_previous" if (row["dataset"], row["period"]) in counted_keys
                            else "page.counts.rejected_none")
        else:
            found[index] = "page.counts.rejected"
    return found


@pytest.mark.parametrize("seed", range(12))
def test_the_source_page_lists_as_it_did_from_frames(tmp_path, seed):
    """Same 'counts' texts and the same order (newest arrival first, ties as recorded) as the frame steps."""
    from transforms.config.sources import parse_sources
    from transforms.ingest import steward_pages

    store = _ledger(tmp_path, seed)
    source = parse_sources({"sources": [{"id": "0101", "municipalities": ["1489"],
                                         "delivery": {"folder": str(tmp_path / "in")}}]}, tmp_path).get("0101")
    for sid in ("0101", "ö-källa", "nobody"):
        frame = store.counted(sid)
        assert steward_pages._counts(frame) == _reference_counts(frame)
        page = steward_pages.render_source_page(source, frame, {})
        ordered = frame.assign(_counts=pd.Series(_reference_counts(frame), dtype=object)).sort_values(
            ["arrived_at", "file_name"], ascending=False, kind="stable")
        listed = re.findall(r'<tr><td data-label="[^"]*">(.*?)</td>', page)
        assert listed == [steward_pages._h(name) or "?" for name in ordered["file_name"]]
        texts = re.findall(r'<td data-label="[^"]*">([^<]*)</td></tr>', page)
        assert texts == [steward_pages.t(c) for c in ordered["_counts"]]
    assert len(store.counted("0101")) > 2
