"""The built wheel is the product: installed into a fresh venv, `samla` runs a demo month outside the checkout.

Needs uv (as `make` does; `pip install uv`). The venv gets the locked dependencies (uv.lock,
from uv's cache or the registry) and the wheel itself — nothing from the checkout is on the path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _uv() -> str:
    found = os.environ.get("UV") or shutil.which("uv")  # make exports the uv it uses as UV
    if not found or not Path(found).is_file():
        pytest.fail("uv is needed to build and install the wheel: pip install uv (or run make test)")
    return found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    subprocess.run([_uv(), "build", "--wheel", "--out-dir", str(out)], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=600)
    (built,) = out.glob("samla-*.whl")
    return built


def test_the_wheel_carries_its_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for dataset in ("participants", "attendance", "survey", "activities"):
        assert f"expectations/{dataset}.json" in names
    assert "transforms/config/sources.yaml" in names
    assert {"samla_airflow/dags/samla_ingest.py", "samla_airflow/dags/samla_publish.py",
            "samla_airflow/plugins_folder/samla_plugin.py"} <= names
    migrations = "transforms/publish/warehouse/migrations/"
    shipped = {n.removeprefix(migrations + "versions/") for n in names if n.startswith(migrations + "versions/")}
    in_checkout = {p.name for p in (ROOT / migrations / "versions").glob("*.py")}
    assert f"{migrations}env.py" in names and in_checkout and shipped >= in_checkout  # every warehouse revision
    assert not any(n.startswith(("tests/", "data/")) for n in names)


def test_installed_wheel_runs_a_demo_month_outside_the_checkout(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SAMLA_", "AIRFLOW", "PYTHONPATH", "VIRTUAL_ENV"))}
    env["UV_PYTHON_DOWNLOADS"] = "never"
    requirements = tmp_path / "requirements.txt"
    subprocess.run([_uv(), "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes", "-q",
                    "-o", str(requirements)], cwd=ROOT, env=env, check=True, timeout=300)
    subprocess.run([_uv(), "pip", "install", "--python", str(venv / "bin" / "python"), "-r", str(requirements),
                    str(wheel)], env=env, check=True, capture_output=True, timeout=1800)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    samla = str(venv / "bin" / "samla")

    helped = subprocess.run([samla, "--help"], cwd=outside, env=env, capture_output=True, text=True, timeout=300)
    assert helped.returncode == 0, helped.stderr
    assert "demo" in helped.stdout and "run" in helped.stdout

    demo = subprocess.run([samla, "demo", "--periods", "2024-09:2024-09", "--data-dir", str(outside / "data")],
                          cwd=outside, env=env, capture_output=True, text=True, timeout=3000)
    # Exit 1: the demo plants faults, and samla reports them (0 would mean nothing was checked).
    assert demo.returncode == 1, demo.stdout[-3000:] + demo.stderr[-3000:]
    assert "EECO01 deltagare per kön, 2024-09" in demo.stdout
    assert "FOKUS" in demo.stdout
    data = outside / "data"
    assert list((data / "reports").glob("*.xlsx")), "no fund report"
    assert (data / "published" / "indicator_values.parquet").is_file()
    assert list((data / "data_docs").rglob("*.html")), "no Data Docs (the suites were not found?)"
