"""One client per API. Each yields ``RawResponse`` / ``RawQuarantine`` records, one per HTTP
response, with the body verbatim; all HTTP goes through ``fetch_json`` (retries, budget, stats).

The caller owns the ``httpx.Client``. A generator stops quietly when the request budget is spent
(``stats.budget_exhausted`` is set) and stops paging after a quarantined page (what came next is
unknown). A failing target raises ``SourceRequestError`` out of the generator; ``fetch_boards``
catches it per board, records ``"<source>:<token>: <reason>"`` in ``stats.failed_targets`` and
goes on with the next board. Pure module: no Dagster import.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, ClassVar, Protocol

import httpx

from job_assets.ingest.envelope import FetchStats, RawQuarantine, RawResponse
from job_assets.ingest.http import (
    HttpSettings,
    RequestBudget,
    SourceRequestError,
    fetch_json,
)
from job_assets.ingest.sources_config import BoardConfig

RawRecord = RawResponse | RawQuarantine
JSEARCH_HOST = "jsearch.p.rapidapi.com"
GLASSDOOR_HOST = "real-time-glassdoor-data.p.rapidapi.com"
JSEARCH_DATE_POSTED = ("today", "3days", "week", "month", "all")
JOB_DETAILS_BATCH = 20
_TOKEN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_MAX_DETAIL_FAILURES = 3  # greenhouse pay-transparency: consecutive failures before giving up


def date_posted_for_window(partition_date: dt.date | str, today: dt.date | str) -> str:
    """The smallest JSearch ``date_posted`` window that still covers all of ``partition_date``
    when searching on ``today``: today (same day), 3days (<= 2 days back), week (<= 6),
    month (<= 29), else all. A partition after today is a ValueError."""
    part = (
        dt.date.fromisoformat(partition_date) if isinstance(partition_date, str) else partition_date
    )
    now = dt.date.fromisoformat(today) if isinstance(today, str) else today
    if isinstance(part, dt.datetime):
        part = part.date()
    if isinstance(now, dt.datetime):
        now = now.date()
    days_back = (now - part).days
    if days_back < 0:
        raise ValueError(f"partition date {part} is after today ({now})")
    if days_back == 0:
        return "today"
    if days_back <= 2:
        return "3days"
    if days_back <= 6:
        return "week"
    if days_back <= 29:
        return "month"
    return "all"


def _check_token(token: str) -> str:
    if not isinstance(token, str) or not _TOKEN.match(token):
        raise ValueError(f"invalid board token {token!r}")
    return token


class _Client:
    """What every client shares: the httpx client, policy, budget, stats and sleep function."""

    source: ClassVar[str]
    default_base_url: ClassVar[str]

    def __init__(
        self,
        client: httpx.Client,
        *,
        base_url: str | None = None,
        settings: HttpSettings | None = None,
        budget: RequestBudget | None = None,
        stats: FetchStats | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.settings = settings or HttpSettings()
        self.budget = budget if budget is not None else RequestBudget(None)
        self.stats = stats if stats is not None else FetchStats()
        self.sleep = sleep

    def _headers(self) -> dict[str, str]:
        return {"Accept": "application/json"}

    def _secrets(self) -> tuple[str, ...]:
        return ()

    def _get(
        self,
        endpoint: str,
        params: dict[str, Any],
        *,
        base_url: str | None = None,
        page: int | None = None,
        board: str | None = None,
        company_name: str | None = None,
    ) -> RawRecord | None:
        return fetch_json(
            self.client,
            "GET",
            (base_url or self.base_url) + endpoint,
            params=params,
            headers=self._headers(),
            settings=self.settings,
            budget=self.budget,
            stats=self.stats,
            source=self.source,
            endpoint=endpoint,
            page=page,
            board=board,
            company_name=company_name,
            secrets=self._secrets(),
            sleep=self.sleep,
        )

    def __repr__(self) -> str:  # never shows a key
        return f"{type(self).__name__}(base_url={self.base_url!r}, budget={self.budget!r})"


class _RapidApiClient(_Client):
    """RapidAPI-hosted APIs: key and host headers; ``base_url`` defaults to the vendor's."""

    host: ClassVar[str]

    def __init__(self, client: httpx.Client, api_key: str, *, host: str | None = None, **kw: Any):
        if not api_key or not api_key.strip():
            raise ValueError(f"{type(self).__name__} needs a RapidAPI key (see sources.yml)")
        super().__init__(client, **kw)
        self._api_key = api_key.strip()
        self._host = host or self.host

    def _headers(self) -> dict[str, str]:
        return {
            "Accept": "application/json",
            "X-RapidAPI-Key": self._api_key,
            "X-RapidAPI-Host": self._host,
        }

    def _secrets(self) -> tuple[str, ...]:
        return (self._api_key,)


