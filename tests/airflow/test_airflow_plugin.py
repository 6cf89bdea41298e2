"""Airflow's own plugins manager loads Samla's plugin from the plugins folder, with its UI links."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# What the api-server's GET /api/v2/plugins does: load, dump, validate with its response model.
PROBE = """
import json, sys
from airflow import plugins_manager
from airflow.api_fastapi.core_api.datamodels.plugins import PluginResponse
plugins, errors = plugins_manager._get_plugins()
served = [PluginResponse.model_validate(d) for d in plugins_manager.get_plugin_info()]
samla = [p for p in served if p.name == "samla"]
print("RESULT=" + json.dumps({
    "plugins": [p.name for p in plugins], "errors": errors,
    "views": [v.model_dump(exclude_none=True) for p in samla for v in p.external_views],
    "apps": [{"url_prefix": a["url_prefix"], "name": a["name"]} for a in plugins_manager.get_fastapi_plugins()[0]],
    "loose": [m for m in ("cli", "notify", "ingestion", "sftp_pull") if m in sys.modules],
}))
"""


def load_plugins(tmp_path: Path, **env: str) -> dict:
    environment = {**{k: v for k, v in os.environ.items() if k != "SAMLA_DATA_DOCS_URL"},
                   "AIRFLOW_HOME": str(tmp_path / "home"),
                   "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
                   "AIRFLOW__CORE__LOAD_EXAMPLES": "False", **env}
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=environment,
                         timeout=300, check=True)
    (line,) = [x for x in out.stdout.splitlines() if x.startswith("RESULT=")]
    return json.loads(line.removeprefix("RESULT="))


def test_plugins_manager_loads_the_links(tmp_path):
    found = load_plugins(tmp_path, SAMLA_DATA_DOCS_URL="https://samla.gr.example/data/")
    assert found["errors"] == {}
    assert found["plugins"].count("samla") == 1
    assert found["loose"] == [], "the glue package's modules were loaded as loose plugin files"
    hrefs = {v["name"]: v["href"] for v in found["views"]}
    assert hrefs == {
        "Valideringsrapporter (Data Docs)": "https://samla.gr.example/data/data_docs/index.html",
        "Fondrapporter (Excel) / Fund reports": "https://samla.gr.example/data/reports/",
    }
    assert {v["destination"] for v in found["views"]} == {"nav"}


def test_without_a_served_data_folder_there_are_no_links(tmp_path):
    found = load_plugins(tmp_path)
    assert found["errors"] == {} and "samla" in found["plugins"]
    assert found["views"] == []
