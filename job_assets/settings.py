"""Where everything lives. One data root (``JOBS_DATA_DIR``) holds every stored byte.

Pure module: no Dagster import, read by assets, the CLI, tests and the benchmark alike.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class LakehousePaths:
    """Every path the pipeline reads or writes, derived from two roots."""

    data_dir: Path
    artifacts_dir: Path
    taxonomy_dir: Path
    user_dir: Path

    @property
    def raw_dir(self) -> Path:
        """Verbatim API responses: ``raw/<source>/<YYYY-MM-DD>.jsonl.gz``."""
        return self.data_dir / "raw"

    @property
    def lake_dir(self) -> Path:
        """Normalized Parquet lake: ``lake/<table>/partition_date=<date>/part.parquet``."""
        return self.data_dir / "lake"

    @property
    def warehouse_path(self) -> Path:
        """The DuckDB file dbt builds and the ranking writes. Only the pipeline opens it."""
        return self.data_dir / "warehouse" / "job_lakehouse.duckdb"

    @property
    def published_dir(self) -> Path:
        """Parquet snapshots of the marts, written atomically after each build: what readers use."""
        return self.data_dir / "published"

    @property
    def state_dir(self) -> Path:
        """State that must survive runs and rebuilds (company lookups, the user's own store)."""
        return self.data_dir / "state"

    @property
    def user_store_path(self) -> Path:
        """The job seeker's own data (statuses, notes, interviews, offers, history): SQLite,
        outside the data root, so no run, backfill, rebuild or ``make clean`` touches it."""
        return self.user_dir / "applications.sqlite"

    @property
    def user_campaigns_path(self) -> Path:
        """Campaigns as edited through the CLI; taxonomy_config/campaigns.yml is the default."""
        return self.user_dir / "campaigns.yml"

    def lake_table_dir(self, table: str) -> Path:
        return self.lake_dir / table

    def lake_partition_file(self, table: str, partition_date: str) -> Path:
        return self.lake_dir / table / f"partition_date={partition_date}" / "part.parquet"

    def raw_file(self, source: str, partition_date: str) -> Path:
        return self.raw_dir / source / f"{partition_date}.jsonl.gz"


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser().resolve() if value else default


def get_paths() -> LakehousePaths:
    """Resolve paths from the environment each time (tests point them at temp folders)."""
    return LakehousePaths(
        data_dir=_env_path("JOBS_DATA_DIR", REPO_ROOT / "data"),
        artifacts_dir=_env_path("JOBS_ARTIFACTS_DIR", REPO_ROOT / "artifacts"),
        taxonomy_dir=_env_path("JOBS_TAXONOMY_DIR", REPO_ROOT / "taxonomy_config"),
        user_dir=_env_path("JOBS_USER_DIR", REPO_ROOT / "user_data"),
    )


# DuckDB's own default. Measured at 1M postings: a 3GB cap holds dbt to 3.05 GB peak RSS (4.6 GB
# uncapped) but costs 30% more time (73 s vs 56 s) in spills; JSON parsing in the mappers cannot
# spill at all, so they never get a cap.
DEFAULT_DUCKDB_MEMORY_LIMIT = "80%"


def duckdb_config() -> dict[str, str]:
    """Settings for the warehouse connections the pipeline opens (dbt's come from profiles.yml,
    which reads the same variable): ``JOBS_DUCKDB_MEMORY_LIMIT`` caps DuckDB's buffers (e.g.
    ``3GB``; default 80% of RAM); past it, DuckDB spills to disk instead of growing the process."""
    limit = os.environ.get("JOBS_DUCKDB_MEMORY_LIMIT", "").strip() or DEFAULT_DUCKDB_MEMORY_LIMIT
    return {"memory_limit": limit}
