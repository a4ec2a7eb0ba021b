"""Raw landing's gzip JSON lines: the same bytes json.dumps would write, in any block size, in
the standard gzip format (written by zlib-ng's threaded writer, read back here by the standard
library and by DuckDB, which the normalizer reads them with), and nothing left behind when the
records fail midway."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import duckdb
import pytest

from job_assets import storage
from job_assets.storage import json_line, read_jsonl_gz, write_jsonl_gz

RECORDS = [
    {"kind": "response", "payload": {"title": "Développeur·se C++ — Montréal", "n": 3}},
    {"salary": {"min": 1.5e5, "max": 1e16, "neg": -0.0}, "flags": [True, False, None]},
    {"emoji": "remote 🌍", "quote": 'say "hi"\\n', "ctrl": "tab\there"},
    {"huge": 2**70, "id": 12},  # beyond 64 bits: orjson refuses, json writes it
    {1: "int key", "nested": {"2": [1, 2.25]}},
]


@pytest.mark.parametrize("record", RECORDS)
def test_json_line_matches_json_dumps(record: dict) -> None:
    expected = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    assert json_line(record) == expected


@pytest.mark.parametrize("block_bytes", [64, 4096, 1 << 20])
def test_blocks_compressed_on_two_threads_keep_every_line_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block_bytes: int
) -> None:
    # small blocks: lines span blocks, and consecutive blocks go to different threads
    monkeypatch.setattr(storage, "_GZIP_BLOCK_BYTES", block_bytes)
    records = [{"i": i, "text": f"posting {i} " * (i % 7)} for i in range(2000)]
    target = tmp_path / "raw" / "day.jsonl.gz"
    lines, size = write_jsonl_gz(target, records)
    assert lines == 2000 and size == target.stat().st_size > 0
    assert list(read_jsonl_gz(target)) == records
    with gzip.open(target, "rb") as fh:
        assert fh.read() == b"".join(json_line(r) + b"\n" for r in records)
    read_back = duckdb.sql(
        "select i from read_json($f, format = 'newline_delimited')", params={"f": str(target)}
    ).fetchall()
    assert [row[0] for row in read_back] == list(range(2000))


def test_failure_midway_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage, "_GZIP_BLOCK_BYTES", 16)  # blocks already handed to the thread
    target = tmp_path / "day.jsonl.gz"
    write_jsonl_gz(target, [{"old": 1}])

    def records():
        for i in range(100):
            yield {"i": i}
        raise RuntimeError("source failed")

    with pytest.raises(RuntimeError, match="source failed"):
        write_jsonl_gz(target, records())
    assert list(read_jsonl_gz(target)) == [{"old": 1}]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["day.jsonl.gz"]  # no temp left
