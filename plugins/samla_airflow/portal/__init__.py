"""The data stewards' portal: a log-in, a pre-delivery check page and the status of their own sources.

One FastAPI app (``app.create_app``), mounted under Airflow's api-server by the Samla plugin at
``URL_PREFIX`` and served alone by ``samla portal`` (README, "For data stewards").
"""

URL_PREFIX = "/samla-portal"
