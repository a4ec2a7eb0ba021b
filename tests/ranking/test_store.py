"""Ranking inside the warehouse: same scores as the frame API, descriptions read from the lake,
the day replaced atomically."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from job_assets.ranking.scoring import RANKING_SCHEMA, keyword_hits, score_jobs
from job_assets.ranking.store import rank_day
from job_assets.settings import LakehousePaths
from tests.ranking.test_scoring import NOW, RC, campaigns, jobs_frame

DAY = dt.date(2024, 5, 31)
OLD_DAY = dt.date(2024, 5, 20)  # partition holding some jobs' preferred records
CAMPAIGNS = campaigns(
    {"id": "de"},
    {"id": "remote-any", "locations": [], "countries": [], "exclude_keywords": ["on-call"]},
)

ROWS: list[dict[str, Any]] = [
    {"job_id": "a"},
    {
        "job_id": "b",
        "title": "Senior Data Engineer",
        "salary_min_norm": None,
        "salary_max_norm": None,
    },
    {"job_id": "c", "city": "Seattle", "region": "WA", "country": "US", "remote_type": "onsite"},
    {"job_id": "d", "description_text": "Needs SECURITY clearance."},
    {"job_id": "e", "description_text": "Weekly On-Call rotation."},
    {"job_id": "f", "company_name": "Acme Staffing Inc."},
    {"job_id": "g", "remote_type": "remote", "city": None, "region": None, "skills": ["Python"]},
    {"job_id": "h", "title": "Analytics Engineer", "posted_at": NOW - dt.timedelta(days=9)},
]


def _paths(tmp_path: Path) -> LakehousePaths:
    return LakehousePaths(
        data_dir=tmp_path / "data",
        artifacts_dir=tmp_path / "artifacts",
        taxonomy_dir=Path(__file__).resolve().parents[2] / "taxonomy_config",
        user_dir=tmp_path / "user_data",
    )


def _build_warehouse(paths: LakehousePaths, jobs: pl.DataFrame) -> None:
    """A warehouse with fact_jobs / dim_companies as dbt builds them (the columns ranking
    reads) and lake partitions holding the descriptions."""
    preferred = {"a": OLD_DAY, "e": OLD_DAY}  # the rest were last preferred on DAY
    facts = jobs.with_columns(
        pl.col("job_id").alias("job_posting_key"),
        pl.col("company_name").alias("company_key"),
        pl.col("job_id")
        .replace_strict(preferred, default=DAY, return_dtype=pl.Date)
        .alias("preferred_partition_date"),
        pl.lit(OLD_DAY).alias("first_seen_date"),
        pl.lit(DAY).alias("last_seen_date"),
        pl.lit(True).alias("is_cluster_representative"),
    )
    for day in (DAY, OLD_DAY):
        part = facts.filter(pl.col("preferred_partition_date") == day).select(
            "job_id", "title", "description_text"
        )
        file = paths.lake_partition_file("job_postings", day.isoformat())
        file.parent.mkdir(parents=True, exist_ok=True)
        part.write_parquet(file)
    # the same job in another partition with an older text that must not be read
    stale = paths.lake_partition_file("job_postings", "2024-05-10")
    stale.parent.mkdir(parents=True, exist_ok=True)
    pl.DataFrame(
        {"job_id": ["a"], "title": ["Data Engineer"], "description_text": ["on-call duty"]}
    ).write_parquet(stale)
    paths.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(paths.warehouse_path)) as con:
        con.register("facts", facts.drop("description_text", "company_rating"))
        con.register("companies", facts.select("company_key", rating="company_rating").unique())
        # job_posting_key is an md5 digest in the warehouse (job_sk is derived from it)
        con.execute(
            "create table fact_jobs as select * replace (md5(job_id) as job_posting_key) from facts"
        )
        con.execute("create table dim_companies as select * from companies")


def _rank(paths: LakehousePaths, explain: int | None = None):
    with duckdb.connect(str(paths.warehouse_path)) as con:
        return rank_day(
            con, paths, DAY, CAMPAIGNS, RC, now=NOW, explain_max_rank=explain, close_after=3
        )


def _table(paths: LakehousePaths, table: str) -> pl.DataFrame:
    with duckdb.connect(str(paths.warehouse_path), read_only=True) as con:
        return con.sql(f"select * from {table} order by all").pl()


@pytest.fixture()
def paths(tmp_path: Path) -> LakehousePaths:
    p = _paths(tmp_path)
    _build_warehouse(p, jobs_frame(*ROWS))
    return p


def test_warehouse_ranking_equals_the_frame_api(paths: LakehousePaths) -> None:
    result = _rank(paths)
    expected = score_jobs(jobs_frame(*ROWS), CAMPAIGNS, RC, NOW)
    stored = _table(paths, "job_rankings")
    assert result.rows == stored.height == expected.rankings.height
    assert result.active_jobs == len(ROWS)
    cols = [c for c in RANKING_SCHEMA if c != "ranked_at"]
    assert_frame_equal(
        stored.select(cols).sort("campaign_id", "rank"),
        expected.rankings.select(cols).sort("campaign_id", "rank"),
    )
    assert stored["ranking_date"].unique().to_list() == [DAY]
    assert set(stored["campaign_name"]) == {c.name for c in CAMPAIGNS.campaigns}
    digests = [hashlib.md5(j.encode()).hexdigest() for j in stored["job_id"]]
    assert stored["job_posting_key"].to_list() == digests
    # job_sk (the published tables' integer key) is computed once per job and stored
    assert stored["job_sk"].to_list() == [int(d[:15], 16) for d in digests]
    excluded = _table(paths, "job_ranking_exclusions")
    assert_frame_equal(
        excluded.select("campaign_id", "job_id", "reason").sort("campaign_id", "job_id"),
        expected.exclusions.select("campaign_id", "job_id", "reason").sort("campaign_id", "job_id"),
    )


def test_keywords_are_read_from_the_preferred_lake_record(paths: LakehousePaths) -> None:
    _rank(paths)
    excluded = {
        (r["campaign_id"], r["job_id"]): r["reason"]
        for r in _table(paths, "job_ranking_exclusions").iter_rows(named=True)
    }
    assert excluded[("de", "d")] == "excluded keyword 'security clearance'"
    # e's preferred record (OLD_DAY partition) says on-call; a's stale 2024-05-10 text does not
    # count because its preferred record is the OLD_DAY one
    assert excluded[("remote-any", "e")] == "excluded keyword 'on-call'"
    assert ("remote-any", "a") not in excluded
    assert excluded[("de", "c")] == "onsite job outside campaign countries (US)"
    assert excluded[("de", "f")] == "excluded company 'Acme Staffing'"


def test_a_rankings_table_from_before_job_sk_gains_the_column(paths: LakehousePaths) -> None:
    _rank(paths)
    with duckdb.connect(str(paths.warehouse_path)) as con:
        con.execute("alter table job_rankings drop column job_sk")
        con.execute("update job_rankings set ranking_date = ranking_date - 1")  # an older day
    _rank(paths)  # re-ranks DAY and adds the column; the older day's rows keep NULL there
    stored = _table(paths, "job_rankings")
    assert stored.filter(pl.col("ranking_date") == DAY)["job_sk"].null_count() == 0
    assert stored.filter(pl.col("ranking_date") < DAY)["job_sk"].null_count() > 0


def _masks_and_lists(stored: pl.DataFrame) -> pl.DataFrame:
    """Per campaign and day: how many distinct masks, matched lists and (mask, list) pairs."""
    return stored.group_by("campaign_id", "ranking_date").agg(
        masks=pl.col("skills_mask").n_unique(),
        lists=pl.col("matched_skills").n_unique(),
        pairs=pl.struct("skills_mask", "matched_skills").n_unique(),
    )


def test_skills_mask_has_one_bit_per_matched_skill_and_identifies_the_split(
    paths: LakehousePaths,
) -> None:
    _rank(paths)
    stored = _table(paths, "job_rankings")
    assert stored["skills_mask"].null_count() == 0 and stored["skills_mask"].min() >= 0
    # one bit per matched campaign skill
    bits = stored["skills_mask"].map_elements(lambda m: bin(m).count("1"), return_dtype=pl.Int64)
    assert bits.to_list() == stored["matched_skills"].list.len().cast(pl.Int64).to_list()
    # within a campaign's day, equal masks <=> equal matched skills (publishing keys on it)
    counts = _masks_and_lists(stored)
    assert (counts["masks"] == counts["pairs"]).all() and (counts["lists"] == counts["pairs"]).all()
    assert counts["masks"].max() > 1  # the fixture has jobs with different skill matches


def test_a_rankings_table_from_before_skills_mask_gets_stand_ins(paths: LakehousePaths) -> None:
    _rank(paths)
    with duckdb.connect(str(paths.warehouse_path)) as con:
        con.execute("alter table job_rankings drop column skills_mask")
        con.execute("update job_rankings set ranking_date = ranking_date - 1")  # an older day
    _rank(paths)  # adds the column once: old rows get negative stand-ins, DAY real masks
    stored = _table(paths, "job_rankings")
    old = stored.filter(pl.col("ranking_date") < DAY)
    assert old.height > 0 and old["skills_mask"].null_count() == 0
    assert old["skills_mask"].max() < 0
    assert stored.filter(pl.col("ranking_date") == DAY)["skills_mask"].min() >= 0
    counts = _masks_and_lists(old)
    assert (counts["masks"] == counts["pairs"]).all() and (counts["lists"] == counts["pairs"]).all()


def test_rerun_replaces_the_day(paths: LakehousePaths) -> None:
    first = _rank(paths)
    second = _rank(paths)
    stored = _table(paths, "job_rankings")
    assert second.rows == first.rows == stored.height
    assert stored.select("campaign_id", "job_id").is_duplicated().sum() == 0


def test_failed_insert_keeps_the_previous_rankings(paths: LakehousePaths) -> None:
    _rank(paths)
    with duckdb.connect(str(paths.warehouse_path)) as con:
        # same table, plus a constraint most new rows break: the insert fails after the delete
        con.execute("alter table job_rankings rename to kept")
        ddl = con.execute("select sql from duckdb_tables() where table_name = 'kept'").fetchone()[0]
        con.execute(ddl.replace("kept(", "job_rankings(").replace(");", ", CHECK (rank < 3));"))
        con.execute("insert into job_rankings select * from kept where rank < 3")
    seeded = _table(paths, "job_rankings")
    assert seeded.height == 2 * len(CAMPAIGNS.campaigns)
    with pytest.raises(duckdb.ConstraintException):
        _rank(paths)
    assert_frame_equal(_table(paths, "job_rankings"), seeded)


@pytest.mark.parametrize(
    ("text", "keyword", "hit"),
    [
        ("Requires SECURITY CLEARANCE.", "security clearance", True),
        ("We use JavaScript.", "java", False),
        ("java/scala shop", "java", True),
        ("Strong C++ skills", "c++", True),
        ("R&D lab", "r&d", True),
        ("HR&D", "r&d", False),
        ("unpaid.", "unpaid", True),
        ("", "unpaid", False),
    ],
)
def test_keyword_hits_whole_words_any_case(text: str, keyword: str, hit: bool) -> None:
    texts = pl.DataFrame({"job_id": ["x"], "title": ["Engineer"], "description_text": [text]})
    found = keyword_hits(texts, [keyword])
    assert (found.height == 1) is hit
    if hit:
        assert found.row(0, named=True) == {"job_id": "x", "kw": keyword.lower()}


def test_keyword_hits_title_and_several_keywords() -> None:
    texts = pl.DataFrame(
        {
            "job_id": ["x", "y", "z"],
            "title": ["Unpaid intern", "Engineer", None],
            "description_text": ["Commission only.", None, "nothing here"],
        }
    )
    found = keyword_hits(texts, ["Unpaid", "commission only", "crypto"])
    assert sorted(found.iter_rows()) == [("x", "commission only"), ("x", "unpaid")]
    assert keyword_hits(texts, []).height == 0


def test_no_active_campaign_clears_the_day_and_leaves_the_connection_clean(
    paths: LakehousePaths,
) -> None:
    _rank(paths)
    paused = campaigns({"id": "de", "active": False})
    with duckdb.connect(str(paths.warehouse_path)) as con:
        result = rank_day(con, paths, DAY, paused, RC, now=NOW, close_after=3)
        leftovers = con.execute(
            "select table_name from duckdb_tables() where temporary "
            "union all select view_name from duckdb_views() where temporary and not internal"
        ).fetchall()
    assert (result.rows, result.excluded) == (0, 0)
    assert _table(paths, "job_rankings").height == 0
    assert _table(paths, "job_ranking_exclusions").height == 0
    assert leftovers == []


def test_a_day_without_active_jobs_ranks_nothing(paths: LakehousePaths) -> None:
    with duckdb.connect(str(paths.warehouse_path)) as con:
        result = rank_day(con, paths, OLD_DAY - dt.timedelta(days=1), CAMPAIGNS, RC, now=NOW)
    assert (result.active_jobs, result.rows) == (0, 0)
