"""The synthetic payload generator: determinism, API shapes and quirks, counts, repeats."""

from __future__ import annotations

import base64
import collections
import datetime as dt
import html
import json
import re
from typing import Any

import orjson
import pytest

from job_assets.ingest.envelope import count_postings
from job_assets.ingest.sources import PARALLEL_DEMO_POSTINGS, demo_workers, usable_cores
from job_assets.ingest.synthetic import (
    BOARD_SOURCES,
    DEFAULT_BOARDS,
    JSEARCH_DUP_SHARE,
    LEVER_PAGE_SIZE,
    REPEAT_SHARE,
    GeneratedResponse,
    cross_source_pairs,
    employer_pool,
    generate_company_search,
    generate_payloads,
    iter_payloads,
    posting_keys,
)

DAY = dt.date(2026, 11, 22)
PREV = DAY - dt.timedelta(days=1)
N = 1200
JOB_SOURCES = ("jsearch", "greenhouse", "lever", "ashby")
ID_KEY = {"jsearch": "job_id", "greenhouse": "id", "lever": "id", "ashby": "id"}
TAG = re.compile(r"<[^>]+>")


def items(source: str, resp: GeneratedResponse) -> list[dict[str, Any]]:
    if source == "lever":
        return list(resp.payload)
    return list(resp.payload["jobs" if source in BOARD_SOURCES else "data"])


def all_items(source: str, responses: list[GeneratedResponse]) -> list[dict[str, Any]]:
    return [it for r in responses for it in items(source, r)]


def plain_text(source: str, job: dict[str, Any]) -> str:
    """The full description as a downstream normalizer would assemble it."""
    if source == "jsearch":
        return str(job["job_description"])
    if source == "greenhouse":
        return html.unescape(TAG.sub(" ", html.unescape(job["content"])))
    if source == "lever":
        return f"{job['descriptionPlain']}\n{job['additionalPlain']}"
    return str(job["descriptionPlain"])


@pytest.fixture(scope="module")
def day() -> dict[str, list[GeneratedResponse]]:
    return {s: generate_payloads(s, DAY, N) for s in JOB_SOURCES}


@pytest.fixture(scope="module")
def prev_day() -> dict[str, list[GeneratedResponse]]:
    return {s: generate_payloads(s, PREV, N) for s in JOB_SOURCES}


# ---------------------------------------------------------------- determinism and counts


@pytest.mark.parametrize("source", [*JOB_SOURCES, "glassdoor"])
def test_same_arguments_give_byte_identical_payloads(source: str) -> None:
    a = generate_payloads(source, DAY, 150, seed=7)
    b = generate_payloads(source, DAY, 150, seed=7)
    dump = [json.dumps(r.payload, sort_keys=True) for r in a]
    assert dump == [json.dumps(r.payload, sort_keys=True) for r in b]
    assert [(r.endpoint, r.request_params, r.page, r.board) for r in a] == [
        (r.endpoint, r.request_params, r.page, r.board) for r in b
    ]


@pytest.mark.parametrize("source", JOB_SOURCES)
def test_seed_changes_the_postings(source: str) -> None:
    a = all_items(source, generate_payloads(source, DAY, 100, seed=1))
    b = all_items(source, generate_payloads(source, DAY, 100, seed=2))
    assert json.dumps(a, sort_keys=True) != json.dumps(b, sort_keys=True)


@pytest.mark.parametrize("source", JOB_SOURCES)
@pytest.mark.parametrize("n", [0, 1, 9, 10, 11, 101, 250])
def test_n_postings_is_the_total_across_responses(source: str, n: int) -> None:
    responses = generate_payloads(source, DAY, n)
    assert sum(count_postings(source, r.payload) for r in responses) == n
    if source in BOARD_SOURCES:  # every configured board is fetched, even when empty
        assert {r.board for r in responses} == {b["token"] for b in DEFAULT_BOARDS[source]}


