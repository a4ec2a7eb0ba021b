"""Explainable ranking: score every active campaign against every job in one DuckDB pass.

``score_in_connection`` runs on any DuckDB connection holding a ``jobs_in`` relation: the
warehouse connection in the pipeline (job_assets.ranking.store inserts its output straight
into ``job_rankings``) or an in-memory one behind ``score_jobs`` (frames in, frames out).
Per-job values (recency, rating, normalized keys) are computed once per job; titles, places
and size bins get integer ids, and each factor's share and reason is computed once per
(campaign, distinct value). The pairs themselves are narrow numeric rows (ids, skills bitmask,
points, rank); reasons, skill lists and the explanation JSON are joined back at the end, the
JSON only for the top ``explain_max_rank`` ranks. No Python loop touches jobs or pairs.

Every factor's points are rounded first and then summed, so ``sum(pts_*) == score`` exactly.
Pure module: no Dagster import.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa
import yaml

from job_assets.ranking.campaigns import (
    EMPLOYMENT_TYPES,
    REMOTE_TYPES,
    SENIORITY_LEVELS,
    Campaign,
    CampaignsConfig,
    active_campaigns,
    convert_salary,
)
from job_assets.settings import get_paths
from job_assets.warehouse.keys import JOB_SK_OR_NULL_SQL

FACTORS: tuple[str, ...] = (
    "skills",
    "title",
    "location_remote",
    "salary",
    "seniority",
    "employment_type",
    "company_size",
    "recency",
    "company_rating",
)
# Career ladder used for "one level away"; staff and lead sit side by side.
SENIORITY_RANK: dict[str, int] = {
    "intern": 0,
    "junior": 1,
    "mid": 2,
    "senior": 3,
    "staff": 4,
    "lead": 4,
    "principal": 5,
    "head": 6,
}
_SHARE_SETTINGS: tuple[str, ...] = (
    "must_have_penalty_multiplier",
    "no_skill_preference_share",
    "title_family_share",
    "location_city_share",
    "location_region_share",
    "location_country_share",
    "remote_share",
    "unknown_remote_share",
    "missing_salary_points_share",
    "salary_partial_min_share",
    "no_salary_preference_share",
    "seniority_adjacent_share",
    "seniority_unknown_share",
    "employment_unknown_share",
    "company_size_unknown_share",
    "missing_posted_at_share",
    "missing_rating_share",
)
_DEFAULT_SETTINGS: dict[str, Any] = {
    # rank_explain JSON only for rows ranked at or above this (null = every row); lower rows
    # keep their per-factor points (pts_*) and skills, just not the prose
    "explain_max_rank": None,
    "must_have_penalty_mode": "all",
    "must_have_penalty_multiplier": 0.5,
    "no_skill_preference_share": 1.0,
    "title_family_share": 0.5,
    "location_city_share": 1.0,
    "location_region_share": 0.5,
    "location_country_share": 0.2,
    "remote_share": 1.0,
    "unknown_remote_share": 0.3,
    "missing_salary_points_share": 0.5,
    "salary_partial_min_share": 0.4,
    "no_salary_preference_share": 1.0,
    "seniority_adjacent_share": 0.4,
    "seniority_unknown_share": 0.5,
    "employment_unknown_share": 0.5,
    "company_size_unknown_share": 0.5,
    "recency_half_life_days": 14.0,
    "missing_posted_at_share": 0.3,
    "missing_rating_share": 0.5,
    "include_inactive": False,
}

RANKING_SCHEMA: dict[str, pl.DataType] = {
    "campaign_id": pl.String(),
    "job_id": pl.String(),
    "score": pl.Float64(),
    "rank": pl.Int64(),
    **{f"pts_{f}": pl.Float64() for f in FACTORS},
    "matched_skills": pl.List(pl.String()),
    "missing_skills": pl.List(pl.String()),
    "missing_must_have": pl.List(pl.String()),
    "meets_min_score": pl.Boolean(),
    "rank_explain": pl.String(),
    "ruleset_version": pl.String(),
    "ranked_at": pl.Datetime("us", "UTC"),
}
EXCLUSION_SCHEMA: dict[str, pl.DataType] = {
    "campaign_id": pl.String(),
    "job_id": pl.String(),
    "reason": pl.String(),
    "ruleset_version": pl.String(),
    "ranked_at": pl.Datetime("us", "UTC"),
}
# Columns read from the jobs frame; missing optional ones are filled with typed nulls.
_JOB_COLUMNS: dict[str, pl.DataType] = {
    "job_id": pl.String(),
    "title": pl.String(),
    "title_std": pl.String(),
    "title_family": pl.String(),
    "seniority": pl.String(),
    "company_name": pl.String(),
    "company_name_norm": pl.String(),
    "city": pl.String(),
    "region": pl.String(),
    "country": pl.String(),
    "remote_type": pl.String(),
    "employment_type": pl.String(),
    "salary_min_norm": pl.Int64(),
    "salary_max_norm": pl.Int64(),
    "skills": pl.List(pl.String()),
    "description_text": pl.String(),
    "company_size_bin": pl.String(),
    "company_rating": pl.Float64(),
    "posted_at": pl.Datetime("us", "UTC"),
    "is_active": pl.Boolean(),
    "job_posting_key": pl.String(),
}


class RankingConfigError(ValueError):
    """``ranking.yml`` is invalid; one line per problem."""


@dataclass(frozen=True)
class RankingConfig:
    """The ruleset: factor weights (max points) and tuning settings."""

    version: str
    weights: dict[str, float]
    settings: dict[str, Any] = field(default_factory=lambda: dict(_DEFAULT_SETTINGS))
    fx_base: str | None = None
    fx_rates: dict[str, float] = field(default_factory=dict)

    def s(self, key: str) -> Any:
        return self.settings.get(key, _DEFAULT_SETTINGS[key])


@dataclass(frozen=True)
class RankingResult:
    """``rankings``: one row per kept (campaign, job); ``exclusions``: pairs dropped and why."""

    rankings: pl.DataFrame
    exclusions: pl.DataFrame


def load_ranking_config(path: Path | str | None = None) -> RankingConfig:
    """Read and validate ``ranking.yml`` (default: the taxonomy folder's)."""
    p = Path(path) if path is not None else get_paths().taxonomy_dir / "ranking.yml"
    if not p.exists():
        raise RankingConfigError(f"{p.name}: file not found: {p}")
    data = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    return parse_ranking_config(data, source=p.name)


def parse_ranking_config(data: Mapping[str, Any], source: str = "ranking.yml") -> RankingConfig:
    """Validate an already-parsed ``ranking.yml`` document."""
    problems: list[str] = []
    version = data.get("version")
    if not version:
        problems.append("missing 'version'")
    weights_raw = data.get("weights") or {}
    weights: dict[str, float] = {}
    for key, value in weights_raw.items():
        if key not in FACTORS:
            problems.append(f"unknown factor '{key}' in weights (known: {', '.join(FACTORS)})")
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            problems.append(f"weight of '{key}' must be a non-negative number")
        else:
            weights[key] = float(value)
    for f in FACTORS:
        weights.setdefault(f, 0.0)
    total = sum(weights.values())
    if not math.isclose(total, 100.0, abs_tol=1e-6):
        problems.append(f"factor weights sum to {total:g}, expected 100")
    settings = dict(_DEFAULT_SETTINGS)
    for key, value in (data.get("settings") or {}).items():
        if key not in _DEFAULT_SETTINGS:
            problems.append(f"unknown setting '{key}'")
            continue
        settings[key] = value
    for key in _SHARE_SETTINGS:
        v = settings[key]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:
            problems.append(f"setting '{key}' must be a number in [0, 1]")
    hl = settings["recency_half_life_days"]
    if isinstance(hl, bool) or not isinstance(hl, (int, float)) or hl <= 0:
        problems.append("setting 'recency_half_life_days' must be > 0")
    if settings["must_have_penalty_mode"] not in ("all", "skills"):
        problems.append("setting 'must_have_penalty_mode' must be 'all' or 'skills'")
    fx = data.get("fx_rates_to_reporting") or {}
    fx_rates: dict[str, float] = {}
    for cur, rate in fx.items():
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or rate <= 0:
            problems.append(f"fx rate for '{cur}' must be > 0")
        else:
            fx_rates[str(cur).upper()] = float(rate)
    if problems:
        raise RankingConfigError("\n".join([f"{source}: {len(problems)} problem(s)", *problems]))
    fx_base = data.get("fx_base")
    return RankingConfig(
        version=str(version),
        weights=weights,
        settings=settings,
        fx_base=str(fx_base).upper() if fx_base else None,
        fx_rates=fx_rates,
    )


# --------------------------------------------------------------------------------------------
# Small campaign-side tables (a handful of rows: building them in Python is fine)
# --------------------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Lowercase without accents (matches DuckDB ``strip_accents(lower(x))``)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _seniority_fit(c: Campaign, cfg: RankingConfig, level: str) -> tuple[float, str]:
    wanted = c.seniority
    if not wanted:
        return 1.0, "no seniority preference"
    if level in wanted:
        return 1.0, f"{level} level wanted"
    if level == "unknown":
        return float(cfg.s("seniority_unknown_share")), "seniority unknown"
    label = "/".join(wanted)
    ranks = [SENIORITY_RANK[w] for w in wanted if w in SENIORITY_RANK]
    if ranks and min(abs(SENIORITY_RANK[level] - r) for r in ranks) == 1:
        return float(cfg.s("seniority_adjacent_share")), f"{level} is one level from {label}"
    return 0.0, f"{level} not wanted ({label})"


def _employment_fit(c: Campaign, cfg: RankingConfig, etype: str) -> tuple[float, str]:
    if not c.employment_types:
        return 1.0, "no employment-type preference"
    if etype in c.employment_types:
        return 1.0, f"{etype} accepted"
    if etype == "unknown":
        return float(cfg.s("employment_unknown_share")), "employment type unknown"
    return 0.0, f"{etype} not wanted ({'/'.join(c.employment_types)})"


# The small per-campaign frames registered into the scoring connection.
_CAMPAIGN_FRAMES = (
    "camp",
    "camp_skills",
    "camp_titles",
    "camp_locs",
    "camp_kw",
    "camp_co",
    "camp_sen",
    "camp_emp",
)


def _campaign_tables(
    campaigns: tuple[Campaign, ...],
    reporting_currency: str,
    cfg: RankingConfig,
    fx_rates: Mapping[str, float] | None,
) -> dict[str, pl.DataFrame]:
    """Small per-campaign tables (a handful of rows each) registered into DuckDB."""
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in _CAMPAIGN_FRAMES}
    for cid, c in enumerate(campaigns):
        if len(c.skills) > 62:
            raise ValueError(f"campaign {c.id} lists {len(c.skills)} skills; at most 62 allowed")
        floor, target = convert_salary(c, reporting_currency, fx_rates)
        if floor is None and target is not None:
            floor = 0
        if target is None and floor is not None:
            target = floor
        countries = list(c.effective_countries)
        first = c.locations[0] if c.locations else None
        pref_label = (first.city or first.label()) if first else (", ".join(countries) or "any")
        rows["camp"].append(
            {
                "cid": cid,
                "campaign_id": c.id,
                "campaign_name": c.name,
                "min_score": c.min_score,
                "families": list(c.title_families),
                "n_titles": len(c.titles),
                "has_locs": bool(c.locations),
                "pref_label": pref_label,
                "countries": countries,
                "remote": list(c.remote),
                "sal_floor": None if floor is None else float(floor),
                "sal_target": None if target is None else float(target),
                "sizes": list(c.company_sizes),
                # shares by position in SENIORITY_LEVELS / EMPLOYMENT_TYPES (indexed per pair)
                "sen_sh": [_seniority_fit(c, cfg, lv)[0] for lv in SENIORITY_LEVELS],
                "emp_sh": [_employment_fit(c, cfg, et)[0] for et in EMPLOYMENT_TYPES],
            }
        )
        for i, sk in enumerate(c.skills):
            rows["camp_skills"].append(
                {
                    "cid": cid,
                    "skill": sk.name,
                    "skill_lc": sk.name.lower(),
                    "weight": sk.weight,
                    "must_have": sk.must_have,
                    "ord": i,
                }
            )
        rows["camp_titles"].extend({"cid": cid, "ctitle": t} for t in c.titles)
        for loc in c.locations:
            rows["camp_locs"].append(
                {
                    "cid": cid,
                    "city_lc": _fold(loc.city) if loc.city else None,
                    "region": loc.region,
                    "country": loc.country,
                    "label": loc.label(),
                }
            )
        for k in c.exclude_keywords:
            rows["camp_kw"].append({"cid": cid, "kw": k.lower(), "kw_orig": k})
        rows["camp_co"].extend({"cid": cid, "company": co} for co in c.exclude_companies)
        for level in SENIORITY_LEVELS:
            sh, reason = _seniority_fit(c, cfg, level)
            rows["camp_sen"].append(
                {"cid": cid, "seniority": level, "sh_seniority": sh, "r_seniority": reason}
            )
        for etype in EMPLOYMENT_TYPES:
            sh, reason = _employment_fit(c, cfg, etype)
            rows["camp_emp"].append(
                {
                    "cid": cid,
                    "employment_type": etype,
                    "sh_employment_type": sh,
                    "r_employment_type": reason,
                }
            )
    s, lst = pl.String, pl.List
    schemas: dict[str, dict[str, Any]] = {
        "camp": {
            "cid": pl.Int32,
            "campaign_id": s,
            "campaign_name": s,
            "min_score": pl.Float64,
            "families": lst(s),
            "n_titles": pl.Int64,
            "has_locs": pl.Boolean,
            "pref_label": s,
            "countries": lst(s),
            "remote": lst(s),
            "sal_floor": pl.Float64,
            "sal_target": pl.Float64,
            "sizes": lst(s),
            "sen_sh": lst(pl.Float64),
            "emp_sh": lst(pl.Float64),
        },
        "camp_skills": {
            "cid": pl.Int32,
            "skill": s,
            "skill_lc": s,
            "weight": pl.Float64,
            "must_have": pl.Boolean,
            "ord": pl.Int64,
        },
        "camp_titles": {"cid": pl.Int32, "ctitle": s},
        "camp_locs": {"cid": pl.Int32, "city_lc": s, "region": s, "country": s, "label": s},
        "camp_kw": {"cid": pl.Int32, "kw": s, "kw_orig": s},
        "camp_co": {"cid": pl.Int32, "company": s},
        "camp_sen": {
            "cid": pl.Int32,
            "seniority": s,
            "sh_seniority": pl.Float64,
            "r_seniority": s,
        },
        "camp_emp": {
            "cid": pl.Int32,
            "employment_type": s,
            "sh_employment_type": pl.Float64,
            "r_employment_type": s,
        },
    }
    return {
        name: pl.DataFrame(rows[name], schema=schema, orient="row")
        if rows[name]
        else pl.DataFrame(schema=schema)
        for name, schema in schemas.items()
    }


