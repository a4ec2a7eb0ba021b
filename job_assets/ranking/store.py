"""Reading jobs to rank from the warehouse and replacing a day's rankings in one transaction."""

from __future__ import annotations

import datetime as dt

import duckdb
import polars as pl
import yaml

from job_assets.settings import REPO_ROOT, LakehousePaths

# Jobs visible on a day: first seen on or before it and not closed by then. Descriptions stay in
# the lake and are joined only here, for the excluded-keyword filter.
_ACTIVE_JOBS_SQL = """
with jobs as (
    select f.*, c.rating as company_rating
    from fact_jobs as f
    left join dim_companies as c using (company_key)
    where f.first_seen_date <= $day
      and f.last_seen_date >= $day - $close_after_days
      and f.is_cluster_representative  -- one copy of each cross-source near-duplicate
),
descriptions as (
    select job_id, partition_date, description_text
    from read_parquet($lake_glob, hive_partitioning = true)
    where (job_id, partition_date) in (select job_id, preferred_partition_date from jobs)
)
select jobs.*, descriptions.description_text
from jobs
left join descriptions
    on descriptions.job_id = jobs.job_id
    and descriptions.partition_date = jobs.preferred_partition_date
"""


def close_after_days() -> int:
    """The closing rule, read from the dbt project so ranking and fact_jobs.is_active agree."""
    project = yaml.safe_load((REPO_ROOT / "dbt_project" / "dbt_project.yml").read_text())
    return int(project["vars"]["close_after_days"])


def active_jobs_for_day(
    con: duckdb.DuckDBPyConnection,
    paths: LakehousePaths,
    day: dt.date,
    close_after: int | None = None,
) -> pl.DataFrame:
    lake_glob = str(paths.lake_table_dir("job_postings") / "*" / "*.parquet")
    return con.sql(
        _ACTIVE_JOBS_SQL,
        params={
            "day": day,
            "lake_glob": lake_glob,
            "close_after_days": close_after if close_after is not None else close_after_days(),
        },
    ).pl()


def replace_rankings(
    con: duckdb.DuckDBPyConnection,
    day: dt.date,
    rankings: pl.DataFrame,
    exclusions: pl.DataFrame,
    jobs: pl.DataFrame,
    campaign_names: dict[str, str],
) -> None:
    """Delete the day's rows and insert the new ones atomically (one transaction)."""
    keys = jobs.select("job_id", "job_posting_key")
    names = pl.DataFrame(
        {"campaign_id": list(campaign_names), "campaign_name": list(campaign_names.values())},
        schema={"campaign_id": pl.String, "campaign_name": pl.String},
    )
    ranked = (
        rankings.join(keys, on="job_id", how="left")
        .join(names, on="campaign_id", how="left")
        .with_columns(pl.lit(day).alias("ranking_date"))
    )
    excl = exclusions.with_columns(pl.lit(day).alias("ranking_date"))
    con.register("ranked_in", ranked)
    con.register("excluded_in", excl)
    try:
        con.execute("begin transaction")
        con.execute("create table if not exists job_rankings as select * from ranked_in limit 0")
        con.execute(
            "create table if not exists job_ranking_exclusions as select * from excluded_in limit 0"
        )
        con.execute("delete from job_rankings where ranking_date = $day", {"day": day})
        con.execute("delete from job_ranking_exclusions where ranking_date = $day", {"day": day})
        con.execute("insert into job_rankings by name select * from ranked_in")
        con.execute("insert into job_ranking_exclusions by name select * from excluded_in")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        con.unregister("ranked_in")
        con.unregister("excluded_in")
