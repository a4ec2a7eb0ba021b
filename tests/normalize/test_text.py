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


_EVERY_FORMAT = pl.DataFrame(
    {
        "raw": [
            "use <b>T</b> &amp; <p>generics</p>",
            "<p>One</p>&amp;<li>Two</li>",
            "&lt;p&gt;One&lt;/p&gt;&lt;b&gt;Two&lt;/b&gt; &amp;amp;",
            "<p>fmt\r\nnot given</p>",
        ],
        "fmt": ["text", "html", "escaped_html", None],
    },
    schema={"raw": pl.String, "fmt": pl.String},
)


@pytest.mark.parametrize(
    "formats",
    [["text"], ["html"], ["escaped_html"], [None], ["text", "html"], ["html", "escaped_html"]],
)
def test_formats_present_leave_out_only_branches_no_row_needs(formats: list[str | None]):
    # a batch of one source has one format: the expression is built for it alone, and must
    # give what the expression for every format gives
    frame = _EVERY_FORMAT.filter(pl.col("fmt").is_in(formats, nulls_equal=True))
    raw, fmt = pl.col("raw"), pl.col("fmt")
    for_these = frame.select(html_to_text(raw, fmt, formats=formats)).to_series()
    for_all = frame.select(html_to_text(raw, fmt)).to_series()
    assert frame.height == len(formats)
    assert for_these.to_list() == for_all.to_list()


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


def _tags_by_regex_only(html: str) -> str:
    """The tag passes alone, one regex per kind of tag (what the literal pass must agree with)."""
    from job_assets.normalize import text

    frame = pl.DataFrame({"h": [html]})
    stripped = (
        pl.col("h")
        .str.replace_all(text._SCRIPT_OR_STYLE, " ")
        .str.replace_all(text._LIST_ITEM, "\n- ")
        .str.replace_all(text._BLOCK_TAGS, "\n")
        .str.replace_all(text._ANY_TAG, " ")
        .str.replace_many(list(text._TEXT_ENTITIES), list(text._TEXT_ENTITIES.values()))
    )
    return frame.select(text.tidy_whitespace(stripped)).item()


@pytest.mark.parametrize(
    "raw",
    [
        "<UL><Li>One</lI><LI>Two</LI></UL><P>Three</P>",
        "a<br>b<br/>c<br />d</br>e<BR>f",
        "<h1>T</h1><h6>U</h6><div>V</div><TR><TD>W</TD><TH>X</TH></TR>",
        "<table><tbody><tr><td>a</td></tr></tbody></table>",
        "<strong>s</strong><em>e</em><b>b</b><i>i</i><u>u</u><a>a</a><span>x</span>",
        '<p class="x">attr</p><li id=1>item</li><a href="/y">link</a>',
        "<blockquote>q</blockquote><bold>x</bold><brand>y</brand><pre>z</pre>",
        # an unclosed "<" in front of a plain tag: the regex passes take the two in one match
        "a <p<br> b <li>c</li>",
        "x < y <strong>z</strong> w",
        "<p>ends open <",
    ],
)
def test_plain_tag_pass_gives_what_the_tag_regexes_give(raw: str):
    assert _text(raw, "html") == _tags_by_regex_only(raw)


def test_real_html_descriptions_come_out_as_the_tag_regexes_make_them():
    import html as std_html
    import json

    from tests.conftest import FIXTURES

    bodies: list[str] = []
    for name, key in [
        ("ashby_1.json", "descriptionHtml"),
        ("ashby_2.json", "descriptionHtml"),
        ("lever_1.json", "description"),
        ("lever_2.json", "description"),
        ("greenhouse_1.json", "content"),
        ("greenhouse_2.json", "content"),
        ("remotive_1.json", "description"),
    ]:
        payload = json.loads((FIXTURES / "real" / name).read_text())
        jobs = payload if isinstance(payload, list) else payload["jobs"]
        for job in jobs:
            if job.get(key):
                # Greenhouse escapes its HTML once; the others post it as is
                body = job[key]
                bodies.append(std_html.unescape(body) if name.startswith("greenhouse") else body)
    assert len(bodies) >= 10
    assert sum(body.count("<") for body in bodies) > 70  # tags, not text
    frame = pl.DataFrame({"raw": bodies, "fmt": ["html"] * len(bodies)})
    fast = frame.select(html_to_text(pl.col("raw"), pl.col("fmt"))).to_series().to_list()
    assert fast == [_tags_by_regex_only(body) for body in bodies]


