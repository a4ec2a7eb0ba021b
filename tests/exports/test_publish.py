"""The published star layout: stable integer job keys and the joined ranked-jobs view."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import polars as pl
import pytest

from job_assets.exports.publish import (
    CAMPAIGN_FIELDS,
    JOB_SK_SQL,
    PUBLISH_SETUP,
    PUBLISHED_TABLES,
    RANKED_JOB_FIELDS,
    SKILL_MATCH_FIELDS,
    _check_key_unique,
    read_ranked_jobs,
)
from job_assets.ranking.store import _ensure_tables
from job_assets.settings import LakehousePaths
from tests.ranking.test_scoring import jobs_frame
from tests.ranking.test_store import ROWS, _build_warehouse, _paths, _rank


def _job_sk(keys: list[str]) -> list[int]:
    sql = f"select {JOB_SK_SQL.format(key='k')} from unnest($keys) as t(k)"
    return [r[0] for r in duckdb.execute(sql, {"keys": keys}).fetchall()]


def test_job_sk_is_the_first_60_bits_of_the_md5_key_and_stable() -> None:
    keys = [hashlib.md5(text.encode()).hexdigest() for text in ("a|b|c", "acme|data eng|to")]
    keys.append("f" * 32)  # the largest digest still fits a signed BIGINT
    assert _job_sk(keys) == [int(k[:15], 16) for k in keys]
    assert _job_sk(keys) == _job_sk(keys)  # same key, same sk: any reader's pair of files joins
    assert max(_job_sk(keys)) < 2**63


def test_publish_refuses_colliding_derived_keys(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.parquet", tmp_path / "bad.parquet"
    pl.DataFrame({"job_sk": [1, 2, 3]}).write_parquet(good)
    pl.DataFrame({"job_sk": [1, 2, 2, 3, 3]}).write_parquet(bad)
    with duckdb.connect() as con:
        _check_key_unique(con, good, "fact_jobs", "job_sk")
        with pytest.raises(ValueError, match="job_sk is not unique in fact_jobs .2 collisions"):
            _check_key_unique(con, bad, "fact_jobs", "job_sk")


def test_read_ranked_jobs_joins_campaign_and_job_fields_and_keeps_orphans(
    tmp_path: Path,
) -> None:
    facts = pl.DataFrame(
        {"job_sk": [10, 20], **{f: [f"{f}-10", f"{f}-20"] for f in RANKED_JOB_FIELDS}}
    )
    facts.write_parquet(tmp_path / "fact_jobs.parquet")
    pl.DataFrame(
        {"campaign_id": ["c1"], **{f: [f"{f}-c1"] for f in CAMPAIGN_FIELDS}}
    ).write_parquet(tmp_path / "dim_campaigns.parquet")
    pl.DataFrame(
        {"campaign_id": ["c1", "c1", "c2"], "score": [90.0, 50.0, 70.0], "job_sk": [20, 30, 10]}
    ).write_parquet(tmp_path / "ranked_jobs.parquet")
    out = read_ranked_jobs(tmp_path).collect().sort("score", descending=True)
    assert out.columns == [
        "campaign_id",
        "score",
        "job_sk",
        *CAMPAIGN_FIELDS,
        *SKILL_MATCH_FIELDS,
        *RANKED_JOB_FIELDS,
    ]
    assert out["title"].to_list() == ["title-20", "title-10", None]
    assert out["apply_url"].to_list() == ["apply_url-20", "apply_url-10", None]
    assert out["campaign_name"].to_list() == ["campaign_name-c1", None, "campaign_name-c1"]
    # a ranking whose job is not (yet) in fact_jobs stays, with empty job fields; one whose
    # campaign is not (yet) in dim_campaigns stays with empty campaign fields
    assert out.filter(pl.col("job_sk") == 30)["job_id"].to_list() == [None]
    assert out.filter(pl.col("campaign_id") == "c2")["ranking_date"].to_list() == [None]


def test_read_ranked_jobs_reads_snapshots_published_before_dim_campaigns(tmp_path: Path) -> None:
    """Old ranked_jobs carried the campaign fields itself; a new dim_campaigns next to it (a reader
    between the two renames) must not duplicate them."""
    pl.DataFrame({"job_sk": [10], **{f: [f"{f}-10"] for f in RANKED_JOB_FIELDS}}).write_parquet(
        tmp_path / "fact_jobs.parquet"
    )
    pl.DataFrame(
        {"campaign_id": ["c1"], "score": [90.0], "job_sk": [10]}
        | {f: [f"old-{f}"] for f in CAMPAIGN_FIELDS}
    ).write_parquet(tmp_path / "ranked_jobs.parquet")
    for with_dim in (False, True):
        if with_dim:
            pl.DataFrame(
                {"campaign_id": ["c1"], **{f: [f"new-{f}"] for f in CAMPAIGN_FIELDS}}
            ).write_parquet(tmp_path / "dim_campaigns.parquet")
        out = read_ranked_jobs(tmp_path).collect()
        expected = [
            "campaign_id",
            "score",
            "job_sk",
            *CAMPAIGN_FIELDS,
            *SKILL_MATCH_FIELDS,
            *RANKED_JOB_FIELDS,
        ]
        assert out.columns == expected
        assert out["campaign_name"].to_list() == ["old-campaign_name"]


def test_read_ranked_jobs_joins_the_skill_set_and_reads_older_snapshots(tmp_path: Path) -> None:
    pl.DataFrame({"job_sk": [10], **{f: [f"{f}-10"] for f in RANKED_JOB_FIELDS}}).write_parquet(
        tmp_path / "fact_jobs.parquet"
    )
    pl.DataFrame(
        {"skill_match_sk": [7], "matched_skills": ["Python, SQL"], "missing_skills": ["dbt"]}
    ).write_parquet(tmp_path / "dim_skill_matches.parquet")
    pl.DataFrame(
        {"campaign_id": ["c1", "c1"], "score": [90.0, 80.0], "job_sk": [10, 10]}
        | {"skill_match_sk": [7, 8]}  # 8: not (yet) in the dim: the row stays, fields empty
    ).write_parquet(tmp_path / "ranked_jobs.parquet")
    out = read_ranked_jobs(tmp_path).collect().sort("score", descending=True)
    assert out["matched_skills"].to_list() == ["Python, SQL", None]
    assert out["missing_skills"].to_list() == ["dbt", None]
    # a snapshot from before dim_skill_matches carries the text itself; it is not duplicated
    pl.DataFrame(
        {"campaign_id": ["c1"], "score": [90.0], "job_sk": [10]}
        | {"matched_skills": ["old"], "missing_skills": ["older"]}
    ).write_parquet(tmp_path / "ranked_jobs.parquet")
    out = read_ranked_jobs(tmp_path).collect()
    assert [c for c in out.columns if c in SKILL_MATCH_FIELDS] == list(SKILL_MATCH_FIELDS)
    assert out.row(0, named=True)["matched_skills"] == "old"


def test_read_ranked_jobs_keeps_its_columns_when_a_dim_file_is_gone(tmp_path: Path) -> None:
    pl.DataFrame({"job_sk": [10], **{f: [f"{f}-10"] for f in RANKED_JOB_FIELDS}}).write_parquet(
        tmp_path / "fact_jobs.parquet"
    )
    pl.DataFrame(
        {"campaign_id": ["c1"], "score": [90.0], "job_sk": [10], "skill_match_sk": [7]}
    ).write_parquet(tmp_path / "ranked_jobs.parquet")
    out = read_ranked_jobs(tmp_path).collect()
    for field in (*CAMPAIGN_FIELDS, *SKILL_MATCH_FIELDS):
        assert out[field].to_list() == [None], field
    assert out["title"].to_list() == ["title-10"]


def _published_rankings(paths: LakehousePaths) -> pl.DataFrame:
    """Run the publish queries that ranked_jobs and dim_skill_matches come from on a warehouse
    ranked by the real ranking step; returns every published ranking with its skill texts and
    the warehouse's own lists next to them."""
    with duckdb.connect(str(paths.warehouse_path)) as con:
        con.execute(
            "create table if not exists mart_top_matches "
            "(campaign_id varchar, ranking_date date, rank bigint, is_new boolean)"
        )
        for statement in PUBLISH_SETUP:
            con.execute(statement)
        dim = con.sql(PUBLISHED_TABLES["dim_skill_matches"]).pl()
        ranked = con.sql(PUBLISHED_TABLES["ranked_jobs"]).pl()
        stored = con.sql(
            "select campaign_id, rank, array_to_string(matched_skills, ', ') as want_matched, "
            "array_to_string(missing_skills, ', ') as want_missing from job_rankings "
            "where ranking_date = (select max(ranking_date) from job_rankings)"
        ).pl()
    assert dim["skill_match_sk"].n_unique() == dim.height
    assert (dim["skill_match_sk"] >= 0).all()
    joined = ranked.join(dim, on="skill_match_sk", how="left").join(
        stored, on=["campaign_id", "rank"], how="inner"
    )
    assert joined.height == ranked.height == stored.height
    return joined


