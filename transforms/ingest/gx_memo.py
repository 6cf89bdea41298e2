"""Memoised GX internals while one suite runs: the fixed cost GX pays for every file it validates.

GX 1.24 rebuilds the same objects over and over while it validates one batch:
``Expectation.configuration`` is a property that serialises the pydantic model
anew on every read (about 100 reads per expectation per file);
``ExpectationConfiguration.to_domain_obj`` validates a new pydantic model each
time it is asked (once per metric of each expectation); every
``MetricConfiguration`` hashes its kwargs as JSON (a thousand per file); the
metric graph expands the same dependencies under every metric that needs them;
and the pandas engine runs ``DataFrame.query`` for a ``row_condition`` once per
metric. On the demo's small files that was most of what every file cost,
whatever its size.

Inside ``memoised()`` (one thread, one suite run) those answers are kept and
handed out again; outside it GX behaves as shipped. This is sound because GX,
within a run, changes no expectation, configuration, kwargs value or filtered
frame after it asked for the answer (tests/ingest/test_validate.py compares every
result, fault and Data Docs page with and without the memo, on frames with row
faults of every rule). The patches were read against GX ``KNOWN_GX_VERSION``, the
version pyproject.toml pins; with any other one installed the first memoised run
raises ``GxVersionError`` rather than patch internals that may have changed, or
quietly run without the speed-up.

One patch is a per-row cost, not a repeated answer: a range check
(``expect_column_values_to_be_between``) on pandas 3's datetime64[s]/[us] and
nullable Int64/Float64 columns took GX's Python call per row; inside
``memoised()`` it takes GX's own vectorised comparison wherever that answers
the same for every row (``_comparable``). Another: a rule whose check marks no row
gets its unexpected rows and values answered empty at once, without GX filtering
the whole frame to find none (``_unless_nothing_unexpected``).
"""

from __future__ import annotations

import inspect
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import wraps
from typing import Any

from transforms.messages import t

KNOWN_GX_VERSION = "1.24.1"  # the source these patches were checked against
_local = threading.local()
_install_lock = threading.Lock()
_installed = False


class GxVersionError(RuntimeError):
    """The installed GX is not the version whose internals the patches were read against."""


def _wrapping(shipped: Callable) -> Callable[[Callable], Callable]:
    """Marks a replacement as wrapping ``shipped`` (``__wrapped__`` only, for ``inspect.unwrap``;
    name and docstring stay the replacement's own)."""
    return wraps(shipped, assigned=(), updated=())


def _kept(fn: Callable, key_of: Callable[..., tuple | None]) -> Callable:
    """``fn``'s answer kept per key inside ``memoised()`` on this thread; as shipped elsewhere.

    ``key_of(self, *args, **kwargs)`` gives (key, held) or None (not kept). ``held`` stays alive
    with the answer until the run ends, so the object ids in a key cannot be reused meanwhile.
    """
    @_wrapping(fn)
    def kept(self, *args, **kwargs):
        memo = getattr(_local, "memo", None)
        keyed = None if memo is None else key_of(self, *args, **kwargs)
        if memo is None or keyed is None:
            return fn(self, *args, **kwargs)
        key = (fn, keyed[0])
        hit = memo.get(key)
        if hit is None:
            hit = memo[key] = (keyed[1], fn(self, *args, **kwargs))
        return hit[1]

    return kept


def _per_object(self) -> tuple:
    return id(self), self


def _per_frame_and_condition(self, data, row_condition, domain_kwargs) -> tuple:
    """The engine, the frame and the condition as text (GX hands it a dict from the suite)."""
    condition = row_condition if isinstance(row_condition, str) else json.dumps(row_condition, sort_keys=True,
                                                                              default=repr)
    return (id(self), id(data), condition, domain_kwargs.get("condition_parser")), (self, data)


def _per_keys_and_values(self, id_keys=None, id_ignore_keys=None) -> tuple | None:
    """A metric's id is an md5 of its kwargs as JSON, made again for every MetricConfiguration (a
    thousand per file) from the same few value objects: kept per keys and value objects."""
    if id_keys is not None or id_ignore_keys is not None:
        return None
    values = tuple(self.values())
    return (type(self), tuple(self), tuple(map(id, values))), values


