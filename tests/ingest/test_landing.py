"""Raw landing: verbatim, atomic, and a failed target keeps what was stored before."""

from __future__ import annotations

import datetime as dt
import gzip

import pytest

from job_assets.ingest.envelope import JOB_SOURCES, FetchStats, RawQuarantine, RawResponse
from job_assets.ingest.landing import land_records, quarantine_file_for
from job_assets.ingest.sources import demo_records
from job_assets.ingest.synthetic import generate_payloads
from job_assets.storage import json_line, read_jsonl_gz


def _board(token: str, jobs: list[dict]) -> RawResponse:
    return RawResponse(
        source="ashby",
        endpoint=f"/posting-api/job-board/{token}",
        request_params={},
        payload={"jobs": jobs},
        board=token,
    )


def test_a_board_that_fails_on_a_rerun_keeps_its_previous_responses(tmp_path):
    raw = tmp_path / "raw" / "ashby" / "2026-11-20.jsonl.gz"
    land_records(
        raw, [_board("ramp", [{"id": "r1"}]), _board("notion", [{"id": "n1"}])], FetchStats()
    )
    stats = FetchStats(failed_targets=["ashby:notion: HTTP 500 after 4 attempts"])
    result = land_records(raw, [_board("ramp", [{"id": "r2"}])], stats)
    envelopes = list(read_jsonl_gz(raw))
    assert {(e["board"], e["payload"]["jobs"][0]["id"]) for e in envelopes} == {
        ("ramp", "r2"),
        ("notion", "n1"),
    }
    assert result.carried_over == 1 and result.responses == 1


def test_a_source_that_fetched_nothing_keeps_the_whole_previous_day(tmp_path):
    raw = tmp_path / "raw" / "jsearch" / "2026-11-20.jsonl.gz"
    first = RawResponse(
        source="jsearch",
        endpoint="/search",
        request_params={"query": "x"},
        payload={"data": [{"job_id": "a"}]},
    )
    land_records(raw, [first], FetchStats())
    land_records(raw, [], FetchStats(failed_targets=["jsearch: MissingApiKeyError: ..."]))
    assert [e["payload"] for e in read_jsonl_gz(raw)] == [{"data": [{"job_id": "a"}]}]


def test_quarantined_bodies_go_to_their_own_file_and_a_clean_rerun_removes_it(tmp_path):
    raw = tmp_path / "raw" / "lever" / "2026-11-20.jsonl.gz"
    bad = RawQuarantine(
        source="lever",
        endpoint="/v0/postings/x",
        request_params={},
        error="invalid JSON: Expecting value",
        body_text="<html>",
    )
    result = land_records(raw, [bad], FetchStats())
    assert result.quarantined == 1
    assert list(read_jsonl_gz(quarantine_file_for(raw)))[0]["body_text"] == "<html>"
    land_records(raw, [], FetchStats())
    assert not quarantine_file_for(raw).exists()
    assert list(read_jsonl_gz(raw)) == []


@pytest.mark.parametrize("source", JOB_SOURCES)
def test_a_demo_day_lands_each_generated_body_verbatim_with_its_byte_count(tmp_path, source):
    # demo records carry their body already serialized (once, for the byte count too)
    day = dt.date(2026, 3, 2)
    stats = FetchStats()
    raw = tmp_path / f"{source}.jsonl.gz"
    land_records(raw, demo_records(source, day, 250, stats), stats)
    generated = [g.payload for g in generate_payloads(source, day, 250)]
    landed = list(read_jsonl_gz(raw))
    assert [envelope["payload"] for envelope in landed] == generated
    assert {envelope["mode"] for envelope in landed} == {"demo"}
    assert stats.bytes == sum(len(json_line(payload)) for payload in generated)
    assert stats.postings == 250 and stats.pages == len(generated)


@pytest.mark.parametrize("source", JOB_SOURCES)
def test_a_demo_day_rendered_in_worker_processes_lands_the_same_file(tmp_path, source):
    # the workers are forked while the gzip writer's threads run: the landed lines and the
    # fetch counts must not depend on how many processes rendered the postings
    day = dt.date(2026, 3, 2)
    landed = {}
    for workers in (1, 2):
        stats = FetchStats()
        raw = tmp_path / f"{workers}" / f"{source}.jsonl.gz"
        land_records(raw, demo_records(source, day, 5_000, stats, workers=workers), stats)
        with gzip.open(raw, "rb") as fh:
            landed[workers] = (fh.read(), stats.postings, stats.pages, stats.bytes)
    assert landed[2] == landed[1]
    assert landed[1][1] == 5_000
