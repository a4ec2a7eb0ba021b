"""Tests for salary text parsing and normalization (pure polars)."""

from __future__ import annotations

import hashlib
import shutil
import time
from pathlib import Path

import polars as pl
import pytest

from job_assets.normalize.salary import (
    YEARLY_FACTOR,
    FxTable,
    load_fx,
    normalize_salary,
    parse_salary_text,
)
from job_assets.settings import REPO_ROOT

FX_PATH = REPO_ROOT / "taxonomy_config" / "fx_rates.yml"
OUTPUT_COLUMNS = (
    "salary_min_yearly",
    "salary_max_yearly",
    "salary_min_norm",
    "salary_max_norm",
    "salary_source",
    "salary_flag",
    "salary_fx_as_of",
)


@pytest.fixture(scope="module")
def fx() -> FxTable:
    return load_fx(FX_PATH)


def parse(texts: list[str | None]) -> list[dict]:
    df = pl.DataFrame({"t": texts}, schema={"t": pl.String})
    return df.select(parse_salary_text(pl.col("t")).alias("p")).unnest("p").to_dicts()


def frame(**cols: list) -> pl.DataFrame:
    n = len(next(iter(cols.values())))
    schema = {
        "salary_min": pl.Float64,
        "salary_max": pl.Float64,
        "salary_currency": pl.String,
        "salary_period": pl.String,
        "country": pl.String,
        "salary_text": pl.String,
    }
    data = {c: cols.get(c, [None] * n) for c in schema}
    return pl.DataFrame(data, schema=schema)


# ---------------------------------------------------------------- FX table


def test_load_fx_contents_and_version(fx: FxTable) -> None:
    assert fx.as_of == "2026-11-02"
    assert fx.base == "USD" and fx.rates["USD"] == 1.0
    assert fx.version == hashlib.sha256(FX_PATH.read_bytes()).hexdigest()[:12]
    required = {"CAD", "EUR", "GBP", "INR", "AUD", "CHF", "JPY", "SEK", "PLN", "BRL", "MXN"}
    assert required | {"SGD", "NZD"} <= set(fx.rates) and len(fx.rates) >= 25
    assert len(fx.country_currency) >= 60
    assert set(fx.country_currency.values()) <= set(fx.rates)
    expected = {"US": "USD", "CA": "CAD", "GB": "GBP", "FR": "EUR", "DE": "EUR", "NO": "NOK"}
    for country, currency in expected.items():
        assert fx.country_currency[country] == currency


def test_load_fx_default_path_follows_taxonomy_dir(tmp_path: Path, monkeypatch) -> None:
    shutil.copy(FX_PATH, tmp_path / "fx_rates.yml")
    with (tmp_path / "fx_rates.yml").open("a") as fh:
        fh.write("\n# changed\n")
    monkeypatch.setenv("JOBS_TAXONOMY_DIR", str(tmp_path))
    table = load_fx()
    assert table.rates == load_fx(FX_PATH).rates
    assert table.version != load_fx(FX_PATH).version


@pytest.mark.parametrize(
    "body",
    [
        "base: USD\nrates: {USD: 1.0, NOK: 10.0}\ncountry_currency: {NO: NOK}\n",  # bare NO
        "base: USD\nrates: {USD: 2.0}\n",
        "base: USD\nrates: {USD: 1.0, EUR: -1}\n",
        "base: USD\nrates: {USD: 1.0}\ncountry_currency: {FR: EUR}\n",
    ],
)
def test_load_fx_rejects_bad_files(tmp_path: Path, body: str) -> None:
    path = tmp_path / "fx.yml"
    path.write_text(body)
    with pytest.raises(ValueError):
        load_fx(path)


# ---------------------------------------------------------------- text parsing

