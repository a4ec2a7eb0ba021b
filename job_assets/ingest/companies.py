"""Company enrichment state: each employer looked up once on Glassdoor, remembered across runs.

Pure module. State lives in ``state/company_lookups.parquet`` (rewritten atomically), one row per
normalized company name with a status: pending, found, not_found or error. Errors are retried up
to ``max_error_retries`` times; found/not_found answers are refreshed after ``ttl_days``.
Between several search hits the best is chosen by name and website-domain similarity, and the
choice (score and reason) is recorded.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from rapidfuzz import fuzz

from job_assets.storage import atomic_path

STATE_SCHEMA: dict[str, pl.DataType] = {
    "company_name_norm": pl.String,
    "company_name": pl.String,
    "lookup_status": pl.String,  # pending | found | not_found | error
    "attempts": pl.Int64,
    "last_attempt_at": pl.Datetime("us", "UTC"),
    "looked_up_at": pl.Datetime("us", "UTC"),
    "glassdoor_company_id": pl.Int64,
    "glassdoor_name": pl.String,
    "website": pl.String,
    "industry": pl.String,
    "company_size": pl.String,
    "company_size_bin": pl.String,
    "rating": pl.Float64,
    "review_count": pl.Int64,
    "headquarters": pl.String,
    "choice_score": pl.Float64,
    "choice_reason": pl.String,
    "error": pl.String,
}
MATCH_THRESHOLD = 80.0


def read_state(path: Path) -> pl.DataFrame:
    if not path.exists():
        return pl.DataFrame(schema=STATE_SCHEMA)
    return pl.read_parquet(path).select([pl.col(c).cast(t) for c, t in STATE_SCHEMA.items()])


def write_state(path: Path, state: pl.DataFrame) -> None:
    with atomic_path(path) as tmp:
        state.sort("company_name_norm").write_parquet(tmp)


def due_for_lookup(
    employers: pl.DataFrame,
    state: pl.DataFrame,
    now: dt.datetime,
    ttl_days: int,
    max_error_retries: int,
) -> pl.DataFrame:
    """Employers (company_name_norm, company_name, company_website) that need a lookup now."""
    known = employers.unique("company_name_norm").join(
        state.select("company_name_norm", "lookup_status", "attempts", "looked_up_at"),
        on="company_name_norm",
        how="left",
    )
    stale = pl.col("looked_up_at") < pl.lit(now - dt.timedelta(days=ttl_days))
    due = (
        pl.col("lookup_status").is_null()
        | (pl.col("lookup_status") == "pending")
        | ((pl.col("lookup_status") == "error") & (pl.col("attempts") < max_error_retries))
        | (pl.col("lookup_status").is_in(["found", "not_found"]) & stale)
    )
    return known.filter(due).select("company_name_norm", "company_name", "company_website")


def _domain(url: str | None) -> str:
    if not url:
        return ""
    host = re.sub(r"^[a-z]+://", "", url.strip().lower()).split("/")[0]
    return host.removeprefix("www.")


@dataclass(frozen=True)
class CompanyChoice:
    hit: dict[str, Any] | None
    score: float
    reason: str


def choose_company(name: str, website: str | None, hits: list[dict[str, Any]]) -> CompanyChoice:
    """Pick the search hit that is this employer, or none. Name similarity is the mean of the
    token-set ratio (word order and extra words forgiven) and the plain ratio (extra words cost),
    so "Stripe" prefers "Stripe" over "Stripe Group"; an equal website domain adds 15."""
    if not hits:
        return CompanyChoice(None, 0.0, "no search results")
    wanted_domain = _domain(website)
    best: tuple[float, dict[str, Any], str] | None = None
    for hit in hits:
        a, b = name.lower(), str(hit.get("name", "")).lower()
        name_score = (fuzz.token_set_ratio(a, b) + fuzz.ratio(a, b)) / 2
        hit_domain = _domain(hit.get("website"))
        domain_match = bool(wanted_domain and hit_domain and wanted_domain == hit_domain)
        score = name_score + (15.0 if domain_match else 0.0)
        reason = f"name similarity {name_score:.0f}" + (
            ", same website domain" if domain_match else ""
        )
        if best is None or score > best[0]:
            best = (score, hit, reason)
    assert best is not None
    score, hit, reason = best
    if score < MATCH_THRESHOLD:
        return CompanyChoice(None, score, f"best hit '{hit.get('name')}' below threshold: {reason}")
    return CompanyChoice(hit, score, f"chose '{hit.get('name')}' of {len(hits)} hit(s): {reason}")


def lookup_row(
    employer: dict[str, Any],
    choice: CompanyChoice | None,
    now: dt.datetime,
    previous_attempts: int,
    error: str | None,
    size_bin: str,
) -> dict[str, Any]:
    """The new state row for one employer after a lookup attempt."""
    hit = choice.hit if choice else None
    status = "error" if error else ("found" if hit else "not_found")
    return {
        "company_name_norm": employer["company_name_norm"],
        "company_name": employer["company_name"],
        "lookup_status": status,
        "attempts": previous_attempts + 1,
        "last_attempt_at": now,
        "looked_up_at": None if error else now,
        "glassdoor_company_id": (hit or {}).get("company_id"),
        "glassdoor_name": (hit or {}).get("name"),
        "website": (hit or {}).get("website"),
        "industry": (hit or {}).get("industry"),
        "company_size": (hit or {}).get("company_size"),
        "company_size_bin": size_bin if hit else "unknown",
        "rating": (hit or {}).get("rating"),
        "review_count": (hit or {}).get("review_count"),
        "headquarters": (hit or {}).get("headquarters_location"),
        "choice_score": choice.score if choice else None,
        "choice_reason": choice.reason if choice else None,
        "error": error,
    }


def merge_state(state: pl.DataFrame, updates: list[dict[str, Any]]) -> pl.DataFrame:
    if not updates:
        return state
    new = pl.DataFrame(updates, schema=STATE_SCHEMA)
    return pl.concat(
        [state.join(new.select("company_name_norm"), on="company_name_norm", how="anti"), new]
    )
