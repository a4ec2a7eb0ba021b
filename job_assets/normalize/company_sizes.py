"""Company-size bins: map Glassdoor-style size strings and size categories to fixed labels.

Pure polars expressions driven by ``taxonomy_config/company_sizes.yml``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import polars as pl
import yaml

from job_assets.settings import get_paths
from job_assets.taxonomy import TaxonomyError, parse_yaml

COMPANY_SIZES_FILE = "company_sizes.yml"
T = TypeVar("T", pl.Expr, pl.Series)


@dataclass(frozen=True)
class SizeBin:
    label: str
    min: int
    max: int | None  # None: open-ended
    category: str


@dataclass(frozen=True)
class CompanySizeTaxonomy:
    """Ordered bins (small to large) plus explicit string and category mappings."""

    version: str
    bins: tuple[SizeBin, ...]
    size_strings: tuple[tuple[str, str], ...]  # normalized size string -> bin label
    categories: tuple[tuple[str, str], ...]  # normalized category -> coarse category
    unknown_label: str

    @property
    def labels(self) -> tuple[str, ...]:
        """Bin labels small to large, then the unknown label (a sort order for reports)."""
        return (*(b.label for b in self.bins), self.unknown_label)


def load_company_sizes(path: str | Path | None = None) -> CompanySizeTaxonomy:
    """Load ``company_sizes.yml`` (default: the configured taxonomy dir) and validate the bins."""
    p = Path(path) if path is not None else get_paths().taxonomy_dir / COMPANY_SIZES_FILE
    if not p.exists():
        raise TaxonomyError(f"taxonomy file not found: {p}")
    raw = p.read_bytes()
    try:
        data = parse_yaml(raw) or {}
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"{p.name}: invalid YAML: {exc}") from exc
    unknown = str(data.get("unknown_label") or "unknown")
    bins: list[SizeBin] = []
    prev_max = 0
    for i, b in enumerate(data.get("bins") or []):
        lo, hi = b.get("min"), b.get("max")
        if not isinstance(lo, int) or (hi is not None and not isinstance(hi, int)):
            raise TaxonomyError(f"{p.name}: bin #{i} needs integer min and integer/null max")
        if prev_max is None or lo != prev_max + 1 or (hi is not None and hi < lo):
            raise TaxonomyError(f"{p.name}: bin #{i} ({b.get('label')}) is not contiguous/ordered")
        bins.append(SizeBin(str(b["label"]), lo, hi, str(b.get("category") or unknown)))
        prev_max = hi
    if not bins:
        raise TaxonomyError(f"{p.name}: no bins defined")
    valid = {b.label for b in bins} | {unknown}
    strings = []
    for k, v in (data.get("size_strings") or {}).items():
        if str(v) not in valid:
            raise TaxonomyError(f"{p.name}: size_strings maps {k!r} to unknown bin {v!r}")
        strings.append((_norm_py(str(k)), str(v)))
    cats = tuple((_cat_py(str(k)), str(v)) for k, v in (data.get("categories") or {}).items())
    return CompanySizeTaxonomy(
        version=hashlib.sha256(raw).hexdigest()[:12],
        bins=tuple(bins),
        size_strings=tuple(strings),
        categories=cats,
        unknown_label=unknown,
    )


def _norm_py(s: str) -> str:
    return " ".join(s.lower().replace(",", "").replace(".", "").split())


def _cat_py(s: str) -> str:
    return "_".join(s.upper().replace("-", " ").split())


def _apply(x: T, build: Any) -> T:
    if isinstance(x, pl.Series):
        return x.to_frame("x").select(build(pl.col("x").cast(pl.String))).to_series().alias(x.name)
    return build(x.cast(pl.String))


def size_bin(x: T, taxonomy: CompanySizeTaxonomy | None = None) -> T:
    """Bin label for a size string ("51 to 200 Employees" -> "51-200", null -> "unknown").

    Accepts an expression (returns an expression) or a Series (returns a Series)."""
    tax = taxonomy or load_company_sizes()

    def build(e: pl.Expr) -> pl.Expr:
        norm = (
            e.str.to_lowercase()
            .str.replace_all(r"[,.]", "")
            .str.replace_all(r"\s+", " ")
            .str.strip_chars()
        )
        explicit = norm.replace_strict(dict(tax.size_strings), default=None, return_dtype=pl.String)
        upper = norm.str.extract(r"(\d+)\s*(?:to|-|–|—)\s*(\d+)", 2).cast(pl.Int64)
        plus = norm.str.extract(r"(\d+)\s*\+", 1).cast(pl.Int64) + 1
        single = norm.str.extract(r"^(\d+)(?: employees?)?$", 1).cast(pl.Int64)
        n = pl.coalesce(upper, plus, single)
        binned: Any = pl.lit(None, dtype=pl.String)
        for b in reversed(tax.bins):
            inside = n >= b.min if b.max is None else n.is_between(b.min, b.max)
            binned = pl.when(inside).then(pl.lit(b.label)).otherwise(binned)
        return pl.coalesce(explicit, binned, pl.lit(tax.unknown_label))

    return _apply(x, build)


def size_category(x: T, taxonomy: CompanySizeTaxonomy | None = None) -> T:
    """Coarse category (small|medium|large|enterprise|unknown) of a Glassdoor
    ``company_size_category`` value such as "SMALL_TO_MEDIUM"."""
    tax = taxonomy or load_company_sizes()

    def build(e: pl.Expr) -> pl.Expr:
        key = e.str.to_uppercase().str.replace_all(r"[\s\-]+", "_").str.strip_chars("_")
        mapped = key.replace_strict(dict(tax.categories), default=None, return_dtype=pl.String)
        return mapped.fill_null(tax.unknown_label)

    return _apply(x, build)


def bin_category(x: T, taxonomy: CompanySizeTaxonomy | None = None) -> T:
    """Coarse category of a bin label ("51-200" -> "small"), same vocabulary as
    :func:`size_category`; labels not in the taxonomy give the unknown label."""
    tax = taxonomy or load_company_sizes()
    mapping = {b.label: b.category for b in tax.bins}

    def build(e: pl.Expr) -> pl.Expr:
        return e.replace_strict(mapping, default=tax.unknown_label, return_dtype=pl.String)

    return _apply(x, build)
