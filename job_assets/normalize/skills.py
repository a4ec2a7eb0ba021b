"""Skills taxonomy loading and vectorized skill extraction from posting text.

Matching runs one Aho-Corasick pass (polars ``str.find_many`` / ``str.extract_many``, ASCII
case-insensitive, overlapping) over the original text for every alias and stop phrase at once.
The explode of the matches is then filtered with polars expressions only:

* exact-case aliases (``Go``, ``R``, ``Spark``) must match the text byte for byte;
* token boundaries: the character before and after a match must not be a letter or a digit
  (non-ASCII letters such as ``é`` count as letters, punctuation such as ``•`` does not);
* containment: a match lying inside a longer accepted match or inside a stop-phrase occurrence
  is dropped, so ``Node.js`` does not also yield JavaScript and ``Series C`` yields no C.

Pure module: no Dagster import.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import polars as pl
import yaml

from job_assets.settings import get_paths

SKILL_CATEGORIES: tuple[str, ...] = (
    "languages",
    "frameworks",
    "data",
    "databases",
    "cloud",
    "devops",
    "ml",
    "security",
    "mobile",
    "testing",
    "tools",
    "business",
    "soft",
)

_SKILLS_FILE = "skills.yml"
_SHORT_EXACT = 3  # exact-case aliases this short get a case-sensitive pass of their own


@dataclass(frozen=True)
class SkillTaxonomy:
    """The skills taxonomy in force.

    ``aliases`` maps a match key to its canonical name: the lower-cased alias for
    case-insensitive aliases, the alias verbatim for those in ``case_sensitive``.
    Canonical names are aliases of themselves.
    """

    names: tuple[str, ...]
    categories: Mapping[str, str]
    aliases: Mapping[str, str]
    case_sensitive: frozenset[str]
    stop_phrases: tuple[str, ...]
    version: str


def _alias_entries(skill: dict[str, Any], name: str) -> list[tuple[str, bool]]:
    """``(alias, case_sensitive)`` pairs for one skill, its canonical name included."""
    default_cs = bool(skill.get("case_sensitive", False))
    entries: list[tuple[str, bool]] = [(name, default_cs)]
    for raw in skill.get("aliases") or []:
        if isinstance(raw, dict):
            alias = raw.get("alias")
            cs = bool(raw.get("case_sensitive", default_cs))
        else:
            alias, cs = raw, default_cs
        if not isinstance(alias, str) or not alias.strip():
            raise ValueError(f"skill {name!r}: empty or non-string alias {raw!r}")
        entries.append((alias.strip(), cs))
    return entries


def _parse_taxonomy(data: Any, version: str) -> SkillTaxonomy:
    if not isinstance(data, dict) or not isinstance(data.get("skills"), list):
        raise ValueError("skills.yml: expected a mapping with a 'skills' list")
    categories: dict[str, str] = {}
    folded: dict[str, str] = {}  # lower alias -> canonical
    exact: dict[str, str] = {}  # exact alias -> canonical
    exact_owner: dict[str, str] = {}  # lower of an exact alias -> canonical
    for skill in data["skills"]:
        if not isinstance(skill, dict) or not isinstance(skill.get("name"), str):
            raise ValueError(f"skills.yml: malformed skill entry {skill!r}")
        name = skill["name"].strip()
        category = skill.get("category")
        if category not in SKILL_CATEGORIES:
            raise ValueError(f"skill {name!r}: unknown category {category!r}")
        if name in categories:
            raise ValueError(f"duplicate skill name {name!r}")
        categories[name] = category
        for alias, cs in _alias_entries(skill, name):
            low = alias.lower()
            other = folded.get(low) or exact_owner.get(low)
            if other is not None and other != name:
                raise ValueError(
                    f"alias {alias!r} appears under two skills: {other!r} and {name!r}"
                )
            if cs:
                if low not in folded:
                    exact[alias] = name
                    exact_owner[low] = name
            else:
                folded[low] = name
                for key in [k for k in exact if k.lower() == low]:
                    del exact[key]  # the folded alias already covers every casing
    stops: list[str] = []
    for phrase in data.get("stop_phrases") or []:
        if not isinstance(phrase, str) or not phrase.strip():
            raise ValueError(f"skills.yml: bad stop phrase {phrase!r}")
        low = phrase.strip().lower()
        owner = folded.get(low) or exact_owner.get(low)
        if owner is not None:
            raise ValueError(f"stop phrase {phrase!r} equals an alias of skill {owner!r}")
        stops.append(phrase.strip())
    aliases = {**folded, **exact}
    return SkillTaxonomy(
        names=tuple(sorted(categories)),
        categories=MappingProxyType(dict(sorted(categories.items()))),
        aliases=MappingProxyType(aliases),
        case_sensitive=frozenset(exact),
        stop_phrases=tuple(dict.fromkeys(stops)),
        version=version,
    )


def load_skill_taxonomy(path: Path | None = None) -> SkillTaxonomy:
    """Load and validate ``skills.yml`` (default: the configured taxonomy directory).

    Raises ``ValueError`` on a malformed file, an unknown category, a duplicate skill name, an
    alias shared by two skills (the message names both) or a stop phrase equal to an alias.
    """
    path = path or get_paths().taxonomy_dir / _SKILLS_FILE
    raw = path.read_bytes()
    version = hashlib.sha256(raw).hexdigest()[:12]
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise ValueError(f"{path.name}: invalid YAML: {exc}") from exc
    return _parse_taxonomy(data, version)


def skill_categories(taxonomy: SkillTaxonomy) -> pl.DataFrame:
    """One row per canonical skill: ``skill``, ``category`` (the dim_skills seed)."""
    return pl.DataFrame(
        {
            "skill": list(taxonomy.names),
            "category": [taxonomy.categories[n] for n in taxonomy.names],
        },
        schema={"skill": pl.String, "category": pl.String},
    )


def _is_ascii_word(byte: pl.Expr) -> pl.Expr:
    return (byte.is_between(48, 57) | byte.is_between(65, 90) | byte.is_between(97, 122)).fill_null(
        False
    )


def _is_lead_of_letter(byte: pl.Expr) -> pl.Expr:
    # Lead bytes 0xC3..0xDF start two-byte characters U+00C0..U+07FF: Latin-1 letters,
    # Latin Extended, Greek, Cyrillic, Hebrew, Arabic. 0xC2 (nbsp, ©, ®, °) is punctuation;
    # three- and four-byte characters (dashes, bullets, quotes, CJK) count as boundaries.
    return byte.is_between(0xC3, 0xDF).fill_null(False)


def _hits(
    found: pl.DataFrame, start_col: str, hit_col: str, table: pl.DataFrame, *, folded: bool
) -> pl.LazyFrame:
    """Explode one pass's matches to (rid, s, e, stop, skill, bounded) rows.

    ``table`` has one row per pattern (``pattern``, ``skill``, ``stop``, ``exact``, ``core``):
    the folded pass looks hits up lower-cased and requires the hit to be one of ``exact``
    where that is set; the exact pass looks hits up verbatim. ``core`` is the alias length
    (exact-pass patterns may carry one trailing delimiter byte).
    """
    hits = (
        found.lazy()
        .select("rid", "text", pl.col(start_col).alias("s"), pl.col(hit_col).alias("hit"))
        .filter(pl.col("s").list.len() > 0)
        .explode(["s", "hit"])
    )
    ids = dict(zip(table["pattern"], range(table.height), strict=True))
    hit = pl.col("hit")
    key = hit.str.to_lowercase() if folded else hit
    hits = hits.with_columns(pid=key.replace_strict(ids, default=None, return_dtype=pl.UInt32))
    pid = pl.col("pid")

    def column(name: str) -> pl.Expr:
        return pl.lit(table[name]).gather(pid)

    exact = column("exact")
    skill = pl.when(exact.is_null() | exact.list.contains(hit)).then(column("skill"))
    start = pl.col("s").cast(pl.Int64)
    end = start + column("core").cast(pl.Int64)
    raw = pl.col("text").cast(pl.Binary)
    before1 = raw.bin.get(pl.when(start >= 1).then(start - 1), null_on_oob=True)
    before2 = raw.bin.get(pl.when(start >= 2).then(start - 2), null_on_oob=True)
    after = raw.bin.get(end, null_on_oob=True)
    word_before = _is_ascii_word(before1) | (
        before1.is_between(0x80, 0xBF).fill_null(False) & _is_lead_of_letter(before2)
    )
    word_after = _is_ascii_word(after) | _is_lead_of_letter(after)
    return hits.filter(pid.is_not_null()).select(
        "rid",
        start.alias("s"),
        end.alias("e"),
        column("stop").alias("stop"),
        skill.alias("skill"),
        (~word_before & ~word_after).alias("bounded"),
    )


def _match_frame(batch: pl.Series, plan: _MatchPlan) -> pl.DataFrame:
    """Accepted (rid, sorted skill list) rows for one batch of texts."""
    text = pl.col("text")
    passes: list[pl.Expr] = []
    if plan.folded_patterns:
        opts = {"ascii_case_insensitive": True, "overlapping": True}
        passes += [
            text.str.find_many(plan.folded_patterns, **opts).alias("s_ci"),
            text.str.extract_many(plan.folded_patterns, **opts).alias("h_ci"),
        ]
    if plan.exact_patterns:
        # Leftmost-first over few patterns lets Aho-Corasick use its fast prefilter. The
        # trailing space lets a one-letter alias with a delimiter match at the very end.
        padded = pl.concat_str([text, pl.lit(" ")])
        passes += [
            padded.str.find_many(plan.exact_patterns, leftmost=True).alias("s_cs"),
            padded.str.extract_many(plan.exact_patterns, leftmost=True).alias("h_cs"),
        ]
    found = pl.DataFrame({"text": batch}).with_row_index("rid").with_columns(passes)
    frames = []
    if plan.folded_patterns:
        frames.append(_hits(found, "s_ci", "h_ci", plan.folded_table, folded=True))
    if plan.exact_patterns:
        frames.append(_hits(found, "s_cs", "h_cs", plan.exact_table, folded=False))
    matches = (
        pl.concat(frames)
        .filter(pl.col("stop") | (pl.col("skill").is_not_null() & pl.col("bounded")))
        .sort(["rid", "s", "e", "stop"], descending=[False, False, True, True])
    )
    # Containment: rows are ordered by start, longest first, stop phrases first on ties, so a
    # match is covered iff an earlier match in the same row ends at or after its end. The row id
    # in the high bits keeps the running maximum from leaking across rows.
    span_key = pl.col("rid").cast(pl.UInt64) * (1 << 32) + pl.col("e").cast(pl.UInt64)
    covered = (span_key.cum_max().shift(1) >= span_key).fill_null(False)
    return (
        matches.filter(~pl.col("stop") & ~covered)
        .group_by("rid")
        .agg(pl.col("skill").unique().sort())
        .collect()
    )


# Bytes that may follow a one-letter exact-case alias (``C``, ``R``) in the exact pass. Letting
# the bare letter into Aho-Corasick would report every capitalised word starting with it.
_ONE_LETTER_FOLLOWERS = tuple(" \t\n\r,.;:!?/)]}'\"+#-&|*")


@dataclass(frozen=True)
class _MatchPlan:
    """Aho-Corasick pattern sets and lookup maps derived from a taxonomy.

    The folded pass (ASCII case-insensitive, overlapping) carries every alias and stop phrase
    except short exact-case aliases; exact-case aliases in it are checked afterwards against
    the matched text. Short exact-case aliases (``C``, ``R``, ``Go``, ``AI``) would match inside
    countless ordinary words when folded, so they get a case-sensitive pass of their own.
    """

    folded_patterns: list[str]
    folded_table: pl.DataFrame
    exact_patterns: list[str]
    exact_table: pl.DataFrame

    @classmethod
    def of(cls, taxonomy: SkillTaxonomy) -> _MatchPlan:
        def short(alias: str) -> bool:
            return len(alias) <= _SHORT_EXACT and not alias[0].islower()

        cs = taxonomy.case_sensitive
        # folded pass: lower-cased pattern -> (skill, stop, exact forms or None, byte length)
        folded: dict[str, tuple[str | None, bool, list[str] | None, int]] = {}
        for alias, skill in sorted(taxonomy.aliases.items()):
            if alias in cs and short(alias):
                continue
            low = alias.lower()
            if alias not in cs:
                folded[low] = (skill, False, None, len(low.encode()))
            else:  # several casings of one exact-case alias share the folded pattern
                forms = (folded[low][2] or []) if low in folded else []
                folded[low] = (skill, False, [*forms, alias], len(low.encode()))
        for phrase in taxonomy.stop_phrases:
            low = phrase.lower()
            folded.setdefault(low, (None, True, None, len(low.encode())))
        exact: dict[str, tuple[str | None, bool, list[str] | None, int]] = {}
        for alias in (a for a in cs if short(a)):
            size = len(alias.encode())
            followers = _ONE_LETTER_FOLLOWERS if len(alias) == 1 else ("",)
            for follower in followers:
                exact[alias + follower] = (taxonomy.aliases[alias], False, None, size)
        return cls(
            folded_patterns=sorted(folded),
            folded_table=_table(folded),
            # leftmost-first takes the first listed pattern: longest first
            exact_patterns=sorted(exact, key=lambda k: (-len(k), k)),
            exact_table=_table(exact),
        )


def _table(rows: dict[str, tuple[str | None, bool, list[str] | None, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        [(pattern, *row) for pattern, row in sorted(rows.items())],
        schema={
            "pattern": pl.String,
            "skill": pl.String,
            "stop": pl.Boolean,
            "exact": pl.List(pl.String),
            "core": pl.Int64,
        },
        orient="row",
    )


def extract_skills(
    texts: pl.Series, taxonomy: SkillTaxonomy, batch_size: int = 50_000
) -> pl.Series:
    """Canonical skills per text: a ``List(String)`` series aligned with ``texts``.

    Each row is sorted and unique; a null or empty text gives an empty list. Texts are
    processed ``batch_size`` rows at a time to bound the memory of the exploded matches.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    texts = texts.cast(pl.String)
    plan = _MatchPlan.of(taxonomy)
    parts: list[pl.Series] = []
    for offset in range(0, len(texts), batch_size):
        batch = texts.slice(offset, batch_size)
        rows = pl.DataFrame({"rid": pl.arange(0, len(batch), eager=True, dtype=pl.UInt32)})
        if plan.folded_patterns or plan.exact_patterns:
            hits = _match_frame(batch, plan)
            rows = rows.join(hits, on="rid", how="left", maintain_order="left")
        else:
            rows = rows.with_columns(skill=pl.lit(None, dtype=pl.List(pl.String)))
        parts.append(rows.get_column("skill").fill_null(pl.lit([], dtype=pl.List(pl.String))))
    if not parts:
        return pl.Series("skills", [], dtype=pl.List(pl.String))
    return pl.concat(parts, rechunk=True).alias("skills")
