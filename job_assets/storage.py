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
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import orjson
from zlib_ng import gzip_ng

# Lines are handed to the compressor in blocks of about this many bytes.
_GZIP_BLOCK_BYTES = 4 << 20


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

    Compression runs on a second thread (zlib-ng releases the GIL) while this one produces and
    serializes the next block: landing uses both cores instead of waiting on gzip. zlib-ng writes
    the same gzip format as the standard library's zlib, twice as fast at the same level (on raw
    payloads: 210 against 108 MB/s, files 1% smaller)."""
    lines = 0
    with (
        atomic_path(target) as tmp,
        gzip_ng.open(tmp, "wb", compresslevel=5) as fh,
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="gzip") as pool,
    ):
        pending: Future | None = None
        block: list[bytes] = []
        size = 0
        for record in records:
            line = json_line(record)
            block.append(line)
            size += len(line) + 1
            lines += 1
            if size >= _GZIP_BLOCK_BYTES:
                if pending is not None:
                    pending.result()  # one block in flight: bounded memory, errors surface
                pending = pool.submit(fh.write, b"\n".join(block) + b"\n")
                block, size = [], 0
        if pending is not None:
            pending.result()
        if block:
            fh.write(b"\n".join(block) + b"\n")
    return lines, target.stat().st_size


def read_jsonl_gz(path: Path) -> Iterator[dict[str, Any]]:
    with gzip_ng.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)
