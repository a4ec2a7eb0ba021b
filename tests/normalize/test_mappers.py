"""Mapping raw files with DuckDB: a response line bigger than the reader's first object-size
limit (a huge ATS board in one body) still maps every posting."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import duckdb
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
