"""Title families, seniority, title_std tidying, and company-size bins."""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl
import pytest

from job_assets.normalize.company_sizes import (
    CompanySizeTaxonomy,
    bin_category,
    load_company_sizes,
    size_bin,
    size_category,
)
from job_assets.normalize.titles import (
    SeniorityTaxonomy,
    TitleTaxonomy,
    classify_titles,
    load_seniority,
    load_title_taxonomy,
)
from job_assets.settings import REPO_ROOT
from job_assets.taxonomy import TaxonomyError

TAX_DIR = REPO_ROOT / "taxonomy_config"


@pytest.fixture(scope="module")
def titles_tax() -> TitleTaxonomy:
    return load_title_taxonomy(TAX_DIR / "titles.yml")


@pytest.fixture(scope="module")
def seniority_tax() -> SeniorityTaxonomy:
    return load_seniority(TAX_DIR / "seniority.yml")


@pytest.fixture(scope="module")
def sizes_tax() -> CompanySizeTaxonomy:
    return load_company_sizes(TAX_DIR / "company_sizes.yml")


def _one(title: str | None, tt: TitleTaxonomy, st: SeniorityTaxonomy) -> dict:
    return classify_titles(pl.Series([title], dtype=pl.String), tt, st).row(0, named=True)


@pytest.fixture(scope="module")
def classified(titles_tax, seniority_tax) -> dict:
    """All parametrized titles classified in ONE call (as the pipeline does), keyed by title."""
    titles = list(dict.fromkeys(t for t, _ in [*SENIORITY, *FAMILIES, *STD]))
    out = classify_titles(pl.Series(titles, dtype=pl.String), titles_tax, seniority_tax)
    return dict(zip(titles, out.iter_rows(named=True), strict=True))


SENIORITY = [
    ("Sr. Software Engineer", "senior"),
    ("Senior Data Scientist", "senior"),
    ("Staff Software Engineer", "staff"),
    ("Senior Staff Engineer", "staff"),  # staff outranks the senior prefix
    ("Principal Engineer", "principal"),
    ("Senior Principal Scientist", "principal"),
    ("Software Engineer II", "mid"),
    ("Software Engineer III", "senior"),
    ("Software Engineer I", "junior"),
    ("Data Analyst 2", "mid"),
    ("Intermediate Developer", "mid"),
    ("Software Engineering Intern", "intern"),
    ("Summer Internship - Data", "intern"),
    ("Co-op Student, Software", "intern"),
    ("Head of Engineering", "head"),
    ("Director of Product", "head"),
    ("VP, Sales", "head"),
    ("Jr. Developer", "junior"),
    ("Junior QA Analyst", "junior"),
    ("Entry Level Accountant", "junior"),
    ("New Grad Software Engineer", "junior"),
    ("Lead Software Engineer", "lead"),
    ("Senior Team Lead", "lead"),  # lead outranks the senior prefix
    ("Tech Lead, Payments", "lead"),
    ("Lead Generation Specialist", "unknown"),  # "lead" here is not a level
    ("Mid-Market Account Executive", "unknown"),  # "mid" here is not a level
    ("Staff Accountant", "unknown"),  # an entry-level accounting title
    ("Member of Technical Staff", "unknown"),
    ("Software Engineer", "unknown"),  # no marker: unknown, never mid by default
    ("Engineering Manager", "unknown"),
    (None, "unknown"),
]


@pytest.mark.parametrize(("title", "level"), SENIORITY, ids=[repr(s[0]) for s in SENIORITY])
def test_seniority(title: str | None, level: str, classified) -> None:
    assert classified[title]["seniority"] == level


FAMILIES = [
    ("Senior Software Engineer", "software_engineering"),
    ("Full Stack Developer", "software_engineering"),
    ("Member of Technical Staff", "software_engineering"),
    ("Sales Engineer", "sales"),  # not software_engineering
    ("Solutions Engineer", "sales"),
    ("Data Engineer", "data_engineering"),  # not software_engineering
    ("Analytics Engineer", "data_engineering"),
    ("Machine Learning Engineer", "machine_learning"),
    ("Data Scientist", "data_science"),
    ("Data Analyst", "analytics"),
    ("Financial Analyst", "finance"),  # analytics excludes finance analysts
    ("Senior QA Analyst", "qa_testing"),
    ("QA Engineer", "qa_testing"),
    ("DevOps Engineer", "devops_sre"),
    ("Site Reliability Engineer", "devops_sre"),
    ("Security Engineer", "security"),
    ("iOS Engineer", "mobile"),
    ("Frontend Engineer", "frontend"),
    ("Backend Engineer", "backend"),
    ("Senior Software Engineer - Backend (Remote, US)", "backend"),
    ("Product Manager", "product_management"),
    ("Product Marketing Manager", "marketing"),  # not product_management
    ("Product Designer", "design"),
    ("Engineering Manager", "engineering_management"),
    ("VP of Engineering", "engineering_management"),
    ("Account Executive", "sales"),
    ("Customer Success Manager", "customer_success"),
    ("Accountant", "finance"),
    ("Technical Recruiter", "hr"),
    ("Operations Manager", "operations"),
    ("Chef", "other"),
    (None, "other"),
]


