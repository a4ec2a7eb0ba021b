"""Tests for the vectorized text clean-up: HTML to text, whitespace, folding for keys."""

from __future__ import annotations

import polars as pl
import pytest

from job_assets.normalize.text import company_key, fold, html_to_text


def _text(raw: str | None, fmt: str) -> str | None:
    frame = pl.DataFrame({"raw": [raw], "fmt": [fmt]}, schema={"raw": pl.String, "fmt": pl.String})
    return frame.select(html_to_text(pl.col("raw"), pl.col("fmt"))).item()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a  b", "a b"),  # a run of spaces
        ("a\tb", "a b"),  # a lone tab
        ("a\u00a0b", "a b"),  # a lone no-break space
        ("a \u00a0\t b", "a b"),  # a mixed run
        ("a\u2009b\u200bc", "a b c"),  # thin and zero-width spaces
        ("a b c", "a b c"),  # single spaces stay
        ("line one \n line two", "line one\nline two"),  # spaces around a newline
        ("line one\n\n\n\nline two", "line one\n\nline two"),  # at most one blank line
        ("a\r\nb\rc", "a\nb\nc"),  # Windows and old Mac line ends
        ("  padded  ", "padded"),
        ("Montréal  \t  café", "Montréal café"),  # non-ASCII text around a run
    ],
)
def test_whitespace_is_tidied(raw: str, expected: str):
    assert _text(raw, "text") == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # a closing and an opening block tag each break the line: one blank line between blocks
        ("<p>First</p><p>Second</p>", "First\n\nSecond"),
        ("<ul><li>Python</li><LI class='x'>SQL</li></ul>", "- Python\n\n- SQL"),
        ("a<br/>b<BR>c", "a\nb\nc"),
        ("<h2>Role</h2>Build things", "Role\nBuild things"),
        ("<b>bold</b> and <span>inline</span>", "bold and inline"),
        ("x<script>var a = '<p>';</script>y<style>p {}</style>z", "x y z"),
        # tag names end at a word boundary: <brand> and <scripts> are not <br> and <script>
        ("é<brand>x</brand>é", "é x é"),
        ("<scripts>kept</scripts>", "kept"),
        ("R&amp;D &nbsp;team&rsquo;s", "R&D team\u2019s"),
        ("&amp;lt;literal", "&lt;literal"),
        ("<p>Équipe à Montréal</p><li>Données</li>", "Équipe à Montréal\n\n- Données"),
    ],
)
def test_html_becomes_text(raw: str, expected: str):
    assert _text(raw, "html") == expected


def test_escaped_html_is_unescaped_once_then_stripped():
    assert _text("&lt;p&gt;One&lt;/p&gt;&lt;li&gt;Two&lt;/li&gt;", "escaped_html") == "One\n\n- Two"
    # plain text is never treated as markup
    assert _text("use <T> generics", "text") == "use <T> generics"


def test_null_description_stays_null():
    assert _text(None, "html") is None


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Stripe, Inc.", "stripe"),
        ("Société Générale S.A.", "societe generale"),
        ("Acme Corp", "acme"),
        ("  Big   Co  LLC ", "big"),
    ],
)
def test_company_key(name: str, key: str):
    frame = pl.DataFrame({"n": [name]})
    assert frame.select(company_key(pl.col("n"))).item() == key


def test_fold_drops_accents_case_and_punctuation():
    frame = pl.DataFrame({"t": ["Sr. Développeur—Full-Stack (Montréal)"]})
    assert frame.select(fold(pl.col("t"))).item() == "sr developpeur full stack montreal"
