"""The daily job over the whole graph, and its 07:00 America/Toronto schedule."""

import dagster as dg

from job_assets.partitions import daily_partitions

daily_lakehouse_job = dg.define_asset_job(
    name="daily_lakehouse",
    selection=dg.AssetSelection.all(),
    partitions_def=daily_partitions,
    description="Collect, normalize, model, rank and export one day (or a backfill range).",
)

# Daily partitions end at midnight Toronto time; the schedule materializes the day that just
# ended, at 07:00 Toronto time (the partition definition carries the timezone).
daily_lakehouse_schedule = dg.build_schedule_from_partitioned_job(
    daily_lakehouse_job,
    hour_of_day=7,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)
