"""Samla's Airflow glue: what tasks call, settings from Variables/Connections, SFTP, callbacks.

Modules here import Airflow and the heavy data libraries inside functions,
so DAG files can import them at parse time for free.
"""
