"""A large demo day landed by the raw asset inside a Dagster run: its postings are rendered by
forked worker processes (the run has threads of its own and the gzip writer's), and the file is
the one a single process lands."""

from __future__ import annotations

import datetime as dt
import gzip

import dagster as dg

from job_assets.ingest import sources
from job_assets.ingest.assets import raw_asset_key, raw_payload_assets
from job_assets.ingest.envelope import FetchStats
from job_assets.ingest.landing import land_records
from job_assets.ingest.sources import job_source_records
from job_assets.ingest.sources_config import load_sources_config

DAY = "2026-11-20"


def test_a_large_demo_day_lands_the_same_file_rendered_in_processes(
    lakehouse, tmp_path, monkeypatch
):
    postings = sources.PARALLEL_DEMO_POSTINGS
    monkeypatch.setenv("JOBS_DEMO_POSTINGS", str(postings))
    assert sources.demo_workers(postings) > 1 or sources.usable_cores() == 1
    lever = next(a for a in raw_payload_assets if a.key == raw_asset_key("lever"))
    result = dg.materialize([lever], partition_key=DAY)
    assert result.success
    (materialization,) = result.asset_materializations_for_node(lever.op.name)
    assert materialization.metadata["dagster/row_count"].value == postings

    # the same day landed by one process, outside Dagster
    monkeypatch.setattr(sources, "PARALLEL_DEMO_POSTINGS", postings + 1)
    stats = FetchStats()
    day = dt.date.fromisoformat(DAY)
    alone = tmp_path / "alone.jsonl.gz"
    land_records(alone, job_source_records("lever", day, load_sources_config(), stats), stats)
    with gzip.open(lakehouse.raw_file("lever", DAY), "rb") as a, gzip.open(alone, "rb") as b:
        assert a.read() == b.read()
    assert stats.postings == postings
