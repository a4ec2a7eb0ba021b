"""The vectorized scorer: every factor's edge cases, exclusions, invariants, and a 100k-job run."""

from __future__ import annotations

import copy
import json
import math
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb
import polars as pl
import pytest

from job_assets.ranking.campaigns import CampaignsConfig, load_campaigns, parse_campaigns
from job_assets.ranking.evaluation import load_labeled_set
from job_assets.ranking.scoring import (
    EXCLUSION_SCHEMA,
    FACTORS,
    RANKING_SCHEMA,
    RankingConfig,
    RankingConfigError,
    RankingResult,
    explain_text,
    load_ranking_config,
    parse_ranking_config,
    score_jobs,
)
from job_assets.settings import REPO_ROOT

NOW = datetime(2024, 6, 1, 12, tzinfo=UTC)
RC = load_ranking_config(REPO_ROOT / "taxonomy_config" / "ranking.yml")
DEV = REPO_ROOT / "tests" / "ranking" / "dev_set"

CAMPAIGN: dict[str, Any] = {
    "id": "de",
    "titles": ["data engineer", "analytics engineer"],
    "title_families": ["data_engineering"],
    "skills": [
        {"name": "Python", "weight": 2, "must_have": True},
        {"name": "SQL", "weight": 2},
        "dbt",
        "Airflow",
    ],
    "exclude_keywords": ["security clearance", "java"],
    "exclude_companies": ["Acme Staffing"],
    "locations": [{"city": "Toronto", "region": "ON", "country": "CA"}],
    "countries": ["CA"],
    "remote": ["remote", "hybrid"],
    "salary": {"floor": 110000, "target": 150000},
    "seniority": ["mid", "senior"],
    "employment_types": ["full_time", "contract"],
    "min_score": 60,
}
JOB: dict[str, Any] = {
    "job_id": "j1",
    "title": "Data Engineer",
    "title_std": "data engineer",
    "title_family": "data_engineering",
    "seniority": "senior",
    "company_name": "Shopify",
    "company_name_norm": "shopify",
    "city": "Toronto",
    "region": "ON",
    "country": "CA",
    "remote_type": "hybrid",
    "employment_type": "full_time",
    "salary_min_norm": 150000,
    "salary_max_norm": 170000,
    "skills": ["Python", "SQL", "dbt", "Airflow"],
    "description_text": "Pipelines in Python and SQL.",
    "company_size_bin": "1001-5000",
    "company_rating": 5.0,
    "posted_at": NOW,
    "is_active": True,
}
JOB_SCHEMA = {
    "salary_min_norm": pl.Int64,
    "salary_max_norm": pl.Int64,
    "skills": pl.List(pl.String),
    "posted_at": pl.Datetime("us", "UTC"),
    "company_rating": pl.Float64,
    "city": pl.String,
    "region": pl.String,
    "country": pl.String,
}


