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
handed out again; outside it GX behaves as shipped. What does not depend on the
frame is kept across files too (``PER_PROCESS``): an expectation's metric graph,
its expectation object and the metrics it asks for are built from its
configuration alone, and the batch id is the dataset's asset name, so every file
of a dataset would build them again the same (``_graphs_kept``). This is sound because GX,
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

import copy
import inspect
import json
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import wraps
from typing import Any

from transforms.messages import t

KNOWN_GX_VERSION = "1.24.1"  # the source these patches were checked against
_local = threading.local()
# Both False: what every file cost before (each file built its graphs anew; query for row conditions).
PER_PROCESS = True  # GX's work that does not depend on the frame kept across files (_graphs_kept, _parse_by_ids)
ROW_MASKS = True  # "column is (not) null" row conditions as a mask, not DataFrame.query (_nullity_by_mask)
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
    from great_expectations.validator.validator import Validator as OldValidator

    # Class attributes replaced by name: the property as stored on the class, the methods as functions.
    patches: list[tuple[type, str, object]] = [
        (Expectation, "configuration",
         property(_kept(_configuration_kept(Expectation.__dict__["configuration"].fget), _per_object))),
        (ExpectationConfiguration, "to_domain_obj",
         _domain_obj_kept(_kept(ExpectationConfiguration.to_domain_obj, _per_object))),
        (PandasExecutionEngine, "_apply_row_condition_filter",
         _kept(_nullity_by_mask(PandasExecutionEngine._apply_row_condition_filter), _per_frame_and_condition)),
        (IDDict, "to_id", _kept(IDDict.to_id, _per_keys_and_values)),
        (ValidationGraph, "build_metric_dependency_graph",
         _expand_once(ValidationGraph.build_metric_dependency_graph)),
        (ValidationGraph, "_parse", _parse_by_ids(ValidationGraph._parse)),
        (OldValidator, "_generate_metric_dependency_subgraphs_for_each_expectation_configuration",
         _graphs_kept(OldValidator._generate_metric_dependency_subgraphs_for_each_expectation_configuration)),
    ]
    patches += [(cls, "get_validation_dependencies", _dependencies_kept(cls.__dict__["get_validation_dependencies"]))
                for cls in _subclasses(Expectation) if "get_validation_dependencies" in cls.__dict__]
    for owner, name, patched in patches:
        setattr(owner, name, patched)
    _install_vectorised_between()
    _install_nothing_unexpected()


def _nullity_by_mask(shipped: Callable) -> Callable:
    """A row condition "column is (not) null" as the frame's rows where ``isnull()`` of the column is
    (not) true: what GX's ``DataFrame.query("column.isnull()")`` answers, without pandas parsing and
    evaluating the expression (most of a small file's row filter). Anything else as shipped."""
    from great_expectations.expectations.row_conditions import (
        Column,
        NullityCondition,
        deserialize_row_condition,
    )

    @_wrapping(shipped)
    def apply(self, data, row_condition, domain_kwargs):
        condition = row_condition
        if not ROW_MASKS or getattr(_local, "memo", None) is None:
            return shipped(self, data, row_condition, domain_kwargs)
        if isinstance(condition, dict):
            try:
                condition = deserialize_row_condition(condition)
            except Exception:  # GX raises its own error on the shipped path
                condition = None
        if isinstance(condition, NullityCondition) and type(condition.column) is Column \
                and _plain_column(data, condition.column.name):
            mask = data[condition.column.name].isnull()
            return data.loc[mask if condition.is_null else ~mask]
        return shipped(self, data, row_condition, domain_kwargs)

    return apply


def _plain_column(data, name) -> bool:
    """``name`` is one column of ``data`` that ``query`` would read as that column: a plain identifier,
    present once, not also the name of an index level."""
    import keyword

    import pandas as pd

    return (isinstance(data, pd.DataFrame) and isinstance(name, str)
            and name.isidentifier() and not keyword.iskeyword(name) and list(data.columns).count(name) == 1
            and name not in data.index.names)


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


