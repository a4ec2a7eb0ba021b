"""Live mode: real HTTP through the typed clients. Pure (no Dagster).

Base URLs can be pointed elsewhere (a proxy, or the local fault server in tests) with
``JOBS_<SOURCE>_BASE_URL``; keys come only from the environment variables sources.yml names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from job_assets.ingest.clients import (
    AshbyClient,
    GlassdoorClient,
    GreenhouseClient,
    JSearchClient,
    LeverClient,
    date_posted_for_window,
    fetch_boards,
)
from job_assets.ingest.envelope import FetchStats, RawQuarantine, RawResponse
from job_assets.ingest.http import SourceRequestError
from job_assets.ingest.sources_config import SourcesConfig


class MissingApiKeyError(RuntimeError):
    """Live mode for a paid API without its key in the environment."""


def _base_url(environ: Mapping[str, str], source: str) -> dict[str, str]:
    value = environ.get(f"JOBS_{source.upper()}_BASE_URL", "").strip()
    return {"base_url": value} if value else {}


def _jsearch_requests(config: SourcesConfig) -> list[dict[str, Any]]:
    from job_assets.ranking.campaigns import jsearch_queries, load_campaigns

    cfg = config.sources["jsearch"]
    requests = [
        {
            "query": q["query"],
            "country": q["country"],
            "work_from_home": q["work_from_home"],
            "employment_types": q["employment_types"],
        }
        for q in jsearch_queries(load_campaigns())
    ]
    for query in cfg.queries:
        for country in cfg.countries or (None,):
            requests.append(
                {
                    "query": query,
                    "country": country,
                    "work_from_home": None,
                    "employment_types": None,
                }
            )
    return requests


def live_records(
    source: str,
    partition_date: dt.date,
    config: SourcesConfig,
    stats: FetchStats,
    environ: Mapping[str, str],
) -> Iterator[RawResponse | RawQuarantine]:
    cfg = config.sources[source]
    common = {
        "settings": cfg.http,
        "budget": cfg.new_budget(),
        "stats": stats,
        **_base_url(environ, source),
    }
    with httpx.Client(follow_redirects=False) as client:
        if source == "jsearch":
            key = cfg.api_key(environ)
            if not key:
                raise MissingApiKeyError(f"live JSearch needs {cfg.api_key_env} in the environment")
            jsearch = JSearchClient(client, key, **common)
            date_posted = cfg.date_posted
            if date_posted == "auto":
                date_posted = date_posted_for_window(partition_date, dt.date.today())
            for request in _jsearch_requests(config):
                try:
                    yield from jsearch.search(
                        request["query"],
                        country=request["country"],
                        date_posted=date_posted,
                        employment_types=request["employment_types"],
                        work_from_home=request["work_from_home"],
                        num_pages=cfg.num_pages,
                        max_pages=cfg.max_pages,
                    )
                except SourceRequestError as exc:  # one query failing does not stop the others
                    stats.failed_targets.append(f"jsearch:{request['query']}: {exc.reason}")
                if stats.budget_exhausted:
                    break
            return
        if source == "greenhouse":
            board_client = GreenhouseClient(client, pay_transparency=cfg.pay_transparency, **common)
        elif source == "lever":
            board_client = LeverClient(client, limit=cfg.page_size, **common)
        elif source == "ashby":
            board_client = AshbyClient(client, **common)
        else:
            raise ValueError(f"{source} is not a job source")
        yield from fetch_boards(board_client, cfg.boards)


def glassdoor_company_search(
    config: SourcesConfig, company_name: str, environ: Mapping[str, str]
) -> dict:
    """One company search; returns the response body (raises on failure: recorded as error)."""
    cfg = config.sources["glassdoor"]
    key = cfg.api_key(environ)
    if not key:
        raise MissingApiKeyError(f"live Glassdoor needs {cfg.api_key_env} in the environment")
    stats = FetchStats()
    with httpx.Client(follow_redirects=False) as client:
        gd = GlassdoorClient(
            client, key, settings=cfg.http, stats=stats, **_base_url(environ, "glassdoor")
        )
        for record in gd.company_search(company_name):
            if isinstance(record, RawResponse):
                return record.payload
            raise ValueError(f"unusable company search response: {record.error}")
    raise RuntimeError("company search returned nothing (budget spent?)")
