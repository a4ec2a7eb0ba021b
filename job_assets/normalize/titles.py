"""Job-title enrichment: a tidy ``title_std``, a ``title_family`` and a ``seniority`` level.

Rules live in ``taxonomy_config/titles.yml`` and ``seniority.yml``. Classification is a chain
of polars regex expressions built once per taxonomy (a loop over families and rules, never
over postings), evaluated on the distinct titles only and joined back.
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

TITLES_FILE = "titles.yml"
SENIORITY_FILE = "seniority.yml"
OTHER_FAMILY = "other"


@dataclass(frozen=True)
class TitleFamily:
    key: str
    include: str  # combined case-insensitive regex
    exclude: str | None


@dataclass(frozen=True)
class StdRule:
    pattern: str
    replace: str
    unless: str | None


@dataclass(frozen=True)
class TitleTaxonomy:
    """Families in priority order plus the ``title_std`` rewrite rules."""

    version: str
    families: tuple[TitleFamily, ...]
    std_rules: tuple[StdRule, ...]
    small_words: tuple[str, ...]
    preserve_case: tuple[tuple[str, str], ...]  # (lowercase word, canonical spelling)

    @property
    def family_keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.families)


@dataclass(frozen=True)
class SeniorityRule:
    level: str
    include: str
    exclude: str | None


@dataclass(frozen=True)
class SeniorityTaxonomy:
    """Ordered seniority rules; the first match wins, else ``default``."""

    version: str
    levels: tuple[str, ...]
    rules: tuple[SeniorityRule, ...]
    default: str

    def rank(self, level: str) -> int:
        """Position of ``level`` in ``levels`` (junior to senior-most); -1 when unknown."""
        return self.levels.index(level) if level in self.levels else -1


def _read(path: str | Path | None, name: str) -> tuple[Path, Any, str]:
    p = Path(path) if path is not None else get_paths().taxonomy_dir / name
    if not p.exists():
        raise TaxonomyError(f"taxonomy file not found: {p}")
    raw = p.read_bytes()
    try:
        data = parse_yaml(raw) or {}
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"{p.name}: invalid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise TaxonomyError(f"{p.name}: expected a mapping at the top level")
    return p, data, hashlib.sha256(raw).hexdigest()[:12]


def _combine(patterns: Any, where: str, p: Path, subs: dict[str, str] | None = None) -> str | None:
    """Join a list of regexes into one case-insensitive alternation; validate each one."""
    if patterns is None:
        return None
    if isinstance(patterns, str):
        patterns = [patterns]
    out = []
    for pat in patterns:
        if not isinstance(pat, str) or not pat:
            raise TaxonomyError(f"{p.name}: {where}: pattern must be a non-empty string")
        for name, value in (subs or {}).items():
            pat = pat.replace("{" + name + "}", value)
        try:  # compile with the engine that will run it (Rust regex: no look-around)
            pl.Series([""], dtype=pl.String).str.contains(pat)
        except pl.exceptions.ComputeError as exc:
            raise TaxonomyError(f"{p.name}: {where}: bad regex {pat!r}: {exc}") from exc
        out.append(f"(?:{pat})")
    return "(?i)" + "|".join(out) if out else None


def load_title_taxonomy(path: str | Path | None = None) -> TitleTaxonomy:
    """Load ``titles.yml`` (default: the configured taxonomy dir)."""
    p, data, version = _read(path, TITLES_FILE)
    families = []
    seen: set[str] = set()
    for i, fam in enumerate(data.get("families") or []):
        key = fam.get("key")
        if not isinstance(key, str) or not key or key in seen or key == OTHER_FAMILY:
            raise TaxonomyError(f"{p.name}: family #{i} has a missing, reserved or repeated key")
        seen.add(key)
        include = _combine(fam.get("include"), f"family {key} include", p)
        if include is None:
            raise TaxonomyError(f"{p.name}: family {key} has no include patterns")
        families.append(TitleFamily(key, include, _combine(fam.get("exclude"), key, p)))
    if not families:
        raise TaxonomyError(f"{p.name}: no families defined")

    std = data.get("standard_titles") or {}
    rules = []
    for i, rule in enumerate(std.get("rules") or []):
        pat = _combine(rule.get("pattern"), f"standard_titles rule #{i}", p)
        if pat is None:
            raise TaxonomyError(f"{p.name}: standard_titles rule #{i} has no pattern")
        unless = _combine(rule.get("unless"), f"standard_titles rule #{i} unless", p)
        rules.append(StdRule(pat, str(rule.get("replace") or ""), unless))
    preserve = tuple((str(w).lower(), str(w)) for w in std.get("preserve_case") or [])
    small = tuple(str(w).lower() for w in std.get("small_words") or [])
    return TitleTaxonomy(version, tuple(families), tuple(rules), small, preserve)


def load_seniority(path: str | Path | None = None) -> SeniorityTaxonomy:
    """Load ``seniority.yml`` (default: the configured taxonomy dir)."""
    p, data, version = _read(path, SENIORITY_FILE)
    levels = tuple(str(x) for x in data.get("levels") or [])
    default = str(data.get("default") or "unknown")
    subs = {str(k): str(v) for k, v in (data.get("vars") or {}).items()}
    rules = []
    for i, rule in enumerate(data.get("rules") or []):
        level = rule.get("level")
        if level not in levels:
            raise TaxonomyError(f"{p.name}: rule #{i} uses level {level!r} not in levels")
        include = _combine(rule.get("include"), f"rule #{i} ({level})", p, subs)
        if include is None:
            raise TaxonomyError(f"{p.name}: rule #{i} ({level}) has no include patterns")
        exclude = _combine(rule.get("exclude"), f"rule #{i} ({level}) exclude", p, subs)
        rules.append(SeniorityRule(str(level), include, exclude))
    if not rules:
        raise TaxonomyError(f"{p.name}: no rules defined")
    return SeniorityTaxonomy(version, levels, tuple(rules), default)


def _match_text(expr: pl.Expr) -> pl.Expr:
    """The text patterns see: accents stripped, lowercased, "&" spelled out, spaces collapsed."""
    return (
        expr.str.normalize("NFKD")
        .str.replace_all(r"\p{M}", "")
        .str.to_lowercase()
        .str.replace_all("&", " and ", literal=True)
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )


def _hit(text: pl.Expr, include: str, exclude: str | None) -> pl.Expr:
    hit = text.str.contains(include)
    return hit & ~text.str.contains(exclude) if exclude else hit


def family_expr(text: pl.Expr, tax: TitleTaxonomy) -> pl.Expr:
    """First family (in priority order) whose include matches and exclude does not."""
    out: Any = pl.lit(OTHER_FAMILY)
    for fam in reversed(tax.families):
        out = pl.when(_hit(text, fam.include, fam.exclude)).then(pl.lit(fam.key)).otherwise(out)
    return out.fill_null(OTHER_FAMILY)


def seniority_expr(text: pl.Expr, tax: SeniorityTaxonomy) -> pl.Expr:
    """First seniority rule that matches, else the default level."""
    out: Any = pl.lit(tax.default)
    for rule in reversed(tax.rules):
        out = (
            pl.when(_hit(text, rule.include, rule.exclude)).then(pl.lit(rule.level)).otherwise(out)
        )
    return out.fill_null(tax.default)


def title_std_expr(title: pl.Expr, tax: TitleTaxonomy) -> pl.Expr:
    """Tidy display title: rules applied, then title-cased with acronyms and small words fixed."""
    t = title.str.normalize("NFKD").str.replace_all(r"\p{M}", "").str.replace_all(r"\s+", " ")
    for rule in tax.std_rules:
        replaced = t.str.replace_all(rule.pattern, rule.replace)
        t = (
            pl.when(t.str.contains(rule.unless)).then(t).otherwise(replaced)
            if rule.unless
            else replaced
        )
    t = t.str.replace_all(r"\s+", " ").str.strip_chars(" ,;:|/-–—")
    preserve = dict(tax.preserve_case)
    w = pl.element()
    core = w.str.strip_chars_end(",.;:")
    trail = w.str.extract(r"([,.;:]+)$").fill_null("")
    key = core.str.to_lowercase()
    fixed = key.replace_strict(preserve, default=None, return_dtype=pl.String) if preserve else None
    small = key.is_in(list(tax.small_words)) & (pl.int_range(pl.len()) > 0)
    word: Any = pl.when(small).then(key + trail).otherwise(w)
    if fixed is not None:
        word = pl.when(fixed.is_not_null()).then(fixed + trail).otherwise(word)
    titled = t.str.to_titlecase().str.split(" ").list.eval(word).list.join(" ")
    return pl.when(titled.str.len_chars() > 0).then(titled)


def classify_titles(
    titles: pl.Series, titles_tax: TitleTaxonomy, seniority_tax: SeniorityTaxonomy
) -> pl.DataFrame:
    """Row-aligned frame with ``title_std`` (null for empty titles), ``title_family`` (a family
    key or "other") and ``seniority`` (a level or the default "unknown")."""
    memo = DistinctMemo(
        "title", lambda distinct: classify_distinct_titles(distinct, titles_tax, seniority_tax)
    )
    return memo.lookup(titles.cast(pl.String))


def classify_distinct_titles(
    titles: pl.DataFrame, titles_tax: TitleTaxonomy, seniority_tax: SeniorityTaxonomy
) -> pl.DataFrame:
    """``titles`` (a ``title`` column of distinct values) with ``title_std``, ``title_family``
    and ``seniority`` added."""
    # Family and seniority read the whole title (parentheticals included), title_std the tidy one.
    return (
        titles.with_columns(_text=_match_text(pl.col("title")))
        .with_columns(
            title_std=title_std_expr(pl.col("title"), titles_tax),
            title_family=family_expr(pl.col("_text"), titles_tax),
            seniority=seniority_expr(pl.col("_text"), seniority_tax),
        )
        .drop("_text")
    )
