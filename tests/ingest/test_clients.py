"""Clients against a real local HTTP server: request shapes, paging, real-response contracts,
and sources.yml loading."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from job_assets.ingest.clients import (
    AshbyClient,
    GlassdoorClient,
    GreenhouseClient,
    JSearchClient,
    LeverClient,
    date_posted_for_window,
    fetch_boards,
)
from job_assets.ingest.envelope import SOURCES, FetchStats, RawResponse, count_postings
from job_assets.ingest.http import HttpSettings, RequestBudget
from job_assets.ingest.sources_config import (
    BoardConfig,
    BoardSourceConfig,
    GlassdoorConfig,
    JSearchConfig,
    load_sources_config,
)
from tests.ingest.fault_server import FaultServer, Reply, json_reply

REAL = Path("/work/shared/fixtures/real")
REPO_SOURCES_YML = Path(__file__).resolve().parents[2] / "taxonomy_config" / "sources.yml"
KEY = "sk-TEST-SECRET-12345"
FAST = HttpSettings(timeout_s=2, max_attempts=2, backoff_base_s=0, jitter=False)


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client() as client:
        yield client


def jobs(prefix: str, n: int) -> dict:
    return {"status": "OK", "data": [{"job_id": f"{prefix}{i}"} for i in range(n)]}


# --- Contract: real recorded responses round-trip verbatim -----------------------------------

CONTRACTS = [
    ("jsearch_1.json", "/search", None),
    ("jsearch_3.json", "/search", None),
    ("greenhouse_1.json", "/v1/boards/cloudflare/jobs", "cloudflare"),
    ("greenhouse_2.json", "/v1/boards/stripe/jobs", "stripe"),
    ("lever_1.json", "/v0/postings/palantir", "palantir"),
    ("lever_2.json", "/v0/postings/palantir", "palantir"),
    ("ashby_1.json", "/posting-api/job-board/ramp", "ramp"),
    ("ashby_2.json", "/posting-api/job-board/ramp", "ramp"),
    ("glassdoor_1.json", "/company-search", None),
]


def _call(source: str, http: httpx.Client, url: str, board: str | None) -> tuple[list, FetchStats]:
    stats = FetchStats()
    kw = {"base_url": url, "settings": FAST, "stats": stats}
    if source == "jsearch":
        records = list(JSearchClient(http, KEY, **kw).search("bi developer", max_pages=1))
    elif source == "greenhouse":
        records = list(GreenhouseClient(http, **kw).board_jobs(board, "Co"))
    elif source == "lever":
        records = list(LeverClient(http, **kw).postings(board, "Co"))
    elif source == "ashby":
        records = list(AshbyClient(http, **kw).job_board(board, "Co"))
    else:
        records = list(GlassdoorClient(http, KEY, **kw).company_search("flighthub"))
    return records, stats


@pytest.mark.parametrize(("name", "path", "board"), CONTRACTS)
def test_real_responses_round_trip(http, server, name, path, board):
    raw = (REAL / name).read_bytes()
    expected = json.loads(raw)
    source = name.split("_")[0]
    server.script(path, Reply(200, raw))
    records, stats = _call(source, http, server.url, board)
    assert len(records) == 1, "one real page: shorter than any page size, so paging stops"
    record = records[0]
    assert isinstance(record, RawResponse)
    assert record.payload == expected
    assert (record.source, record.endpoint, record.board) == (source, path, board)
    assert record.company_name == ("Co" if board else None)
    assert stats.postings == count_postings(source, expected) > 0
    assert (stats.pages, stats.requests, stats.bytes) == (1, 1, len(raw))
    assert KEY not in json.dumps(record.to_envelope())


# --- JSearch ---------------------------------------------------------------------------------


def test_jsearch_request_shape_and_params(http, server):
    server.script("/search", json_reply(jobs("a", 3)), json_reply({"status": "OK", "data": []}))
    client = JSearchClient(http, KEY, base_url=server.url, settings=FAST)
    records = list(
        client.search(
            "data engineer",
            location="Toronto, ON",
            country="CA",
            date_posted="week",
            employment_types=["fulltime", "CONTRACTOR"],
            work_from_home=True,
        )
    )
    first = server.requests[0]
    assert first.headers["x-rapidapi-key"] == KEY
    assert first.headers["x-rapidapi-host"] == "jsearch.p.rapidapi.com"
    sent = {k: v[0] for k, v in first.query.items()}
    assert sent == {
        "query": "data engineer in Toronto, ON",
        "country": "ca",
        "date_posted": "week",
        "employment_types": "FULLTIME,CONTRACTOR",
        "work_from_home": "true",
        "page": "1",
        "num_pages": "1",
    }
    assert {k: str(v) for k, v in records[0].request_params.items()} == sent
    assert [r.page for r in records] == [1, 2]


@pytest.mark.parametrize(
    ("pages", "num_pages", "max_pages", "expected_pages_sent"),
    [
        ([3, 3, 0], 1, 10, ["1", "2", "3"]),  # empty page ends paging
        ([3, 0], 1, 10, ["1", "2"]),
        ([0], 1, 10, ["1"]),
        ([3, 3, 3, 3], 1, 3, ["1", "2", "3"]),  # max_pages ends paging
        ([20, 20, 0], 2, 10, ["1", "3", "5"]),  # num_pages API pages per request
        ([20, 20, 20], 2, 5, ["1", "3", "5"]),  # last request asks only for the pages left
    ],
)
def test_jsearch_paging(http, server, pages, num_pages, max_pages, expected_pages_sent):
    server.script("/search", *[json_reply(jobs(f"p{i}-", n)) for i, n in enumerate(pages)])
    client = JSearchClient(http, KEY, base_url=server.url, settings=FAST)
    records = list(client.search("x", num_pages=num_pages, max_pages=max_pages))
    sent = [r.param("page") for r in server.requests]
    assert sent == expected_pages_sent
    assert len(records) == len(sent)
    assert client.stats.postings == sum(pages[: len(sent)])
    if max_pages == 5 and num_pages == 2:
        assert [r.param("num_pages") for r in server.requests] == ["2", "2", "1"]


def test_jsearch_missing_data_key_ends_paging(http, server):
    server.script(
        "/search", json_reply({"status": "ERROR", "message": "x"}), json_reply(jobs("a", 1))
    )
    records = list(JSearchClient(http, KEY, base_url=server.url).search("x"))
    assert len(records) == 1 and len(server.requests) == 1


def test_jsearch_quarantined_page_stops_paging(http, server):
    server.script(
        "/search", json_reply(jobs("a", 2)), Reply(200, b"{oops"), json_reply(jobs("b", 2))
    )
    records = list(JSearchClient(http, KEY, base_url=server.url, settings=FAST).search("x"))
    assert [type(r).__name__ for r in records] == ["RawResponse", "RawQuarantine"]
    assert len(server.requests) == 2


def test_jsearch_job_details_batches_of_20(http, server):
    server.script("/job-details", repeat=json_reply({"status": "OK", "data": []}))
    ids = [f"id{i}==" for i in range(45)] + ["id3==", ""]  # a duplicate and an empty id
    records = list(JSearchClient(http, KEY, base_url=server.url).job_details(ids))
    batches = [r.param("job_id").split(",") for r in server.requests]
    assert [len(b) for b in batches] == [20, 20, 5]
    assert sum(batches, []) == [f"id{i}==" for i in range(45)]
    assert [r.page for r in records] == [1, 2, 3]
    assert records[0].endpoint == "/job-details"
    assert records[0].request_params == {"job_id": ",".join(f"id{i}==" for i in range(20))}


@pytest.mark.parametrize(
    ("partition", "today", "expected"),
    [
        ("2026-03-10", "2026-03-10", "today"),
        ("2026-03-09", "2026-03-10", "3days"),
        ("2026-03-08", "2026-03-10", "3days"),
        ("2026-03-07", "2026-03-10", "week"),
        ("2026-03-04", "2026-03-10", "week"),
        ("2026-03-03", "2026-03-10", "month"),
        ("2026-02-09", "2026-03-10", "month"),
        ("2026-02-08", "2026-03-10", "all"),
        ("2025-01-01", "2026-03-10", "all"),
        (dt.date(2026, 3, 9), dt.datetime(2026, 3, 10, 23, 59), "3days"),
    ],
)
def test_date_posted_for_window(partition, today, expected):
    assert date_posted_for_window(partition, today) == expected


def test_date_posted_rejects_future_partition_and_bad_values(http):
    with pytest.raises(ValueError, match="after today"):
        date_posted_for_window("2026-03-11", "2026-03-10")
    client = JSearchClient(http, KEY, base_url="http://127.0.0.1:9")
    with pytest.raises(ValueError, match="date_posted"):
        list(client.search("x", date_posted="yesterday"))
    with pytest.raises(ValueError, match="RapidAPI key"):
        JSearchClient(http, "  ")
    assert KEY not in repr(client)


# --- Boards ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sizes", "expected_skips"),
    [
        ([2, 2, 1], ["0", "2", "4"]),  # short page ends
        ([2, 2, 0], ["0", "2", "4"]),  # empty page ends
        ([1], ["0"]),
        ([0], ["0"]),
    ],
)
def test_lever_paging(http, server, sizes, expected_skips):
    pages, n = [], 0
    for size in sizes:
        pages.append(json_reply([{"id": f"p{n + i}"} for i in range(size)]))
        n += size
    server.script("/v0/postings/palantir", *pages)
    lever = LeverClient(http, base_url=server.url, limit=2)
    records = list(lever.postings("palantir", "Palantir"))
    assert [r.param("skip") for r in server.requests] == expected_skips
    assert {r.param("limit") for r in server.requests} == {"2"}
    assert {r.param("mode") for r in server.requests} == {"json"}
    assert [r.page for r in records] == list(range(1, len(sizes) + 1))
    assert lever.stats.postings == sum(sizes)


def test_lever_eu_region_uses_eu_host(http, server):
    server.script("/eu/v0/postings/acme", json_reply([{"id": "e1"}]))
    lever = LeverClient(http, base_url=server.url + "/global", eu_base_url=server.url + "/eu")
    records = list(fetch_boards(lever, [BoardConfig("acme", "Acme", region="eu")]))
    assert [r.path for r in server.requests] == ["/eu/v0/postings/acme"]
    assert records[0].endpoint == "/v0/postings/acme" and records[0].payload == [{"id": "e1"}]


def test_lever_stops_when_server_ignores_skip(http, server):
    server.script("/v0/postings/x", repeat=json_reply([{"id": "same"}, {"id": "other"}]))
    lever = LeverClient(http, base_url=server.url, limit=2)
    assert len(list(lever.postings("x"))) == 1
    assert len(server.requests) == 2
    assert lever.stats.failed_targets == ["lever:x: server ignored skip; stopped"]


def test_greenhouse_board_and_pay_transparency(http, server):
    board = {"jobs": [{"id": 1, "title": "A"}, {"id": 2, "title": "B"}, {"id": 3}], "meta": {}}
    server.script("/v1/boards/stripe/jobs", json_reply(board))
    detail_1 = {"id": 1, "pay_input_ranges": [{"min_cents": 15000000, "max_cents": 20000000}]}
    server.script("/v1/boards/stripe/jobs/1", json_reply(detail_1))
    server.script("/v1/boards/stripe/jobs/2", Reply(404, {"error": "gone"}))
    server.script("/v1/boards/stripe/jobs/3", json_reply({"id": 3, "pay_input_ranges": []}))
    gh = GreenhouseClient(http, base_url=server.url, settings=FAST, pay_transparency=True)
    records = list(fetch_boards(gh, [BoardConfig("stripe", "Stripe")]))
    assert [r.endpoint for r in records] == [
        "/v1/boards/stripe/jobs",
        "/v1/boards/stripe/jobs/1",
        "/v1/boards/stripe/jobs/3",
    ]
    assert records[0].payload == board and records[1].payload == detail_1  # verbatim
    assert records[0].request_params == {"content": "true"}
    assert records[1].request_params == {"pay_transparency": "true"}
    assert {r.company_name for r in records} == {"Stripe"}
    assert gh.stats.failed_targets == ["greenhouse:stripe/2: HTTP 404"]
    assert gh.stats.postings == 3  # detail bodies hold no "jobs" list: not double counted


def test_greenhouse_pay_transparency_gives_up_after_3_failures_in_a_row(http, server):
    server.script("/v1/boards/acme/jobs", json_reply({"jobs": [{"id": i} for i in range(10)]}))
    gh = GreenhouseClient(http, base_url=server.url, settings=FAST)
    records = list(gh.board_jobs("acme", pay_transparency=True))  # details all 404 (unscripted)
    assert len(records) == 1 and len(server.requests) == 4
    assert gh.stats.failed_targets[-1].startswith("greenhouse:acme: pay transparency stopped")


def test_greenhouse_without_pay_transparency_is_one_request(http, server):
    server.script("/v1/boards/acme/jobs", json_reply({"jobs": [{"id": 1}]}))
    gh = GreenhouseClient(http, base_url=server.url)
    assert len(list(gh.board_jobs("acme"))) == 1 and len(server.requests) == 1


def test_ashby_and_glassdoor_request_shapes(http, server):
    server.script("/posting-api/job-board/ramp", json_reply({"jobs": []}))
    server.script("/company-search", json_reply({"status": "OK", "data": []}))
    list(AshbyClient(http, base_url=server.url).job_board("ramp"))
    gd = GlassdoorClient(http, KEY, base_url=server.url)
    records = list(gd.company_search("flighthub", domain="www.glassdoor.ca", limit=5))
    ashby_req, gd_req = server.requests
    assert ashby_req.param("includeCompensation") == "true"
    assert "x-rapidapi-key" not in ashby_req.headers
    assert gd_req.headers["x-rapidapi-key"] == KEY
    assert gd_req.headers["x-rapidapi-host"] == "real-time-glassdoor-data.p.rapidapi.com"
    assert records[0].request_params == {
        "query": "flighthub",
        "domain": "www.glassdoor.ca",
        "limit": 5,
    }


@pytest.mark.parametrize("token", ["../admin", "a b", "", "x/y", "?q=1"])
def test_bad_board_tokens_are_failed_targets_not_requests(http, server, token):
    ashby = AshbyClient(http, base_url=server.url)
    assert list(fetch_boards(ashby, [BoardConfig(token, "X")])) == []
    assert server.requests == []
    assert ashby.stats.failed_targets == [f"ashby:{token}: invalid board token {token!r}"]


def test_shared_budget_across_clients(http, server):
    server.script("/v1/boards/a/jobs", repeat=json_reply({"jobs": [{"id": 1}]}))
    budget, stats = RequestBudget(3), FetchStats()
    gh = GreenhouseClient(http, base_url=server.url, budget=budget, stats=stats)
    boards = [BoardConfig("a", "A")] * 5
    assert len(list(fetch_boards(gh, boards))) == 3
    assert len(server.requests) == 3 and stats.budget_exhausted
    assert stats.failed_targets == ["greenhouse:a: budget exhausted"] * 2


# --- sources.yml -----------------------------------------------------------------------------


def test_repo_sources_yml_loads(monkeypatch):
    monkeypatch.delenv("JOBS_SOURCE_MODE", raising=False)
    monkeypatch.delenv("JOBS_REPLAY_DIR", raising=False)
    config = load_sources_config(REPO_SOURCES_YML)
    assert config.mode == "demo" and config.replay_dir is None
    assert config.demo_postings_per_source == 400
    assert set(config.sources) == set(SOURCES)
    gh = config.sources["greenhouse"]
    assert isinstance(gh, BoardSourceConfig)
    assert {"stripe", "cloudflare"} <= {b.token for b in gh.boards}
    assert "palantir" in {b.token for b in config.sources["lever"].boards}
    assert "ramp" in {b.token for b in config.sources["ashby"].boards}
    js = config.sources["jsearch"]
    assert isinstance(js, JSearchConfig) and js.api_key_env == "JSEARCH_API_KEY"
    gd = config.sources["glassdoor"]
    assert isinstance(gd, GlassdoorConfig) and gd.api_key_env == "GLASSDOOR_API_KEY"
    assert all(s.budget is None or s.budget >= 0 for s in config.sources.values())
    text = REPO_SOURCES_YML.read_text()
    assert "JSEARCH_API_KEY" in text and "GLASSDOOR_API_KEY" in text


def test_env_overrides_and_api_key_from_env(tmp_path):
    path = tmp_path / "sources.yml"
    path.write_text("mode: demo\nreplay_dir: /nope\nsources:\n  jsearch: {budget: 3}\n")
    env = {"JOBS_SOURCE_MODE": "replay", "JOBS_REPLAY_DIR": str(tmp_path), "JSEARCH_API_KEY": KEY}
    config = load_sources_config(path, environ=env)
    assert config.mode == "replay" and config.replay_dir == tmp_path
    assert config.sources["jsearch"].budget == 3
    assert config.sources["jsearch"].new_budget().max_requests == 3
    assert config.sources["jsearch"].api_key(env) == KEY
    assert config.sources["glassdoor"].api_key(env) is None
    assert KEY not in repr(config)


def test_defaults_and_http_overrides(tmp_path):
    path = tmp_path / "s.yml"
    path.write_text(
        "http: {timeout_s: 5, max_attempts: 2}\n"
        "sources:\n  lever: {http: {max_attempts: 6}, page_size: 50}\n"
    )
    config = load_sources_config(path, environ={})
    assert config.mode == "demo" and config.http.timeout_s == 5
    lever = config.sources["lever"]
    assert (lever.http.timeout_s, lever.http.max_attempts, lever.page_size) == (5, 6, 50)
    assert config.sources["ashby"].http.max_attempts == 2
    assert all(config.sources[s].enabled for s in SOURCES)


@pytest.mark.parametrize(
    ("yaml_text", "env", "message"),
    [
        ("mode: production\n", {}, "unknown source mode 'production'"),
        ("mode: demo\n", {"JOBS_SOURCE_MODE": "prod"}, "unknown source mode 'prod'"),
        ("sources:\n  lever: {budget: -1}\n", {}, "sources.lever.budget must be >= 0"),
        ("sources:\n  lever: {budget: lots}\n", {}, "sources.lever.budget must be an integer"),
        ("sources:\n  lever: {budjet: 3}\n", {}, "unknown key(s) ['budjet'] in sources.lever"),
        ("sources:\n  monster: {}\n", {}, "unknown source(s) ['monster']"),
        ("sources:\n  greenhouse: {boards: [{token: a, region: eu}]}\n", {}, "lever only"),
        ("sources:\n  ashby: {boards: [a, a]}\n", {}, "duplicate board 'a'"),
        ("sources:\n  ashby: {boards: [{token: '../x'}]}\n", {}, "boards[0].token"),
        ("sources:\n  jsearch: {api_key_env: sk-abc123}\n", {}, "env var NAME"),
        ("sources:\n  jsearch: {date_posted: yesterday}\n", {}, "date_posted must be one of"),
        ("sources:\n  jsearch: {num_pages: 0}\n", {}, "num_pages must be >= 1"),
        ("http: {max_attempts: 0}\n", {}, "max_attempts must be >= 1"),
        ("demo_postings_per_source: -5\n", {}, "demo_postings_per_source must be >= 0"),
        ("- just\n- a list\n", {}, "top level must be a mapping"),
    ],
)
def test_invalid_configs_raise_clear_errors(tmp_path, yaml_text, env, message):
    path = tmp_path / "sources.yml"
    path.write_text(yaml_text)
    with pytest.raises(ValueError) as info:
        load_sources_config(path, environ=env)
    assert message in str(info.value)


def test_missing_files(tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError):
        load_sources_config(tmp_path / "absent.yml", environ={})
    monkeypatch.setenv("JOBS_TAXONOMY_DIR", str(tmp_path))
    monkeypatch.delenv("JOBS_SOURCE_MODE", raising=False)
    config = load_sources_config()
    assert config.mode == "demo" and set(config.sources) == set(SOURCES)
