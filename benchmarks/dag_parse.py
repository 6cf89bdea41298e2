"""DAG folder parse time beyond ``import airflow.sdk``, for Fokus IM and a national 290-source configuration.

    uv run python benchmarks/dag_parse.py [--sources 290] [--repeat 3]

The national configuration is written to a temporary folder: a sources file
with a ``project:`` section of 290 municipalities (kommunkoder 0001..0290, made
up) in 21 regions (the project's federations), one folder source each. Each
run is a fresh interpreter that times ``import airflow.sdk`` and then
``runpy.run_path`` of every file in ``dags/`` (the same measure as
``run_benchmark.py``); the best of ``--repeat`` counts. The budget and the
latest figures are in benchmarks/README.md. Nothing asserts a time; figures go
to stdout.
"""

from __future__ import annotations

import argparse
import ast
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DAGS = ROOT / "dags"
REGIONS = 21

from run_benchmark import _PARSE  # noqa: E402  (one parse-timing script for both benchmarks)


def national_sources(folder: Path, count: int) -> Path:
    """A sources file with its own project section: ``count`` municipalities in 21 regions, a source each."""
    codes = [f"{i:04d}" for i in range(1, count + 1)]
    federations = [{"code": f"R{r:02d}", "name": f"Region {r:02d}",
                    "municipalities": {c: f"Kommun {c}" for c in codes[r - 1::REGIONS]}}
                   for r in range(1, REGIONS + 1)]
    document = {
        "project": {"code": "NATIONAL", "name": "National benchmark", "first_period": "2024-09",
                    "last_period": "2027-08", "region": {"code": "SE", "name": "Sverige"},
                    "federations": federations},
        "sources": [{"id": c, "name": f"Kommun {c}", "municipalities": [c],
                     "delivery": {"folder": str(folder / "landing" / c)}} for c in codes],
    }
    path = folder / "sources.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def parse_dag_folder(sources: Path | None, home: Path, repeat: int) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "SAMLA_"))}
    env.update({"AIRFLOW_HOME": str(home), "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS),
                "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING", "SAMLA_DATA_DIR": str(home / "data")})
    if sources is not None:
        env["SAMLA_SOURCES"] = str(sources)
    runs = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", _PARSE, str(DAGS)], capture_output=True, text=True, env=env,
                             cwd=ROOT, timeout=600, check=True)
        runs.append(ast.literal_eval(out.stdout.strip().splitlines()[-1]))
    return {"import": min(r["import"] for r in runs), "dags": min(r["dags"] for r in runs),
            "runs": " ".join(f"{r['dags']:.3f}" for r in runs)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=290, help="sources of the national case (default 290)")
    parser.add_argument("--repeat", type=int, default=3, help="fresh interpreters per case; the best counts")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="samla-dag-parse-") as tmp:
        folder = Path(tmp)
        cases = {"Fokus IM (config/sources.yaml, 9 sources)": None,
                 f"national ({args.sources} sources, 21 regions)": national_sources(folder, args.sources)}
        print(f"load average {'/'.join(f'{x:.1f}' for x in os.getloadavg())}")
        print("| configuration | `import airflow.sdk` s | DAG folder beyond it, s (best) | runs |")
        print("|---|---:|---:|---|")
        for label, sources in cases.items():
            result = parse_dag_folder(sources, folder / "airflow", args.repeat)
            print(f"| {label} | {result['import']:.2f} | {result['dags']:.3f} | {result['runs']} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
