"""Every real recorded response normalizes without a crash, with values read from the files."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest

from job_assets.ingest.envelope import RawResponse
from job_assets.normalize.enrich import load_taxonomies, normalize_postings
from job_assets.normalize.mappers import map_raw_file
from job_assets.normalize.schema import CanonicalPosting
from job_assets.storage import write_jsonl_gz
from tests.conftest import FIXTURES

DAY = dt.date(2026, 11, 20)
FILES = {
    "jsearch": (["jsearch_1.json", "jsearch_2.json", "jsearch_3.json"], None, None),
    "greenhouse": (["greenhouse_1.json", "greenhouse_2.json"], "cloudflare", None),
    "lever": (["lever_2.json"], "palantir", "Palantir"),
    "ashby": (["ashby_2.json"], "ramp", "Ramp"),
}


@pytest.fixture(scope="module")
def normalized(tmp_path_factory):
    taxonomies = load_taxonomies()
    out = {}
    for source, (files, board, company) in FILES.items():
        raw = tmp_path_factory.mktemp(source) / f"{DAY}.jsonl.gz"
        envelopes = [
            RawResponse(
                source=source,
                endpoint="/x",
                request_params={},
                board=board,
                company_name=company,
                payload=json.loads((FIXTURES / "real" / f).read_text()),
            ).to_envelope()
            for f in files
        ]
        write_jsonl_gz(raw, envelopes)
        out[source] = normalize_postings(map_raw_file(source, raw), DAY, str(raw), taxonomies)
    return out


def _row(normalized, source: str, source_job_id: str) -> dict:
    rows = normalized[source].postings.filter(pl.col("source_job_id") == source_job_id)
    assert rows.height == 1, f"{source}:{source_job_id} missing"
    return rows.row(0, named=True)


@pytest.mark.parametrize("source", list(FILES))
def test_every_fixture_posting_is_accounted_for_and_valid(normalized, source):
    result = normalized[source]
    files, _, _ = FILES[source]
    expected = 0
    for name in files:
        body = json.loads((FIXTURES / "real" / name).read_text())
        expected += len(body if isinstance(body, list) else body.get("jobs") or body["data"])
    assert result.postings.height + result.quarantine.height == expected
    CanonicalPosting.validate(result.postings, lazy=True)
    assert result.postings["hash_key"].str.len_chars().to_list() == [32] * result.postings.height


def test_jsearch_2024_schema(normalized):
    row = _row(normalized, "jsearch", "Qfh4-9t8uBZRRETpAAAAAA==")
    assert row["title"] == "Node.js Developer"
    assert row["company_name"] == "Nabu Casa"
    assert (row["city"], row["region"], row["country"]) == ("New York", "NY", "US")
    assert row["employment_type"] == "full_time"
    assert row["posted_at"] == dt.datetime(2024, 9, 4, 0, 4, 12, tzinfo=dt.UTC)
    assert "Node.js" in row["skills"] and "JavaScript" not in row["skills"]
    assert row["job_id"] == "jsearch:Qfh4-9t8uBZRRETpAAAAAA=="


def test_jsearch_2025_schema_uses_employment_types_list_and_country(normalized):
    row = _row(normalized, "jsearch", "rtUypcS3WeRmIQr0AAAAAA==")
    assert row["company_name"] == "Synechron"
    assert row["country"] == "CA"
    assert row["employment_type"] == "full_time"
    assert row["posted_at"] == dt.datetime(2025, 11, 27, tzinfo=dt.UTC)
    assert "Power BI" in row["skills"]


def test_greenhouse_escaped_html_is_unescaped_and_stripped(normalized):
    row = _row(normalized, "greenhouse", "7902104")
    assert row["title"] == "Accounting Intern (Fall 2026)"
    assert row["seniority"] == "intern"
    assert row["remote_type"] == "onsite"  # location.name "In-Office"
    assert "&lt;" not in row["description_text"] and "<div" not in row["description_text"]
    assert "About Us" in row["description_text"]
    assert row["posted_at"] == dt.datetime(2026, 8, 3, 19, 33, 44, tzinfo=dt.UTC)
    assert "Cloudflare" not in row["skills"]  # the employer's own name is not a skill
    assert row["is_direct"] is True


def test_lever_millisecond_timestamps_and_board_company(normalized):
    row = _row(normalized, "lever", "774cf5c9-bf6a-4d77-bf60-d50ef1beb1a0")
    assert row["company_name"] == "Palantir"
    assert row["posted_at"] == dt.datetime(2026, 5, 11, 16, 31, 48, 152000, tzinfo=dt.UTC)
    assert (row["city"], row["country"], row["remote_type"]) == ("Paris", "FR", "onsite")
    assert row["employment_type"] == "internship"


def test_ashby_workplace_type_wins_over_is_remote_and_titles_are_trimmed(normalized):
    row = _row(normalized, "ashby", "67fadb77-43d8-4449-954b-d4cf2c6d3b8b")
    assert row["title"] == "Software Engineer Internship, Android"  # trailing space removed
    assert row["remote_type"] == "hybrid"  # isRemote true, workplaceType Hybrid
    assert (row["city"], row["region"], row["country"]) == ("New York", "NY", "US")
    assert row["title_family"] == "software_engineering"
    assert "Android" in row["skills"]
    assert "<h1>" not in row["description_text"]