NOTATIONS = [
    ("$120k–$150k", 120_000, 150_000, None, "year"),
    ("$120k-$150k", 120_000, 150_000, None, "year"),
    ("$120K — $150K", 120_000, 150_000, None, "year"),
    ("$120-150k", 120_000, 150_000, None, "year"),
    ("CA$55/hr", 55, 55, "CAD", "hour"),
    ("C$55 hourly", 55, 55, "CAD", "hour"),
    ("€70.000 - €85.000", 70_000, 85_000, "EUR", "year"),
    ("70.000 € - 85.000 €", 70_000, 85_000, "EUR", "year"),
    ("£60,000 per annum", 60_000, 60_000, "GBP", "year"),
    ("up to 90,000 USD a year", None, 90_000, "USD", "year"),
    ("From $80,000", 80_000, None, None, "year"),
    ("Starting at US$25/hour", 25, None, "USD", "hour"),
    ("USD 100,000-130,000", 100_000, 130_000, "USD", "year"),
    ("$45 - $55 an hour", 45, 55, None, "hour"),
    ("₹12,00,000 per year", 1_200_000, 1_200_000, "INR", "year"),
    ("120K-150K CAD", 120_000, 150_000, "CAD", "year"),
    ("$120k–$150k CAD", 120_000, 150_000, "CAD", "year"),
    ("$5,000/month", 5_000, 5_000, None, "month"),
    ("$800 per week", 800, 800, None, "week"),
    ("$300 per day", 300, 300, None, "day"),
    ("A$90k p.a.", 90_000, 90_000, "AUD", "year"),
    ("CHF 120'000", 120_000, 120_000, "CHF", "year"),
    ("1.234,56 € monthly", 1234.56, 1234.56, "EUR", "month"),
    ("Pay: 45.50 USD hourly", 45.5, 45.5, "USD", "hour"),
    ("€45/h", 45, 45, "EUR", "hour"),
    ("$70,000 to $90,000 annually", 70_000, 90_000, None, "year"),
    ("Monthly salary: $5,000", 5_000, 5_000, None, "month"),
    ("401k match. Pay $50/hr", 50, 50, None, "hour"),
    ("5+ years, 401(k). $130,000–$160,000 USD per year.", 130_000, 160_000, "USD", "year"),
    # No period word: >= 1,000 is yearly, smaller is hourly.
    ("Compensation: $45", 45, 45, None, "hour"),
    ("Compensation: $45,000", 45_000, 45_000, None, "year"),
    # A far-away "hourly" does not turn a yearly-sized amount hourly.
    ("$95,000 - $110,000 + bonus; hourly staff welcome", 95_000, 110_000, None, "year"),
    # "40 hours per week" does not make a $25 rate weekly.
    ("$25, 40 hours per week", 25, 25, None, "hour"),
]


@pytest.mark.parametrize(("text", "lo", "hi", "currency", "period"), NOTATIONS)
def test_parse_salary_text_notations(
    text: str, lo: float | None, hi: float | None, currency: str | None, period: str
) -> None:
    (row,) = parse([text])
    assert row["salary_min"] == (None if lo is None else pytest.approx(lo))
    assert row["salary_max"] == (None if hi is None else pytest.approx(hi))
    assert row["salary_currency"] == currency
    assert row["salary_period"] == period


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "Great team, competitive pay",
        "401k matching",
        "2 years of experience required",
        "Call 555-123-4567",
        "+1 (555) 123-4567",
        "Join 120 engineers in 15 offices",
        "We raised $20 million in Series B",
        "Revenue of $1.5bn",
        "USD",
    ],
)
def test_parse_salary_text_no_salary(text: str | None) -> None:
    (row,) = parse([text])
    assert row == {
        "salary_min": None,
        "salary_max": None,
        "salary_currency": None,
        "salary_period": None,
    }


def test_parse_salary_text_schema_and_lazy() -> None:
    lf = pl.LazyFrame({"t": ["$1"]}).select(parse_salary_text(pl.col("t")))
    assert lf.collect_schema()["t"] == pl.Struct(
        {
            "salary_min": pl.Float64,
            "salary_max": pl.Float64,
            "salary_currency": pl.String,
            "salary_period": pl.String,
        }
    )


# ---------------------------------------------------------------- normalization


@pytest.mark.parametrize(("period", "factor"), sorted(YEARLY_FACTOR.items()))
def test_yearly_conversion_per_period(fx: FxTable, period: str, factor: int) -> None:
    out = normalize_salary(
        frame(
            salary_min=[40.0], salary_max=[50.0], salary_currency=["CAD"], salary_period=[period]
        ),
        fx,
    ).row(0, named=True)
    assert out["salary_period"] == period
    assert (out["salary_min_yearly"], out["salary_max_yearly"]) == (40 * factor, 50 * factor)
    # CAD -> CAD: normalized equals yearly.
    assert (out["salary_min_norm"], out["salary_max_norm"]) == (40 * factor, 50 * factor)
    assert out["salary_source"] == "structured"


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ("YEAR", "year"),
        ("HOUR", "hour"),
        ("MONTH", "month"),
        ("1 YEAR", "year"),
        ("yearly", "year"),
        ("per-year-salary", "year"),
        ("annual", "year"),
        ("Annually", "year"),
        ("hourly", "hour"),
        ("per-hour-wage", "hour"),
        ("Daily", "day"),
        ("WEEK", "week"),
        ("monthly", "month"),
    ],
)
def test_api_period_spellings(fx: FxTable, spelling: str, canonical: str) -> None:
    out = normalize_salary(
        frame(salary_min=[100.0], salary_currency=["USD"], salary_period=[spelling]), fx
    ).row(0, named=True)
    assert out["salary_period"] == canonical
    assert out["salary_min_yearly"] == 100 * YEARLY_FACTOR[canonical]


