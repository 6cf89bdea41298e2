"""The file a step is working on: its source's configuration, dataset, period, name and checksum.

Every step of checking one delivered file (parse, harmonise, validate, quarantine,
the ledger record) reads it; it changes nothing and holds no data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from transforms.config.sources import DatasetConfig, Source
from transforms.period import Period


@dataclass(frozen=True)
class FileContext:
    source: Source
    dataset: str
    period: str
    file_name: str
    file_sha256: str

    @property
    def config(self) -> DatasetConfig:
        return self.source.datasets[self.dataset]

    @property
    def period_start(self) -> date:
        return Period.parse(self.period).first_day

    @property
    def period_end(self) -> date:
        return Period.parse(self.period).last_day
