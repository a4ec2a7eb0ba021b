"""Tableau Hyper extract from the published Parquet snapshots. Pure (no Dagster).

Hyper reads each Parquet file itself (``CREATE TABLE ... AS SELECT * FROM external(...)``):
no rows pass through Python. One HyperProcess per export, telemetry off, no hyperd.log; the
file is written under a temp name and renamed, so a failed export leaves the previous one.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from tableauhyperapi import (
    Connection,
    CreateMode,
    HyperProcess,
    SchemaName,
    TableName,
    Telemetry,
    escape_string_literal,
)

from job_assets.storage import atomic_path

HYPER_SCHEMA = "Extract"


def write_hyper(parquet_files: dict[str, Path], target: Path) -> dict[str, int]:
    """Create ``target`` with one table per Parquet file in schema ``Extract``; row counts."""
    counts: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="hyper-") as workdir, atomic_path(target) as tmp:
        tmp.unlink()  # Hyper creates the file itself
        with (
            HyperProcess(
                telemetry=Telemetry.DO_NOT_SEND_USAGE_DATA_TO_TABLEAU,
                parameters={"log_config": "", "log_dir": workdir},
            ) as hyper,
            Connection(hyper.endpoint, tmp, CreateMode.CREATE_AND_REPLACE) as conn,
        ):
            conn.catalog.create_schema_if_not_exists(SchemaName(HYPER_SCHEMA))
            for table, parquet in parquet_files.items():
                name = TableName(HYPER_SCHEMA, table)
                conn.execute_command(
                    f"CREATE TABLE {name} AS (SELECT * FROM external("
                    f"{escape_string_literal(str(parquet))}, FORMAT => 'parquet'))"
                )
                counts[table] = conn.execute_scalar_query(f"SELECT COUNT(*) FROM {name}")
    return counts
