"""Snapshots of the marts as Parquet, export-ready (flat, Hyper-typed), written atomically.

Readers outside the pipeline (the ``jobs`` CLI, the Hyper export, analysts) read these files and
never open the warehouse, so they never meet DuckDB's single-writer lock.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from job_assets.storage import atomic_path

# name -> query over the warehouse. Lists are flattened (Hyper has no list columns), timestamps
# are UTC without zone (Hyper TIMESTAMP), money as BIGINT/DOUBLE.
PUBLISHED_TABLES: dict[str, str] = {
    "ranked_jobs": """
        with latest as (
            select campaign_id, max(ranking_date) as ranking_date
            from job_rankings group by campaign_id
        )
        select
            r.ranking_date,
            r.campaign_id,
            r.campaign_name,
            r.score::double as score,
            r.rank::integer as rank,
            f.job_id,
            f.job_posting_key,
            f.title,
            f.company_name,
            f.city,
            f.region,
            f.country,
            coalesce(nullif(concat_ws(', ', f.city, f.region, f.country), ''), f.location_raw)
                as location,
            f.remote_type,
            f.employment_type,
            f.seniority,
            f.salary_min_norm::bigint as salary_min_norm,
            f.salary_max_norm::bigint as salary_max_norm,
            f.reporting_currency,
            f.apply_url,
            f.source,
            timezone('UTC', f.posted_at) as posted_at,
            array_to_string(r.matched_skills, ', ') as matched_skills,
            array_to_string(r.missing_skills, ', ') as missing_skills,
            r.rank_explain,
            -- the two strongest factors' reasons, from the explanation JSON
            array_to_string(list_transform(
                list_sort(
                    list_transform(
                        from_json(json_extract(r.rank_explain, '$.factors'),
                                  '[{"points": "DOUBLE", "reason": "VARCHAR"}]'),
                        lambda f: {'neg_points': -f.points, 'reason': f.reason}
                    )
                )[1:2],
                lambda f: f.reason
            ), '; ') as top_reasons,
            coalesce(m.is_new, true) as is_new,
            r.ruleset_version,
            coalesce(a.application_status, 'new') as application_status,
            timezone('UTC', a.applied_at) as applied_at
        from job_rankings as r
        inner join latest using (campaign_id, ranking_date)
        inner join fact_jobs as f on f.job_posting_key = r.job_posting_key
        left join mart_top_matches as m
            on m.campaign_id = r.campaign_id and m.ranking_date = r.ranking_date
            and m.job_posting_key = r.job_posting_key
        left join application_statuses as a on a.job_id = f.job_id
    """,
    "fact_jobs": """
        select * exclude (skills, sources, source_job_ids, posted_at, first_seen_at,
                          last_seen_at),
            array_to_string(skills, '; ') as skills,
            array_to_string(sources, ', ') as sources,
            timezone('UTC', posted_at) as posted_at,
            timezone('UTC', first_seen_at) as first_seen_at,
            timezone('UTC', last_seen_at) as last_seen_at
        from fact_jobs
    """,
    "dim_companies": "select * from dim_companies",
    "job_skills": """
        select f.job_id, b.skill, s.category
        from bridge_job_skills as b
        inner join fact_jobs as f using (job_posting_key)
        inner join dim_skills as s using (skill_key)
    """,
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
    counts: dict[str, int] = {}
    for name, query in PUBLISHED_TABLES.items():
        target = out_dir / f"{name}.parquet"
        with atomic_path(target) as tmp:
            quoted = str(tmp).replace("'", "''")  # COPY cannot bind its target as a parameter
            # snappy: these snapshots are re-read whole (Hyper, CLI); zstd cost 1.5 s more per 1M
            # fact rows to write and saved nothing when read
            con.execute(f"copy ({query}) to '{quoted}' (format parquet, compression snappy)")
        counts[name] = con.execute(
            "select count(*) from read_parquet($p)", {"p": str(target)}
        ).fetchone()[0]
    return counts
