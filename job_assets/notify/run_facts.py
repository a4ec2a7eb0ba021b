"""Facts about one finished run, read from the instance's event log: per-stage counts, failed
checks and steps, source failures; plus the top new matches from the published snapshot."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dagster as dg
import polars as pl

from job_assets.exports.publish import read_ranked_jobs
from job_assets.ingest.envelope import JOB_SOURCES
from job_assets.notify.summary import RunSummary, TopMatch

# stage -> asset keys whose dagster/row_count add up to it
STAGE_ASSETS = {
    "fetched": [f"raw_{s}_payloads" for s in JOB_SOURCES],
    "normalized": ["normalized_job_postings"],
    "quarantined": ["job_posting_quarantine"],
    "unique": ["fact_jobs"],
    "ranked": ["job_rankings"],
    "exported": ["job_lakehouse_hyper"],
}


def _metadata_value(entry: dg.EventLogEntry, key: str):
    mat = entry.asset_materialization
    value = mat.metadata.get(key) if mat else None
    return getattr(value, "value", value)


def run_partitions(run: dg.DagsterRun) -> list[str]:
    tags = run.tags
    if "dagster/partition" in tags:
        return [tags["dagster/partition"]]
    start = tags.get("dagster/asset_partition_range_start")
    end = tags.get("dagster/asset_partition_range_end")
    if start and end:
        first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
        return [(first + dt.timedelta(days=i)).isoformat() for i in range((last - first).days + 1)]
    return []


def collect_run_summary(
    instance: dg.DagsterInstance,
    run: dg.DagsterRun,
    status: str,
    published_dir: Path,
    top_per_campaign: int = 3,
) -> RunSummary:
    logs = instance.all_logs(run.run_id)
    counts: dict[str, int] = {}
    source_failures: list[str] = []
    failed_checks: list[dict] = []
    failed_steps: list[str] = []
    started = ended = None
    for entry in logs:
        event = entry.dagster_event
        if event is None:
            continue
        kind = event.event_type
        ts = dt.datetime.fromtimestamp(entry.timestamp, dt.UTC)
        started = started or ts
        ended = ts
        if kind == dg.DagsterEventType.ASSET_MATERIALIZATION:
            key = event.asset_key.to_user_string()
            rows = _metadata_value(entry, "dagster/row_count")
            for stage, keys in STAGE_ASSETS.items():
                if key in keys and rows is not None:
                    counts[stage] = counts.get(stage, 0) + int(rows)
            failed = _metadata_value(entry, "failed_targets")
            if failed:
                source_failures.extend(f"{key}: {t}" for t in failed)
        elif kind == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            if not evaluation.passed:
                failed_checks.append(
                    {
                        "asset": evaluation.asset_key.to_user_string(),
                        "check": evaluation.check_name,
                        "message": evaluation.description or _check_message(evaluation),
                    }
                )
        elif kind == dg.DagsterEventType.STEP_FAILURE:
            error = event.event_specific_data.error
            message = error.message.strip().splitlines()[0] if error else ""
            failed_steps.append(f"{event.step_key}: {message}"[:300])
    return RunSummary(
        run_id=run.run_id,
        job_name=run.job_name,
        status=status,
        partitions=run_partitions(run),
        started_at=started,
        ended_at=ended,
        stage_counts=counts,
        failed_checks=failed_checks,
        failed_steps=failed_steps,
        source_failures=source_failures,
        top_matches=top_new_matches(published_dir, top_per_campaign) if status == "SUCCESS" else [],
        is_backfill="dagster/backfill" in run.tags or len(run_partitions(run)) > 1,
        backfill_id=run.tags.get("dagster/backfill"),
        dagster_url=None,
    )


def _check_message(evaluation) -> str:
    meta = evaluation.metadata or {}
    parts = [f"{k}={getattr(v, 'value', v)}" for k, v in list(meta.items())[:3]]
    return ", ".join(parts) or "check failed"


def top_new_matches(
    published_dir: Path, per_campaign: int, min_score: float | None = None
) -> list[TopMatch]:
    if not all((published_dir / f"{t}.parquet").exists() for t in ("ranked_jobs", "fact_jobs")):
        return []
    chosen = (
        read_ranked_jobs(published_dir)
        .filter(pl.col("is_new") & (pl.col("score") >= (min_score or 0)))
        .sort(["campaign_id", "rank"])
        .group_by("campaign_id", maintain_order=True)
        .head(per_campaign)
        .collect()
    )
    return [to_top_match(row) for row in chosen.iter_rows(named=True)]


def to_top_match(row: dict) -> TopMatch:
    low, high = row.get("salary_min_norm"), row.get("salary_max_norm")
    salary = None
    if low or high:
        salary = " – ".join(f"{v:,}" for v in (low, high) if v) + f" {row['reporting_currency']}"
    missing = (row.get("missing_skills") or "").split(", ")[0] or None
    return TopMatch(
        campaign_id=row["campaign_id"],
        campaign_name=row["campaign_name"] or row["campaign_id"],
        title=row["title"],
        company_name=row["company_name"],
        score=float(row["score"]),
        reasons=[r for r in (row.get("top_reasons") or "").split("; ") if r],
        apply_url=row.get("apply_url") or "",
        location=row.get("location") or "",
        salary_text=salary,
        missing_skill=missing,
        job_id=row["job_id"],
    )