def _prepare_jobs(jobs: Any) -> pl.DataFrame:
    """Accept a polars DataFrame/LazyFrame, a pyarrow Table or a DuckDB relation."""
    if isinstance(jobs, pl.LazyFrame):
        jobs = jobs.collect()
    elif isinstance(jobs, pa.Table):
        jobs = pl.from_arrow(jobs)
    elif not isinstance(jobs, pl.DataFrame):
        jobs = jobs.pl()  # DuckDB relation
    assert isinstance(jobs, pl.DataFrame)
    if "job_id" not in jobs.columns:
        raise ValueError("jobs frame has no 'job_id' column")
    fills = [
        pl.lit(None, dtype=t).alias(c) for c, t in _JOB_COLUMNS.items() if c not in jobs.columns
    ]
    if fills:
        jobs = jobs.with_columns(fills)
    return jobs.select(
        pl.col("job_id").cast(pl.String),
        *[c for c in _JOB_COLUMNS if c != "job_id"],
    )


# --------------------------------------------------------------------------------------------
# SQL
# --------------------------------------------------------------------------------------------

_MACROS = r"""
CREATE OR REPLACE TEMP MACRO tkey(x) AS
    nullif(trim(regexp_replace(lower(x), '[^a-z0-9+#]+', ' ', 'g')), '');
CREATE OR REPLACE TEMP MACRO ckey(x) AS nullif(trim(regexp_replace(
    trim(regexp_replace(lower(x), '[^a-z0-9]+', ' ', 'g')),
    '( (inc|incorporated|ltd|limited|llc|corp|corporation|co|company|gmbh|plc))+$', '')), '');
CREATE OR REPLACE TEMP MACRO fmtk(x) AS CASE WHEN x >= 1000
    THEN printf('%dk', round(x / 1000.0)::BIGINT) ELSE printf('%d', round(x)::BIGINT) END;
CREATE OR REPLACE TEMP MACRO pct(x) AS printf('%d%%', round(x * 100)::BIGINT);
CREATE OR REPLACE TEMP MACRO pts(x) AS printf('%g', round(x, 2));
"""


