"""Raw landing assets: one daily-partitioned asset per job source."""


import datetime as dt

import dagster as dg

from job_assets.ingest.envelope import JOB_SOURCES, FetchStats
from job_assets.ingest.landing import land_records
from job_assets.ingest.sources import job_source_records
from job_assets.ingest.sources_config import load_sources_config
from job_assets.partitions import daily_partitions
from job_assets.settings import get_paths

SINGLE_RUN = dg.BackfillPolicy.single_run()


def partition_dates(context: dg.AssetExecutionContext) -> list[dt.date]:
    """The dates of the partition window this run covers (one, or a backfill range)."""
    window = context.partition_time_window
    start = window.start.date()
    end = window.end.date()
    return [start + dt.timedelta(days=i) for i in range((end - start).days)]


def raw_asset_key(source: str) -> dg.AssetKey:
    return dg.AssetKey(f"raw_{source}_payloads")


def _build_raw_asset(source: str) -> dg.AssetsDefinition:
    @dg.asset(
        name=f"raw_{source}_payloads",
        group_name="ingest",
        partitions_def=daily_partitions,
        backfill_policy=SINGLE_RUN,
        kinds={"python", "json"},
        description=f"Verbatim {source} API responses for the day, as gzip JSON lines.",
    )
    def _raw_payloads(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        config = load_sources_config()
        paths = get_paths()
        totals = FetchStats()
        files = []
        enabled = config.sources[source].enabled
        for day in partition_dates(context):
            stats = FetchStats()
            records = job_source_records(source, day, config, stats) if enabled else iter(())
            result = land_records(paths.raw_file(source, day.isoformat()), records, stats)
            files.append(str(result.raw_file))
            for name in ("requests", "pages", "postings", "retries", "errors", "bytes"):
                setattr(totals, name, getattr(totals, name) + getattr(stats, name))
            totals.budget_exhausted |= stats.budget_exhausted
            totals.failed_targets.extend(f"{day}: {t}" for t in stats.failed_targets)
            if stats.failed_targets:
                context.log.warning(f"{source} {day}: failed targets {stats.failed_targets}")
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": totals.postings,
                "mode": config.mode if enabled else "disabled",
                **totals.as_metadata(),
                "files": files,
            }
        )

    return _raw_payloads


raw_payload_assets = [_build_raw_asset(source) for source in JOB_SOURCES]
