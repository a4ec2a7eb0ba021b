"""Landing raw records for one source and day: verbatim, gzip JSON lines, replaced atomically.

Pure module. A failed fetch never destroys what an earlier run stored: the envelopes of targets
(boards, or the whole source) that failed this time are carried over from the previous file.
"""

from __future__ import annotations

from collections.abc import Iterable
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
    responses: list[dict] = []
    quarantined: list[dict] = []
    for record in records:
        (responses if isinstance(record, RawResponse) else quarantined).append(
            record.to_envelope()
        )

    carried = _carry_over_failed_targets(raw_file, responses, stats) if stats.failed_targets else []
    lines, size = write_jsonl_gz(raw_file, [*responses, *carried])

    q_file = quarantine_file_for(raw_file)
    if quarantined:
        write_jsonl_gz(q_file, quarantined)
    elif q_file.exists():
        q_file.unlink()  # the partition is being replaced: a stale quarantine would mislead
    return LandingResult(
        raw_file=raw_file,
        quarantine_file=q_file if quarantined else None,
        responses=len(responses),
        quarantined=len(quarantined),
        carried_over=len(carried),
        bytes_written=size,
    )


def _carry_over_failed_targets(
    raw_file: Path, fresh: list[dict], stats: FetchStats
) -> list[dict]:
    """Keep the previous envelopes of boards (or the whole source) that failed in this fetch."""
    if not raw_file.exists():
        return []
    failed_boards = {t.split(":")[1].strip() for t in stats.failed_targets if t.count(":") >= 2}
    fetched_boards = {e.get("board") for e in fresh}
    whole_source_failed = not fresh
    kept = []
    for envelope in read_jsonl_gz(raw_file):
        board = envelope.get("board")
        if whole_source_failed or (board in failed_boards and board not in fetched_boards):
            kept.append(envelope)
    return kept