def test_lever_pages_follow_skip_and_limit() -> None:
    board = [{"token": "acme", "company_name": "Acme"}]
    for n, pages in [(0, 1), (LEVER_PAGE_SIZE, 2), (LEVER_PAGE_SIZE * 2 + 5, 3)]:
        responses = generate_payloads("lever", DAY, n, boards=board)
        assert len(responses) == pages
        for i, r in enumerate(responses):
            assert r.page == i + 1
            assert r.request_params == {
                "mode": "json",
                "skip": i * LEVER_PAGE_SIZE,
                "limit": LEVER_PAGE_SIZE,
            }
            assert len(r.payload) <= LEVER_PAGE_SIZE
        assert len(responses[-1].payload) < LEVER_PAGE_SIZE  # the client stops on a short page


@pytest.mark.parametrize(
    ("source", "n", "boards"),
    [("nope", 1, None), ("jsearch", -1, None), ("greenhouse", 5, [])],
)
def test_bad_arguments_raise(source: str, n: int, boards: list[dict[str, str]] | None) -> None:
    with pytest.raises(ValueError):
        generate_payloads(source, DAY, n, boards=boards)


def test_custom_boards_carry_the_configured_company() -> None:
    boards = [{"token": "stripe", "company_name": "Stripe"}]
    responses = generate_payloads("greenhouse", DAY, 30, boards=boards)
    assert [(r.board, r.company_name, r.endpoint) for r in responses] == [
        ("stripe", "Stripe", "/v1/boards/stripe/jobs")
    ]
    jobs = responses[0].payload["jobs"]
    assert len(jobs) == 30 and {j["company_name"] for j in jobs} == {"Stripe"}


# ---------------------------------------------------------------- repeats across days


@pytest.mark.parametrize("source", JOB_SOURCES)
def test_about_thirty_percent_of_a_day_repeats_from_the_day_before(
    source: str, day: dict[str, list[GeneratedResponse]], prev_day: dict[str, Any]
) -> None:
    key = ID_KEY[source]
    today = {str(j[key]): j for j in all_items(source, day[source])}
    before = {str(j[key]): j for j in all_items(source, prev_day[source])}
    shared = today.keys() & before.keys()
    assert len(shared) / len(today) == pytest.approx(REPEAT_SHARE, abs=0.01)
    for jid in list(shared)[:50]:  # a repeated posting is the same posting
        a, b = dict(today[jid]), dict(before[jid])
        a.pop("job_posted_at", None)  # JSearch's "N days ago" moves with the fetch day
        b.pop("job_posted_at", None)
        assert a == b


def test_some_postings_live_three_days() -> None:
    ids = [
        {j["id"] for j in all_items("ashby", generate_payloads("ashby", DAY - dt.timedelta(k), N))}
        for k in range(3)
    ]
    assert len(ids[0] & ids[1] & ids[2]) == pytest.approx(0.1 * N, abs=2)


def test_posting_keys_compose_new_and_repeated_slots() -> None:
    keys = posting_keys(DAY, 10)
    d = DAY.toordinal()
    assert keys == [(d, s) for s in range(7)] + [(d - 1, 0), (d - 1, 1), (d - 2, 0)]
    assert posting_keys(DAY, 0) == []


# ---------------------------------------------------------------- JSearch


def test_jsearch_shape_and_both_schema_generations(day: dict[str, Any]) -> None:
    responses = day["jsearch"]
    assert all(r.endpoint == "/search" for r in responses)
    for r in responses:
        assert r.payload["status"] == "OK" and set(r.payload) == {
            "status", "request_id", "parameters", "data"
        }  # fmt: skip
        assert 1 <= len(r.payload["data"]) <= 10
        assert r.payload["parameters"]["page"] == r.page == r.request_params["page"]
    jobs = all_items("jsearch", responses)
    common = {
        "job_id", "employer_name", "employer_website", "job_publisher", "job_apply_link",
        "job_apply_is_direct", "job_description", "job_is_remote", "job_posted_at_timestamp",
        "job_posted_at_datetime_utc", "job_city", "job_state", "job_country", "job_title",
        "job_employment_type", "job_min_salary", "job_max_salary", "job_salary_period",
    }  # fmt: skip
    new = [j for j in jobs if "job_employment_types" in j]
    old = [j for j in jobs if "job_employment_types" not in j]
    assert 0.35 < len(new) / len(jobs) < 0.65
    for j in jobs:
        assert common <= j.keys()
    for j in new:
        assert {"job_location", "job_salary", "job_posted_at"} <= j.keys()
        assert "job_salary_currency" not in j
        assert re.fullmatch(r"\d+ (hour|day)s? ago", j["job_posted_at"])
        assert j["job_employment_type"][0].isupper() and j["job_employment_type"][1].islower()
        assert all(t.isupper() for t in j["job_employment_types"])
    for j in old:
        assert {"job_salary_currency", "job_required_skills", "job_highlights"} <= j.keys()
        assert j["job_employment_type"] in {
            "FULLTIME", "PARTTIME", "CONTRACTOR", "INTERN", "TEMPORARY"
        }  # fmt: skip
    quirks = [v for j in old for v in j["job_required_experience"].values()]
    assert "false" in quirks and False in quirks  # booleans sometimes stored as strings
    texts = [j["job_salary"] for j in new if j["job_salary"]]
    assert any(re.fullmatch(r"\$\d+(\.\d)?K–\$\d+(\.\d)?K a year", t) for t in texts)
    assert any(t.endswith("an hour") for t in texts)
    assert any(j["job_salary"] is None for j in new)