def _escaped_corpus(rows: int, seed: int) -> list[str]:
    """Entity-escaped HTML made of the pieces that decide how it is read: plain tags in every
    spelling (escaped, raw, mixed, any case), tags with attributes, script blocks, entities
    (double-escaped ones included), stray "<", ">", "&" and partial entities."""
    import random

    pieces = [
        "&lt;p&gt;", "&lt;/P&gt;", "&lt;Li&gt;", "&lt;/li>", "<li&gt;", "<ul>", "&lt;/UL&gt;",
        "&lt;br /&gt;", "&lt;BR/&gt;", "&lt;Br&gt;", "&lt;/br&gt;", "&lt;sTrOnG&gt;",
        "&lt;/strong&gt;", "&lt;H2&gt;", "&lt;/h2&gt;", "&lt;tbody&gt;", "&lt;TD&gt;",
        '&lt;a href=&quot;/x?a=1&amp;b=2&quot;&gt;', "&lt;/a&gt;", "&lt;p class=&quot;c&quot;&gt;",
        "&lt;script&gt;if (a &lt; b) &lt;p&gt;&lt;/script&gt;", "&lt;STYLE&gt;p{}&lt;/style&gt;",
        "&amp;lt;p&amp;gt;", "&amp;amp;", "&amp;", "&nbsp;", "&#39;", "&quot;", "&lt;", "&gt;",
        "<", ">", "&", "&g", "&gt", "gt;", "lt;", "Python", " and ", "\n", "  ", "SQL",
    ]  # fmt: skip
    rng = random.Random(seed)
    return ["".join(rng.choices(pieces, k=rng.randint(1, 12))) for _ in range(rows)]


def test_escaped_html_in_one_pass_comes_out_as_unescaping_first_makes_it():
    from job_assets.normalize.text import escaped_tags_closed

    frame = pl.DataFrame({"raw": _escaped_corpus(20_000, seed=11)})
    closed = frame.filter(
        pl.col("raw").map_elements(lambda t: escaped_tags_closed(pl.Series([t])), pl.Boolean)
    )
    # both kinds are there in numbers: the guard lets most through and stops the rest
    assert 0.2 * frame.height < closed.height < 0.9 * frame.height
    fmt = pl.lit("escaped_html")
    one_pass = closed.select(
        html_to_text(pl.col("raw"), fmt, formats=["escaped_html"], escaped_tags_closed=True)
    )
    unescaping_first = closed.select(html_to_text(pl.col("raw"), fmt))
    assert one_pass.to_series().to_list() == unescaping_first.to_series().to_list()
    assert escaped_tags_closed(closed["raw"]) and not escaped_tags_closed(frame["raw"])


def test_the_escaped_text_guard_finds_what_is_left_open_once_unescaped():
    import itertools

    from job_assets.normalize import text

    strings = ["".join(p) for n in range(7) for p in itertools.product("&lgt;<>a", repeat=n)]
    frame = pl.DataFrame({"e": strings})
    unescaped = pl.col("e").str.replace_many(text._ESCAPED_HTML)
    out = frame.select(
        pl.col("e").str.contains(text._UNCLOSED_ESCAPED_TAG).alias("escaped"),
        unescaped.str.contains(text._UNCLOSED_TAG).alias("unescaped"),
    )
    assert out["escaped"].sum() > 1000
    assert out["escaped"].to_list() == out["unescaped"].to_list()


def test_real_greenhouse_descriptions_in_one_pass_come_out_as_unescaping_first_makes_them():
    import json

    from job_assets.normalize.text import escaped_tags_closed
    from tests.conftest import FIXTURES

    bodies = [
        job["content"]
        for name in ("greenhouse_1.json", "greenhouse_2.json")
        for job in json.loads((FIXTURES / "real" / name).read_text())["jobs"]
        if job.get("content")
    ]
    assert sum(body.count("&lt;") for body in bodies) > 20
    raw = pl.Series("raw", bodies)
    assert escaped_tags_closed(raw)
    fmt = pl.lit("escaped_html")
    frame = raw.to_frame()
    one_pass = frame.select(html_to_text(pl.col("raw"), fmt, ["escaped_html"], True))
    assert one_pass.equals(frame.select(html_to_text(pl.col("raw"), fmt)))
