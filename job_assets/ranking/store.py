"""Ranking a day inside the warehouse: active jobs in, rankings out, one transaction.

The scoring SQL (job_assets.ranking.scoring) runs on the warehouse connection itself, over a
temp table of the day's active jobs, and its output is inserted straight into
``job_rankings`` / ``job_ranking_exclusions``: no (campaign, job) pair passes through Python.
Descriptions stay in the lake; they are scanned (by polars, one regex pass) only when a
campaign excludes keywords, and only in the partitions holding the jobs' preferred records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import duckdb
import polars as pl
import yaml

from job_assets.ranking.campaigns import CampaignsConfig, active_campaigns
from job_assets.ranking.scoring import (
    EXCLUSION_SCHEMA,
    RANKING_SCHEMA,
    RankingConfig,
    drop_scoring_objects,
    excluded_keywords,
    keyword_hits,
    score_in_connection,
)
from job_assets.settings import REPO_ROOT, LakehousePaths

# Jobs visible on a day: first seen on or before it and not closed by then; one copy of each
# cross-source near-duplicate cluster.
_ACTIVE_JOBS_SQL = """
create or replace temp table jobs_in as
select
    f.job_id, f.job_posting_key, f.title, f.title_std, f.title_family, f.seniority,
    f.company_name, f.company_name_norm, f.city, f.region, f.country, f.remote_type,
    f.employment_type, f.salary_min_norm, f.salary_max_norm, f.skills, f.company_size_bin,
    c.rating as company_rating, f.posted_at, f.is_active, f.preferred_partition_date
from fact_jobs as f
left join dim_companies as c using (company_key)
where f.first_seen_date <= $day
  and f.last_seen_date >= $day - $close_after_days
  and f.is_cluster_representative
