"""The published star layout: stable integer job keys and the joined ranked-jobs view."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import polars as pl
import pytest

from job_assets.exports.publish import (
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


def test_read_ranked_jobs_joins_job_fields_and_keeps_orphans(tmp_path: Path) -> None:
    facts = pl.DataFrame(
        {"job_sk": [10, 20], **{f: [f"{f}-10", f"{f}-20"] for f in RANKED_JOB_FIELDS}}
    )
    facts.write_parquet(tmp_path / "fact_jobs.parquet")
    pl.DataFrame(
        {"campaign_id": ["c1", "c1", "c2"], "score": [90.0, 50.0, 70.0], "job_sk": [20, 30, 10]}
    ).write_parquet(tmp_path / "ranked_jobs.parquet")
    out = read_ranked_jobs(tmp_path).collect().sort("score", descending=True)
    assert out.columns == ["campaign_id", "score", "job_sk", *RANKED_JOB_FIELDS]
    assert out["title"].to_list() == ["title-20", "title-10", None]
    assert out["apply_url"].to_list() == ["apply_url-20", "apply_url-10", None]
    # a ranking whose job is not (yet) in fact_jobs stays, with empty job fields
    assert out.filter(pl.col("job_sk") == 30)["job_id"].to_list() == [None]
