"""Send run summaries to webhooks: retries, HMAC signatures, and no secret ever leaves this module.

Configuration: ``JOBS_WEBHOOK_URLS`` (comma / space / newline separated; an optional
``slack+`` / ``teams+`` / ``json+`` prefix forces the payload flavor, see
:mod:`job_assets.notify.summary`) and ``JOBS_WEBHOOK_SECRET`` (optional HMAC key).

Signature scheme (documented for receivers). When a secret is configured every request carries::

    X-Jobs-Timestamp: <unix seconds>
    X-Jobs-Signature: sha256=<hex HMAC-SHA256(secret, f"{timestamp}.".encode() + raw_body)>

A receiver recomputes the HMAC over the *raw* request body, compares in constant time
(:func:`verify_signature` does exactly this) and should reject timestamps older than a few
minutes to stop replays (``verify_signature(..., tolerance_s=300)``).

Delivery never raises and never fails a pipeline run. Results and log lines only show the URL
as ``scheme://host[:port]/…``: Slack and Teams URLs carry their credential in the path.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx

from job_assets.notify.summary import RunSummary, build_webhook_payload, split_flavor

logger = logging.getLogger(__name__)

ENV_URLS = "JOBS_WEBHOOK_URLS"
ENV_SECRET = "JOBS_WEBHOOK_SECRET"
SIGNATURE_HEADER = "X-Jobs-Signature"
TIMESTAMP_HEADER = "X-Jobs-Timestamp"
USER_AGENT = "job-lakehouse-notify/1"
MAX_RETRY_AFTER_S = 30.0
_SPLIT = re.compile(r"[\s,]+")


@dataclass(frozen=True)
class DeliveryResult:
    """Outcome of delivering one payload to one URL (URL redacted to ``scheme://host/…``)."""

    url: str
    flavor: str
    ok: bool
    status: int | None
    attempts: int
    error: str | None = None


def parse_webhook_urls(env_value: str | None) -> list[str]:
    """Split a comma / whitespace / newline separated list; de-duplicated, order kept.

    ``None`` or blank gives ``[]``. :func:`webhook_urls_from_env` reads ``JOBS_WEBHOOK_URLS``.
    """
    if not env_value:
        return []
    seen: dict[str, None] = {}
    for item in _SPLIT.split(env_value):
        if item:
            seen.setdefault(item, None)
    return list(seen)


def webhook_urls_from_env() -> list[str]:
    """``parse_webhook_urls(os.environ.get("JOBS_WEBHOOK_URLS"))``."""
    return parse_webhook_urls(os.environ.get(ENV_URLS))


def webhook_secret_from_env() -> str | None:
    """``JOBS_WEBHOOK_SECRET`` or None when unset / blank."""
    value = os.environ.get(ENV_SECRET, "").strip()
    return value or None


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """Hex HMAC-SHA256 of ``f"{timestamp}.".encode() + body`` keyed with ``secret``."""
    msg = f"{int(timestamp)}.".encode() + body
    return hmac.new(secret.encode("utf-8"), msg, hashlib.sha256).hexdigest()


def verify_signature(
    body: bytes,
    secret: str,
    timestamp: int | str,
    header: str | None,
    *,
    tolerance_s: float | None = None,
    now: float | None = None,
) -> bool:
    """Constant-time check of an ``X-Jobs-Signature`` header (``sha256=<hex>``) for ``body``.

    With ``tolerance_s`` the timestamp must also be within that many seconds of ``now``.
    """
    if not header or not secret:
        return False
    try:
        ts = int(str(timestamp).strip())
    except ValueError:
        return False
    if tolerance_s is not None:
        current = time.time() if now is None else now
        if abs(current - ts) > tolerance_s:
            return False
    scheme, _, given = header.strip().partition("=")
    if scheme.lower() != "sha256" or not given:
        return False
    expected = sign(body, secret, ts)
    return hmac.compare_digest(expected.encode("ascii"), given.strip().lower().encode("ascii"))


def redact_url(url: str) -> str:
    """``scheme://host[:port]/…``: no user info, path, query or fragment."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "<invalid url>"
    if not parts.scheme or not host:
        return "<invalid url>"
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port else host
    return f"{parts.scheme}://{netloc}/…"


def _scrub(text: str, secrets: list[str]) -> str:
    for s in sorted((s for s in secrets if s and len(s) > 1), key=len, reverse=True):
        text = text.replace(s, "…")
    return text


def _url_secrets(url: str) -> list[str]:
    """Every fragment of a URL that may be secret (whole URL, path, query, user info)."""
    out = [url]
    try:
        parts = urlsplit(url)
    except ValueError:
        return out
    out += [parts.path, parts.query, parts.fragment, parts.netloc.rpartition("@")[0]]
    out += [seg for seg in parts.path.split("/") if len(seg) >= 6]
    return out


def _retry_after_s(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, OverflowError):
        return None


def _is_retryable_status(status: int) -> bool:
    return status == 429 or 500 <= status <= 599


def _deliver(
    raw_url: str,
    summary: RunSummary,
    secret: str | None,
    transport: httpx.BaseTransport,
    *,
    timeout_s: float,
    max_attempts: int,
    backoff_s: float,
    sleep: Callable[[float], None],
    clock: Callable[[], float],
) -> DeliveryResult:
    flavor, url = split_flavor(raw_url)
    shown = redact_url(url)
    scheme = urlsplit(url).scheme.lower() if shown != "<invalid url>" else ""
    if scheme not in ("http", "https"):
        return DeliveryResult(shown, flavor, False, None, 0, "unsupported or invalid URL")
    body = json.dumps(build_webhook_payload(summary, flavor), ensure_ascii=False).encode("utf-8")
    attempts, status, error = 0, None, None
    timeout = httpx.Timeout(timeout_s).as_dict()
    for attempt in range(1, max(1, max_attempts) + 1):
        attempts = attempt
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
        if secret:
            ts = int(clock())
            headers[TIMESTAMP_HEADER] = str(ts)
            headers[SIGNATURE_HEADER] = f"sha256={sign(body, secret, ts)}"
        request = httpx.Request("POST", url, content=body, headers=headers)
        request.extensions["timeout"] = timeout
        retry_after: float | None = None
        try:
            response = transport.handle_request(request)
            try:
                response.read()
            finally:
                response.close()
            status = response.status_code
            if 200 <= status < 300:
                return DeliveryResult(shown, flavor, True, status, attempts, None)
            error = f"HTTP {status}"
            if not _is_retryable_status(status):
                break
            retry_after = _retry_after_s(response)
        except httpx.UnsupportedProtocol:
            status, error = None, "unsupported URL scheme"
            break
        except httpx.TimeoutException as exc:
            status, error = None, f"timeout ({type(exc).__name__})"
        except httpx.TransportError as exc:
            status, error = None, f"{type(exc).__name__}: {exc}"
        if attempt < max_attempts:
            delay = backoff_s * (2 ** (attempt - 1))
            if retry_after is not None:
                delay = max(delay, min(retry_after, MAX_RETRY_AFTER_S))
            logger.info(
                "webhook %s attempt %d/%d failed (%s); retrying in %.1fs",
                shown,
                attempt,
                max_attempts,
                error,
                delay,
            )
            sleep(delay)
    return DeliveryResult(shown, flavor, False, status, attempts, error)


def post_summary(
    summary: RunSummary,
    urls: list[str],
    secret: str | None = None,
    *,
    timeout_s: float = 10,
    max_attempts: int = 4,
    backoff_s: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
    transport: httpx.BaseTransport | None = None,
) -> list[DeliveryResult]:
    """POST the summary to every URL; one :class:`DeliveryResult` per URL, in order.

    Retries 5xx, 429 (honouring ``Retry-After`` up to 30 s), timeouts and connection errors with
    exponential backoff (``backoff_s * 2**(attempt-1)``); other 4xx fail at once. Never raises.
    Requests go through an ``httpx`` transport directly (no client-level request logging, which
    would print full URLs) and ignore proxy environment variables.
    """
    results: list[DeliveryResult] = []
    own_transport = transport is None
    tr: httpx.BaseTransport | None = transport
    try:
        if tr is None:
            try:
                tr = httpx.HTTPTransport(retries=0)
            except Exception as exc:  # noqa: BLE001 - e.g. a broken CA bundle
                logger.warning("webhook transport setup failed: %s", type(exc).__name__)
                return [
                    DeliveryResult(
                        redact_url(split_flavor(u)[1]),
                        split_flavor(u)[0],
                        False,
                        None,
                        0,
                        f"transport setup failed: {type(exc).__name__}",
                    )
                    for u in urls
                ]
        for raw_url in urls:
            secrets = _url_secrets(split_flavor(raw_url)[1]) + [secret or ""]
            try:
                result = _deliver(
                    raw_url,
                    summary,
                    secret,
                    tr,
                    timeout_s=timeout_s,
                    max_attempts=max_attempts,
                    backoff_s=backoff_s,
                    sleep=sleep,
                    clock=clock,
                )
            except Exception as exc:  # noqa: BLE001 - a webhook must never fail the run
                flavor, url = split_flavor(raw_url)
                result = DeliveryResult(
                    redact_url(url), flavor, False, None, 0, f"{type(exc).__name__}: {exc}"
                )
            if result.error:
                result = DeliveryResult(
                    result.url,
                    result.flavor,
                    result.ok,
                    result.status,
                    result.attempts,
                    _scrub(result.error, secrets),
                )
            if result.ok:
                logger.info(
                    "webhook %s delivered (%s, HTTP %s, %d attempt(s))",
                    result.url,
                    result.flavor,
                    result.status,
                    result.attempts,
                )
            else:
                logger.warning(
                    "webhook %s not delivered after %d attempt(s): %s",
                    result.url,
                    result.attempts,
                    result.error,
                )
            results.append(result)
    finally:
        if own_transport and tr is not None:
            try:
                tr.close()
            except Exception:  # noqa: BLE001
                logger.debug("closing webhook transport failed", exc_info=False)
    return results
