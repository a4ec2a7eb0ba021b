"""Company lookup state: who is due for a lookup, and which search hit is the employer."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from job_assets.ingest.companies import (
    STATE_SCHEMA,
    choose_company,
    due_for_lookup,
    lookup_row,
    merge_state,
    read_state,
    write_state,
)

NOW = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)


def _employers(*names: str) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "company_name_norm": [n.lower() for n in names],
            "company_name": list(names),
            "company_website": [None] * len(names),
        },
        schema={
            "company_name_norm": pl.String,
            "company_name": pl.String,
            "company_website": pl.String,
        },
    )


def _state(rows: list[dict]) -> pl.DataFrame:
    base = dict.fromkeys(STATE_SCHEMA)
    return pl.DataFrame([{**base, **r} for r in rows], schema=STATE_SCHEMA)


def test_new_error_retry_and_stale_employers_are_due_and_fresh_ones_are_not():
    state = _state(
        [
            {
                "company_name_norm": "fresh",
                "lookup_status": "found",
                "attempts": 1,
                "looked_up_at": NOW - dt.timedelta(days=2),
            },
            {
                "company_name_norm": "stale",
                "lookup_status": "not_found",
                "attempts": 1,
                "looked_up_at": NOW - dt.timedelta(days=45),
            },
            {"company_name_norm": "flaky", "lookup_status": "error", "attempts": 2},
            {"company_name_norm": "broken", "lookup_status": "error", "attempts": 3},
        ]
    )
    due = due_for_lookup(
        _employers("Fresh", "Stale", "Flaky", "Broken", "Brandnew"),
        state,
        NOW,
        ttl_days=30,
        max_error_retries=3,
    )
    assert sorted(due["company_name_norm"]) == ["brandnew", "flaky", "stale"]


@pytest.mark.parametrize(
    ("name", "website", "hits", "expected_id"),
    [
        ("FlightHub", None, [{"company_id": 1, "name": "FlightHub"}], 1),
        (
            "Stripe",
            "https://stripe.com/jobs",
            [
                {"company_id": 1, "name": "Stripe Group", "website": "https://stripegroup.example"},
                {"company_id": 2, "name": "Stripe", "website": "www.stripe.com"},
            ],
            2,
        ),
        ("Acme Analytics", None, [{"company_id": 9, "name": "Globex"}], None),
        ("Anything", None, [], None),
    ],
)
def test_the_chosen_hit_is_the_most_similar_name_with_domain_as_tie_breaker(
    name, website, hits, expected_id
):
    choice = choose_company(name, website, hits)
    assert (choice.hit or {}).get("company_id") == expected_id
    assert choice.reason  # the choice is always explained


def test_state_survives_a_round_trip_and_updates_replace_rows(tmp_path):
    path = tmp_path / "state" / "company_lookups.parquet"
    first = lookup_row(
        {"company_name_norm": "flighthub", "company_name": "FlightHub"},
        choose_company("FlightHub", None, [{"company_id": 7, "name": "FlightHub", "rating": 3.0}]),
        NOW,
        0,
        None,
        "51-200",
    )
    write_state(path, merge_state(read_state(path), [first]))
    retry = lookup_row(
        {"company_name_norm": "flighthub", "company_name": "FlightHub"},
        None,
        NOW,
        1,
        "HTTP 500",
        "unknown",
    )
    state = merge_state(read_state(path), [retry])
    assert state.height == 1
    row = state.row(0, named=True)
    assert (row["lookup_status"], row["attempts"], row["error"]) == ("error", 2, "HTTP 500")
    assert read_state(path).row(0, named=True)["glassdoor_company_id"] == 7