def jobs_frame(*rows: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame([{**JOB, **r} for r in rows], schema_overrides=JOB_SCHEMA)


def campaigns(*changes: dict[str, Any]) -> CampaignsConfig:
    items = []
    for i, ch in enumerate(changes or ({},)):
        c = copy.deepcopy(CAMPAIGN)
        c.update(ch)
        c.setdefault("id", f"c{i}")
        items.append(c)
    return parse_campaigns({"reporting_currency": "CAD", "campaigns": items})


def run(
    rows: list[dict[str, Any]],
    campaign: dict[str, Any] | None = None,
    config: RankingConfig = RC,
    **kwargs: Any,
) -> RankingResult:
    return score_jobs(jobs_frame(*rows), campaigns(campaign or {}), config, NOW, **kwargs)


def _row_dict(df: pl.DataFrame) -> dict[str, Any]:
    assert df.height == 1, df
    out = df.row(0, named=True)
    out["reasons"] = {f["factor"]: f["reason"] for f in json.loads(out["rank_explain"])["factors"]}
    return out


def one(job: dict[str, Any], campaign: dict[str, Any] | None = None, **kw: Any) -> dict:
    """Score one job against one campaign (own DuckDB run) and return its ranking row."""
    res = run([job], campaign, **kw)
    return _row_dict(res.rankings.filter(pl.col("job_id") == job.get("job_id", "j1")))


class Batch:
    """All parametrized (job, campaign) cases scored in ONE call: keeps the file fast."""

    def __init__(self, cases: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
        camp_ids: dict[str, str] = {}
        self.index: dict[str, tuple[str, str]] = {}
        jobs = []
        for i, (job, campaign) in enumerate(cases):
            ckey = json.dumps(campaign, sort_keys=True)
            cid = camp_ids.setdefault(ckey, f"camp{len(camp_ids)}")
            jobs.append({**job, "job_id": f"case{i}"})
            self.index[self.key(job, campaign)] = (f"case{i}", cid)
        specs = [{**json.loads(k), "id": cid} for k, cid in camp_ids.items()]
        self.result = score_jobs(jobs_frame(*jobs), campaigns(*specs), RC, NOW)

    @staticmethod
    def key(job: dict[str, Any], campaign: dict[str, Any]) -> str:
        return json.dumps([job, campaign], sort_keys=True, default=str)

    def row(self, job: dict[str, Any], campaign: dict[str, Any] | None = None) -> dict:
        job_id, cid = self.index[self.key(job, campaign or {})]
        rk = self.result.rankings
        return _row_dict(rk.filter((pl.col("job_id") == job_id) & (pl.col("campaign_id") == cid)))

    def exclusion(self, job: dict[str, Any], campaign: dict[str, Any] | None = None) -> list:
        job_id, cid = self.index[self.key(job, campaign or {})]
        ex = self.result.exclusions
        return ex.filter((pl.col("job_id") == job_id) & (pl.col("campaign_id") == cid))[
            "reason"
        ].to_list()


# ------------------------------------------------------------------------------------------
# ranking.yml
# ------------------------------------------------------------------------------------------


def test_repo_ranking_config_is_valid() -> None:
    assert math.isclose(sum(RC.weights.values()), 100.0)
    assert set(RC.weights) == set(FACTORS)
    assert RC.version and RC.s("missing_salary_points_share") == 0.5


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"weights": {"skills": 50}}, "factor weights sum to"),
        ({"weights": {"vibes": 1}}, "unknown factor 'vibes'"),
        ({"settings": {"missing_salary_points_share": 2}}, "must be a number in [0, 1]"),
        ({"settings": {"must_have_penalty_mode": "cap"}}, "must be 'all' or 'skills'"),
        ({"settings": {"recency_half_life_days": 0}}, "recency_half_life_days' must be > 0"),
        ({"settings": {"typo_setting": 1}}, "unknown setting 'typo_setting'"),
        ({"version": None}, "missing 'version'"),
    ],
)
def test_ranking_config_validation(change: dict[str, Any], message: str) -> None:
    data = {"version": "t", "weights": dict(RC.weights), "settings": {}}
    for key, value in change.items():
        data[key] = {**data[key], **value} if isinstance(value, dict) else value
    with pytest.raises(RankingConfigError) as exc:
        parse_ranking_config(data)
    assert message in str(exc.value)


# ------------------------------------------------------------------------------------------
# Factors
# ------------------------------------------------------------------------------------------


MANY_SKILLS = ["Python", "SQL", "dbt", "Airflow", "Spark"]


SALARY_CASES = [
    (None, None, 5.0, "no salary posted: 5 of 10 points"),
    (80000, 95000, 0.0, "salary 80k–95k CAD below floor 110k"),
    (160000, 180000, 10.0, "salary 160k–180k CAD meets target 150k"),
    (120000, 140000, 7.0, "salary 120k–140k CAD overlaps target range 110k–150k"),
    (None, 150000, 10.0, "salary 150k CAD meets target 150k"),
    (140000, 120000, 7.0, "salary 120k–140k CAD overlaps target range 110k–150k"),
]


@pytest.mark.parametrize(("lo", "hi", "points", "reason"), SALARY_CASES)
def test_salary_factor(
    batch: Batch, lo: int | None, hi: int | None, points: float, reason: str
) -> None:
    r = batch.row({"salary_min_norm": lo, "salary_max_norm": hi})
    assert r["pts_salary"] == points
    assert r["reasons"]["salary"] == reason


