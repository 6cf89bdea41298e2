# syntax=docker/dockerfile:1
#
# Samla production image: the official Apache Airflow image plus Samla's locked
# dependencies (uv.lock) and the Samla package itself.
#
# The Airflow version in the FROM tag of the final stage MUST equal the
# apache-airflow version locked in uv.lock; tests/repository/test_deployment.py checks it.
# To upgrade Airflow: `uv lock --upgrade-package apache-airflow`, then change the
# tag below, then rebuild (`docker compose build`).
#
# Built by docker-compose.yml (x-airflow-common.build). The build context is the
# repository; only the files named in COPY lines below enter the image.

# --- Stage 1: turn uv.lock into an exact requirements list ------------------
# uv pinned to the version that wrote the lock, so the export is reproducible.
FROM ghcr.io/astral-sh/uv:0.13.9-python3.11-bookworm-slim AS lock-export
ENV UV_PYTHON_DOWNLOADS=never
WORKDIR /src
COPY pyproject.toml uv.lock ./
# --frozen: use the lock as it is, fail rather than re-resolve.
# --no-dev: no test tooling in production. --no-emit-project: the Samla package
# itself is installed separately below (without dependencies).
RUN uv export --frozen --no-dev --no-emit-project --no-hashes \
        --format requirements.txt --output-file /samla-requirements.txt

# --- Stage 2: the runtime image ---------------------------------------------
FROM apache/airflow:3.3.2-python3.11

# The official image already holds Airflow and the providers this deployment
# needs besides Samla's own (celery, redis, postgres, fab), installed under the
# Airflow constraints of this exact tag. Samla's locked set goes on top;
# "apache-airflow==${AIRFLOW_VERSION}" makes uv refuse any resolution that would
# move Airflow away from the image's version (and so from the lock's).
COPY --from=lock-export /samla-requirements.txt /tmp/samla-requirements.txt
RUN uv pip install --no-cache --compile-bytecode \
        "apache-airflow==${AIRFLOW_VERSION}" -r /tmp/samla-requirements.txt

# The Samla package (transforms + samla_airflow, and the `samla` command).
# At run time docker-compose.yml bind-mounts the same directories from the
# checkout, and PYTHONPATH puts those first: rebuild after every `git pull`
# so the baked-in copy and the mounted copy stay the same commit.
COPY --chown=airflow:0 pyproject.toml README.md /tmp/samla-src/
COPY --chown=airflow:0 transforms /tmp/samla-src/transforms
COPY --chown=airflow:0 expectations /tmp/samla-src/expectations
COPY --chown=airflow:0 dags /tmp/samla-src/dags
COPY --chown=airflow:0 plugins/samla_airflow /tmp/samla-src/plugins/samla_airflow
COPY --chown=airflow:0 plugins/samla_plugin.py /tmp/samla-src/plugins/samla_plugin.py
RUN uv pip install --no-cache --compile-bytecode --no-deps /tmp/samla-src \
    && rm -rf /tmp/samla-src /tmp/samla-requirements.txt

# Smoke test at build time: the providers this deployment relies on must still
# import against Samla's locked library versions (a conflict fails the build
# here instead of in production). A throw-away AIRFLOW_HOME keeps any generated
# config out of the image. `uv pip check` lists remaining version conflicts,
# typically in bundled providers Samla does not use; read them in the build log.
RUN AIRFLOW_HOME=/tmp/airflow-smoke python -c "import airflow.providers.celery.executors.celery_executor, airflow.providers.fab.auth_manager.fab_auth_manager, airflow.providers.sftp.hooks.sftp, airflow.providers.smtp.hooks.smtp, psycopg, psycopg2, great_expectations, transforms.config.settings, samla_airflow" \
    && rm -rf /tmp/airflow-smoke \
    && (uv pip check || echo "WARNING: uv pip check reports conflicts (see above)")

# Mount point of the samla-data named volume (SAMLA_DATA_DIR). Creating it here,
# owned by the airflow user, gives a fresh named volume the same owner.
RUN mkdir -p /opt/airflow/samla-data && chmod 0750 /opt/airflow/samla-data
