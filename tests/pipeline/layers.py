"""Reading every layer of a lakehouse root back, for the end-to-end tests."""

from __future__ import annotations

import zipfile
from pathlib import Path

import duckdb
import polars as pl
from tableauhyperapi import Connection, HyperProcess, Telemetry

from job_assets.ingest.envelope import JOB_SOURCES, count_postings
from job_assets.settings import LakehousePaths
from job_assets.storage import read_jsonl_gz


def raw_postings(paths: LakehousePaths, source: str) -> int:
    return sum(
        count_postings(source, envelope["payload"])
        for file in sorted((paths.raw_dir / source).glob("*.jsonl.gz"))
        for envelope in read_jsonl_gz(file)
    )


def lake(paths: LakehousePaths, table: str) -> pl.DataFrame:
    files = sorted(paths.lake_table_dir(table).glob("partition_date=*/*.parquet"))
    return pl.concat(
        [
            pl.read_parquet(f).with_columns(
                pl.lit(f.parent.name.split("=")[1]).alias("partition_date")
            )
            for f in files
        ],
        how="diagonal_relaxed",
    )


def warehouse(paths: LakehousePaths, query: str) -> pl.DataFrame:
    with duckdb.connect(str(paths.warehouse_path), read_only=True) as con:
        return con.sql(query).pl()


def hyper_counts(path: Path) -> dict[str, int]:
    with (
        HyperProcess(
            Telemetry.DO_NOT_SEND_USAGE_DATA_TO_TABLEAU, parameters={"log_config": ""}
        ) as hyper,
        Connection(hyper.endpoint, path) as conn,
    ):
        return {
            table.name.unescaped: conn.execute_scalar_query(f"SELECT COUNT(*) FROM {table}")
            for table in conn.catalog.get_table_names("Extract")
        }


def snapshot(paths: LakehousePaths) -> dict:
    """Counts and keys at every layer: what idempotency compares."""
    postings = lake(paths, "job_postings")
    return {
        "raw": {s: raw_postings(paths, s) for s in JOB_SOURCES},
        "lake_rows": postings.height,
        "lake_keys": sorted(zip(postings["partition_date"], postings["job_id"], strict=True)),
        "quarantine_rows": lake(paths, "job_posting_quarantine").height,
        "fact_keys": warehouse(paths, "select job_posting_key from fact_jobs order by 1")[
            "job_posting_key"
        ].to_list(),
        "rankings": warehouse(
            paths,
            "select ranking_date, campaign_id, job_posting_key, score from job_rankings "
            "order by all",
        ).rows(),
        "hyper": hyper_counts(paths.artifacts_dir / "job_lakehouse.hyper"),
    }


def twbx_members(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        return zf.namelist()