def test_salary_no_campaign_preference_gives_full_points(batch: Batch) -> None:
    r = batch.row({"salary_min_norm": 1, "salary_max_norm": 2}, {"salary": None})
    assert (r["pts_salary"], r["reasons"]["salary"]) == (10.0, "no salary preference")


def test_campaign_salary_in_other_currency_is_compared_in_reporting_currency() -> None:
    usd = {"salary": {"floor": 80000, "target": 100000, "currency": "USD"}}
    # Postings are already normalized to CAD; the campaign's USD range becomes 120k–150k CAD.
    r = one({"salary_min_norm": 130000, "salary_max_norm": 130000}, usd, fx_rates={"USD": 1.5})
    assert r["pts_salary"] == 6.0
    assert r["reasons"]["salary"] == "salary 130k CAD overlaps target range 120k–150k"
    # Without an explicit rate the ruleset's fx table (base CAD) is used.
    default = one({"salary_min_norm": 200000, "salary_max_norm": 210000}, usd)
    assert default["pts_salary"] == 10.0


LOCATION_CASES = [
    ({}, {}, 15.0, "hybrid in Toronto, ON matches Toronto, ON"),
    ({"city": "toronto", "remote_type": "onsite"}, {}, 15.0, "onsite in toronto, ON matches"),
    ({"city": "Ottawa", "remote_type": "onsite"}, {}, 7.5, "same region as Toronto, ON"),
    ({"city": "Vancouver", "region": "BC"}, {}, 3.0, "in CA but away from Toronto"),
    (
        {"city": None, "region": None, "remote_type": "remote"},
        {},
        15.0,
        "remote job satisfies Toronto preference",
    ),
    ({"country": None, "city": None, "remote_type": "remote"}, {}, 15.0, "satisfies"),
    (
        {"city": "Austin", "region": "TX", "country": "US", "remote_type": "remote"},
        {},
        0.0,
        "remote job in US is outside campaign countries (CA)",
    ),
    (
        {"city": "Vancouver", "region": "BC", "remote_type": "remote"},
        {"remote": ["hybrid"]},
        3.0,
        "(campaign does not accept remote)",
    ),
    (
        {"city": "Montreal", "region": "QC"},
        {"locations": [{"city": "Montréal", "region": "QC", "country": "CA"}]},
        15.0,
        "hybrid in Montreal, QC matches Montréal, QC",
    ),
    (
        {"remote_type": "onsite"},
        {"locations": [], "countries": ["CA", "US"], "remote": ["remote"]},
        0.0,
        "onsite job not accepted (campaign accepts remote)",
    ),
    (
        {"remote_type": "unknown"},
        {"locations": [], "countries": ["CA", "US"], "remote": ["remote"]},
        4.5,
        "remote type unknown",
    ),
    ({}, {"locations": [], "countries": [], "remote": []}, 15.0, "no location preference"),
]


@pytest.mark.parametrize(("job", "campaign", "points", "reason"), LOCATION_CASES)
def test_location_remote_factor(
    batch: Batch, job: dict[str, Any], campaign: dict[str, Any], points: float, reason: str
) -> None:
    r = batch.row(job, campaign)
    assert r["pts_location_remote"] == points
    assert reason in r["reasons"]["location_remote"]


EXCLUSION_CASES = [
    (
        {"city": "Seattle", "region": "WA", "country": "US", "remote_type": "onsite"},
        "onsite job outside campaign countries (US)",
    ),
    ({"country": "US", "remote_type": "hybrid"}, "hybrid job outside campaign countries (US)"),
    (
        {"description_text": "Requires SECURITY CLEARANCE level II."},
        "excluded keyword 'security clearance'",
    ),
    ({"title": "Data Engineer (Java)"}, "excluded keyword 'java'"),
    ({"company_name": "ACME Staffing, Inc."}, "excluded company 'Acme Staffing'"),
    (
        {"company_name": "Client", "company_name_norm": "acme staffing"},
        "excluded company 'Acme Staffing'",
    ),
    (
        {"company_name": "Acme Staffing Ltd", "description_text": "java shop"},
        "excluded company 'Acme Staffing'; excluded keyword 'java'",
    ),
]


