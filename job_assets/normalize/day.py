"""Normalize one day: every source's raw file -> lake partitions, in bounded memory.

Pure module (no Dagster). Each source's raw file is mapped by DuckDB as a stream of batches;
while the next batch is parsed, the previous ones are enriched on worker threads, and their
results stream into the partition files in order. Repeated ids are flagged over the whole day
of a source. Peak memory depends on the batch size, not on the size of the day.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pandera.errors
import polars as pl
import pyarrow as pa

from job_assets.ingest.envelope import JOB_SOURCES
from job_assets.normalize.enrich import (
    EnrichmentMemo,
    RepeatedIds,
    Taxonomies,
    normalize_postings,
)
from job_assets.normalize.lake import PartitionWriter, write_partition
from job_assets.normalize.mappers import greenhouse_pay_ranges, iter_mapped_batches
from job_assets.normalize.schema import CANONICAL_COLUMNS, QUARANTINE_COLUMNS, CanonicalPosting
from job_assets.settings import LakehousePaths

T = TypeVar("T")

STATS_SCHEMA = {
    "source": pl.String,
    "fetched": pl.Int64,
    "normalized": pl.Int64,
    "quarantined": pl.Int64,
}


@dataclass
class DayResult:
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # source -> raw/normalized/q
    schema_problems: list[dict] = field(default_factory=list)
    # sources whose raw file held a field of another type than the mapper declares (read in the
    # lenient form, that field left empty): "<source>: <the typed reader's message>"
    type_drift: list[str] = field(default_factory=list)
    postings_file: str = ""


# Batches enriched at once, each on its own thread. Most of the enrichment is polars string work
# on one column, which runs on one core per batch; two batches in flight keep both cores of this
# machine busy. Two 25k-row batches hold what one 50k-row batch did before. Measured at 1M
# postings with the streamed mapping: 85.0 s and 2.29 GB peak with two, 98.2 s and 1.94 GB
# with one.
ENRICH_WORKERS = 2

# Postings per enrichment batch. A batch pays a fixed cost (query planning, regex and
# Aho-Corasick compiling, a pandera run: ~0.08 CPU-s) whatever its size, and peak memory grows
# with it. At 1M postings on this machine, alternating: 25k 41.0-42.2 s, 77-79 CPU-s, peak
# 1.42-1.44 GB; 50k 39.4-39.6 s, 74.0-74.5 CPU-s, peak 2.15-2.19 GB (the target is < 3 GB). A
# source with fewer postings than this is one batch.
BATCH_ROWS = 50_000


def normalize_day(
    paths: LakehousePaths,
    day: dt.date,
    taxonomies: Taxonomies,
    company_sizes: pl.DataFrame | None = None,
    batch_rows: int = BATCH_ROWS,
) -> DayResult:
    result = DayResult()
    raw_rows: dict[str, int] = {}
    # titles, company names and locations repeat across the day's batches: each is worked
    # out once for the day (see normalize/memo.py)
    memo = EnrichmentMemo.of(taxonomies)

    def mapped_batches(
        pay_ahead: Future[pa.Table | None],
    ) -> Iterator[tuple[str, Path, pl.DataFrame]]:
        for source in JOB_SOURCES:
            raw_file = paths.raw_file(source, day.isoformat())
            repeated = RepeatedIds()
            drift: list[str] = []
            pay = pay_ahead.result() if source == "greenhouse" else None
            for batch in iter_mapped_batches(
                source, raw_file, batch_rows, type_drift=drift, pay_ranges=pay
            ):
                yield source, raw_file, repeated.mark(batch)
            result.type_drift.extend(f"{source}: {message}" for message in drift)
            raw_rows[source] = repeated.rows

    def enrich(item: tuple[str, Path, pl.DataFrame]) -> _Batch:
        source, raw_file, batch = item
        out = normalize_postings(batch, day, str(raw_file), taxonomies, company_sizes, memo)
        return _Batch(source, out.postings, out.quarantine, _schema_problems(out.postings))

    kept = dict.fromkeys(JOB_SOURCES, 0)
    rejected = dict.fromkeys(JOB_SOURCES, 0)
    with (
        PartitionWriter(paths, "job_postings", day, CANONICAL_COLUMNS) as postings,
        PartitionWriter(paths, "job_posting_quarantine", day, QUARANTINE_COLUMNS) as quarantine,
        ThreadPoolExecutor(max_workers=ENRICH_WORKERS, thread_name_prefix="enrich") as pool,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="pay") as pay_reader,
        # Greenhouse's pay-transparency responses, read while the first source is mapped (the
        # day's start leaves a core free), not in a pause before Greenhouse's first batch
        closing(
            _one_ahead(
                mapped_batches(
                    pay_reader.submit(
                        greenhouse_pay_ranges, paths.raw_file("greenhouse", day.isoformat())
                    )
                )
            )
        ) as batches,
    ):
        for out in _in_order(pool, enrich, batches, ENRICH_WORKERS):
            if len(result.schema_problems) < _MAX_PROBLEMS:
                room = _MAX_PROBLEMS - len(result.schema_problems)
                result.schema_problems.extend(out.schema_problems[:room])
            postings.write(out.postings)
            quarantine.write(out.quarantine)
            kept[out.source] += out.postings.height
            rejected[out.source] += out.quarantine.height
    result.counts = {
        source: {
            "raw": raw_rows[source],
            "normalized": kept[source],
            "quarantined": rejected[source],
        }
        for source in JOB_SOURCES
    }
    result.postings_file = str(postings.path)
    stats = pl.DataFrame(
        [
            {
                "source": s,
                "fetched": c["raw"],
                "normalized": c["normalized"],
                "quarantined": c["quarantined"],
            }
            for s, c in result.counts.items()
        ],
        schema=STATS_SCHEMA,
    )
    write_partition(paths, "ingest_stats", day, stats)
    return result


_MAX_PROBLEMS = 50  # failure cases kept per day


@dataclass(frozen=True)
class _Batch:
    source: str
    postings: pl.DataFrame
    quarantine: pl.DataFrame
    schema_problems: list[dict]


_END = object()


def _one_ahead(items: Iterator[T]) -> Iterator[T]:
    """``items``, each produced on a worker thread while the caller handles the one before:
    DuckDB parses the next mapped batch while the enrichment threads work on the last ones.
    The generator only ever runs on that one thread; its errors surface here."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="map") as ahead:
        upcoming = ahead.submit(next, items, _END)
        while (item := upcoming.result()) is not _END:
            upcoming = ahead.submit(next, items, _END)
            yield item


def _in_order(
    pool: ThreadPoolExecutor,
    work: Callable[[T], _Batch],
    batches: Iterable[T],
    in_flight: int,
) -> Iterator[_Batch]:
    """``work`` over ``batches`` on the pool, results in input order, with at most ``in_flight``
    batches submitted and not yet handed out (memory stays bounded however long the day is).
    The first failure is raised; batches still running are waited for by the pool's exit."""
    pending: deque[Future[_Batch]] = deque()
    for batch in batches:
        pending.append(pool.submit(work, batch))
        if len(pending) >= in_flight:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _schema_problems(postings: pl.DataFrame) -> list[dict]:
    """pandera's failure cases for one batch (at most a day's worth), as strings."""
    try:
        CanonicalPosting.validate(postings, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases.head(_MAX_PROBLEMS)
        return cases.with_columns(pl.all().cast(pl.String)).to_dicts()
    return []
