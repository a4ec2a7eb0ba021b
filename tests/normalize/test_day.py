"""normalize_day over real files: each source is mapped on a worker thread while the previous
one is enriched; the result must not depend on that overlap, and a failure must not leak."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from job_assets.ingest.envelope import JOB_SOURCES, FetchStats
from job_assets.ingest.landing import land_records
from job_assets.ingest.sources import demo_records
from job_assets.normalize import day as day_module
from job_assets.normalize.day import normalize_day
from job_assets.normalize.enrich import load_taxonomies
from job_assets.normalize.mappers import map_raw_file
from job_assets.settings import LakehousePaths

DAY = dt.date(2026, 3, 2)
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def taxonomies():
    return load_taxonomies()


def _paths(root: Path) -> LakehousePaths:
    paths = LakehousePaths(
        data_dir=root / "data",
        artifacts_dir=root / "artifacts",
        taxonomy_dir=REPO / "taxonomy_config",
        user_dir=root / "user",
    )
    for source in JOB_SOURCES:
        stats = FetchStats()
        land_records(
            paths.raw_file(source, DAY.isoformat()), demo_records(source, DAY, 300, stats), stats
        )
    return paths


def _sequential(paths: LakehousePaths, day: dt.date):
    """The same sources, mapped one after the other on this thread (no overlap)."""
    for source in JOB_SOURCES:
        raw_file = paths.raw_file(source, day.isoformat())
        yield source, raw_file, day_module.mark_repeated_ids(map_raw_file(source, raw_file))


@pytest.mark.parametrize("limit", [day_module.OVERLAP_MAX_RAW_BYTES, 0])  # overlap, none
def test_overlapped_mapping_gives_the_sequential_result(
    tmp_path: Path, taxonomies, monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    monkeypatch.setattr(day_module, "OVERLAP_MAX_RAW_BYTES", limit)
    paths = _paths(tmp_path)
    overlapped = normalize_day(paths, DAY, taxonomies, batch_rows=97)
    lake = paths.lake_partition_file("job_postings", DAY.isoformat())
    got = pl.read_parquet(lake)
    monkeypatch.setattr(day_module, "_mapped_sources", _sequential)
    sequential = normalize_day(paths, DAY, taxonomies, batch_rows=97)
    assert overlapped.counts == sequential.counts
    assert got.equals(pl.read_parquet(lake))
    # sources arrive in their fixed order and every posting is accounted for
    assert got["source"].unique(maintain_order=True).to_list() == list(JOB_SOURCES)
    for source, c in overlapped.counts.items():
        assert c["raw"] == c["normalized"] + c["quarantined"] > 0, source


def test_a_source_that_fails_to_map_fails_the_day_and_keeps_the_partition(
    tmp_path: Path, taxonomies
) -> None:
    paths = _paths(tmp_path)
    normalize_day(paths, DAY, taxonomies)
    lake = paths.lake_partition_file("job_postings", DAY.isoformat())
    before = lake.read_bytes()
    # the last source's raw file is corrupt: its mapping fails on the worker thread
    paths.raw_file(JOB_SOURCES[-1], DAY.isoformat()).write_bytes(b"\x1f\x8b\x08not gzip")
    with pytest.raises(Exception):  # noqa: B017 - whatever DuckDB raises, it must surface
        normalize_day(paths, DAY, taxonomies)
    assert lake.read_bytes() == before
    assert not [p for p in lake.parent.iterdir() if p.name.endswith(".tmp")]
