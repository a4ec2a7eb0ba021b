"""Mapping raw files with DuckDB: a response line bigger than the reader's first object-size
limit (a huge ATS board in one body) still maps every posting."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import duckdb
import polars as pl
import pytest

from job_assets.normalize import mappers
from job_assets.normalize.mappers import MAX_OBJECT_BYTES, map_raw_file


def _greenhouse_board(jobs: int, content_bytes: int) -> dict:
    return {
        "kind": "response",
        "source": "greenhouse",
        "endpoint": "/v1/boards/huge/jobs",
        "board": "huge",
        "company_name": "Huge Co",
        "fetched_at": "2026-03-02T11:00:00+00:00",
        "payload": {
            "jobs": [
                {
                    "id": 1000 + i,
                    "title": f"Engineer {i}",
                    "absolute_url": f"https://huge.example/jobs/{i}",
                    "location": {"name": "Toronto, Ontario, Canada"},
                    "first_published": "2026-03-01T09:00:00-05:00",
                    "content": "&lt;p&gt;" + "x" * content_bytes + "&lt;/p&gt;",
                }
                for i in range(jobs)
            ]
        },
    }


def _write(path: Path, envelopes: list[dict]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for envelope in envelopes:
            fh.write(json.dumps(envelope) + "\n")
    return path


def test_a_board_above_the_object_size_limit_maps_every_job(tmp_path: Path) -> None:
    # one ~42 MB line (DuckDB's buffer takes lines up to about twice the limit)
    big = _greenhouse_board(jobs=10_000, content_bytes=4_000)
    assert len(json.dumps(big)) > 2 * MAX_OBJECT_BYTES
    small = _greenhouse_board(jobs=3, content_bytes=10)
    raw = _write(tmp_path / "greenhouse.jsonl.gz", [small, big])

    # the first attempt really hits the limit (else this test would not exercise the retry)
    with pytest.raises(duckdb.InvalidInputException, match="maximum_object_size"):
        duckdb.sql(mappers.mapping_sql("greenhouse"), params={"raw_file": str(raw)}).fetchall()

    mapped = map_raw_file("greenhouse", raw)
    assert mapped.height == 10_003
    big_rows = mapped.filter(mapped["raw_line"] == 2)
    assert big_rows.height == 10_000
    assert sorted(big_rows["raw_index"].to_list()) == list(range(1, 10_001))
    assert big_rows["source_job_id"].n_unique() == 10_000
    assert big_rows["company_name"].unique().to_list() == ["Huge Co"]


def test_a_line_above_the_retry_limit_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mappers, "MAX_OBJECT_BYTES_RETRY", MAX_OBJECT_BYTES)
    raw = _write(tmp_path / "greenhouse.jsonl.gz", [_greenhouse_board(10_000, 4_000)])
    with pytest.raises(duckdb.InvalidInputException, match="maximum_object_size"):
        map_raw_file("greenhouse", raw)


def test_a_limit_error_after_streamed_batches_hands_out_every_row_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Measured: DuckDB reports a too-big line before it hands out any row, even after 320 MB of
    # small ones. The skip of rows already handed out is the safeguard if it ever does not, so
    # the error is injected mid-stream here: the first attempt fails at raw line 15,000 (DuckDB
    # runs several thousand lines ahead of the reader, so an earlier error shows up at once).
    smalls = [_greenhouse_board(jobs=3, content_bytes=10) for _ in range(20_000)]
    for n, board in enumerate(smalls):
        for job in board["payload"]["jobs"]:
            job["id"] += 10 * n
    raw = _write(tmp_path / "greenhouse.jsonl.gz", smalls)
    real_sql, retry_limit = mappers.mapping_sql, mappers.MAX_OBJECT_BYTES_RETRY

    def failing_first(source: str, max_object_bytes: int = MAX_OBJECT_BYTES) -> str:
        sql = real_sql(source, max_object_bytes)
        if max_object_bytes >= retry_limit:
            return sql
        return (
            f"select * from ({sql}) where case when raw_line >= 15000 "
            "then error('maximum_object_size exceeded (injected)') else true end"
        )

    monkeypatch.setattr(mappers, "mapping_sql", failing_first)
    # with no retry allowed, the first attempt hands out rows, then fails
    monkeypatch.setattr(mappers, "MAX_OBJECT_BYTES_RETRY", MAX_OBJECT_BYTES)
    handed_out = 0
    # (mid-stream, DuckDB's error arrives through the Arrow reader as pyarrow's OSError)
    with pytest.raises((duckdb.InvalidInputException, OSError), match="injected"):
        for batch in mappers.iter_mapped_batches("greenhouse", raw, batch_rows=1_000):
            handed_out += batch.height
    assert 0 < handed_out < 60_000

    # with the retry, every row comes out once, in file order, as the whole mapping has them
    monkeypatch.setattr(mappers, "MAX_OBJECT_BYTES_RETRY", retry_limit)
    batches = list(mappers.iter_mapped_batches("greenhouse", raw, batch_rows=1_000))
    streamed = pl.concat(batches)
    assert max(b.height for b in batches) <= 1_000
    assert streamed.height == 60_000
    keys = streamed.select("raw_line", "raw_index")
    assert keys.is_unique().all()
    assert keys.equals(keys.sort("raw_line", "raw_index"))
    monkeypatch.setattr(mappers, "mapping_sql", real_sql)
    assert streamed.equals(map_raw_file("greenhouse", raw))
