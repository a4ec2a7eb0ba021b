"""Vectorized text clean-up shared by the normalizer: HTML to text, folding for keys.

Pure polars expressions; no Python per row.
"""

from __future__ import annotations

from collections.abc import Collection

import polars as pl

# Entity-escaped HTML (Greenhouse) is unescaped once before tags are stripped.
_ESCAPED_HTML = {"&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&#x27;": "'", "&amp;": "&"}
# Entities left in text after tags are gone. &amp; last, so "&amp;lt;" stays literal "&lt;".
_TEXT_ENTITIES = {
    "&nbsp;": " ",
    "&#160;": " ",
    "&rsquo;": "\u2019",
    "&lsquo;": "\u2018",
    "&#8217;": "\u2019",
    "&#8216;": "\u2018",
    "&rdquo;": "\u201d",
    "&ldquo;": "\u201c",
    "&#8220;": "\u201c",
    "&#8221;": "\u201d",
    "&ndash;": "\u2013",
    "&#8211;": "\u2013",
    "&mdash;": "\u2014",
    "&#8212;": "\u2014",
    "&hellip;": "\u2026",
    "&#8230;": "\u2026",
    "&bull;": "\u2022",
    "&#8226;": "\u2022",
    "&middot;": "\u00b7",
    "&eacute;": "\u00e9",
    "&egrave;": "\u00e8",
    "&agrave;": "\u00e0",
    "&ccedil;": "\u00e7",
    "&ocirc;": "\u00f4",
    "&uuml;": "\u00fc",
    "&ouml;": "\u00f6",
    "&auml;": "\u00e4",
    "&euro;": "\u20ac",
    "&pound;": "\u00a3",
    "&copy;": "\u00a9",
    "&reg;": "\u00ae",
    "&trade;": "\u2122",
    "&#39;": "'",
    "&#x27;": "'",
    "&quot;": '"',
    "&lt;": "<",
    "&gt;": ">",
    "&amp;": "&",
}
# Tag names end at an ASCII word boundary, ``(?-u:\b)``: a Unicode ``\b`` keeps the regex engine
# off its fast DFA paths once a text holds any non-ASCII character (5x slower on real bodies).
_BLOCK_TAGS = r"(?i)<\s*(br|/p|/div|/h[1-6]|/li|/ul|/ol|/tr|p|div|h[1-6]|ul|ol|tr)(?-u:\b)[^>]*>"
_LIST_ITEM = r"(?i)<\s*li(?-u:\b)[^>]*>"
_SCRIPT_OR_STYLE = r"(?is)<(script|style)(?-u:\b).*?</(script|style)>"
_ANY_TAG = r"<[^>]*>"
_UNCLOSED_TAG = r"<[^>]*<"
# Tags written without attributes, as most HTML has them, and what the passes above make of
# each: a list item "\n- ", a block tag "\n", any other tag " ". Replaced by one Aho-Corasick
# pass (any ASCII case, like the regexes): per tag, a regex replacement costs ~100 ns, and an
# HTML description has ~90 tags (Ashby at 25k postings: 0.33 -> 0.11 CPU-s for the tags).
_BLOCK_TAG_NAMES = ["br", "br/", "br /", "p", "div", "ul", "ol", "tr"] + [
    f"h{i}" for i in range(1, 7)
]
_INLINE_TAG_NAMES = ["b", "i", "u", "a", "em", "strong", "span", "td", "th", "table", "tbody"]
_PLAIN_TAGS = {
    "<li>": "\n- ",
    "</li>": "\n",
    **{f"<{name}>": "\n" for name in _BLOCK_TAG_NAMES},
    **{f"</{name}>": "\n" for name in _BLOCK_TAG_NAMES if not name.startswith("br")},
    "</br>": " ",
    **{f"<{name}>": " " for name in _INLINE_TAG_NAMES},
    **{f"</{name}>": " " for name in _INLINE_TAG_NAMES},
}


def _case_variants(text: str) -> list[str]:
    """Every ASCII upper/lower-case spelling of ``text`` ("br /": "br /", "bR /", "Br /", ...)."""
    variants = [""]
    for ch in text:
        options = sorted({ch.lower(), ch.upper()})
        variants = [v + o for v in variants for o in options]
    return variants


# Entity-escaped HTML (Greenhouse) in which every "<" is closed before the next one: the plain
# tags, in every escaped or raw spelling and any ASCII case of the name, are replaced together
# with the six entities in one leftmost-first pass (the tags listed first: "&lt;p&gt;" is a tag,
# not "&lt;" and "p&gt;"). The same text as unescaping and then replacing the plain tags: the
# unescaped text's plain tags are exactly these spellings, and no entity can overlap one. Saves
# a pass over the whole text (a 25k Greenhouse batch, the check below included: 0.42-0.44 ->
# 0.35 CPU-s).
_UNESCAPE_AND_PLAIN_TAGS = {
    **{
        f"{opener}{variant}{closer}": replacement
        for tag, replacement in _PLAIN_TAGS.items()
        for variant in _case_variants(tag[1:-1])
        for opener in ("<", "&lt;")
        for closer in (">", "&gt;")
    },
    **_ESCAPED_HTML,
}
# Where that pass may not be taken: an escaped text whose unescaped form has a "<" with no ">"
# before the next "<" (``_UNCLOSED_TAG``). A "<" of the unescaped text is a "<" or "&lt;" of the
# escaped one, a ">" a ">" or "&gt;" ("&amp;lt;" unescapes to the text "&lt;"), so this matches
# an opener, then text holding neither ">" nor "&gt;", then an opener. Checked against
# unescaping first on every string of up to 7 characters over "&lgt;<>a".
_NO_CLOSER = r"(?:[^&>]|&(?:&|g&|gt&)*(?:[^&>g]|g[^&>t]|gt[^&>;]))*(?:&(?:&|g&|gt&)*(?:g|gt)?)?"
_UNCLOSED_ESCAPED_TAG = rf"(?:<|&lt;){_NO_CLOSER}(?:<|&lt;)"


