"""Run-summary formatting and webhook delivery against a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime, timedelta

import pytest

from job_assets.notify.summary import (
    RunSummary,
    TopMatch,
    build_webhook_payload,
    flavor_for_url,
    format_duration,
    format_partitions,
    split_flavor,
    summary_text,
)
from job_assets.notify.webhook import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    parse_webhook_urls,
    post_summary,
    redact_url,
    sign,
    verify_signature,
)
from tests.notify.receivers import WebhookReceiver, unused_port

SECRET = "s3cr3t-hmac-key-do-not-leak"
SECRET_PATH = "/services/T0001/B0002/XyZsecretTokenPath"
T0 = datetime(2026, 11, 22, 6, 0, 0, tzinfo=UTC)


def _match(**over: object) -> TopMatch:
    base: dict[str, object] = {
        "campaign_id": "c1",
        "campaign_name": "Data Engineer Toronto",
        "title": "Senior Data Engineer",
        "company_name": "Acme",
        "score": 87.4,
        "reasons": ["dbt + DuckDB match", "Toronto hybrid", "seniority fits"],
        "apply_url": "https://jobs.example.com/apply/1",
        "location": "Toronto, ON",
        "salary_text": "CAD 140k–160k",
        "missing_skill": "Kafka",
        "job_id": "j1",
    }
    base.update(over)
    return TopMatch(**base)  # type: ignore[arg-type]


def _summary(**over: object) -> RunSummary:
    base: dict[str, object] = {
        "run_id": "run-abc123",
        "job_name": "daily_run",
        "status": "SUCCESS",
        "partitions": ["2026-11-22"],
        "started_at": T0,
        "ended_at": T0 + timedelta(seconds=72),
        "stage_counts": {
            "fetched": 1234,
            "normalized": 1200,
            "quarantined": 34,
            "unique": 900,
            "ranked": 9000,
            "exported": 9000,
        },
        "failed_checks": [],
        "failed_steps": [],
        "source_failures": [],
        "top_matches": [_match(), _match(job_id="j2", title="Analytics <&> Engineer", score=71)],
        "is_backfill": False,
        "backfill_id": None,
        "dagster_url": "http://localhost:3000/runs/run-abc123",
    }
    base.update(over)
    return RunSummary(**base)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- pure formatting


def test_summary_text_success_line() -> None:
    assert summary_text(_summary()) == (
        "✅ job-lakehouse daily run 2026-11-22 succeeded in 1m 12s: fetched 1,234 → "
        "normalized 1,200 → quarantined 34 → unique 900 → ranked 9,000 → exported 9,000"
    )


def test_summary_text_failure_backfill_and_problems() -> None:
    s = _summary(
        status="FAILURE",
        partitions=[f"2026-11-0{d}" for d in (3, 1, 2, 7, 4, 5, 6)],
        is_backfill=True,
        backfill_id="bf-1",
        stage_counts={"fetched": 10},
        failed_steps=["normalize_postings"],
        failed_checks=[{"asset": "postings", "check": "unique_id", "message": "2 dupes"}],
        source_failures=["lever", "ashby"],
        ended_at=T0 + timedelta(hours=2, minutes=3),
    )
    assert summary_text(s) == (
        "❌ job-lakehouse daily run backfill 2026-11-01 … 2026-11-07 (7 partitions) failed after "
        "2h 03m: fetched 10; failed steps: normalize_postings; 1 failed check; "
        "source failures: lever, ashby"
    )


def test_summary_text_canceled_without_times_or_counts() -> None:
    s = _summary(status="CANCELED", started_at=None, stage_counts={}, partitions=[])
    assert summary_text(s) == "⚠️ job-lakehouse daily run was canceled"


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (None, ""),
        (0, "0s"),
        (0.4, "0s"),
        (42, "42s"),
        (59.6, "1m 0s"),
        (72, "1m 12s"),
        (3600, "1h 00m"),
        (7380, "2h 03m"),
        (90000, "1d 1h"),
        (-5, "0s"),
    ],
)
def test_format_duration(seconds: float | None, expected: str) -> None:
    assert format_duration(seconds) == expected


@pytest.mark.parametrize(
    ("partitions", "expected"),
    [
        ([], ""),
        (["2026-11-22"], "2026-11-22"),
        (["2026-11-22", "2026-11-22"], "2026-11-22"),
        (["2026-11-02", "2026-11-01"], "2026-11-01 … 2026-11-02 (2 partitions)"),
        ([f"2026-11-0{d}" for d in range(1, 8)], "2026-11-01 … 2026-11-07 (7 partitions)"),
    ],
)
def test_format_partitions(partitions: list[str], expected: str) -> None:
    assert format_partitions(partitions) == expected


@pytest.mark.parametrize(
    ("url", "flavor", "posted"),
    [
        (
            "https://hooks.slack.com/services/T/B/X",
            "slack",
            "https://hooks.slack.com/services/T/B/X",
        ),
        ("https://acme.webhook.office.com/webhookb2/x", "teams", None),
        ("https://prod-12.westus.logic.azure.com:443/workflows/x", "teams", None),
        ("https://example.com/hook", "json", None),
        ("json+https://hooks.slack.com/services/x", "json", "https://hooks.slack.com/services/x"),
        ("slack+http://127.0.0.1:9/x", "slack", "http://127.0.0.1:9/x"),
        ("TEAMS+https://example.com/x", "teams", "https://example.com/x"),
        ("https://example.com/a+b", "json", "https://example.com/a+b"),
        ("bogus+https://example.com/x", "json", "bogus+https://example.com/x"),
        ("https://evilhooks.slack.com.example.org/x", "json", None),
    ],
)
def test_flavor_selection(url: str, flavor: str, posted: str | None) -> None:
    assert flavor_for_url(url) == flavor
    assert split_flavor(url) == (flavor, posted or url)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, []),
        ("", []),
        ("  \n ", []),
        ("https://a/x", ["https://a/x"]),
        (
            "https://a/x, https://b/y\nhttps://c/z  https://a/x",
            ["https://a/x", "https://b/y", "https://c/z"],
        ),
        (",,https://a/x,,", ["https://a/x"]),
    ],
)
def test_parse_webhook_urls(value: str | None, expected: list[str]) -> None:
    assert parse_webhook_urls(value) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://hooks.slack.com/services/T/B/SECRET?x=1#f", "https://hooks.slack.com/…"),
        ("http://user:pw@127.0.0.1:8080/p?token=abc", "http://127.0.0.1:8080/…"),
        ("not a url", "<invalid url>"),
        ("http://[::1]:99/x", "http://[::1]:99/…"),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected


def test_slack_payload_shape_and_escaping() -> None:
    p = build_webhook_payload(_summary(), "slack")
    assert p["text"] == summary_text(_summary())
    blocks = p["blocks"]
    assert isinstance(blocks, list) and blocks
    assert all(isinstance(b, dict) and "type" in b for b in blocks)
    sections = [b for b in blocks if b["type"] == "section"]
    assert any("fields" in b and all(f["type"] == "mrkdwn" for f in b["fields"]) for b in sections)
    assert all(len(b.get("fields", [])) <= 10 for b in sections)
    everything = json.dumps(blocks, ensure_ascii=False)
    assert "<https://jobs.example.com/apply/1|Senior Data Engineer>" in everything
    # raw "<&>" in a title would break Slack mrkdwn; it must arrive escaped
    assert "Analytics &lt;&amp;&gt; Engineer" in everything
    assert "Analytics <&> Engineer" not in everything
    assert "<http://localhost:3000/runs/run-abc123|Open run in Dagster>" in everything


def test_teams_payload_has_adaptive_card() -> None:
    p = build_webhook_payload(_summary(status="FAILURE", failed_steps=["rank"]), "teams")
    assert p["type"] == "message"
    assert p["text"].startswith("❌ job-lakehouse daily run")
    (att,) = p["attachments"]
    assert att["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = att["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    factsets = [b for b in card["body"] if b["type"] == "FactSet"]
    assert factsets
    facts = {f["title"]: f["value"] for f in factsets[0]["facts"]}
    assert facts["Status"] == "FAILURE" and facts["Duration"] == "1m 12s"
    assert card["actions"][0]["url"] == "http://localhost:3000/runs/run-abc123"
    assert any("Failed step: rank" in b.get("text", "") for b in card["body"])


def test_json_payload_is_structured_and_serialisable() -> None:
    s = _summary(failed_checks=[{"asset": "a", "check": "c", "message": "m"}])
    p = json.loads(json.dumps(build_webhook_payload(s, "json")))
    assert p["text"] == summary_text(s)
    assert p["status"] == "SUCCESS" and p["run_id"] == "run-abc123"
    assert p["stage_counts"]["fetched"] == 1234
    assert p["started_at"] == T0.isoformat() and p["duration_s"] == 72.0
    assert p["failed_checks"] == [{"asset": "a", "check": "c", "message": "m"}]
    assert [m["job_id"] for m in p["top_matches"]] == ["j1", "j2"]
    assert p["top_matches"][0]["reasons"][0] == "dbt + DuckDB match"


def test_unknown_flavor_rejected() -> None:
    with pytest.raises(ValueError, match="flavor"):
        build_webhook_payload(_summary(), "discord")


# ----------------------------------------------------------------------------- signatures


def test_sign_matches_independent_hmac_and_verifies() -> None:
    body, ts = b'{"a":1}', 1_700_000_000
    expected = hmac.new(SECRET.encode(), b"1700000000." + body, hashlib.sha256).hexdigest()
    assert sign(body, SECRET, ts) == expected
    header = f"sha256={expected}"
    assert verify_signature(body, SECRET, ts, header)
    assert verify_signature(body, SECRET, str(ts), header)
    assert not verify_signature(body, "wrong", ts, header)
    assert not verify_signature(body + b" ", SECRET, ts, header)
    assert not verify_signature(body, SECRET, ts + 1, header)
    assert not verify_signature(body, SECRET, ts, expected)  # missing "sha256=" prefix
    assert not verify_signature(body, SECRET, ts, None)
    assert not verify_signature(body, SECRET, "nope", header)
    assert verify_signature(body, SECRET, ts, header, tolerance_s=300, now=ts + 299)
    assert not verify_signature(body, SECRET, ts, header, tolerance_s=300, now=ts + 301)


# ----------------------------------------------------------------------------- real HTTP delivery


def test_delivery_signed_and_verifiable() -> None:
    sleeps: list[float] = []
    with WebhookReceiver() as rx:
        results = post_summary(_summary(), [rx.url(SECRET_PATH)], SECRET, sleep=sleeps.append)
    (r,) = results
    assert (r.ok, r.status, r.attempts, r.error, r.flavor) == (True, 200, 1, None, "json")
    assert sleeps == []
    (req,) = rx.requests
    assert req.path == SECRET_PATH
    assert req.headers["Content-Type"].startswith("application/json")
    payload = json.loads(req.body)
    assert payload["text"] == summary_text(_summary())
    ts, sig = req.headers[TIMESTAMP_HEADER], req.headers[SIGNATURE_HEADER]
    assert sig.startswith("sha256=")
    assert verify_signature(req.body, SECRET, ts, sig, tolerance_s=60)
    assert not verify_signature(req.body, "wrong-secret", ts, sig)


def test_no_secret_means_no_signature_headers() -> None:
    with WebhookReceiver() as rx:
        (r,) = post_summary(_summary(), [rx.url()], None)
    assert r.ok
    assert SIGNATURE_HEADER not in rx.requests[0].headers
    assert TIMESTAMP_HEADER not in rx.requests[0].headers


def test_flavor_prefix_sends_slack_payload_to_stripped_url() -> None:
    with WebhookReceiver() as rx:
        (r,) = post_summary(_summary(), ["slack+" + rx.url(SECRET_PATH)])
    assert r.ok and r.flavor == "slack"
    assert rx.requests[0].path == SECRET_PATH
    body = json.loads(rx.requests[0].body)
    assert isinstance(body["blocks"], list) and body["text"].startswith("✅")


def test_retries_500_twice_then_succeeds() -> None:
    sleeps: list[float] = []
    with WebhookReceiver([500, 500, 200]) as rx:
        (r,) = post_summary(_summary(), [rx.url()], SECRET, sleep=sleeps.append, backoff_s=0.5)
    assert (r.ok, r.status, r.attempts) == (True, 200, 3)
    assert len(rx.requests) == 3
    assert sleeps == [0.5, 1.0]
    for req in rx.requests:  # every attempt is signed on its own
        assert verify_signature(
            req.body, SECRET, req.headers[TIMESTAMP_HEADER], req.headers[SIGNATURE_HEADER]
        )


def test_always_500_gives_up_without_raising() -> None:
    sleeps: list[float] = []
    with WebhookReceiver(default_status=503) as rx:
        (r,) = post_summary(_summary(), [rx.url()], max_attempts=4, sleep=sleeps.append)
    assert (r.ok, r.status, r.attempts, r.error) == (False, 503, 4, "HTTP 503")
    assert len(rx.requests) == 4
    assert sleeps == [0.5, 1.0, 2.0]


def test_client_error_is_not_retried() -> None:
    with WebhookReceiver(default_status=404) as rx:
        (r,) = post_summary(_summary(), [rx.url()], sleep=lambda s: None)
    assert (r.ok, r.status, r.attempts) == (False, 404, 1)
    assert len(rx.requests) == 1


def test_429_honours_retry_after() -> None:
    sleeps: list[float] = []
    with WebhookReceiver([429, 200], extra_headers={"Retry-After": "3"}) as rx:
        (r,) = post_summary(_summary(), [rx.url()], sleep=sleeps.append, backoff_s=0.1)
    assert r.ok and r.attempts == 2
    assert sleeps == [3.0]


def test_unreachable_port_is_a_failure_result() -> None:
    sleeps: list[float] = []
    url = f"http://127.0.0.1:{unused_port()}{SECRET_PATH}"
    (r,) = post_summary(_summary(), [url], SECRET, max_attempts=3, sleep=sleeps.append)
    assert (r.ok, r.status, r.attempts) == (False, None, 3)
    assert r.error and "ConnectError" in r.error
    assert len(sleeps) == 2


def test_timeout_is_retried_then_reported() -> None:
    with WebhookReceiver(delay_s=0.6) as rx:
        (r,) = post_summary(
            _summary(), [rx.url()], timeout_s=0.15, max_attempts=2, sleep=lambda s: None
        )
    assert (r.ok, r.attempts) == (False, 2)
    assert r.error and r.error.startswith("timeout")
    assert len(rx.requests) == 2


def test_one_bad_url_does_not_stop_the_others() -> None:
    bad = f"http://127.0.0.1:{unused_port()}/x"
    with WebhookReceiver() as rx:
        results = post_summary(_summary(), ["ftp://example.com/x", bad, rx.url()], max_attempts=1)
    assert [r.ok for r in results] == [False, False, True]
    assert results[0].attempts == 0 and results[0].error == "unsupported or invalid URL"
    assert len(rx.requests) == 1


def test_secret_and_url_path_never_leak(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # includes httpx / httpcore debug output
    query = "?token=QueryTokenValue123"
    with WebhookReceiver([500, 200]) as rx:
        urls = [
            rx.url(SECRET_PATH + query),
            f"http://127.0.0.1:{unused_port()}{SECRET_PATH}{query}",
        ]
        results = post_summary(_summary(), urls, SECRET, max_attempts=2, sleep=lambda s: None)
    assert [r.ok for r in results] == [True, False]
    dumped = repr(results) + caplog.text
    for secret_bit in (SECRET, SECRET_PATH, "XyZsecretTokenPath", "QueryTokenValue123"):
        assert secret_bit not in dumped
    assert all(r.url.endswith("/…") for r in results)
    assert f"127.0.0.1:{rx.port}/…" in caplog.text  # the redacted form is what gets logged