@pytest.mark.parametrize(("job", "reason"), EXCLUSION_CASES)
def test_exclusions(batch: Batch, job: dict[str, Any], reason: str) -> None:
    assert batch.exclusion(job) == [reason]
    with pytest.raises(AssertionError):  # and the pair is absent from the rankings
        batch.row(job)


NEAR_MISS_CASES = [
    {"description_text": "We use JavaScript and TypeScript."},  # 'java' is a whole word only
    {"company_name": "Acme Staffingly"},
    {"city": "Austin", "region": "TX", "country": "US", "remote_type": "remote"},
]


@pytest.mark.parametrize("job", NEAR_MISS_CASES)
def test_near_misses_are_not_excluded(batch: Batch, job: dict[str, Any]) -> None:
    assert batch.exclusion(job) == []
    assert batch.row(job)["score"] > 0


def test_exclusion_applies_per_campaign() -> None:
    res = score_jobs(
        jobs_frame({"description_text": "security clearance"}),
        campaigns({"id": "strict"}, {"id": "lenient", "exclude_keywords": []}),
        RC,
        NOW,
    )
    assert res.rankings["campaign_id"].to_list() == ["lenient"]
    assert res.exclusions["campaign_id"].to_list() == ["strict"]


def test_must_have_missing_halves_every_factor(batch: Batch) -> None:
    with_python = batch.row({})
    without = batch.row({"skills": ["SQL", "dbt"]})
    assert without["missing_must_have"] == ["Python"]
    assert without["matched_skills"] == ["SQL", "dbt"]
    assert without["missing_skills"] == ["Python", "Airflow"]
    assert without["pts_skills"] == round(35 * (2 + 1) / 6 * 0.5, 2)
    assert without["pts_title"] == 10.0 and without["pts_location_remote"] == 7.5
    assert without["score"] < with_python["score"] / 2 + 0.05
    explain = json.loads(without["rank_explain"])
    assert explain["penalty"] == "missing must-have Python: all factor points x0.5"
    assert without["reasons"]["skills"] == "2 of 4 skills (missing Python, Airflow)"
    assert explain_text(without["rank_explain"])[2] == explain["penalty"]


def test_must_have_penalty_mode_skills_only() -> None:
    cfg = parse_ranking_config(
        {
            "version": "t",
            "weights": RC.weights,
            "settings": {**RC.settings, "must_have_penalty_mode": "skills"},
        }
    )
    r = one({"skills": ["SQL", "dbt"]}, config=cfg)
    assert r["pts_skills"] == round(35 * 3 / 6 * 0.5, 2)
    assert r["pts_title"] == 20.0


def test_skills_match_case_insensitively_and_no_preference_scores_full(batch: Batch) -> None:
    r = batch.row({"skills": ["python", "SQL", "Kafka"]})
    assert r["matched_skills"] == ["Python", "SQL"] and r["missing_must_have"] == []
    assert r["pts_skills"] == round(35 * 4 / 6, 2)
    r = batch.row({"skills": []}, {"skills": []})
    assert (r["pts_skills"], r["reasons"]["skills"]) == (35.0, "no skill preference")
    many = batch.row({"skills": ["Python"]}, {"skills": MANY_SKILLS})
    assert many["reasons"]["skills"] == "1 of 5 skills (missing SQL, dbt, Airflow, +1 more)"


TITLE_CASES = [
    ({}, 20.0, "'Data Engineer' ~ 'data engineer' (100%); family data_engineering matches"),
    ({"title": "Senior Data Engineer II", "title_std": None}, 18.75, "family data_engin"),
    (
        {"title": "Registered Nurse", "title_std": "nurse", "title_family": "healthcare"},
        0.0,
        "'Registered Nurse' shares no words with campaign titles; family healthcare not wanted",
    ),
    ({"title_family": None}, 10.0, "family unknown not wanted"),
]


@pytest.mark.parametrize(("job", "points", "reason"), TITLE_CASES)
def test_title_factor(batch: Batch, job: dict[str, Any], points: float, reason: str) -> None:
    r = batch.row(job)
    assert r["pts_title"] == points
    assert reason in r["reasons"]["title"]


