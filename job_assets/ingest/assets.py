"""Raw landing assets: one daily-partitioned asset per job source."""

import datetime as dt
from collections.abc import Iterator

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


def guarded(records: Iterator, stats: FetchStats, source: str) -> Iterator:
    """A source that fails as a whole (missing key, exhausted retries, a bug in one client) is
    recorded as a failed target; the run and the other sources go on. Client error messages are
    already redacted of secrets."""
    try:
        yield from records
    except Exception as exc:  # noqa: BLE001 - reported as a failed target and a failed check
        stats.errors += 1
        stats.failed_targets.append(f"{source}: {type(exc).__name__}: {exc}"[:500])


def _build_raw_asset(source: str) -> dg.AssetsDefinition:
    key = raw_asset_key(source)

    @dg.asset(
        name=key.path[-1],
        group_name="ingest",
        partitions_def=daily_partitions,
        backfill_policy=SINGLE_RUN,
        kinds={"python", "json"},
        description=f"Verbatim {source} API responses for the day, as gzip JSON lines.",
        check_specs=[
            dg.AssetCheckSpec(
                "fetch_succeeded",
                asset=key,
                description="Every configured target (query or board) was fetched; failures keep "
                "the previously stored responses of that target.",
            )
        ],
    )
    def _raw_payloads(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        config = load_sources_config()
        paths = get_paths()
        totals = FetchStats()
        files = []
        enabled = config.sources[source].enabled
        for day in partition_dates(context):
            stats = FetchStats()
            records = (
                guarded(job_source_records(source, day, config, stats), stats, source)
                if enabled
                else iter(())
            )
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
            },
            check_results=[
                dg.AssetCheckResult(
                    check_name="fetch_succeeded",
                    passed=not totals.failed_targets,
                    severity=dg.AssetCheckSeverity.WARN,
                    metadata={
                        "failed_targets": totals.failed_targets,
                        "budget_exhausted": totals.budget_exhausted,
                    },
                )
            ],
        )

    return _raw_payloads


raw_payload_assets = [_build_raw_asset(source) for source in JOB_SOURCES]
