"""Disclosure control: the restricted indicator table -> the published table.

Flow step published (indicators.md, "Disclosure control"): primary
suppression of small cells, then secondary suppression over three kinds of
groups until nothing changes, then every suppressed cell loses its numbers.
The restricted table comes from ``transforms.publish.indicators.compute`` and must
carry ``persons`` (contributing persons per cell).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from transforms.config.project import current_project
from transforms.config.schema import CELL_KEY, CODES
from transforms.publish.indicators import INDICATOR_BY_CODE, MINUTE_WEIGHTED

PUBLISHED_COLUMNS = [*CELL_KEY, "numerator", "denominator", "value", "suppressed"]
# Tie-break among the gender cells of a group (indicators.md: female, male, nonbinary).
_GENDER_RANK = {g: i for i, g in enumerate(CODES["gender"])}


@dataclass(frozen=True)
class _GroupKind:
    """One kind of group, as index arrays into the table.

    members: row numbers of the group members, sorted by (group, persons, tie-break),
    so the first eligible member of a group is the one rule 2 picks.
    """

    name: str
    member_rows: np.ndarray
    member_group: np.ndarray
    total_row: np.ndarray  # per group: row number of its total, -1 when the table has none

    @property
    def n_groups(self) -> int:
        return len(self.total_row)


def _group_kind(name: str, persons: np.ndarray, member_mask: np.ndarray,
                member_key: pd.Series, member_rank: np.ndarray, total_mask: np.ndarray,
                total_key: pd.Series) -> _GroupKind:
    m_rows = np.flatnonzero(member_mask)
    t_rows = np.flatnonzero(total_mask)
    keys = pd.concat([member_key[member_mask], total_key[total_mask]], ignore_index=True)
    codes, uniques = pd.factorize(keys)
    m_group, t_group = codes[: len(m_rows)], codes[len(m_rows):]
    total_row = np.full(len(uniques), -1, dtype=np.int64)
    total_row[t_group] = t_rows
    order = np.lexsort((member_rank[member_mask], persons[m_rows], m_group))
    return _GroupKind(name, m_rows[order], m_group[order], total_row)


def _group_kinds(table: pd.DataFrame, persons: np.ndarray) -> list[_GroupKind]:
    period = table["period"].astype(str)
    indicator = table["indicator"].astype(str)
    level = table["area_level"].astype(str)
    code = table["area_code"].astype(str)
    gender = table["gender"].astype(str)
    level_arr, gender_arr = level.to_numpy(), gender.to_numpy()
    # area codes in text order: the tie-break among municipalities and federations
    code_rank = pd.factorize(code, sort=True)[0]

    base = period + "|" + indicator + "|" + level + "|" + code
    kinds = [
        _group_kind(
            "gender", persons,
            member_mask=gender_arr != "all",
            member_key=base,
            member_rank=gender.map(_GENDER_RANK).fillna(len(_GENDER_RANK)).to_numpy(np.int64),
            total_mask=gender_arr == "all",
            total_key=base,
        )
    ]
    federations = {k: m.federation for k, m in current_project().municipalities.items()}
    fed_of = code.map(lambda c: federations.get(c, ""))
    same = period + "|" + indicator + "|" + gender + "|"
    kinds.append(
        _group_kind(
            "municipality", persons,
            member_mask=(level_arr == "municipality") & (fed_of.to_numpy() != ""),
            member_key=same + fed_of,
            member_rank=code_rank,
            total_mask=level_arr == "federation",
            total_key=same + code,
        )
    )
    kinds.append(
        _group_kind(
            "federation", persons,
            member_mask=level_arr == "federation",
            member_key=same,
            member_rank=code_rank,
            total_mask=level_arr == "region",
            total_key=same,
        )
    )
    return kinds


def _secondary_round(kind: _GroupKind, suppressed: np.ndarray, persons: np.ndarray) -> bool:
    """Rule 2 once for every group of one kind; groups of one kind share no cells,
    so handling them at the same time equals handling them one by one."""
    if kind.n_groups == 0:
        return False
    members, groups, total = kind.member_rows, kind.member_group, kind.total_row
    n_suppressed = np.bincount(groups, weights=suppressed[members], minlength=kind.n_groups)
    total_published = (total >= 0) & ~suppressed[np.maximum(total, 0)]
    needy = (n_suppressed == 1) & total_published
    if not needy.any():
        return False
    eligible = needy[groups] & ~suppressed[members] & (persons[members] >= 1)
    picked_groups, first = np.unique(groups[eligible], return_index=True)
    suppressed[members[eligible][first]] = True
    # No other non-zero cell: the total goes instead, unless the total is zero.
    without = needy.copy()
    without[picked_groups] = False
    to_total = without & (persons[np.maximum(total, 0)] >= 1)
    suppressed[total[to_total]] = True
    return bool(len(picked_groups) or to_total.any())


def primary(restricted: pd.DataFrame, threshold: int) -> np.ndarray:
    """Rule 1: the cells suppressed for their own small numbers."""
    codes = restricted["indicator"].astype(str)
    unknown = sorted(set(codes) - set(INDICATOR_BY_CODE))
    if unknown:
        raise ValueError(f"unknown indicator codes: {unknown}")
    is_count = codes.map(lambda c: INDICATOR_BY_CODE[c].kind == "count").to_numpy(bool)
    minutes = (codes == MINUTE_WEIGHTED).to_numpy()
    num = restricted["numerator"].fillna(0).to_numpy(np.int64)
    den = restricted["denominator"].fillna(0).to_numpy(np.int64)
    persons = restricted["persons"].fillna(0).to_numpy(np.int64)

    def small(x: np.ndarray) -> np.ndarray:
        return (x >= 1) & (x < threshold)

    rate = small(persons) | (~minutes & (small(num) | small(den - num)))
    return np.where(is_count, small(num), rate)


def suppress(restricted: pd.DataFrame, threshold: int = 5) -> pd.DataFrame:
    """The published table: rules 1–3 of indicators.md "Disclosure control".

    Secondary suppression handles the gender groups, then the municipalities of
    each federation, then the federations of the region, and repeats these
    rounds until a whole round changes nothing.
    """
    if threshold < 1:
        raise ValueError(f"suppression threshold must be at least 1, not {threshold}")
    table = restricted.reset_index(drop=True)
    persons = table["persons"].fillna(0).to_numpy(np.int64)
    suppressed = primary(table, threshold)
    kinds = _group_kinds(table, persons)
    changed = True
    while changed:
        changed = False
        for kind in kinds:
            changed |= _secondary_round(kind, suppressed, persons)

    out = table[PUBLISHED_COLUMNS[:-1]].copy()
    out["numerator"] = out["numerator"].astype("Int64").mask(suppressed)
    out["denominator"] = out["denominator"].astype("Int64").mask(suppressed)
    out["value"] = out["value"].astype("Float64").mask(suppressed)
    out["suppressed"] = suppressed.astype(bool)
    return out[PUBLISHED_COLUMNS]
