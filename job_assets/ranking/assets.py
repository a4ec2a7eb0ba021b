"""Ranking asset: every active job x every active campaign, scored and explained, per day."""

import dagster as dg
import duckdb

from job_assets.ingest.assets import SINGLE_RUN, partition_dates
from job_assets.partitions import daily_partitions
from job_assets.ranking.campaigns import active_campaigns, load_campaigns
from job_assets.ranking.scoring import load_ranking_config
from job_assets.ranking.store import rank_partition
from job_assets.settings import duckdb_config, get_paths
from job_assets.warehouse.lock import warehouse_write_lock


@dg.asset(
    name="job_rankings",
    group_name="ranking",
    deps=[dg.AssetKey("fact_jobs"), dg.AssetKey("dim_companies")],
    partitions_def=daily_partitions,
    backfill_policy=SINGLE_RUN,
    kinds={"duckdb", "python"},
)
def job_rankings(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """0-100 score with a per-factor explanation for every campaign x active job, per day."""
    paths = get_paths()
    campaigns = load_campaigns()
    config = load_ranking_config()
    active = active_campaigns(campaigns)
    rows = excluded = active_jobs = 0
    per_day: dict[str, int] = {}
    with (
        warehouse_write_lock(paths, on_wait=context.log.info),
        duckdb.connect(str(paths.warehouse_path), config=duckdb_config()) as con,
    ):
        for day in partition_dates(context):
            result = rank_partition(con, paths, day, campaigns, config)
            rows += result.rows
            excluded += result.excluded
            active_jobs += result.active_jobs
            per_day[day.isoformat()] = result.rows
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": rows,
            "excluded_pairs": excluded,
            "active_jobs": active_jobs,
            "campaigns": [c.id for c in active],
            "ruleset_version": config.version,
            "rows_per_day": per_day,
        }
    )