def test_jsearch_ids_and_timestamps(day: dict[str, Any]) -> None:
    end = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    for j in all_items("jsearch", day["jsearch"]):
        assert re.fullmatch(r"[A-Za-z0-9_-]{16}AAAAAA==", j["job_id"])
        assert len(base64.urlsafe_b64decode(j["job_id"])) == 16
        ts = j["job_posted_at_timestamp"]
        parsed = dt.datetime.strptime(j["job_posted_at_datetime_utc"], "%Y-%m-%dT%H:%M:%S.000Z")
        assert parsed.replace(tzinfo=dt.UTC).timestamp() == ts
        assert end - dt.timedelta(days=7) <= parsed.replace(tzinfo=dt.UTC) < end


def test_jsearch_salaries_cover_currencies_and_periods(day: dict[str, Any]) -> None:
    jobs = [j for j in all_items("jsearch", day["jsearch"]) if j.get("job_salary_currency")]
    assert {j["job_salary_currency"] for j in jobs} == {"USD", "CAD", "EUR", "GBP", "INR"}
    periods = {j["job_salary_period"] for j in all_items("jsearch", day["jsearch"])}
    assert {"YEAR", "HOUR", "MONTH"} <= periods
    for j in jobs:
        assert 0 < j["job_min_salary"] < j["job_max_salary"]


def test_jsearch_exact_duplicates_sit_on_another_page_of_the_same_query(
    day: dict[str, Any],
) -> None:
    seen: dict[str, tuple[str, int, dict[str, Any]]] = {}
    dups = 0
    for r in day["jsearch"]:
        for j in r.payload["data"]:
            if j["job_id"] in seen:
                query, page, first = seen[j["job_id"]]
                assert query == r.request_params["query"] and page != r.page and first == j
                dups += 1
            else:
                seen[j["job_id"]] = (r.request_params["query"], r.page, j)
    assert dups == int(N * JSEARCH_DUP_SHARE)


def _norm_title(title: str) -> str:
    t = title.lower().replace("sr. ", "senior ")
    return " ".join(re.sub(r"[^a-z0-9&]+", " ", t).split())


def test_cross_source_mirrors_match_a_generated_board_posting(day: dict[str, Any]) -> None:
    pairs = cross_source_pairs(DAY, N)
    n_unique = N - int(N * JSEARCH_DUP_SHARE)
    assert len(pairs) == pytest.approx(0.1 * n_unique, abs=3)
    jsearch = {j["job_id"]: j for j in all_items("jsearch", day["jsearch"])}
    boards = {(s, str(j["id"])): j for s in BOARD_SOURCES for j in all_items(s, day[s])}
    assert {s for _, s, _ in pairs} == set(BOARD_SOURCES)
    differ = 0
    for jid, src, bid in pairs:
        js, board = jsearch[jid], boards[(src, bid)]
        title = board.get("title") or board.get("text")
        company = board.get("company_name") or js["employer_name"]
        assert js["employer_name"] == company
        assert _norm_title(js["job_title"]) == _norm_title(title)
        differ += js["job_title"] != title
        assert js["job_apply_is_direct"] is True
    assert differ / len(pairs) > 0.8  # the raw titles differ in punctuation or abbreviation


# ---------------------------------------------------------------- board sources


