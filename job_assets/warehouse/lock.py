"""The warehouse has one writer at a time, whoever starts it.

DuckDB allows one read-write process per file; dbt does not retry on a lock. Dagster's pool
(``pool="warehouse"``, limit 1 in dagster.yaml) queues steps of runs on the same instance;
this file lock is the guarantee across every process (tests, CLI-launched runs, a second
instance), so a second writer waits instead of failing. Readers outside the pipeline never
open the warehouse: they read the Parquet snapshots in ``published/``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from filelock import FileLock

from job_assets.settings import LakehousePaths

WAREHOUSE_POOL = "warehouse"


@contextlib.contextmanager
def warehouse_write_lock(paths: LakehousePaths, timeout_s: float | None = None) -> Iterator[None]:
    paths.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    timeout = timeout_s if timeout_s is not None else float(
        os.environ.get("JOBS_WAREHOUSE_LOCK_TIMEOUT_S", "1800")
    )
    with FileLock(str(paths.warehouse_path) + ".lock", timeout=timeout):
        yield