def _num(x: float) -> str:
    return repr(float(x))


def _enum_sql(column: str, allowed: tuple[str, ...]) -> str:
    values = ", ".join(f"'{v}'" for v in allowed)
    return (
        f"CASE WHEN lower(trim({column})) IN ({values}) THEN lower(trim({column})) "
        "ELSE 'unknown' END"
    )


def _job_base_sql(cfg: RankingConfig, now: datetime) -> list[str]:
    """``jb``: one row per rankable job, every per-job value computed once, with integer keys
    into the distinct titles (``tdim``), places x remote types (``ldim``) and size bins (``zdim``).

    ``jid`` orders jobs newest first (then by job_id), so it doubles as the rank tie-breaker."""
    hl = float(cfg.s("recency_half_life_days"))
    active = "TRUE" if cfg.s("include_inactive") else "coalesce(is_active, TRUE)"
    seniority_list = "[" + ", ".join(f"'{v}'" for v in SENIORITY_LEVELS) + "]"
    employment_list = "[" + ", ".join(f"'{v}'" for v in EMPLOYMENT_TYPES) + "]"
    base = f"""
CREATE OR REPLACE TEMP TABLE jb0 AS
WITH j AS (
    SELECT
        job_id,
        job_posting_key,
        {JOB_SK_OR_NULL_SQL.format(key="job_posting_key")} AS job_sk,
        title,
        title_std,
        lower(trim(title_family)) AS family,
        {_enum_sql("seniority", SENIORITY_LEVELS)} AS seniority,
        {_enum_sql("employment_type", EMPLOYMENT_TYPES)} AS employment_type,
        {_enum_sql("remote_type", REMOTE_TYPES)} AS remote_type,
        company_name,
        company_name_norm,
        nullif(trim(city), '') AS city,
        nullif(upper(trim(region)), '') AS region,
        nullif(upper(trim(country)), '') AS country,
        least(salary_min_norm, salary_max_norm)::DOUBLE AS sal_lo,
        greatest(salary_min_norm, salary_max_norm)::DOUBLE AS sal_hi,
        coalesce(nullif(trim(company_size_bin), ''), 'unknown') AS size_bin,
        company_rating::DOUBLE AS rating,
        posted_at,
        CASE WHEN posted_at IS NULL THEN NULL
             ELSE greatest(0.0, ({_num(now.timestamp())} - epoch(posted_at)) / 86400.0)
        END AS age_days,
        skills
    FROM jobs_in
    WHERE {active}
)
SELECT
    * EXCLUDE (skills, rating, age_days),
    concat_ws('|', coalesce(city, '\\0'), coalesce(region, '\\0'), coalesce(country, '\\0'))
        AS loc_key,
    concat_ws('|', coalesce(title, '\\0'), coalesce(title_std, '\\0'), coalesce(family, '\\0'))
        AS title_key,
    coalesce(nullif(concat_ws(', ', city, region), ''), country, 'unknown location') AS loc_label,
    CASE WHEN sal_lo IS NULL THEN NULL
         WHEN sal_lo = sal_hi THEN fmtk(sal_lo)
         ELSE fmtk(sal_lo) || '–' || fmtk(sal_hi) END AS sal_text,
    CASE WHEN age_days IS NULL THEN {_num(cfg.s("missing_posted_at_share"))}
         ELSE pow(0.5, age_days / {_num(hl)}) END AS sh_recency,
    CASE WHEN age_days IS NULL THEN 'posting date unknown'
         WHEN age_days < 1 THEN 'posted today'
         WHEN age_days < 2 THEN 'posted 1 day ago'
         ELSE printf('posted %d days ago', floor(age_days)::BIGINT) END AS r_recency,
    CASE WHEN rating IS NULL THEN {_num(cfg.s("missing_rating_share"))}
         ELSE least(1.0, greatest(0.0, (rating - 1.0) / 4.0)) END AS sh_rating,
    CASE WHEN rating IS NULL THEN 'no company rating'
         ELSE printf('company rating %.1f/5', rating) END AS r_rating,
    skills
FROM j
"""
    dims = [
        """
CREATE OR REPLACE TEMP TABLE tdim AS
SELECT row_number() OVER () AS tid, title_key, title, family,
    tkey(coalesce(title_std, title)) AS tkey_std, tkey(title) AS tkey_raw
FROM (SELECT DISTINCT title_key, title, title_std, family FROM jb0)
""",
        """
CREATE OR REPLACE TEMP TABLE ldim AS
SELECT row_number() OVER () AS lid, *, strip_accents(lower(city)) AS city_lc
FROM (SELECT DISTINCT loc_key, remote_type, city, region, country, loc_label FROM jb0)
""",
        """
CREATE OR REPLACE TEMP TABLE zdim AS
SELECT row_number() OVER () AS sid, size_bin FROM (SELECT DISTINCT size_bin FROM jb0)
""",
        f"""
CREATE OR REPLACE TEMP TABLE jb AS
WITH o AS (  -- the order on narrow columns, joined back by rowid
    SELECT rowid AS rid, row_number() OVER (ORDER BY posted_at DESC NULLS LAST, job_id) AS jid
    FROM jb0
)
SELECT
    o.jid,
    jb0.* EXCLUDE (title_std),
    tdim.tid,
    ldim.lid,
    zdim.sid,
    list_position({seniority_list}, jb0.seniority) AS sen_idx,
    list_position({employment_list}, jb0.employment_type) AS emp_idx
FROM jb0
JOIN o ON o.rid = jb0.rowid
JOIN tdim USING (title_key)
JOIN ldim USING (loc_key, remote_type)
JOIN zdim USING (size_bin)
""",
        "DROP TABLE jb0",
    ]
    return [base, *dims]


