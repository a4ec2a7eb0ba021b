"""The canonical job posting: one schema for every source (pandera, polars backend).

Field by field:
- ``job_id``: stable id, ``<source>:<source_job_id>``; unique within a partition.
- ``source`` / ``source_job_id``: where it came from and the API's own id.
- ``hash_key``: md5 of folded ``company|title|location`` (lower-cased, accents folded, punctuation
  and whitespace collapsed; location = parsed ``city|region|country``, or the raw text when it
  did not parse). Equal across days and sources for the same posting: the dedupe key.
- ``title``: as posted, trimmed. ``title_std``: tidied title; ``title_family``: family key from
  titles.yml (or ``other``); ``seniority``: intern .. head, or unknown.
- ``company_name`` as posted; ``company_name_norm``: folded, legal suffixes removed (join key).
- ``location_raw`` as posted; ``city``, ``region`` (state/province code), ``country`` (ISO-3166
  alpha-2); ``remote_type``: onsite | hybrid | remote | unknown.
- ``employment_type``: full_time | part_time | contract | internship | temporary | unknown.
- ``salary_min``/``salary_max``/``salary_currency`` (ISO-4217)/``salary_period`` as posted;
  ``salary_min_yearly``/``salary_max_yearly``: integers in the posted currency (hour x 2080,
  day x 260, week x 52, month x 12); ``salary_min_norm``/``salary_max_norm``: yearly in the
  reporting currency via fx_rates.yml; ``salary_source``: structured | text | null.
- ``description_text``: HTML unescaped and stripped, whitespace tidied; never empty.
- ``skills``: canonical skill names from skills.yml, sorted, unique.
- ``company_size_bin``: from company lookups where known, else ``unknown``.
- ``apply_url``; ``is_direct``: posted on the employer's own board (or marked direct by JSearch).
- ``posted_at``: UTC; ``collected_at``: when the response was fetched (UTC); ``partition_date``.
- ``raw_file``/``raw_line``/``raw_index``: pointer to the verbatim raw record.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

REMOTE_TYPES = ["onsite", "hybrid", "remote", "unknown"]
EMPLOYMENT_TYPES = ["full_time", "part_time", "contract", "internship", "temporary", "unknown"]
SENIORITIES = ["intern", "junior", "mid", "senior", "staff", "principal", "lead", "head", "unknown"]
SALARY_PERIODS = ["hour", "day", "week", "month", "year"]
SALARY_SOURCES = ["structured", "text"]

CANONICAL_COLUMNS: dict[str, pl.DataType] = {
    "job_id": pl.String,
    "source": pl.String,
    "source_job_id": pl.String,
    "hash_key": pl.String,
    "title": pl.String,
    "title_std": pl.String,
    "title_family": pl.String,
    "seniority": pl.String,
    "company_name": pl.String,
    "company_name_norm": pl.String,
    "company_website": pl.String,
    "location_raw": pl.String,
    "city": pl.String,
    "region": pl.String,
    "country": pl.String,
    "remote_type": pl.String,
    "employment_type": pl.String,
    "salary_min": pl.Float64,
    "salary_max": pl.Float64,
    "salary_currency": pl.String,
    "salary_period": pl.String,
    "salary_min_yearly": pl.Int64,
    "salary_max_yearly": pl.Int64,
    "salary_min_norm": pl.Int64,
    "salary_max_norm": pl.Int64,
    "salary_source": pl.String,
    "description_text": pl.String,
    "skills": pl.List(pl.String),
    "company_size_bin": pl.String,
    "apply_url": pl.String,
    "is_direct": pl.Boolean,
    "posted_at": pl.Datetime("us", "UTC"),
    "collected_at": pl.Datetime("us", "UTC"),
    "partition_date": pl.Date,
    "raw_file": pl.String,
    "raw_line": pl.Int64,
    "raw_index": pl.Int64,
}

QUARANTINE_COLUMNS: dict[str, pl.DataType] = {
    "source": pl.String,
    "job_id": pl.String,
    "source_job_id": pl.String,
    "failed_rules": pl.String,  # comma-separated rule names, e.g. "missing_title,empty_description"
    "detail": pl.String,
    "title": pl.String,
    "company_name": pl.String,
    "partition_date": pl.Date,
    "raw_file": pl.String,
    "raw_line": pl.Int64,
    "raw_index": pl.Int64,
}


class CanonicalPosting(pa.DataFrameModel):
    """Data checks every normalized partition must pass (run as an asset check)."""

    job_id: str = pa.Field(nullable=False, unique=True)
    source: str = pa.Field(isin=["jsearch", "greenhouse", "lever", "ashby"])
    source_job_id: str = pa.Field(nullable=False)
    hash_key: str = pa.Field(str_matches=r"^[0-9a-f]{32}$")
    title: str = pa.Field(nullable=False, str_length={"min_value": 1})
    company_name: str = pa.Field(nullable=False, str_length={"min_value": 1})
    country: str = pa.Field(nullable=True, str_matches=r"^[A-Z]{2}$")
    remote_type: str = pa.Field(isin=REMOTE_TYPES)
    employment_type: str = pa.Field(isin=EMPLOYMENT_TYPES)
    seniority: str = pa.Field(isin=SENIORITIES)
    salary_currency: str = pa.Field(nullable=True, str_matches=r"^[A-Z]{3}$")
    salary_period: str = pa.Field(nullable=True, isin=SALARY_PERIODS)
    salary_min_yearly: int = pa.Field(nullable=True, ge=0)
    salary_max_yearly: int = pa.Field(nullable=True, ge=0)
    salary_source: str = pa.Field(nullable=True, isin=SALARY_SOURCES)
    description_text: str = pa.Field(nullable=False, str_length={"min_value": 1})
    posted_at: pl.Datetime(time_unit="us", time_zone="UTC") = pa.Field(nullable=False)  # type: ignore[valid-type]

    @pa.dataframe_check
    def salary_min_not_above_max(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("salary_min_yearly").is_null()
            | pl.col("salary_max_yearly").is_null()
            | (pl.col("salary_min_yearly") <= pl.col("salary_max_yearly"))
        )

    class Config:
        strict = False
        coerce = False
