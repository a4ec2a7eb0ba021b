"""Reading and writing the Parquet lake. A partition is one file, replaced by atomic rename."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from job_assets.settings import LakehousePaths
from job_assets.storage import atomic_path


def write_partition(
    paths: LakehousePaths, table: str, day: dt.date, frame: pl.DataFrame
) -> Path:
    """Write (or replace) one day of a lake table. An empty frame still writes a file with the
    schema, so readers and dbt always find every partition that ran."""
    target = paths.lake_partition_file(table, day.isoformat())
    # partition_date lives in the folder name (hive style); keep the file free of it.
    frame = frame.drop("partition_date", strict=False)
    with atomic_path(target) as tmp:
        frame.write_parquet(tmp, compression="zstd", statistics=True)
    return target


def read_company_sizes(paths: LakehousePaths) -> pl.DataFrame | None:
    """company_name_norm -> company_size_bin from the company lookups, if any were made."""
    path = paths.lake_dir / "companies" / "companies.parquet"
    if not path.exists():
        return None
    return pl.read_parquet(path, columns=["company_name_norm", "company_size_bin"])
