"""Live mode against a real local server: the API keys are sent, and stored nowhere else."""

from __future__ import annotations

import gzip
import json
import logging

import dagster as dg

from job_assets.ingest.assets import raw_payload_assets
from job_assets.ingest.company_assets import company_profiles, raw_glassdoor_payloads
from job_assets.normalize.assets import normalized_job_postings
from tests.conftest import FIXTURES
from tests.ingest.fault_server import FaultServer, json_reply

JSEARCH_KEY = "sk-TEST-JSEARCH-7f3a9c1e55"
GLASSDOOR_KEY = "gd-TEST-GLASSDOOR-0b8e4d22aa"
DAY = "2026-11-20"


def _fixture(name: str):
    return json.loads((FIXTURES / "real" / name).read_text())


def _all_stored_text(root) -> str:
    chunks = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if path.name.endswith(".gz"):
                data = gzip.decompress(data)
            chunks.append(data.decode("utf-8", "replace"))
    return "\n".join(chunks)


def test_live_run_uses_the_keys_and_stores_them_nowhere(tmp_path, monkeypatch, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    with FaultServer() as server:
        server.script(
            "/search",
            json_reply(_fixture("jsearch_1.json")),
            repeat=json_reply({"status": "OK", "data": []}),
        )
        server.script("/v1/boards/stripe/jobs", repeat=json_reply(_fixture("greenhouse_2.json")))
        server.script("/v0/postings/palantir", repeat=json_reply(_fixture("lever_1.json")))
        server.script("/posting-api/job-board/ramp", repeat=json_reply(_fixture("ashby_1.json")))
        server.script("/company-search", repeat=json_reply(_fixture("glassdoor_1.json")))
        env = {
            "JOBS_DATA_DIR": str(tmp_path / "data"),
            "JOBS_SOURCE_MODE": "live",
            "JSEARCH_API_KEY": JSEARCH_KEY,
            "GLASSDOOR_API_KEY": GLASSDOOR_KEY,
            **{
                f"JOBS_{s.upper()}_BASE_URL": server.url
                for s in ("jsearch", "greenhouse", "lever", "ashby", "glassdoor")
            },
        }
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        result = dg.materialize(
            [
                *raw_payload_assets,
                normalized_job_postings,
                raw_glassdoor_payloads,
                company_profiles,
            ],
            partition_key=DAY,
        )
        assert result.success
        sent = server.requests_to("/search")
        company_lookups = server.requests_to("/company-search")

    # the keys really were used, in headers only
    assert sent and all(r.headers.get("x-rapidapi-key") == JSEARCH_KEY for r in sent)
    assert company_lookups and company_lookups[0].headers.get("x-rapidapi-key") == GLASSDOOR_KEY
    assert all(JSEARCH_KEY not in json.dumps(r.query) for r in sent)

    # ... and appear nowhere: data root (raw envelopes, lake, state), logs, run metadata
    stored = _all_stored_text(tmp_path / "data")
    assert "Nabu Casa" in stored  # the scan really reads the landed payloads
    events = " ".join(repr(e) for e in result.all_events)
    printed = capsys.readouterr()
    for secret in (JSEARCH_KEY, GLASSDOOR_KEY):
        assert secret not in stored
        assert secret not in caplog.text
        assert secret not in printed.out + printed.err
        assert secret not in events

    # boards that answered landed; the ones the server does not know are recorded as failed
    metadata = {
        e.asset_key.to_user_string(): e.step_materialization_data.materialization.metadata
        for e in result.get_asset_materialization_events()
    }
    greenhouse = metadata["raw_greenhouse_payloads"]
    assert greenhouse["postings"].value == 3
    assert any("cloudflare" in t for t in greenhouse["failed_targets"].value)


def test_live_jsearch_without_a_key_is_a_failed_source_not_a_failed_run(tmp_path, monkeypatch):
    monkeypatch.setenv("JOBS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("JOBS_SOURCE_MODE", "live")
    monkeypatch.delenv("JSEARCH_API_KEY", raising=False)
    result = dg.materialize([raw_payload_assets[0]], partition_key=DAY)
    assert result.success
    (check,) = result.get_asset_check_evaluations()
    assert check.check_name == "fetch_succeeded" and not check.passed
    failed = check.metadata["failed_targets"].value
    assert len(failed) == 1 and "JSEARCH_API_KEY" in failed[0]
