"""Parse free-text job locations into city / region / country / remote type, vectorized.

Everything runs as polars expressions and joins against small taxonomy frames built from
``taxonomy_config/locations.yml``; no Python code runs per posting. Outline:

1. strip accents, detect remote/hybrid/onsite phrasings, blank them out;
2. keep the first location of a multi-location string (``;``, ``|``, `` or ``), split it into
   parts on commas, parentheses, slashes and spaced dashes, normalize each part to a key;
3. join the parts against country, region and city keys and pick one of each per row by
   position rules (documented in the YAML header);
4. structured hints (``city_hint``, ``region_hint``, ``country_hint``, ``remote_hint``) win.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from job_assets.normalize.memo import DistinctMemo
from job_assets.settings import get_paths
from job_assets.taxonomy import TaxonomyError, parse_yaml

LOCATIONS_FILE = "locations.yml"
REMOTE_TYPES = ("onsite", "hybrid", "remote", "unknown")
HINT_COLUMNS = ("city_hint", "region_hint", "country_hint", "remote_hint")
OUTPUT_COLUMNS = ("city", "region", "country", "remote_type")

_RID = "__loc_rid"
# Where one location ends and the next begins ("NYC; Remote", "Austin | Denver", "A or B").
_SEGMENT_SEP = r"[;|\n]"
# Separators between the parts of one location.
_PART_SEP = r"[,()\[\]{}/\\:•·]|\s[-–—]+|[-–—]+\s|[–—]"
_TRAILING_CODE = r"([^\s,])\s+([A-Z]{2,3})(\s*(?:[,(\[/]|$))"
_STRIP_CHARS = " \t-–—.,:;*'\"!?"


@dataclass(frozen=True)
class LocationTaxonomy:
    """Key frames the parser joins against; every ``key`` column is already normalized."""

    version: str
    strong_countries: pl.DataFrame  # key, _c_strong: unambiguous country keys
    weak_countries: pl.DataFrame  # key, _c_weak: country keys that are also region keys
    hint_countries: pl.DataFrame  # key, _c_hint: every country key (for country_hint)
    regions: pl.DataFrame  # key, _r_region, _r_country, _r_priority (key may repeat)
    cities: pl.DataFrame  # key, _t_city, _t_region, _t_country
    ignore_keys: tuple[str, ...]
    remote_patterns: tuple[tuple[str, str], ...]  # (remote_type, regex) in precedence order
    remote_hint_values: tuple[tuple[str, str], ...]
    noise_patterns: tuple[str, ...]


def _default_path() -> Path:
    return get_paths().taxonomy_dir / LOCATIONS_FILE


def strip_accents(expr: pl.Expr) -> pl.Expr:
    """Decompose (NFKD) and drop combining marks: "Montréal" -> "Montreal"."""
    return expr.str.normalize("NFKD").str.replace_all(r"\p{M}", "")


def location_key(
    expr: pl.Expr, noise_patterns: tuple[str, ...] | list[str], *, accents: bool = True
) -> pl.Expr:
    """The normalized matching key of a location part (also applied to taxonomy aliases).
    Pass ``accents=False`` when the input already went through :func:`strip_accents`."""
    out = (strip_accents(expr) if accents else expr).str.to_lowercase()
    out = out.str.replace_all(r"[.'’`]", "").str.replace_all(r"[^a-z0-9]+", " ").str.strip_chars()
    if noise_patterns:
        noise = "|".join(f"(?:{p})" for p in noise_patterns)
        out = out.str.replace_all(noise, " ").str.replace_all(r"\s{2,}", " ").str.strip_chars()
    return out


def _req_str(value: Any, what: str, path: Path) -> str:
    if not isinstance(value, str) or not value.strip():
        raise TaxonomyError(
            f"{path.name}: {what} must be a non-empty string, got {value!r} "
            "(quote YAML booleans such as NO/ON/YES)"
        )
    return value.strip()


def _keyed(rows: list[dict[str, Any]], schema: dict[str, Any], noise: list[str]) -> pl.DataFrame:
    """Build a frame from rows holding a raw ``alias`` and normalize it into ``key``."""
    df = pl.DataFrame(rows, schema={"alias": pl.String, **schema}, orient="row")
    return (
        df.with_columns(key=location_key(pl.col("alias"), noise))
        .filter(pl.col("key").is_not_null() & (pl.col("key") != ""))
        .drop("alias")
    )


def load_locations(path: str | Path | None = None) -> LocationTaxonomy:
    """Load ``locations.yml`` (default: the configured taxonomy dir) into join-ready frames."""
    p = Path(path) if path is not None else _default_path()
    if not p.exists():
        raise TaxonomyError(f"taxonomy file not found: {p}")
    raw_bytes = p.read_bytes()
    try:
        data = parse_yaml(raw_bytes) or {}
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"{p.name}: invalid YAML: {exc}") from exc
    for section in ("countries", "regions", "cities", "remote_phrases"):
        if section not in data:
            raise TaxonomyError(f"{p.name}: missing section {section!r}")
    noise = [str(x) for x in data.get("noise_patterns") or []]

    country_rows: list[tuple[str, str]] = []
    known_codes: set[str] = set()
    for entry in data["countries"]:
        code = _req_str(entry.get("code"), "country code", p).upper()
        if len(code) != 2:
            raise TaxonomyError(f"{p.name}: country code {code!r} is not ISO alpha-2")
        known_codes.add(code)
        names = [code, entry.get("alpha3"), entry.get("name"), *(entry.get("aliases") or [])]
        country_rows += [(_req_str(n, f"alias of {code}", p), code) for n in names if n]
    countries = _keyed(country_rows, {"country": pl.String}, noise).unique(
        "key", keep="first", maintain_order=True
    )

    region_rows: list[tuple[str, str, str, int]] = []
    for priority, (ccode, entries) in enumerate(data["regions"].items()):
        ccode = _req_str(ccode, "regions country key", p).upper()
        if ccode not in known_codes:
            raise TaxonomyError(f"{p.name}: regions lists unknown country {ccode!r}")
        for entry in entries:
            rcode = _req_str(entry.get("code"), f"region code in {ccode}", p).upper()
            names = [rcode, entry.get("name"), *(entry.get("aliases") or [])]
            region_rows += [
                (_req_str(n, f"alias of {rcode}", p), rcode, ccode, priority) for n in names if n
            ]
    regions = _keyed(
        region_rows,
        {"_r_region": pl.String, "_r_country": pl.String, "_r_priority": pl.Int32},
        noise,
    ).unique(["key", "_r_country"], keep="first", maintain_order=True)
    region_keys = regions.get_column("key").unique()

    collides = pl.col("key").is_in(region_keys.implode())
    strong = countries.filter(~collides).rename({"country": "_c_strong"})
    weak = countries.filter(collides).rename({"country": "_c_weak"})
    hint = countries.rename({"country": "_c_hint"})

    city_rows: list[tuple[str, str, str | None, str]] = []
    for entry in data["cities"]:
        name = _req_str(entry.get("name"), "city name", p)
        ccode = _req_str(entry.get("country"), f"country of {name}", p).upper()
        if ccode not in known_codes:
            raise TaxonomyError(f"{p.name}: city {name!r} has unknown country {ccode!r}")
        region = entry.get("region")
        region = _req_str(region, f"region of {name}", p).upper() if region is not None else None
        for alias in [name, *(entry.get("aliases") or [])]:
            city_rows.append((_req_str(alias, f"alias of {name}", p), name, region, ccode))
    cities = _keyed(
        city_rows,
        {"_t_city": pl.String, "_t_region": pl.String, "_t_country": pl.String},
        noise,
    ).unique("key", keep="first", maintain_order=True)

    precedence = [str(x) for x in data.get("remote_precedence") or ["hybrid", "remote", "onsite"]]
    phrases = data["remote_phrases"]
    remote_patterns: list[tuple[str, str]] = []
    for rtype in precedence:
        if rtype not in REMOTE_TYPES or rtype == "unknown":
            raise TaxonomyError(f"{p.name}: unknown remote type {rtype!r}")
        pats = [str(x) for x in phrases.get(rtype) or []]
        if pats:
            remote_patterns.append((rtype, "(?i)\\b(?:" + "|".join(pats) + ")\\b"))

    hint_values = []
    for k, v in (data.get("remote_hint_values") or {}).items():
        if v not in REMOTE_TYPES:
            raise TaxonomyError(f"{p.name}: remote_hint_values maps {k!r} to unknown {v!r}")
        hint_values.append((str(k).strip().lower(), str(v)))

    ignore_df = pl.DataFrame({"a": [str(x) for x in data.get("ignore_parts") or []]})
    ignore = ignore_df.select(location_key(pl.col("a"), noise)).to_series().to_list()

    return LocationTaxonomy(
        version=hashlib.sha256(raw_bytes).hexdigest()[:12],
        strong_countries=strong,
        weak_countries=weak,
        hint_countries=hint,
        regions=regions,
        cities=cities,
        ignore_keys=tuple(k for k in ignore if k),
        remote_patterns=tuple(remote_patterns),
        remote_hint_values=tuple(hint_values),
        noise_patterns=tuple(noise),
    )


def _display(expr: pl.Expr) -> pl.Expr:
    """Tidy a free-text city: keep its casing unless it is all-lower or all-upper."""
    e = expr.str.strip_chars(_STRIP_CHARS).str.replace_all(r"\s+", " ")
    odd_case = (e == e.str.to_lowercase()) | (e == e.str.to_uppercase())
    return pl.when(e == "").then(None).when(odd_case).then(e.str.to_titlecase()).otherwise(e)


def _pick_region(
    candidates: pl.DataFrame, country_col: str, prefer_col: str | None = None
) -> pl.DataFrame:
    """One region per row: must match ``country_col`` when that is known; otherwise prefer
    ``prefer_col`` (a city's country), then earlier parts, then the YAML priority order."""
    c = candidates.filter(
        pl.col(country_col).is_null() | (pl.col("_r_country") == pl.col(country_col))
    )
    mismatch = (
        (pl.col("_r_country") != pl.col(prefer_col)).fill_null(True)
        if prefer_col
        else pl.lit(False)
    )
    return (
        c.with_columns(_mm=mismatch)
        .sort([_RID, "_mm", "pos", "_r_priority"])
        .unique(_RID, keep="first")
        .select(_RID, "_r_region", "_r_country")
    )


def parse_locations(
    df: pl.DataFrame, taxonomy: LocationTaxonomy, memo: DistinctMemo | None = None
) -> pl.DataFrame:
    """Add ``city``, ``region`` (state/province code), ``country`` (ISO alpha-2) and
    ``remote_type`` (onsite|hybrid|remote|unknown) parsed from ``location_raw`` and hints.

    Input columns: ``location_raw`` plus optional ``city_hint``, ``region_hint``,
    ``country_hint`` (alpha-2, alpha-3 or name) and ``remote_hint``; missing hint columns are
    added as nulls. All other columns pass through; row order is preserved. ``memo`` (from
    ``location_memo``, same taxonomy) keeps the parsed combinations for later batches.
    """
    if "location_raw" not in df.columns:
        raise ValueError("parse_locations needs a 'location_raw' column")
    base = df.drop([c for c in OUTPUT_COLUMNS if c in df.columns])
    base = base.with_columns(
        [pl.lit(None, dtype=pl.String).alias(c) for c in HINT_COLUMNS if c not in base.columns]
    )
    inputs = ["location_raw", *HINT_COLUMNS]
    base = base.with_columns([pl.col(c).cast(pl.String) for c in inputs])
    # Locations repeat a lot: parse each distinct (text, hints) combination once.
    if memo is None:  # not `memo or ...`: an empty memo has len 0, which is falsy
        memo = location_memo(taxonomy)
    return base.with_columns(memo.lookup(base.select(inputs)).get_columns())


def location_memo(taxonomy: LocationTaxonomy) -> DistinctMemo:
    """Parsed locations by distinct (text, hints) combination, for ``parse_locations``."""
    inputs = ["location_raw", *HINT_COLUMNS]
    return DistinctMemo(
        inputs, lambda distinct: _parse_distinct(distinct.with_row_index(_RID), taxonomy)
    )


def _parse_distinct(base: pl.DataFrame, tax: LocationTaxonomy) -> pl.DataFrame:
    """Parse rows keyed by ``_RID``; returns the input columns plus the output columns."""
    base = base.with_columns(_text=strip_accents(pl.col("location_raw")))
    text = pl.col("_text")
    # --- remote type from text, then the structured hint wins -------------------------------
    remote_text: Any = pl.lit(None, dtype=pl.String)
    for rtype, pattern in reversed(tax.remote_patterns):
        remote_text = pl.when(text.str.contains(pattern)).then(pl.lit(rtype)).otherwise(remote_text)
    hint_map = dict(tax.remote_hint_values)
    remote_hint = (
        pl.col("remote_hint")
        .str.strip_chars()
        .str.to_lowercase()
        .replace_strict(hint_map, default=None, return_dtype=pl.String)
    )
    remote_type = pl.coalesce(remote_hint, remote_text, pl.lit("unknown"))

    # --- tokens of the first location segment ---------------------------------------------
    blanked = text
    for _, pattern in tax.remote_patterns:
        blanked = blanked.str.replace_all(pattern, ",")
    blanked = blanked.str.replace_all(r"(?i)\s+or\s+", ";")
    segment = blanked.str.extract(rf"(?:^|{_SEGMENT_SEP})([^;|\n]*[A-Za-z0-9][^;|\n]*)", 1)
    # "Austin TX" / "Sydney NSW": an upper-case 2-3 letter code ending a part is its own part.
    segment = segment.str.replace_all(_TRAILING_CODE, "$1,$2$3")
    parts = segment.str.replace_all(_PART_SEP, ",").str.split(",")

    rows = base.select(_RID, remote_type.alias("remote_type"), parts.alias("_parts"))
    long = (
        rows.select(_RID, pl.col("_parts").alias("tok"))
        .explode("tok")
        .with_columns(key=location_key(pl.col("tok"), tax.noise_patterns, accents=False))
        .filter(
            pl.col("key").is_not_null()
            & (pl.col("key") != "")
            & ~pl.col("key").is_in(list(tax.ignore_keys))
        )
        .with_columns(_idx=pl.int_range(pl.len(), dtype=pl.Int32))
        # Parts of a row are contiguous and in order: position and count without windows.
        .with_columns(
            _start=pl.when(pl.col(_RID) != pl.col(_RID).shift(1).fill_null(-1))
            .then(pl.col("_idx"))
            .forward_fill(),
            _end=pl.when(pl.col(_RID) != pl.col(_RID).shift(-1).fill_null(-1))
            .then(pl.col("_idx"))
            .backward_fill(),
        )
        .select(
            _RID,
            "tok",
            "key",
            pos=pl.col("_idx") - pl.col("_start"),
            n=pl.col("_end") - pl.col("_start") + 1,
        )
        .join(tax.strong_countries, on="key", how="left", maintain_order="left")
        .join(tax.weak_countries, on="key", how="left", maintain_order="left")
        .join(tax.cities, on="key", how="left", maintain_order="left")
        .with_columns(_is_region=pl.col("key").is_in(tax.regions.get_column("key").implode()))
    )
    reg_long = long.select(_RID, "pos", "n", "key").join(tax.regions, on="key", how="inner")

    # --- country from the parts: unambiguous names/codes first, then "…, ON, CA" codes -----
    is_last = (pl.col("pos") == pl.col("n") - 1) & (pl.col("n") >= 2)
    implied = pl.concat(
        [
            reg_long.filter(pl.col("pos") < pl.col("n") - 1).select(
                _RID, pl.col("_r_country").alias("_c_weak")
            ),
            long.filter(
                (pl.col("pos") < pl.col("n") - 1) & pl.col("_t_country").is_not_null()
            ).select(_RID, pl.col("_t_country").alias("_c_weak")),
        ]
    ).unique()
    weak_used = (
        long.filter(is_last & pl.col("_c_weak").is_not_null())
        .select(_RID, "_c_weak", pl.col("pos").alias("_weak_pos"))
        .join(implied, on=[_RID, "_c_weak"], how="semi")
    )

    at0 = pl.col("pos") == 0
    geo = pl.col("_c_strong").is_not_null() | pl.col("_c_weak").is_not_null() | pl.col("_is_region")
    later_city = (pl.col("pos") > 0) & pl.col("_t_city").is_not_null()
    # ``long`` is in (row, position) order, and group_by keeps that order within groups.
    p0 = long.filter(at0).select(
        _RID,
        "n",
        _p0_tok="tok",
        _p0_geo=geo,
        _p0_city="_t_city",
        _p0_region="_t_region",
        _p0_country="_t_country",
    )
    c_tok = (
        long.filter(pl.col("_c_strong").is_not_null())
        .group_by(_RID)
        .agg(_c_tok=pl.col("_c_strong").first())
    )
    lc = (
        long.filter(later_city)
        .group_by(_RID)
        .agg(
            _lc_pos=pl.col("pos").first(),
            _lc_city=pl.col("_t_city").first(),
            _lc_region=pl.col("_t_region").first(),
            _lc_country=pl.col("_t_country").first(),
        )
    )
    per_row = p0.join(c_tok, on=_RID, how="left").join(lc, on=_RID, how="left")
    raw_city = (pl.col("n") >= 2) & pl.col("_p0_city").is_null() & ~pl.col("_p0_geo")
    per_row = per_row.join(weak_used, on=_RID, how="left").with_columns(
        _city_pos=pl.when(pl.col("_p0_city").is_not_null() | raw_city)
        .then(pl.lit(0, dtype=pl.Int32))
        .otherwise(pl.col("_lc_pos")),
        _tc_city=pl.when(pl.col("_p0_city").is_not_null())
        .then(pl.col("_p0_city"))
        .when(raw_city)
        .then(_display(pl.col("_p0_tok")))
        .otherwise(pl.col("_lc_city")),
        _tc_region=pl.when(pl.col("_p0_city").is_not_null())
        .then(pl.col("_p0_region"))
        .when(raw_city)
        .then(None)
        .otherwise(pl.col("_lc_region")),
        _tc_country=pl.when(pl.col("_p0_city").is_not_null())
        .then(pl.col("_p0_country"))
        .when(raw_city)
        .then(None)
        .otherwise(pl.col("_lc_country")),
    )

    # --- hints ---------------------------------------------------------------------------
    hints = base.select(
        _RID,
        key_c=location_key(pl.col("country_hint"), tax.noise_patterns),
        key_r=location_key(pl.col("region_hint"), tax.noise_patterns),
        key_city=location_key(pl.col("city_hint"), tax.noise_patterns),
        _ch_raw=pl.col("country_hint").str.strip_chars(),
        _rh_raw=pl.col("region_hint").str.strip_chars(),
        _cityh_disp=_display(pl.col("city_hint")),
    )
    hints = (
        hints.join(tax.hint_countries.rename({"key": "key_c"}), on="key_c", how="left")
        .join(tax.cities.rename({"key": "key_city"}), on="key_city", how="left")
        .with_columns(
            _c_hint=pl.coalesce(
                "_c_hint",
                pl.when(pl.col("_ch_raw").str.contains(r"^[A-Za-z]{2}$")).then(
                    pl.col("_ch_raw").str.to_uppercase()
                ),
            ),
            _h_city=pl.coalesce("_t_city", "_cityh_disp"),
        )
        .rename({"_t_region": "_hc_region", "_t_country": "_hc_country"})
    )

    rows = (
        rows.drop("_parts")
        .join(per_row, on=_RID, how="left")
        .join(hints, on=_RID, how="left")
        .with_columns(_c0=pl.coalesce("_c_hint", "_c_tok", "_c_weak"))
    )

    # --- region from the parts (not the city part nor a part used as the country) ---------
    text_region = _pick_region(
        reg_long.join(
            rows.select(_RID, "_c0", "_tc_country", "_city_pos", "_weak_pos"), on=_RID, how="left"
        ).filter(
            (pl.col("pos") != pl.col("_city_pos")).fill_null(True)
            & (pl.col("pos") != pl.col("_weak_pos")).fill_null(True)
        ),
        "_c0",
        "_tc_country",
    )
    hint_region = _pick_region(
        rows.select(_RID, "key_r", "_c0", "_hc_country")
        .join(tax.regions.rename({"key": "key_r"}), on="key_r", how="inner")
        .with_columns(pos=pl.lit(0, dtype=pl.Int32)),
        "_c0",
        "_hc_country",
    ).rename({"_r_region": "_rh_region", "_r_country": "_rh_country"})

    rows = rows.join(text_region, on=_RID, how="left").join(hint_region, on=_RID, how="left")
    country = pl.coalesce("_c0", "_rh_country", "_r_country", "_hc_country", "_tc_country").alias(
        "country"
    )
    rows = rows.with_columns(country)
    region_raw_code = pl.when(pl.col("_rh_raw").str.contains(r"^[A-Za-z]{2,3}$")).then(
        pl.col("_rh_raw").str.to_uppercase()
    )
    city_region = pl.coalesce(
        pl.when(pl.col("_hc_country") == pl.col("country")).then(pl.col("_hc_region")),
        pl.when(pl.col("_tc_country") == pl.col("country")).then(pl.col("_tc_region")),
    )
    result = rows.select(
        _RID,
        pl.coalesce("_h_city", "_tc_city").alias("city"),
        pl.coalesce("_rh_region", region_raw_code, "_r_region", city_region).alias("region"),
        "country",
        "remote_type",
    )
    return base.join(result, on=_RID, how="left").drop(_RID, "_text")
