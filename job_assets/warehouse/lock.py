"""The warehouse has one writer at a time, whoever starts it.

DuckDB allows one read-write process per file, and dbt does not retry on a lock. Every step
that opens the warehouse (the dbt builds, the ranking, the publish step) takes this file lock
first, so a second run waits instead of failing, whether it came from the UI, the schedule,
a backfill, the CLI or a test. An OS file lock (flock) is released when its process dies, so a
run killed with SIGKILL never leaves the warehouse locked. (Dagster pools were tried first: a
killed run keeps its pool slot until a daemon reaps it, which blocked every later run.)
Readers outside the pipeline never open the warehouse: they read the Parquet snapshots in
``published/``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator

from filelock import FileLock, Timeout

from job_assets.settings import LakehousePaths


@contextlib.contextmanager
def warehouse_write_lock(
    paths: LakehousePaths,
    timeout_s: float | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[None]:
    paths.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    timeout = (
        timeout_s
        if timeout_s is not None
        else float(os.environ.get("JOBS_WAREHOUSE_LOCK_TIMEOUT_S", "1800"))
    )
    lock = FileLock(str(paths.warehouse_path) + ".lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if on_wait:
            on_wait(f"waiting up to {timeout:.0f}s for the warehouse lock held by another run")
        lock.acquire(timeout=timeout)
    try:
        yield
    finally:
        lock.release()