def test_greenhouse_shape_escaped_html_and_pay_ranges(day: dict[str, Any]) -> None:
    for r in day["greenhouse"]:
        assert set(r.payload) == {"jobs", "meta"}
        assert r.payload["meta"]["total"] == len(r.payload["jobs"])
        assert r.request_params == {"content": "true"}
    jobs = all_items("greenhouse", day["greenhouse"])
    keys = {
        "id", "title", "company_name", "absolute_url", "location", "updated_at",
        "first_published", "content", "departments", "offices", "metadata",
    }  # fmt: skip
    for j in jobs:
        assert keys <= j.keys() and isinstance(j["id"], int)
        assert "<" not in j["content"] and j["content"].startswith("&lt;p&gt;")
        raw = html.unescape(j["content"])
        assert "<ul><li>" in raw and "<strong>" in raw
        assert j["first_published"].endswith("-04:00")
        assert dt.datetime.fromisoformat(j["updated_at"]) >= dt.datetime.fromisoformat(
            j["first_published"]
        )
        assert j["metadata"] is None or isinstance(j["metadata"], list)
        assert str(j["id"]) in j["absolute_url"]
    assert len({j["id"] for j in jobs}) == len(jobs)
    paid = [j for j in jobs if "pay_input_ranges" in j]
    assert 0.15 < len(paid) / len(jobs) < 0.5
    for j in paid:
        rng = j["pay_input_ranges"][0]
        assert isinstance(rng["min_cents"], int) and rng["min_cents"] < rng["max_cents"]
        assert rng["currency_type"] in {"USD", "CAD", "EUR", "GBP", "INR"}


def test_lever_shape_ms_timestamps_and_pay(day: dict[str, Any]) -> None:
    assert all(isinstance(r.payload, list) for r in day["lever"])
    jobs = all_items("lever", day["lever"])
    lo = (DAY - dt.timedelta(days=7)).toordinal()
    for j in jobs:
        assert re.fullmatch(
            r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", j["id"]
        )
        assert {"commitment", "location", "team", "allLocations"} <= j["categories"].keys()
        created = dt.datetime.fromtimestamp(j["createdAt"] / 1000, dt.UTC)
        assert j["createdAt"] > 10**12 and lo <= created.date().toordinal() <= DAY.toordinal()
        assert j["workplaceType"] in {"onsite", "hybrid", "remote", "unspecified"}
        assert j["hostedUrl"].endswith(j["id"]) and j["applyUrl"] == j["hostedUrl"] + "/apply"
        assert j["description"].startswith("<div>")
    ranges = [j["salaryRange"] for j in jobs if "salaryRange" in j]
    assert {r["interval"] for r in ranges} >= {"per-year-salary", "per-hour-wage"}
    prose_only = [
        j for j in jobs
        if "salaryRange" not in j and "The salary range for this role is" in j["additionalPlain"]
    ]  # fmt: skip
    assert prose_only


def test_ashby_shape_workplace_and_compensation(day: dict[str, Any]) -> None:
    for r in day["ashby"]:
        assert r.payload["apiVersion"] == "1"
        assert r.request_params == {"includeCompensation": "true"}
    jobs = all_items("ashby", day["ashby"])
    for j in jobs:
        assert j["workplaceType"] in {"OnSite", "Hybrid", "Remote"}
        assert j["employmentType"] in {"FullTime", "PartTime", "Intern", "Contract", "Temporary"}
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", j["publishedAt"])
        assert set(j["address"]["postalAddress"]) == {
            "addressLocality", "addressRegion", "addressCountry"
        }  # fmt: skip
    assert 0 < sum(not j["isListed"] for j in jobs) < 0.08 * len(jobs)
    assert any(j["isRemote"] and j["workplaceType"] == "Hybrid" for j in jobs)
    assert any(j["title"] != j["title"].strip() for j in jobs)
    comps = [
        c for j in jobs for t in j["compensation"]["compensationTiers"] for c in t["components"]
    ]
    salary = [c for c in comps if c["compensationType"] == "Salary"]
    assert salary and {"1 YEAR"} <= {c["interval"] for c in salary}
    assert all(c["minValue"] < c["maxValue"] and c["currencyCode"] for c in salary)
    assert any(c["compensationType"] != "Salary" for c in comps)  # equity is not pay
    summaries = [j["compensation"]["compensationTierSummary"] for j in jobs]
    assert any(s and re.match(r"\$\d+K – \$\d+K", s) for s in summaries)