def escaped_tags_closed(escaped_html: pl.Series) -> bool:
    """Whether every entity-escaped text of ``escaped_html`` has each "<" of its unescaped form
    closed before the next one (nulls count as closed): then ``html_to_text`` may take the
    single unescape-and-tags pass (``escaped_tags_closed=True``)."""
    return not escaped_html.str.contains(_UNCLOSED_ESCAPED_TAG).any()


# Line breaks become "\n" and horizontal whitespace other than a plain space becomes one, in one
# literal pass (leftmost-first, so "\r\n" is one break); then a run of spaces becomes one, in a
# pass with a literal the regex engine can skip to (two spaces): one regex that may start at any
# space cost 0.12 CPU-s per 25k postings with nothing to replace, these two 0.03.
_LINE_BREAK_AND_ODD_SPACE = {
    "\r\n": "\n",
    "\r": "\n",
    **dict.fromkeys(["\t", "\u00a0", "\u2009", "\u200b"], " "),
}
_SPACE_RUN = r" {2,}"
_SPACE_AROUND_NEWLINE = r" \n ?|\n "


def html_to_text(
    expr: pl.Expr,
    fmt: pl.Expr,
    formats: Collection[str | None] | None = None,
    escaped_tags_closed: bool = False,
) -> pl.Expr:
    """Description as plain text. ``fmt`` is ``text``, ``html`` or ``escaped_html`` (anything
    else, null included, is taken as HTML).

    ``formats``, if given, are the values ``fmt`` takes in the frame (say a batch of one
    source): branches no row needs are left out of the expression. polars evaluates every
    branch of a ``when`` over all rows, so a batch of plain text would otherwise pay for the
    HTML passes (~0.05 CPU-s per 25k postings) and a batch of HTML for the unescaping.
    ``escaped_tags_closed`` (for a frame of ``escaped_html`` only, as ``escaped_tags_closed()``
    finds it) unescapes and replaces the plain tags in one pass; the text is the same.
    """
    present = None if formats is None else set(formats)
    if present is not None and present <= {"text"}:
        return tidy_whitespace(expr)
    if escaped_tags_closed and present == {"escaped_html"}:
        unescaped_and_plain = expr.str.replace_many(_UNESCAPE_AND_PLAIN_TAGS, leftmost=True)
        return tidy_whitespace(
            _strip_tags(unescaped_and_plain.str.replace_all(_SCRIPT_OR_STYLE, " "))
        )
    unescaped = (
        expr
        if present is not None and "escaped_html" not in present
        else pl.when(fmt == "escaped_html")
        .then(expr.str.replace_many(list(_ESCAPED_HTML), list(_ESCAPED_HTML.values())))
        .otherwise(expr)
    )
    html = unescaped.str.replace_all(_SCRIPT_OR_STYLE, " ")
    # Where every "<" is closed before the next one, the plain tags are replaced first in one
    # literal pass; the regex passes then only meet the tags with attributes. Same text either
    # way: each plain tag gets what its regex pass would give it, and no regex match can start
    # before a plain tag and take it in (that needs an unclosed "<" in front of it, and such
    # HTML takes the regex passes alone).
    plain_tags_first = (
        pl.when(html.str.contains(_UNCLOSED_TAG))
        .then(html)
        .otherwise(html.str.replace_many(_PLAIN_TAGS, ascii_case_insensitive=True))
    )
    stripped = _strip_tags(plain_tags_first)
    as_text = (
        stripped
        if present is not None and "text" not in present
        else pl.when(fmt == "text").then(expr).otherwise(stripped)
    )
    return tidy_whitespace(as_text)


def _strip_tags(html: pl.Expr) -> pl.Expr:
    """The tags the plain-tag pass left (with attributes, or all of them where a "<" is left
    open), then the entities."""
    return (
        html.str.replace_all(_LIST_ITEM, "\n- ")
        .str.replace_all(_BLOCK_TAGS, "\n")
        .str.replace_all(_ANY_TAG, " ")
        .str.replace_many(list(_TEXT_ENTITIES), list(_TEXT_ENTITIES.values()))
    )


def tidy_whitespace(expr: pl.Expr) -> pl.Expr:
    return (
        expr.str.replace_many(_LINE_BREAK_AND_ODD_SPACE, leftmost=True)
        .str.replace_all(_SPACE_RUN, " ")
        .str.replace_all(_SPACE_AROUND_NEWLINE, "\n")
        .str.replace_all(r"\n{3,}", "\n\n")
        .str.strip_chars()
    )


def fold(expr: pl.Expr) -> pl.Expr:
    """Lower-case, accents folded, punctuation and whitespace collapsed: the form keys use."""
    return (
        expr.str.to_lowercase()
        .str.normalize("NFKD")
        .str.replace_all(r"\p{M}+", "")
        .str.replace_all(r"[^\p{L}\p{N}]+", " ")
        .str.strip_chars()
    )


_LEGAL_SUFFIXES = (
    r"\b(incorporated|inc|llc|l l c|ltd|limited|corp|corporation|co|company|gmbh|ag|sa|s a|"
    r"sas|plc|bv|b v|oy|ab|pty|pvt|srl|ulc|lp|llp)\b"
)


def company_key(expr: pl.Expr) -> pl.Expr:
    """Normalized company name: folded, legal suffixes removed ("Stripe, Inc." -> "stripe")."""
    return (
        fold(expr)
        .str.replace_all(_LEGAL_SUFFIXES, " ")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )
