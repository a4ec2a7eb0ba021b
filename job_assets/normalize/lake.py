"""Reading and writing the Parquet lake. A partition is one file, replaced by atomic rename."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from job_assets.settings import LakehousePaths
from job_assets.storage import atomic_path


def write_partition(paths: LakehousePaths, table: str, day: dt.date, frame: pl.DataFrame) -> Path:
    """Write (or replace) one day of a lake table. An empty frame still writes a file with the
    schema, so readers and dbt always find every partition that ran."""
    target = paths.lake_partition_file(table, day.isoformat())
    # partition_date lives in the folder name (hive style); keep the file free of it.
    frame = frame.drop("partition_date", strict=False)
    with atomic_path(target) as tmp:
        frame.write_parquet(tmp, compression="zstd", statistics=True)
    return target


# Free text nobody filters on: min/max statistics of kilobyte-long values only cost time to
# write (25k postings: 0.13 -> 0.11 CPU-s with the string_view layout below) and file space.
_NO_STATISTICS = frozenset({"description_text"})


def _leaf_paths(field: pa.Field) -> list[str]:
    """The Parquet column paths of an Arrow field (pyarrow names per-column options by them):
    ``skills`` is written as ``skills.list.element``."""
    kind = field.type
    if pa.types.is_list(kind) or pa.types.is_large_list(kind) or pa.types.is_list_view(kind):
        return [
            f"{field.name}.list.{p}" for p in _leaf_paths(kind.value_field.with_name("element"))
        ]
    if pa.types.is_struct(kind):
        return [
            f"{field.name}.{p}" for i in range(kind.num_fields) for p in _leaf_paths(kind.field(i))
        ]
    return [field.name]


class PartitionWriter:
    """Write one day of a lake table batch by batch (bounded memory), renamed into place only
    when closed without error: readers see the old partition or the complete new one."""

    def __init__(
        self, paths: LakehousePaths, table: str, day: dt.date, schema: dict[str, pl.DataType]
    ) -> None:
        self._target = paths.lake_partition_file(table, day.isoformat())
        self._schema = {c: t for c, t in schema.items() if c != "partition_date"}
        self._writer: pq.ParquetWriter | None = None
        self._context = atomic_path(self._target)
        self.rows = 0

    def __enter__(self) -> PartitionWriter:
        self._tmp = self._context.__enter__()
        return self

    def write(self, frame: pl.DataFrame) -> None:
        # polars' own string layout (string_view) is written as it is: the default large_string
        # would copy every string first. Both are the same Parquet column (STRING).
        table = frame.select(list(self._schema)).to_arrow(compat_level=pl.CompatLevel.newest())
        if self._writer is None:
            self._writer = pq.ParquetWriter(
                self._tmp,
                table.schema,
                compression="zstd",
                write_statistics=[
                    path
                    for field in table.schema
                    if field.name not in _NO_STATISTICS
                    for path in _leaf_paths(field)
                ],
            )
        self._writer.write_table(table)
        self.rows += frame.height

    def __exit__(self, *exc) -> None:
        if self._writer is None:  # no batch at all: still a file with the schema
            pl.DataFrame(schema=self._schema).write_parquet(self._tmp, compression="zstd")
        else:
            self._writer.close()
        self._context.__exit__(*exc)

    @property
    def path(self) -> Path:
        return self._target


def read_company_sizes(paths: LakehousePaths) -> pl.DataFrame | None:
    """company_name_norm -> company_size_bin from the company lookups, if any were made."""
    path = paths.lake_dir / "companies" / "companies.parquet"
    if not path.exists():
        return None
    return pl.read_parquet(path, columns=["company_name_norm", "company_size_bin"])