@pytest.mark.parametrize(
    ("value", "period"), [(45.0, "hour"), (400.0, "hour"), (1_000.0, "year"), (9_000.0, "year")]
)
def test_missing_period_is_inferred_from_magnitude(fx: FxTable, value: float, period: str) -> None:
    df = frame(salary_min=[value, value], salary_currency=["USD", "USD"], salary_period=[None, " "])
    out = normalize_salary(df, fx)
    assert out["salary_period"].to_list() == [period, period]
    assert out["salary_flag"].to_list() == [None, None]
    assert out["salary_min_yearly"].to_list() == [round(value * YEARLY_FACTOR[period])] * 2


def test_currency_conversion_uses_file_rates(fx: FxTable) -> None:
    df = frame(
        salary_min=[100_000.0, 100_000.0],
        salary_currency=["usd", "EUR"],
        salary_period=["year", "year"],
    )
    out = normalize_salary(df, fx)
    assert out["salary_currency"].to_list() == ["USD", "EUR"]
    assert out["salary_min_norm"].to_list() == [
        round(100_000 * fx.rates["CAD"]),
        round(100_000 / fx.rates["EUR"] * fx.rates["CAD"]),
    ]
    assert out["salary_min_yearly"].to_list() == [100_000, 100_000]
    assert out["salary_fx_as_of"].to_list() == [fx.as_of, fx.as_of]
    in_usd = normalize_salary(df, fx, reporting_currency="usd")
    assert in_usd["salary_min_norm"].to_list() == [100_000, round(100_000 / fx.rates["EUR"])]


def test_unknown_reporting_currency_raises(fx: FxTable) -> None:
    with pytest.raises(ValueError, match="reporting currency"):
        normalize_salary(frame(salary_min=[1.0]), fx, reporting_currency="XXX")


def test_currency_inferred_from_country(fx: FxTable) -> None:
    df = frame(
        salary_min=[None, 50_000.0, 50_000.0, 50_000.0],
        salary_currency=[None, None, "$", None],
        salary_period=[None, "year", "year", "year"],
        country=["ca", "GB", "AU", None],
        salary_text=["$120k–$150k", None, None, None],
    )
    out = normalize_salary(df, fx)
    assert out["salary_currency"].to_list() == ["CAD", "GBP", "AUD", None]
    assert out["salary_source"].to_list() == ["text", "structured", "structured", "structured"]
    assert out["salary_min_norm"][0] == 120_000  # CAD posting, CAD reporting
    assert out["salary_min_norm"][1] == round(50_000 / fx.rates["GBP"] * fx.rates["CAD"])
    # No currency and no country: flagged, norm values and fx date null, yearly still known.
    last = out.row(3, named=True)
    assert last["salary_flag"] == "unknown_currency"
    assert last["salary_min_norm"] is None and last["salary_fx_as_of"] is None
    assert last["salary_min_yearly"] == 50_000


def test_unknown_currency_code_is_flagged(fx: FxTable) -> None:
    out = normalize_salary(
        frame(salary_min=[5.0], salary_currency=["XYZ"], salary_period=["hour"]), fx
    ).row(0, named=True)
    assert out["salary_currency"] == "XYZ"
    assert out["salary_flag"] == "unknown_currency"
    assert out["salary_min_norm"] is None and out["salary_max_norm"] is None


@pytest.mark.parametrize(
    ("lo", "hi", "period", "flag"),
    [
        (150_000.0, 120_000.0, "year", "min_above_max"),
        (-5.0, 40.0, "hour", "negative"),
        (None, -1.0, "year", "negative"),
        (10.0, 20.0, "year", "absurd_yearly"),  # yearly < 1,000
        (0.0, 0.0, "year", "absurd_yearly"),
        (2_000.0, 2_500.0, "hour", "absurd_yearly"),  # 2,000/h * 2080 * 1.39 > 2M CAD
        (1_400_000.0, None, "year", None),  # 1.946M CAD: within bounds
        (1_500_000.0, None, "year", "absurd_yearly"),  # 2.085M CAD > 2M
        (70_000.0, 90_000.0, "biweekly", "unknown_period"),
        (70_000.0, 90_000.0, "year", None),
        (30.0, 30.0, "hour", None),
    ],
)
def test_flags_do_not_modify_values(
    fx: FxTable, lo: float | None, hi: float | None, period: str, flag: str | None
) -> None:
    out = normalize_salary(
        frame(salary_min=[lo], salary_max=[hi], salary_currency=["USD"], salary_period=[period]),
        fx,
    )
    row = out.row(0, named=True)
    assert row["salary_flag"] == flag
    assert (row["salary_min"], row["salary_max"]) == (lo, hi)  # flagged, not fixed
    assert out.height == 1  # flagged, not dropped


