"""Tiny Parquet lakes for the dbt tests, and a dbt runner confined to a temp folder."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from job_assets.ingest.companies import STATE_SCHEMA
from job_assets.normalize.schema import CANONICAL_COLUMNS

REPO = Path(__file__).resolve().parents[2]
PROJECT_DIR = REPO / "dbt_project"
DBT = str(Path(sys.executable).parent / "dbt")
UTC = dt.UTC
DAY0 = dt.date(2026, 1, 5)


def day(n: int) -> dt.date:
    return DAY0 + dt.timedelta(days=n)


def hash_key(company: str, title: str, location: str) -> str:
    folded = "|".join(
        " ".join(p.lower().replace(",", " ").replace(".", " ").split())
        for p in (company, title, location)
    )
    return hashlib.md5(folded.encode()).hexdigest()


def posting(source: str, source_job_id: str, **overrides: Any) -> dict[str, Any]:
    """A canonical posting; overrides win. hash_key follows company/title/location."""
    row: dict[str, Any] = {
        "source": source,
        "source_job_id": source_job_id,
        "job_id": f"{source}:{source_job_id}",
        "title": "Data Engineer",
        "title_std": "Data Engineer",
        "title_family": "data_engineering",
        "seniority": "mid",
        "company_name": "Acme Corp",
        "company_name_norm": "acme",
        "company_website": None,
        "location_raw": "Toronto, ON",
        "city": "Toronto",
        "region": "ON",
        "country": "CA",
        "remote_type": "onsite",
        "employment_type": "full_time",
        "salary_min": None,
        "salary_max": None,
        "salary_currency": None,
        "salary_period": None,
        "salary_min_yearly": None,
        "salary_max_yearly": None,
        "salary_min_norm": None,
        "salary_max_norm": None,
        "salary_source": None,
        "description_text": "We build pipelines.",
        "skills": ["python", "sql"],
        "company_size_bin": "unknown",
        "apply_url": f"https://example.com/{source}/{source_job_id}",
        "is_direct": source != "jsearch",
        "posted_at": dt.datetime(2026, 1, 1, tzinfo=UTC),
        "collected_at": None,
        "raw_file": "raw.jsonl.gz",
        "raw_line": 1,
        "raw_index": 0,
    }
    row.update(overrides)
    if "hash_key" not in overrides:
        row["hash_key"] = hash_key(row["company_name"], row["title"], row["location_raw"])
    return row


def salary(low: int, high: int) -> dict[str, Any]:
    """Salary fields for a yearly CAD range."""
    return {
        "salary_min": float(low),
        "salary_max": float(high),
        "salary_currency": "CAD",
        "salary_period": "year",
        "salary_min_yearly": low,
        "salary_max_yearly": high,
        "salary_min_norm": low,
        "salary_max_norm": high,
        "salary_source": "structured",
    }


def write_day(data_dir: Path, partition: dt.date, rows: list[dict[str, Any]]) -> None:
    """One lake partition of job_postings plus its ingest_stats, as the pipeline writes them."""
    stamped = [
        {
            **r,
            "collected_at": r["collected_at"]
            or dt.datetime.combine(partition, dt.time(12), tzinfo=UTC),
        }
        for r in rows
    ]
    frame = pl.DataFrame(stamped, schema=CANONICAL_COLUMNS).drop("partition_date")
    part = f"partition_date={partition.isoformat()}"
    target = data_dir / "lake" / "job_postings" / part / "part.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    frame.write_parquet(target)
    counts = frame.group_by("source").len()
    stats = pl.DataFrame(
        {
            "source": counts["source"],
            "fetched": counts["len"],
            "normalized": counts["len"],
            "quarantined": [0] * counts.height,
        },
        schema={
            "source": pl.String,
            "fetched": pl.Int64,
            "normalized": pl.Int64,
            "quarantined": pl.Int64,
        },
    )
    stats_file = data_dir / "lake" / "ingest_stats" / part / "part.parquet"
    stats_file.parent.mkdir(parents=True, exist_ok=True)
    stats.write_parquet(stats_file)


def write_reference(
    data_dir: Path,
    skills: dict[str, str] | None = None,
    companies: list[dict[str, Any]] | None = None,
) -> None:
    """companies.parquet (company lookup state) and skills.parquet (the taxonomy)."""
    skills = skills or {
        "python": "languages",
        "sql": "languages",
        "spark": "data",
        "dbt": "data",
        "aws": "cloud",
    }
    (data_dir / "lake" / "skills").mkdir(parents=True, exist_ok=True)
    pl.DataFrame({"skill": list(skills), "category": list(skills.values())}).write_parquet(
        data_dir / "lake" / "skills" / "skills.parquet"
    )
    rows = (
        companies
        if companies is not None
        else [
            {
                "company_name_norm": "acme",
                "company_name": "Acme Corp",
                "lookup_status": "found",
                "attempts": 1,
                "rating": 4.1,
                "review_count": 120,
                "company_size_bin": "51-200",
            },
        ]
    )
    (data_dir / "lake" / "companies").mkdir(parents=True, exist_ok=True)
    pl.DataFrame(rows, schema=STATE_SCHEMA).write_parquet(
        data_dir / "lake" / "companies" / "companies.parquet"
    )
    (data_dir / "warehouse").mkdir(parents=True, exist_ok=True)


@dataclass(frozen=True)
class DbtRun:
    returncode: int
    output: str
    statuses: dict[str, str]  # node name -> status (success, pass, fail, warn, error, skipped)
    seconds: float


def run_dbt(
    root: Path,
    command: str,
    window: tuple[dt.date, dt.date] | None = None,
    extra_args: list[str] | None = None,
    extra_vars: dict[str, Any] | None = None,
) -> DbtRun:
    """dbt as a subprocess against root/data, with its own target folder. ``command`` is
    e.g. "build" or "docs generate"."""
    variables: dict[str, Any] = dict(extra_vars or {})
    if window:
        variables.update(min_date=window[0].isoformat(), max_date=window[1].isoformat())
    target = root / "target"
    (target / "run_results.json").unlink(missing_ok=True)
    args = [
        DBT,
        *command.split(),
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(target),
        "--log-path",
        str(root / "logs"),
        "--vars",
        json.dumps(variables),
        *(extra_args or []),
    ]
    env = {
        **os.environ,
        "JOBS_DATA_DIR": str(root / "data"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300, check=False)
    results = json.loads((target / "run_results.json").read_text())
    statuses = {r["unique_id"].split(".")[2]: r["status"] for r in results["results"]}
    return DbtRun(proc.returncode, proc.stdout + proc.stderr, statuses, results["elapsed_time"])


def warehouse(root: Path) -> Path:
    return root / "data" / "warehouse" / "job_lakehouse.duckdb"


def query(root: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse(root)), read_only=True) as con:
        return con.execute(sql).fetchall()


def fact_snapshot(root: Path) -> tuple[list[str], str]:
    """fact_jobs keys and an md5 over every column of every row (key order)."""
    rows = query(
        root,
        """
        select list(job_posting_key order by job_posting_key),
               md5(string_agg(to_json(f)::varchar, '|' order by job_posting_key))
        from fact_jobs as f
    """,
    )
    return rows[0][0], rows[0][1]