def test_published_skill_sets_give_every_ranking_its_own_lists(tmp_path: Path) -> None:
    paths = _paths(tmp_path)
    _build_warehouse(paths, jobs_frame(*ROWS))
    _rank(paths)
    joined = _published_rankings(paths)
    assert joined["matched_skills"].to_list() == joined["want_matched"].to_list()
    assert joined["missing_skills"].to_list() == joined["want_missing"].to_list()
    assert joined["matched_count"].to_list() == [
        len(m.split(", ")) if m else 0 for m in joined["want_matched"]
    ]
    # a few sets serve many rows (that is the point): fewer dim rows than rankings
    assert joined["skill_match_sk"].n_unique() < joined.height
    first = _published_rankings(paths)["skill_match_sk"]
    assert first.sort().to_list() == joined["skill_match_sk"].sort().to_list()  # stable keys


def test_published_skill_sets_of_a_warehouse_ranked_before_skills_mask(tmp_path: Path) -> None:
    """The upgrade adds skills_mask to old rows; a campaign whose latest ranking is such a row
    (not re-ranked since) still publishes the right lists."""
    paths = _paths(tmp_path)
    _build_warehouse(paths, jobs_frame(*ROWS))
    _rank(paths)
    with duckdb.connect(str(paths.warehouse_path)) as con:
        con.execute("alter table job_rankings drop column skills_mask")
        _ensure_tables(con)  # what the next ranking run does first
        assert con.execute("select max(skills_mask) from job_rankings").fetchone()[0] < 0
    joined = _published_rankings(paths)
    assert joined["matched_skills"].to_list() == joined["want_matched"].to_list()
    assert joined["missing_skills"].to_list() == joined["want_missing"].to_list()


