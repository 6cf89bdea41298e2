"""Memoised GX internals while one suite runs: the per-file cost of validation (issue 10).

GX 1.24 rebuilds the same objects over and over while it validates one batch:
``Expectation.configuration`` is a property that serialises the pydantic model
anew on every read (about 100 reads per expectation per file),
``ExpectationConfiguration.to_domain_obj`` validates a new pydantic model each
time it is asked (once per metric of each expectation), and the pandas engine
runs ``DataFrame.query`` for a ``row_condition`` once per metric that needs the
domain. For the demo's small files that was 85 % of the 0.39 s every file cost.

Inside ``memoised()`` (one thread, one suite run) each of the three answers is
kept per object and handed out again; outside it GX behaves as shipped. This is
sound because GX, within a run, neither mutates an expectation after building
it nor a configuration after asking for its domain object, nor the filtered
frame it queries (tests/test_validate.py compares every result, fault and Data
Docs page with and without the memo). The patches apply only to the GX version
they were read against; on any other one ``active()`` is False and GX runs
unpatched.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

GX_VERSION = "1.24.1"  # the source these patches were checked against
_local = threading.local()
_install_lock = threading.Lock()
_installed: bool | None = None


def _memo(fn: Callable, key: Callable[..., Any]) -> Callable:
    """``fn`` answered once per key inside ``memoised()`` on this thread; as shipped elsewhere."""
    def wrapped(self, *args):
        memo = getattr(_local, "memo", None)
        if memo is None:
            return fn(self, *args)
        k = (fn, id(self), key(*args))
        hit = memo.get(k)
        if hit is not None and hit[0] is self:  # the object is held below: its id is not reused
            return hit[1]
        value = fn(self, *args)
        memo[k] = (self, value)
        return value

    wrapped.__wrapped__ = fn
    return wrapped


def _condition_key(data, row_condition, domain_kwargs) -> tuple:
    """The frame (held alive by its engine's batch) and the condition, as text."""
    condition = row_condition if isinstance(row_condition, str) else json.dumps(row_condition, sort_keys=True,
                                                                              default=repr)
    return id(data), condition, domain_kwargs.get("condition_parser")


def _install() -> bool:
    import great_expectations
    from great_expectations.core.id_dict import IDDict
    from great_expectations.execution_engine.pandas_execution_engine import PandasExecutionEngine
    from great_expectations.expectations.expectation import Expectation
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration
    from great_expectations.validator.validation_graph import ValidationGraph

    if great_expectations.__version__ != GX_VERSION:
        return False
    Expectation.configuration = property(_memo(Expectation.configuration.fget, lambda: ()))
    ExpectationConfiguration.to_domain_obj = _memo(ExpectationConfiguration.to_domain_obj, lambda: ())
    filter_rows = PandasExecutionEngine._apply_row_condition_filter

    def apply_filter(self, data, row_condition, domain_kwargs):
        memo = getattr(_local, "memo", None)
        if memo is None:
            return filter_rows(self, data, row_condition, domain_kwargs)
        k = (filter_rows, id(self), _condition_key(data, row_condition, domain_kwargs))
        hit = memo.get(k)
        if hit is not None and hit[0] is data:
            return hit[1]
        value = filter_rows(self, data, row_condition, domain_kwargs)
        memo[k] = (data, value)
        return value

    apply_filter.__wrapped__ = filter_rows
    PandasExecutionEngine._apply_row_condition_filter = apply_filter
    ValidationGraph.build_metric_dependency_graph = _expand_once(ValidationGraph.build_metric_dependency_graph)
    IDDict.to_id = _id_once(IDDict.to_id)
    return True


def _id_once(to_id: Callable) -> Callable:
    """A metric's id is an md5 of its kwargs as JSON, made again for every MetricConfiguration (a
    thousand per file) from the same few value objects: kept per (keys, value objects), which are
    held, so an id cannot be reused. No value is changed in place during a run."""
    def memo_to_id(self, id_keys=None, id_ignore_keys=None):
        memo = getattr(_local, "memo", None)
        if memo is None or id_keys is not None or id_ignore_keys is not None:
            return to_id(self, id_keys, id_ignore_keys)
        values = tuple(self.values())
        k = (to_id, type(self), tuple(self), tuple(map(id, values)))
        hit = memo.get(k)
        if hit is None:
            hit = memo[k] = (values, to_id(self))
        return hit[1]

    memo_to_id.__wrapped__ = to_id
    return memo_to_id


def _expand_once(build: Callable) -> Callable:
    """GX expands a metric's dependencies again at every metric that needs it (table.columns under
    each of them): the edges it adds the second time are all present already (same ids: ``add``
    drops them), so a graph expands each metric id once. Only ids of dependency objects are read
    later; the metric a graph computes is always the left side of an edge, the expanded one."""
    def build_once(self, metric_configuration, runtime_configuration=None):
        memo = getattr(_local, "memo", None)
        if memo is not None:
            k = (build, id(self), metric_configuration.id)
            if k in memo:
                return None
            memo[k] = (self, True)
        return build(self, metric_configuration, runtime_configuration)

    build_once.__wrapped__ = build
    return build_once


def active() -> bool:
    """True when the patches are in place (installed on first call; the GX version must match)."""
    global _installed
    with _install_lock:  # patch once, whichever thread asks first
        if _installed is None:
            _installed = _install()
    return _installed


@contextmanager
def memoised(enabled: bool = True) -> Iterator[None]:
    """Memoise the three GX answers on this thread until the block ends (then everything is let go)."""
    if not (enabled and active()):
        yield
        return
    _local.memo = {}
    try:
        yield
    finally:
        _local.memo = None
