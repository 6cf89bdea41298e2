"""Validated rows -> curated Parquet, one file per source/dataset/period.

Layout: ``curated/<dataset>/source=<id>/period=<YYYY-MM>/data.parquet``. Each
partition is one file replaced with ``os.replace``: a reader sees the old or
the new partition, never half of one (write, audit, then swap). The file's
schema metadata says which delivery it holds.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from transforms import atomic
from transforms.config.schema import DATASET_COLUMNS, curated_columns
from transforms.paths import inside_data_dir

_KIND_TYPES = {
    "code": pa.string(), "text": pa.string(), "month": pa.string(), "wave": pa.string(),
    "date": pa.date32(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_(),
}
_LINEAGE_TYPES = {
    "person": pa.string(), "kommunkod": pa.string(), "period": pa.string(), "source": pa.string(),
    "file_sha256": pa.string(), "source_row": pa.int64(), "age_at_entry": pa.int64(),
}
QUARANTINE_SCHEMA = pa.schema([
    ("source", pa.string()), ("dataset", pa.string()), ("period", pa.string()),
    ("file_name", pa.string()), ("file_sha256", pa.string()), ("source_row", pa.int64()),
    ("column", pa.string()), ("rule", pa.string()), ("description", pa.string()),
    ("value", pa.string()), ("person", pa.string()), ("kommunkod", pa.string()),
    # as the steward's file says it: its own header for ``column``; a comparison's other column and value
    ("header", pa.string()), ("other_column", pa.string()), ("other_value", pa.string()),
])


def arrow_schema(dataset: str) -> pa.Schema:
    kinds = {c.name: c.kind for c in DATASET_COLUMNS[dataset]}
    return pa.schema([(n, _LINEAGE_TYPES.get(n) or _KIND_TYPES[kinds[n]]) for n in curated_columns(dataset)])


def partition_path(curated_dir: Path, dataset: str, source: str, period: str) -> Path:
    return curated_dir / dataset / f"source={source}" / f"period={period}" / "data.parquet"


def write_partition(curated_dir: Path, dataset: str, source: str, period: str, frame: pd.DataFrame,
                    metadata: dict[str, str]) -> Path:
    schema = arrow_schema(dataset)
    data = frame[schema.names].copy()
    for column in data.columns:
        if pa.types.is_date32(schema.field(column).type):
            data[column] = pd.to_datetime(data[column]).dt.date
    table = pa.Table.from_pandas(data, schema=schema, preserve_index=False)
    table = table.replace_schema_metadata({f"samla.{k}": str(v) for k, v in metadata.items()})
    path = partition_path(curated_dir, dataset, source, period)
    inside_data_dir(path, curated_dir)
    atomic.write_parquet(path, table)
    return path


def partition_metadata(curated_dir: Path, dataset: str, source: str, period: str) -> dict[str, str] | None:
    path = partition_path(curated_dir, dataset, source, period)
    if not path.exists():
        return None
    meta = pq.read_schema(path).metadata or {}
    return {k.decode()[6:]: v.decode() for k, v in meta.items() if k.startswith(b"samla.")}


def partitions(curated_dir: Path, dataset: str, source: str | None = None) -> dict[tuple[str, str], Path]:
    """(source, period) -> partition file."""
    root = curated_dir / dataset
    pattern = f"source={source}/period=*/data.parquet" if source else "source=*/period=*/data.parquet"
    return {
        (p.parent.parent.name[7:], p.parent.name[7:]): p
        for p in sorted(root.glob(pattern))
    } if root.is_dir() else {}


def read_dataset(curated_dir: Path, dataset: str, source: str | None = None,
                 columns: list[str] | None = None) -> pd.DataFrame:
    """All curated rows of a dataset (optionally one source, only ``columns``), typed per the canonical schema."""
    files = partitions(curated_dir, dataset, source)
    schema = arrow_schema(dataset)
    if columns is not None:
        schema = pa.schema([schema.field(c) for c in columns])
    tables = [pq.read_table(p, schema=schema, columns=columns) for p in files.values()]
    table = pa.concat_tables(tables) if tables else schema.empty_table()
    frame = table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}.get)
    for field in schema:
        if pa.types.is_date32(field.type):
            frame[field.name] = pd.to_datetime(frame[field.name])
    return frame


def write_quarantine(quarantine_dir: Path, source: str, dataset: str, period: str, sha: str,
                     records: pd.DataFrame) -> Path:
    path = quarantine_dir / source / dataset / period / f"{sha}.parquet"
    inside_data_dir(path, quarantine_dir)
    table = pa.Table.from_pandas(records.reindex(columns=QUARANTINE_SCHEMA.names), schema=QUARANTINE_SCHEMA,
                                 preserve_index=False)
    atomic.write_parquet(path, table)
    return path


def read_quarantine(quarantine_dir: Path, source: str | None = None) -> pd.DataFrame:
    root = quarantine_dir / source if source else quarantine_dir
    files = sorted(root.rglob("*.parquet")) if root.is_dir() else []
    tables = [pq.read_table(p, schema=QUARANTINE_SCHEMA) for p in files]
    return (pa.concat_tables(tables) if tables else QUARANTINE_SCHEMA.empty_table()).to_pandas()
