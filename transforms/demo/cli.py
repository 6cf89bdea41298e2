"""Write the sample deliveries from the command line, without Airflow (``samla demo`` runs them too).

    python -m transforms.demo.cli --data-dir DIR [--periods 2024-09:2025-02] [--scale 100]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from transforms.demo.generate import generate
from transforms.messages import t
from transforms.period import month_range


def periods_arg(text: str) -> list[str]:
    """``FIRST:LAST`` or a comma list of ``YYYY-MM``."""
    if ":" in text:
        first, last = (p.strip() for p in text.split(":", 1))
        if last < first:
            raise ValueError(t("usage.range_backwards", first=first, last=last))
        return month_range(first, last)
    return [p.strip() for p in text.split(",") if p.strip()]


def print_manifest(manifest: dict, config, out=sys.stdout) -> None:
    root = manifest["data_dir"]
    for sid, files in manifest["files"].items():
        rows = sum(n for per in manifest["rows"][sid].values() for n in per.values())
        folder = files[0].parent.relative_to(root)
        print(t("demo.cli.source_files", label=config.get(sid).label, files=t("common.files", n=len(files)),
                rows=t("common.rows", n=rows), folder=folder), file=out)
    for fault in manifest["faults"]:
        where = (t("demo.cli.fault_rows", rows=", ".join(map(str, fault["rows"]))) if fault["rows"]
                 else t("demo.cli.whole_file"))
        print(t("demo.cli.fault", level=fault["level"], file=fault["file"].relative_to(root), where=where,
                description=fault["description"]), file=out)


def main(argv: list[str] | None = None) -> int:
    from transforms.config.settings import DEFAULT_SOURCES
    from transforms.config.sources import SourcesError, load_sources

    parser = argparse.ArgumentParser(
        prog="python -m transforms.demo.cli",
        description="Write sample monthly deliveries for every source into its landing folder.",
    )
    parser.add_argument("--data-dir", required=True, type=Path,
                        help="root (SAMLA_DATA_DIR) the landing folders resolve under")
    parser.add_argument("--periods", help="FIRST:LAST or a comma list of YYYY-MM (default: the project's first "
                                          "six months)")
    parser.add_argument("--sources", type=Path,
                        default=Path(os.environ.get("SAMLA_SOURCES") or DEFAULT_SOURCES),
                        help="sources file (default: SAMLA_SOURCES or transforms/config/sources.yaml)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every municipality's pupils")
    parser.add_argument("--no-faults", action="store_true", help="write clean data only")
    args = parser.parse_args(argv)
    try:
        config = load_sources(args.sources, args.data_dir.resolve())
        manifest = generate(config, args.data_dir, periods_arg(args.periods) if args.periods else None, seed=args.seed,
                            faults=not args.no_faults, scale=args.scale)
    except (ValueError, SourcesError) as exc:
        print(t("demo.cli.error", error=exc), file=sys.stderr)
        return 2
    print_manifest(manifest, config)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
