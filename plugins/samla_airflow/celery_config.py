"""The Celery workers' configuration (``[celery] celery_config_options``): Airflow's default, and the
modules every Samla task imports imported by the worker before its pool forks (``task_preload``)."""

from __future__ import annotations

from airflow.providers.celery.executors.default_celery import DEFAULT_CELERY_CONFIG

from samla_airflow.task_preload import MODULES

CELERY_CONFIG = {**DEFAULT_CELERY_CONFIG,
                 "imports": [*DEFAULT_CELERY_CONFIG.get("imports", ()), *MODULES]}
