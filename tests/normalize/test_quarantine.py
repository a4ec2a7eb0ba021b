"""Bad rows go to the quarantine with the rule they failed; good rows are untouched."""

from __future__ import annotations

import datetime as dt
import hashlib

import polars as pl
import pytest

from job_assets.normalize.enrich import load_taxonomies, normalize_postings
from job_assets.normalize.mappers import MAPPED_SCHEMA

DAY = dt.date(2026, 11, 20)
POSTED = dt.datetime(2026, 11, 19, 12, tzinfo=dt.UTC)


def _row(**overrides) -> dict:
    row = dict.fromkeys(MAPPED_SCHEMA)
    row.update(
        source="lever",
        source_job_id="ok-1",
        title="Senior Data Engineer",
        company_name="Acme",
        location_raw="Toronto, ON",
        description_raw="Python and SQL",
        description_format="text",
        posted_at=POSTED,
        posted_at_raw="1763553600000",
        fetched_at=POSTED,
        is_direct=True,
        is_listed=True,
        raw_line=1,
        raw_index=1,
    )
    row.update(overrides)
    return row


@pytest.fixture(scope="module")
def taxonomies():
    return load_taxonomies()


@pytest.mark.parametrize(
    ("overrides", "rule"),
    [
        ({"title": None}, "missing_title"),
        ({"title": "   "}, "missing_title"),
        ({"company_name": None}, "missing_company"),
        ({"posted_at": None, "posted_at_raw": "not a date"}, "unparseable_posted_at"),
        ({"description_raw": "<p> </p>", "description_format": "html"}, "empty_description"),
        (
            {
                "salary_min": 150000.0,
                "salary_max": 90000.0,
                "salary_currency": "CAD",
                "salary_period": "year",
            },
            "invalid_salary",
        ),
        (
            {
                "salary_min": -5.0,
                "salary_max": 10.0,
                "salary_currency": "USD",
                "salary_period": "hour",
            },
            "invalid_salary",
        ),
        (
            {
                "salary_min": 9e9,
                "salary_max": 9e9,
                "salary_currency": "USD",
                "salary_period": "year",
            },
            "invalid_salary",
        ),
        ({"is_listed": False}, "unlisted"),
    ],
)
def test_each_rule_quarantines_with_its_name_and_a_raw_pointer(taxonomies, overrides, rule):
    bad = _row(source_job_id="bad-1", raw_line=7, raw_index=3, **overrides)
    mapped = pl.DataFrame([_row(), bad], schema=MAPPED_SCHEMA)
    result = normalize_postings(mapped, DAY, "raw/lever/2026-11-20.jsonl.gz", taxonomies)
    assert result.postings["source_job_id"].to_list() == ["ok-1"]
    (q,) = result.quarantine.to_dicts()
    assert rule in q["failed_rules"].split(",")
    assert (q["job_id"], q["raw_file"], q["raw_line"], q["raw_index"]) == (
        "lever:bad-1",
        "raw/lever/2026-11-20.jsonl.gz",
        7,
        3,
    )


def test_a_repeated_id_keeps_the_first_and_quarantines_the_rest(taxonomies):
    mapped = pl.DataFrame([_row(), _row(raw_index=2), _row(raw_index=3)], schema=MAPPED_SCHEMA)
    result = normalize_postings(mapped, DAY, "raw.jsonl.gz", taxonomies)
    assert result.postings["raw_index"].to_list() == [1]
    assert result.quarantine["failed_rules"].to_list() == ["duplicate_id", "duplicate_id"]


def test_an_unknown_currency_keeps_the_posting_without_a_normalized_salary(taxonomies):
    mapped = pl.DataFrame(
        [_row(salary_min=100.0, salary_max=120.0, salary_currency="XYZ", salary_period="year")],
        schema=MAPPED_SCHEMA,
    )
    result = normalize_postings(mapped, DAY, "raw.jsonl.gz", taxonomies)
    assert result.quarantine.height == 0
    assert result.postings["salary_min_norm"].to_list() == [None]


def test_a_valid_salary_is_converted_to_yearly_and_reporting_currency(taxonomies):
    mapped = pl.DataFrame(
        [_row(salary_min=50.0, salary_max=60.0, salary_currency="CAD", salary_period="hour")],
        schema=MAPPED_SCHEMA,
    )
    row = normalize_postings(mapped, DAY, "raw.jsonl.gz", taxonomies).postings.row(0, named=True)
    assert (row["salary_min_yearly"], row["salary_max_yearly"]) == (104000, 124800)
    assert row["salary_min_norm"] == 104000  # CAD is the default reporting currency
    assert row["salary_source"] == "structured"


def test_the_dedupe_key_is_the_md5_of_folded_company_title_and_parsed_location(taxonomies):
    # the same job from two sources, written differently; then one in another city
    mapped = pl.DataFrame(
        [
            _row(),
            _row(
                source="jsearch",
                source_job_id="js-9",
                title="senior  DATA-engineer",
                company_name="ACME",
                location_raw=None,
                city_hint="Toronto",
                region_hint="ON",
                country_hint="CA",
            ),
            _row(source_job_id="ok-2", location_raw="Montréal, QC"),
        ],
        schema=MAPPED_SCHEMA,
    )
    keys = normalize_postings(mapped, DAY, "raw.jsonl.gz", taxonomies).postings["hash_key"]
    expected = [
        hashlib.md5(text.encode()).hexdigest()
        for text in (
            "acme|senior data engineer|toronto on ca",
            "acme|senior data engineer|toronto on ca",
            "acme|senior data engineer|montreal qc ca",
        )
    ]
    assert keys.to_list() == expected
