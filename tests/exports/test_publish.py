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
    RANKED_JOB_FIELDS,
    _check_job_sk_unique,
    read_ranked_jobs,
)


def _job_sk(keys: list[str]) -> list[int]:
    sql = f"select {JOB_SK_SQL.format(key='k')} from unnest($keys) as t(k)"
    return [r[0] for r in duckdb.execute(sql, {"keys": keys}).fetchall()]


def test_job_sk_is_the_first_60_bits_of_the_md5_key_and_stable() -> None:
    keys = [hashlib.md5(text.encode()).hexdigest() for text in ("a|b|c", "acme|data eng|to")]
    keys.append("f" * 32)  # the largest digest still fits a signed BIGINT
    assert _job_sk(keys) == [int(k[:15], 16) for k in keys]
    assert _job_sk(keys) == _job_sk(keys)  # same key, same sk: any reader's pair of files joins
    assert max(_job_sk(keys)) < 2**63


def test_publish_refuses_colliding_job_keys(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.parquet", tmp_path / "bad.parquet"
    pl.DataFrame({"job_sk": [1, 2, 3]}).write_parquet(good)
    pl.DataFrame({"job_sk": [1, 2, 2, 3, 3]}).write_parquet(bad)
    with duckdb.connect() as con:
        _check_job_sk_unique(con, good)
        with pytest.raises(ValueError, match="2 collisions"):
            _check_job_sk_unique(con, bad)


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
    assert out.columns == ["campaign_id", "score", "job_sk", *CAMPAIGN_FIELDS, *RANKED_JOB_FIELDS]
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
        expected = ["campaign_id", "score", "job_sk", *CAMPAIGN_FIELDS, *RANKED_JOB_FIELDS]
        assert out.columns == expected
        assert out["campaign_name"].to_list() == ["old-campaign_name"]
