"""Mapped rows -> canonical postings + quarantine. Pure, vectorized, batch-friendly.

Order: clean text -> locations -> employment type -> salary -> titles/seniority -> skills ->
keys -> quarantine rules. Every mapped row ends up in exactly one of the two outputs.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from job_assets.normalize.company_sizes import load_company_sizes
from job_assets.normalize.locations import load_locations, location_memo, parse_locations
from job_assets.normalize.memo import DistinctMemo
from job_assets.normalize.salary import load_fx, normalize_salary, salary_text_memo
from job_assets.normalize.schema import CANONICAL_COLUMNS, QUARANTINE_COLUMNS
from job_assets.normalize.skills import extract_skills, load_skill_taxonomy
from job_assets.normalize.text import company_key, escaped_tags_closed, fold, html_to_text
from job_assets.normalize.titles import (
    classify_distinct_titles,
    load_seniority,
    load_title_taxonomy,
)
from job_assets.taxonomy import taxonomy_version

TAXONOMY_FILES = [
    "skills.yml",
    "titles.yml",
    "seniority.yml",
    "locations.yml",
    "company_sizes.yml",
    "fx_rates.yml",
]

IMPOSSIBLE_SALARY_FLAGS = ["negative", "min_above_max", "absurd_yearly"]

_EMPLOYMENT = {
    "fulltime": "full_time",
    "full": "full_time",
    "permanent": "full_time",
    "parttime": "part_time",
    "part": "part_time",
    "contract": "contract",
    "contractor": "contract",
    "contracttohire": "contract",
    "freelance": "contract",
    "intern": "internship",
    "internship": "internship",
    "coop": "internship",
    "temporary": "temporary",
    "temp": "temporary",
    "seasonal": "temporary",
}


@dataclass(frozen=True)
class Taxonomies:
    skills: object
    fx: object
    locations: object
    titles: object
    seniority: object
    company_sizes: object
    reporting_currency: str
    version: str


def load_taxonomies(taxonomy_dir: Path | None = None) -> Taxonomies:
    def path(name: str) -> Path | None:
        return taxonomy_dir / name if taxonomy_dir else None

    return Taxonomies(
        skills=load_skill_taxonomy(path("skills.yml")),
        fx=load_fx(path("fx_rates.yml")),
        locations=load_locations(path("locations.yml")),
        titles=load_title_taxonomy(path("titles.yml")),
        seniority=load_seniority(path("seniority.yml")),
        company_sizes=load_company_sizes(path("company_sizes.yml")),
        reporting_currency=os.environ.get("JOBS_REPORTING_CURRENCY", "CAD").upper(),
        version=taxonomy_version(TAXONOMY_FILES, taxonomy_dir),
    )


@dataclass(frozen=True)
class EnrichmentMemo:
    """What is computed once per distinct title, company name, location and salary text, kept
    for a day's batches (see ``memo``): the title's classification, the folded forms the keys
    are made of, the parsed location and the parsed salary text."""

    titles: DistinctMemo
    companies: DistinctMemo
    locations: DistinctMemo
    salary_texts: DistinctMemo

    @classmethod
    def of(cls, taxonomies: Taxonomies) -> EnrichmentMemo:
        def titles(frame: pl.DataFrame) -> pl.DataFrame:
            return classify_distinct_titles(
                frame, taxonomies.titles, taxonomies.seniority
            ).with_columns(fold(pl.col("title")).alias("_title_fold"))

        def companies(frame: pl.DataFrame) -> pl.DataFrame:
            name = pl.col("company_name")
            return frame.with_columns(
                company_key(name).alias("company_name_norm"),
                fold(name.fill_null("")).alias("_company_fold"),
            )

        return cls(
            DistinctMemo("title", titles),
            DistinctMemo("company_name", companies),
            location_memo(taxonomies.locations),
            salary_text_memo(),
        )


@dataclass(frozen=True)
class NormalizeResult:
    postings: pl.DataFrame  # CANONICAL_COLUMNS
    quarantine: pl.DataFrame  # QUARANTINE_COLUMNS


def employment_type(expr: pl.Expr) -> pl.Expr:
    key = expr.str.to_lowercase().str.replace_all(r"[^a-z]", "")
    return key.replace_strict(_EMPLOYMENT, default="unknown", return_dtype=pl.String)


def normalize_postings(
    mapped: pl.DataFrame,
    partition_date: dt.date,
    raw_file: str,
    taxonomies: Taxonomies,
    company_sizes: pl.DataFrame | None = None,
    memo: EnrichmentMemo | None = None,
) -> NormalizeResult:
    """Enrich one partition's mapped rows (one or many sources) and split off bad rows.

    ``memo`` carries per-title, per-company and per-location results from earlier batches of
    the same day (made with the same taxonomies); without one, each call starts afresh.
    """
    if memo is None:
        memo = EnrichmentMemo.of(taxonomies)
    formats = mapped["description_format"].unique().to_list()
    # a batch of entity-escaped HTML (Greenhouse) with no "<" left open takes one pass for the
    # unescaping and the plain tags
    closed = formats == ["escaped_html"] and escaped_tags_closed(mapped["description_raw"])
    # lazy, so that polars computes a subexpression used twice once (the HTML clean-up uses its
    # unescaped text three times; an eager with_columns evaluates it three times)
    df = (
        mapped.lazy()
        .with_columns(
            pl.col("title").str.strip_chars().str.replace_all(r"\s+", " "),
            pl.col("company_name").str.strip_chars(),
            html_to_text(
                pl.col("description_raw"),
                pl.col("description_format"),
                formats=formats,
                escaped_tags_closed=closed,
            ).alias("description_text"),
            employment_type(pl.col("employment_type_raw")).alias("employment_type"),
            pl.lit(partition_date).alias("partition_date"),
            pl.lit(raw_file).alias("raw_file"),
            (pl.col("source") + ":" + pl.col("source_job_id")).alias("job_id"),
        )
        .drop("description_raw")
        .collect()
    )

    df = parse_locations(df, taxonomies.locations, memo.locations)
    df = normalize_salary(df, taxonomies.fx, taxonomies.reporting_currency, memo.salary_texts)
    df = df.with_columns(memo.titles.lookup(df["title"].fill_null("")).get_columns())
    # an employer's own name is not a skill of its postings ("Cloudflare" at Cloudflare)
    skills = extract_skills(
        df.select("title", "description_text"), taxonomies.skills, exclude=df["company_name"]
    )
    df = df.with_columns(
        skills.alias("skills"), *memo.companies.lookup(df["company_name"]).get_columns()
    )
    df = _with_hash_key(df)
    df = _with_company_size(df, company_sizes)
    return _split_quarantine(df)


def _with_hash_key(df: pl.DataFrame) -> pl.DataFrame:
    parsed_location = pl.concat_str(
        [
            pl.col("city").fill_null(""),
            pl.col("region").fill_null(""),
            pl.col("country").fill_null(""),
        ],
        separator=" ",
    )
    location = (
        pl.when(pl.col("city").is_not_null() | pl.col("country").is_not_null())
        .then(parsed_location)
        .otherwise(pl.col("location_raw").fill_null(""))
    )
    # company and title come folded (``_company_fold``, ``_title_fold``: see EnrichmentMemo)
    keyed = df.with_columns(
        pl.concat_str(
            [pl.col("_company_fold"), pl.col("_title_fold"), fold(location)], separator="|"
        ).alias("_hash_input")
    )
    # polars has no md5; DuckDB computes it without leaving Arrow, on a connection kept per
    # thread (opening one costs more than hashing a batch). DuckDB is handed the one column it
    # hashes: scanning a polars frame converts every column to Arrow first, the description
    # text included (25k postings: 0.030 -> 0.006 CPU-s).
    hash_input = keyed.select("_hash_input").to_arrow()
    hashes = _md5_connection().from_arrow(hash_input).select("md5(_hash_input) as hash_key").pl()
    return keyed.with_columns(hashes["hash_key"]).drop(
        "_hash_input", "_company_fold", "_title_fold"
    )


_THREAD = threading.local()


def _md5_connection() -> duckdb.DuckDBPyConnection:
    con = getattr(_THREAD, "duckdb", None)
    if con is None:
        con = _THREAD.duckdb = duckdb.connect()
    return con


def _with_company_size(df: pl.DataFrame, company_sizes: pl.DataFrame | None) -> pl.DataFrame:
    if company_sizes is None or company_sizes.is_empty():
        return df.with_columns(pl.lit("unknown").alias("company_size_bin"))
    return df.join(
        company_sizes.select("company_name_norm", "company_size_bin").unique("company_name_norm"),
        on="company_name_norm",
        how="left",
    ).with_columns(pl.col("company_size_bin").fill_null("unknown"))


def mark_repeated_ids(mapped: pl.DataFrame, earlier_ids: pl.Series | None = None) -> pl.DataFrame:
    """Flag every occurrence of a source id after its first in the partition. ``earlier_ids``
    are the ids of the same source seen in the partition's earlier batches (see
    ``RepeatedIds``), so batching cannot hide a duplicate."""
    source_id = pl.col("source_job_id")
    # not the first of its (source, id) in the batch: 10x cheaper than a window over the pair
    repeated = ~pl.struct("source", "source_job_id").is_first_distinct()
    if earlier_ids is not None and len(earlier_ids):
        # the earlier ids this batch holds, found by hashing the batch's ids and probing the
        # day's (a 25k batch against 200k ids: 0.004 against 0.014 CPU-s to hash the day's)
        batch_ids = mapped["source_job_id"].drop_nulls().unique()
        met = earlier_ids.filter(earlier_ids.is_in(batch_ids.implode()))
        repeated = repeated | source_id.is_in(met.implode())
    return mapped.with_columns((source_id.is_not_null() & repeated).alias("is_repeated_id"))


class RepeatedIds:
    """``mark_repeated_ids`` over the batches of one source's day, fed in order."""

    def __init__(self) -> None:
        self._seen = pl.Series("source_job_id", [], dtype=pl.String)
        self.rows = 0  # rows marked so far: the source's mapped (raw) postings

    def mark(self, batch: pl.DataFrame) -> pl.DataFrame:
        marked = mark_repeated_ids(batch, self._seen)
        # appended as a chunk: the ids seen are not copied again for every batch
        self._seen.append(batch["source_job_id"].drop_nulls().unique())
        self.rows += batch.height
        return marked


