"""Export assets: Parquet snapshots for readers, the Hyper extract, the packaged workbook."""

import dagster as dg
import duckdb

from job_assets.applications.store import application_statuses
from job_assets.exports.hyper import write_hyper
from job_assets.exports.publish import PUBLISHED_TABLES, publish_tables
from job_assets.exports.workbook import build_twbx
from job_assets.ingest.assets import SINGLE_RUN
from job_assets.partitions import daily_partitions
from job_assets.settings import duckdb_config, get_paths
from job_assets.warehouse.lock import warehouse_write_lock

HYPER_NAME = "job_lakehouse.hyper"
WORKBOOK_NAME = "job_lakehouse.twbx"


@dg.asset(
    group_name="exports",
    deps=[
        dg.AssetKey("mart_top_matches"),
        dg.AssetKey("mart_run_stats"),
        dg.AssetKey("mart_skill_demand"),
        dg.AssetKey("mart_salary_benchmarks"),
        dg.AssetKey("bridge_job_skills"),
        dg.AssetKey("dim_companies"),
        dg.AssetKey("mart_skill_gap"),
        dg.AssetKey("mart_dedup_report"),
    ],
    partitions_def=daily_partitions,
    backfill_policy=SINGLE_RUN,
    kinds={"duckdb", "parquet"},
)
def published_tables(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Flat Parquet snapshots of marts, rankings and application status, for CLI and exports."""
    paths = get_paths()
    with (
        warehouse_write_lock(paths, on_wait=context.log.info),
        duckdb.connect(str(paths.warehouse_path), config=duckdb_config()) as con,
    ):
        counts = publish_tables(
            con, paths.published_dir, application_statuses(paths.user_store_path)
        )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": counts["ranked_jobs"],
            "row_counts": counts,
            "path": str(paths.published_dir),
        }
    )


@dg.asset(
    group_name="exports",
    deps=[published_tables],
    partitions_def=daily_partitions,
    backfill_policy=SINGLE_RUN,
    kinds={"tableau"},
)
def job_lakehouse_hyper(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Tableau Hyper extract (artifacts/job_lakehouse.hyper), one typed table per snapshot."""
    paths = get_paths()
    target = paths.artifacts_dir / HYPER_NAME
    files = {name: paths.published_dir / f"{name}.parquet" for name in PUBLISHED_TABLES}
    counts = write_hyper(files, target)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": counts["ranked_jobs"],
            "row_counts": counts,
            "path": str(target),
            "bytes": target.stat().st_size,
        }
    )


@dg.asset(
    group_name="exports",
    deps=[job_lakehouse_hyper],
    partitions_def=daily_partitions,
    backfill_policy=SINGLE_RUN,
    kinds={"tableau"},
)
def job_lakehouse_workbook(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Packaged Tableau workbook (artifacts/job_lakehouse.twbx) over the fresh extract."""
    paths = get_paths()
    info = build_twbx(paths.artifacts_dir / HYPER_NAME, paths.artifacts_dir / WORKBOOK_NAME)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": len(info.worksheets),
            "worksheets": info.worksheets,
            "path": str(info.path),
        }
    )
