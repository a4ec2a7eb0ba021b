"""Landing raw records for one source and day: verbatim, gzip JSON lines, replaced atomically.

Pure module. A failed fetch never destroys what an earlier run stored: the envelopes of targets
(boards, or the whole source) that failed this time are carried over from the previous file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from job_assets.ingest.envelope import FetchStats, RawQuarantine, RawResponse
from job_assets.storage import read_jsonl_gz, write_jsonl_gz


@dataclass(frozen=True)
class LandingResult:
    raw_file: Path
    quarantine_file: Path | None
    responses: int
    quarantined: int
    carried_over: int
    bytes_written: int


def quarantine_file_for(raw_file: Path) -> Path:
    # raw/<source>/<date>.jsonl.gz -> raw/_quarantine/<source>/<date>.jsonl.gz
    return raw_file.parent.parent / "_quarantine" / raw_file.parent.name / raw_file.name


def land_records(
    raw_file: Path, records: Iterable[RawResponse | RawQuarantine], stats: FetchStats
) -> LandingResult:
    """Stream responses to the (temp) raw file as they arrive: memory stays flat however large
    the day. Quarantined bodies (rare, capped at 64 KiB each) are collected and written after."""
    quarantined: list[dict] = []
    fetched_boards: set[str | None] = set()
    counts = {"responses": 0, "carried": 0}

    def lines() -> Iterator[dict]:
        for record in records:
            if isinstance(record, RawResponse):
                fetched_boards.add(record.board)
                counts["responses"] += 1
                yield record.to_envelope()
            else:
                quarantined.append(record.to_envelope())
        if stats.failed_targets:
            for envelope in _carry_over_failed_targets(
                raw_file, fetched_boards, counts["responses"] == 0, stats
            ):
                counts["carried"] += 1
                yield envelope

    _, size = write_jsonl_gz(raw_file, lines())

    q_file = quarantine_file_for(raw_file)
    if quarantined:
        write_jsonl_gz(q_file, quarantined)
    elif q_file.exists():
        q_file.unlink()  # the partition is being replaced: a stale quarantine would mislead
    return LandingResult(
        raw_file=raw_file,
        quarantine_file=q_file if quarantined else None,
        responses=counts["responses"],
        quarantined=len(quarantined),
        carried_over=counts["carried"],
        bytes_written=size,
    )


def _carry_over_failed_targets(
    raw_file: Path, fetched_boards: set[str | None], nothing_fetched: bool, stats: FetchStats
) -> Iterator[dict]:
    """The previous envelopes of boards (or the whole source) that failed in this fetch. The
    old file is still in place: the new one is a temp file until the rename."""
    if not raw_file.exists():
        return
    failed_boards = {t.split(":")[1].strip() for t in stats.failed_targets if t.count(":") >= 2}
    for envelope in read_jsonl_gz(raw_file):
        board = envelope.get("board")
        if nothing_fetched or (board in failed_boards and board not in fetched_boards):
            yield envelope
