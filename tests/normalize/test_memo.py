"""DistinctMemo: columns computed once per distinct value across the batches of a day."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import polars as pl

from job_assets.normalize.memo import DistinctMemo


class _Upper:
    """A compute function that records every value it was asked for."""

    def __init__(self) -> None:
        self.seen: list[str | None] = []

    def __call__(self, frame: pl.DataFrame) -> pl.DataFrame:
        self.seen += frame["title"].to_list()
        return frame.with_columns(pl.col("title").str.to_uppercase().alias("upper"))


def test_each_value_is_computed_once_and_lookups_stay_row_aligned():
    compute = _Upper()
    memo = DistinctMemo("title", compute)
    first = pl.Series(["b", "a", None, "b", "a"])
    second = pl.Series(["c", "a", None, "b", "c", "d"])
    out1 = memo.lookup(first)
    out2 = memo.lookup(second)
    assert out1["upper"].to_list() == ["B", "A", None, "B", "A"]
    assert out2["upper"].to_list() == ["C", "A", None, "B", "C", "D"]
    assert out2.columns == ["upper"]
    # every distinct value (null included) computed exactly once over both batches
    assert sorted(compute.seen, key=str) == sorted(["a", "b", None, "c", "d"], key=str)
    assert len(memo) == 5


def test_threads_sharing_a_memo_get_their_own_rows():
    memo = DistinctMemo("title", _Upper())
    batches = [pl.Series([f"t{(i * 7 + k) % 50}" for k in range(400)]) for i in range(24)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        outs = list(pool.map(memo.lookup, batches))
    for batch, out in zip(batches, outs, strict=True):
        assert out["upper"].to_list() == batch.str.to_uppercase().to_list()
    assert len(memo) == 50  # no value stored twice, whichever thread computed it


def test_combinations_of_several_keys_are_remembered_nulls_included():
    calls: list[int] = []

    def joined(frame: pl.DataFrame) -> pl.DataFrame:
        calls.append(frame.height)
        both = pl.concat_str([pl.col("text"), pl.col("hint")], separator="/", ignore_nulls=True)
        return frame.with_columns(both.alias("joined"))

    memo = DistinctMemo(["text", "hint"], joined)
    first = pl.DataFrame({"text": ["NYC", "NYC", None, "SF"], "hint": ["US", None, "US", None]})
    second = pl.DataFrame({"text": ["SF", "NYC", "LA"], "hint": [None, None, "US"], "x": [1, 2, 3]})
    assert memo.lookup(first)["joined"].to_list() == ["NYC/US", "NYC", "US", "SF"]
    out = memo.lookup(second)
    assert out.columns == ["joined"]  # other columns of the frame are not carried
    assert out["joined"].to_list() == ["SF", "NYC", "LA/US"]
    assert calls == [4, 1]  # only ("LA", "US") was new in the second batch


def test_computed_columns_of_every_kind_come_back_unchanged_from_the_memo():
    # the memo keeps its own copy of what it computed (so that it does not keep the batches'
    # text alive); the copy must hold the same values and types
    kinds = pl.Enum(["junior", "senior"])

    def compute(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_columns(
            pl.col("k").str.len_chars().alias("n"),
            pl.col("k").str.contains("a").alias("flag"),
            pl.when(pl.col("k").str.starts_with("s")).then(pl.lit("senior")).cast(kinds).alias("e"),
            pl.struct(
                lo=pl.col("k").str.len_bytes().cast(pl.Float64),
                cur=pl.when(pl.col("k").is_null()).then(None).otherwise(pl.lit("CAD")),
            ).alias("s"),
            pl.col("k").str.split(" ").alias("parts"),
        )

    memo = DistinctMemo("k", compute)
    values = pl.Series(
        "k", ["senior data engineer, toronto", "a", None, "senior data engineer, toronto"]
    )
    out = memo.lookup(values)
    expected = compute(values.to_frame()).drop("k")
    assert out.schema == expected.schema
    assert out.equals(expected)


def test_a_days_memo_keeps_titles_companies_locations_and_salary_texts_from_its_first_batch():
    # normalize_day hands every batch the same EnrichmentMemo: what the first batch worked out
    # must be there for the next (an empty memo once stood in for none, so locations were
    # parsed afresh for every batch)
    import datetime as dt

    from job_assets.normalize.enrich import EnrichmentMemo, load_taxonomies, normalize_postings
    from job_assets.normalize.mappers import MAPPED_SCHEMA

    taxonomies = load_taxonomies()
    memo = EnrichmentMemo.of(taxonomies)
    mapped = pl.DataFrame(
        {
            "source": ["lever"] * 2,
            "source_job_id": ["1", "2"],
            "title": ["Senior Data Engineer", "Data Analyst"],
            "company_name": ["Acme", "Acme"],
            "location_raw": ["Toronto, ON", "Remote - Canada"],
            "description_raw": ["Python and SQL.", "SQL and dbt."],
            "description_format": ["text", "text"],
            "posted_at_raw": ["2026-03-01T10:00:00Z"] * 2,
            "posted_at": [dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC)] * 2,
            "salary_text": ["$120k - $140k a year", None],
        }
    )
    mapped = mapped.with_columns(
        pl.lit(None).alias(c) for c in MAPPED_SCHEMA if c not in mapped.columns
    ).select(pl.col(c).cast(t) for c, t in MAPPED_SCHEMA.items())
    first = normalize_postings(mapped, dt.date(2026, 3, 2), "raw", taxonomies, memo=memo)
    assert (first.postings.height, first.quarantine.height) == (2, 0)
    sizes = (len(memo.titles), len(memo.companies), len(memo.locations), len(memo.salary_texts))
    assert sizes == (2, 1, 2, 2)  # the salary texts: the one given, and none
    again = normalize_postings(mapped, dt.date(2026, 3, 2), "raw", taxonomies, memo=memo)
    assert (len(memo.titles), len(memo.companies), len(memo.locations), len(memo.salary_texts)) == (
        sizes
    )
    assert again.postings.equals(first.postings)
    # the second batch's salary came from the memo, parsed
    assert again.postings.select("salary_min", "salary_max", "salary_period").row(0) == (
        120_000.0,
        140_000.0,
        "year",
    )
