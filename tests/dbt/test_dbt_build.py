"""dbt build on a small fixture lake: dedupe, near-duplicate clusters, closing, reports, the
skill gap, documentation coverage and `dbt docs generate`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from tests.dbt.lake import (
    UTC,
    DbtRun,
    day,
    hash_key,
    posting,
    query,
    run_dbt,
    salary,
    warehouse,
    write_day,
    write_reference,
)

WINDOW = (day(0), day(6))
GLOBEX = {"company_name": "Globex", "company_name_norm": "globex"}
NEW_YORK = {"location_raw": "New York, NY", "city": "New York", "region": "NY", "country": "US"}
# The normalizer parses "NYC" to New York (checked); the second pair's "NYC" did not parse.
NYC_PARSED = {**NEW_YORK, "location_raw": "NYC"}
NYC_UNPARSED = {"location_raw": "NYC", "city": None, "region": None, "country": "US"}

A_GH = posting("greenhouse", "a1", skills=["python", "spark", "sql"], **salary(90000, 120000))
A_HASH = A_GH["hash_key"]
B_JS = posting(
    "jsearch",
    "b1",
    title="Sr. Data Engineer",
    seniority="senior",
    skills=["dbt", "python", "spark"],
    **GLOBEX,
    **NYC_PARSED,
)
B_GH = posting(
    "greenhouse",
    "b2",
    title="Senior Data Engineer,",
    seniority="senior",
    skills=["dbt", "python", "spark"],
    **GLOBEX,
    **NEW_YORK,
)
C_JS = posting(
    "jsearch",
    "c1",
    title="Jr. Analyst",
    seniority="junior",
    title_family="analytics",
    skills=["dbt", "python"],
    **GLOBEX,
    **NYC_UNPARSED,
)
C_AB = posting(
    "ashby",
    "c2",
    title="Junior Analyst",
    seniority="junior",
    title_family="analytics",
    skills=["dbt", "python"],
    **GLOBEX,
    **NEW_YORK,
)
# Controls: same company and place but another title; same title in another city.
CONTROL_TITLE = posting("greenhouse", "k1", seniority="unknown", **GLOBEX, **NEW_YORK)
CONTROL_CITY = posting(
    "lever",
    "k2",
    title="Senior Data Engineer",
    seniority="senior",
    location_raw="San Francisco, CA",
    city="San Francisco",
    region="CA",
    country="US",
    **GLOBEX,
)
D_CLOSED = posting("greenhouse", "d1", title="Analytics Engineer")
E_EDGE = posting("greenhouse", "e1", title="ML Engineer")
J_OLD = posting("jsearch", "old", title="Platform Engineer")
J_NEW = posting("jsearch", "new", title="Platform Engineer")


def _a_jsearch(source_job_id: str) -> dict:
    return posting("jsearch", source_job_id, skills=A_GH["skills"], **salary(90000, 120000))


def fixture_days() -> dict[dt.date, list[dict]]:
    days: dict[dt.date, list[dict]] = {day(n): [A_GH] for n in range(6)}
    days[day(1)] += [_a_jsearch("ja1")]
    days[day(2)] += [_a_jsearch("ja1"), _a_jsearch("ja2")]  # two aggregator ids, one day
    days[day(3)] += [_a_jsearch("ja1")]
    for n in (0, 1):
        days[day(n)] += [D_CLOSED]
    for n in (0, 1, 2):
        days[day(n)] += [E_EDGE]
    days[day(0)] += [J_OLD]
    days[day(1)] += [J_NEW]
    for n in (4, 5):
        days[day(n)] += [B_JS, B_GH, C_JS, C_AB, CONTROL_TITLE, CONTROL_CITY]
    return days


def _rankings(root: Path) -> None:
    """job_rankings as the ranking asset writes it: campaign c1 lists python and aws."""
    rows = [
        (day(4), E_EDGE, 1, 90.0, ["python"], ["aws"]),  # older date: must be ignored
        (day(5), A_GH, 1, 80.0, ["python"], ["aws"]),  # gaps: spark, sql
        (day(5), B_GH, 2, 70.0, ["python"], ["aws"]),  # gaps: dbt, spark
        (day(5), C_AB, 3, 65.0, ["python"], ["aws"]),  # gap: dbt only
        (day(5), E_EDGE, 80, 20.0, ["python"], ["aws"]),  # not a top match
    ]
    with duckdb.connect(str(warehouse(root))) as con:
        con.execute("""
            create table job_rankings (
                ranking_date date, campaign_id varchar, campaign_name varchar,
                job_posting_key varchar, job_id varchar, score double, rank bigint,
                matched_skills varchar[], missing_skills varchar[], rank_explain varchar,
                ruleset_version varchar, ranked_at timestamptz)
        """)
        for ranking_date, job, rank, score, matched, missing in rows:
            con.execute(
                "insert into job_rankings values (?, 'c1', 'Campaign one', ?, ?, ?, ?, ?, ?, "
                "'{}', 'v1', ?)",
                [
                    ranking_date,
                    job["hash_key"],
                    job["job_id"],
                    score,
                    rank,
                    matched,
                    missing,
                    dt.datetime(2026, 1, 11, tzinfo=UTC),
                ],
            )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DbtRun, DbtRun]:
    root = tmp_path_factory.mktemp("dbt_build")
    write_reference(root / "data")
    for partition, rows in fixture_days().items():
        write_day(root / "data", partition, rows)
    warehouse_run = run_dbt(root, "build", WINDOW, ["--exclude", "path:models/ranking"])
    assert warehouse_run.returncode == 0, warehouse_run.output[-4000:]
    _rankings(root)
    ranking_run = run_dbt(root, "build", (day(5), day(6)), ["--select", "path:models/ranking"])
    assert ranking_run.returncode == 0, ranking_run.output[-4000:]
    return root, warehouse_run, ranking_run


def _fact(root: Path, key: str, columns: str) -> tuple:
    rows = query(root, f"select {columns} from fact_jobs where job_posting_key = '{key}'")
    assert len(rows) == 1, rows
    return rows[0]


def test_every_test_passes_or_warns_nowhere(built):
    _, warehouse_run, ranking_run = built
    statuses = {**warehouse_run.statuses, **ranking_run.statuses}
    assert set(statuses.values()) <= {"success", "pass"}, {
        k: v for k, v in statuses.items() if v not in ("success", "pass")
    }
    assert "int_job_postings_near_duplicates" in statuses
    assert len([s for s in statuses.values() if s == "pass"]) > 80


def test_exact_duplicates_within_and_across_days_collapse(built):
    root, _, _ = built
    assert query(root, f"select count(*) from fact_jobs where hash_key = '{A_HASH}'") == [(1,)]
    job_id, sources, ids, first, last, first_d, last_d, days_seen, times = _fact(
        root,
        A_HASH,
        "job_id, sources, source_job_ids, first_seen_at, last_seen_at, "
        "first_seen_date, last_seen_date, days_seen, times_seen",
    )
    assert job_id == "greenhouse:a1"  # direct board beats the aggregator copies
    assert sources == ["greenhouse", "jsearch"]
    assert ids == ["greenhouse:a1", "jsearch:ja1", "jsearch:ja2"]
    assert first == dt.datetime.combine(day(0), dt.time(12), tzinfo=UTC)
    assert last == dt.datetime.combine(day(5), dt.time(12), tzinfo=UTC)
    assert (first_d, last_d, days_seen, times) == (day(0), day(5), 6, 10)


def test_newest_record_wins_between_equals(built):
    root, _, _ = built
    assert _fact(root, J_OLD["hash_key"], "job_id, times_seen") == ("jsearch:new", 2)


def test_fact_jobs_has_one_row_per_hash_key(built):
    root, _, _ = built
    distinct_hashes = len({r["hash_key"] for rows in fixture_days().values() for r in rows})
    assert query(root, "select count(*), count(distinct job_posting_key) from fact_jobs") == [
        (distinct_hashes, distinct_hashes)
    ]


@pytest.mark.parametrize(
    ("members", "representative"),
    [
        ((B_JS, B_GH), B_GH),  # "Sr. Data Engineer" @ NYC vs "Senior Data Engineer," @ New York, NY
        ((C_JS, C_AB), C_AB),  # location text path: "NYC" did not parse on one side
    ],
)
def test_cross_source_pair_is_one_near_duplicate_cluster(built, members, representative):
    root, _, _ = built
    keys = sorted(m["hash_key"] for m in members)
    assert keys[0] != keys[1]  # exact hashing missed them
    rows = query(
        root,
        f"""
        select job_posting_key, near_duplicate_cluster_key, near_duplicate_cluster_size,
               is_cluster_representative
        from fact_jobs where job_posting_key in ('{keys[0]}', '{keys[1]}') order by 1""",
    )
    assert [r[1] for r in rows] == [keys[0], keys[0]]  # cluster id = smallest hash_key
    assert [r[2] for r in rows] == [2, 2]
    assert {r[0] for r in rows if r[3]} == {representative["hash_key"]}


@pytest.mark.parametrize("control", [CONTROL_TITLE, CONTROL_CITY], ids=["title", "city"])
def test_similar_but_different_jobs_stay_apart(built, control):
    root, _, _ = built
    cluster, size, representative = _fact(
        root,
        control["hash_key"],
        "near_duplicate_cluster_key, near_duplicate_cluster_size, is_cluster_representative",
    )
    assert (cluster, size, representative) == (control["hash_key"], 1, True)


@pytest.mark.parametrize(
    ("job", "active", "closed_at"),
    [
        (D_CLOSED, False, day(2)),  # last seen day 1: absent days 2..5 (> 3 days)
        (E_EDGE, True, None),  # last seen day 2: absent exactly 3 days, still active
        (A_GH, True, None),
    ],
)
def test_posting_absent_for_n_days_is_closed(built, job, active, closed_at):
    root, _, _ = built
    assert _fact(root, job["hash_key"], "is_active, closed_at") == (active, closed_at)


def test_dedup_report_counts_each_merge(built):
    root, _, _ = built
    rows = query(
        root,
        """
        select partition_date, rows_in, exact_duplicate_merges, near_duplicate_merges, retained
        from mart_dedup_report where partition_date in (?, ?) order by 1""".replace(
            "?, ?", f"'{day(2)}', '{day(5)}'"
        ),
    )
    assert rows == [(day(2), 4, 2, 0, 2), (day(5), 7, 0, 2, 5)]


def test_salary_benchmarks_count_one_posting_per_cluster(built):
    root, _, _ = built
    assert query(
        root,
        """
        select p50, sample_size from mart_salary_benchmarks
        where title_family = 'data_engineering' and country = 'CA' and seniority = 'mid'
    """,
    ) == [(105000.0, 1)]


def test_skill_gap_uses_latest_ranking_and_top_matches(built):
    root, _, _ = built
    rows = query(
        root,
        """
        select skill, gap_rank, top_jobs, jobs_demanding, jobs_unlocked, coverage_pct
        from mart_skill_gap where campaign_id = 'c1' order by gap_rank""",
    )
    assert rows == [
        ("dbt", 1, 3, 2, 1, 66.7),
        ("spark", 2, 3, 2, 0, 66.7),
        ("sql", 3, 3, 1, 0, 33.3),
    ]


def test_every_model_and_column_is_documented(built):
    root, _, _ = built
    manifest = json.loads((root / "target" / "manifest.json").read_text())
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    assert len(models) >= 20
    with duckdb.connect(str(warehouse(root)), read_only=True) as con:
        for node in models:
            actual = [
                r[0]
                for r in con.execute(
                    "select column_name from information_schema.columns where table_name = ? "
                    "order by ordinal_position",
                    [node["name"]],
                ).fetchall()
            ]
            assert actual, node["name"]
            assert node["description"].strip(), node["name"]
            documented = {name for name, c in node["columns"].items() if c["description"]}
            assert set(actual) == documented, (node["name"], set(actual) ^ documented)


def test_money_and_time_types(built):
    root, _, _ = built
    types = dict(
        query(
            root,
            """
        select column_name, data_type from information_schema.columns
        where table_name = 'fact_jobs'""",
        )
    )
    assert types["first_seen_at"] == types["posted_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["salary_min_norm"] == types["salary_max_yearly"] == "BIGINT"
    assert types["salary_min"] == "DOUBLE"
    bench = dict(
        query(
            root,
            """
        select column_name, data_type from information_schema.columns
        where table_name = 'mart_salary_benchmarks'""",
        )
    )
    assert bench["p50"] == "DOUBLE" and bench["sample_size"] == "BIGINT"


def test_docs_generate(built):
    root, _, _ = built
    docs = run_dbt(root, "docs generate", WINDOW)
    assert docs.returncode == 0, docs.output[-3000:]
    catalog = json.loads((root / "target" / "catalog.json").read_text())
    assert "model.job_lakehouse.fact_jobs" in catalog["nodes"]


def test_hash_helper_matches_fixture_keys():
    assert hash_key("Acme Corp", "Data Engineer", "Toronto, ON") == A_HASH