def _location_sql(cfg: RankingConfig) -> str:
    """Location/remote share, reason and exclusion per (campaign, distinct place x remote type)."""
    s = {k: _num(cfg.s(k)) for k in _SHARE_SETTINGS}
    return f"""
CREATE OR REPLACE TEMP TABLE loc_fit AS
WITH lm AS (
    SELECT cid, loc_key,
           max_by(struct_pack(kind := kind, label := label), kind_rank) AS best
    FROM (
        SELECT cl.cid, p.loc_key, cl.label,
            CASE
              WHEN cl.city_lc IS NOT NULL AND p.city_lc = cl.city_lc
                   AND (cl.region IS NULL OR p.region IS NULL OR p.region = cl.region)
                   AND (cl.country IS NULL OR p.country IS NULL OR p.country = cl.country)
                THEN 'city'
              WHEN cl.city_lc IS NULL AND cl.region IS NOT NULL AND p.region = cl.region
                   AND (cl.country IS NULL OR p.country IS NULL OR p.country = cl.country)
                THEN 'city'
              WHEN cl.city_lc IS NULL AND cl.region IS NULL AND p.country = cl.country
                THEN 'city'
              WHEN cl.region IS NOT NULL AND p.region = cl.region
                   AND (cl.country IS NULL OR p.country IS NULL OR p.country = cl.country)
                THEN 'region'
              WHEN cl.country IS NOT NULL AND p.country = cl.country THEN 'country'
              ELSE 'none' END AS kind,
            CASE kind WHEN 'city' THEN 3 WHEN 'region' THEN 2 WHEN 'country' THEN 1
                      ELSE 0 END AS kind_rank
        FROM (SELECT DISTINCT loc_key, city_lc, region, country FROM ldim) p
        CROSS JOIN camp_locs cl
    )
    GROUP BY ALL
),
f AS (
    SELECT
        c.cid, p.lid, p.remote_type, p.country, p.loc_label, c.pref_label,
        c.has_locs,
        len(c.countries) > 0 AS has_countries,
        array_to_string(c.countries, ', ') AS countries_label,
        coalesce(nullif(array_to_string(c.remote, '/'), ''), 'any') AS remote_label,
        (p.country IS NOT NULL AND list_contains(c.countries, p.country)) AS in_countries,
        (len(c.countries) = 0 OR p.country IS NULL OR list_contains(c.countries, p.country))
            AS country_ok,
        list_contains(c.remote, 'remote') AS remote_ok,
        (len(c.remote) = 0 OR list_contains(c.remote, p.remote_type)) AS type_ok,
        struct_extract(lm.best, 'kind') AS loc_kind,
        struct_extract(lm.best, 'label') AS loc_pref
    FROM ldim p
    CROSS JOIN camp c
    LEFT JOIN lm ON lm.cid = c.cid AND lm.loc_key = p.loc_key
)
SELECT
    cid, lid,
    CASE WHEN has_countries AND country IS NOT NULL AND remote_type <> 'remote'
              AND NOT in_countries
         THEN remote_type || ' job outside campaign countries (' || country || ')'
    END AS excl_reason,
    greatest(
        CASE loc_kind WHEN 'city' THEN {s["location_city_share"]}
                      WHEN 'region' THEN {s["location_region_share"]}
                      WHEN 'country' THEN {s["location_country_share"]}
                      ELSE 0.0 END,
        CASE WHEN has_locs AND in_countries THEN {s["location_country_share"]}
             WHEN has_locs OR NOT country_ok THEN 0.0
             WHEN type_ok THEN 1.0
             WHEN remote_type = 'unknown' THEN {s["unknown_remote_share"]}
             ELSE 0.0 END,
        CASE WHEN remote_type = 'remote' AND remote_ok AND country_ok
             THEN {s["remote_share"]} ELSE 0.0 END
    ) AS sh_location_remote,
    CASE
      WHEN remote_type = 'remote' AND remote_ok AND country_ok
        THEN 'remote job satisfies ' || pref_label || ' preference'
      WHEN remote_type = 'remote' AND remote_ok
        THEN 'remote job in ' || country || ' is outside campaign countries ('
             || countries_label || ')'
      WHEN NOT has_locs THEN
        CASE WHEN NOT country_ok
               THEN remote_type || ' in ' || loc_label || ' is outside campaign countries'
             WHEN type_ok AND NOT has_countries THEN 'no location preference'
             WHEN type_ok
               THEN remote_type || ' in ' || loc_label || ' is in campaign countries'
             WHEN remote_type = 'unknown'
               THEN 'remote type unknown (campaign accepts ' || remote_label || ')'
             ELSE remote_type || ' job not accepted (campaign accepts ' || remote_label || ')'
        END
      WHEN loc_label = 'unknown location' THEN remote_type || ' job, location unknown'
      WHEN loc_kind = 'city' THEN remote_type || ' in ' || loc_label || ' matches ' || loc_pref
      WHEN loc_kind = 'region'
        THEN remote_type || ' in ' || loc_label || ': same region as ' || loc_pref
      WHEN in_countries OR loc_kind = 'country'
        THEN remote_type || ' in ' || loc_label || ': in ' || country || ' but away from '
             || pref_label
      ELSE remote_type || ' in ' || loc_label || ' is not a preferred location'
    END
    || CASE WHEN remote_type = 'remote' AND NOT remote_ok AND has_locs
            THEN ' (campaign does not accept remote)' ELSE '' END AS r_location_remote
FROM f
"""


