"""What the CLI reads: the published Parquet snapshots and the lake (never the warehouse, which a
pipeline run may hold), plus job-id resolution with suggestions. No Dagster import."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
from rapidfuzz import fuzz, process

from job_assets.applications.store import ApplicationStore, application_statuses
from job_assets.exports.publish import read_ranked_jobs
from job_assets.settings import get_paths
from job_assets.storage import scan_parquet_snapshot

NO_DATA = "no published data yet: run `make run` or `jobs run` first"
HIDDEN_STATUSES: tuple[str, ...] = ("rejected", "withdrawn", "archived")


class CliError(Exception):
    """A failure meant for people: one line on stderr, then exit with ``code``."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def published_path(name: str) -> Path:
    return get_paths().published_dir / f"{name}.parquet"


def published(name: str) -> pl.DataFrame:
    """One published snapshot; ``CliError`` when the pipeline has not published it yet."""
    path = published_path(name)
    if not path.exists():
        raise CliError(NO_DATA)
    return scan_parquet_snapshot(path).collect()


def has_published(name: str) -> bool:
    return published_path(name).exists()


def ranked_jobs() -> pl.LazyFrame:
    """The published rankings with their jobs' fields (``ranked_jobs`` joined to ``fact_jobs``)."""
    if not (has_published("ranked_jobs") and has_published("fact_jobs")):
        raise CliError(NO_DATA)
    return read_ranked_jobs(get_paths().published_dir)


def matches_frame() -> pl.DataFrame:
    """Ranked jobs with the seeker's ``application_status`` from the store (null: untracked)."""
    statuses = application_statuses().select("job_id", "application_status")
    return ranked_jobs().collect().join(statuses, on="job_id", how="left")


def parse_date(value: str, what: str = "date") -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise CliError(f"bad {what} '{value}': use YYYY-MM-DD", code=2) from None


def parse_datetime(value: str, what: str = "date/time") -> dt.datetime:
    """ISO date or date-time; a time without zone is local time. Returned timezone-aware."""
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise CliError(f"bad {what} '{value}': use YYYY-MM-DD HH:MM", code=2) from None
    return parsed if parsed.tzinfo else parsed.astimezone()


def _known_jobs() -> pl.DataFrame:
    """job_id and title of every published job plus every tracked one."""
    store = ApplicationStore()
    tracked = (
        store.applications().select("job_id", "title")
        if store.path.exists()
        else pl.DataFrame(schema={"job_id": pl.String, "title": pl.String})
    )
    if has_published("fact_jobs"):
        facts = scan_parquet_snapshot(published_path("fact_jobs")).select("job_id", "title")
        facts = facts.collect()
        return pl.concat([facts, tracked]).unique("job_id", keep="first", maintain_order=True)
    if tracked.is_empty():
        raise CliError(NO_DATA)
    return tracked


def resolve_job(query: str) -> str:
    """A full job id from an id, a unique prefix of it (with or without ``source:``).

    Unknown -> ``unknown job 'x'; did you mean ...?``; ambiguous -> the candidates.
    """
    q = query.strip()
    jobs = _known_jobs()
    if jobs.filter(pl.col("job_id") == q).height:
        return q
    hits = jobs.filter(
        pl.col("job_id").str.starts_with(q)
        | pl.col("job_id").str.split(":").list.get(1, null_on_oob=True).str.starts_with(q)
    )["job_id"]
    if hits.len() == 1:
        return str(hits[0])
    if hits.len() > 1:
        shown = ", ".join(hits.head(4).to_list())
        more = f" (+{hits.len() - 4} more)" if hits.len() > 4 else ""
        raise CliError(f"ambiguous job '{q}': matches {shown}{more}; give more characters")
    raise CliError(f"unknown job '{q}'{_suggest_jobs(q, jobs)}")


def _suggest_jobs(query: str, jobs: pl.DataFrame) -> str:
    ids = jobs["job_id"].to_list()
    titles = jobs["title"].fill_null("").to_list()
    scored: dict[str, float] = {}
    for choices in (ids, titles):
        for _, score, idx in process.extract(query, choices, scorer=fuzz.WRatio, limit=3):
            if score >= 60:
                scored[ids[idx]] = max(scored.get(ids[idx], 0.0), score)
    if not scored:
        return ""
    best = sorted(scored, key=lambda k: -scored[k])[:3]
    title_of = dict(zip(ids, titles, strict=True))
    return "; did you mean " + ", ".join(f"'{b}' ({title_of[b]})" for b in best) + "?"


def job_info(job_id: str) -> dict[str, str | None]:
    """Title, company, apply link and best-ranked campaign of a job, for the store."""
    info: dict[str, str | None] = {}
    if has_published("fact_jobs"):
        row = (
            scan_parquet_snapshot(published_path("fact_jobs"))
            .filter(pl.col("job_id") == job_id)
            .select("title", "company_name", "apply_url")
            .head(1)
            .collect()
        )
        if row.height:
            info.update(row.row(0, named=True))
    if has_published("ranked_jobs") and has_published("fact_jobs"):
        best = (
            ranked_jobs()
            .filter(pl.col("job_id") == job_id)
            .sort("score", descending=True)
            .select("campaign_id")
            .head(1)
            .collect()
        )
        if best.height:
            info["campaign_id"] = best["campaign_id"][0]
    return info


def lake_description(job_id: str) -> str | None:
    """The description from the latest lake partition holding ``job_id``."""
    lake = get_paths().lake_table_dir("job_postings")
    # newest partition first; a job is almost always in the latest one, so this reads one file
    for path in sorted(lake.glob("partition_date=*/part.parquet"), reverse=True):
        found = (
            scan_parquet_snapshot(path)
            .filter(pl.col("job_id") == job_id)
            .select("description_text")
            .head(1)
            .collect()
        )
        if found.height:
            return str(found["description_text"][0])
    return None
