"""Snapshots of the marts as Parquet, export-ready (flat, Hyper-typed), written atomically.

Readers outside the pipeline (the ``jobs`` CLI, the Hyper export, analysts) read these files and
never open the warehouse, so they never meet DuckDB's single-writer lock.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from job_assets.storage import atomic_path, scan_parquet_snapshot
from job_assets.warehouse.keys import JOB_SK_SQL

# A star layout: every job's fields live once, in ``fact_jobs``; ``ranked_jobs`` and
# ``job_skills`` point at it with ``job_sk``, an integer key, and each ranking at its campaign
# (``dim_campaigns``) with ``campaign_id`` and its matched/missing skills (``dim_skill_matches``)
# with ``skill_match_sk``. The old wide ranked_jobs repeated each
# job's text (title, company, apply link, ids) on all of its campaign rows: at 1M jobs that row was
# 86% of the Hyper load (14 s of 23 s); narrow integer rows load ~10M/3 s. Tableau joins the
# tables in the "Ranked jobs" datasource, `read_ranked_jobs` joins them for the CLI and the
# notifications.
#
# job_sk: see job_assets/warehouse/keys.py (stable across publishes, checked unique here).

# Campaign fields of the joined ranked-jobs view (`read_ranked_jobs`), from dim_campaigns.
CAMPAIGN_FIELDS: tuple[str, ...] = ("campaign_name", "ranking_date", "ruleset_version")

# Skill fields of the joined ranked-jobs view, from dim_skill_matches (comma-separated text).
SKILL_MATCH_FIELDS: tuple[str, ...] = ("matched_skills", "missing_skills")

# Job fields of the joined ranked-jobs view (`read_ranked_jobs`), all from fact_jobs.
RANKED_JOB_FIELDS: tuple[str, ...] = (
    "job_id",
    "title",
    "company_name",
    "city",
    "region",
    "country",
    "location",
    "remote_type",
    "employment_type",
    "seniority",
    "salary_min_norm",
    "salary_max_norm",
    "reporting_currency",
    "apply_url",
    "source",
    "posted_at",
)

# Temp tables the published queries share, built first in the publishing connection:
# - published_rankings: each campaign's latest ranking day (the rankings that are published);
# - published_skill_matches: one row per (campaign, skills_mask) of those rankings with the
#   matched and missing skills as text. The lists are read from one ranking row per skill set
#   (its best rank), not from all 10M. Its key is derived from the content (first 60 bits of the
#   md5 of campaign and lists, like job_sk), so ranked_jobs and dim_skill_matches of two different
#   publishes never pair a key with the wrong skills.
_SKILL_SET_MD5 = "md5(concat_ws('|', campaign_id, matched_skills, missing_skills))"
PUBLISH_SETUP: tuple[str, ...] = (
    """
    create or replace temp table published_rankings as
    select campaign_id, max(ranking_date) as ranking_date
    from job_rankings group by campaign_id
    """,
    f"""
    create or replace temp table published_skill_matches as
    with sets as (
        select r.campaign_id, r.ranking_date, r.skills_mask, min(r.rank) as rank
        from job_rankings as r
        inner join published_rankings using (campaign_id, ranking_date)
        group by all
    ),
    texts as (
        select s.campaign_id, s.skills_mask,
            array_to_string(r.matched_skills, ', ') as matched_skills,
            array_to_string(r.missing_skills, ', ') as missing_skills,
            len(r.matched_skills) as matched_count,
            len(r.missing_skills) as missing_count
        from sets as s
        inner join job_rankings as r using (campaign_id, ranking_date, rank)
    )
    select {JOB_SK_SQL.format(key=_SKILL_SET_MD5)} as skill_match_sk,
        *
    from texts
    """,
)

# name -> query over the warehouse, in publish order: fact_jobs and the campaign and skill-set
# dims before ranked_jobs, so a reader never sees rankings whose jobs, campaigns or skill sets
# are not published yet. Lists are flattened (Hyper has no list columns), timestamps are UTC
# without zone (Hyper TIMESTAMP), money as BIGINT/DOUBLE.
PUBLISHED_TABLES: dict[str, str] = {
    "fact_jobs": """
        select
            -- md5 keys stay in the warehouse: dbt's job_sk replaces job_posting_key (= hash_key)
            -- and near_duplicate_cluster_sk the cluster's md5 key; 1M unique 32-character
            -- strings cost Hyper ~0.3 s each to load, and Tableau joins integers faster
            -- company_name_norm is dim_companies' (joined by company_key)
            f.* exclude (job_posting_key, hash_key, near_duplicate_cluster_key, company_name_norm,
                         skills, sources, source_job_ids, posted_at, first_seen_at, last_seen_at),
            coalesce(nullif(concat_ws(', ', f.city, f.region, f.country), ''), f.location_raw)
                as location,
            array_to_string(f.skills, '; ') as skills,
            array_to_string(f.sources, ', ') as sources,
            timezone('UTC', f.posted_at) as posted_at,
            timezone('UTC', f.first_seen_at) as first_seen_at,
            timezone('UTC', f.last_seen_at) as last_seen_at,
            coalesce(a.application_status, 'new') as application_status,
            timezone('UTC', a.applied_at) as applied_at
        from fact_jobs as f
        left join application_statuses as a on a.job_id = f.job_id
    """,
    # each campaign's latest ranking: its name, day and ruleset once, not on all its ranking
    # rows (10M rows of three repeated columns cost the export ~1.5 s); rank 1 is unique per
    # campaign and day (dbt tests it)
    "dim_campaigns": """
        select r.campaign_id, r.campaign_name, r.ranking_date, r.ruleset_version
        from job_rankings as r
        inner join published_rankings using (campaign_id, ranking_date)
        where r.rank = 1
    """,
    # matched and missing skills once per skill set (a few hundred), not as text on 10M
    # ranking rows (array_to_string there cost 1.6 s and Hyper 1.7 s more at 10M rows)
    "dim_skill_matches": """
        select skill_match_sk, matched_skills, missing_skills, matched_count, missing_count
        from published_skill_matches
    """,
    "ranked_jobs": f"""
        select
            r.campaign_id,
            r.score::double as score,
            r.rank::integer as rank,
            -- job_sk is stored since the ranking computes it once per job; rows ranked before
            -- that have it derived here
            coalesce(r.job_sk, {JOB_SK_SQL.format(key="r.job_posting_key")}) as job_sk,
            s.skill_match_sk,
            r.rank_explain,
            -- the two strongest factors' reasons, from the explanation JSON
            array_to_string(list_transform(
                list_sort(
                    list_transform(
                        from_json(json_extract(r.rank_explain, '$.factors'),
                                  '[{{"points": "DOUBLE", "reason": "VARCHAR"}}]'),
                        lambda f: {{'neg_points': -f.points, 'reason': f.reason}}
                    )
                )[1:2],
                lambda f: f.reason
            ), '; ') as top_reasons,
            coalesce(m.is_new, true) as is_new
        from job_rankings as r
        inner join published_rankings using (campaign_id, ranking_date)
        left join published_skill_matches as s using (campaign_id, skills_mask)
        -- rank is unique per campaign and day (dbt tests it): joining on it spares reading
        -- every ranking's md5 key (1.9 s at 9.5M rows)
        left join mart_top_matches as m
            on m.campaign_id = r.campaign_id and m.ranking_date = r.ranking_date
            and m.rank = r.rank
    """,
    "dim_companies": "select * from dim_companies",
    # job_sk comes from dbt (once per job, not once per job x skill); a skill's category is
    # in dim_skills (joined by skill): repeating it on 13M job-skill rows cost the export 0.5 s
    "job_skills": "select job_sk, skill from bridge_job_skills",
    "dim_skills": "select skill, category from dim_skills",
    "skill_demand": "select * from mart_skill_demand",
    "salary_benchmarks": "select * from mart_salary_benchmarks",
    "run_stats": "select * from mart_run_stats",
    "skill_gap": "select * from mart_skill_gap",
    "dedup_report": "select * from mart_dedup_report",
}


def publish_tables(
    con: duckdb.DuckDBPyConnection, out_dir: Path, statuses: pl.DataFrame | None = None
) -> dict[str, int]:
    """Write every published table; returns row counts. Each file is replaced atomically.
    ``statuses`` (job_id, application_status, applied_at) comes from the user's own store."""
    con.register(
        "application_statuses",
        statuses
        if statuses is not None
        else pl.DataFrame(
            schema={
                "job_id": pl.String,
                "application_status": pl.String,
                "applied_at": pl.Datetime("us", "UTC"),
            }
        ),
    )
    for statement in PUBLISH_SETUP:
        con.execute(statement)
    counts: dict[str, int] = {}
    for name, query in PUBLISHED_TABLES.items():
        target = out_dir / f"{name}.parquet"
        with atomic_path(target) as tmp:
            quoted = str(tmp).replace("'", "''")  # COPY cannot bind its target as a parameter
            # snappy: these snapshots are re-read whole (Hyper, CLI); zstd cost 1.5 s more per 1M
            # fact rows to write and saved nothing when read
            con.execute(f"copy ({query}) to '{quoted}' (format parquet, compression snappy)")
            if name in UNIQUE_KEYS:
                _check_key_unique(con, tmp, name, UNIQUE_KEYS[name])
        counts[name] = con.execute(
            "select count(*) from read_parquet($p)", {"p": str(target)}
        ).fetchall()[0][0]
    return counts


