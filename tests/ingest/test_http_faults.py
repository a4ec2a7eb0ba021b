"""Fault tests of the shared HTTP layer against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import random
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from job_assets.ingest.clients import (
    AshbyClient,
    JSearchClient,
    LeverClient,
    fetch_boards,
)
from job_assets.ingest.envelope import FetchStats, RawQuarantine, RawResponse
from job_assets.ingest.http import (
    BODY_TEXT_CAP,
    HttpSettings,
    RequestBudget,
    SourceRequestError,
    backoff_delay,
    fetch_json,
    parse_retry_after,
    redact,
)
from job_assets.ingest.sources_config import BoardConfig
from tests.ingest.fault_server import FaultServer, Reply, json_reply

SECRET = "sk-TEST-SECRET-12345"
FAST = HttpSettings(
    timeout_s=2.0, max_attempts=4, backoff_base_s=0.01, backoff_max_s=0.05, jitter=False
)


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client() as client:
        yield client


def get(
    http: httpx.Client,
    server: FaultServer,
    path: str,
    stats: FetchStats,
    *,
    settings: HttpSettings = FAST,
    budget: RequestBudget | None = None,
    sleeps: list[float] | None = None,
    source: str = "jsearch",
    headers: dict[str, str] | None = None,
    secrets: tuple[str, ...] = (),
) -> RawResponse | RawQuarantine | None:
    return fetch_json(
        http,
        "GET",
        server.url + path,
        params={"q": "x", "page": 1},
        headers=headers,
        settings=settings,
        budget=budget,
        stats=stats,
        source=source,
        endpoint=path,
        sleep=(sleeps.append if sleeps is not None else (lambda s: None)),
        secrets=secrets,
    )


# --- Retry-After and backoff -----------------------------------------------------------------


def test_429_retry_after_seconds_is_honored_then_success(http, server):
    server.script(
        "/search",
        Reply(429, {"message": "slow down"}, {"Retry-After": "1"}),
        json_reply({"data": [{"job_id": "a"}, {"job_id": "b"}]}),
    )
    stats, sleeps = FetchStats(), []
    record = get(http, server, "/search", stats, sleeps=sleeps)
    assert isinstance(record, RawResponse)
    assert record.payload == {"data": [{"job_id": "a"}, {"job_id": "b"}]}
    assert record.attempts == 2
    assert record.request_params == {"q": "x", "page": 1}
    assert sleeps == [1.0]
    assert len(server.requests_to("/search")) == 2
    assert (stats.requests, stats.retries, stats.pages, stats.postings, stats.errors) == (
        2,
        1,
        1,
        2,
        0,
    )


def test_429_retry_after_really_waits_with_default_sleep(http, server):
    server.script("/search", Reply(429, b"", {"Retry-After": "1"}), json_reply({"data": []}))
    stats = FetchStats()
    record = fetch_json(
        http,
        "GET",
        server.url + "/search",
        settings=FAST,
        stats=stats,
        source="jsearch",
        endpoint="/search",
    )
    assert isinstance(record, RawResponse)
    first, second = server.requests_to("/search")
    assert second.at - first.at >= 0.95


def test_retry_after_http_date_and_cap(http, server):
    future = email.utils.format_datetime(
        dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30), usegmt=True
    )
    server.script(
        "/search",
        Reply(503, b"", {"Retry-After": future}),
        Reply(429, b"", {"Retry-After": "500"}),
        json_reply({"data": []}),
    )
    sleeps: list[float] = []
    settings = HttpSettings(max_attempts=3, max_retry_after_s=120, jitter=False)
    record = get(http, server, "/search", FetchStats(), settings=settings, sleeps=sleeps)
    assert isinstance(record, RawResponse) and record.attempts == 3
    assert 25 <= sleeps[0] <= 30
    assert sleeps[1] == 120  # 500 s capped by max_retry_after_s


NOW = dt.datetime(2026, 3, 1, 12, 0, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5", 5.0),
        (" 2 ", 2.0),
        ("0", 0.0),
        ("-3", 0.0),
        ("1.5", 1.5),
        ("Sun, 01 Mar 2026 12:00:10 GMT", 10.0),
        ("Sun, 01 Mar 2026 11:00:00 GMT", 0.0),  # in the past
        ("soon", None),
        ("", None),
        (None, None),
        ("nan", None),
    ],
)
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value, now=NOW) == expected


def test_backoff_is_exponential_capped_and_jittered():
    settings = HttpSettings(backoff_base_s=0.5, backoff_max_s=3, jitter=False)
    assert [backoff_delay(n, settings) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    jittered = HttpSettings(backoff_base_s=0.5, backoff_max_s=30, jitter=True)
    rng = random.Random(7)
    values = [backoff_delay(3, jittered, rng) for _ in range(200)]
    assert all(1.0 <= v <= 2.0 for v in values)
    assert len(set(values)) > 150  # really random, not a constant


# --- Retries exhausted, non-retryable statuses -----------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
def test_repeated_retryable_status_makes_exactly_max_attempts_requests(http, server, status):
    server.script("/v0/postings/bad", repeat=Reply(status, {"error": "boom"}))
    stats, sleeps = FetchStats(), []
    with pytest.raises(SourceRequestError) as info:
        get(http, server, "/v0/postings/bad", stats, sleeps=sleeps, source="lever")
    err = info.value
    assert len(server.requests_to("/v0/postings/bad")) == FAST.max_attempts == 4
    assert (err.status, err.attempts, err.reason) == (status, 4, f"HTTP {status} after 4 attempts")
    assert str(err) == f"lever GET /v0/postings/bad: HTTP {status} after 4 attempts"
    assert sleeps == [0.01, 0.02, 0.04]
    assert (stats.requests, stats.retries, stats.errors, stats.pages) == (4, 3, 1, 0)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422])
def test_client_errors_are_not_retried(http, server, status):
    server.script("/v1/boards/nope/jobs", repeat=Reply(status, {"error": "no"}))
    stats = FetchStats()
    with pytest.raises(SourceRequestError) as info:
        get(http, server, "/v1/boards/nope/jobs", stats, source="greenhouse")
    assert len(server.requests_to("/v1/boards/nope/jobs")) == 1
    assert info.value.status == status
    assert f"HTTP {status}" in str(info.value) and "/v1/boards/nope/jobs" in str(info.value)
    assert (stats.retries, stats.errors) == (0, 1)


def test_fetch_boards_keeps_going_after_a_failed_board(http, server):
    server.script("/v0/postings/bad", repeat=Reply(500, b"oops"))
    server.script("/v0/postings/good", json_reply([{"id": "p1"}, {"id": "p2"}]))
    lever = LeverClient(http, base_url=server.url, settings=FAST, sleep=lambda s: None)
    boards = [BoardConfig("bad", "Bad Co"), BoardConfig("good", "Good Co")]
    records = list(fetch_boards(lever, boards))
    assert [(r.board, r.company_name, r.payload) for r in records] == [
        ("good", "Good Co", [{"id": "p1"}, {"id": "p2"}])
    ]
    assert lever.stats.failed_targets == ["lever:bad: HTTP 500 after 4 attempts"]
    assert len(server.requests_to("/v0/postings/bad")) == 4
    assert (lever.stats.postings, lever.stats.errors) == (2, 1)


def test_connection_refused_is_retried_then_raised(http):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    stats, sleeps = FetchStats(), []
    with pytest.raises(SourceRequestError, match="connection error") as info:
        fetch_json(
            http,
            "GET",
            f"http://127.0.0.1:{port}/x",
            settings=FAST,
            stats=stats,
            source="ashby",
            endpoint="/x",
            sleep=sleeps.append,
        )
    assert info.value.status is None and info.value.attempts == 4
    assert (stats.requests, stats.retries, len(sleeps)) == (4, 3, 3)


# --- Timeouts ----------------------------------------------------------------------------------


def test_slow_response_times_out_is_retried_then_fails(http, server):
    server.script("/slow", repeat=Reply(200, {"data": []}, delay_s=1.0))
    settings = HttpSettings(timeout_s=0.3, max_attempts=2, backoff_base_s=0, jitter=False)
    stats = FetchStats()
    started = time.monotonic()
    with pytest.raises(SourceRequestError, match=r"timeout \(ReadTimeout\) after 2 attempts"):
        get(http, server, "/slow", stats, settings=settings)
    elapsed = time.monotonic() - started
    assert len(server.requests_to("/slow")) == 2
    assert elapsed < 1.5  # two 0.3 s timeouts, never the 1 s delay twice
    assert (stats.requests, stats.retries, stats.errors) == (2, 1, 1)


def test_timeout_then_fast_success(http, server):
    server.script("/slow", Reply(200, {"data": [1]}, delay_s=1.0), json_reply({"data": [1, 2]}))
    settings = HttpSettings(timeout_s=0.3, max_attempts=3, backoff_base_s=0, jitter=False)
    record = get(http, server, "/slow", FetchStats(), settings=settings)
    assert isinstance(record, RawResponse)
    assert (record.payload, record.attempts) == ({"data": [1, 2]}, 2)


# --- Truncated and invalid bodies ------------------------------------------------------------


def test_truncated_body_is_retried_then_quarantined(http, server):
    """Choice: a body cut short by the peer is a transient fault, so it is retried; if every
    attempt is cut short, the bytes that arrived are quarantined (not raised)."""
    body = json.dumps({"data": [{"job_id": str(i)} for i in range(50)]}).encode()
    server.script("/search", repeat=Reply(200, body, truncate_after=40))
    settings = HttpSettings(max_attempts=3, backoff_base_s=0, jitter=False, timeout_s=2)
    stats = FetchStats()
    record = get(http, server, "/search", stats, settings=settings)
    assert isinstance(record, RawQuarantine)
    assert record.error.startswith(f"truncated body: received 40 of {len(body)} bytes")
    assert record.error.endswith("after 3 attempts")
    assert record.body_text == body[:40].decode()
    assert record.attempts == 3 and record.http_status == 200
    assert len(server.requests_to("/search")) == 3
    assert (stats.pages, stats.errors, stats.retries, stats.postings) == (0, 1, 2, 0)


def test_truncated_once_then_complete(http, server):
    body = json.dumps({"data": [1, 2, 3]}).encode()
    server.script("/search", Reply(200, body, truncate_after=5), Reply(200, body))
    record = get(http, server, "/search", FetchStats())
    assert isinstance(record, RawResponse)
    assert (record.payload, record.attempts) == ({"data": [1, 2, 3]}, 2)


@pytest.mark.parametrize(
    ("body", "error_start"),
    [
        (b"<html>Service Unavailable</html>", "invalid JSON: Expecting value"),
        (b'{"data": [{"job_id": "a"}, {"job_', "truncated JSON: "),
        (b"", "empty body"),
        (b"   \n", "empty body"),
        (b'{"a": 1} trailing', "invalid JSON: Extra data"),
        (b"\xff\xfe\xfa not utf", "invalid JSON"),
    ],
)
def test_unusable_2xx_body_is_quarantined_without_retry(http, server, body, error_start):
    server.script("/search", Reply(200, body))
    stats = FetchStats()
    record = get(http, server, "/search", stats)
    assert isinstance(record, RawQuarantine)
    assert record.error.startswith(error_start)
    assert record.body_text == body.decode("utf-8", "replace")
    assert record.request_params == {"q": "x", "page": 1}
    assert len(server.requests_to("/search")) == 1
    assert (stats.errors, stats.pages, stats.retries) == (1, 0, 0)


def test_quarantine_body_text_is_capped(http, server):
    server.script("/search", Reply(200, b"x" * (BODY_TEXT_CAP + 5000)))
    record = get(http, server, "/search", FetchStats())
    assert isinstance(record, RawQuarantine) and len(record.body_text) == BODY_TEXT_CAP


def test_invalid_json_board_is_quarantined_and_the_run_goes_on(http, server):
    server.script("/posting-api/job-board/broken", Reply(200, b"{not json"))
    server.script("/posting-api/job-board/ramp", json_reply({"jobs": [{"id": "j1"}]}))
    ashby = AshbyClient(http, base_url=server.url, settings=FAST)
    records = list(
        fetch_boards(ashby, [BoardConfig("broken", "Broken"), BoardConfig("ramp", "Ramp")])
    )
    assert [type(r).__name__ for r in records] == ["RawQuarantine", "RawResponse"]
    assert records[0].board == "broken" and records[1].payload == {"jobs": [{"id": "j1"}]}
    assert (ashby.stats.errors, ashby.stats.pages, ashby.stats.postings) == (1, 1, 1)
    assert ashby.stats.failed_targets == []


# --- Budget ----------------------------------------------------------------------------------


def test_budget_zero_sends_nothing(http, server):
    server.script("/search", repeat=json_reply({"data": [1]}))
    stats = FetchStats()
    assert get(http, server, "/search", stats, budget=RequestBudget(0)) is None
    assert server.requests == [] and stats.budget_exhausted and stats.requests == 0


def test_budget_cuts_retries_short(http, server):
    server.script("/search", repeat=Reply(500, b""))
    stats, budget = FetchStats(), RequestBudget(2)
    with pytest.raises(SourceRequestError, match="budget exhausted after 2 attempts"):
        get(http, server, "/search", stats, budget=budget)
    assert len(server.requests) == 2 and stats.budget_exhausted and budget.remaining == 0


@pytest.mark.parametrize("max_requests", [1, 2, 3, 5, 8])
def test_budget_is_never_exceeded_across_boards(http, server, max_requests):
    full_pages = [json_reply([{"id": f"a{2 * i}"}, {"id": f"a{2 * i + 1}"}]) for i in range(20)]
    server.script("/v0/postings/a", *full_pages)
    server.script("/v0/postings/b", repeat=Reply(503, b""))
    server.script("/v0/postings/c", repeat=json_reply([{"id": "c1"}]))
    lever = LeverClient(
        http,
        base_url=server.url,
        limit=2,
        max_pages=100,
        settings=FAST,
        budget=RequestBudget(max_requests),
        sleep=lambda s: None,
    )
    boards = [BoardConfig("b", "B"), BoardConfig("a", "A"), BoardConfig("c", "C")]
    records = list(fetch_boards(lever, boards))
    assert len(server.requests) == max_requests == lever.stats.requests
    assert lever.stats.budget_exhausted
    assert lever.stats.failed_targets[-1] == "lever:c: budget exhausted"
    assert all(r.board == "a" for r in records)


def test_lever_pages_stop_at_budget_as_partial(http, server):
    server.script("/v0/postings/a", repeat=json_reply([{"id": 1}, {"id": 2}]))
    # distinct first ids so the "server ignored skip" guard does not fire
    server.script(
        "/v0/postings/a", json_reply([{"id": 1}, {"id": 2}]), json_reply([{"id": 3}, {"id": 4}])
    )
    lever = LeverClient(http, base_url=server.url, limit=2, budget=RequestBudget(2))
    records = list(fetch_boards(lever, [BoardConfig("a", "A")]))
    assert len(records) == 2 and len(server.requests) == 2
    assert lever.stats.failed_targets == ["lever:a: budget exhausted (partial)"]


# --- Secrets -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "secrets", "expected"),
    [
        (f"key={SECRET}!", [SECRET], "key=***!"),
        ("a%2Fb%2Bc%3Dd and a/b+c=d", ["a/b+c=d"], "*** and ***"),
        ("abc stays", ["abc"], "abc stays"),  # too short to be a credential
        ("one two", ["one1", "two2", ""], "one two"),
        ("tok1234 and key5678", ["tok1234", "key5678"], "*** and ***"),
    ],
)
def test_redact(text, secrets, expected):
    assert redact(text, secrets) == expected


def test_api_key_never_leaks(http, server):
    """Every outcome of a JSearch call with a real key header: the key reaches the server and
    appears in no envelope, quarantine record, stats, exception (str and repr) or client repr."""
    ok = {"status": "OK", "data": [{"job_id": "a"}]}
    server.script(
        "/search",
        json_reply(ok),  # q1 page 1
        json_reply({"data": []}),  # q1 page 2: end
        Reply(200, f"not json, key echoed: {SECRET}".encode()),  # q2
        Reply(200, json.dumps(ok).encode(), truncate_after=7),  # q3: truncated x2
        Reply(200, json.dumps(ok).encode(), truncate_after=7),
    )
    server.script(
        "/job-details",
        Reply(401, {"message": f"bad key {SECRET}"}),
        repeat=Reply(200, {"data": []}, delay_s=1.0),
    )
    settings = HttpSettings(timeout_s=0.3, max_attempts=2, backoff_base_s=0, jitter=False)
    client = JSearchClient(http, SECRET, base_url=server.url, settings=settings)
    records: list[RawResponse | RawQuarantine] = []
    errors: list[Exception] = []
    for query in ("q1", "q2", "q3"):
        records.extend(client.search(query, max_pages=3))
    for _ in range(2):  # 401, then a timeout
        try:
            records.extend(client.job_details(["a", "b"]))
        except SourceRequestError as exc:
            errors.append(exc)
    server.script("/search", repeat=Reply(500, b""))
    try:
        list(client.search("q4"))
    except SourceRequestError as exc:
        errors.append(exc)

    assert [type(r).__name__ for r in records] == [
        "RawResponse",
        "RawResponse",
        "RawQuarantine",
        "RawQuarantine",
    ]
    assert [e.status for e in errors] == [401, None, 500]
    assert all(r.headers["x-rapidapi-key"] == SECRET for r in server.requests)
    assert all(r.headers["x-rapidapi-host"] == "jsearch.p.rapidapi.com" for r in server.requests)
    dumped = json.dumps([r.to_envelope() for r in records]) + json.dumps(client.stats.as_metadata())
    dumped += "".join(str(e) + repr(e) + repr(e.args) for e in errors) + repr(client)
    assert SECRET not in dumped
    assert "***" in records[2].body_text  # the echoed key was redacted from the diagnosis text
