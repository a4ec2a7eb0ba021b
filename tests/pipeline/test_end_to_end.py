"""The whole graph, materialized in-process against temp storage on offline demo data."""

from __future__ import annotations

import datetime as dt

import dagster as dg
import polars as pl
import pytest

from job_assets.ingest.envelope import JOB_SOURCES
from job_assets.runner import run_partitions
from tests.pipeline.conftest import DAY
from tests.pipeline.layers import lake, raw_postings, snapshot, twbx_members, warehouse

BACKFILL = ("2026-11-11", "2026-11-13")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def paths(pipeline):
    return pipeline.paths


@pytest.fixture(scope="module")
def first_run(pipeline):
    return pipeline.result, pipeline.snapshot


def test_every_layer_has_rows_and_counts_reconcile(paths, first_run):
    result, snap = first_run
    # raw -> normalized + quarantined, per source, nothing silently dropped
    postings = lake(paths, "job_postings")
    quarantine = lake(paths, "job_posting_quarantine")
    for source in JOB_SOURCES:
        raw = raw_postings(paths, source)
        assert raw > 0, source
        kept = postings.filter(pl.col("source") == source).height
        rejected = quarantine.filter(pl.col("source") == source).height
        assert raw == kept + rejected, source
    # lake -> staging -> one fact row per distinct dedupe key
    staged = warehouse(paths, "select count(*) as n from stg_lake__job_postings")["n"][0]
    assert staged == postings.height
    facts = warehouse(paths, "select count(*) n, count(distinct job_posting_key) k from fact_jobs")
    assert facts["n"][0] == facts["k"][0] == postings["hash_key"].n_unique()
    # ranking: every active campaign x every fact job is either scored or excluded with a reason
    ranked = warehouse(paths, "select campaign_id, count(*) n from job_rankings group by 1")
    excluded = warehouse(
        paths, "select campaign_id, count(*) n from job_ranking_exclusions group by 1"
    )
    totals = ranked.join(excluded, on="campaign_id", how="full", coalesce=True).fill_null(0)
    # the rankable jobs: one copy per near-duplicate cluster (the others are the same job)
    rankable = warehouse(paths, "select count(*) n from fact_jobs where is_cluster_representative")
    assert totals.height > 0
    assert (totals["n"] + totals["n_right"] == rankable["n"][0]).all()
    assert rankable["n"][0] <= facts["n"][0]
    # exports hold what the warehouse holds
    assert snap["hyper"]["ranked_jobs"] == ranked["n"].sum()
    assert snap["hyper"]["fact_jobs"] == facts["n"][0]
    members = twbx_members(paths.artifacts_dir / "job_lakehouse.twbx")
    assert "Data/Extracts/job_lakehouse.hyper" in members
    # every asset reported a row count
    materializations = result.get_asset_materialization_events()
    missing = [
        e.asset_key.to_user_string()
        for e in materializations
        if "dagster/row_count" not in e.step_materialization_data.materialization.metadata
    ]
    assert not missing, missing


def test_rematerializing_a_partition_changes_nothing(paths, first_run):
    _, before = first_run
    result = run_partitions(DAY, instance=dg.DagsterInstance.ephemeral())
    assert result.success
    after = snapshot(paths)
    assert after == before


def test_backfill_of_three_days_runs_once_and_duplicates_nothing(paths, first_run):
    result = run_partitions(*BACKFILL, instance=dg.DagsterInstance.ephemeral())
    assert result.success
    postings = lake(paths, "job_postings")
    expected_days = {
        DAY,
        *(
            (dt.date.fromisoformat(BACKFILL[0]) + dt.timedelta(days=i)).isoformat()
            for i in range(3)
        ),
    }
    assert set(postings["partition_date"]) == expected_days
    # job ids are unique within each partition; keys are unique in every warehouse table
    assert postings.select("partition_date", "job_id").is_duplicated().sum() == 0
    dupes = warehouse(
        paths,
        """
        select
            (select count(*) - count(distinct job_posting_key) from fact_jobs) as facts,
            (select count(*) - count(distinct (ranking_date, campaign_id, job_posting_key))
             from job_rankings) as rankings
    """,
    )
    assert dupes.row(0) == (0, 0)
    # postings repeat across days in the demo data: they collapse to one fact row each
    days_seen = warehouse(
        paths,
        "select max(days_seen) d, min(first_seen_date) f, max(last_seen_date) l from fact_jobs",
    )
    assert days_seen["d"][0] > 1
    assert str(days_seen["f"][0]) == DAY and str(days_seen["l"][0]) == BACKFILL[1]
    ranking_days = warehouse(paths, "select distinct ranking_date::varchar d from job_rankings")
    assert set(ranking_days["d"]) == expected_days


def test_run_stats_follow_each_partition_from_fetched_to_exported(paths, first_run):
    # runs after the backfill test in this module: four partitions, the latest one exported
    stats = warehouse(
        paths,
        "select partition_date::varchar d, fetched, normalized, quarantined,"
        " unique_postings, ranked, exported from mart_run_stats order by 1",
    )
    rows = {r[0]: r[1:] for r in stats.rows()}
    assert set(rows) >= {DAY, BACKFILL[1]}
    for fetched, normalized, quarantined, unique, ranked, exported in rows.values():
        assert fetched == normalized + quarantined
        assert 0 < unique <= normalized
        assert ranked > 0
        assert exported in (0, ranked)  # a day's ranking is exported whole or not at all
    assert rows[BACKFILL[1]][5] == rows[BACKFILL[1]][4]  # the latest ranking is what is exported
    assert rows[DAY][5] == 0  # replaced by later rankings
    published = pl.read_parquet(paths.published_dir / "ranked_jobs.parquet").height
    assert published == sum(r[5] for r in rows.values())