# Tables whose derived 60-bit key must be unique before the file replaces the published one.
UNIQUE_KEYS: dict[str, str] = {"fact_jobs": "job_sk", "dim_skill_matches": "skill_match_sk"}


def _check_key_unique(
    con: duckdb.DuckDBPyConnection, parquet: Path, table: str, column: str
) -> None:
    """Refuse to publish (the previous snapshot stays) if two rows share a derived key."""
    rows, keys = con.execute(
        f'select count(*), count(distinct "{column}") from read_parquet($p)', {"p": str(parquet)}
    ).fetchall()[0]
    if rows != keys:
        raise ValueError(
            f"{column} is not unique in {table} ({rows - keys} collisions of the 60-bit key)"
        )


def read_ranked_jobs(published_dir: Path) -> pl.LazyFrame:
    """The published rankings joined with their campaigns', skill sets' and jobs' fields
    (``CAMPAIGN_FIELDS``, ``SKILL_MATCH_FIELDS``, ``RANKED_JOB_FIELDS``).

    Each file is read once (``scan_parquet_snapshot``): a publish during the read cannot tear it.
    Left joins: a ranking whose job, campaign or skill set is missing from its snapshot (a reader
    between two files' renames) keeps its row with empty fields instead of vanishing. Snapshots
    published before ``dim_campaigns`` or ``dim_skill_matches`` existed carry those fields on
    ``ranked_jobs`` itself. The columns are the same whatever is found.
    """
    ranked = scan_parquet_snapshot(published_dir / "ranked_jobs.parquet")
    have = set(ranked.collect_schema().names())
    for dim, key, fields in (
        ("dim_campaigns", "campaign_id", CAMPAIGN_FIELDS),
        ("dim_skill_matches", "skill_match_sk", SKILL_MATCH_FIELDS),
    ):
        missing = [c for c in fields if c not in have]
        dim_file = published_dir / f"{dim}.parquet"
        if missing and key in have and dim_file.exists():
            ranked = ranked.join(
                scan_parquet_snapshot(dim_file).select(key, *missing), on=key, how="left"
            )
        elif missing:  # no dim to join (deleted by hand): the fields stay, empty
            ranked = ranked.with_columns(pl.lit(None).alias(c) for c in missing)
    jobs = scan_parquet_snapshot(published_dir / "fact_jobs.parquet").select(
        "job_sk", *RANKED_JOB_FIELDS
    )
    return ranked.join(jobs, on="job_sk", how="left")
