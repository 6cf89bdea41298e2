"""The dimension frames the pipeline publishes: areas (project file) and indicators (catalogue)."""

from __future__ import annotations

import pandas as pd

from transforms.config.project import current_project
from transforms.publish.warehouse.schema import areas


def areas_frame() -> pd.DataFrame:
    """The ``areas`` dimension built from the project file."""
    project = current_project()
    rows: list[tuple[str, str, str, str | None, str | None]] = [
        ("region", project.region_code, project.region_name, None, None)
    ]
    for code, name in project.federations.items():
        rows.append(("federation", code, name, code, project.region_code))
    for fed in project.federations:
        for municipality in project.municipalities.values():
            if municipality.federation == fed:
                rows.append(("municipality", municipality.kommunkod, municipality.name, fed, fed))
    return pd.DataFrame(rows, columns=[c.name for c in areas.columns])


def indicators_dimension() -> pd.DataFrame:
    """The ``indicators`` dimension: the catalogue of ``transforms.publish.indicators``
    (one source of truth for names and definitions), with the warehouse's column names."""
    from transforms.publish.indicators import DEFINITIONS_SV, catalogue

    frame = indicators_columns(catalogue())
    frame.insert(4, "definition_sv", frame["indicator"].map(DEFINITIONS_SV))
    return frame


def indicators_columns(frame: pd.DataFrame) -> pd.DataFrame:
    # transforms.publish.indicators calls the code column ``code``; the table calls it ``indicator``.
    if "code" in frame.columns and "indicator" not in frame.columns:
        return frame.rename(columns={"code": "indicator"})
    return frame