class JSearchClient(_RapidApiClient):
    """JSearch on RapidAPI: ``/search`` (paged) and ``/job-details`` (batches of 20 ids)."""

    source = "jsearch"
    host = JSEARCH_HOST

    default_base_url = "https://jsearch.p.rapidapi.com"

    def search(
        self,
        query: str,
        *,
        location: str | None = None,
        country: str | None = None,
        date_posted: str = "today",
        employment_types: Iterable[str] | None = None,
        work_from_home: bool | None = None,
        page: int = 1,
        num_pages: int = 1,
        max_pages: int = 10,
    ) -> Iterator[RawRecord]:
        """Page through ``/search`` from ``page``, ``num_pages`` API pages per request, until a
        response with an empty (or missing) ``data`` list or ``max_pages`` API pages were asked
        for. ``location`` is appended to the query as "<query> in <location>" (JSearch style)."""
        if date_posted not in JSEARCH_DATE_POSTED:
            raise ValueError(
                f"date_posted must be one of {JSEARCH_DATE_POSTED}, got {date_posted!r}"
            )
        if page < 1 or num_pages < 1 or max_pages < 1:
            raise ValueError("page, num_pages and max_pages must be >= 1")
        text = f"{query} in {location}" if location else query
        base: dict[str, Any] = {"query": text}
        if country:
            base["country"] = country.lower()
        base["date_posted"] = date_posted
        if employment_types:
            base["employment_types"] = ",".join(t.strip().upper() for t in employment_types)
        if work_from_home is not None:
            base["work_from_home"] = "true" if work_from_home else "false"
        asked = 0
        while asked < max_pages:
            n = min(num_pages, max_pages - asked)
            params = {**base, "page": page, "num_pages": n}
            record = self._get("/search", params, page=page)
            if record is None:
                return
            yield record
            if isinstance(record, RawQuarantine):
                return
            data = record.payload.get("data") if isinstance(record.payload, dict) else None
            if not isinstance(data, list) or not data:
                return
            asked += n
            page += n

    def job_details(self, job_ids: Iterable[str]) -> Iterator[RawRecord]:
        """``/job-details`` for the ids (deduplicated, order kept), <= 20 per request."""
        ids = list(dict.fromkeys(i for i in job_ids if i))
        for batch_no, start in enumerate(range(0, len(ids), JOB_DETAILS_BATCH), start=1):
            batch = ids[start : start + JOB_DETAILS_BATCH]
            record = self._get("/job-details", {"job_id": ",".join(batch)}, page=batch_no)
            if record is None:
                return
            yield record


class GlassdoorClient(_RapidApiClient):
    """Real-Time Glassdoor Data on RapidAPI: company search."""

    source = "glassdoor"
    host = GLASSDOOR_HOST

    default_base_url = "https://real-time-glassdoor-data.p.rapidapi.com"

    def company_search(
        self, query: str, *, domain: str | None = None, limit: int | None = None
    ) -> Iterator[RawRecord]:
        """``GET /company-search?query=...``: yields at most one record."""
        params: dict[str, Any] = {"query": query}
        if domain:
            params["domain"] = domain
        if limit is not None:
            params["limit"] = limit
        record = self._get("/company-search", params)
        if record is not None:
            yield record


class BoardClient(Protocol):
    source: str
    stats: FetchStats

    def fetch_board(self, board: BoardConfig) -> Iterator[RawRecord]: ...


