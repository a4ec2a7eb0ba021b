"""normalize_day over real files: each source is mapped by DuckDB as a stream of batches that
are enriched on worker threads while the next is parsed; the result must not depend on that
streaming, and a failure must not leak."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from job_assets.ingest.envelope import JOB_SOURCES, FetchStats
from job_assets.ingest.landing import land_records
from job_assets.ingest.sources import demo_records
from job_assets.normalize.day import normalize_day
from job_assets.normalize.enrich import (
    NormalizeResult,
    RepeatedIds,
    load_taxonomies,
    mark_repeated_ids,
    normalize_postings,
)
from job_assets.normalize.mappers import map_raw_file
from job_assets.settings import LakehousePaths
from job_assets.storage import read_jsonl_gz, write_jsonl_gz

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
        records = list(demo_records(source, DAY, 300, stats))
        # the day's first response again at its end: its ids repeat in a later batch
        land_records(paths.raw_file(source, DAY.isoformat()), [*records, records[0]], stats)
    return paths


def _whole_day(paths: LakehousePaths, day: dt.date, taxonomies) -> NormalizeResult:
    """The reference: each source mapped whole and enriched as one batch, no threads."""
    outs = []
    for source in JOB_SOURCES:
        raw_file = paths.raw_file(source, day.isoformat())
        mapped = mark_repeated_ids(map_raw_file(source, raw_file))
        outs.append(normalize_postings(mapped, day, str(raw_file), taxonomies))
    return NormalizeResult(
        postings=pl.concat([o.postings for o in outs]),
        quarantine=pl.concat([o.quarantine for o in outs]),
    )


@pytest.mark.parametrize("batch_rows", [97, 1_000_000])  # many batches per source, one
def test_streamed_batches_give_the_whole_day_result(
    tmp_path: Path, taxonomies, batch_rows: int
) -> None:
    paths = _paths(tmp_path)
    streamed = normalize_day(paths, DAY, taxonomies, batch_rows=batch_rows)
    whole = _whole_day(paths, DAY, taxonomies)
    postings = pl.read_parquet(paths.lake_partition_file("job_postings", DAY.isoformat()))
    quarantine = pl.read_parquet(
        paths.lake_partition_file("job_posting_quarantine", DAY.isoformat())
    )
    assert postings.equals(whole.postings.drop("partition_date"))
    assert quarantine.equals(whole.quarantine.drop("partition_date", strict=False))
    # sources arrive in their fixed order and every posting is accounted for
    assert postings["source"].unique(maintain_order=True).to_list() == list(JOB_SOURCES)
    for source, c in streamed.counts.items():
        assert c["raw"] == c["normalized"] + c["quarantined"] > 0, source
    # the repeated response's ids were seen in an earlier batch, and caught
    repeated = quarantine.filter(pl.col("failed_rules").str.contains("duplicate_id"))
    assert set(repeated["source"]) == set(JOB_SOURCES)
    assert repeated.height == whole.quarantine["failed_rules"].str.contains("duplicate_id").sum()


def test_partition_keeps_column_statistics_except_on_free_text(tmp_path: Path, taxonomies):
    # DuckDB skips row groups by their min/max (posted_at, source...); only the description,
    # kilobytes of free text nobody filters on, is written without them
    paths = _paths(tmp_path)
    normalize_day(paths, DAY, taxonomies, batch_rows=97)
    meta = pq.ParquetFile(paths.lake_partition_file("job_postings", DAY.isoformat())).metadata
    assert meta.num_row_groups > 1
    for group in range(meta.num_row_groups):
        row_group = meta.row_group(group)
        columns = [row_group.column(i) for i in range(row_group.num_columns)]
        assert {c.path_in_schema for c in columns if not c.is_stats_set} == {"description_text"}


def test_repeated_ids_across_batches_flag_only_later_occurrences() -> None:
    ids = RepeatedIds()
    first = ids.mark(pl.DataFrame({"source": ["x"] * 3, "source_job_id": ["a", "b", "a"]}))
    second = ids.mark(pl.DataFrame({"source": ["x"] * 3, "source_job_id": ["b", None, "c"]}))
    assert first["is_repeated_id"].to_list() == [False, False, True]
    assert second["is_repeated_id"].to_list() == [True, False, False]
    assert ids.rows == 6


def test_a_repeated_id_is_one_of_the_same_source_and_a_missing_id_is_never_one() -> None:
    mapped = pl.DataFrame(
        {
            "source": ["lever", "ashby", "lever", "lever", "lever", "ashby"],
            "source_job_id": ["a", "a", None, None, "a", "b"],
        }
    )
    marked = mark_repeated_ids(mapped, earlier_ids=pl.Series(["b", "zz"]))
    # "b" was seen in an earlier batch of the same source (the caller keeps one per source)
    assert marked["is_repeated_id"].to_list() == [False, False, False, False, True, True]


def test_a_source_that_fails_to_map_fails_the_day_and_keeps_the_partition(
    tmp_path: Path, taxonomies
) -> None:
    paths = _paths(tmp_path)
    normalize_day(paths, DAY, taxonomies)
    lake = paths.lake_partition_file("job_postings", DAY.isoformat())
    before = lake.read_bytes()
    # the last source's raw file is corrupt: its mapping fails after the others were written
    paths.raw_file(JOB_SOURCES[-1], DAY.isoformat()).write_bytes(b"\x1f\x8b\x08not gzip")
    with pytest.raises(Exception):  # noqa: B017 - whatever DuckDB raises, it must surface
        normalize_day(paths, DAY, taxonomies)
    assert lake.read_bytes() == before
    assert not [p for p in lake.parent.iterdir() if p.name.endswith(".tmp")]


def test_a_source_whose_field_changed_type_is_reported_and_every_posting_kept(
    tmp_path: Path, taxonomies
) -> None:
    paths = _paths(tmp_path)
    clean = normalize_day(paths, DAY, taxonomies)
    assert clean.type_drift == []
    raw_file = paths.raw_file("greenhouse", DAY.isoformat())
    envelopes = list(read_jsonl_gz(raw_file))
    envelopes[0]["payload"]["jobs"][0]["location"] = "Toronto, ON"  # an object in the API
    write_jsonl_gz(raw_file, envelopes)

    drifted = normalize_day(paths, DAY, taxonomies)
    [message] = drifted.type_drift
    assert message.startswith("greenhouse: ")
    assert 'Expected OBJECT, but got VARCHAR: "Toronto, ON"' in message
    assert drifted.counts == clean.counts  # every posting still there, none quarantined for it