def _parse_by_ids(parse: Callable) -> Callable:
    """``ValidationGraph._parse`` (which metrics are ready, which wait) over the graph's edges as
    (left id, right id, left) read once per run: GX reads each edge's ids through properties again in
    every round of the resolution, a thousand edges a file. Same walk, same sets in the same order;
    a metric's id is fixed when it is made."""
    @_wrapping(parse)
    def parse_by_ids(self, metrics):
        memo = getattr(_local, "memo", None)
        if memo is None or not PER_PROCESS:
            return parse(self, metrics)
        k = (parse, id(self), len(self.edges))
        hit = memo.get(k)
        if hit is None:
            hit = memo[k] = (self, [(e.left.id, None if e.right is None else e.right.id, e.left) for e in self.edges])
        waiting_ids, waiting, ready_ids, ready = set(), set(), set(), set()
        for left_id, right_id, left in hit[1]:
            if left_id not in metrics:
                if right_id is None or right_id in metrics:
                    if left_id not in ready_ids:
                        ready_ids.add(left_id)
                        ready.add(left)
                elif left_id not in waiting_ids:
                    waiting_ids.add(left_id)
                    waiting.add(left)
        return ready - waiting, waiting

    return parse_by_ids


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


GRAPHS_KEPT = 256  # expectations a process keeps, least recently used dropped (a suite's rules x parameter values)


class _Kept:
    """What a process keeps of one expectation (one rule with its parameter values filled in)."""

    __slots__ = ("configuration", "dependencies", "domain_obj", "graph")

    def __init__(self, graph, configuration):
        self.graph = graph
        self.configuration = configuration
        self.domain_obj = None
        self.dependencies: dict[tuple, Any] = {}


_graphs: OrderedDict[bytes, _Kept] = OrderedDict()
_by_configuration: dict[int, _Kept] = {}  # id of a kept configuration -> its entry (which holds it)
_by_domain_obj: dict[int, _Kept] = {}
# id of a long-lived expectation object -> [it, its configuration as first built or None, from a suite]
_templates: dict[int, list] = {}
_graphs_lock = threading.RLock()


def _subclasses(cls: type) -> list[type]:
    found: list[type] = []
    todo: list[type] = [cls]
    while todo:
        found.append(todo.pop())
        subs: list[type] = found[-1].__subclasses__()
        todo += [sub for sub in subs if sub not in found and sub not in todo]
    return found


def _keep(key: bytes, entry: _Kept) -> None:
    with _graphs_lock:
        _graphs[key] = entry
        _by_configuration[id(entry.configuration)] = entry
        while len(_graphs) > GRAPHS_KEPT:
            _, old = _graphs.popitem(last=False)
            _by_configuration.pop(id(old.configuration), None)
            if old.domain_obj is not None:
                _by_domain_obj.pop(id(old.domain_obj), None)
                _templates.pop(id(old.domain_obj), None)


def _graphs_kept(generate: Callable) -> Callable:
    """An expectation's metric dependency graph kept per process, not built again for every file.

    GX builds the graph from the expectation's configuration alone (its kwargs with the suite's
    parameters filled in, the batch id, the result format, the engine's class): no data is read
    until the graph is resolved. A file's batch id is its asset's name, the same for every file of
    a dataset, so the same rule gives the same graph in every file; the key is the pickled
    configuration with those, and a rule whose parameters differ (another period) gets a graph of
    its own. The graph's metric configurations are only read while a graph resolves. A rule whose
    graph could not be built (an error result) is not kept.
    """
    from great_expectations.expectations.expectation_configuration import parse_result_format

    @_wrapping(generate)
    def kept(self, expectation_configurations, processed_configurations, catch_exceptions,
             runtime_configuration=None):
        if getattr(_local, "memo", None) is None or not PER_PROCESS:
            return generate(self, expectation_configurations=expectation_configurations,
                            processed_configurations=processed_configurations,
                            catch_exceptions=catch_exceptions, runtime_configuration=runtime_configuration)
        if isinstance(result_format := (runtime_configuration or {}).get("result_format"), dict):
            # Its defaults filled in as GX's first expectation fills them in (in place), so that a file
            # whose graphs all come from the store resolves with the same runtime configuration.
            parse_result_format(result_format)
        graphs: list = []
        results: list = []
        for configuration in expectation_configurations:
            try:
                key = pickle.dumps((configuration, self.active_batch_id, type(self._execution_engine),
                                    runtime_configuration, catch_exceptions), protocol=pickle.HIGHEST_PROTOCOL)
            except (pickle.PicklingError, TypeError, AttributeError):
                key = None
            with _graphs_lock:
                hit = None if key is None else _graphs.get(key)
                if key is not None and hit is not None:
                    _graphs.move_to_end(key)
            if hit is None:
                built, failed, processed = generate(self, expectation_configurations=[configuration],
                                                    processed_configurations=[], catch_exceptions=catch_exceptions,
                                                    runtime_configuration=runtime_configuration)
                graphs += built
                results += failed
                processed_configurations += processed
                if key is not None and not failed and len(built) == len(processed) == 1:
                    _keep(key, _Kept(built[0], processed[0]))
                continue
            graphs.append(hit.graph)
            processed_configurations.append(hit.configuration)
        return graphs, results, processed_configurations

    return kept