# Company and keyword exclusions (few pairs); location exclusions are the loc_fit rows with an
# excl_reason and never become pairs (the pairs query inner-joins only allowed places).
_SMALL_EXCLUSIONS_SQL = """
CREATE OR REPLACE TEMP TABLE excl_small AS
WITH names AS (  -- company keys computed once per distinct name
    SELECT name, ckey(name) AS ckey
    FROM (SELECT company_name AS name FROM jb UNION SELECT company_name_norm FROM jb)
    WHERE name IS NOT NULL
),
excluded_names AS (
    SELECT n.name, cc.cid, cc.company
    FROM names n JOIN (SELECT *, ckey(company) AS ckey FROM camp_co) cc USING (ckey)
),
e AS (
    SELECT x.cid, jb.jid, 'excluded company ''' || x.company || '''' AS reason
    FROM jb JOIN excluded_names x ON x.name = jb.company_name
    UNION ALL
    SELECT x.cid, jb.jid, 'excluded company ''' || x.company || '''' AS reason
    FROM jb JOIN excluded_names x ON x.name = jb.company_name_norm
    UNION ALL
    SELECT ckw.cid, jb.jid, 'excluded keyword ''' || ckw.kw_orig || ''''
    FROM kw_hits h JOIN jb USING (job_id) JOIN camp_kw ckw USING (kw)
)
SELECT cid, jid, string_agg(DISTINCT reason, '; ' ORDER BY reason) AS reason
FROM e
GROUP BY ALL
"""

# Every excluded pair with all its reasons. Location reasons start with a remote type
# (onsite/hybrid/unknown), so they sort after "excluded ..." as string_agg would order them.
_EXCLUSIONS_OUT_SQL = (
    """
CREATE OR REPLACE TEMP TABLE loc_excl AS
SELECT lf.cid, j.jid, lf.excl_reason AS reason
FROM jb j JOIN loc_fit lf ON lf.lid = j.lid
WHERE lf.excl_reason IS NOT NULL
""",
    """
CREATE OR REPLACE TEMP VIEW ranking_exclusions_out AS
WITH e AS (
    SELECT cid, jid, reason FROM loc_excl ANTI JOIN excl_small USING (cid, jid)
    UNION ALL
    SELECT s.cid, s.jid, concat_ws('; ', s.reason, l.reason) AS reason
    FROM excl_small s LEFT JOIN loc_excl l USING (cid, jid)
)
SELECT c.campaign_id, j.job_id, e.reason, m.ruleset_version, m.ranked_at
FROM e
JOIN camp c USING (cid)
JOIN jb j USING (jid)
CROSS JOIN run_meta m
""",
)


