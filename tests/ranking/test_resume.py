"""Résumé reading, profiling and campaign drafting (job_assets.ranking.resume)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from job_assets.normalize.locations import load_locations
from job_assets.normalize.skills import load_skill_taxonomy
from job_assets.normalize.titles import load_seniority, load_title_taxonomy
from job_assets.ranking.campaigns import LocationPref, _Yaml12BoolLoader, parse_campaigns
from job_assets.ranking.resume import (
    ResumeProfile,
    analyze_resume,
    draft_campaign,
    read_resume_text,
)

RESUMES = Path(__file__).resolve().parents[1] / "fixtures" / "resumes"


def minimal_pdf(lines: list[str]) -> bytes:
    """A one-page PDF (Helvetica, one text line per ``Tj``) with a correct xref table; this is
    how ``fixtures/resumes/alex_chen.pdf`` was written."""

    def esc(s: str) -> str:
        return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = ["BT", "/F1 11 Tf", "14 TL", "56 780 Td"]
    ops += [
        f"({esc(ln)}) Tj" if i == 0 else f"0 -14 Td ({esc(ln)}) Tj" for i, ln in enumerate(lines)
    ]
    ops.append("ET")
    stream = ("\n".join(ops) + "\n").encode("latin-1") if lines else b""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


@pytest.fixture(scope="module")
def taxonomies() -> dict:
    return {
        "skills_tax": load_skill_taxonomy(),
        "titles_tax": load_title_taxonomy(),
        "seniority_tax": load_seniority(),
        "locations_tax": load_locations(),
    }


@pytest.fixture(scope="module")
def profiles(taxonomies: dict) -> dict[str, ResumeProfile]:
    return {
        f.name: analyze_resume(read_resume_text(f), **taxonomies) for f in sorted(RESUMES.iterdir())
    }


# file -> (skills present, traps absent, top-4 skills, titles std newest first, families,
#          seniority, location, remote, email)
EXPECTED = {
    "jane_doe.md": (
        {"Python", "SQL", "dbt", "Apache Airflow", "Apache Spark", "Apache Kafka", "Snowflake"},
        {"R", "Go", "C"},  # "R&D", "Going forward", "C-level", "Series C"
        {"Python", "SQL", "Apache Airflow", "dbt"},
        ["Data Engineer", "Data Engineer", "Data Analyst"],
        ["data_engineering", "data_engineering", "analytics"],
        "senior",
        LocationPref("Toronto", "ON", "CA"),
        True,
        "jane.doe@example.com",
    ),
    "sam_patel.txt": (
        {"Python", "PyTorch", "TensorFlow", "Kubernetes", "scikit-learn", "MLflow", "BigQuery"},
        {"R", "Go"},  # "Led R&D collaborations", "going deeper"
        {"Machine learning", "PyTorch", "Python", "Forecasting"},
        ["Machine Learning Engineer", "Software Developer"],
        ["machine_learning", "software_engineering"],
        "senior",  # no level in the titles: from "9+ years of experience"
        LocationPref("Austin", "TX", "US"),
        False,
        "sam.patel@example.com",
    ),
    "alex_chen.pdf": (
        {"Go", "PostgreSQL", "Redis", "Kubernetes", "gRPC", "Terraform", "PHP"},
        {"R", "Stripe"},  # "R&D spikes"; the employer on the title line is not a skill
        {"Go", "PostgreSQL", "Redis", "Kubernetes"},
        ["Backend Engineer", "Software Engineer", "Developer"],
        ["backend", "software_engineering", "software_engineering"],
        "lead",  # highest of "Lead Backend Engineer" and "Software Engineer II" (mid)
        LocationPref("Vancouver", "BC", "CA"),
        True,
        "alex.chen@example.com",
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_profile_per_format(name: str, profiles: dict[str, ResumeProfile]) -> None:
    present, traps, top4, titles, families, level, loc, remote, email = EXPECTED[name]
    p = profiles[name]
    names = set(p.skill_names)
    assert present <= names, present - names
    assert not (traps & names), traps & names
    assert set(p.skill_names[:4]) == top4
    counts = [s.mentions for s in p.skills]
    assert counts == sorted(counts, reverse=True)
    assert [t.title_std for t in p.recent_titles] == titles
    assert [t.family for t in p.recent_titles] == families
    assert p.seniority == level
    assert p.location == loc
    assert p.remote is remote
    assert p.email == email


def test_pdf_fixture_is_real_pdf_text() -> None:
    raw = (RESUMES / "alex_chen.pdf").read_bytes()
    assert raw.startswith(b"%PDF-1.4") and b"/BaseFont /Helvetica" in raw
    text = read_resume_text(RESUMES / "alex_chen.pdf")
    assert text.splitlines()[:2] == [
        "Alex Chen",
        "Backend Developer | Vancouver, BC | alex.chen@example.com",
    ]


def test_mention_counts(profiles: dict[str, ResumeProfile]) -> None:
    jane = {s.name: s.mentions for s in profiles["jane_doe.md"].skills}
    # Python: 5 bullets + the skills line; pandas: 1 bullet + the skills line
    assert jane["Python"] == 6
    assert jane["pandas"] == 2
    assert "Shopify" not in jane  # only on a title line


@pytest.mark.parametrize(
    ("text", "titles", "level"),
    [
        # oldest first on the page: reordered by end date
        (
            "Experience\nJunior Data Analyst, Foo (2014 - 2016)\n"
            "Staff Software Engineer, Bar (2016 - present)\nEducation\nBSc 2014\n",
            ["Software Engineer", "Data Analyst"],
            "staff",
        ),
        # undated: page order kept; the two newest titles decide (not the 3rd)
        (
            "## Work Experience\n**Data Scientist** — Foo\n- Built R models.\n"
            "**Data Scientist II** — Bar\n**Principal Data Scientist** — Baz\n",
            ["Data Scientist", "Data Scientist", "Data Scientist"],
            "mid",
        ),
        # no level in titles, no claim: span of the experience years (2019-2021 -> 2 -> mid)
        (
            "EXPERIENCE\nBackend Developer | Acme | 2019 - 2021\n"
            "- Reduced costs over 2 years.\nSKILLS\nJava\n",
            ["Backend Developer"],
            "mid",
        ),
        # no experience heading and no dates: unknown
        ("Product Manager\nLoves roadmaps.\n", ["Product Manager"], None),
        # bullets and prose mentioning roles are not titles
        (
            "Experience\n- Mentored junior developers.\nWorked with a data engineer daily.\n",
            [],
            None,
        ),
    ],
)
def test_titles_and_seniority(
    text: str, titles: list[str], level: str | None, taxonomies: dict
) -> None:
    p = analyze_resume(text, **taxonomies)
    assert [t.title_std for t in p.recent_titles] == titles
    assert p.seniority == level


@pytest.mark.parametrize(
    ("claim", "level", "years"),
    [
        ("1 year of experience", "junior", 1),
        ("3 yrs experience", "mid", 3),
        ("8+ years", "senior", 8),
    ],
)
def test_seniority_from_years(claim: str, level: str, years: int, taxonomies: dict) -> None:
    p = analyze_resume(f"Pat Doe\nAnalytics engineer with {claim} in SQL.\n", **taxonomies)
    assert (p.seniority, p.years_experience) == (level, years)


@pytest.mark.parametrize(
    ("header", "loc", "remote"),
    [
        (
            "Jordan Lee\nMontréal, QC | jordan@example.com",
            LocationPref("Montreal", "QC", "CA"),
            False,
        ),
        ("Jane Roe | Berlin, Germany | +49 30 1234567", LocationPref("Berlin", None, "DE"), False),
        ("Jane Roe\nRemote (Canada) · open to remote work", LocationPref(None, None, "CA"), True),
        ("Jane Roe\njane@example.com | github.com/jane", None, False),
        ("Jane Roe\nExperience with remote sensing data", None, False),
    ],
)
def test_header_location_and_remote(
    header: str, loc: LocationPref | None, remote: bool, taxonomies: dict
) -> None:
    p = analyze_resume(header + "\n\nSkills\nPython\n", **taxonomies)
    assert p.location == loc
    assert p.remote is remote


def _load(text: str):
    data = yaml.load(text, Loader=_Yaml12BoolLoader)  # noqa: S506
    return parse_campaigns(data, set(load_skill_taxonomy().names))


@pytest.mark.parametrize(
    ("name", "cid", "titles", "seniority", "remote", "countries"),
    [
        (
            "jane_doe.md",
            "data-engineer-toronto",
            ("data engineer", "data analyst"),
            ("senior", "staff"),
            ("remote", "hybrid", "onsite"),
            ("CA",),
        ),
        (
            "sam_patel.txt",
            "machine-learning-engineer-austin",
            ("machine learning engineer", "software developer"),
            ("senior", "staff"),
            ("onsite", "hybrid"),
            ("US",),
        ),
        (
            "alex_chen.pdf",
            "backend-engineer-vancouver",
            ("backend engineer", "software engineer"),
            ("senior", "lead"),
            ("remote", "hybrid", "onsite"),
            ("CA",),
        ),
    ],
)
def test_draft_round_trips(
    name: str,
    cid: str,
    titles: tuple[str, ...],
    seniority: tuple[str, ...],
    remote: tuple[str, ...],
    countries: tuple[str, ...],
) -> None:
    text = draft_campaign(RESUMES / name, reporting_currency="cad")
    assert text.startswith(f"# Drafted from {name} ")
    assert "# salary: {floor:" in text and "currency: CAD" in text
    cfg = _load(text)
    assert cfg.reporting_currency == "CAD"
    (c,) = cfg.campaigns
    assert c.id == cid and c.active is False
    assert c.titles == titles
    assert c.seniority == seniority
    assert c.remote == remote
    assert c.countries == countries and len(c.locations) == 1
    assert c.salary is None and c.min_score == 60
    assert 1 <= len(c.skills) <= 12
    assert [s.weight for s in c.skills[:4]] == [2.0] * 4
    assert all(s.weight == 1.0 for s in c.skills[4:])
    assert not any(s.must_have for s in c.skills)
    assert c.notify.email == (EXPECTED[name][-1],)


def test_draft_custom_id_and_region_quoted() -> None:
    text = draft_campaign(RESUMES / "jane_doe.md", "my-search", reporting_currency="CAD")
    assert "region: 'ON'" in text  # stays a string under plain YAML 1.1 loaders too
    assert yaml.safe_load(text)["campaigns"][0]["locations"][0]["region"] == "ON"
    assert _load(text).campaigns[0].id == "my-search"


def test_draft_of_resume_without_titles(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Hobby projects in Python and Rust.\n", encoding="utf-8")
    (c,) = _load(draft_campaign(path, reporting_currency="USD")).campaigns
    assert c.id == "resume" and c.name == "notes (draft)"
    assert c.titles == () and c.locations == () and c.seniority == () and c.remote == ()
    assert [s.name for s in c.skills] == ["Python", "Rust"]


def test_draft_of_resume_with_nothing_usable(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Just some notes about gardening.\n", encoding="utf-8")
    with pytest.raises(ValueError, match="found no job titles or skills in notes.txt"):
        draft_campaign(path, reporting_currency="USD")


@pytest.mark.parametrize("suffix", [".docx", ".rtf", ""])
def test_unsupported_extension(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"cv{suffix}"
    path.write_bytes(b"whatever")
    with pytest.raises(ValueError, match=r"unsupported.*\.md, \.markdown, \.txt, \.pdf"):
        read_resume_text(path)


@pytest.mark.parametrize(
    "content",
    [minimal_pdf([]), minimal_pdf(["   "]), b"%PDF-1.4\nthis is not really a pdf\n", b""],
    ids=["no-text", "blank-text", "garbage", "zero-bytes"],
)
def test_pdf_without_text(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "scan.PDF"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=r"no text could be extracted from scan\.PDF \(scanned"):
        read_resume_text(path)


def test_markdown_and_txt_read_as_utf8(tmp_path: Path) -> None:
    path = tmp_path / "cv.markdown"
    path.write_bytes("\ufeff# José Núñez\nMontréal, QC\n".encode())
    assert read_resume_text(path) == "# José Núñez\nMontréal, QC\n"