def _domain_obj_kept(to_domain_obj: Callable) -> Callable:
    """A kept configuration's expectation object kept with it (GX validates a new pydantic model for
    it in every file otherwise); any other configuration's as ``to_domain_obj`` gives it."""
    @_wrapping(to_domain_obj)
    def domain_obj(self):
        entry = _by_configuration.get(id(self)) if PER_PROCESS and getattr(_local, "memo", None) is not None \
            else None
        if entry is None or entry.configuration is not self:
            return to_domain_obj(self)
        with _graphs_lock:
            if entry.domain_obj is None:
                entry.domain_obj = to_domain_obj(self)
                _by_domain_obj[id(entry.domain_obj)] = entry
                _templates[id(entry.domain_obj)] = [entry.domain_obj, None, False]
            return entry.domain_obj

    return domain_obj


def _dependencies_kept(shipped: Callable) -> Callable:
    """A kept expectation's validation dependencies (the metrics and result format it needs) kept per
    engine class and runtime configuration: GX asks once more for every file when it checks the
    resolved metrics. Each caller gets its own copy of the dict and the result format (GX adds
    defaults to it); the metric configurations in it are only read (their ids)."""
    @_wrapping(shipped)
    def dependencies(self, execution_engine=None, runtime_configuration=None, **kwargs):
        entry = _by_domain_obj.get(id(self)) if PER_PROCESS and not kwargs and not getattr(_local, "asking", False) \
            and getattr(_local, "memo", None) is not None else None
        key = None
        if entry is not None and entry.domain_obj is self:
            try:
                key = (type(execution_engine), pickle.dumps(runtime_configuration, protocol=pickle.HIGHEST_PROTOCOL))
            except (pickle.PicklingError, TypeError, AttributeError):
                key = None
        if entry is None or key is None:
            return shipped(self, execution_engine=execution_engine, runtime_configuration=runtime_configuration,
                           **kwargs)
        kept = entry.dependencies.get(key)
        if kept is None:
            _local.asking = True  # the class's own answer is kept, not those of its bases it asks on the way
            try:
                kept = entry.dependencies[key] = copy.deepcopy(
                    shipped(self, execution_engine=execution_engine, runtime_configuration=runtime_configuration))
            finally:
                _local.asking = False
        return type(kept)(metric_configurations=dict(kept.metric_configurations),
                          result_format=copy.deepcopy(kept.result_format))

    return dependencies


def let_go_of_metrics(validator) -> None:
    """The metric values GX's engine keeps after a file let go. The pandas engine is the data source's,
    shared by every file of the process, and keeps every metric it computed by id; a rule whose
    parameters differ per source (its municipalities) adds new ids with every source, so the values
    of past files piled up. A resolution computes every metric its graph needs anew, so nothing
    reads them in a later file."""
    engine = getattr(getattr(validator, "_wrapped_validator_cache", None), "_execution_engine", None)
    cache = getattr(engine, "_metric_cache", None)
    if isinstance(cache, dict):
        cache.clear()


def forget() -> None:
    """Everything kept across files let go (the next file builds it again)."""
    with _graphs_lock:
        _graphs.clear()
        _by_configuration.clear()
        _by_domain_obj.clear()
        for key, held in list(_templates.items()):
            if held[2]:
                held[1] = None
            else:
                del _templates[key]


def keep_expectations(expectations) -> None:
    """A suite's expectation objects, which live as long as the process: their configurations are
    built once (``_configuration_kept``). Nothing may change them afterwards (Samla never does)."""
    with _graphs_lock:
        for expectation in expectations:
            _templates.setdefault(id(expectation), [expectation, None, True])


def _configuration_kept(build: Callable) -> Callable:
    """``Expectation.configuration`` of a long-lived expectation object (a suite's own, or one kept with
    its graph) as a copy of the one built the first time: GX serialises the pydantic model anew for
    every file otherwise. A copy, because GX fills a suite's parameters into the configuration it is
    given and puts it into that file's result."""
    @_wrapping(build)
    def configuration(self):
        held = _templates.get(id(self)) if PER_PROCESS and getattr(_local, "memo", None) is not None else None
        if held is None or held[0] is not self:
            return build(self)
        if held[1] is None:
            held[1] = build(self)
        return copy.deepcopy(held[1])

    return configuration


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
    """GX's answers kept on this thread until the block ends (then everything about the frame is let go;
    what is kept per process stays, see ``_graphs_kept``)."""
    if not enabled:
        yield
        return
    install()
    _local.memo = {}
    try:
        yield
    finally:
        _local.memo = None
