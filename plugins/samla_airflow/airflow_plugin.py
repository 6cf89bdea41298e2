"""Links from the Airflow UI to what Samla shows people (the Data Docs and the fund report), and the
data stewards' portal served by the api-server under ``/samla-portal``.

Both are static files under SAMLA_DATA_DIR (``data_docs/``, ``reports/``).
SAMLA_DATA_DOCS_URL says where that folder is served — behind the
organisation's own log-in, since the pages describe municipal deliveries — and
is the same base the steward e-mails link to. Without it there is nothing to
link to, and the plugin adds no links.

The portal authenticates by itself (Airflow does not guard a plugin's FastAPI app): its accounts are
the stewards of the sources file. Airflow loads this class through
``plugins/samla_plugin.py`` (the plugins folder); see README, "Operating Samla".
"""

from __future__ import annotations

import os

from airflow.plugins_manager import AirflowPlugin

from samla_airflow.notify import DATA_DOCS_URL_ENV

CATEGORY = "Samla"


def external_views(base_url: str | None = None) -> list[dict[str, str]]:
    """Navigation links (Airflow 3 ``external_views``) under ``base_url`` (default: the setting)."""
    base = (os.environ.get(DATA_DOCS_URL_ENV, "") if base_url is None else base_url).strip().rstrip("/")
    if not base:
        return []
    return [
        {"name": "Valideringsrapporter (Data Docs)", "href": f"{base}/data_docs/index.html",
         "destination": "nav", "category": CATEGORY},
        {"name": "Fondrapporter (Excel) / Fund reports", "href": f"{base}/reports/",
         "destination": "nav", "category": CATEGORY},
    ]


def fastapi_apps() -> list[dict]:
    """The portal as an Airflow 3 plugin app (``fastapi_apps``), mounted by the api-server."""
    from samla_airflow.portal import URL_PREFIX
    from samla_airflow.portal.app import create_app

    return [{"app": create_app(), "url_prefix": URL_PREFIX, "name": "Samla: dataansvariga / data stewards"}]


class SamlaPlugin(AirflowPlugin):
    name = "samla"
    external_views = external_views()
    fastapi_apps = fastapi_apps()
