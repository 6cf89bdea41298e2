"""Airflow's entry to Samla's UI links: the plugins folder is scanned for AirflowPlugin classes.

The class lives in the ``samla_airflow`` package; ``.airflowignore`` keeps Airflow from also
loading that package's modules one by one as loose plugin files.
"""

from samla_airflow.airflow_plugin import SamlaPlugin

__all__ = ["SamlaPlugin"]
