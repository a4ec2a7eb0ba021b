"""dbt build on a small fixture lake: dedupe, near-duplicate clusters, closing, reports, the
skill gap, documentation coverage and `dbt docs generate`."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from collections import Counter
from pathlib import Path

import duckdb
import pytest
import yaml

from tests.dbt.lake import (
    PROJECT_DIR,
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
                ruleset_version varchar, ranked_at timestamptz,
                -- null: rows ranked before job_sk was stored (the staging view derives it)
                job_sk bigint)
        """)
        for ranking_date, job, rank, score, matched, missing in rows:
            con.execute(
                "insert into job_rankings values (?, 'c1', 'Campaign one', ?, ?, ?, ?, ?, ?, "
                "'{}', 'v1', ?, null)",
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


def test_skill_demand_counts_a_posting_once_per_day_whatever_carried_it(built):
    root, _, _ = built
    expected: dict[tuple, set[str]] = {}
    for partition, rows in fixture_days().items():
        for row in rows:
            group = (row["country"] or "unknown", row["title_family"], row["seniority"])
            for skill in row["skills"]:
                expected.setdefault((partition, skill, *group), set()).add(row["hash_key"])
    demand = {
        row[:5]: row[5]
        for row in query(
            root,
            "select posting_date, skill, country, title_family, seniority, postings "
            "from mart_skill_demand",
        )
    }
    assert demand == {key: len(hash_keys) for key, hash_keys in expected.items()}
    # day 2: Acme's posting A comes three times (Greenhouse and two JSearch ids) beside E
    assert sum("python" in row["skills"] for row in fixture_days()[day(2)]) == 4
    assert demand[(day(2), "python", "CA", "data_engineering", "mid")] == 2


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


def _reference_clusters(rows: list[dict], variables: dict) -> dict[str, str]:
    """hash_key -> cluster key by comparing EVERY pair of a company with the model's rules
    (an independent brute force; the fixture titles and places need no accent folding)."""
    title_aliases, place_aliases = (
        variables["near_dup_title_aliases"],
        variables["near_dup_location_aliases"],
    )

    def title_tokens(title: str) -> set[str]:
        words = re.sub(r"[^a-z0-9+#]+", " ", title.lower()).split()
        return {title_aliases.get(w, w) for w in words}

    def place_tokens(row: dict) -> set[str]:
        text = " ".join(p for p in (row["location_raw"], row["city"], row["region"]) if p)
        text = re.sub(r"[^a-z0-9]+", " ", text.lower())
        for short, long in place_aliases.items():
            text = re.sub(rf"\b{short}\b", long, text)
        return set(text.split())

    def same(x: object, y: object) -> bool:
        return x is None or y is None or x == y

    def near(a: dict, b: dict) -> bool:
        ta, tb = title_tokens(a["title"]), title_tokens(b["title"])
        la, lb = place_tokens(a), place_tokens(b)
        if a["city"] is not None and b["city"] is not None:
            place = a["city"] == b["city"] and same(a["region"], b["region"])
            place = place and same(a["country"], b["country"])
        else:
            containment = len(la & lb) / max(min(len(la), len(lb)), 1)
            place = containment >= variables["near_dup_location_threshold"]
        return (
            a["company_name_norm"] == b["company_name_norm"]
            and not (
                variables["near_dup_cross_source_only"] and set(a["sources"]) & set(b["sources"])
            )
            and (a["seniority"] == b["seniority"] or "unknown" in (a["seniority"], b["seniority"]))
            and len(ta & tb) / max(len(ta | tb), 1) >= variables["near_dup_title_threshold"]
            and same(a["country"], b["country"])
            and place
        )

    parent = {r["hash_key"]: r["hash_key"] for r in rows}

    def root(key: str) -> str:
        while parent[key] != key:
            key = parent[key]
        return key

    for i, a in enumerate(rows):
        for b in rows[i + 1 :]:
            if near(a, b):
                ra, rb = root(a["hash_key"]), root(b["hash_key"])
                parent[max(ra, rb)] = min(ra, rb)
    return {key: root(key) for key in parent}


def _adversarial_postings(seed: int) -> list[dict]:
    """Titles built from a skewed vocabulary and mutated by one token (Jaccard around the
    threshold), alias and punctuation variants, overlapping sources, mixed places."""
    rng = random.Random(seed)
    vocabulary = [
        "engineer", "data", "senior", "software", "platform", "analytics", "ml", "cloud",
        "backend", "staff", "lead", "security", "payments", "search", "ads", "infra",
    ]  # fmt: skip
    weights = [40, 20, 15, 12, 8, 6, 5, 4, 4, 3, 3, 2, 2, 1, 1, 1]
    places = [
        ("New York, NY", "New York", "NY", "US"),
        ("NYC", "New York", "NY", "US"),
        ("NYC", None, None, "US"),
        ("New York", None, None, None),
        ("Toronto, ON", "Toronto", "ON", "CA"),
        ("Toronto", "Toronto", None, None),
        ("Remote", None, None, None),
    ]
    sources = [["jsearch"], ["greenhouse"], ["lever"], ["ashby"], ["jsearch", "lever"]]
    rows = []
    for company in ("alpha", "beta", "gamma"):
        bases = [
            list(dict.fromkeys(rng.choices(vocabulary, weights, k=rng.randint(1, 7))))
            for _ in range(12)
        ]
        for n in range(110):
            tokens = list(rng.choice(bases))
            mutation = rng.random()
            if mutation < 0.25 and len(tokens) > 1:
                tokens.remove(rng.choice(tokens))
            elif mutation < 0.5:
                tokens.insert(rng.randrange(len(tokens) + 1), rng.choice(vocabulary))
            title = " ".join(tokens)
            if rng.random() < 0.4:
                title = title.replace("senior", "Sr.").replace("engineer", "Eng,").title()
            raw, city, region, country = rng.choice(places)
            rows.append(
                {
                    "hash_key": f"{company}-{n:03d}-{seed}",
                    "company_name_norm": company,
                    "sources": rng.choice(sources),
                    "seniority": rng.choice(["senior", "unknown", "unknown", "mid"]),
                    "title": title,
                    "location_raw": raw,
                    "city": city,
                    "region": region,
                    "country": country,
                    "is_direct": rng.random() < 0.5,
                    "last_seen_at": dt.datetime(2026, 1, 1 + n % 20, tzinfo=UTC),
                }
            )
    return rows


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_prefix_filtered_near_duplicates_match_every_pair_comparison(built, tmp_path, seed):
    """The compiled model (prefix-filtered candidates) on adversarial postings gives the same
    clusters as comparing every pair of a company."""
    root, _, _ = built
    compiled = next((root / "target" / "compiled").rglob("int_job_postings_near_duplicates.sql"))
    variables = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
    rows = _adversarial_postings(seed)
    expected = _reference_clusters(rows, variables)
    assert sum(1 for k, c in expected.items() if k != c) >= 20  # many real merges to check
    with duckdb.connect(str(tmp_path / "job_lakehouse.duckdb")) as con:
        con.execute("""
            create table int_job_postings_deduplicated (
                hash_key varchar, company_name_norm varchar, sources varchar[],
                seniority varchar, title varchar, location_raw varchar, city varchar,
                region varchar, country varchar, is_direct boolean, last_seen_at timestamptz)
        """)
        con.executemany(
            "insert into int_job_postings_deduplicated values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [list(r.values()) for r in rows],
        )
        actual = con.execute(
            f"select hash_key, near_duplicate_cluster_key, near_duplicate_cluster_size "
            f"from ({compiled.read_text()})"
        ).fetchall()
    assert {k: c for k, c, _ in actual} == expected
    sizes = Counter(expected.values())
    assert {k: s for k, _, s in actual} == {k: sizes[c] for k, c in expected.items()}