"""

RANKING_COLUMNS: tuple[str, ...] = (
    *RANKING_SCHEMA,
    "job_posting_key",
    "campaign_name",
    "job_sk",
    "skills_mask",
    "ranking_date",
)
EXCLUSION_COLUMNS: tuple[str, ...] = (*EXCLUSION_SCHEMA, "ranking_date")


@dataclass(frozen=True)
class DayRanking:
    day: dt.date
    active_jobs: int
    rows: int
    excluded: int


def close_after_days() -> int:
    """The closing rule, read from the dbt project so ranking and fact_jobs.is_active agree."""
    project = yaml.safe_load((REPO_ROOT / "dbt_project" / "dbt_project.yml").read_text())
    return int(project["vars"]["close_after_days"])


def _load_active_jobs(con: duckdb.DuckDBPyConnection, day: dt.date, close_after: int | None) -> int:
    con.execute(
        _ACTIVE_JOBS_SQL,
        {
            "day": day,
            "close_after_days": close_after if close_after is not None else close_after_days(),
        },
    )
    return con.execute("select count(*) from jobs_in").fetchall()[0][0]


def _load_keyword_hits(
    con: duckdb.DuckDBPyConnection, paths: LakehousePaths, keywords: list[str]
) -> None:
    """Temp table ``kw_hits(job_id, kw)``: excluded keywords in the active jobs' texts, read
    from the lake partitions that hold their preferred records."""
    hits = pl.DataFrame(schema={"job_id": pl.String, "partition_date": pl.Date, "kw": pl.String})
    if keywords:
        dates = [
            row[0]
            for row in con.execute(
                "select distinct preferred_partition_date from jobs_in "
                "where preferred_partition_date is not null"
            ).fetchall()
        ]
        scans = [
            pl.scan_parquet(file)
            .select("job_id", "title", "description_text")
            .with_columns(pl.lit(day, dtype=pl.Date).alias("partition_date"))
            for day in sorted(dates)
            if (file := paths.lake_partition_file("job_postings", day.isoformat())).exists()
        ]
        if scans:
            hits = keyword_hits(pl.concat(scans), keywords)
    con.register("kw_hits_in", hits)
    try:
        con.execute(
            "create or replace temp table kw_hits as "
            "select h.job_id, h.kw from kw_hits_in as h "
            "semi join jobs_in as j "
            "on j.job_id = h.job_id and j.preferred_partition_date = h.partition_date"
        )
    finally:
        con.unregister("kw_hits_in")


def rank_day(
    con: duckdb.DuckDBPyConnection,
    paths: LakehousePaths,
    day: dt.date,
    campaigns: CampaignsConfig,
    config: RankingConfig,
    now: dt.datetime,
    fx_rates: Mapping[str, float] | None = None,
    explain_max_rank: int | None = None,
    close_after: int | None = None,
) -> DayRanking:
    """Score the day's active jobs against the active campaigns and replace the day's rows of
    ``job_rankings`` and ``job_ranking_exclusions`` in one transaction (a failure leaves the
    previous rankings in place)."""
    con.execute("SET TimeZone = 'UTC'")
    try:
        active_jobs = _load_active_jobs(con, day, close_after)
        _load_keyword_hits(con, paths, excluded_keywords(active_campaigns(campaigns)))
        scored = active_jobs > 0 and score_in_connection(
            con, campaigns, config, now, fx_rates, explain_max_rank
        )
        con.execute("begin transaction")
        try:
            _ensure_tables(con)
            con.execute("delete from job_rankings where ranking_date = $day", {"day": day})
            con.execute(
                "delete from job_ranking_exclusions where ranking_date = $day", {"day": day}
            )
            written = [0, 0]  # an INSERT returns the rows it wrote: no re-count needed
            if scored:
                for i, (table, view, columns) in enumerate(
                    (
                        ("job_rankings", "ranking_out", RANKING_COLUMNS),
                        ("job_ranking_exclusions", "ranking_exclusions_out", EXCLUSION_COLUMNS),
                    )
                ):
                    selected = ", ".join(columns[:-1])  # all but ranking_date
                    written[i] = con.execute(
                        f"insert into {table} ({selected}, ranking_date) "
                        f"select {selected}, $day::date from {view}",
                        {"day": day},
                    ).fetchall()[0][0]
            rows, excluded = written
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    finally:
        drop_scoring_objects(con)
        con.execute("drop table if exists jobs_in")
        con.execute("drop table if exists kw_hits")
    return DayRanking(day=day, active_jobs=active_jobs, rows=rows, excluded=excluded)


def rank_partition(
    con: duckdb.DuckDBPyConnection,
    paths: LakehousePaths,
    day: dt.date,
    campaigns: CampaignsConfig,
    config: RankingConfig,
) -> DayRanking:
    """What the daily asset does for one partition: ranked as of the midnight (UTC) after the
    day, so recency counts from the end of the day; explanations as ranking.yml says."""
    as_of = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return rank_day(
        con,
        paths,
        day,
        campaigns,
        config,
        now=as_of,
        explain_max_rank=config.s("explain_max_rank"),
    )


def _duckdb_type(dtype: pl.DataType) -> str:
    if isinstance(dtype, pl.List):
        return _duckdb_type(dtype.inner) + "[]"
    if isinstance(dtype, pl.Datetime):
        return "timestamp with time zone"
    return {pl.String: "varchar", pl.Float64: "double", pl.Int64: "bigint", pl.Boolean: "boolean"}[
        dtype.base_type()
    ]


def _ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the two tables on first use, typed from the scoring schemas."""
    extra = {
        "job_posting_key": "varchar",
        "campaign_name": "varchar",
        "job_sk": "bigint",
        "skills_mask": "bigint",
        "ranking_date": "date",
    }
    for table, schema, columns in (
        ("job_rankings", RANKING_SCHEMA, RANKING_COLUMNS),
        ("job_ranking_exclusions", EXCLUSION_SCHEMA, EXCLUSION_COLUMNS),
    ):
        types = {**{c: _duckdb_type(t) for c, t in schema.items()}, **extra}
        ddl = ", ".join(f"{c} {types[c]}" for c in columns)
        con.execute(f"create table if not exists {table} ({ddl})")
    # warehouses created before job_sk existed: the column is added empty (publish derives it
    # for those rows) and the next ranking of a day fills it
    con.execute("alter table job_rankings add column if not exists job_sk bigint")
    _add_skills_mask(con)


def _add_skills_mask(con: duckdb.DuckDBPyConnection) -> None:
    """Warehouses ranked before ``skills_mask`` was stored get it once, here. The campaign's
    skill order of those rankings is gone, so old rows get a stand-in that serves the same
    purpose (rows of one campaign and day with equal matched skills share it, others differ):
    minus the dense rank of matched_skills within their campaign and day. Negative, so it is
    never mistaken for a real bitmask. Publishing keys its skill-match rows on it."""
    columns = con.execute("select * from job_rankings limit 0").description
    if any(column[0] == "skills_mask" for column in columns):
        return
    con.execute("alter table job_rankings add column skills_mask bigint")
    # rank is unique per campaign and day (dbt tests it): it identifies the row to update
    con.execute(
        """
        update job_rankings as t
        set skills_mask = s.skills_mask
        from (
            select campaign_id, ranking_date, rank,
                -dense_rank() over (
                    partition by campaign_id, ranking_date order by matched_skills
                ) as skills_mask
            from job_rankings
        ) as s
        where t.campaign_id = s.campaign_id and t.ranking_date = s.ranking_date
          and t.rank = s.rank
        """
    )
