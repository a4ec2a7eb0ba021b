"""The one daily partition definition every partitioned asset shares."""

import dagster as dg

PARTITION_TIMEZONE = "America/Toronto"
PARTITIONS_START_DATE = "2026-01-01"

daily_partitions = dg.DailyPartitionsDefinition(
    start_date=PARTITIONS_START_DATE,
    timezone=PARTITION_TIMEZONE,
)