# ---------------------------------------------------------------- realism


@pytest.mark.parametrize("source", JOB_SOURCES)
def test_descriptions_are_two_to_four_kilobytes(source: str, day: dict[str, Any]) -> None:
    sizes = [len(plain_text(source, j).encode()) for j in all_items(source, day[source])]
    assert 2000 <= min(sizes) and max(sizes) <= 4096


def test_descriptions_use_skill_aliases_and_traps(day: dict[str, Any]) -> None:
    text = "\n".join(plain_text(s, j) for s in JOB_SOURCES for j in all_items(s, day[s])[:400])
    for token in ["k8s", "Postgres", "React.js", "C++", "C#", ".NET", "Node.js", "golang",
                  "scikit-learn", "R&D", "go-to-market", "Series C"]:  # fmt: skip
        assert token in text, token


def test_titles_span_families_and_seniorities(day: dict[str, Any]) -> None:
    titles = [j["title"] for j in all_items("greenhouse", day["greenhouse"])]
    joined = "\n".join(titles)
    for word in ["Intern", "Junior", "Sr. ", "Senior", "Staff", "Principal", "Lead", "Head of",
                 " II", "Data Engineer", "Machine Learning", "Product Manager", "Designer",
                 "Account Executive", "Recruiter", "Security", "Analyst"]:  # fmt: skip
        assert word in joined, word


def test_location_mix(day: dict[str, Any]) -> None:
    jobs = all_items("ashby", day["ashby"])
    kinds = collections.Counter(j["workplaceType"] for j in jobs)
    assert kinds["Remote"] / len(jobs) == pytest.approx(0.3, abs=0.05)
    assert kinds["Hybrid"] / len(jobs) == pytest.approx(0.2, abs=0.05)
    countries = {j["job_country"] for j in all_items("jsearch", day["jsearch"])}
    assert countries == {"US", "CA", "GB", "FR", "DE", "IN"}
    spellings = {j["categories"]["location"] for j in all_items("lever", day["lever"])}
    assert {"NYC", "Montréal, QC", "Toronto, ON, Canada"} <= spellings
    assert any(s.startswith("Remote - ") for s in spellings)


# ---------------------------------------------------------------- Glassdoor and employers


def test_employer_pool_and_default_boards() -> None:
    pool = employer_pool()
    assert len(pool) == 150 and len({e["name"] for e in pool}) == 150
    assert all({"name", "domain", "industry", "size"} <= e.keys() for e in pool)
    names = {e["name"] for e in pool}
    for source in BOARD_SOURCES:
        assert len(DEFAULT_BOARDS[source]) == 8
        assert all(b["company_name"] in names for b in DEFAULT_BOARDS[source])
    pool[0]["name"] = "mutated"
    assert employer_pool()[0]["name"] != "mutated"


def test_company_search_shape_and_determinism() -> None:
    names = [e["name"] for e in employer_pool()]
    bodies = [generate_company_search(n) for n in names]
    assert bodies == [generate_company_search(n) for n in names]
    sizes = collections.Counter(len(b["data"]) for b in bodies)
    assert sizes[0] > 0 and sizes[1] > 0 and sizes[2] + sizes[3] > 0
    for name, body in zip(names, bodies, strict=True):
        assert body["status"] == "OK" and body["parameters"]["query"] == name
        if body["data"]:
            assert name in {h["name"] for h in body["data"]}
        for hit in body["data"]:
            assert 1 <= hit["rating"] <= 5 and 0 <= hit["recommend_to_friend_rating"] <= 1
            assert hit["company_size"].endswith("Employees")
            assert {"company_id", "website", "review_count", "industry"} <= hit.keys()
    glassdoor = generate_payloads("glassdoor", DAY, 5)
    assert [r.endpoint for r in glassdoor] == ["/company-search"] * 5


def test_a_large_generation_honors_the_requested_count() -> None:
    # Speed is measured by `make bench`, not here; this guards the count at a size where
    # paging and chunking both kick in.
    total = 0
    for source in JOB_SOURCES:
        total += sum(
            count_postings(source, r.payload) for r in generate_payloads(source, DAY, 5_000)
        )
    assert total == 20_000


