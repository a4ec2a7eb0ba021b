"""Vectorized text clean-up shared by the normalizer: HTML to text, folding for keys.

Pure polars expressions; no Python per row.
"""

from __future__ import annotations

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
# Horizontal whitespace that needs rewriting: a run of two or more, or one that is not a plain
# space. A lone space (most of them) is not a match, so it is not copied as a replacement.
_SPACE_RUN = r"[ \t\u00a0\u2009\u200b]{2,}|[\t\u00a0\u2009\u200b]"
_SPACE_AROUND_NEWLINE = r" \n ?|\n "


def html_to_text(expr: pl.Expr, fmt: pl.Expr) -> pl.Expr:
    """Description as plain text. ``fmt`` is ``text``, ``html`` or ``escaped_html``."""
    unescaped = (
        pl.when(fmt == "escaped_html")
        .then(expr.str.replace_many(list(_ESCAPED_HTML), list(_ESCAPED_HTML.values())))
        .otherwise(expr)
    )
    stripped = (
        unescaped.str.replace_all(_SCRIPT_OR_STYLE, " ")
        .str.replace_all(_LIST_ITEM, "\n- ")
        .str.replace_all(_BLOCK_TAGS, "\n")
        .str.replace_all(r"<[^>]*>", " ")
        .str.replace_many(list(_TEXT_ENTITIES), list(_TEXT_ENTITIES.values()))
    )
    as_text = pl.when(fmt == "text").then(expr).otherwise(stripped)
    return tidy_whitespace(as_text)


def tidy_whitespace(expr: pl.Expr) -> pl.Expr:
    return (
        expr.str.replace_all(r"\r\n?", "\n")
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