class GreenhouseClient(_Client):
    """Greenhouse Job Board API: the whole board in one response, pay ranges per job."""

    source = "greenhouse"

    def __init__(
        self,
        client: httpx.Client,
        *,
        base_url: str = "https://boards-api.greenhouse.io",
        pay_transparency: bool = False,
        settings: HttpSettings | None = None,
        budget: RequestBudget | None = None,
        stats: FetchStats | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(
            client, base_url=base_url, settings=settings, budget=budget, stats=stats, sleep=sleep
        )
        self.pay_transparency = pay_transparency

    def board_jobs(
        self, token: str, company_name: str | None = None, pay_transparency: bool = False
    ) -> Iterator[RawRecord]:
        """``GET /v1/boards/{token}/jobs?content=true``; with ``pay_transparency`` also one
        ``GET /v1/boards/{token}/jobs/{id}?pay_transparency=true`` per job, each its own envelope
        (the normalizer joins ``pay_input_ranges`` back to the job by id). A failing job detail
        is recorded in ``stats.failed_targets`` and skipped; 3 failures in a row stop them."""
        _check_token(token)
        endpoint = f"/v1/boards/{token}/jobs"
        record = self._get(endpoint, {"content": "true"}, board=token, company_name=company_name)
        if record is None:
            return
        yield record
        if not pay_transparency or isinstance(record, RawQuarantine):
            return
        jobs = record.payload.get("jobs") if isinstance(record.payload, dict) else None
        failures = 0
        for job in jobs if isinstance(jobs, list) else []:
            job_id = job.get("id") if isinstance(job, dict) else None
            if isinstance(job_id, bool) or not isinstance(job_id, int | str) or job_id == "":
                continue
            try:
                detail = self._get(
                    f"{endpoint}/{job_id}",
                    {"pay_transparency": "true"},
                    board=token,
                    company_name=company_name,
                )
            except SourceRequestError as exc:
                self.stats.failed_targets.append(f"greenhouse:{token}/{job_id}: {exc.reason}")
                failures += 1
                if failures >= _MAX_DETAIL_FAILURES:
                    self.stats.failed_targets.append(
                        f"greenhouse:{token}: pay transparency stopped after {failures} "
                        "failures in a row"
                    )
                    return
                continue
            if detail is None:
                return
            failures = 0
            yield detail

    def fetch_board(self, board: BoardConfig) -> Iterator[RawRecord]:
        return self.board_jobs(board.token, board.company_name, self.pay_transparency)


class LeverClient(_Client):
    """Lever Postings API: ``skip``/``limit`` paging; EU boards on ``api.eu.lever.co``."""

    source = "lever"

    def __init__(
        self,
        client: httpx.Client,
        *,
        base_url: str = "https://api.lever.co",
        eu_base_url: str = "https://api.eu.lever.co",
        limit: int = 100,
        max_pages: int = 50,
        settings: HttpSettings | None = None,
        budget: RequestBudget | None = None,
        stats: FetchStats | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(
            client, base_url=base_url, settings=settings, budget=budget, stats=stats, sleep=sleep
        )
        self.eu_base_url = eu_base_url.rstrip("/")
        self.limit = limit
        self.max_pages = max_pages

    def postings(
        self,
        token: str,
        company_name: str | None = None,
        region: str = "global",
        limit: int | None = None,
    ) -> Iterator[RawRecord]:
        """``GET /v0/postings/{token}?mode=json&skip=&limit=`` until a page shorter than
        ``limit`` (or empty), ``max_pages`` pages, or a page identical to the previous one (a
        server that ignores ``skip``)."""
        _check_token(token)
        if region not in ("global", "eu"):
            raise ValueError(f"lever region must be 'global' or 'eu', got {region!r}")
        limit = limit or self.limit
        if limit < 1:
            raise ValueError("limit must be >= 1")
        base_url = self.eu_base_url if region == "eu" else self.base_url
        endpoint = f"/v0/postings/{token}"
        previous_first: Any = None
        for page in range(1, self.max_pages + 1):
            params = {"mode": "json", "skip": (page - 1) * limit, "limit": limit}
            record = self._get(
                endpoint,
                params,
                base_url=base_url,
                page=page,
                board=token,
                company_name=company_name,
            )
            if record is None:
                return
            payload = record.payload if isinstance(record, RawResponse) else None
            first = payload[0].get("id") if payload and isinstance(payload[0], dict) else None
            if page > 1 and first is not None and first == previous_first:
                self.stats.failed_targets.append(f"lever:{token}: server ignored skip; stopped")
                return
            yield record
            if not isinstance(payload, list) or len(payload) < limit:
                return
            previous_first = first

    def fetch_board(self, board: BoardConfig) -> Iterator[RawRecord]:
        return self.postings(board.token, board.company_name, board.region)


class AshbyClient(_Client):
    """Ashby public job board API (with compensation)."""

    source = "ashby"
    default_base_url = "https://api.ashbyhq.com"

    def job_board(self, token: str, company_name: str | None = None) -> Iterator[RawRecord]:
        """``GET /posting-api/job-board/{token}?includeCompensation=true``."""
        _check_token(token)
        record = self._get(
            f"/posting-api/job-board/{token}",
            {"includeCompensation": "true"},
            board=token,
            company_name=company_name,
        )
        if record is not None:
            yield record

    def fetch_board(self, board: BoardConfig) -> Iterator[RawRecord]:
        return self.job_board(board.token, board.company_name)


def fetch_boards(board_client: BoardClient, boards: Iterable[BoardConfig]) -> Iterator[RawRecord]:
    """Every board in turn, with the client's stats. A board that fails (``SourceRequestError``
    or a bad token) adds ``"<source>:<token>: <reason>"`` to ``stats.failed_targets`` (records it
    already yielded are kept) and the next board goes on. Boards the budget did not reach are
    listed as ``"<source>:<token>: budget exhausted"`` (``... (partial)`` when cut short)."""
    stats = board_client.stats
    source = board_client.source
    for board in boards:
        if stats.budget_exhausted:
            stats.failed_targets.append(f"{source}:{board.token}: budget exhausted")
            continue
        yielded = 0
        try:
            for record in board_client.fetch_board(board):
                yielded += 1
                yield record
        except SourceRequestError as exc:
            stats.failed_targets.append(f"{source}:{board.token}: {exc.reason}")
            continue
        except ValueError as exc:
            stats.failed_targets.append(f"{source}:{board.token}: {exc}")
            continue
        if stats.budget_exhausted:
            partial = " (partial)" if yielded else ""
            stats.failed_targets.append(f"{source}:{board.token}: budget exhausted{partial}")