def _fit_tables_sql(cfg: RankingConfig) -> list[str]:
    """Per-campaign lookups keyed by small job-side values: skills sets, titles, sizes."""
    s = {k: _num(cfg.s(k)) for k in _SHARE_SETTINGS}
    fam = s["title_family_share"]
    skills = [
        """
CREATE OR REPLACE TEMP TABLE sk AS
SELECT cs.cid, js.jid, bit_or(1::BIGINT << cs.ord) AS mask
FROM (SELECT jid, unnest(skills) AS s FROM jb) js
JOIN camp_skills cs ON cs.skill_lc = lower(js.s)
GROUP BY ALL
""",
        f"""
CREATE OR REPLACE TEMP TABLE skill_fit AS
WITH m AS (
    SELECT DISTINCT cid, mask FROM sk
    UNION SELECT cid, 0::BIGINT FROM camp
),
g AS (
    SELECT m.cid, m.mask,
        coalesce(list(cs.skill ORDER BY cs.ord) FILTER ((m.mask >> cs.ord) & 1 = 1),
                 []::VARCHAR[]) AS matched_skills,
        coalesce(list(cs.skill ORDER BY cs.ord) FILTER ((m.mask >> cs.ord) & 1 = 0),
                 []::VARCHAR[]) AS missing_skills,
        coalesce(list(cs.skill ORDER BY cs.ord)
                     FILTER ((m.mask >> cs.ord) & 1 = 0 AND cs.must_have),
                 []::VARCHAR[]) AS missing_must,
        coalesce(sum(cs.weight) FILTER ((m.mask >> cs.ord) & 1 = 1), 0.0) AS w_matched,
        count(cs.skill) AS n_skills,
        sum(cs.weight) AS w_total
    FROM m LEFT JOIN camp_skills cs USING (cid)
    GROUP BY ALL
)
SELECT cid, mask, matched_skills, missing_skills, missing_must,
    len(missing_must) > 0 AS lacks_must,
    CASE WHEN n_skills = 0 THEN {s["no_skill_preference_share"]}
         ELSE w_matched / w_total END AS sh_skills,
    CASE WHEN n_skills = 0 THEN 'no skill preference'
         ELSE printf('%d of %d skills', len(matched_skills), n_skills)
              || CASE WHEN len(missing_skills) = 0 THEN ''
                      ELSE ' (missing ' || array_to_string(missing_skills[1:3], ', ')
                           || CASE WHEN len(missing_skills) > 3
                                   THEN printf(', +%d more', len(missing_skills) - 3)
                                   ELSE '' END || ')' END
    END AS r_skills
FROM g
""",
    ]
    titles = f"""
CREATE OR REPLACE TEMP TABLE title_fit AS
WITH tk AS (
    SELECT tkey, list_distinct(string_split(tkey, ' ')) AS jt
    FROM (SELECT tkey_std AS tkey FROM tdim UNION SELECT tkey_raw FROM tdim)
    WHERE tkey IS NOT NULL
),
ct AS (
    SELECT cid, ctitle, list_distinct(string_split(tkey(ctitle), ' ')) AS ctok
    FROM camp_titles
),
ts AS (
    SELECT cid, tkey, max(sim) AS sim, max_by(ctitle, sim) AS best_title
    FROM (
        SELECT ct.cid, tk.tkey, ct.ctitle,
               len(list_filter(ct.ctok, lambda x: list_contains(tk.jt, x))) AS inter,
               0.75 * inter / len(ct.ctok)
                 + 0.25 * inter / (len(ct.ctok) + len(tk.jt) - inter) AS sim
        FROM tk CROSS JOIN ct
    )
    GROUP BY ALL
),
f AS (
    SELECT c.cid, t.tid, t.title, t.family,
        len(c.families) > 0 AS has_fam,
        c.n_titles > 0 AS has_titles,
        coalesce(list_contains(c.families, t.family), FALSE) AS fam_ok,
        CASE WHEN coalesce(t1.sim, 0) >= coalesce(t2.sim, 0) THEN t1.sim ELSE t2.sim END AS tsim,
        CASE WHEN coalesce(t1.sim, 0) >= coalesce(t2.sim, 0) THEN t1.best_title
             ELSE t2.best_title END AS best_title
    FROM tdim t
    CROSS JOIN camp c
    LEFT JOIN ts t1 ON t1.cid = c.cid AND t1.tkey = t.tkey_std
    LEFT JOIN ts t2 ON t2.cid = c.cid AND t2.tkey = t.tkey_raw
)
SELECT cid, tid,
    CASE WHEN has_fam AND has_titles
              THEN {fam} * fam_ok::INT + (1 - {fam}) * coalesce(tsim, 0)
         WHEN has_fam THEN fam_ok::INT::DOUBLE
         WHEN has_titles THEN coalesce(tsim, 0)
         ELSE 1.0 END AS sh_title,
    CASE WHEN NOT has_fam AND NOT has_titles THEN 'no title preference'
         ELSE concat_ws('; ',
            CASE WHEN has_titles THEN
                CASE WHEN coalesce(tsim, 0) = 0
                     THEN printf('''%s'' shares no words with campaign titles',
                                 coalesce(title, '?'))
                     ELSE printf('''%s'' ~ ''%s'' (%s)', coalesce(title, '?'), best_title,
                                 pct(tsim))
                END END,
            CASE WHEN has_fam THEN
                CASE WHEN fam_ok THEN 'family ' || family || ' matches'
                     ELSE 'family ' || coalesce(family, 'unknown') || ' not wanted' END
            END)
    END AS r_title
FROM f
"""
    sizes = [
        f"""
CREATE OR REPLACE TEMP TABLE size_fit AS
SELECT c.cid, z.sid,
    CASE WHEN len(c.sizes) = 0 OR list_contains(c.sizes, z.size_bin) THEN 1.0
         WHEN z.size_bin = 'unknown' THEN {s["company_size_unknown_share"]}
         ELSE 0.0 END AS sh_company_size,
    CASE WHEN len(c.sizes) = 0 THEN 'no company-size preference'
         WHEN list_contains(c.sizes, z.size_bin)
           THEN 'company size ' || z.size_bin || ' preferred'
         WHEN z.size_bin = 'unknown' THEN 'company size unknown'
         ELSE 'company size ' || z.size_bin || ' not preferred' END AS r_company_size
FROM camp c CROSS JOIN zdim z
""",
        # the campaign row with its size shares as a list indexed by sid (1-based, dense)
        """
CREATE OR REPLACE TEMP TABLE cx AS
SELECT c.cid, c.min_score, c.sal_floor, c.sal_target, c.sen_sh, c.emp_sh, z.size_sh
FROM camp c
JOIN (SELECT cid, list(sh_company_size ORDER BY sid) AS size_sh FROM size_fit GROUP BY cid) z
    USING (cid)
""",
    ]
    return [*skills, titles, *sizes]


def _salary_share_sql(cfg: RankingConfig) -> str:
    s = {k: _num(cfg.s(k)) for k in _SHARE_SETTINGS}
    partial = s["salary_partial_min_share"]
    return f"""CASE WHEN c.sal_target IS NULL THEN {s["no_salary_preference_share"]}
             WHEN j.sal_lo IS NULL THEN {s["missing_salary_points_share"]}
             WHEN j.sal_hi < c.sal_floor THEN 0.0
             WHEN c.sal_target <= c.sal_floor THEN 1.0
             ELSE {partial} + (1 - {partial}) * least(1.0, greatest(0.0,
                      ((j.sal_lo + j.sal_hi) / 2 - c.sal_floor) / (c.sal_target - c.sal_floor)))
        END"""


