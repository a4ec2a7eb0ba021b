"""Shared HTTP layer: one logical request -> one ``RawResponse`` / ``RawQuarantine`` (or an error).

Why a small explicit loop instead of ``httpx_retries.RetryTransport``: every attempt must take one
unit of the run's request budget *before* it is sent, and the envelope records how many attempts a
body took (``attempts``) while ``FetchStats`` counts requests and retries. A transport retries
inside ``client.send`` where none of that is visible, and it cannot turn a truncated 2xx body into
a retry-then-quarantine decision (that needs the body bytes). The loop below is the whole policy:

- retried: HTTP 429 and 5xx, timeouts (connect/read/write/pool), connection errors, and a 2xx body
  cut short by the peer (Content-Length not met). ``Retry-After`` (seconds or HTTP-date) wins over
  the backoff, capped at ``max_retry_after_s``; otherwise exponential backoff with equal jitter.
- not retried: other 4xx (raised at once), 1xx/3xx (raised; redirects are not followed so auth
  headers never travel to another host), a complete 2xx body that is not JSON (quarantined).
- a body still truncated after the last attempt is quarantined with the bytes that did arrive.
- budget: checked before every attempt. Spent before the first attempt -> ``stats.budget_exhausted``
  and ``None`` (nothing sent). Spent before a retry -> ``budget_exhausted`` and the request fails
  (``SourceRequestError``), or a truncated body is quarantined.

Every error message passes through ``redact`` with the caller's secrets and the values of
credential-like headers; ``request_params`` are the query params only. Pure: no Dagster import.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import random
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from job_assets.ingest.envelope import FetchStats, RawQuarantine, RawResponse, count_postings

BODY_TEXT_CAP = 64 * 1024
REDACTED = "***"
_SENSITIVE_HEADER = re.compile(r"key|token|secret|auth|cookie|password|signature", re.IGNORECASE)
_MIN_SECRET_LEN = 4  # shorter strings are not credentials and would shred messages


@dataclass(frozen=True)
class HttpSettings:
    """Timeouts, retry and backoff policy for one source."""

    timeout_s: float = 20.0
    max_attempts: int = 4
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30.0
    jitter: bool = True
    max_retry_after_s: float = 120.0

    def __post_init__(self) -> None:
        if self.timeout_s <= 0:
            raise ValueError(f"timeout_s must be > 0, got {self.timeout_s}")
        if isinstance(self.max_attempts, bool) or self.max_attempts < 1:
            raise ValueError(f"max_attempts must be >= 1, got {self.max_attempts}")
        for name in ("backoff_base_s", "backoff_max_s", "max_retry_after_s"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")


class RequestBudget:
    """At most ``max_requests`` HTTP requests (retries included); ``None`` means unlimited."""

    def __init__(self, max_requests: int | None = None) -> None:
        if max_requests is not None and (isinstance(max_requests, bool) or max_requests < 0):
            raise ValueError(f"max_requests must be >= 0 or None, got {max_requests!r}")
        self.max_requests = max_requests
        self.used = 0

    def take(self) -> bool:
        """Take one request; False (and nothing taken) once the budget is spent."""
        if self.max_requests is not None and self.used >= self.max_requests:
            return False
        self.used += 1
        return True

    @property
    def remaining(self) -> int | None:
        return None if self.max_requests is None else self.max_requests - self.used

    def __repr__(self) -> str:
        return f"RequestBudget(max_requests={self.max_requests}, used={self.used})"


class SourceRequestError(Exception):
    """A request that finally failed. The message names source, method, endpoint and the reason
    (status, timeout, ...) and never a header value or an api key."""

    def __init__(
        self,
        reason: str,
        *,
        source: str,
        endpoint: str,
        method: str = "GET",
        status: int | None = None,
        attempts: int = 0,
    ) -> None:
        self.reason = reason
        self.source = source
        self.endpoint = endpoint
        self.method = method
        self.status = status
        self.attempts = attempts
        super().__init__(f"{source} {method} {endpoint}: {reason}")


def redact(text: str, secrets: Iterable[str]) -> str:
    """Replace every secret (and its URL-encoded form) in ``text`` with ``***``."""
    variants: set[str] = set()
    for secret in secrets:
        if secret and len(secret) >= _MIN_SECRET_LEN:
            variants.update({secret, quote(secret, safe=""), quote(secret)})
    for variant in sorted(variants, key=len, reverse=True):
        text = text.replace(variant, REDACTED)
    return text


def secrets_in_headers(headers: Mapping[str, str] | None) -> list[str]:
    """Values of credential-like headers (``X-RapidAPI-Key``, ``Authorization``, ...)."""
    return [v for k, v in (headers or {}).items() if _SENSITIVE_HEADER.search(k) and v]


def parse_retry_after(value: str | None, now: dt.datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date); None if absent
    or unparseable. Dates in the past give 0."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        seconds = (when - (now or dt.datetime.now(dt.UTC))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def backoff_delay(
    retry_number: int, settings: HttpSettings, rng: random.Random | None = None
) -> float:
    """Exponential backoff for the n-th retry (1-based), capped, with equal jitter [d/2, d]."""
    delay = min(settings.backoff_max_s, settings.backoff_base_s * 2 ** (retry_number - 1))
    if settings.jitter and delay > 0:
        delay = (rng or random).uniform(delay / 2, delay)
    return delay


@dataclass
class _Attempt:
    """What one attempt produced: a status and full body, or a reason it must be retried/failed."""

    status: int | None = None
    headers: httpx.Headers | None = None
    body: bytes = b""
    truncated: str | None = None  # 2xx body cut short: why
    transport_error: str | None = None  # no response at all: why
    retryable: bool = False
    num_bytes: int = 0


def _send_once(
    client: httpx.Client,
    method: str,
    url: str,
    params: Mapping[str, Any],
    headers: Mapping[str, str],
    timeout_s: float,
) -> _Attempt:
    try:
        with client.stream(
            method, url, params=params, headers=headers, timeout=timeout_s, follow_redirects=False
        ) as response:
            out = _Attempt(status=response.status_code, headers=response.headers)
            if not 200 <= response.status_code < 300:
                out.num_bytes = response.num_bytes_downloaded
                return out  # error bodies are not read: they are not kept or logged
            chunks: list[bytes] = []
            try:
                for chunk in response.iter_bytes():
                    chunks.append(chunk)
            except (httpx.RemoteProtocolError, httpx.ReadError, httpx.TimeoutException) as exc:
                expected = response.headers.get("content-length")
                got = response.num_bytes_downloaded
                of = f" of {expected}" if expected else ""
                out.truncated = f"truncated body: received {got}{of} bytes ({type(exc).__name__})"
                out.retryable = True
            out.body = b"".join(chunks)
            out.num_bytes = response.num_bytes_downloaded
            return out
    except httpx.TimeoutException as exc:
        return _Attempt(transport_error=f"timeout ({type(exc).__name__})", retryable=True)
    except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
        return _Attempt(
            transport_error=f"connection error ({type(exc).__name__}: {exc})", retryable=True
        )
    except httpx.TransportError as exc:
        return _Attempt(transport_error=f"transport error ({type(exc).__name__}: {exc})")


def _quarantine_text(body: bytes, encoding: str | None, secrets: list[str]) -> str:
    text = body[:BODY_TEXT_CAP].decode(encoding or "utf-8", errors="replace")
    return redact(text, secrets)


def _json_problem(body: bytes) -> tuple[Any, str | None]:
    """Parse a body; return (payload, None) or (None, why it is not usable JSON)."""
    if not body.strip():
        return None, "empty body"
    try:
        return json.loads(body), None
    except json.JSONDecodeError as exc:
        doc_len = len(exc.doc.rstrip()) if isinstance(exc.doc, str) else len(body)
        cut = exc.pos >= doc_len or exc.msg.startswith("Unterminated string")
        kind = "truncated JSON" if cut else "invalid JSON"
        return None, f"{kind}: {exc}"
    except ValueError as exc:  # undecodable bytes
        return None, f"invalid JSON: {exc}"


def fetch_json(
    client: httpx.Client,
    method: str,
    url: str,
    *,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    settings: HttpSettings | None = None,
    budget: RequestBudget | None = None,
    stats: FetchStats,
    source: str,
    endpoint: str,
    page: int | None = None,
    board: str | None = None,
    mode: str = "live",
    company_name: str | None = None,
    secrets: Iterable[str] = (),
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
) -> RawResponse | RawQuarantine | None:
    """Send one request with bounded, budgeted retries; see the module docstring for the policy.

    Returns the parsed body as a ``RawResponse``, a ``RawQuarantine`` for an unusable 2xx body, or
    ``None`` when the budget was spent before anything was sent. Raises ``SourceRequestError``.
    """
    settings = settings or HttpSettings()
    budget = budget if budget is not None else RequestBudget(None)
    params = dict(params or {})
    headers = dict(headers or {})
    secret_list = [*secrets, *secrets_in_headers(headers)]

    def fail(reason: str, status: int | None, attempts: int) -> SourceRequestError:
        stats.errors += 1
        return SourceRequestError(
            redact(reason, secret_list),
            source=source,
            endpoint=redact(endpoint, secret_list),
            method=method,
            status=status,
            attempts=attempts,
        )

    def quarantine(error: str, attempt: _Attempt, attempts: int) -> RawQuarantine:
        stats.errors += 1
        encoding = attempt.headers.encoding if attempt.headers is not None else None
        return RawQuarantine(
            source=source,
            endpoint=endpoint,
            request_params=params,
            error=redact(error, secret_list),
            body_text=_quarantine_text(attempt.body, encoding, secret_list),
            http_status=attempt.status or 0,
            page=page,
            attempts=attempts,
            board=board,
            mode=mode,
        )

    if not budget.take():
        stats.budget_exhausted = True
        return None
    attempts = 0
    while True:
        attempts += 1
        stats.requests += 1
        result = _send_once(client, method, url, params, headers, settings.timeout_s)
        stats.bytes += result.num_bytes
        status = result.status

        if result.transport_error is not None:
            reason = result.transport_error
        elif status is not None and 200 <= status < 300 and result.truncated is None:
            payload, problem = _json_problem(result.body)
            if problem is not None:
                return quarantine(problem, result, attempts)
            stats.pages += 1
            stats.postings += count_postings(source, payload)
            return RawResponse(
                source=source,
                endpoint=endpoint,
                request_params=params,
                payload=payload,
                http_status=status,
                page=page,
                attempts=attempts,
                board=board,
                company_name=company_name,
                mode=mode,
            )
        elif result.truncated is not None:
            reason = result.truncated
        elif status == 429 or (status is not None and status >= 500):
            reason = f"HTTP {status}"
            result.retryable = True
        else:
            raise fail(f"HTTP {status}", status, attempts)

        if not result.retryable:
            raise fail(reason, status, attempts)
        if attempts >= settings.max_attempts:
            if result.truncated is not None:
                return quarantine(f"{reason} after {attempts} attempts", result, attempts)
            raise fail(f"{reason} after {attempts} attempts", status, attempts)
        if not budget.take():
            stats.budget_exhausted = True
            if result.truncated is not None:
                return quarantine(f"{reason}; request budget exhausted", result, attempts)
            raise fail(
                f"{reason}; request budget exhausted after {attempts} attempts", status, attempts
            )
        retry_after = None
        if result.headers is not None and status is not None and (status == 429 or status >= 500):
            retry_after = parse_retry_after(result.headers.get("retry-after"))
        if retry_after is not None:
            delay = min(retry_after, settings.max_retry_after_s)
        else:
            delay = backoff_delay(attempts, settings, rng)
        stats.retries += 1
        if delay > 0:
            sleep(delay)