SMALL_CASES = [
    ("seniority", {"seniority": "lead"}, {}, 3.2, "lead is one level from mid/senior"),
    ("seniority", {"seniority": "unknown"}, {}, 4.0, "seniority unknown"),
    ("seniority", {"seniority": "Manager"}, {}, 4.0, "seniority unknown"),
    ("seniority", {"seniority": "intern"}, {}, 0.0, "intern not wanted (mid/senior)"),
    ("employment_type", {"employment_type": None}, {}, 2.0, "employment type unknown"),
    ("employment_type", {"employment_type": "internship"}, {}, 0.0, "internship not"),
    ("company_size", {}, {}, 3.0, "no company-size preference"),
    ("company_size", {"company_size_bin": "51-200"}, {"company_sizes": ["51-200"]}, 3.0, ""),
    ("company_size", {"company_size_bin": None}, {"company_sizes": ["51-200"]}, 1.5, ""),
    ("company_size", {"company_size_bin": "10001+"}, {"company_sizes": ["51-200"]}, 0.0, ""),
    ("recency", {"posted_at": NOW - timedelta(days=14)}, {}, 1.5, "posted 14 days ago"),
    ("recency", {"posted_at": None}, {}, 0.9, "posting date unknown"),
    ("recency", {"posted_at": NOW + timedelta(days=2)}, {}, 3.0, "posted today"),
    ("company_rating", {"company_rating": 1.0}, {}, 0.0, "company rating 1.0/5"),
    ("company_rating", {"company_rating": None}, {}, 1.0, "no company rating"),
]


@pytest.mark.parametrize(("factor", "job", "campaign", "points", "reason"), SMALL_CASES)
def test_small_factors(
    batch: Batch,
    factor: str,
    job: dict[str, Any],
    campaign: dict[str, Any],
    points: float,
    reason: str,
) -> None:
    r = batch.row(job, campaign)
    assert r[f"pts_{factor}"] == points
    assert reason in r["reasons"][factor]


def test_perfect_job_scores_100(batch: Batch) -> None:
    r = batch.row({})
    assert r["score"] == 100.0 and r["meets_min_score"]
    assert explain_text(r["rank_explain"])[0] == "4 of 4 skills"


@pytest.fixture(scope="module")
def batch() -> Batch:
    cases: list[tuple[dict[str, Any], dict[str, Any]]] = [
        *(({"salary_min_norm": lo, "salary_max_norm": hi}, {}) for lo, hi, _, _ in SALARY_CASES),
        ({"salary_min_norm": 1, "salary_max_norm": 2}, {"salary": None}),
        *((job, campaign) for job, campaign, _, _ in LOCATION_CASES),
        *((job, {}) for job, _ in EXCLUSION_CASES),
        *((job, {}) for job in NEAR_MISS_CASES),
        *((job, {}) for job, _, _ in TITLE_CASES),
        *((job, campaign) for _, job, campaign, _, _ in SMALL_CASES),
        ({}, {}),
        ({"skills": ["SQL", "dbt"]}, {}),
        ({"skills": ["python", "SQL", "Kafka"]}, {}),
        ({"skills": []}, {"skills": []}),
        ({"skills": ["Python"]}, {"skills": MANY_SKILLS}),
    ]
    unique = {Batch.key(j, c): (j, c) for j, c in cases}
    return Batch(list(unique.values()))


# ------------------------------------------------------------------------------------------
# Invariants on the labeled dev set
# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dev_result() -> tuple[pl.DataFrame, RankingResult]:
    dev = load_labeled_set(DEV)
    return dev.jobs, score_jobs(dev.jobs, dev.campaigns, RC, dev.as_of)


def test_schema_and_stamps(dev_result: tuple[pl.DataFrame, RankingResult]) -> None:
    _, res = dev_result
    assert dict(res.rankings.schema) == RANKING_SCHEMA
    assert dict(res.exclusions.schema) == EXCLUSION_SCHEMA
    assert res.rankings["ruleset_version"].unique().to_list() == [RC.version]
    assert res.rankings["ranked_at"].unique().to_list() == [datetime(2024, 6, 1, 12, tzinfo=UTC)]