def _split_quarantine(df: pl.DataFrame) -> NormalizeResult:
    if "is_repeated_id" not in df.columns:
        df = mark_repeated_ids(df)
    rules = {
        "missing_title": pl.col("title").is_null() | (pl.col("title") == ""),
        "missing_company": pl.col("company_name").is_null() | (pl.col("company_name") == ""),
        "missing_source_id": pl.col("source_job_id").is_null(),
        "unparseable_posted_at": pl.col("posted_at").is_null(),
        "empty_description": pl.col("description_text").is_null()
        | (pl.col("description_text") == ""),
        # impossible salaries are rejected; an unknown currency or period only leaves the
        # normalized salary empty (the posting itself is fine)
        "invalid_salary": pl.col("salary_flag").is_in(IMPOSSIBLE_SALARY_FLAGS),
        "unlisted": ~pl.col("is_listed").fill_null(True),
        "duplicate_id": pl.col("is_repeated_id"),
    }
    df = df.with_columns(
        pl.concat_str(
            [pl.when(cond).then(pl.lit(name)) for name, cond in rules.items()],
            separator=",",
            ignore_nulls=True,
        ).alias("failed_rules")
    ).with_columns(
        pl.when(pl.col("failed_rules") == "")
        .then(None)
        .otherwise(pl.col("failed_rules"))
        .alias("failed_rules")
    )
    bad = df.filter(pl.col("failed_rules").is_not_null())
    good = df.filter(pl.col("failed_rules").is_null())
    quarantine = bad.with_columns(
        pl.concat_str(
            [
                pl.when(pl.col("salary_flag").is_not_null()).then(
                    pl.lit("salary: ") + pl.col("salary_flag")
                ),
                pl.when(pl.col("posted_at").is_null() & pl.col("posted_at_raw").is_not_null()).then(
                    pl.lit("posted_at: ") + pl.col("posted_at_raw")
                ),
            ],
            separator="; ",
            ignore_nulls=True,
        ).alias("detail")
    ).select([pl.col(c).cast(t) for c, t in QUARANTINE_COLUMNS.items()])
    postings = good.with_columns(pl.col("fetched_at").alias("collected_at")).select(
        [pl.col(c).cast(t) for c, t in CANONICAL_COLUMNS.items()]
    )
    return NormalizeResult(postings=postings, quarantine=quarantine)
