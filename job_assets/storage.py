"""Atomic file writes: nothing already stored is lost by a failed, retried or killed run.

Every writer goes to a temporary sibling and renames it over the target (``os.replace`` is atomic
on POSIX within one file system), after an fsync, so readers see the old file or the new one.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import orjson
import polars as pl
from zlib_ng import gzip_ng, gzip_ng_threaded

# The threaded gzip writer compresses blocks of this many bytes (its default).
_GZIP_BLOCK_BYTES = 1 << 20


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temp path next to ``target``; on success fsync + rename it over ``target``.

    The temp name is hidden and ends in ``.tmp`` (never ``.parquet``): a run killed mid-write
    leaves at most a stray ``.tmp`` file that no reader's glob picks up.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    finally:
        if tmp.exists():
            tmp.unlink()


def scan_parquet_snapshot(path: Path) -> pl.LazyFrame:
    """A Parquet file that a run may replace (``atomic_path``) while it is read, as a LazyFrame
    of one version of it. polars opens a path again for each read, the footer first and the
    pages later: a rename in between paired the old footer with the new pages ("The page header
    reported the wrong page size", met by `jobs matches` during a run). Scanned from an open
    file, polars maps that file (the version opened) and reads only what the query needs; the
    handle can be closed at once."""
    with path.open("rb") as fh:
        return pl.scan_parquet(fh)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def json_line(record: Any) -> bytes:
    """Compact UTF-8 JSON, as ``json.dumps(ensure_ascii=False, separators=(",", ":"))`` writes
    it (orjson, 3.5x faster); values orjson refuses (ints beyond 64 bits) go through ``json``."""
    try:
        return orjson.dumps(record, option=orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:
        return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def write_jsonl_gz(target: Path, records: Iterable[dict[str, Any]]) -> tuple[int, int]:
    """Write records as gzip JSON lines atomically. Returns (lines, compressed bytes).

    This thread produces and serializes the records; two threads of zlib-ng's threaded gzip
    writer compress them meanwhile, pigz-style, in blocks of ``_GZIP_BLOCK_BYTES`` (each block
    with the previous one's last 32 KiB as its dictionary, so files are as small as a one-thread
    stream; the GIL is released for a whole block). The file is one standard gzip member, read
    by any gzip reader. zlib-ng compresses at the same level twice as fast as zlib (on raw
    payloads 210 against 108 MB/s, files 1% smaller)."""
    lines = 0
    with (
        atomic_path(target) as tmp,
        gzip_ng_threaded.open(
            tmp, "wb", compresslevel=5, threads=2, block_size=_GZIP_BLOCK_BYTES
        ) as fh,
    ):
        for record in records:
            fh.write(json_line(record))
            fh.write(b"\n")
            lines += 1
    return lines, target.stat().st_size


def read_jsonl_gz(path: Path) -> Iterator[dict[str, Any]]:
    with gzip_ng.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)