def test_factor_points_sum_exactly_to_score(dev_result: tuple[pl.DataFrame, RankingResult]) -> None:
    _, res = dev_result
    df = res.rankings
    total = pl.sum_horizontal([pl.col(f"pts_{f}") for f in FACTORS]).round(2)
    assert df.filter((total - pl.col("score")).abs() > 1e-9).height == 0
    assert df.filter((pl.col("score") < 0) | (pl.col("score") > 100)).height == 0
    for explain, score in df.select("rank_explain", "score").iter_rows():
        data = json.loads(explain)
        assert data["total"] == score
        assert round(sum(f["points"] for f in data["factors"]), 2) == score
        assert sum(f["max_points"] for f in data["factors"]) == 100
        assert all(0 <= f["points"] <= f["max_points"] for f in data["factors"])


def test_ranks_are_1_to_n_and_ordered(dev_result: tuple[pl.DataFrame, RankingResult]) -> None:
    jobs, res = dev_result
    df = res.rankings.join(jobs.select("job_id", "posted_at"), on="job_id")
    for _cid, group in df.group_by("campaign_id"):
        assert sorted(group["rank"].to_list()) == list(range(1, group.height + 1))
        expected = group.sort(
            ["score", "posted_at", "job_id"], descending=[True, True, False], nulls_last=True
        )
        assert group.sort("rank")["job_id"].to_list() == expected["job_id"].to_list()


def test_deterministic_under_input_order(dev_result: tuple[pl.DataFrame, RankingResult]) -> None:
    jobs, res = dev_result
    again = score_jobs(
        jobs.sample(fraction=1.0, shuffle=True, seed=7),
        load_campaigns(DEV / "campaigns.yml"),
        RC,
        datetime(2024, 6, 1, 12, tzinfo=UTC),
    )
    assert again.rankings.equals(res.rankings)
    assert again.exclusions.equals(res.exclusions)


def test_inactive_jobs_and_campaigns_are_not_ranked(
    dev_result: tuple[pl.DataFrame, RankingResult],
) -> None:
    jobs, res = dev_result
    inactive = set(jobs.filter(~pl.col("is_active"))["job_id"])
    assert inactive and not inactive & set(res.rankings["job_id"])
    paused = score_jobs(jobs_frame({}), campaigns({"id": "off", "active": False}), RC, NOW)
    assert paused.rankings.height == 0 and dict(paused.rankings.schema) == RANKING_SCHEMA


def test_ties_broken_by_posted_at_then_job_id() -> None:
    rows = [
        {"job_id": "b", "posted_at": NOW},
        {"job_id": "a", "posted_at": NOW},
        {"job_id": "c", "posted_at": NOW + timedelta(hours=1)},
    ]
    ranked = run(rows).rankings.sort("rank")
    assert ranked["score"].n_unique() == 1
    assert ranked["job_id"].to_list() == ["c", "a", "b"]


def test_accepts_lazyframe_and_duckdb_relation_and_limits_explain() -> None:
    frame = jobs_frame({"job_id": "x"}, {"job_id": "y", "skills": ["SQL"]})
    base = score_jobs(frame, campaigns(), RC, NOW).rankings
    assert score_jobs(frame.lazy(), campaigns(), RC, NOW).rankings.equals(base)
    con = duckdb.connect()
    con.register("f", frame)
    assert score_jobs(con.sql("SELECT * FROM f"), campaigns(), RC, NOW).rankings.equals(base)
    limited = score_jobs(frame, campaigns(), RC, NOW, explain_max_rank=1).rankings
    assert limited["rank_explain"].is_null().to_list() == [False, True]
    assert limited.drop("rank_explain").equals(base.drop("rank_explain"))


def test_empty_jobs_give_typed_empty_frames() -> None:
    res = score_jobs(jobs_frame({}).clear(), campaigns(), RC, NOW)
    assert res.rankings.height == 0 and dict(res.rankings.schema) == RANKING_SCHEMA
    assert res.exclusions.height == 0 and dict(res.exclusions.schema) == EXCLUSION_SCHEMA


def test_explain_text_orders_strongest_then_biggest_losses() -> None:
    explain = json.dumps(
        {
            "factors": [
                {"factor": "skills", "points": 10, "max_points": 35, "reason": "s"},
                {"factor": "title", "points": 20, "max_points": 20, "reason": "t"},
                {"factor": "salary", "points": 0, "max_points": 10, "reason": "no pay"},
                {"factor": "recency", "points": 3, "max_points": 3, "reason": "new"},
            ],
            "total": 33,
            "penalty": None,
        }
    )
    assert explain_text(explain) == ["t", "s", "no pay", "new"]