@pytest.mark.parametrize(("title", "family"), FAMILIES, ids=[repr(f[0]) for f in FAMILIES])
def test_title_family(title: str | None, family: str, classified) -> None:
    assert classified[title]["title_family"] == family


STD = [
    ("Senior Data Engineer (W2) - Remote,", "Data Engineer"),
    ("Sr. Software Engineer", "Software Engineer"),
    ("Senior Staff Software Engineer", "Software Engineer"),
    ("Software Engineer II", "Software Engineer"),
    ("software engineer", "Software Engineer"),
    ("SENIOR QA ANALYST", "QA Analyst"),
    ("ios engineer", "iOS Engineer"),
    ("head of engineering", "Head of Engineering"),
    ("vp of sales", "VP of Sales"),
    ("Software Engineer, .net  ", "Software Engineer, .NET"),
    ("  Backend Engineer - Hybrid  ", "Backend Engineer"),
    ("Data Scientist [Contract] C2C", "Data Scientist"),
    ("Summer 2025 Software Engineering Intern", "Software Engineering"),
    ("Lead Software Engineer", "Software Engineer"),
    ("Lead Generation Specialist", "Lead Generation Specialist"),  # not a seniority prefix
    ("Team Lead, Platform", "Team Lead, Platform"),
    ("Ingénieur Logiciel", "Ingenieur Logiciel"),
    ("", None),
    ("(Remote)", None),
    (None, None),
]


@pytest.mark.parametrize(("title", "std"), STD, ids=[repr(s[0]) for s in STD])
def test_title_std(title: str | None, std: str | None, classified) -> None:
    assert classified[title]["title_std"] == std


def test_classify_is_row_aligned_with_duplicates(titles_tax, seniority_tax) -> None:
    titles = ["Data Engineer", None, "Sr. Software Engineer", "Data Engineer", "Chef"] * 40
    out = classify_titles(pl.Series("job_title", titles), titles_tax, seniority_tax)
    assert out.columns == ["title_std", "title_family", "seniority"]
    assert out.height == len(titles)
    fam = {"Data Engineer": "data_engineering", None: "other", "Chef": "other"}
    fam["Sr. Software Engineer"] = "software_engineering"
    assert out["title_family"].to_list() == [fam[t] for t in titles]
    assert out["seniority"].null_count() == 0 and out["title_family"].null_count() == 0


@pytest.mark.parametrize("order", [("alpha", "beta"), ("beta", "alpha")])
def test_family_priority_follows_yaml_order(tmp_path: Path, seniority_tax, order) -> None:
    fams = "".join(
        f"  - key: {key}\n    include: ['\\bengineer\\b']\n    exclude: ['\\bsales\\b']\n"
        for key in order
    )
    path = tmp_path / "titles.yml"
    path.write_text("families:\n" + fams, encoding="utf-8")
    tt = load_title_taxonomy(path)
    assert _one("Data Engineer", tt, seniority_tax)["title_family"] == order[0]
    assert _one("Sales Engineer", tt, seniority_tax)["title_family"] == "other"  # excluded
    assert _one("Data Engineer", tt, seniority_tax)["title_std"] == "Data Engineer"


def test_loaders_version_and_errors(tmp_path: Path) -> None:
    for name, loader in (("titles.yml", load_title_taxonomy), ("seniority.yml", load_seniority)):
        path = TAX_DIR / name
        assert loader(path).version == hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    bad = tmp_path / "seniority.yml"
    bad.write_text("levels: [junior]\nrules:\n  - level: wizard\n    include: ['x']\n")
    with pytest.raises(TaxonomyError, match="wizard"):
        load_seniority(bad)
    bad.write_text("levels: [junior]\nrules:\n  - level: junior\n    include: ['(?<=a)b']\n")
    with pytest.raises(TaxonomyError, match="bad regex"):  # look-behind: not Rust regex
        load_seniority(bad)
    bad_titles = tmp_path / "titles.yml"
    bad_titles.write_text("families:\n  - key: other\n    include: ['x']\n")
    with pytest.raises(TaxonomyError, match="reserved"):
        load_title_taxonomy(bad_titles)


