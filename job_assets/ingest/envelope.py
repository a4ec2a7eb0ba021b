"""What every source produces and what the raw landing stores, one JSON line per API response.

Pure module (no Dagster): the live clients, the demo generator and the replay reader all yield
``RawResponse`` / ``RawQuarantine`` records and update a ``FetchStats``; the raw asset only writes
them. Nothing here may ever hold a secret: request params are recorded *after* auth headers and
keys were left out by the client.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import Any

SOURCES = ("jsearch", "greenhouse", "lever", "ashby", "glassdoor")
JOB_SOURCES = ("jsearch", "greenhouse", "lever", "ashby")


def utc_now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _shallow_fields(record: Any) -> dict[str, Any]:
    """The record's fields as a dict, values as they are. (``dataclasses.asdict`` deep-copies
    the payload, a multi-MB JSON tree, only for it to be serialized once: 57% of landing time.)"""
    return {f.name: getattr(record, f.name) for f in fields(record)}


@dataclass(frozen=True)
class RawResponse:
    """One API response body, verbatim, with the facts needed to trace and re-fetch it."""

    source: str  # one of SOURCES
    endpoint: str  # e.g. "/search", "/v1/boards/stripe/jobs", "/v0/postings/palantir"
    request_params: dict[str, Any]  # query params as sent, never credentials
    # the parsed JSON body exactly as the API returned it; demo mode: already serialized, as an
    # orjson.Fragment (the landing writes it as is)
    payload: Any
    http_status: int = 200
    page: int | None = None
    attempts: int = 1
    fetched_at: str = field(default_factory=utc_now_iso)
    board: str | None = None  # board token for greenhouse / lever / ashby
    company_name: str | None = None  # configured company name for board sources
    mode: str = "live"  # live | demo | replay
    replay_file: str | None = None  # replay mode: the file the body came from

    def to_envelope(self) -> dict[str, Any]:
        return {"kind": "response", **_shallow_fields(self)}


@dataclass(frozen=True)
class RawQuarantine:
    """A response that could not be used (invalid or truncated JSON, unexpected shape)."""

    source: str
    endpoint: str
    request_params: dict[str, Any]
    error: str  # why it was rejected, e.g. "invalid JSON: Expecting value: line 1 column 1"
    body_text: str  # the body as received (capped at 64 KiB), for diagnosis
    http_status: int = 200
    page: int | None = None
    attempts: int = 1
    fetched_at: str = field(default_factory=utc_now_iso)
    board: str | None = None
    mode: str = "live"

    def to_envelope(self) -> dict[str, Any]:
        return {"kind": "quarantine", **_shallow_fields(self)}


@dataclass
class FetchStats:
    """Counters a raw asset reports as metadata. Mutated by the client while it fetches."""

    requests: int = 0  # HTTP requests sent, retries included
    pages: int = 0  # response bodies kept
    postings: int = 0  # job postings inside the kept bodies
    retries: int = 0
    errors: int = 0  # requests that finally failed, plus quarantined bodies
    bytes: int = 0  # body bytes received
    budget_exhausted: bool = False
    failed_targets: list[str] = field(default_factory=list)  # e.g. ["lever:palantir: HTTP 500"]

    def as_metadata(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "pages": self.pages,
            "postings": self.postings,
            "retries": self.retries,
            "errors": self.errors,
            "bytes": self.bytes,
            "budget_exhausted": self.budget_exhausted,
            "failed_targets": list(self.failed_targets),
        }


def count_postings(source: str, payload: Any) -> int:
    """How many postings (or companies, for glassdoor) one response body holds."""
    if source == "lever":
        return len(payload) if isinstance(payload, list) else 0
    if isinstance(payload, dict):
        items = payload.get("jobs") if source in ("greenhouse", "ashby") else payload.get("data")
        if isinstance(items, list):
            return len(items)
        if isinstance(items, dict):
            return 1
    return 0