def test_structured_values_win_over_text(fx: FxTable) -> None:
    df = frame(
        salary_min=[100_000.0, None],
        salary_max=[None, 90_000.0],
        salary_currency=["USD", "USD"],
        salary_period=["year", "YEAR"],
        salary_text=["£30/hr", "€10/h"],
    )
    out = normalize_salary(df, fx)
    assert out["salary_source"].to_list() == ["structured", "structured"]
    assert out["salary_min"].to_list() == [100_000.0, None]
    assert out["salary_max"].to_list() == [None, 90_000.0]
    assert out["salary_currency"].to_list() == ["USD", "USD"]
    assert out["salary_max_yearly"].to_list() == [None, 90_000]


def test_text_salary_fills_columns(fx: FxTable) -> None:
    out = normalize_salary(frame(salary_text=["£60,000 per annum"], country=["US"]), fx)
    row = out.row(0, named=True)
    assert (row["salary_min"], row["salary_max"]) == (60_000.0, 60_000.0)
    assert (row["salary_currency"], row["salary_period"], row["salary_source"]) == (
        "GBP",
        "year",
        "text",
    )
    assert row["salary_min_norm"] == round(60_000 / fx.rates["GBP"] * fx.rates["CAD"])
    assert row["salary_flag"] is None


def test_null_everything_row_stays_null(fx: FxTable) -> None:
    df = frame(
        salary_min=[None, None],
        salary_currency=[None, "USD"],
        salary_period=[None, "YEAR"],
        country=[None, "US"],
        salary_text=[None, "2 years experience, 401k"],
    )
    out = normalize_salary(df, fx)
    salary_cols = ["salary_min", "salary_max", "salary_currency", "salary_period"]
    for col in (*salary_cols, *OUTPUT_COLUMNS):
        assert out[col].null_count() == 2, col
    assert out["country"].to_list() == [None, "US"]  # other columns untouched


def test_output_schema_and_missing_inputs(fx: FxTable) -> None:
    df = pl.DataFrame({"id": [1], "salary_min": [50], "salary_currency": ["USD"]})
    out = normalize_salary(df, fx)
    assert out["id"].to_list() == [1]
    expected = {
        "salary_min": pl.Float64,
        "salary_max": pl.Float64,
        "salary_currency": pl.String,
        "salary_period": pl.String,
        "salary_min_yearly": pl.Int64,
        "salary_max_yearly": pl.Int64,
        "salary_min_norm": pl.Int64,
        "salary_max_norm": pl.Int64,
        "salary_source": pl.String,
        "salary_flag": pl.String,
        "salary_fx_as_of": pl.String,
    }
    for col, dtype in expected.items():
        assert out.schema[col] == dtype, col
    assert out.row(0, named=True)["salary_period"] == "hour"  # 50 < 1,000 -> hourly
    assert out.row(0, named=True)["salary_min_yearly"] == 50 * 2080


def test_200k_rows_normalize(fx: FxTable) -> None:
    n = 200_000
    texts = [
        "$120k–$150k",
        "CA$55/hr",
        "Benefits include 401k; 2 years experience. " * 10,
        "€70.000 - €85.000",
        None,
    ]
    df = pl.DataFrame(
        {
            "salary_min": [None if i % 2 else float(40_000 + i) for i in range(n)],
            "salary_max": [None] * n,
            "salary_currency": [None] * n,
            "salary_period": ["YEAR"] * n,
            "country": ["US", "CA", "FR", "GB"] * (n // 4),
            "salary_text": [texts[i % len(texts)] for i in range(n)],
        },
        schema_overrides={"salary_max": pl.Float64},
    )
    start = time.perf_counter()
    out = normalize_salary(df, fx)
    elapsed = time.perf_counter() - start
    print(f"normalize_salary: {n} rows in {elapsed:.2f}s = {n / elapsed:,.0f} rows/s")
    assert out.height == n
    counts = dict(out["salary_source"].value_counts().iter_rows())
    assert counts["structured"] == n // 2
    # Odd rows parse text; text index cycles with period 5, parity with period 2.
    with_salary = sum(1 for i in range(1, n, 2) if i % len(texts) in (0, 1, 3))
    assert counts["text"] == with_salary
    assert out.filter(pl.col("salary_source") == "text")["salary_min_norm"].null_count() == 0
