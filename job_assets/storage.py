"""Atomic file writes: nothing already stored is lost by a failed, retried or killed run.

Every writer goes to a temporary sibling and renames it over the target (``os.replace`` is atomic
on POSIX within one file system), after an fsync, so readers see the old file or the new one.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any


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


def write_jsonl_gz(target: Path, records: Iterable[dict[str, Any]]) -> tuple[int, int]:
    """Write records as gzip JSON lines atomically. Returns (lines, compressed bytes)."""
    lines = 0
    with atomic_path(target) as tmp:
        with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=5) as fh:
            for record in records:
                fh.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
                fh.write("\n")
                lines += 1
    return lines, target.stat().st_size


def read_jsonl_gz(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)