@pytest.mark.parametrize("source", JOB_SOURCES)
def test_streaming_in_chunks_yields_the_same_postings(source: str) -> None:
    whole = generate_payloads(source, DAY, 517)
    parts = list(iter_payloads(source, DAY, 517, chunk_postings=100))
    assert sum(count_postings(source, r.payload) for r in parts) == 517

    def dumps(responses: list[GeneratedResponse]) -> list[str]:
        return sorted(json.dumps(j, sort_keys=True) for j in all_items(source, responses))

    assert dumps(parts) == dumps(whole)
    if source in ("jsearch", "lever"):  # pages are identical, only their order differs

        def pages(responses: list[GeneratedResponse]) -> list[str]:
            return sorted(
                json.dumps([r.request_params, items(source, r), r.board], sort_keys=True)
                for r in responses
            )

        assert pages(parts) == pages(whole)


def test_mirrors_follow_custom_board_lists() -> None:
    custom = {
        "greenhouse": [{"token": "stripe", "company_name": "Stripe"}],
        "lever": [{"token": "palantir", "company_name": "Palantir"}],
        "ashby": [],  # a source without boards gets no mirrors
    }
    pairs = cross_source_pairs(DAY, 300, mirror_boards=custom)
    assert pairs and {s for _, s, _ in pairs} == {"greenhouse", "lever"}
    jsearch = all_items("jsearch", generate_payloads("jsearch", DAY, 300, mirror_boards=custom))
    by_id = {j["job_id"]: j for j in jsearch}
    board_ids = {
        (s, str(j["id"]))
        for s in ("greenhouse", "lever")
        for j in all_items(s, generate_payloads(s, DAY, 300, boards=custom[s]))
    }
    for jid, src, bid in pairs:
        assert (src, bid) in board_ids
        assert by_id[jid]["employer_name"] == custom[src][0]["company_name"]


@pytest.mark.parametrize("source", JOB_SOURCES)
def test_rendering_in_worker_processes_gives_the_same_bytes(source: str) -> None:
    # 7,000 postings: several 2,048-slot spans per birth day, spans cut by the chunks and by
    # the birth days, JSearch mirrors beyond the first 32-slot block of each board stream
    def bodies(workers: int) -> list[tuple[bytes, Any]]:
        return [
            (orjson.dumps(r.payload), (r.endpoint, r.request_params, r.page, r.board))
            for r in iter_payloads(source, DAY, 7_000, chunk_postings=1_500, workers=workers)
        ]

    in_processes = list(iter_payloads(source, DAY, 7_000, chunk_postings=1_500, workers=2))
    first = in_processes[0].payload
    postings = first if source == "lever" else first["data" if source == "jsearch" else "jobs"]
    assert isinstance(postings[0], orjson.Fragment)  # rendered and serialized by a worker
    assert bodies(2) == bodies(1)


def test_demo_days_are_rendered_in_processes_only_when_large() -> None:
    assert demo_workers(PARALLEL_DEMO_POSTINGS - 1) == 1
    assert demo_workers(PARALLEL_DEMO_POSTINGS) >= min(2, usable_cores())


def test_mirror_number_m_copies_board_slot_m_div_3_past_the_first_blocks() -> None:
    # the documented layout: JSearch mirror number m (slot 10 m + 3) copies the posting at slot
    # m // 3 of board source BOARD_SOURCES[m % 3]; with one board per source a board's jobs come
    # in slot order. Board slots up to 67 span three 32-slot blocks of each board stream.
    one_board = {s: [{"token": f"{s}-only", "company_name": "Northwind"}] for s in BOARD_SOURCES}
    pairs = cross_source_pairs(DAY, 3_000, mirror_boards=one_board)
    board_ids = {
        s: [str(j["id"]) for j in all_items(s, generate_payloads(s, DAY, 300, boards=[b]))]
        for s, (b,) in one_board.items()
    }
    checked = pairs[:200]  # all born on DAY: its 2,037 new JSearch slots hold 204 mirrors
    assert max(m // 3 for m in range(len(checked))) >= 2 * 32
    for m, (_jsearch_id, source, board_id) in enumerate(checked):
        assert source == BOARD_SOURCES[m % 3]
        assert board_id == board_ids[source][m // 3], m
