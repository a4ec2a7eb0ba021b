"""Company enrichment assets: Glassdoor lookups for employers not yet known, and the company
table the warehouse reads."""

import datetime as dt
import os
from pathlib import Path

import dagster as dg
import polars as pl

from job_assets.ingest.assets import SINGLE_RUN, partition_dates
from job_assets.ingest.companies import (
    choose_company,
    due_for_lookup,
    lookup_row,
    merge_state,
    read_state,
    write_state,
)
from job_assets.ingest.envelope import FetchStats, RawResponse
from job_assets.ingest.landing import land_records
from job_assets.ingest.sources import replay_company_search
from job_assets.ingest.sources_config import load_sources_config
from job_assets.ingest.synthetic import generate_company_search
from job_assets.normalize.company_sizes import load_company_sizes, size_bin
from job_assets.normalize.lake import write_partition
from job_assets.partitions import daily_partitions
from job_assets.settings import get_paths
from job_assets.storage import atomic_path


def _employers_for(day: dt.date) -> pl.DataFrame:
    path = get_paths().lake_partition_file("job_postings", day.isoformat())
    if not path.exists():
        return pl.DataFrame(
            schema={
                "company_name_norm": pl.String,
                "company_name": pl.String,
                "company_website": pl.String,
            }
        )
    return (
        pl.read_parquet(path, columns=["company_name_norm", "company_name", "company_website"])
        .filter(pl.col("company_name_norm") != "")
        .unique("company_name_norm", keep="first")
        .sort("company_name_norm")
    )


@dg.asset(
    name="raw_glassdoor_payloads",
    group_name="ingest",
    deps=[dg.AssetKey("normalized_job_postings")],
    partitions_def=daily_partitions,
    backfill_policy=SINGLE_RUN,
    kinds={"python", "json"},
)
def raw_glassdoor_payloads(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Verbatim Glassdoor company-search responses for employers not looked up yet (or stale)."""
    paths = get_paths()
    config = load_sources_config()
    gd_config = config.sources["glassdoor"]
    state_path = paths.state_dir / "company_lookups.parquet"
    state = read_state(state_path)
    sizes = load_company_sizes()
    totals = FetchStats()
    looked_up = 0
    budget = gd_config.budget
    for day in partition_dates(context):
        now = dt.datetime.now(dt.UTC)
        due = due_for_lookup(
            _employers_for(day), state, now, gd_config.ttl_days, gd_config.max_error_retries
        )
        if not gd_config.enabled or (config.mode == "live" and not gd_config.api_key()):
            if config.mode == "live" and gd_config.enabled:
                context.log.warning(f"Glassdoor lookups skipped: {gd_config.api_key_env} unset")
            due = due.head(0)
        if budget is not None:
            due = due.head(max(0, budget - totals.requests))
            totals.budget_exhausted |= due.height < budget - totals.requests
        stats = FetchStats()
        records, updates = [], []
        previous = dict(zip(state["company_name_norm"], state["attempts"], strict=True))
        for employer in due.iter_rows(named=True):  # one lookup per employer, budgeted
            try:
                payload = _company_search(config, employer["company_name"])
                error = None
            except Exception as exc:  # noqa: BLE001 - recorded as an error status, retried later
                payload, error = None, f"{type(exc).__name__}: {exc}"[:300]
            choice = None
            stats.requests += 1
            if payload is not None:
                stats.pages += 1
                stats.postings += len(payload.get("data") or [])
                records.append(
                    RawResponse(
                        source="glassdoor",
                        endpoint="/company-search",
                        request_params={"query": employer["company_name"]},
                        payload=payload,
                        mode=config.mode,
                    )
                )
                choice = choose_company(
                    employer["company_name"], employer["company_website"], payload.get("data") or []
                )
            else:
                stats.errors += 1
            hit = choice.hit if choice else None
            bin_label = size_bin(pl.Series([(hit or {}).get("company_size")]), sizes)[0]
            updates.append(
                lookup_row(
                    employer,
                    choice,
                    now,
                    int(previous.get(employer["company_name_norm"]) or 0),
                    error,
                    bin_label,
                )
            )
        land_records(paths.raw_file("glassdoor", day.isoformat()), records, stats)
        state = merge_state(state, updates)
        looked_up += len(updates)
        for name in ("requests", "pages", "postings", "errors"):
            setattr(totals, name, getattr(totals, name) + getattr(stats, name))
    write_state(state_path, state)
    status_counts = dict(state.group_by("lookup_status").len().iter_rows())
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": looked_up,
            "mode": config.mode,
            **totals.as_metadata(),
            "known_companies": state.height,
            "status_counts": status_counts,
        }
    )


def _company_search(config, company_name: str) -> dict:
    if config.mode == "live":
        from job_assets.ingest.live import glassdoor_company_search

        return glassdoor_company_search(config, company_name, os.environ)
    if config.mode == "replay":
        return replay_company_search(Path(config.replay_dir), company_name)
    return generate_company_search(company_name)


@dg.asset(
    name="company_profiles",
    group_name="ingest",
    deps=[dg.AssetKey("raw_glassdoor_payloads")],
    partitions_def=daily_partitions,
    backfill_policy=SINGLE_RUN,
    kinds={"polars", "parquet"},
)
def company_profiles(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """One row per employer with Glassdoor facts (industry, size bin, rating) where found."""
    paths = get_paths()
    state = read_state(paths.state_dir / "company_lookups.parquet")
    target = paths.lake_dir / "companies" / "companies.parquet"
    with atomic_path(target) as tmp:
        state.write_parquet(tmp)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": state.height,
            "found": int((state["lookup_status"] == "found").sum()),
            "path": str(target),
        }
    )


__all__ = ["company_profiles", "raw_glassdoor_payloads", "write_partition"]
