"""Salary parsing and normalization: pure, vectorized polars (no Dagster, no row loops).

Two entry points:

* :func:`parse_salary_text` turns free text ("$120k–$150k", "€70.000 - €85.000 per annum", ...)
  into a struct of ``salary_min``, ``salary_max``, ``salary_currency``, ``salary_period`` using
  one regex pass (``str.extract_groups``) plus expression arithmetic.
* :func:`normalize_salary` canonicalizes the posted salary columns, derives yearly values in the
  posted currency and normalized values in a reporting currency, and flags (never fixes or
  drops) suspicious rows so the caller can quarantine them.

Text rules (documented contract):

* A salary needs a currency marker (symbol or ISO code) on at least one amount, so "401k",
  "2 years" or a phone number never parse. A bare "$" (and "¥", "kr") is ambiguous: the parsed
  currency is null and the posting's country decides later.
* "k"/"K" multiplies by 1,000; in "$120-150k" the "k" also applies to the smaller first number.
  Amounts followed by "million"/"billion"/"M"/"bn" (funding rounds, revenue) are rejected.
* Thousands separators: ",", ".", "'", space, including Indian grouping ("12,00,000"); a trailing
  ".dd"/",dd" (one or two digits) is a decimal part.
* "up to"/"max" before a single amount gives a max only; "from"/"starting at"/"min"/"at least"
  gives a min only; any other single amount sets min = max.
* Period: the word right after the amount(s) ("/hr", "per annum", "an hour", "monthly", "p.a."),
  else a period phrase elsewhere in the text ("hourly", "per month", "annual salary"), else
  inferred from magnitude: an amount >= 1,000 is yearly, smaller is hourly.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from job_assets.normalize.memo import DistinctMemo
from job_assets.taxonomy import parse_yaml

PERIODS: tuple[str, ...] = ("hour", "day", "week", "month", "year")
#: Multipliers from a posted period to a year (2080 working hours, 260 working days).
YEARLY_FACTOR: dict[str, int] = {"hour": 2080, "day": 260, "week": 52, "month": 12, "year": 1}
#: Normalized yearly salaries outside [ABSURD_MIN, ABSURD_MAX] (reporting currency) are flagged.
ABSURD_MIN = 1_000
ABSURD_MAX = 2_000_000
#: Inferred period when none is stated: amounts >= this are yearly, smaller amounts hourly.
YEARLY_INFERENCE_THRESHOLD = 1_000

FLAG_NEGATIVE = "negative"
FLAG_MIN_ABOVE_MAX = "min_above_max"
FLAG_UNKNOWN_CURRENCY = "unknown_currency"
FLAG_UNKNOWN_PERIOD = "unknown_period"
FLAG_ABSURD_YEARLY = "absurd_yearly"

SOURCE_STRUCTURED = "structured"
SOURCE_TEXT = "text"

# ISO codes recognized in free text (case-sensitive, whole word).
_TEXT_ISO_CODES: tuple[str, ...] = (
    "USD", "CAD", "EUR", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "RON", "ISK",
    "INR", "AUD", "NZD", "JPY", "CNY", "RMB", "KRW", "SGD", "HKD", "PHP", "MYR", "THB", "IDR",
    "VND", "BRL", "MXN", "CLP", "COP", "PEN", "ARS", "ZAR", "NGN", "KES", "EGP", "AED", "SAR",
    "ILS", "TRY", "UAH",
)  # fmt: skip

# Currency tokens (after removing spaces/dots and upper-casing) -> ISO-4217; None = ambiguous.
_TOKEN_TO_ISO: dict[str, str | None] = {
    "$": None,
    "US$": "USD",
    "CA$": "CAD",
    "C$": "CAD",
    "CAN$": "CAD",
    "AU$": "AUD",
    "A$": "AUD",
    "NZ$": "NZD",
    "S$": "SGD",
    "SG$": "SGD",
    "HK$": "HKD",
    "R$": "BRL",
    "MX$": "MXN",
    "€": "EUR",
    "£": "GBP",
    "₹": "INR",
    "RS": "INR",
    "¥": None,
    "₩": "KRW",
    "₱": "PHP",
    "₪": "ILS",
    "₺": "TRY",
    "₴": "UAH",
    "₦": "NGN",
    "ZŁ": "PLN",
    "KR": None,
    "RMB": "CNY",
    "FR": "CHF",
}

_PREFIX_DOLLARS = r"\b(?:US|CAN|CA|C|AU|A|NZ|SG|S|HK|R|MX)\$"
_SYMBOLS = r"[$€£₹¥₩₱₪₺₴₦]"
_CODES = r"\b(?:" + "|".join(_TEXT_ISO_CODES) + r")\b"
#: Currency before an amount: "CA$", "$", "€", "USD", "Rs."
_CUR_PRE = rf"(?:{_PREFIX_DOLLARS}|{_SYMBOLS}|{_CODES}|\bRs\.?)"
#: Currency after an amount: "€", "USD", "zł", "kr", "Fr."
_CUR_POST = rf"(?:{_SYMBOLS}|{_CODES}|zł|\bkr\b|\bFr\.?)"
_SEP = r"\s*(?:-|\bto\b)\s*"
_QUAL = (
    r"(?i:up\s+to|upto|as\s+much\s+as|max(?:imum)?|from|starting\s+(?:at|from)|"
    r"starts?\s+at|min(?:imum)?|at\s+least)"
)
_PERIOD_WORD = (
    r"(?i:hours?\b|hourly\b|hrs?\b|days?\b|daily\b|weeks?\b|weekly\b|wk\b|months?\b|monthly\b|"
    r"mo\b|mth\b|years?\b|yearly\b|yrs?\b|annum\b|annual(?:ly)?\b|p\.\s?a\.?|pa\b)"
)
_PERIOD_ADJ = rf"(?i:\s*(?:/\s*|per\s+|an?\s+|each\s+)?(?P<per>{_PERIOD_WORD}|(?-i:/\s*h\b)))?"
#: Period phrases anywhere in the text, used when no period word follows the amount. Kept
#: narrow on purpose ("40 hours per week" must not make a $25 hourly rate weekly).
_PERIOD_ANYWHERE = (
    r"(?i)\b(?:(?P<adj>hourly|daily|weekly|monthly)\s+(?:salary|pay|rate|wage|compensation)|"
    r"(?P<hr>hourly|per\s+hour))\b"
)
#: A non-adjacent "hourly"/"per hour" is ignored for amounts at or above this (e.g. "$95,000").
_HOURLY_FALLBACK_MAX = 10_000


def _num(tag: str) -> str:
    """One amount: integer part (with grouping), optional 1-2 digit decimals, multiplier."""
    return (
        rf"(?P<{tag}i>\d{{1,3}}(?:[,.' ]\d{{2,3}})*[,.' ]\d{{3}}|\d+)"
        rf"(?:[.,](?P<{tag}d>\d{{1,2}}))?"
        rf"(?:\s?(?P<{tag}k>[kK]|(?i:mm|m|million|bn|b|billion)))?\b"
    )


def _build_pattern() -> str:
    # Three branches so a currency marker is mandatory somewhere (no lookaround in Rust regex):
    # a = currency before the first amount, b = after the first, c = only on the second.
    def second(tag: str, required_cur: bool) -> str:
        if required_cur:
            return (
                rf"{_SEP}(?:(?P<{tag}c3>{_CUR_PRE})\s?{_num(tag + '2')}"
                rf"(?:\s?(?P<{tag}c4>{_CUR_POST}))?"
                rf"|{_num(tag + '3')}\s?(?P<{tag}c5>{_CUR_POST}))"
            )
        return (
            rf"(?:{_SEP}(?:(?P<{tag}c3>{_CUR_PRE})\s?)?{_num(tag + '2')}"
            rf"(?:\s?(?P<{tag}c4>{_CUR_POST}))?)?"
        )

    branch_a = (
        rf"(?P<ac1>{_CUR_PRE})\s?{_num('a1')}(?:\s?(?P<ac2>{_CUR_POST}))?{second('a', False)}"
    )
    branch_b = rf"{_num('b1')}\s?(?P<bc2>{_CUR_POST}){second('b', False)}"
    branch_c = rf"{_num('c1')}{second('c', True)}"
    return (
        rf"(?:(?P<q>{_QUAL}):?\s*)?(?:{branch_a}|{branch_b}|{branch_c})"
        rf"(?:\s?(?P<tail>{_CODES}))?{_PERIOD_ADJ}"
    )


SALARY_PATTERN = _build_pattern()
_PATTERN_GROUPS: tuple[str, ...] = tuple(re.compile(SALARY_PATTERN).groupindex)


@dataclass(frozen=True)
class FxTable:
    """Static FX reference table loaded from ``fx_rates.yml`` (rates are units per 1 ``base``)."""

    as_of: str
    base: str
    rates: dict[str, float] = field(hash=False)
    country_currency: dict[str, str] = field(hash=False)
    version: str = ""

    def rate(self, currency: str) -> float:
        """Units of ``currency`` per 1 ``base``; KeyError if unknown."""
        return self.rates[currency.upper()]


def load_fx(path: Path | None = None) -> FxTable:
    """Load and validate the FX table; ``version`` is sha256[:12] of the file bytes."""
    if path is None:
        from job_assets.settings import get_paths

        path = get_paths().taxonomy_dir / "fx_rates.yml"
    raw = Path(path).read_bytes()
    doc: dict[str, Any] = parse_yaml(raw) or {}
    rates_raw = doc.get("rates") or {}
    cc_raw = doc.get("country_currency") or {}
    for key in (*rates_raw, *cc_raw):
        if not isinstance(key, str):
            raise ValueError(f"{path}: non-string key {key!r} (quote YAML keys like NO/ON/YES)")
    rates = {str(k).upper(): float(v) for k, v in rates_raw.items()}
    base = str(doc.get("base", "USD")).upper()
    if not rates or any(v <= 0 for v in rates.values()):
        raise ValueError(f"{path}: rates must be a non-empty mapping of positive numbers")
    if rates.get(base) != 1.0:
        raise ValueError(f"{path}: base currency {base} must have rate 1.0")
    country_currency = {str(k).upper(): str(v).upper() for k, v in cc_raw.items()}
    missing = sorted(set(country_currency.values()) - set(rates))
    if missing:
        raise ValueError(f"{path}: country_currency uses currencies without a rate: {missing}")
    return FxTable(
        as_of=str(doc.get("as_of", "")),
        base=base,
        rates=rates,
        country_currency=country_currency,
        version=hashlib.sha256(raw).hexdigest()[:12],
    )


def _amount(tags: tuple[str, ...]) -> dict[str, pl.Expr]:
    """Value (before "k"), has-k and big-multiplier fields of one amount, over branch tags."""
    g = pl.field("g")
    int_part = pl.coalesce([g.struct.field(f"{t}i") for t in tags])
    dec_part = pl.coalesce([g.struct.field(f"{t}d") for t in tags])
    mult = pl.coalesce([g.struct.field(f"{t}k") for t in tags]).str.to_lowercase()
    value = int_part.str.replace_all(r"\D", "").cast(pl.Float64, strict=False) + (
        dec_part.cast(pl.Float64, strict=False) / pl.lit(10.0).pow(dec_part.str.len_chars())
    ).fill_null(0.0)
    return {
        "v": value,
        "k": (mult == "k").fill_null(False),
        "big": mult.is_not_null() & (mult != "k"),
    }


def canonical_currency(expr: pl.Expr) -> pl.Expr:
    """Currency token or code -> ISO-4217 upper case; ambiguous symbols ("$") and "" -> null."""
    token = expr.str.replace_all(r"[\s.]", "").str.to_uppercase()
    return (
        pl.when(token.is_in(list(_TOKEN_TO_ISO)))
        .then(token.replace_strict(_TOKEN_TO_ISO, default=None, return_dtype=pl.String))
        .when(token == "")
        .then(pl.lit(None, dtype=pl.String))
        .otherwise(token)
    )


def canonical_period(expr: pl.Expr) -> pl.Expr:
    """Period spellings ("YEAR", "1 YEAR", "per-year-salary", "hourly", "p.a.") -> canonical.

    Returns null for null input and for unrecognized spellings (e.g. "biweekly").
    """
    s = expr.str.to_lowercase().str.strip_chars()
    return (
        pl.when(s.str.contains(r"bi-?week|fortnight|semi|bi-?month|quarter"))
        .then(pl.lit(None, dtype=pl.String))
        .when(s.str.contains(r"hour|^/?\s*hrs?$|^/?\s*h$|hrly"))
        .then(pl.lit("hour"))
        .when(s.str.contains(r"day|daily|^d$"))
        .then(pl.lit("day"))
        .when(s.str.contains(r"week|^wk|^w$"))
        .then(pl.lit("week"))
        .when(s.str.contains(r"month|^mo$|^mth|^m$"))
        .then(pl.lit("month"))
        .when(s.str.contains(r"year|annum|annual|^yrs?$|^y$|^p\.?\s?a\.?$"))
        .then(pl.lit("year"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def _infer_period(value: pl.Expr) -> pl.Expr:
    return (
        pl.when(value.is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(value >= YEARLY_INFERENCE_THRESHOLD)
        .then(pl.lit("year"))
        .otherwise(pl.lit("hour"))
    )


def parse_salary_text(text: pl.Expr) -> pl.Expr:
    """Parse free text into a struct(salary_min, salary_max, salary_currency, salary_period).

    Pure polars expressions (regex ``extract_groups`` + arithmetic, no UDF). Text without a
    recognizable salary gives all-null fields; see the module docstring for the rules. Built as
    staged ``struct.eval`` passes so each regex runs once per row. The output keeps the input
    expression's root name (use ``.alias``).
    """
    t = text.str.replace_all(r"[\u2010-\u2015\u2212]", "-").str.replace_all(
        r"[\u00a0\u202f\u2007\u2009]", " "
    )
    null_f = pl.lit(None, dtype=pl.Float64)
    null_s = pl.lit(None, dtype=pl.String)
    g = pl.field("g")
    any_ = pl.field("anywhere")
    # 1. regex extraction (the only expensive step)
    s1 = pl.struct(t.alias("t")).struct.eval(
        g=pl.field("t").str.extract_groups(SALARY_PATTERN),
        anywhere=pl.field("t").str.extract_groups(_PERIOD_ANYWHERE),
    )
    # 2. amounts, qualifier, currency token and period words
    first, second = _amount(("a1", "b1", "c1")), _amount(("a2", "b2", "c2", "c3"))
    cur_cols = ("tail", "ac1", "ac2", "bc2", "ac3", "ac4", "bc3", "bc4", "cc3", "cc4", "cc5")
    s2 = s1.struct.eval(
        v1=first["v"],
        k1=first["k"],
        v2=second["v"],
        k2=second["k"],
        rejected=(first["big"].fill_null(False) | second["big"].fill_null(False)),
        qual=g.struct.field("q").str.to_lowercase(),
        currency=pl.coalesce([canonical_currency(g.struct.field(c)) for c in cur_cols]),
        adjacent=canonical_period(g.struct.field("per")),
        adj=canonical_period(any_.struct.field("adj")),
        hr=canonical_period(any_.struct.field("hr")),
    )
    # 3. apply "k", the range and the up-to / from qualifiers
    v1, v2 = pl.field("v1"), pl.field("v2")
    has_second = v2.is_not_null()
    is_max_only = ~has_second & pl.field("qual").str.contains(r"^(?:up|as|max)").fill_null(False)
    is_min_only = ~has_second & pl.field("qual").is_not_null() & ~is_max_only
    v1k = (
        pl.when(pl.field("k1") | (pl.field("k2") & v1.lt(v2).fill_null(False)))
        .then(v1 * 1000)
        .otherwise(v1)
    )
    v2k = pl.when(pl.field("k2")).then(v2 * 1000).otherwise(v2)
    rejected = pl.field("rejected")
    s3 = s2.struct.eval(
        salary_min=pl.when(rejected | is_max_only).then(null_f).otherwise(v1k),
        salary_max=pl.when(rejected | is_min_only)
        .then(null_f)
        .when(has_second)
        .then(v2k)
        .otherwise(v1k),
        currency=pl.field("currency"),
        adjacent=pl.field("adjacent"),
        adj=pl.field("adj"),
        hr=pl.field("hr"),
    )
    # 4. currency and period only when an amount was found; period falls back then is inferred
    found = pl.field("salary_min").is_not_null() | pl.field("salary_max").is_not_null()
    value = pl.coalesce(pl.field("salary_min"), pl.field("salary_max"))
    period = pl.coalesce(
        pl.field("adjacent"),
        pl.field("adj"),
        pl.when(value < _HOURLY_FALLBACK_MAX).then(pl.field("hr")),
        _infer_period(value),
    )
    return s3.struct.eval(
        salary_min=pl.field("salary_min"),
        salary_max=pl.field("salary_max"),
        salary_currency=pl.when(found).then(pl.field("currency")).otherwise(null_s),
        salary_period=pl.when(found).then(period).otherwise(null_s),
    ).name.keep()


_INPUT_COLUMNS: dict[str, pl.DataType] = {
    "salary_min": pl.Float64(),
    "salary_max": pl.Float64(),
    "salary_currency": pl.String(),
    "salary_period": pl.String(),
    "country": pl.String(),
    "salary_text": pl.String(),
}


_PARSED = "__salary_parsed"


def salary_text_memo() -> DistinctMemo:
    """Parsed salary texts by distinct text, for ``normalize_salary``: kept for a day's batches,
    a text is parsed once (the parse depends on the text alone)."""
    return DistinctMemo(
        "salary_text",
        lambda distinct: distinct.with_columns(
            parse_salary_text(pl.col("salary_text")).alias(_PARSED)
        ),
    )


def normalize_salary(
    df: pl.DataFrame,
    fx: FxTable,
    reporting_currency: str = "CAD",
    memo: DistinctMemo | None = None,
) -> pl.DataFrame:
    """Canonicalize salary columns and add yearly, normalized, source, flag and FX-date columns.

    Structured ``salary_min``/``salary_max`` win; ``salary_text`` is parsed only when both are
    null. Currency falls back to the posted currency column, then the country's currency.
    Flags (first applicable wins): negative, min_above_max, unknown_currency, unknown_period,
    absurd_yearly. Rows without any amount get null salary columns (currency/period included).
    Missing input columns are treated as all-null. ``memo`` (see ``salary_text_memo``) carries
    the texts parsed by earlier batches of the same day.
    """
    rep = reporting_currency.upper()
    if rep not in fx.rates:
        raise ValueError(f"reporting currency {rep!r} not in FX table ({sorted(fx.rates)})")
    rep_rate = fx.rates[rep]

    missing = [pl.lit(None, dtype=dt).alias(c) for c, dt in _INPUT_COLUMNS.items() if c not in df]
    out = df.with_columns(missing).with_columns(
        pl.col("salary_min", "salary_max").cast(pl.Float64).fill_nan(None),
        pl.col("salary_currency", "salary_period", "country", "salary_text").cast(pl.String),
    )
    structured = pl.col("salary_min").is_not_null() | pl.col("salary_max").is_not_null()
    # The text is parsed once per distinct text, not per row: salary texts repeat, and the
    # parse's dozens of string passes cost about as much on a null as on a text (25k rows:
    # 0.06 CPU-s with no text at all). With a day's memo, a batch whose texts were all seen
    # before (a source without salary texts: only the null) runs no parse at all.
    to_parse = out.select(
        pl.when(structured).then(pl.lit(None, dtype=pl.String)).otherwise(pl.col("salary_text"))
    ).to_series()
    if memo is None:
        memo = salary_text_memo()
    out = out.with_columns(memo.lookup(to_parse).get_columns())
    parsed = pl.col(_PARSED)
    from_text = ~structured & (
        parsed.struct.field("salary_min").is_not_null()
        | parsed.struct.field("salary_max").is_not_null()
    )
    source = (
        pl.when(structured)
        .then(pl.lit(SOURCE_STRUCTURED))
        .when(from_text)
        .then(pl.lit(SOURCE_TEXT))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    country_cur = (
        pl.col("country")
        .str.strip_chars()
        .str.to_uppercase()
        .replace_strict(fx.country_currency, default=None, return_dtype=pl.String)
    )
    posted_cur = canonical_currency(pl.col("salary_currency"))
    raw_period = pl.col("salary_period")
    out = out.with_columns(
        source.alias("salary_source"),
        pl.when(structured)
        .then(pl.col("salary_min"))
        .otherwise(parsed.struct.field("salary_min"))
        .alias("salary_min"),
        pl.when(structured)
        .then(pl.col("salary_max"))
        .otherwise(parsed.struct.field("salary_max"))
        .alias("salary_max"),
        pl.when(structured)
        .then(pl.coalesce(posted_cur, country_cur))
        .when(from_text)
        .then(pl.coalesce(parsed.struct.field("salary_currency"), posted_cur, country_cur))
        .otherwise(pl.lit(None, dtype=pl.String))
        .alias("salary_currency"),
        pl.when(structured)
        .then(
            pl.when(raw_period.is_null() | (raw_period.str.strip_chars() == ""))
            .then(_infer_period(pl.coalesce("salary_min", "salary_max")))
            .otherwise(canonical_period(raw_period))
        )
        .when(from_text)
        .then(parsed.struct.field("salary_period"))
        .otherwise(pl.lit(None, dtype=pl.String))
        .alias("salary_period"),
        # Period was given but not understood (e.g. "biweekly"): remembered for the flag.
        (
            structured
            & (raw_period.str.strip_chars() != "").fill_null(False)
            & canonical_period(raw_period).is_null()
        ).alias("__period_unknown"),
    ).drop(_PARSED)

    factor = pl.col("salary_period").replace_strict(
        YEARLY_FACTOR, default=None, return_dtype=pl.Float64
    )
    rate = pl.col("salary_currency").replace_strict(fx.rates, default=None, return_dtype=pl.Float64)
    min_y = pl.col("salary_min") * factor
    max_y = pl.col("salary_max") * factor
    min_n = min_y / rate * rep_rate
    max_n = max_y / rate * rep_rate
    has_salary = pl.col("salary_source").is_not_null()

    def absurd(e: pl.Expr) -> pl.Expr:
        return ((e < ABSURD_MIN) | (e > ABSURD_MAX)).fill_null(False)

    negative = (pl.col("salary_min") < 0).fill_null(False) | (pl.col("salary_max") < 0).fill_null(
        False
    )
    flag = (
        pl.when(~has_salary)
        .then(pl.lit(None, dtype=pl.String))
        .when(negative)
        .then(pl.lit(FLAG_NEGATIVE))
        .when((pl.col("salary_min") > pl.col("salary_max")).fill_null(False))
        .then(pl.lit(FLAG_MIN_ABOVE_MAX))
        .when(rate.is_null())
        .then(pl.lit(FLAG_UNKNOWN_CURRENCY))
        .when(pl.col("__period_unknown") | factor.is_null())
        .then(pl.lit(FLAG_UNKNOWN_PERIOD))
        .when(absurd(min_n) | absurd(max_n))
        .then(pl.lit(FLAG_ABSURD_YEARLY))
        .otherwise(pl.lit(None, dtype=pl.String))
    )  # fmt: skip

    def to_int(e: pl.Expr) -> pl.Expr:
        return e.round(0).cast(pl.Int64, strict=False)

    return out.with_columns(
        to_int(min_y).alias("salary_min_yearly"),
        to_int(max_y).alias("salary_max_yearly"),
        to_int(min_n).alias("salary_min_norm"),
        to_int(max_n).alias("salary_max_norm"),
        flag.alias("salary_flag"),
        pl.when(min_n.is_not_null() | max_n.is_not_null())
        .then(pl.lit(fx.as_of))
        .otherwise(pl.lit(None, dtype=pl.String))
        .alias("salary_fx_as_of"),
    ).drop("__period_unknown")
