# Samla: the two commands a new machine needs are `make demo` and `make test`.
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_COMPILE_BYTECODE := 1
export UV_LINK_MODE := copy
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := $(shell python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')/uv
endif
export UV  # tests/e2e/test_wheel.py builds and installs the wheel with the same uv
PYTEST_WORKERS ?= 2

.PHONY: install demo test test-fast lint airflow benchmark benchmark-steps benchmark-scheduler clean

$(UV):
	@echo "uv not found: installing it with pip"
	python3 -m pip install --quiet uv

.venv/.samla-installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --compile-bytecode
	@touch $@

install: .venv/.samla-installed

# samla exits 1 when files were rejected or rows quarantined: the demo plants such faults
# on purpose, so 1 is the expected outcome here; 2 or a crash still fails.
demo: install
	@$(UV) run samla demo; status=$$?; \
	if [ $$status -eq 1 ]; then echo "(exit status 1: the planted faults above were caught, as intended)"; exit 0; fi; \
	exit $$status

lint: install
	$(UV) run ruff check .
	$(UV) run mypy

test: install lint
	$(UV) run pytest -n $(PYTEST_WORKERS) --dist loadgroup --durations=10

# The tests that need no server or browser and take no more than a few seconds (not marked e2e or slow:
# tests/conftest.py); the slow ones run the real DAGs or the samla command, `make test` runs them too.
test-fast: install
	$(UV) run pytest -n $(PYTEST_WORKERS) --dist loadgroup -m "not e2e and not slow" --durations=10

airflow: install
	$(UV) run python -m samla_airflow.local_airflow

# End to end, outside the test suite: `samla run` at three sizes against the I/O floor
# (benchmarks/README.md). SIZES=fokus for a quick first figure.
SIZES ?= fokus,x100,national
benchmark: install
	$(UV) run python benchmarks/run_benchmark.py --sizes $(SIZES)

# Per-step ingestion cost of one file (harmonise, GX, ...), for profiling.
benchmark-steps: install
	$(UV) run python benchmarks/ingest_benchmark.py

# The national ingestion under the real scheduler: LocalExecutor and CeleryExecutor with one and two
# workers against `samla run` (benchmarks/README.md). Needs the local PostgreSQL and Redis.
# SCHED_ARGS="--municipalities 20 --months 1" for a quick first figure.
SCHED_ARGS ?=
benchmark-scheduler: install
	$(UV) run python benchmarks/scheduler_benchmark.py $(SCHED_ARGS)

clean:
	rm -rf data .pytest_cache .ruff_cache .hypothesis
