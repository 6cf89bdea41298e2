"""``python -m samla_airflow.cli`` is the ``samla`` command."""

import sys

from samla_airflow.cli import main

# Airflow's plugin loader imports plugin files under their bare stem, so it would run this one
# as "__main__" too (plugins/.airflowignore skips it; this guard holds if that file is lost).
if __spec__ is not None and __spec__.name == "samla_airflow.cli.__main__":
    sys.exit(main())
