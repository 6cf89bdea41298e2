"""Memoised GX internals while one suite runs: the per-file cost of validation (issue 10).

GX 1.24 rebuilds the same objects over and over while it validates one batch:
``Expectation.configuration`` is a property that serialises the pydantic model
anew on every read (about 100 reads per expectation per file);
``ExpectationConfiguration.to_domain_obj`` validates a new pydantic model each
time it is asked (once per metric of each expectation); every
``MetricConfiguration`` hashes its kwargs as JSON (a thousand per file); the
metric graph expands the same dependencies under every metric that needs them;
and the pandas engine runs ``DataFrame.query`` for a ``row_condition`` once per
metric. On the demo's small files that was most of the 0.34-0.38 s every file
cost whatever its size.

Inside ``memoised()`` (one thread, one suite run) those answers are kept and
handed out again; outside it GX behaves as shipped. This is sound because GX,
within a run, changes no expectation, configuration, kwargs value or filtered
frame after it asked for the answer (tests/test_validate.py compares every
result, fault and Data Docs page with and without the memo, on frames with row
faults of every rule). The patches apply only to the GX version they were read
against; on any other one ``active()`` is False and GX runs as shipped.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

GX_VERSION = "1.24.1"  # the source these patches were checked against
_local = threading.local()
_install_lock = threading.Lock()
_installed: bool | None = None


def _kept(fn: Callable, key_of: Callable[..., tuple | None]) -> Callable:
    """``fn``'s answer kept per key inside ``memoised()`` on this thread; as shipped elsewhere.

    ``key_of(self, *args, **kwargs)`` gives (key, held) or None (not kept). ``held`` stays alive
    with the answer until the run ends, so the object ids in a key cannot be reused meanwhile.
    """
    def kept(self, *args, **kwargs):
        memo = getattr(_local, "memo", None)
        keyed = None if memo is None else key_of(self, *args, **kwargs)
        if keyed is None:
            return fn(self, *args, **kwargs)
        key = (fn, keyed[0])
        hit = memo.get(key)
        if hit is None:
            hit = memo[key] = (keyed[1], fn(self, *args, **kwargs))
        return hit[1]

    kept.__wrapped__ = fn
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


def _install() -> bool:
    import great_expectations
    from great_expectations.core.id_dict import IDDict
    from great_expectations.execution_engine.pandas_execution_engine import PandasExecutionEngine
    from great_expectations.expectations.expectation import Expectation
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration
    from great_expectations.validator.validation_graph import ValidationGraph

    if great_expectations.__version__ != GX_VERSION:
        return False
    Expectation.configuration = property(_kept(Expectation.configuration.fget, _per_object))
    ExpectationConfiguration.to_domain_obj = _kept(ExpectationConfiguration.to_domain_obj, _per_object)
    PandasExecutionEngine._apply_row_condition_filter = _kept(PandasExecutionEngine._apply_row_condition_filter,
                                                              _per_frame_and_condition)
    IDDict.to_id = _kept(IDDict.to_id, _per_keys_and_values)
    ValidationGraph.build_metric_dependency_graph = _expand_once(ValidationGraph.build_metric_dependency_graph)
    return True


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
    """GX's answers kept on this thread until the block ends (then everything is let go)."""
    if not (enabled and active()):
        yield
        return
    _local.memo = {}
    try:
        yield
    finally:
        _local.memo = None
