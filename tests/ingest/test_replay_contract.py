"""Contract tests: every real recorded response, replayed through the raw assets, lands verbatim
and every posting reaches the normalized lake or the quarantine."""

from __future__ import annotations

import json
import shutil

import dagster as dg
import polars as pl
import pytest

from job_assets.ingest.assets import raw_payload_assets
from job_assets.ingest.company_assets import company_profiles, raw_glassdoor_payloads
from job_assets.ingest.envelope import count_postings
from job_assets.normalize.assets import normalized_job_postings
from job_assets.storage import read_jsonl_gz
from tests.conftest import FIXTURES

DAY = "2026-11-20"
REAL = FIXTURES / "real"
# replay layout: <dir>/<source>/<board token>[__anything].json
LAYOUT = {
    "jsearch/search_2024.json": "jsearch_1.json",
    "jsearch/job_details_2023.json": "jsearch_2.json",
    "jsearch/search_2025.json": "jsearch_3.json",
    "greenhouse/cloudflare.json": "greenhouse_1.json",
    "greenhouse/stripe__2026-07.json": "greenhouse_2.json",
    "lever/palantir.json": "lever_1.json",
    "lever/palantir__second.json": "lever_2.json",
    "ashby/ramp.json": "ashby_1.json",
    "ashby/ramp__with_html.json": "ashby_2.json",
    "glassdoor/flighthub.json": "glassdoor_1.json",
}


@pytest.fixture(scope="module")
def replayed(tmp_path_factory):
    root = tmp_path_factory.mktemp("replay")
    replay_dir = root / "recorded"
    for target, fixture in LAYOUT.items():
        (replay_dir / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REAL / fixture, replay_dir / target)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JOBS_DATA_DIR", str(root / "data"))
        mp.setenv("JOBS_SOURCE_MODE", "replay")
        mp.setenv("JOBS_REPLAY_DIR", str(replay_dir))
        from job_assets.settings import get_paths

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
        yield get_paths(), replay_dir, result


def _envelopes(paths, source):
    return list(read_jsonl_gz(paths.raw_file(source, DAY)))


@pytest.mark.parametrize("source", ["jsearch", "greenhouse", "lever", "ashby"])
def test_every_recorded_body_lands_verbatim(replayed, source):
    paths, replay_dir, _ = replayed
    envelopes = _envelopes(paths, source)
    recorded = {p.name: json.loads(p.read_bytes()) for p in (replay_dir / source).glob("*.json")}
    assert len(envelopes) == len(recorded)
    for envelope in envelopes:
        name = envelope["request_params"]["replay_file"]
        assert envelope["payload"] == recorded[name]  # every field kept, byte for byte in JSON
        assert envelope["mode"] == "replay"


def test_board_token_and_company_name_come_from_the_file_name_and_sources_yml(replayed):
    paths, _, _ = replayed
    by_board = {e["board"]: e for e in _envelopes(paths, "greenhouse")}
    assert set(by_board) == {"cloudflare", "stripe"}
    assert by_board["stripe"]["company_name"] == "Stripe"  # configured in sources.yml
    lever = _envelopes(paths, "lever")
    assert {e["board"] for e in lever} == {"palantir"}


@pytest.mark.parametrize("source", ["jsearch", "greenhouse", "lever", "ashby"])
def test_every_posting_is_normalized_or_quarantined(replayed, source):
    paths, _, _ = replayed
    raw = sum(count_postings(source, e["payload"]) for e in _envelopes(paths, source))
    postings = pl.read_parquet(paths.lake_partition_file("job_postings", DAY))
    quarantine = pl.read_parquet(paths.lake_partition_file("job_posting_quarantine", DAY))
    kept = postings.filter(pl.col("source") == source).height
    rejected = quarantine.filter(pl.col("source") == source).height
    assert raw > 0
    assert kept + rejected == raw


def test_raw_assets_report_fetch_metadata(replayed):
    _, _, result = replayed
    metadata = {
        e.asset_key.to_user_string(): e.step_materialization_data.materialization.metadata
        for e in result.get_asset_materialization_events()
    }
    lever = metadata["raw_lever_payloads"]
    for key in ("requests", "pages", "postings", "retries", "errors", "bytes"):
        assert key in lever, key
    assert lever["postings"].value == 7 and lever["dagster/row_count"].value == 7


def test_recorded_company_search_is_used_for_a_matching_employer(tmp_path, monkeypatch):
    from job_assets.ingest.sources import replay_company_search

    (tmp_path / "glassdoor").mkdir()
    shutil.copy(REAL / "glassdoor_1.json", tmp_path / "glassdoor" / "flighthub.json")
    assert replay_company_search(tmp_path, "FlightHub")["data"][0]["company_id"] == 961018
    assert replay_company_search(tmp_path, "Unknown Co")["data"] == []


def test_an_invalid_recorded_body_is_quarantined_and_the_rest_lands(tmp_path, monkeypatch):
    replay_dir = tmp_path / "recorded"
    (replay_dir / "lever").mkdir(parents=True)
    shutil.copy(REAL / "lever_1.json", replay_dir / "lever" / "palantir.json")
    (replay_dir / "lever" / "broken.json").write_text('[{"id": "x", "text": "Data Eng')
    monkeypatch.setenv("JOBS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("JOBS_SOURCE_MODE", "replay")
    monkeypatch.setenv("JOBS_REPLAY_DIR", str(replay_dir))
    from job_assets.ingest.landing import quarantine_file_for
    from job_assets.settings import get_paths

    result = dg.materialize([raw_payload_assets[2]], partition_key=DAY)
    assert result.success
    paths = get_paths()
    landed = list(read_jsonl_gz(paths.raw_file("lever", DAY)))
    assert [e["board"] for e in landed] == ["palantir"]
    quarantined = list(read_jsonl_gz(quarantine_file_for(paths.raw_file("lever", DAY))))
    assert len(quarantined) == 1 and "invalid JSON" in quarantined[0]["error"]
    assert quarantined[0]["body_text"].startswith('[{"id": "x"')


def test_a_recorded_field_of_another_type_is_reported_by_normalization(tmp_path, monkeypatch):
    replay_dir = tmp_path / "recorded"
    (replay_dir / "lever").mkdir(parents=True)
    postings = json.loads((REAL / "lever_2.json").read_text())
    postings[0]["categories"] = "Engineering"  # an object in Lever's API
    (replay_dir / "lever" / "palantir.json").write_text(json.dumps(postings))
    monkeypatch.setenv("JOBS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("JOBS_SOURCE_MODE", "replay")
    monkeypatch.setenv("JOBS_REPLAY_DIR", str(replay_dir))

    result = dg.materialize([*raw_payload_assets, normalized_job_postings], partition_key=DAY)
    assert result.success
    [normalized] = [
        e.step_materialization_data.materialization.metadata
        for e in result.get_asset_materialization_events()
        if e.asset_key == dg.AssetKey("normalized_job_postings")
    ]
    [drift] = normalized["payload_type_drift"].value
    assert drift.startswith(f"{DAY} lever: ") and 'but got VARCHAR: "Engineering"' in drift
    # read leniently: every posting is still normalized or quarantined
    per_source = normalized["per_source"].value["lever"]
    assert (
        per_source["raw"] == len(postings) == per_source["normalized"] + per_source["quarantined"]
    )