def _write_snapshot(tmp_path: Path, jobs: int, tag: str) -> None:
    """A consistent published set of ``jobs`` jobs ranked by one campaign, texts marked ``tag``."""
    sks = list(range(1, jobs + 1))
    pl.DataFrame(
        {"job_sk": sks, **{f: [f"{tag}-{f}-{sk}" for sk in sks] for f in RANKED_JOB_FIELDS}}
    ).write_parquet(tmp_path / ".fact_jobs.tmp")
    pl.DataFrame(
        {"campaign_id": ["c1"] * jobs, "score": [float(sk % 100) for sk in sks], "job_sk": sks}
    ).write_parquet(tmp_path / ".ranked_jobs.tmp")
    pl.DataFrame(
        {"campaign_id": ["c1"], **{f: [f"{tag}-{f}"] for f in CAMPAIGN_FIELDS}}
    ).write_parquet(tmp_path / ".dim_campaigns.tmp")
    for name in ("fact_jobs", "ranked_jobs", "dim_campaigns"):  # renamed over, as a publish does
        (tmp_path / f".{name}.tmp").replace(tmp_path / f"{name}.parquet")


def test_a_publish_during_a_read_gives_the_snapshot_the_read_started_on(tmp_path: Path) -> None:
    # `jobs matches` plans its read (the files' schemas), then collects; a run's publish may
    # rename new files over the old ones in between. polars read the new pages with the old
    # footer ("page header reported the wrong page size"); the read must see one version.
    _write_snapshot(tmp_path, 300, "old")
    expected = read_ranked_jobs(tmp_path).collect()
    planned = read_ranked_jobs(tmp_path)
    planned.collect_schema()
    _write_snapshot(tmp_path, 40_000, "new")  # other sizes, other pages
    seen = planned.collect()
    assert seen.height == 300
    assert seen.sort("job_sk").equals(expected.sort("job_sk"))
    assert read_ranked_jobs(tmp_path).collect().height == 40_000  # a new read sees the new one