def _score_sql(cfg: RankingConfig, explain_max_rank: int | None = None) -> list[str]:
    """``ranked``: one narrow numeric row per kept pair (ids, skills mask, points, score, rank);
    ``explained``: the rank_explain JSON for the top ranks only; ``ranking_out``: the view the
    callers read or insert from (strings and lists joined back from the small tables)."""
    explain_cond = "TRUE" if explain_max_rank is None else f"r.rank <= {int(explain_max_rank)}"
    w = {f: _num(cfg.weights[f]) for f in FACTORS}
    s = {k: _num(cfg.s(k)) for k in _SHARE_SETTINGS}
    penalty_all = cfg.s("must_have_penalty_mode") == "all"
    mult = f"CASE WHEN lacks_must THEN {s['must_have_penalty_multiplier']} ELSE 1.0 END"
    pts_cols = ",\n        ".join(
        f"round({w[f]} * sh_{f} * {mult if penalty_all or f == 'skills' else '1.0'}, 2) AS pts_{f}"
        for f in FACTORS
    )
    score_sum = " + ".join(f"pts_{f}" for f in FACTORS)
    explain_items = ",\n            ".join(
        f"json_object('factor', '{f}', 'points', r.pts_{f}, 'max_points', {w[f]}, 'reason', r_{f})"
        for f in FACTORS
    )
    penalty_scope = "all factor points" if penalty_all else "skills points"
    ranked = f"""
CREATE OR REPLACE TEMP TABLE ranked AS
WITH p AS (
    SELECT
        tf.cid, j.jid, coalesce(sk.mask, 0) AS mask, sf.lacks_must,
        sf.sh_skills,
        tf.sh_title,
        lf.sh_location_remote,
        {_salary_share_sql(cfg)} AS sh_salary,
        c.sen_sh[j.sen_idx] AS sh_seniority,
        c.emp_sh[j.emp_idx] AS sh_employment_type,
        c.size_sh[j.sid] AS sh_company_size,
        j.sh_recency,
        j.sh_rating AS sh_company_rating
    FROM jb j
    JOIN title_fit tf ON tf.tid = j.tid
    JOIN loc_fit lf ON lf.cid = tf.cid AND lf.lid = j.lid AND lf.excl_reason IS NULL
    JOIN cx c ON c.cid = tf.cid
    LEFT JOIN sk ON sk.cid = tf.cid AND sk.jid = j.jid
    JOIN skill_fit sf ON sf.cid = tf.cid AND sf.mask = coalesce(sk.mask, 0)
    ANTI JOIN excl_small e ON e.cid = tf.cid AND e.jid = j.jid
),
pointed AS (
    SELECT cid, jid, mask,
        {pts_cols}
    FROM p
),
scored AS (
    SELECT *, round({score_sum}, 2) AS score FROM pointed
)
SELECT *, row_number() OVER (PARTITION BY cid ORDER BY score DESC, jid) AS rank
FROM scored
"""
    explained = f"""
CREATE OR REPLACE TEMP TABLE explained AS
WITH t AS (
    SELECT r.*, c.sal_floor, c.sal_target, j.sal_lo, j.sal_hi, j.sal_text,
        sf.r_skills, sf.missing_must, tf.r_title, lf.r_location_remote,
        cs.r_seniority, ce.r_employment_type, zf.r_company_size,
        j.r_recency, j.r_rating AS r_company_rating
    FROM ranked r
    JOIN jb j USING (jid)
    JOIN camp c USING (cid)
    JOIN skill_fit sf USING (cid, mask)
    JOIN title_fit tf ON tf.cid = r.cid AND tf.tid = j.tid
    JOIN loc_fit lf ON lf.cid = r.cid AND lf.lid = j.lid
    JOIN camp_sen cs ON cs.cid = r.cid AND cs.seniority = j.seniority
    JOIN camp_emp ce ON ce.cid = r.cid AND ce.employment_type = j.employment_type
    JOIN size_fit zf ON zf.cid = r.cid AND zf.sid = j.sid
    CROSS JOIN run_meta m
    WHERE {explain_cond}
),
reasoned AS (
    SELECT t.*,
        CASE WHEN sal_target IS NULL THEN 'no salary preference'
             WHEN sal_lo IS NULL THEN printf('no salary posted: %s of %s points',
                                             pts(pts_salary), pts({w["salary"]}))
             WHEN sal_hi < sal_floor
               THEN 'salary ' || sal_text || ' ' || currency || ' below floor ' || fmtk(sal_floor)
             WHEN sal_lo >= sal_target
               THEN 'salary ' || sal_text || ' ' || currency || ' meets target '
                    || fmtk(sal_target)
             ELSE 'salary ' || sal_text || ' ' || currency || ' overlaps target range '
                  || fmtk(sal_floor) || '–' || fmtk(sal_target)
        END AS r_salary
    FROM t CROSS JOIN (SELECT currency FROM run_meta)
)
SELECT r.cid, r.jid, json_object(
        'factors', json_array(
            {explain_items}
        ),
        'total', r.score,
        'penalty', CASE WHEN len(missing_must) > 0 THEN
            'missing must-have ' || array_to_string(missing_must, ', ')
            || ': {penalty_scope} x' || pts({s["must_have_penalty_multiplier"]}) END
    )::VARCHAR AS rank_explain
FROM reasoned r
"""
    out = f"""
CREATE OR REPLACE TEMP VIEW ranking_out AS
SELECT
    c.campaign_id, c.campaign_name, j.job_id, j.job_posting_key, j.job_sk, r.score, r.rank,
    {", ".join(f"r.pts_{f}" for f in FACTORS)},
    sf.matched_skills, sf.missing_skills, sf.missing_must AS missing_must_have,
    r.mask AS skills_mask,
    r.score >= c.min_score AS meets_min_score,
    x.rank_explain,
    m.ruleset_version,
    m.ranked_at
FROM ranked r
JOIN jb j USING (jid)
JOIN camp c USING (cid)
JOIN skill_fit sf USING (cid, mask)
LEFT JOIN explained x USING (cid, jid)
CROSS JOIN run_meta m
"""
    return [ranked, explained, out]


# Temp objects score_in_connection creates (dropped by drop_scoring_objects).
_TEMP_TABLES = (
    "jb",
    "tdim",
    "ldim",
    "zdim",
    "loc_fit",
    "excl_small",
    "loc_excl",
    "sk",
    "skill_fit",
    "title_fit",
    "size_fit",
    "cx",
    "ranked",
    "explained",
    "run_meta",
)
_TEMP_VIEWS = ("ranking_out", "ranking_exclusions_out")