def _check_version() -> None:
    import great_expectations

    if great_expectations.__version__ != KNOWN_GX_VERSION:
        raise GxVersionError(t("ops.gx_version", known=KNOWN_GX_VERSION, installed=great_expectations.__version__))


def _install() -> None:
    _check_version()
    from great_expectations.core.id_dict import IDDict
    from great_expectations.execution_engine.pandas_execution_engine import PandasExecutionEngine
    from great_expectations.expectations.expectation import Expectation
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration
    from great_expectations.validator.validation_graph import ValidationGraph

    # Class attributes replaced by name: the property as stored on the class, the methods as functions.
    patches: list[tuple[type, str, object]] = [
        (Expectation, "configuration", property(_kept(Expectation.__dict__["configuration"].fget, _per_object))),
        (ExpectationConfiguration, "to_domain_obj", _kept(ExpectationConfiguration.to_domain_obj, _per_object)),
        (PandasExecutionEngine, "_apply_row_condition_filter",
         _kept(PandasExecutionEngine._apply_row_condition_filter, _per_frame_and_condition)),
        (IDDict, "to_id", _kept(IDDict.to_id, _per_keys_and_values)),
        (ValidationGraph, "build_metric_dependency_graph",
         _expand_once(ValidationGraph.build_metric_dependency_graph)),
    ]
    for owner, name, patched in patches:
        setattr(owner, name, patched)
    _install_vectorised_between()
    _install_nothing_unexpected()


def _install_nothing_unexpected() -> None:
    """A rule's unexpected rows and values (``unexpected_index_list``, ``unexpected_values``) answered
    at once when its check found no row unexpected: GX would first copy the whole frame without the
    rule column's nulls, then keep none of it: a full copy per rule and file, for empty lists."""
    from great_expectations.expectations.metrics.map_metric_provider import (
        column_map_condition_auxilliary_methods as column_methods,
    )
    from great_expectations.expectations.metrics.map_metric_provider import (
        map_condition_auxilliary_methods as map_methods,
    )
    from great_expectations.expectations.registry import _registered_metrics

    shipped = {map_methods._pandas_map_condition_index, column_methods._pandas_column_map_condition_values}
    for entry in _registered_metrics.values():
        provider = entry["providers"].get("PandasExecutionEngine")
        if provider is not None and provider[1] in shipped:
            entry["providers"]["PandasExecutionEngine"] = (provider[0], _unless_nothing_unexpected(provider[1]))


def _unless_nothing_unexpected(shipped: Callable) -> Callable:
    """``shipped``, or the empty list it returns when the rule's mask marks no row (an NA in the mask:
    as shipped). Both functions filter the frame by that mask and list what is left."""
    @_wrapping(shipped)
    def answer(*args, **kwargs):
        mask = kwargs["metrics"]["unexpected_condition"][0]
        if getattr(_local, "memo", None) is not None and hasattr(mask, "fillna") and not mask.fillna(True).any():
            return []
        return shipped(*args, **kwargs)

    return answer


def _install_vectorised_between() -> None:
    """``column_values.between`` on pandas through ``_vectorised_between`` (GX's own decorator wraps it
    as it wrapped the shipped function; the metric registry is where the engine looks it up)."""
    from great_expectations.execution_engine.pandas_execution_engine import PandasExecutionEngine
    from great_expectations.expectations.metrics.column_map_metrics.column_values_between import (
        ColumnValuesBetween,
    )
    from great_expectations.expectations.metrics.map_metric_provider import column_condition_partial
    from great_expectations.expectations.registry import _registered_metrics

    providers = _registered_metrics[f"{ColumnValuesBetween.condition_metric_name}.condition"]["providers"]
    shipped = inspect.unwrap(ColumnValuesBetween._pandas)
    providers["PandasExecutionEngine"] = (ColumnValuesBetween, column_condition_partial(
        engine=PandasExecutionEngine)(_vectorised_between(shipped)))


_EXACT = 2 ** 53  # integers up to this size are held exactly by a float64


