"""Materialize the whole graph for one day or a date range, in this process, on the local
instance (so runs show up in the UI). Used by ``make run``, ``make backfill`` and ``jobs run``.

    python -m job_assets.runner                      # the latest complete day
    python -m job_assets.runner --date 2026-11-20
    python -m job_assets.runner --start 2026-11-01 --end 2026-11-07   # inclusive, one run
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

import dagster as dg
from filelock import FileLock

from job_assets.partitions import daily_partitions


def latest_complete_partition() -> str:
    key = daily_partitions.get_last_partition_key()
    if key is None:
        raise RuntimeError("no complete partition yet")
    return key


def local_instance() -> dg.DagsterInstance:
    """The DAGSTER_HOME instance. Its SQLite storage is created on first use; two processes
    creating it at once race in the schema migration, so creation is serialized."""
    home = os.environ.get("DAGSTER_HOME")
    if not home:
        raise RuntimeError("DAGSTER_HOME is not set (the Makefile sets it to .dagster_home)")
    Path(home).mkdir(parents=True, exist_ok=True)
    with FileLock(str(Path(home) / ".instance-init.lock"), timeout=120):
        return dg.DagsterInstance.get()


def run_partitions(
    start: str, end: str | None = None, instance: dg.DagsterInstance | None = None
) -> dg.ExecuteInProcessResult:
    """One run over [start, end] (inclusive partition keys); raises on an unknown date."""
    from job_assets.definitions import defs  # imported late: needs the dbt manifest

    end = end or start
    keys = daily_partitions.get_partition_keys()
    for key in (start, end):
        dt.date.fromisoformat(key)
        if key not in keys:
            raise ValueError(
                f"{key} is not a partition: partitions run from {keys[0]} to "
                f"{keys[-1]} (the latest complete day)"
            )
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    job = defs.resolve_job_def("daily_lakehouse")
    instance = instance or local_instance()
    if start == end:
        return job.execute_in_process(instance=instance, partition_key=start, raise_on_error=False)
    return job.execute_in_process(
        instance=instance,
        tags={
            "dagster/asset_partition_range_start": start,
            "dagster/asset_partition_range_end": end,
        },
        raise_on_error=False,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--date")
    parser.add_argument("--start")
    parser.add_argument("--end")
    args = parser.parse_args(argv)
    if args.start or args.end:
        if not (args.start and args.end):
            parser.error("--start and --end go together")
        start, end = args.start, args.end
    else:
        start = end = args.date or latest_complete_partition()
    try:
        result = run_partitions(start, end)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)  # noqa: T201 - command-line entry point
        return 2
    outcome = "succeeded" if result.success else "FAILED"
    print(f"run {result.run_id} for {start}..{end}: {outcome}")  # noqa: T201 - CLI entry point
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main())
