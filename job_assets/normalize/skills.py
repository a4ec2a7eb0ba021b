"""Skills taxonomy loading and vectorized skill extraction from posting text.

Matching works on tokens. Each text is boundary-normalized with two polars string passes (one
regex, one literal): every character that is not an ASCII letter or digit, a letter-range
character (U+00C0..U+07FF: Latin-1 letters, Latin Extended, Greek, Cyrillic, Hebrew, Arabic),
``+``, ``#``, ``.`` or ``°`` is a separator, as is a run of dots before a separator or the end of
the text (a sentence end), so ``Node.js``, ``.NET``, ``ASP.NET`` and ``example.net`` stay single
tokens. Tokens end up separated by exactly two spaces, or by four or more after clause
punctuation (``, ; : ( ) ! ?``, bullets, quotes), and the text is padded with spaces on each
side. Every alias and stop phrase goes through the same normalization, so ``CI/CD`` matches
``ci cd`` and ``scikit-learn`` matches ``scikit learn``, while ``Spark, SQL`` does not match the
alias ``Spark SQL``.

One Aho-Corasick pass (``str.extract_many``, ASCII case-insensitive, leftmost-first with the
longest patterns listed first, non-overlapping) then finds ``" alias "`` patterns: the spaces are
the token boundaries, and the doubled separator lets adjacent tokens both match. Leftmost-longest
matching gives containment for free: ``React Native`` hides ``React``, ``PL/SQL`` hides ``SQL``,
``Series C`` (a stop phrase, mapped to no skill) hides ``C``. Of two partly overlapping matches
only the one starting first is kept. The matched text keeps its original case, so exact-case
aliases (``Go``, ``R``, ``Spark``) are checked against it afterwards.

Stop phrases must start on a token boundary; a stop phrase whose last token has three or more
characters or is all digits also covers longer words starting with it (``C-level`` covers
``C-levels``, ``Spring 20`` covers ``Spring 2024``), a shorter last token must be a whole token
(``Series C`` does not cover the ``C`` of ``Series C++``, ``go-to`` does not cover ``Go tools``).

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
from job_assets.taxonomy import parse_yaml

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
        data = parse_yaml(raw)
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


# Token characters: ASCII letters and digits, U+00C0..U+07FF, "+", "#", "." and "°" (so "25°C" is
# one token). A run of dots followed by a separator or the end of the text is a sentence end.
_TOKEN = r"0-9A-Za-z+#.°\x{C0}-\x{7FF}"
# Clause punctuation: "Spark, SQL" must not match the alias "Spark SQL".
_HARD = r",;:()\[\]{}!?|\"*•·…“”▪●◦►"
_SOFT = rf"[^{_TOKEN}{_HARD} ]|\.+(?:[^{_TOKEN}]|$)"
# A run of soft separators with the spaces around it, or of spaces, becomes one space; a run of
# clause punctuation becomes one space and keeps the spaces around it, so that "Spark, SQL" ends
# up with two or more spaces between its tokens (four or more once doubled).
_SEPARATOR_RUN = rf"[{_HARD}]+|(?: *(?:{_SOFT}))+ *|  +"
_PREFIX_TAIL = 3  # a stop phrase whose last token is at least this long also covers longer words


def _normalize(parts: list[pl.Expr]) -> pl.Expr:
    """Boundary-normalized text: tokens separated by two spaces (more after clause punctuation).

    ``parts`` (say a title and a description) are joined by line breaks, a null taken as empty,
    and padded with a space on each side, in one copy. One regex pass then rewrites the
    separators (a run with the padding in it becomes one space, which the padding also is
    otherwise); a literal pass, far cheaper per match than a regex, doubles every space.
    """
    pieces: list[pl.Expr] = [pl.lit(" ")]
    for i, part in enumerate(parts):
        pieces += [pl.lit("\n")] if i else []
        pieces.append(part.fill_null(""))
    padded = pl.concat_str([*pieces, pl.lit(" ")])
    return padded.str.replace_all(_SEPARATOR_RUN, " ").str.replace_all(" ", "  ", literal=True)


def _normalize_phrases(phrases: list[str]) -> list[str]:
    """Each phrase normalized like a text, without its padding (may be empty)."""
    frame = pl.DataFrame({"p": phrases}, schema={"p": pl.String})
    return frame.select(_normalize([pl.col("p")]).str.strip_chars(" ")).to_series().to_list()


@dataclass(frozen=True)
class _MatchPlan:
    """Aho-Corasick patterns and lookup maps derived from a taxonomy.

    ``patterns`` is ordered longest first (leftmost-first then means leftmost-longest).
    ``folded`` maps a lower-cased hit of a case-insensitive alias to its skill, ``exact`` maps a
    verbatim hit of an exact-case alias to its skill; stop-phrase hits are in neither map.
    """

    patterns: list[str]
    folded: dict[str, str]
    exact: dict[str, str]

    @classmethod
    def of(cls, taxonomy: SkillTaxonomy) -> _MatchPlan:
        items = sorted(taxonomy.aliases.items())
        normalized = _normalize_phrases([alias for alias, _ in items])
        folded: dict[str, str] = {}
        exact: dict[str, str] = {}
        # case-insensitive aliases first: they cover every casing of an exact-case alias
        # that normalizes to the same pattern (``dbt-core`` and ``dbt Core``)
        for cs_pass in (False, True):
            for (alias, skill), norm in zip(items, normalized, strict=True):
                if (alias in taxonomy.case_sensitive) != cs_pass or not norm:
                    continue
                pattern = f" {norm} "
                low = pattern.lower()
                if cs_pass:
                    if low not in folded:
                        exact.setdefault(pattern, skill)
                else:
                    folded.setdefault(low, skill)
        stops: set[str] = set()
        for norm in _normalize_phrases(list(taxonomy.stop_phrases)):
            if not norm:
                continue
            low = norm.lower()
            last = low.rsplit(" ", 1)[-1]
            lead = " " if low[0].isalnum() else ""
            tail = "" if len(last) >= _PREFIX_TAIL or last.isdigit() else " "
            stops.add(f"{lead}{low}{tail}")
        aliases = set(folded) | {p.lower() for p in exact}
        patterns = aliases | (stops - aliases)
        return cls(
            patterns=sorted(patterns, key=lambda p: (-len(p), p)),
            folded=folded,
            exact=exact,
        )

    def skills(self, texts: pl.LazyFrame, parts: list[str], names: pl.Enum) -> pl.LazyFrame:
        """One ``skills`` row per row of ``texts`` (the text columns ``parts``, joined by line
        breaks, and ``exclude``), in order.

        Hits are mapped to skills once per distinct hit string, not once per hit; skills are
        carried as an Enum over the sorted names so that sorting them is an integer sort. A
        row's ``exclude`` skill, if any, is left out of its list.
        """
        hits = (
            texts.select(
                _normalize([pl.col(part) for part in parts])
                .str.extract_many(self.patterns, ascii_case_insensitive=True, leftmost=True)
                .alias("hit"),
                pl.col("exclude").cast(names, strict=False),
            )
            .with_row_index("rid")
            .explode("hit", empty_as_null=True, keep_nulls=True)
        )
        hit, skill = pl.col("hit"), pl.col("skill")
        distinct = (
            hits.select(hit.unique())
            .drop_nulls()
            .select(
                "hit",
                pl.coalesce(
                    hit.str.to_lowercase().replace_strict(self.folded, default=None),
                    hit.replace_strict(self.exact, default=None, return_dtype=pl.String),
                )
                .cast(names)
                .alias("skill"),
            )
        )
        return (
            hits.join(distinct, on="hit", how="left", maintain_order="left")
            .group_by("rid", maintain_order=True)
            .agg(
                skill.filter(skill.is_not_null() & skill.ne_missing(pl.col("exclude")))
                .unique()
                .sort()
            )
            .select(skill.cast(pl.List(pl.String)).alias("skills"))
        )


_SPLITS = 2  # each batch is evaluated as this many lazy frames in parallel (collect_all)
_MIN_SPLIT_ROWS = 2_000  # smaller batches are not split: each part builds its own automaton


def extract_skills(
    texts: pl.Series | pl.DataFrame,
    taxonomy: SkillTaxonomy,
    batch_size: int = 50_000,
    exclude: pl.Series | None = None,
) -> pl.Series:
    """Canonical skills per text: a ``List(String)`` series aligned with ``texts``.

    ``texts`` is a series of texts, or a frame whose columns are the parts of one text per row
    (a title and a description), matched as if joined by line breaks, a null part as empty.
    Each row is sorted and unique; a null or empty text gives an empty list. ``exclude``, if
    given, is aligned with ``texts``: a row's exclude value is never among its skills (an
    employer's own name is not a skill of its postings). Texts are processed ``batch_size`` rows
    at a time to bound the memory of the matches; each batch is split in halves evaluated in
    parallel.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    if exclude is not None and len(exclude) != len(texts):
        raise ValueError(f"exclude has {len(exclude)} rows, texts {len(texts)}")
    text_frame = texts.to_frame() if isinstance(texts, pl.Series) else texts
    text_columns = [f"_part{i}" for i in range(text_frame.width)]
    frame = text_frame.select(
        *(
            pl.col(c).cast(pl.String).alias(p)
            for c, p in zip(text_frame.columns, text_columns, strict=True)
        ),
        (
            pl.repeat(None, len(texts), dtype=pl.String)
            if exclude is None
            else pl.lit(exclude.cast(pl.String))
        ).alias("exclude"),
    )
    plan = _MatchPlan.of(taxonomy)
    names = pl.Enum(list(taxonomy.names))
    if not plan.patterns:
        return pl.repeat([], len(texts), dtype=pl.List(pl.String), eager=True).alias("skills")
    parts: list[pl.Series] = []
    for offset in range(0, len(texts), batch_size):
        batch = frame.slice(offset, batch_size)
        splits = _SPLITS if len(batch) >= _MIN_SPLIT_ROWS else 1
        step = -(-len(batch) // splits)
        queries = [
            plan.skills(batch.slice(start, step).lazy(), text_columns, names)
            for start in range(0, len(batch), step)
        ]
        parts += [frame.get_column("skills") for frame in pl.collect_all(queries)]
    if not parts:
        return pl.Series("skills", [], dtype=pl.List(pl.String))
    return pl.concat(parts, rechunk=True).alias("skills")