def _vectorised_between(shipped: Callable) -> Callable:
    """GX 1.24 compares a column with min/max in one vectorised step only for numpy int/float and
    datetime64[ns] columns; pandas 3's datetime64[s]/[us] and nullable Int64/Float64 columns it checks
    with a Python call per row (``Series.map(is_between)``, column_values_between.py). Inside
    ``memoised()`` such a column takes GX's own vectorised step when ``_comparable`` finds it gives
    the same answer for every row; the answer's dtype is the per-row one's too (bool for dates,
    boolean for nullable numbers). Anything else, and everything outside a run, runs as shipped."""
    @_wrapping(shipped)
    def between(cls, column, min_value=None, max_value=None, strict_min=None, strict_max=None, **kwargs):
        bounds = _comparable(column, min_value, max_value) if getattr(_local, "memo", None) is not None else None
        if bounds is None:
            return shipped(cls, column, min_value=min_value, max_value=max_value, strict_min=strict_min,
                           strict_max=strict_max, **kwargs)
        return cls._pandas_vectorized(column, *bounds, strict_min, strict_max)

    return between


def _comparable(column, min_value, max_value) -> tuple | None:
    """(min, max) for a vectorised comparison that answers as GX's per-row one, else None.

    GX drops null rows before the check, so no NA is left (one left: per row, as shipped). Numbers:
    an Int64 or Float64 column against numeric bounds, every integer within 2**53 (numpy compares an
    integer with a float as float64; Python exactly). Dates: a naive datetime64 column against naive
    datetime bounds held exactly in the column's unit. GX's own errors (no bound, min above max, a
    text bound) are left to the per-row path, which raises them.
    """
    import numpy as np
    import pandas as pd

    bounds: tuple[Any, ...] = (min_value, max_value)
    if all(b is None for b in bounds) or not len(column) or column.hasnans:
        return None
    kind = column.dtype
    if isinstance(kind, pd.Int64Dtype | pd.Float64Dtype):
        if not all(b is None or isinstance(b, float)
                   or isinstance(b, int) and not isinstance(b, bool) and abs(b) <= _EXACT for b in bounds):
            return None
        if isinstance(kind, pd.Int64Dtype) and not -_EXACT <= column.min() <= column.max() <= _EXACT:
            return None
    elif isinstance(kind, np.dtype) and kind.kind == "M":
        if not all(b is None or isinstance(b, datetime) and b.tzinfo is None for b in bounds):
            return None
        unit = np.datetime_data(kind)[0]
        try:  # the bound as a Timestamp in the column's unit; raises if that would round or overflow
            bounds = tuple(None if b is None else pd.Timestamp(b).as_unit(unit, round_ok=False) for b in bounds)
        except (ValueError, OverflowError):
            return None
    else:
        return None
    if None not in bounds and not bounds[0] <= bounds[1]:
        return None
    return bounds


def _expand_once(build: Callable) -> Callable:
    """GX expands a metric's dependencies again at every metric that needs it (table.columns under
    each of them): the edges it adds the second time are all present already (same ids: ``add``
    drops them), so a graph expands each metric id once. Only ids of dependency objects are read
    later; the metric a graph computes is always the left side of an edge, the expanded one."""
    @_wrapping(build)
    def build_once(self, metric_configuration, runtime_configuration=None):
        memo = getattr(_local, "memo", None)
        if memo is not None:
            k = (build, id(self), metric_configuration.id)
            if k in memo:
                return None
            memo[k] = (self, True)
        return build(self, metric_configuration, runtime_configuration)

    return build_once


def install() -> None:
    """The patches put in place, once per process, whichever thread asks first.

    ``GxVersionError`` when the installed GX is not ``KNOWN_GX_VERSION``: its internals may differ,
    and without the patches every file would quietly cost several times as much.
    """
    global _installed
    with _install_lock:
        if not _installed:
            _install()
            _installed = True


@contextmanager
def memoised(enabled: bool = True) -> Iterator[None]:
    """GX's answers kept on this thread until the block ends (then everything is let go)."""
    if not enabled:
        yield
        return
    install()
    _local.memo = {}
    try:
        yield
    finally:
        _local.memo = None