def test_default_paths_follow_taxonomy_dir(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "seniority.yml").write_text(
        "default: unknown\nlevels: [junior, senior]\nrules:\n"
        "  - level: senior\n    include: ['\\bgrandmaster\\b']\n"
    )
    monkeypatch.setenv("JOBS_TAXONOMY_DIR", str(tmp_path))
    st = load_seniority()
    assert st.rank("senior") == 1 and st.rank("nope") == -1
    tt = load_title_taxonomy(TAX_DIR / "titles.yml")
    assert _one("Grandmaster Engineer", tt, st)["seniority"] == "senior"
    assert _one("Senior Engineer", tt, st)["seniority"] == "unknown"


# --- company sizes ----------------------------------------------------------------------

SIZES = [
    ("1 to 50 Employees", "11-50"),  # Glassdoor's bucket -> the bin holding its upper bound
    ("51 to 200 Employees", "51-200"),
    ("201 to 500 Employees", "201-500"),
    ("501 to 1000 Employees", "501-1000"),
    ("1001 to 5000 Employees", "1001-5000"),
    ("5001 to 10000 Employees", "5001-10000"),
    ("10000+ Employees", "10000+"),
    ("10,001+ employees", "10000+"),
    ("2-10 employees", "1-10"),
    ("51-200", "51-200"),
    ("5000+", "5001-10000"),
    ("250", "201-500"),
    ("Unknown", "unknown"),
    ("garbage", "unknown"),
    (None, "unknown"),
]


@pytest.mark.parametrize(("raw", "label"), SIZES, ids=[repr(s[0]) for s in SIZES])
def test_size_bin_series(raw: str | None, label: str, sizes_tax) -> None:
    assert size_bin(pl.Series("s", [raw], dtype=pl.String), sizes_tax).to_list() == [label]


def test_size_bin_expr_and_categories(sizes_tax) -> None:
    df = pl.DataFrame(
        {
            "company_size": ["51 to 200 Employees", None, "10000+ Employees"],
            "company_size_category": ["SMALL_TO_MEDIUM", "giant", None],
        }
    )
    out = df.select(
        size_bin(pl.col("company_size"), sizes_tax).alias("bin"),
        size_category(pl.col("company_size_category"), sizes_tax).alias("cat"),
        bin_category(size_bin(pl.col("company_size"), sizes_tax), sizes_tax).alias("bin_cat"),
    )
    assert out.to_dict(as_series=False) == {
        "bin": ["51-200", "unknown", "10000+"],
        "cat": ["small", "enterprise", "unknown"],
        "bin_cat": ["small", "unknown", "enterprise"],
    }
    assert sizes_tax.labels[0] == "1-10" and sizes_tax.labels[-1] == "unknown"


def test_company_size_loader(tmp_path: Path, monkeypatch) -> None:
    src = TAX_DIR / "company_sizes.yml"
    assert load_company_sizes(src).version == hashlib.sha256(src.read_bytes()).hexdigest()[:12]
    gap = src.read_text(encoding="utf-8").replace("min: 11, max: 50", "min: 12, max: 50")
    (tmp_path / "company_sizes.yml").write_text(gap, encoding="utf-8")
    monkeypatch.setenv("JOBS_TAXONOMY_DIR", str(tmp_path))
    with pytest.raises(TaxonomyError, match="contiguous"):
        load_company_sizes()


def test_taxonomy_yaml_reads_as_pyyamls_safe_loader_reads_it():
    # parse_yaml takes libyaml's loader when PyYAML has one: the same YAML 1.1 reading
    import datetime as dt

    import yaml

    from job_assets.taxonomy import parse_yaml

    files = sorted(TAX_DIR.glob("*.yml"))
    assert len(files) >= 6
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert parse_yaml(text) == yaml.safe_load(text), path.name
    tricky = "a: yes\nb: off\nc: 2026-03-02\nd: 1_000\ne: 0x1F\nf: ~\ng: '007'\n"
    assert parse_yaml(tricky) == yaml.safe_load(tricky)
    assert parse_yaml(tricky)["c"] == dt.date(2026, 3, 2) and parse_yaml(tricky)["a"] is True
    with pytest.raises(yaml.YAMLError):
        parse_yaml("a: [unclosed")