# ------------------------------------------------------------------------------------------
# Scale
# ------------------------------------------------------------------------------------------


def synth_jobs(n: int) -> pl.DataFrame:
    """n synthetic fact_jobs rows built with polars expressions (no Python loop over rows)."""
    titles = [
        "Senior Data Engineer",
        "Data Engineer",
        "ML Engineer",
        "Frontend Developer",
        "Data Analyst",
        "Backend Engineer",
        "Analytics Engineer",
        "Registered Nurse",
    ]
    fams = ["data_engineering", "data_engineering", "machine_learning", "frontend",
            "data_analysis", "backend", "analytics_engineering", "healthcare"]  # fmt: skip
    skills = ["Python", "SQL", "dbt", "Airflow", "Spark", "Kubernetes", "React", "AWS"]
    places = [("Toronto", "ON", "CA"), ("Montréal", "QC", "CA"), ("Vancouver", "BC", "CA"),
              ("Seattle", "WA", "US"), (None, None, "CA"), ("Ottawa", "ON", "CA")]  # fmt: skip

    def pick(values: list, index: pl.Expr, dtype: Any = None) -> pl.Expr:
        return pl.lit(pl.Series(values, dtype=dtype)).gather(index % len(values))

    i = pl.col("i")
    skill_sets = [[skills[(x + k) % len(skills)] for k in range(x % 6)] for x in range(48)]
    return (
        pl.DataFrame({"i": pl.int_range(0, n, eager=True)})
        .with_columns(
            job_id=pl.format("job{}", i),
            title=pick(titles, i),
            title_std=pick(titles, i).str.to_lowercase().str.replace("senior ", ""),
            title_family=pick(fams, i),
            seniority=pick(["junior", "mid", "senior", "staff", "unknown"], i),
            company_name=pl.format("Company {}", i % 5000),
            company_name_norm=pl.format("company {}", i % 5000),
            city=pick([p[0] for p in places], i * 7, pl.String),
            region=pick([p[1] for p in places], i * 7, pl.String),
            country=pick([p[2] for p in places], i * 7),
            remote_type=pick(["onsite", "hybrid", "remote", "unknown"], i // 5),
            employment_type=pick(["full_time", "contract", "part_time", "unknown"], i // 3),
            salary_min_norm=pl.when(i % 9 == 0).then(None).otherwise(60_000 + (i % 120) * 1000),
            salary_max_norm=pl.when(i % 9 == 0).then(None).otherwise(80_000 + (i % 120) * 1000),
            skills=pick(skill_sets, i, pl.List(pl.String)),
            description_text=pl.when(i % 50 == 0)
            .then(pl.lit("Security clearance required. " * 30))
            .otherwise(pl.lit("We build data pipelines with Python and SQL. " * 20)),
            company_size_bin=pick(["11-50", "51-200", "1001-5000", "unknown"], i),
            company_rating=pick([3.5, 4.2, None], i, pl.Float64),
            posted_at=pl.lit(NOW) - pl.duration(hours=i % 700),
            is_active=i % 10 != 9,
        )
        .drop("i")
        .with_columns(pl.col("salary_min_norm", "salary_max_norm").cast(pl.Int64))
    )


def test_100k_jobs_x_10_campaigns(record_property: Any) -> None:
    jobs = synth_jobs(100_000)
    cfg = campaigns(*({"id": f"c{k}", "min_score": 5 * k} for k in range(10)))
    start = time.perf_counter()
    res = score_jobs(jobs, cfg, RC, NOW, explain_max_rank=100)
    elapsed = time.perf_counter() - start
    record_property("score_100k_x_10_seconds", round(elapsed, 2))
    print(f"100k jobs x 10 campaigns: {elapsed:.2f} s, {res.rankings.height} rows")
    active = jobs.filter(pl.col("is_active")).height
    assert res.rankings.height + res.exclusions.height == active * 10
    assert res.rankings.group_by("campaign_id").agg(pl.col("rank").max())["rank"].min() > 50_000
    assert res.rankings.filter(pl.col("rank_explain").is_not_null()).height == 1000
