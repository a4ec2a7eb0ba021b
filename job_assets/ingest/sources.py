"""Turn a (source, partition date, mode) into a stream of raw records. Pure: no Dagster import.

The three modes share everything after the fetch: ``demo`` generates payloads offline in each
API's native shape, ``replay`` reads a folder of recorded response bodies, ``live`` calls the APIs.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
from collections.abc import Iterator
from pathlib import Path

import orjson

from job_assets.ingest.envelope import FetchStats, RawQuarantine, RawResponse, count_postings
from job_assets.ingest.sources_config import SourcesConfig
from job_assets.ingest.synthetic import iter_payloads
from job_assets.storage import json_line

RawRecord = RawResponse | RawQuarantine
BOARD_SOURCES = ("greenhouse", "lever", "ashby")


# Demo days at least this large are rendered in worker processes. Landing one Ashby day on 2
# cores, one process -> two: 10k postings 0.65 -> 0.57 s, 25k 1.42 -> 1.23 s, 60k 3.3 -> 2.56 s;
# smaller days gain nothing measurable (the make-run demo day is a few hundred postings).
PARALLEL_DEMO_POSTINGS = 10_000


def demo_workers(n_postings: int) -> int:
    """Processes to render a demo day in: one per core (up to 4) for large days, where the
    workers can be forked."""
    if n_postings < PARALLEL_DEMO_POSTINGS or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(4, usable_cores()))


def usable_cores() -> int:
    """Cores this process may run on (its affinity where the OS has one)."""
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity else os.cpu_count() or 1


def demo_records(
    source: str,
    partition_date: dt.date,
    n_postings: int,
    stats: FetchStats,
    boards: list[dict] | None = None,
    mirror_boards: dict[str, list[dict]] | None = None,
    workers: int | None = None,
) -> Iterator[RawRecord]:
    """Offline payloads, deterministic per (source, partition date). JSearch mirrors some board
    postings (the cross-source duplicates real data has): ``mirror_boards`` names those boards.

    ``workers`` processes render the postings (None: one per core, up to 4, for days of at
    least ``PARALLEL_DEMO_POSTINGS``; smaller days are rendered here, a process costs more than
    they do). The bodies are the same bytes whatever the count.

    Each body is serialized once: its size is the byte count, and the record carries it as an
    ``orjson.Fragment`` that the landing writes as is (serializing it twice took a fifth of the
    generation time)."""
    fetched_at = (
        dt.datetime.combine(partition_date + dt.timedelta(days=1), dt.time(7, 0), tzinfo=dt.UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )
    if workers is None:
        workers = demo_workers(n_postings)
    generated_all = iter_payloads(
        source,
        partition_date,
        n_postings,
        seed=0,
        boards=boards,
        mirror_boards=mirror_boards,
        workers=workers,
    )
    for generated in generated_all:
        stats.requests += 1
        stats.pages += 1
        body = json_line(generated.payload)  # the UTF-8 body an API would send
        stats.bytes += len(body)
        stats.postings += count_postings(source, generated.payload)
        yield RawResponse(
            source=source,
            endpoint=generated.endpoint,
            request_params=generated.request_params,
            payload=orjson.Fragment(body),
            page=generated.page,
            board=generated.board,
            company_name=generated.company_name,
            fetched_at=fetched_at,
            mode="demo",
        )


def _replay_endpoint(source: str, token: str | None) -> str:
    return {
        "jsearch": "/search",
        "glassdoor": "/company-search",
        "greenhouse": f"/v1/boards/{token}/jobs",
        "lever": f"/v0/postings/{token}",
        "ashby": f"/posting-api/job-board/{token}",
    }[source]


def replay_records(
    source: str, replay_dir: Path, stats: FetchStats, board_names: dict[str, str] | None = None
) -> Iterator[RawRecord]:
    """Every ``<replay_dir>/<source>/*.json`` file is one response body. For board sources the
    file stem before any ``__`` is the board token; the company name comes from sources.yml."""
    folder = replay_dir / source
    if not folder.is_dir():
        return
    board_names = board_names or {}
    for path in sorted(folder.glob("*.json")):
        token = path.stem.split("__", 1)[0] if source in BOARD_SOURCES else None
        endpoint = _replay_endpoint(source, token)
        raw = path.read_bytes()
        stats.requests += 1
        stats.bytes += len(raw)
        try:
            payload = json.loads(raw)
            problem = _shape_problem(source, payload)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            payload, problem = None, f"invalid JSON: {exc}"
        if problem:
            stats.errors += 1
            yield RawQuarantine(
                source=source,
                endpoint=endpoint,
                request_params={"replay_file": path.name},
                error=problem,
                body_text=raw[:65536].decode("utf-8", "replace"),
                board=token,
                mode="replay",
            )
            continue
        stats.pages += 1
        stats.postings += count_postings(source, payload)
        yield RawResponse(
            source=source,
            endpoint=endpoint,
            request_params={"replay_file": path.name},
            payload=payload,
            board=token,
            company_name=board_names.get(token, token) if token else None,
            mode="replay",
            replay_file=str(path),
        )


def replay_company_search(replay_dir: Path, company_name: str) -> dict:
    """Answer a company search from recorded Glassdoor bodies: the recorded response whose
    query or hits name this company (folded comparison), else an empty result (not found)."""
    wanted = _fold_name(company_name)
    for path in sorted((replay_dir / "glassdoor").glob("*.json")):
        try:
            body = json.loads(path.read_bytes())
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue
        if not isinstance(body, dict):
            continue
        query = _fold_name(str((body.get("parameters") or {}).get("query", "")))
        names = {
            _fold_name(str(hit.get("name", "")))
            for hit in body.get("data") or []
            if isinstance(hit, dict)
        }
        if wanted and (wanted == query or wanted in names or wanted == _fold_name(path.stem)):
            return body
    return {"status": "OK", "parameters": {"query": company_name}, "data": []}


def _fold_name(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def _shape_problem(source: str, payload: object) -> str | None:
    """The top-level shape each API returns; anything else is quarantined, not guessed at."""
    if source == "lever":
        return None if isinstance(payload, list) else "expected a JSON array of Lever postings"
    if not isinstance(payload, dict):
        return f"expected a JSON object for {source}"
    key = "jobs" if source in ("greenhouse", "ashby") else "data"
    if not isinstance(payload.get(key), list | dict):
        return f"missing '{key}' list in {source} response"
    return None


def job_source_records(
    source: str, partition_date: dt.date, config: SourcesConfig, stats: FetchStats
) -> Iterator[RawRecord]:
    """The records one job source yields for one partition, in the configured mode."""
    source_cfg = config.sources[source]
    boards = [
        {"token": b.token, "company_name": b.company_name}
        for b in getattr(source_cfg, "boards", ()) or ()
    ]
    if config.mode == "demo":
        mirrors = (
            {
                name: [
                    {"token": b.token, "company_name": b.company_name}
                    for b in config.sources[name].boards
                ]
                for name in BOARD_SOURCES
            }
            if source == "jsearch"
            else None
        )
        yield from demo_records(
            source,
            partition_date,
            config.demo_postings_per_source,
            stats,
            boards or None,
            {k: v for k, v in mirrors.items() if v} if mirrors else None,
        )
    elif config.mode == "replay":
        if config.replay_dir is None:
            raise ValueError("replay mode needs replay_dir in sources.yml or JOBS_REPLAY_DIR")
        names = {b["token"]: b["company_name"] for b in boards if b.get("company_name")}
        yield from replay_records(source, Path(config.replay_dir), stats, names)
    else:
        from job_assets.ingest.live import live_records  # imported lazily: only live mode needs it

        yield from live_records(source, partition_date, config, stats, os.environ)