def _empty(schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(schema=dict(schema))


def keyword_pattern(keywords: list[str]) -> str:
    """Case-insensitive regex matching any keyword between non-alphanumeric boundaries."""
    alternation = "|".join(re.escape(k) for k in sorted(set(keywords), key=lambda k: (-len(k), k)))
    return rf"(?i)(?:^|[^a-z0-9])(?:{alternation})(?:$|[^a-z0-9])"


def keyword_hits(texts: pl.LazyFrame | pl.DataFrame, keywords: list[str]) -> pl.DataFrame:
    """``(job_id, kw)`` for every excluded keyword found in a job's title or description.

    ``texts`` has ``job_id``, ``title`` and ``description_text`` (plus any key columns to keep,
    e.g. ``partition_date``). Keywords match case-insensitively, as whole words or phrases
    (``R&D`` does not hide inside ``HR&D``). One literal-prefiltered regex pass finds candidate
    rows over the whole text; the per-keyword boundary check runs on those candidates only.
    ``kw`` is the lower-cased keyword, as in the campaign tables."""
    lazy = texts.lazy() if isinstance(texts, pl.DataFrame) else texts
    kws = sorted({k.lower() for k in keywords if k and k.strip()})
    schema = lazy.collect_schema()
    keys = [c for c in schema.names() if c not in ("title", "description_text")]
    if not kws:
        return pl.DataFrame(schema={**{k: schema[k] for k in keys}, "kw": pl.String})
    prefilter = "(?i)(?:" + "|".join(re.escape(k) for k in kws) + ")"
    text = pl.concat_str(
        [pl.col("title").fill_null(""), pl.col("description_text").fill_null("")], separator=" "
    )
    candidates = (
        lazy.filter(
            pl.col("title").str.contains(prefilter).fill_null(False)
            | pl.col("description_text").str.contains(prefilter).fill_null(False)
        )
        .select(*keys, text.alias("text"))
        .collect(engine="streaming")
    )
    hits = candidates.select(
        *keys,
        pl.concat_list(
            [
                pl.when(pl.col("text").str.contains(keyword_pattern([k]))).then(pl.lit(k))
                for k in kws
            ]
        )
        .list.drop_nulls()
        .alias("kw"),
    )
    return hits.explode("kw").drop_nulls("kw")


def excluded_keywords(campaigns: tuple[Campaign, ...]) -> list[str]:
    """The campaigns' excluded keywords, lower-cased, as ``keyword_hits`` reports them."""
    return sorted({k.lower() for c in campaigns for k in c.exclude_keywords})


def score_in_connection(
    con: duckdb.DuckDBPyConnection,
    campaigns: CampaignsConfig,
    config: RankingConfig,
    now: datetime,
    fx_rates: Mapping[str, float] | None = None,
    explain_max_rank: int | None = None,
) -> bool:
    """Score in ``con``: reads relation ``jobs_in`` (the job columns of ``_JOB_COLUMNS`` except
    ``description_text``) and ``kw_hits`` (``job_id, kw``, from :func:`keyword_hits`).

    Leaves temp view ``ranking_out`` (RANKING_SCHEMA + campaign_name, job_posting_key, job_sk,
    skills_mask: bit i set = the campaign's i-th skill matched) and
    ``ranking_exclusions_out`` (EXCLUSION_SCHEMA) for the caller to read or insert from; drop
    them with :func:`drop_scoring_objects`. Returns False (nothing created) when no campaign
    is active. Everything runs inside DuckDB: no pair ever reaches Python."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    now = now.astimezone(UTC)
    if fx_rates is None and config.fx_base in (None, campaigns.reporting_currency):
        fx_rates = config.fx_rates
    chosen = active_campaigns(campaigns)
    if not chosen:
        return False
    tables = _campaign_tables(chosen, campaigns.reporting_currency, config, fx_rates)
    for name, frame in tables.items():
        con.register(name, frame)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE run_meta AS SELECT $version::VARCHAR AS ruleset_version, "
        "$now::TIMESTAMPTZ AS ranked_at, $currency::VARCHAR AS currency",
        {"version": config.version, "now": now, "currency": campaigns.reporting_currency},
    )
    for stmt in _MACROS.split(";"):
        if stmt.strip():
            con.execute(stmt)
    statements = [
        *_job_base_sql(config, now),
        _location_sql(config),
        _SMALL_EXCLUSIONS_SQL,
        *_EXCLUSIONS_OUT_SQL,
        *_fit_tables_sql(config),
        *_score_sql(config, explain_max_rank),
    ]
    for stmt in statements:
        if stmt.strip():
            con.execute(stmt)
    return True


def drop_scoring_objects(con: duckdb.DuckDBPyConnection) -> None:
    """Drop what ``score_in_connection`` left in ``con`` (safe to call when it created nothing)."""
    for view in _TEMP_VIEWS:
        con.execute(f"DROP VIEW IF EXISTS {view}")
    for table in _TEMP_TABLES:
        con.execute(f"DROP TABLE IF EXISTS {table}")
    for frame in _CAMPAIGN_FRAMES:
        con.execute(f"DROP VIEW IF EXISTS {frame}")  # frames registered with con.register


def score_jobs(
    jobs: pl.DataFrame | Any,
    campaigns: CampaignsConfig,
    config: RankingConfig,
    now: datetime,
    fx_rates: Mapping[str, float] | None = None,
    explain_max_rank: int | None = None,
) -> RankingResult:
    """Score every active campaign against every job in a frame (see module doc).

    ``now`` drives recency and becomes ``ranked_at`` (naive datetimes are taken as UTC).
    ``fx_rates`` (units of reporting currency per unit) converts campaign salaries stated in
    another currency; defaults to ``config.fx_rates`` when its base is the reporting currency.
    ``explain_max_rank`` builds ``rank_explain`` only for rows ranked at or above it (others
    null): the JSON is most of the output's size and time on large runs. Default: every row.
    Returns ``RankingResult(rankings, exclusions)`` sorted by campaign_id, rank / job_id.
    The warehouse path (job_assets.ranking.store) runs the same SQL without leaving DuckDB.
    """
    jobs_df = _prepare_jobs(jobs)
    chosen = active_campaigns(campaigns)
    if not chosen or jobs_df.height == 0:
        return RankingResult(_empty(RANKING_SCHEMA), _empty(EXCLUSION_SCHEMA))
    hits = keyword_hits(
        jobs_df.select("job_id", "title", "description_text"), excluded_keywords(chosen)
    )
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.register("jobs_in", jobs_df.drop("description_text"))
        con.register("kw_hits", hits)
        score_in_connection(con, campaigns, config, now, fx_rates, explain_max_rank)
        columns = ", ".join(RANKING_SCHEMA)
        rankings = con.sql(f"SELECT {columns} FROM ranking_out ORDER BY campaign_id, rank").pl()
        exclusions = con.sql(
            "SELECT * FROM ranking_exclusions_out ORDER BY campaign_id, job_id"
        ).pl()
    finally:
        con.close()
    rankings = rankings.select([pl.col(c).cast(t) for c, t in RANKING_SCHEMA.items()])
    exclusions = exclusions.select([pl.col(c).cast(t) for c, t in EXCLUSION_SCHEMA.items()])
    return RankingResult(rankings=rankings, exclusions=exclusions)


def explain_text(rank_explain_json: str) -> list[str]:
    """Human reasons from a ``rank_explain`` JSON: the two strongest factors first, then any
    must-have penalty, then the factors that lost the most points."""
    data = json.loads(rank_explain_json)
    factors = [f for f in data.get("factors", []) if f.get("max_points", 0) > 0]
    strongest = sorted(factors, key=lambda f: (-f["points"], FACTORS.index(f["factor"])))[:2]
    rest = [f for f in factors if f not in strongest]
    rest.sort(key=lambda f: (-(f["max_points"] - f["points"]), FACTORS.index(f["factor"])))
    lines = [f["reason"] for f in strongest]
    if data.get("penalty"):
        lines.append(data["penalty"])
    lines.extend(f["reason"] for f in rest)
    return lines
